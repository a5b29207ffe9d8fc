/**
 * The nnlang extension's client: starts `nn lsp --stdio` from the installed nnlang (the
 * `nnlang.server.path` setting, else the workspace's `node_modules/.bin/nn`, else `nn` on the
 * PATH) and connects VS Code's `.nn` documents to it; "nnlang: Show Model Diagram" draws the
 * model at the cursor (diagram.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { redrawOnSave, showDiagram } from './diagram.js';

let client: LanguageClient | undefined;

/** The `nn` command to run, and where it was found (for messages). */
export function findServer(): { command: string; source: string } {
  const configured = vscode.workspace
    .getConfiguration('nnlang')
    .get<string>('server.path', '')
    .trim();
  if (configured) return { command: configured, source: 'the nnlang.server.path setting' };
  const bin = process.platform === 'win32' ? 'nn.cmd' : 'nn';
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const local = join(folder.uri.fsPath, 'node_modules', '.bin', bin);
    if (existsSync(local)) return { command: local, source: `the workspace (${folder.name})` };
  }
  return { command: 'nn', source: 'the PATH' };
}

async function start(): Promise<void> {
  const { command, source } = findServer();
  // A `.cmd` shim (npm's bin on Windows) only runs through a shell.
  const options = { shell: process.platform === 'win32' };
  const serverOptions: ServerOptions = {
    command,
    args: ['lsp', '--stdio'],
    transport: TransportKind.stdio,
    options,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'nn' },
      { scheme: 'untitled', language: 'nn' },
    ],
  };
  // The id 'nnlang' makes the client follow the `nnlang.trace.server` setting.
  client = new LanguageClient('nnlang', 'nnlang', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `nnlang: could not start the language server '${command} lsp --stdio' (from ${source}): ` +
        `${message}. Install nnlang in the workspace (npm install --save-dev nnlang) or set ` +
        `nnlang.server.path.`,
    );
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('nnlang.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.commands.registerCommand('nnlang.showDiagram', () => showDiagram(client)),
    vscode.workspace.onDidSaveTextDocument((document) => redrawOnSave(client, document)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('nnlang.server.path')) return;
      await stop();
      await start();
    }),
  );
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running?.isRunning()) await running.stop();
}

export function deactivate(): Promise<void> {
  return stop();
}
