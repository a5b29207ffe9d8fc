/**
 * Pages in a real browser for tests: Debian's Chromium, headless, loading files served from
 * localhost, and the DOM it leaves after scripts ran. `chromium` is undefined where it is
 * absent (tests skip, with a notice); CI installs it (.ci/run).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) =>
  existsSync(p),
);

/** Headless, and quiet: no first-run screens, no background requests of the browser's own. */
export const headlessFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Serves `files` (path → [content type, body]), opens `page` in Chromium, returns the final DOM. */
export async function dumpDom(
  files: Record<string, [string, string]>,
  page: string,
): Promise<string> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    res.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' });
    res.end(file?.[1] ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    // Chromium runs asynchronously: a synchronous spawn would block this server's event loop.
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(chromium!, [
        ...headlessFlags,
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'nn-chromium-'))}`,
        '--virtual-time-budget=10000',
        '--dump-dom',
        `http://127.0.0.1:${port}${page}`,
      ]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
  } finally {
    server.close();
  }
}
