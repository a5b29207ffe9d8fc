/**
 * `npm run playground`: builds the site, serves dist-playground/ on localhost and prints the
 * URL. A plain static server — the site needs nothing more.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { buildPlayground } from './build.mjs';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Serves `root`'s files (index.html for folders); nothing outside it. */
export function serveFolder(root) {
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { out } = await buildPlayground();
  const port = Number(process.env.PORT ?? 5173);
  serveFolder(out).listen(port, '127.0.0.1', () => {
    console.log(`nnlang playground: http://127.0.0.1:${port}/`);
  });
}
