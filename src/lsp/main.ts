/**
 * The language server's process entry: `nn lsp --stdio` loads this module (dynamically, so
 * that the other commands never load the LSP library) and it serves one client over standard
 * input and output until the client exits.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { startServer } from './server.js';

/** Serves over stdio; resolves when the connection closes. */
export function serveStdio(): Promise<void> {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  startServer(connection);
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}
