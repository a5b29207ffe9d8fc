/**
 * `nn lsp --stdio`: the language service (src/service) behind the Language Server Protocol, on
 * Microsoft's vscode-languageserver. This file only translates: documents are kept by
 * `TextDocuments` (incremental sync), every request asks the service about the document's
 * current text, and the service's plain answers become LSP's types. Diagnostics are published
 * after a short pause in typing, with the version they were computed for. A request about a
 * version the editor has since replaced is answered from the current text; a failing request
 * answers empty and is logged — the server never stops answering.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DiagnosticTag,
  FoldingRangeKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  LanguageService,
  semanticTokenLegend,
  type Checked,
  type CompletionKind,
  type DiagramAnswer,
  type DocumentSymbol as ServiceSymbol,
  type ServiceDiagnostic,
  type SymbolKind as ServiceSymbolKind,
  type TextEdit,
} from '../service/index.js';
import { version } from '../version.js';

export interface ServerOptions {
  /** Milliseconds of quiet after a change before diagnostics are published (default 50). */
  debounceMs?: number;
}

const severities: Record<ServiceDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const completionKinds: Record<CompletionKind, CompletionItemKind> = {
  layer: CompletionItemKind.Class,
  function: CompletionItemKind.Function,
  keyword: CompletionItemKind.Keyword,
  argument: CompletionItemKind.Property,
  constant: CompletionItemKind.Constant,
  result: CompletionItemKind.Variable,
  value: CompletionItemKind.Value,
  class: CompletionItemKind.Class,
};

const symbolKinds: Record<ServiceSymbolKind, SymbolKind> = {
  model: SymbolKind.Module,
  layer: SymbolKind.Class,
  result: SymbolKind.Variable,
  method: SymbolKind.Method,
  constant: SymbolKind.Constant,
};

