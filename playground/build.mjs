/**
 * Builds the playground into dist-playground/: three bundles (the page, the language worker,
 * the training worker), the page and its stylesheet, and the samples built in. The site is
 * static and self-contained: no request leaves it, so it works from any static host and
 * offline once loaded.
 *
 * The library's Node-only corners (reading and writing files, gunzip) are reached from
 * src/index.ts but never called by the page: esbuild resolves `node:*` to shims that throw.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(root, 'dist-playground');

/** The samples built in: small CSVs only (the page keeps them as text). */
const samples = [
  { name: 'iris', nn: 'iris.nn', csv: 'iris.csv' },
  { name: 'xor', nn: 'xor.nn', csv: 'xor.csv' },
  { name: 'weather', nn: 'weather.nn', csv: 'weather.csv' },
  { name: 'line', nn: 'line.nn', csv: 'line.csv' },
];

const samplesPlugin = {
  name: 'samples',
  setup(b) {
    b.onResolve({ filter: /^virtual:samples$/ }, () => ({ path: 'samples', namespace: 'samples' }));
    b.onLoad({ filter: /.*/, namespace: 'samples' }, () => {
      const read = (f) => readFileSync(join(root, 'samples', f), 'utf8');
      const list = samples.map((s) => ({ ...s, source: read(s.nn), data: read(s.csv) }));
      return { contents: `export default ${JSON.stringify(list)};`, loader: 'js' };
    });
  },
};

/** Node built-ins the library imports for file access: shims whose functions throw when called. */
const nodeShims = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-shim' }));
    b.onLoad({ filter: /.*/, namespace: 'node-shim' }, (args) => ({
      contents: args.path === 'node:path' ? pathShim : throwingShim(args.path),
      loader: 'js',
    }));
  },
};

const pathShim = `
export const sep = '/';
export function extname(p) { const b = basename(p); const i = b.lastIndexOf('.'); return i > 0 ? b.slice(i) : ''; }
export function basename(p, ext) { const b = p.slice(p.lastIndexOf('/') + 1); return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b; }
export function dirname(p) { const i = p.lastIndexOf('/'); return i < 0 ? '.' : p.slice(0, i) || '/'; }
export function join(...parts) { return parts.filter(Boolean).join('/'); }
export function resolve(...parts) { return join(...parts); }
export function relative(_from, to) { return to; }
export function isAbsolute(p) { return p.startsWith('/'); }
export default { sep, extname, basename, dirname, join, resolve, relative, isAbsolute };
`;

function throwingShim(name) {
  return `
const no = () => { throw new Error('${name} is not available in the browser'); };
export default new Proxy({}, { get: () => no });
export const readFileSync = no, writeFileSync = no, existsSync = () => false, statSync = no,
  openSync = no, readSync = no, closeSync = no, renameSync = no, unlinkSync = no, mkdirSync = no,
  readdirSync = no, fstatSync = no, writeSync = no, fsyncSync = no, mkdtempSync = no,
  accessSync = no, realpathSync = no, lstatSync = no, readlinkSync = no, rmSync = no, gunzipSync = no, gzipSync = no,
  createHash = no, tmpdir = no, constants = {};
`;
}

export async function buildPlayground({ minify = true } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  const common = {
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: false,
    legalComments: 'none',
    plugins: [samplesPlugin, nodeShims],
    logLevel: 'warning',
  };
  const entry = (name) => ({ [name]: join(here, `src/${name}.ts`) });
  await build({
    ...common,
    entryPoints: { ...entry('main'), ...entry('language-worker'), ...entry('train-worker') },
    // csv-parse's browser build carries the Buffer its parser uses; the library's reader
    // (src/data/csv.ts) needs none.
    alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' },
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(here, f), join(out, f));
  return { out, ms: Date.now() - started };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { out: dir, ms } = await buildPlayground({ minify: !process.argv.includes('--dev') });
  const size = (f) => statSync(join(dir, f)).size;
  const kb = (n) => `${(n / 1024).toFixed(0)} kB`;
  const files = ['main.js', 'language-worker.js', 'train-worker.js'];
  console.log(
    `dist-playground/ in ${ms} ms: ${files.map((f) => `${f} ${kb(size(f))}`).join(', ')}`,
  );
}
