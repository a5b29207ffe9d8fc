/**
 * The language service: plain functions over a document's text and positions, for `nn lsp`
 * (which wraps it in LSP) and for a browser playground (which runs it in a web worker). No LSP
 * types, no Node APIs.
 *
 * Positions are LSP's: 0-based line and 0-based UTF-16 character (see positions.ts, the one
 * place that converts). Each request checks the text once: the service keeps the analyses of
 * the last few texts it saw, so hover, completion and the rest on an unchanged text reuse one
 * check. No request throws: a failure is reported to `onError` and the request answers empty.
 */
import { formatRange, formatSource } from '../format/index.js';
import { Analysis } from './analysis.js';
import { diagnosticsAfterEdit, focusOn, type Checked } from './incremental.js';
import { codeActions, type CodeAction } from './actions.js';
import { completions, type CompletionItem } from './completion.js';
import { defaultDocsBase, diagnostics, type ServiceDiagnostic } from './diagnostics.js';
import { diagramAnswer, diagramOfChecked, type DiagramAnswer } from './diagram.js';
import { hover, type Hover } from './hover.js';
import { inlayHints, type InlayHint } from './inlay.js';
import { definition, prepareRename, references, rename, type RenameResult } from './navigation.js';
import type { Position, Range, TextEdit } from './positions.js';
import {
  encodeSemanticTokens,
  semanticTokenLegend,
  semanticTokens,
  type SemanticToken,
} from './semantic.js';
import { signatureHelp, type SignatureHelp } from './signature.js';
import {
  documentSymbols,
  foldingRanges,
  type DocumentSymbol,
  type FoldingRange,
} from './symbols.js';

export { Analysis } from './analysis.js';
export { modelBlocks, type Checked } from './incremental.js';
export type { CodeAction } from './actions.js';
export type { CompletionItem, CompletionKind } from './completion.js';
export type { DiagnosticTag, ServiceDiagnostic } from './diagnostics.js';
export {
  diagramSvg,
  type DiagramAnswer,
  type DiagramChoice,
  type DiagramResult,
} from './diagram.js';
export { docsUrlOf } from './diagnostics.js';
export type { Hover } from './hover.js';
export type { InlayHint } from './inlay.js';
export type { RenameResult } from './navigation.js';
export {
  applyEdits,
  PositionIndex,
  type Position,
  type Range,
  type TextEdit,
} from './positions.js';
export {
  encodeSemanticTokens,
  semanticTokenLegend,
  type SemanticToken,
  type SemanticTokenType,
} from './semantic.js';
export type { SignatureHelp } from './signature.js';
export type { DocumentSymbol, FoldingRange, SymbolKind } from './symbols.js';

export interface LanguageServiceOptions {
  /** How many texts' analyses to keep (default 4). */
  cacheSize?: number;
  /** The README the docs links point into (default nnlang's on GitHub). */
  docsBase?: string;
  /** Told about a request that failed (a bug in nnlang); the request then answers empty. */
  onError?: (error: unknown, request: string) => void;
}

/** A diagnostic's span, or a range, for code actions. */
export type ActionContext = Range | { range: Range };

export class LanguageService {
  private readonly cache = new Map<string, Analysis>();
  private readonly cacheSize: number;
  private readonly docsBase: string;
  private readonly onError: (error: unknown, request: string) => void;
  /** How many checks the service ran: the cache's effect, for tests. */
  checks = 0;

  constructor(options: LanguageServiceOptions = {}) {
    this.cacheSize = Math.max(1, options.cacheSize ?? 4);
    this.docsBase = options.docsBase ?? defaultDocsBase;
    this.onError = options.onError ?? (() => {});
  }

  /** The analysis of `text`: from the cache, or checked now. */
  analyze(text: string): Analysis {
    const cached = this.cache.get(text);
    if (cached) {
      // Most recently used last.
      this.cache.delete(text);
      this.cache.set(text, cached);
      return cached;
    }
    const analysis = new Analysis(text);
    this.checks++;
    this.cache.set(text, analysis);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return analysis;
  }

  /**
   * The diagnostics of `text`, given those of an earlier text of the same document: when the
   * edit stays inside one model's body, only that model is checked again (incremental.ts);
   * otherwise, and on any doubt, the whole file.
   */
  diagnosticsAfterEdit(previous: Checked | null, text: string): ServiceDiagnostic[] {
    if (previous && !this.cache.has(text)) {
      const fast = this.guard('diagnosticsAfterEdit', null, () =>
        diagnosticsAfterEdit(previous, text, this.docsBase),
      );
      if (fast) return fast;
    }
    return this.diagnostics(text);
  }

  diagnostics(text: string): ServiceDiagnostic[] {
    return this.guard('diagnostics', [], () => diagnostics(this.analyze(text), this.docsBase));
  }

  hover(text: string, position: Position): Hover | null {
    return this.at('hover', text, position, null, hover, true);
  }

