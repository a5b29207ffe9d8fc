/**
 * `nn diagram` as a user runs it: an SVG on standard output or written atomically with -o, the
 * file's errors printed as `nn check` prints them (exit 1, nothing written), usage errors exit 2.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../diagram/xml.js';
import { nn } from './spawn.js';

const tmp = mkdtempSync(join(tmpdir(), 'nn-diagram-'));

describe('nn diagram', () => {
  it('prints the SVG of the first model, or of --model, to standard output', () => {
    const r = nn('diagram', 'samples/iris.nn');
    expect(r.code, r.err).toBe(0);
    expect(parseXml(r.out).name).toBe('svg');
    expect(r.out).toContain('<title>iris</title>');
    expect(r.out).toContain('dense_2');
    const dash = nn('diagram', 'samples/iris.nn', '--model', 'iris', '-o', '-');
    expect(dash.out).toBe(r.out);
  }, 30_000);

  it('writes -o atomically, leaving no temporary file', () => {
    const out = join(tmp, 'iris.svg');
    const r = nn('diagram', 'samples/iris.nn', '-o', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('');
    expect(parseXml(readFileSync(out, 'utf8')).name).toBe('svg');
    expect(readdirSync(tmp)).toEqual(['iris.svg']);
  }, 30_000);

  it('prints the errors of a file that does not check and writes nothing', () => {
    const bad = join(tmp, 'bad.nn');
    writeFileSync(bad, 'Input(4) -> Dense(8, reluu)\n');
    const out = join(tmp, 'bad.svg');
    const r = nn('diagram', bad, '-o', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.nn:1:\d+ - error NN\d{4}: .*reluu/);
    expect(existsSync(out)).toBe(false);
    const missing = nn('diagram', 'samples/iris.nn', '--model', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(
      "error NN6003: No model named 'nope' in this file; it has 'iris'.",
    );
  }, 30_000);

  it('draws a sound model beside a broken sibling', () => {
    const two = join(tmp, 'two.nn');
    writeFileSync(
      two,
      'model good {\n  Input(4) -> Dense(2)\n}\nmodel bad {\n  Input(4) -> Dens(2)\n}\n',
    );
    const good = nn('diagram', two, '--model', 'good');
    expect(good.code, good.err).toBe(0);
    expect(good.out).toContain('<title>good</title>');
    const bad = nn('diagram', two, '--model', 'bad');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/two\.nn:5:\d+ - error NN\d{4}: .*'Dens'/);
  }, 30_000);

  it('refuses an output it cannot write, and wrong usage', () => {
    const r = nn('diagram', 'samples/iris.nn', '-o', join(tmp, 'no-such-folder', 'x.svg'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^nn diagram: cannot write the diagram '.*x\.svg': the folder '.*' does not exist\.\n$/,
    );
    const usage = nn('diagram');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('name exactly one .nn file.');
    expect(usage.err).toContain('Usage: nn diagram <file>');
  }, 30_000);
});
