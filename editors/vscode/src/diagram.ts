/**
 * "nnlang: Show Model Diagram": asks the server (`nnlang/diagram`) for the model at the cursor
 * as an SVG and shows it in a webview beside the editor, redrawn when the file is saved. The
 * page runs no scripts and shows the SVG as an image, so nothing in it can act.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

/** The server's answer (src/service/diagram.ts's DiagramAnswer). */
export interface DiagramAnswer {
  svg: string | null;
  model: string | null;
  models: string[];
  error: string | null;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The webview's page for an answer (null: the document is not open in the server). */
export function diagramHtml(answer: DiagramAnswer | null): string {
  const body = answer?.svg
    ? `<img alt="${escapeHtml(`Diagram of ${answer.model ?? 'the model'}`)}" src="data:image/svg+xml;base64,${Buffer.from(answer.svg, 'utf8').toString('base64')}">`
    : `<p>${escapeHtml(answer?.error ?? 'The language server has not opened this file yet.')}</p>`;
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline';">`,
    '<style>body { background: #ffffff; color: #000000; padding: 12px; } img { max-width: none; }</style>',
    `</head><body>${body}</body></html>`,
  ].join('\n');
}

/** The open panel and what it shows, so a save redraws it. */
let shown: { panel: vscode.WebviewPanel; uri: string; model: string | null } | undefined;

async function draw(
  client: LanguageClient,
  uri: string,
  choice: { model?: string; position?: { line: number; character: number } },
): Promise<DiagramAnswer | null> {
  return client.sendRequest<DiagramAnswer | null>('nnlang/diagram', {
    textDocument: { uri },
    ...choice,
  });
}

/** Shows the diagram of the model at the cursor of the active .nn editor. */
export async function showDiagram(client: LanguageClient | undefined): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'nn') {
    void vscode.window.showInformationMessage('nnlang: open a .nn file to see its model diagram.');
    return;
  }
  if (!client) {
    void vscode.window.showErrorMessage('nnlang: the language server is not running.');
    return;
  }
  const uri = editor.document.uri.toString();
  const { line, character } = editor.selection.active;
  const answer = await draw(client, uri, { position: { line, character } });
  if (!shown) {
    const panel = vscode.window.createWebviewPanel(
      'nnlang.diagram',
      'Model Diagram',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: false },
    );
    panel.onDidDispose(() => (shown = undefined));
    shown = { panel, uri, model: null };
  }
  shown.uri = uri;
  shown.model = answer?.model ?? null;
  shown.panel.title = `Diagram: ${answer?.model ?? 'model'}`;
  shown.panel.webview.html = diagramHtml(answer);
  shown.panel.reveal(vscode.ViewColumn.Beside, true);
}

/** Redraws the open diagram when its document is saved. */
export async function redrawOnSave(
  client: LanguageClient | undefined,
  document: vscode.TextDocument,
): Promise<void> {
  const current = shown;
  if (!client || !current || document.uri.toString() !== current.uri) return;
  const answer = await draw(client, current.uri, current.model ? { model: current.model } : {});
  if (shown === current) current.panel.webview.html = diagramHtml(answer);
}
