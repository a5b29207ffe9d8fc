/**
 * The extension's bundle (as build.mjs bundles it) against a stand-in for VS Code's `vscode` module: `activate` finds the server (the setting, else the
 * workspace's node_modules/.bin/nn), starts `nn lsp --stdio`, completes LSP's initialize
 * handshake with the real server, and `deactivate` stops it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nnCommand } from '../cli-bundle.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const extensionDir = join(root, 'editors', 'vscode');
const windows = process.platform === 'win32';

/** A value that answers any property access and call with itself (never a thenable). */
function anything(): unknown {
  const f = function () {};
  const proxy: unknown = new Proxy(f, {
    get: (_, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

class Disposable {
  constructor(private readonly fn: () => void = () => {}) {}
  static from(...ds: { dispose(): void }[]) {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose() {
    this.fn();
  }
}

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (listener: (e: T) => void) => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T) {
    this.listeners.forEach((l) => l(e));
  }
  dispose() {
    this.listeners = [];
  }
}

const onEvent = () => new Disposable();
const errors: string[] = [];
const commands: string[] = [];
let settings: Record<string, unknown> = {};
let folders: { uri: { scheme: string; fsPath: string }; name: string; index: number }[] = [];

/** Just enough of VS Code's API for vscode-languageclient to start a server. */
function fakeVscode(): unknown {
  const base = anything() as Record<string, unknown>;
  const uri = (fsPath: string) => ({
    scheme: 'file',
    fsPath,
    path: fsPath,
    toString: () => `file://${fsPath}`,
  });
  return new Proxy(
    {
      version: '1.91.0',
      Disposable,
      EventEmitter,
      CancellationTokenSource: class {
        token = { isCancellationRequested: false, onCancellationRequested: onEvent };
        cancel() {}
        dispose() {}
      },
      CancellationError: class extends Error {},
      LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
      Uri: { file: uri, parse: (s: string) => uri(s.replace(/^file:\/\//, '')) },
      env: { appName: 'Visual Studio Code', language: 'en', openExternal: async () => true },
      commands: {
        registerCommand: (name: string) => {
          commands.push(name);
          return new Disposable();
        },
      },
      window: new Proxy(
        {
          createOutputChannel: () => anything(),
          showErrorMessage: async (message: string) => void errors.push(message),
          showWarningMessage: async (message: string) => void errors.push(message),
          showInformationMessage: async () => undefined,
          visibleTextEditors: [],
          activeTextEditor: undefined,
          onDidChangeActiveTextEditor: onEvent,
          onDidChangeVisibleTextEditors: onEvent,
          tabGroups: { all: [], onDidChangeTabs: onEvent, onDidChangeTabGroups: onEvent },
        },
        { get: (t, k) => (k in t ? t[k as keyof typeof t] : base[k as string]) },
      ),
      workspace: new Proxy(
        {
          get workspaceFolders() {
            return folders;
          },
          textDocuments: [],
          notebookDocuments: [],
          getConfiguration: (section?: string) => ({
            get: (key: string, fallback?: unknown) =>
              settings[section ? `${section}.${key}` : key] ?? fallback,
            has: () => false,
            inspect: () => undefined,
            update: async () => undefined,
          }),
          onDidChangeConfiguration: onEvent,
          onDidChangeWorkspaceFolders: onEvent,
          onDidOpenTextDocument: onEvent,
          onDidChangeTextDocument: onEvent,
          onDidCloseTextDocument: onEvent,
          onDidSaveTextDocument: onEvent,
          onWillSaveTextDocument: onEvent,
          createFileSystemWatcher: () => anything(),
        },
        { get: (t, k) => (k in t ? t[k as keyof typeof t] : base[k as string]) },
      ),
      languages: new Proxy(
        { match: () => 0, createDiagnosticCollection: () => anything() },
        { get: (t, k) => (k in t ? t[k as keyof typeof t] : () => new Disposable()) },
      ),
    },
    { get: (t, k) => (k in t ? t[k as keyof typeof t] : base[k as string]) },
  );
}

interface Extension {
  activate(context: { subscriptions: { dispose(): void }[] }): Promise<void>;
  deactivate(): Promise<void>;
}

let dir: string;
let extension: Extension;
let restore = () => {};
const log = () => {
  try {
    return readFileSync(join(dir, 'calls.log'), 'utf8');
  } catch {
    return '';
  }
};

/** A stand-in `nn` that logs its arguments and runs the real CLI (this checkout's, bundled). */
function fakeNn(path: string): string {
  const [command, first] = nnCommand();
  const start = [command, ...first].map((word) => `'${word}'`).join(' ');
  writeFileSync(
    path,
    `#!/bin/sh\necho "$0 $*" >> '${join(dir, 'calls.log')}'\nexec ${start} "$@"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nn-client-'));
  // A bundle of its own: the vsix test rebuilds out/ meanwhile.
  const bundle = join(dir, 'extension.js');
  execFileSync(process.execPath, [join(extensionDir, 'build.mjs'), '--bundle', bundle], {
    stdio: 'pipe',
  });
  const vscode = fakeVscode();
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = (request, ...rest) => (request === 'vscode' ? vscode : load(request, ...rest));
  restore = () => (loader._load = load);
  extension = createRequire(import.meta.url)(bundle);
}, 60_000);

afterAll(() => {
  restore();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(windows)('the extension against a stand-in VS Code', () => {
  it('starts nn lsp --stdio from the nnlang.server.path setting, and stops it', async () => {
    settings = { 'nnlang.server.path': fakeNn(join(dir, 'configured-nn')) };
    folders = [];
    await extension.activate({ subscriptions: [] });
    expect(errors).toEqual([]);
    expect(log()).toContain(`${join(dir, 'configured-nn')} lsp --stdio`);
    expect(commands).toEqual(['nnlang.restartServer', 'nnlang.showDiagram']);
    await extension.deactivate();
  }, 30_000);

  it("falls back to the workspace's node_modules/.bin/nn", async () => {
    const workspace = join(dir, 'project');
    mkdirSync(join(workspace, 'node_modules', '.bin'), { recursive: true });
    fakeNn(join(workspace, 'node_modules', '.bin', 'nn'));
    settings = {};
    folders = [{ uri: { scheme: 'file', fsPath: workspace }, name: 'project', index: 0 }];
    await extension.activate({ subscriptions: [] });
    expect(errors).toEqual([]);
    expect(log()).toContain(`${join(workspace, 'node_modules', '.bin', 'nn')} lsp --stdio`);
    await extension.deactivate();
  }, 30_000);

  it('says how to install nnlang when no server starts', async () => {
    settings = { 'nnlang.server.path': join(dir, 'missing-nn') };
    await extension.activate({ subscriptions: [] });
    expect(errors.join('\n')).toMatch(/could not start the language server.*nnlang\.server\.path/s);
    await extension.deactivate();
  }, 30_000);
});