/** Wires the service to a connection; `connection.listen()` is the caller's. */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  let debounceMs = options.debounceMs ?? 50;
  /** The pause after which an incremental answer is confirmed by a whole check. */
  const verifyMs = 300;
  const service = new LanguageService({
    onError: (error, request) =>
      connection.console.error(
        `nnlang: ${request} failed (a bug in nnlang, please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
  });
  const documents = new TextDocuments(TextDocument);
  const pending = new Map<string, ReturnType<typeof setTimeout>>();

  /** The current text of a document, or null when the client never opened it. */
  const text = (uri: string): string | null => documents.get(uri)?.getText() ?? null;

  /** Runs a handler; a throw (a bug) is logged and the request answers `empty`. */
  const safe =
    <P, R>(name: string, empty: R, run: (params: P) => R) =>
    (params: P): R => {
      try {
        return run(params);
      } catch (error) {
        connection.console.error(`nnlang: ${name} failed: ${String(error)}`);
        return empty;
      }
    };

  /** What was last published per document, for checking only the model an edit touched. */
  const published = new Map<string, Checked & { version: number }>();
  const verifying = new Map<string, ReturnType<typeof setTimeout>>();

  const send = (uri: string, version: number, text: string, list: ServiceDiagnostic[]) => {
    published.set(uri, { text, diagnostics: list, version });
    void connection.sendDiagnostics({
      uri,
      version,
      diagnostics: list.map((d) => toDiagnostic(d, uri)),
    });
  };

  const publish = (uri: string) => {
    pending.delete(uri);
    const document = documents.get(uri);
    if (!document) return;
    const text = document.getText();
    const last = published.get(uri) ?? null;
    const list = service.diagnosticsAfterEdit(last, text);
    send(uri, document.version, text, list);
    // A whole check once typing pauses: the same answer (tests hold it so), published again
    // only if it is not, and it leaves the analysis cached for the requests that follow.
    clearTimeout(verifying.get(uri));
    verifying.set(
      uri,
      setTimeout(
        () =>
          safe('diagnostics', undefined, () => {
            verifying.delete(uri);
            const now = documents.get(uri);
            if (!now || now.version !== document.version) return;
            const full = service.diagnostics(text);
            if (key(full) !== key(list)) send(uri, document.version, text, full);
          })(undefined),
        verifyMs,
      ),
    );
  };

  const schedule = (uri: string) => {
    const timer = pending.get(uri);
    if (timer) clearTimeout(timer);
    pending.set(
      uri,
      setTimeout(() => safe('diagnostics', undefined, publish)(uri), debounceMs),
    );
  };

  connection.onInitialize((params): InitializeResult => {
    // initializationOptions.debounceMs: a client (or a benchmark) may set the pause.
    const init = params.initializationOptions as { debounceMs?: unknown } | undefined;
    if (typeof init?.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
    return initializeResult;
  });

  const initializeResult: InitializeResult = {
    serverInfo: { name: 'nnlang', version },
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['(', ',', '=', '>', "'", '"', ' '] },
      signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: ['='] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      inlayHintProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      semanticTokensProvider: {
        legend: { tokenTypes: [...semanticTokenLegend], tokenModifiers: [] },
        full: true,
      },
    },
  };

  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    const timer = pending.get(e.document.uri);
    if (timer) clearTimeout(timer);
    pending.delete(e.document.uri);
    clearTimeout(verifying.get(e.document.uri));
    verifying.delete(e.document.uri);
    published.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(
    safe('hover', null, ({ textDocument, position }) => {
      const t = text(textDocument.uri);
      const h = t === null ? null : service.hover(t, position);
      return h && { contents: { kind: MarkupKind.Markdown, value: h.contents }, range: h.range };
    }),
  );

  connection.onCompletion(
    safe('completion', [] as CompletionItem[], ({ textDocument, position }) => {
      const t = text(textDocument.uri);
      if (t === null) return [];
      return service.completions(t, position).map((c): CompletionItem => ({
        label: c.label,
        kind: completionKinds[c.kind],
        ...(c.detail ? { detail: c.detail } : {}),
        ...(c.documentation
          ? { documentation: { kind: MarkupKind.Markdown, value: c.documentation } }
          : {}),
        textEdit: { range: c.range, newText: c.insertText },
        insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
        sortText: c.sortText,
      }));
    }),
  );

  connection.onSignatureHelp(
    safe('signatureHelp', null, ({ textDocument, position }) => {
      const t = text(textDocument.uri);
      const s = t === null ? null : service.signatureHelp(t, position);
      if (!s) return null;
      return {
        signatures: [
          {
            label: s.label,
            documentation: s.documentation,
            parameters: s.parameters.map((p) => ({
              label: p.label,
              documentation: p.documentation,
            })),
          },
        ],
        activeSignature: 0,
        activeParameter: s.activeParameter < 0 ? s.parameters.length : s.activeParameter,
      };
    }),
  );

  connection.onDefinition(
    safe('definition', null, ({ textDocument, position }) => {
      const t = text(textDocument.uri);
      const range = t === null ? null : service.definition(t, position);
      return range && { uri: textDocument.uri, range };
    }),
  );

  connection.onReferences(
    safe('references', [], ({ textDocument, position, context }) => {
      const t = text(textDocument.uri);
      if (t === null) return [];
      return service
        .references(t, position, context.includeDeclaration)
        .map((range) => ({ uri: textDocument.uri, range }));
    }),
  );

  connection.onPrepareRename(
    safe('prepareRename', null, ({ textDocument, position }) => {
      const t = text(textDocument.uri);
      return t === null ? null : service.prepareRename(t, position);
    }),
  );

  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const t = text(textDocument.uri);
    if (t === null) return null;
    let result;
    try {
      result = service.rename(t, position, newName);
    } catch (error) {
      connection.console.error(`nnlang: rename failed: ${String(error)}`);
      return null;
    }
    // A refused rename (not a name, a clash) is the user's to see, as LSP reports it: an error.
    if ('error' in result) throw new Error(result.error);
    return { changes: { [textDocument.uri]: result.edits.map(toTextEdit) } };
  });

  connection.onDocumentSymbol(
    safe('documentSymbol', [] as DocumentSymbol[], ({ textDocument }) => {
      const t = text(textDocument.uri);
      return t === null ? [] : service.documentSymbols(t).map(toSymbol);
    }),
  );

  connection.onFoldingRanges(
    safe('foldingRange', [], ({ textDocument }) => {
      const t = text(textDocument.uri);
      if (t === null) return [];
      return service.foldingRanges(t).map((f) => ({
        startLine: f.startLine,
        endLine: f.endLine,
        ...(f.kind === 'comment' ? { kind: FoldingRangeKind.Comment } : {}),
        ...(f.kind === 'region' ? { kind: FoldingRangeKind.Region } : {}),
      }));
    }),
  );

  connection.languages.inlayHint.on(
    safe('inlayHint', [], ({ textDocument, range }) => {
      const t = text(textDocument.uri);
      if (t === null) return [];
      return service
        .inlayHints(t)
        .filter((h) => h.position.line >= range.start.line && h.position.line <= range.end.line)
        .map((h) => ({
          position: h.position,
          label: h.label,
          tooltip: h.tooltip,
          paddingLeft: true,
        }));
    }),
  );

  connection.languages.semanticTokens.on(
    safe('semanticTokens', { data: [] as number[] }, ({ textDocument }) => {
      const t = text(textDocument.uri);
      return { data: t === null ? [] : service.semanticTokensEncoded(t).data };
    }),
  );

  connection.onCodeAction(
    safe('codeAction', [] as CodeAction[], ({ textDocument, range }) => {
      const t = text(textDocument.uri);
      if (t === null) return [];
      return service.codeActions(t, range).map((a): CodeAction => ({
        title: a.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toDiagnostic(a.diagnostic, textDocument.uri)],
        isPreferred: a.isPreferred,
        edit: { changes: { [textDocument.uri]: a.edits.map(toTextEdit) } },
      }));
    }),
  );

  connection.onDocumentFormatting(
    safe('formatting', [] as ReturnType<typeof toTextEdit>[], ({ textDocument }) => {
      const t = text(textDocument.uri);
      return t === null ? [] : service.format(t).map(toTextEdit);
    }),
  );

  connection.onDocumentRangeFormatting(
    safe('rangeFormatting', [] as ReturnType<typeof toTextEdit>[], ({ textDocument, range }) => {
      const t = text(textDocument.uri);
      return t === null ? [] : service.formatRange(t, range).map(toTextEdit);
    }),
  );

  // nnlang's own request: a model of the document as an SVG diagram (null for a closed document).
  connection.onRequest(
    diagramRequest,
    safe('diagram', null as DiagramAnswer | null, (params: DiagramParams) => {
      const t = text(params.textDocument.uri);
      if (t === null) return null;
      return service.diagram(t, {
        ...(params.model === undefined ? {} : { model: params.model }),
        ...(params.position === undefined ? {} : { position: params.position }),
      });
    }),
  );

  documents.listen(connection);
}

/** The custom request's method: `{ textDocument, model?, position? }` → `DiagramAnswer | null`. */
export const diagramRequest = 'nnlang/diagram';

/** Its parameters: the document, and which model (by name, else the one around a position, else the first). */
export interface DiagramParams {
  textDocument: { uri: string };
  model?: string;
  position?: { line: number; character: number };
}

/** A list of diagnostics as comparable text, whatever their order. */
function key(list: readonly ServiceDiagnostic[]): string {
  return list
    .map((d) => JSON.stringify(d))
    .sort()
    .join('\n');
}

function toDiagnostic(d: ServiceDiagnostic, uri: string): Diagnostic {
  const tags = d.tags.map((t) =>
    t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated,
  );
  return {
    range: d.range,
    severity: severities[d.severity],
    code: d.code,
    codeDescription: { href: d.docsUrl },
    source: 'nnlang',
    message: d.hint ? `${d.message}\n${d.hint}` : d.message,
    ...(tags.length ? { tags } : {}),
    ...(d.related.length
      ? {
          relatedInformation: d.related.map((r) => ({
            location: { uri, range: r.range },
            message: r.message,
          })),
        }
      : {}),
  };
}

function toTextEdit(e: TextEdit): { range: TextEdit['range']; newText: string } {
  return { range: e.range, newText: e.newText };
}

function toSymbol(s: ServiceSymbol): DocumentSymbol {
  return {
    name: s.name || '(unnamed)',
    kind: symbolKinds[s.kind],
    ...(s.detail ? { detail: s.detail } : {}),
    range: s.range,
    selectionRange: s.selectionRange,
    children: s.children.map(toSymbol),
  };
}