  completions(text: string, position: Position): CompletionItem[] {
    return this.at('completions', text, position, [], completions, true);
  }

  signatureHelp(text: string, position: Position): SignatureHelp | null {
    return this.at('signatureHelp', text, position, null, signatureHelp, true);
  }

  inlayHints(text: string): InlayHint[] {
    return this.guard('inlayHints', [], () => inlayHints(this.analyze(text)));
  }

  definition(text: string, position: Position): Range | null {
    return this.at('definition', text, position, null, definition);
  }

  references(text: string, position: Position, includeDeclaration = true): Range[] {
    return this.at('references', text, position, [], (a, o) =>
      references(a, o, includeDeclaration),
    );
  }

  prepareRename(text: string, position: Position): Range | null {
    return this.at('prepareRename', text, position, null, prepareRename);
  }

  rename(text: string, position: Position, newName: string): RenameResult {
    return this.at('rename', text, position, { error: 'Rename failed.' }, (a, o) =>
      rename(a, o, newName),
    );
  }

  documentSymbols(text: string): DocumentSymbol[] {
    return this.guard('documentSymbols', [], () => documentSymbols(this.analyze(text)));
  }

  foldingRanges(text: string): FoldingRange[] {
    return this.guard('foldingRanges', [], () => foldingRanges(this.analyze(text)));
  }

  semanticTokens(text: string): SemanticToken[] {
    return this.guard('semanticTokens', [], () => semanticTokens(this.analyze(text)));
  }

  /** LSP's encoded semantic tokens with their legend. */
  semanticTokensEncoded(text: string): { legend: readonly string[]; data: number[] } {
    return { legend: semanticTokenLegend, data: encodeSemanticTokens(this.semanticTokens(text)) };
  }

  /** Quick fixes for the diagnostics touching a range (or a diagnostic's range). */
  codeActions(text: string, context: ActionContext): CodeAction[] {
    return this.guard('codeActions', [], () => {
      const a = this.analyze(text);
      const range = 'range' in context ? context.range : context;
      return codeActions(a, a.index.offset(range.start), a.index.offset(range.end));
    });
  }

  /**
   * The document formatted by nnlang's printer (`nn fmt`'s), as one edit over the whole text;
   * none when it is formatted already or has syntax errors (the printer refuses those).
   */
  format(text: string, printWidth?: number): TextEdit[] {
    return this.guard('format', [], () => {
      const r = formatSource(text, printWidth ? { printWidth } : {});
      if ('error' in r || !r.changed) return [];
      const index = this.analyze(text).index;
      return [{ range: index.range(0, text.length), newText: r.text }];
    });
  }

  /** The whole statements on the lines `range` touches, formatted, as edits. */
  formatRange(text: string, range: Range, printWidth?: number): TextEdit[] {
    return this.guard('formatRange', [], () => {
      const index = this.analyze(text).index;
      const offsets = { start: index.offset(range.start), end: index.offset(range.end) };
      const r = formatRange(text, offsets, printWidth ? { printWidth } : {});
      if ('error' in r) return [];
      return r.edits.map((e) => ({ range: index.range(e.start, e.end), newText: e.newText }));
    });
  }

  /**
   * The SVG diagram of a model of the document: `model` by name, else the model around
   * `position`, else the first; without a picture, `error` says why.
   */
  diagram(text: string, choice: { model?: string; position?: Position } = {}): DiagramAnswer {
    const empty = { svg: null, model: null, models: [], error: 'The diagram failed.' };
    return this.guard('diagram', empty, () => {
      const a = this.analyze(text);
      const offset = choice.position ? a.index.offset(choice.position) : undefined;
      const picked = {
        ...(choice.model === undefined ? {} : { model: choice.model }),
        ...(offset === undefined ? {} : { offset }),
      };
      return diagramAnswer(diagramOfChecked(a.result, picked));
    });
  }

  private at<T>(
    request: string,
    text: string,
    position: Position,
    empty: T,
    run: (a: Analysis, offset: number) => T,
    local = false,
  ): T {
    return this.guard(request, empty, () => {
      const a = local ? this.analyzeAround(text, position) : this.analyze(text);
      return run(a, a.index.offset(position));
    });
  }

  /**
   * For a request that only reads the model at the cursor (completion, hover, signature help):
   * unless the whole text is checked already, the text with every other model block blanked
   * out — the same positions, the file's constants, a fraction of the check.
   */
  private analyzeAround(text: string, position: Position): Analysis {
    if (this.cache.has(text)) return this.analyze(text);
    const focused = focusOn(text, position);
    return this.analyze(focused ?? text);
  }

  /** Runs a request; a throw (a bug) goes to `onError`, and the request answers `empty`. */
  private guard<T>(request: string, empty: T, run: () => T): T {
    try {
      return run();
    } catch (error) {
      this.onError(error, request);
      return empty;
    }
  }
}
