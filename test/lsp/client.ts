/**
 * A headless LSP client for tests: it starts the real `nn lsp --stdio` process and speaks
 * JSON-RPC to it over the process's pipes, as an editor does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { nnCommand, root } from '../cli-bundle.js';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node.js';

export interface Published {
  uri: string;
  version?: number;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: number;
    code: string;
    message: string;
    codeDescription?: { href: string };
    tags?: number[];
  }[];
}

export class Client {
  readonly connection: MessageConnection;
  readonly process: ChildProcess;
  readonly published: Published[] = [];
  readonly stderr: string[] = [];
  private waiters: { match: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];

  constructor() {
    const [command, first] = nnCommand();
    this.process = spawn(command, [...first, 'lsp', '--stdio'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.process.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.connection = createMessageConnection(
      new StreamMessageReader(this.process.stdout!),
      new StreamMessageWriter(this.process.stdin!),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(p)) return true;
        w.resolve(p);
        return false;
      });
    });
    this.connection.onNotification('window/logMessage', (m: { message: string }) =>
      this.stderr.push(m.message),
    );
    this.connection.listen();
  }

  async initialize(
    initializationOptions: Record<string, unknown> = {},
  ): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>(
      'initialize',
      { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions },
    );
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** The first diagnostics published for `uri` at `version` (or already published). */
  diagnostics(uri: string, version: number): Promise<Published> {
    const match = (p: Published) => p.uri === uri && p.version === version;
    const seen = this.published.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'nn', version, text },
    });
  }

  change(
    uri: string,
    version: number,
    changes: { range?: Published['diagnostics'][number]['range']; text: string }[],
  ): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: changes,
    });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest<T>(method, params);
  }

  async shutdown(): Promise<number | null> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) resolve(this.process.exitCode);
      else this.process.on('exit', (c) => resolve(c));
    });
    this.connection.dispose();
    return code;
  }
}
