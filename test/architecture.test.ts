/**
 * The pipeline's direction, kept by a test over the import lines: each folder of src/ may
 * import only the folders listed for it (earlier stages and leaves), never a later stage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
  kernels: [],
  optim: [],
  init: ['kernels', 'optim'],
  metrics: ['kernels'],
  data: [],
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
  cli: [
    'catalog',
    'check',
    'compiler',
    'data',
    'diagnostics',
    'plan',
    'runtime',
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
