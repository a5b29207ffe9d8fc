/**
 * `nn fmt` as a user runs it (every sample and fixture that parses must be formatted: this is
 * the `nn fmt --check` of `npm test`), and the Prettier plugin through Prettier's own API.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSource } from 'nnlang';
import plugin from '../../src/format/prettier-plugin.js';
import { nn, root } from '../cli/spawn.js';

const list = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.nn') && !f.endsWith('.formatted.nn'))
    .map((f) => `${dir}/${f}`);

/**
 * The files kept formatted. The diagnostics fixtures are not: their golden files hold ranges
 * into the text as written. The format fixtures are the formatter's own unformatted inputs.
 */
const formatted = [
  ...list('samples'),
  ...list('test/fixtures/plan'),
  ...list('test/fixtures/summary'),
  ...readdirSync(join(root, 'test/fixtures/format'))
    .filter((f) => f.endsWith('.formatted.nn'))
    .map((f) => `test/fixtures/format/${f}`),
];

const tmp = mkdtempSync(join(tmpdir(), 'nn-fmt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('nn fmt', () => {
  it('--check: every sample and fixture is formatted', () => {
    const r = nn('fmt', '--check', ...formatted);
    expect(r.err).toBe('');
    expect(r.out).toBe(`${formatted.length} files formatted.\n`);
    expect(r.code).toBe(0);
  });

  it('--check names the files that are not formatted and exits 1', () => {
    const messy = join(tmp, 'messy.nn');
    writeFileSync(messy, 'Input(4)->Dense(3)\n');
    const r = nn('fmt', '--check', messy, 'samples/iris.nn');
    expect(r.out).toBe(
      `${messy}: not formatted\n1 of 2 files not formatted (nn fmt --write formats them).\n`,
    );
    expect(r.code).toBe(1);
  });

  it('prints the formatted file, and --write rewrites it', () => {
    const file = join(tmp, 'w.nn');
    writeFileSync(file, 'x=1 # one\nInput(4)->Dense(3)\n');
    expect(nn('fmt', file)).toMatchObject({ code: 0, out: 'x = 1  # one\nInput(4) -> Dense(3)\n' });
    expect(nn('fmt', '--write', file)).toMatchObject({ code: 0, out: `${file}: formatted\n` });
    expect(readFileSync(file, 'utf8')).toBe('x = 1  # one\nInput(4) -> Dense(3)\n');
    expect(nn('fmt', '--write', file).out).toBe('1 file already formatted.\n');
  });

  it('refuses a file with syntax errors, with the errors located, and leaves it alone', () => {
    const file = join(tmp, 'bad.nn');
    writeFileSync(file, 'Dense(8, relu -> Dense(3)\n');
    const r = nn('fmt', '--write', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:1:26 - error NN1003`);
    expect(r.err).toContain(`nn fmt: ${file} is not formatted: it has syntax errors`);
    expect(readFileSync(file, 'utf8')).toBe('Dense(8, relu -> Dense(3)\n');
  });

  it('says which file it cannot read; usage errors exit 2', () => {
    const r = nn('fmt', '--check', join(tmp, 'nope.nn'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('no such file');
    expect(nn('fmt').code).toBe(2);
    expect(nn('fmt', '--check', '--write', 'samples/iris.nn').code).toBe(2);
    expect(nn('fmt', '--help').out).toContain('Usage: nn fmt');
  });
});

describe('the Prettier plugin', () => {
  const sources = [...formatted, ...list('test/fixtures/format')].map((f) =>
    readFileSync(join(root, f), 'utf8'),
  );
  it('formats as formatSource does, at Prettier`s width', async () => {
    for (const source of sources) {
      for (const printWidth of [100, 80]) {
        const viaPrettier = await prettier.format(source, {
          parser: 'nn',
          plugins: [plugin],
          printWidth,
        });
        expect(viaPrettier).toBe((formatSource(source, { printWidth }) as { text: string }).text);
      }
    }
  });
  it('is in the package as nnlang/prettier: an exports entry built by a tsup entry', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { import: string; types: string }>;
      dependencies: Record<string, string>;
    };
    expect(pkg.exports['./prettier']).toEqual({
      types: './dist/prettier.d.ts',
      import: './dist/prettier.js',
    });
    expect(pkg.dependencies['prettier']).toBeUndefined();
    expect(readFileSync(join(root, 'tsup.config.ts'), 'utf8')).toContain(
      "prettier: 'src/format/prettier-plugin.ts'",
    );
    const source = readFileSync(join(root, 'src/format/prettier-plugin.ts'), 'utf8');
    expect(source).not.toMatch(/from 'prettier'/);
  });
  it('is found by the .nn extension', async () => {
    const out = await prettier.format('Input(4)->Dense(3)\n', {
      filepath: 'a.nn',
      plugins: [plugin],
    });
    expect(out).toBe('Input(4) -> Dense(3)\n');
  });
  it('reports syntax errors with their place', async () => {
    const error = await prettier.format('Dense(8\n', { parser: 'nn', plugins: [plugin] }).then(
      () => undefined,
      (e: unknown) => e as { message: string; loc: unknown },
    );
    expect(error?.message).toMatch(/^NN1003: Expected '\)'/);
    expect(error?.loc).toEqual({ start: { line: 1, column: 8 }, end: { line: 1, column: 8 } });
  });
});
