/**
 * The pipeline's direction, kept by a test over the import lines: each folder of src/ may
 * import only the folders listed for it (earlier stages and leaves), never a later stage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url).pathname;

/** What each stage may import. Kernels import nothing: a WebAssembly tier can replace them. */
const allowed: Record<string, string[]> = {
  source: [],
  diagnostics: ['source'],
  ast: ['source'],
  syntax: ['ast', 'diagnostics', 'source'],
  schema: ['ast', 'diagnostics', 'source'],
  catalog: [],
  ir: ['kernels', 'optim'],
  layers: ['catalog', 'init', 'ir', 'kernels', 'optim'],
  check: ['ast', 'catalog', 'diagnostics', 'init', 'kernels', 'layers', 'optim', 'source'],
  summary: ['layers'],
  diagram: ['layers'],
  kernels: [],
  optim: [],
  init: ['kernels', 'optim'],
  metrics: ['kernels'],
  data: [],
  // Byte encodings (little-endian floats, base64) the emitters and interop share: a leaf.
  bytes: [],
  plan: ['catalog', 'check', 'init', 'ir', 'kernels', 'layers', 'optim', 'summary'],
  backends: ['ir', 'kernels', 'optim'],
  runtime: [
    'backends',
    'catalog',
    'init',
    'kernels',
    'layers',
    'metrics',
    'optim',
    'plan',
    'summary',
  ],
  format: ['ast', 'diagnostics', 'source', 'syntax'],
  service: [
    'ast',
    'catalog',
    'check',
    'compiler',
    'diagnostics',
    'diagram',
    'format',
    'layers',
    'source',
    'summary',
    'syntax',
  ],
  emit: [
    // backends: `nn emit --wasm` embeds the wasm backend's kernel binary (wasm-binary.ts).
    'backends',
    'bytes',
    'compiler',
    'diagnostics',
    'ir',
    'kernels',
    'optim',
    'plan',
    'runtime',
    'source',
    'version',
  ],
  lsp: ['service', 'format', 'version'],
  // Formats in and out (TF.js, Keras JSON): plain data; only the CLI and the library import it.
  // python/ (Keras and PyTorch code) also reads the resolved activation, loss and optimizer specs.
  interop: [
    'bytes',
    'catalog',
    'check',
    'compiler',
    'diagnostics',
    'format',
    'kernels',
    'layers',
    'optim',
    'source',
    'version',
  ],
  cli: [
    'catalog',
    'check',
    'compiler',
    'diagram',
    'emit',
    'format',
    'interop',
    'lsp',
    'version',
    'data',
    'diagnostics',
    'plan',
    'runtime',
    'service',
    'source',
    'summary',
  ],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('imports point back along the pipeline', () => {
  const folders = readdirSync(src).filter((f) => statSync(join(src, f)).isDirectory());

  it('every folder of src/ has a rule', () => {
    expect(folders.filter((f) => !(f in allowed))).toEqual([]);
  });

  it.each(folders)('%s', (folder) => {
    const wrong: string[] = [];
    for (const file of files(join(src, folder))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '\.\.\/([a-z-]+)(?:\/|\.js')/g)) {
        const target = m[1]!;
        if (!allowed[folder]!.includes(target))
          wrong.push(`${file.slice(src.length)} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the runtime runs plans; the compiler makes them', () => {
  const importsOf = (folder: string) =>
    files(join(src, folder)).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '\.\.\/([a-z-]+)(?:\/|\.js')/g)].map(
        (m) => `${file.slice(src.length)} imports ${m[1]}`,
      ),
    );

  it('the runtime imports neither compiler.ts nor check/', () => {
    expect(importsOf('runtime').filter((l) => /imports (compiler|check)$/.test(l))).toEqual([]);
  });

  it('plan/ imports no runtime or backend', () => {
    expect(importsOf('plan').filter((l) => /imports (runtime|backends)$/.test(l))).toEqual([]);
  });

  it.each(['plan', 'runtime', 'kernels', 'backends', 'ir'])(
    'no `as unknown as` or `as never` in src/%s',
    (folder) => {
      const casts = files(join(src, folder)).flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            /\bas (unknown as|never)\b/.test(line) ? [`${file.slice(src.length)}:${i + 1}`] : [],
          ),
      );
      expect(casts).toEqual([]);
    },
  );
});

describe('no import cycles in src/', () => {
  /** Every relative import of every file, type-only ones too, as resolved file paths. */
  function importGraph(): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    for (const file of files(src)) {
      const text = readFileSync(file, 'utf8');
      const targets = [...text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)\.js'/g)].map((m) =>
        join(dirname(file), `${m[1]}.ts`),
      );
      graph.set(file, targets);
    }
    return graph;
  }

  it('the import graph is acyclic', () => {
    const graph = importGraph();
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        const loop = path.slice(path.indexOf(file));
        cycles.push([...loop, file].map((f) => f.slice(src.length)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

describe('the playground uses the library, and nothing uses the playground', () => {
  const root = new URL('../', import.meta.url).pathname;
  const importsIn = (dir: string) =>
    files(join(root, dir)).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => ({
        file: file.slice(root.length),
        spec: m[1]!,
      })),
    );

  it('playground/ reaches src/ only through src/index.ts and src/service/index.ts', () => {
    const wrong = importsIn('playground/src').filter(
      ({ spec }) => spec.includes('/src/') && !/\/src\/(index|service\/index)\.js$/.test(spec),
    );
    expect(wrong).toEqual([]);
  });

  it('src/ never imports playground/', () => {
    expect(importsIn('src').filter(({ spec }) => spec.includes('playground'))).toEqual([]);
  });
});
