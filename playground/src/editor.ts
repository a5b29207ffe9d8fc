/**
 * The .nn editor: CodeMirror 6, every language feature from the language service in its web
 * worker (language-worker.ts) — the same LanguageService `nn lsp` wraps, not a second copy:
 * diagnostics as underlines with their messages, hover, completion, formatting, and the
 * highlighting from its semantic tokens.
 */
import {
  autocompletion,
  snippet,
  type Completion,
  type CompletionContext,
} from '@codemirror/autocomplete';
import { indentWithTab } from '@codemirror/commands';
import { forceLinting, linter, type Diagnostic } from '@codemirror/lint';
import { StateEffect, StateField, type Text } from '@codemirror/state';
import {
  Decoration,
  hoverTooltip,
  keymap,
  ViewPlugin,
  type DecorationSet,
  type ViewUpdate,
} from '@codemirror/view';
import { basicSetup, EditorView } from 'codemirror';
import type {
  CompletionItem,
  Hover,
  Position,
  SemanticToken,
  ServiceDiagnostic,
  TextEdit,
} from '../../src/service/index.js';
import { markdownElement } from './markdown.js';
import { WorkerClient } from './rpc.js';

/** LSP's 0-based line and UTF-16 character → a CodeMirror offset (also UTF-16), clamped. */
export function offsetOf(doc: Text, p: Position): number {
  const line = doc.line(Math.min(Math.max(p.line + 1, 1), doc.lines));
  return Math.min(line.from + p.character, line.to);
}

function positionOf(doc: Text, offset: number): Position {
  const line = doc.lineAt(offset);
  return { line: line.number - 1, character: offset - line.from };
}

const setTokens = StateEffect.define<DecorationSet>();

/** The semantic tokens' marks: replaced when the worker answers, mapped through edits until then. */
const tokenField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) if (e.is(setTokens)) return e.value;
    return marks.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

const markOf = new Map<string, Decoration>();
function tokenMark(type: string): Decoration {
  let m = markOf.get(type);
  if (!m) markOf.set(type, (m = Decoration.mark({ class: `nn-${type}` })));
  return m;
}

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  language: WorkerClient;
  onChange: (text: string) => void;
  /** Told each time the diagnostics arrive (the page's problems list). */
  onDiagnostics: (diagnostics: ServiceDiagnostic[]) => void;
}

export function createEditor(options: EditorOptions): EditorView {
  const { language } = options;
  const highlight = ViewPlugin.fromClass(
    class {
      private pending = 0;
      constructor(view: EditorView) {
        this.request(view);
      }
      update(u: ViewUpdate) {
        if (u.docChanged) this.request(u.view);
      }
      request(view: EditorView) {
        const text = view.state.doc.toString();
        const ticket = ++this.pending;
        void language.call<SemanticToken[]>('semanticTokens', text).then((tokens) => {
          if (ticket !== this.pending || view.state.doc.toString() !== text) return;
          const doc = view.state.doc;
          const ranges = tokens
            .map((t) => {
              const from = offsetOf(doc, t);
              return tokenMark(t.type).range(from, Math.min(from + t.length, doc.length));
            })
            .filter((r) => r.from < r.to);
          view.dispatch({ effects: setTokens.of(Decoration.set(ranges, true)) });
        });
      }
    },
  );
  const lint = linter(
    async (view) => {
      const text = view.state.doc.toString();
      const found = await language.call<ServiceDiagnostic[]>('diagnostics', text);
      if (view.state.doc.toString() !== text) return [];
      options.onDiagnostics(found);
      const doc = view.state.doc;
      return found.map((d): Diagnostic => {
        const from = offsetOf(doc, d.range.start);
        return {
          from,
          to: Math.max(from, offsetOf(doc, d.range.end)),
          severity:
            d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info',
          source: d.code,
          message: d.hint ? `${d.message} ${d.hint}` : d.message,
        };
      });
    },
    { delay: 250 },
  );
  const hover = hoverTooltip(async (view, pos) => {
    const found = await language.call<Hover | null>(
      'hover',
      view.state.doc.toString(),
      positionOf(view.state.doc, pos),
    );
    if (!found) return null;
    return {
      pos: offsetOf(view.state.doc, found.range.start),
      end: offsetOf(view.state.doc, found.range.end),
      above: true,
      create: () => ({ dom: markdownElement(found.contents, 'nn-hover') }),
    };
  });
  const complete = async (context: CompletionContext) => {
    const doc = context.state.doc;
    const items = await language.call<CompletionItem[]>(
      'completions',
      doc.toString(),
      positionOf(doc, context.pos),
    );
    if (items.length === 0) return null;
    const from = offsetOf(doc, items[0]!.range.start);
    return {
      from,
      to: offsetOf(doc, items[0]!.range.end),
      options: items.map((item): Completion => ({
        label: item.label,
        type: completionType[item.kind],
        boost: -Number.parseInt(item.sortText, 36) || 0,
        ...(item.detail ? { detail: item.detail } : {}),
        ...(item.documentation
          ? { info: () => markdownElement(item.documentation!, 'nn-doc') }
          : {}),
        apply: item.snippet ? snippet(cmSnippet(item.insertText)) : item.insertText,
      })),
      validFor: /^\w*$/,
    };
  };
  const view = new EditorView({
    doc: options.doc,
    parent: options.parent,
    extensions: [
      basicSetup,
      keymap.of([
        indentWithTab,
        { key: 'Shift-Alt-f', run: (v) => (void formatDocument(v, language), true) },
      ]),
      tokenField,
      highlight,
      lint,
      hover,
      autocompletion({ override: [complete] }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) options.onChange(u.state.doc.toString());
      }),
    ],
  });
  return view;
}

/** Replaces the document (a sample, a shared link) and checks it at once. */
export function setDocument(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  forceLinting(view);
}

/** `nn fmt`'s printer through the service: its edits applied in one transaction. */
export async function formatDocument(view: EditorView, language: WorkerClient): Promise<void> {
  const text = view.state.doc.toString();
  const edits = await language.call<TextEdit[]>('format', text);
  if (edits.length === 0 || view.state.doc.toString() !== text) return;
  const doc = view.state.doc;
  view.dispatch({
    changes: edits.map((e) => ({
      from: offsetOf(doc, e.range.start),
      to: offsetOf(doc, e.range.end),
      insert: e.newText,
    })),
  });
}

const completionType: Record<CompletionItem['kind'], string> = {
  layer: 'class',
  class: 'class',
  function: 'function',
  keyword: 'keyword',
  argument: 'property',
  constant: 'constant',
  result: 'variable',
  value: 'enum',
};

/** LSP's snippet syntax (`$1`, `${1:units}`, `$0`) in CodeMirror's (`${1}`, `${1:units}`, `${}`). */
function cmSnippet(text: string): string {
  return text.replace(/\$(\d+)/g, (_m, n: string) => (n === '0' ? '${}' : `\${${n}}`));
}
