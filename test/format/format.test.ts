/**
 * The formatter: golden files (`test/fixtures/format/*.nn` → `*.formatted.nn`), and on every
 * sample, every fixture and generated sources: idempotent, the same AST (ranges aside), every
 * comment kept in order; refusal of files with syntax errors; range formatting.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Lexer } from 'chevrotain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRange, formatSource, parse, printNode } from 'nnlang';
import { allTokens } from '../../src/syntax/index.js';
import { modelSource } from '../check/fuzz-models.js';
import { program } from '../syntax/arbitraries.js';
import { expectGolden } from '../golden.js';

const root = new URL('../../', import.meta.url).pathname;
const formatDir = join(root, 'test/fixtures/format');

function nnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? nnFiles(p) : p.endsWith('.nn') ? [p] : [];
  });
}

/** The AST without ranges. */
function strip(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (key, value) => (key === 'range' ? undefined : value)));
}

const commentTexts = (source: string) =>
  parse(source).comments.map((c) => c.text.replace(/\s+$/, ''));

/** Formats `source` (which must parse) and checks every promise the formatter makes. */
function expectWellFormatted(source: string, options = {}): string {
  const result = formatSource(source, options);
  if ('error' in result) throw new Error(result.error.map((d) => d.message).join('\n'));
  const { text } = result;
  const again = formatSource(text, options);
  expect(again).toEqual({ text, changed: false }); // idempotent
  const before = parse(source);
  const after = parse(text);
  expect(after.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(strip(after.ast)).toEqual(strip(before.ast));
  expect(commentTexts(text)).toEqual(commentTexts(source));
  for (const l of text.split('\n')) expect(l).not.toMatch(/[ \t]$/);
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text;
}

const parses = (source: string) => !parse(source).diagnostics.some((d) => d.severity === 'error');

describe('golden formatting', () => {
  const inputs = readdirSync(formatDir).filter(
    (f) => f.endsWith('.nn') && !f.endsWith('.formatted.nn'),
  );
  it.each(inputs)('%s', (name) => {
    const source = readFileSync(join(formatDir, name), 'utf8');
    const text = expectWellFormatted(source);
    expectGolden(join(formatDir, name.replace(/\.nn$/, '.formatted.nn')), text);
  });
});

describe('every sample and fixture', () => {
  const files = [...nnFiles(join(root, 'samples')), ...nnFiles(join(root, 'test/fixtures'))];
  const good = files.filter((f) => parses(readFileSync(f, 'utf8')));
  it('has files that parse', () => expect(good.length).toBeGreaterThan(10));
  it.each(good.map((f) => [f.slice(root.length), f]))('%s', (_, file) => {
    expectWellFormatted(readFileSync(file, 'utf8'));
    expectWellFormatted(readFileSync(file, 'utf8'), { printWidth: 40 });
  });
  it.each(files.filter((f) => !good.includes(f)).map((f) => [f.slice(root.length), f]))(
    '%s has syntax errors: refused with them',
    (_, file) => {
      const source = readFileSync(file, 'utf8');
      const result = formatSource(source);
      expect('error' in result && result.error).toEqual(
        parse(source).diagnostics.filter((d) => d.severity === 'error'),
      );
    },
  );
});

const lexer = new Lexer(allTokens, { positionTracking: 'onlyOffset' });
const runs = Number(process.env['NN_FUZZ_RUNS'] ?? 300);
const samples = nnFiles(join(root, 'samples')).map((f) => readFileSync(f, 'utf8'));

/** A source with comments put between tokens at the chosen places (own line or trailing). */
function withComments(source: string, picks: [number, boolean][]): string {
  const tokens = lexer.tokenize(source).tokens;
  const at = new Map<number, boolean>();
  for (const [i, ownLine] of picks) {
    const tok = tokens[i % Math.max(1, tokens.length)];
    if (tok) at.set(tok.startOffset + tok.image.length, ownLine);
  }
  let out = '';
  let last = 0;
  let n = 0;
  for (const offset of [...at.keys()].sort((a, b) => a - b)) {
    out += source.slice(last, offset) + (at.get(offset) ? `\n# c${n++}\n` : `  # c${n++}\n`);
    last = offset;
  }
  return out + source.slice(last);
}

describe('generated sources', () => {
  it('random models from the catalog', () => {
    fc.assert(
      fc.property(modelSource, (source) => {
        expectWellFormatted(source);
      }),
      { numRuns: 150 },
    );
  });
  it('random ASTs printed, at widths from 20 to 120', () => {
    fc.assert(
      fc.property(program, fc.integer({ min: 20, max: 120 }), (ast, printWidth) => {
        expectWellFormatted(printNode(ast), { printWidth });
      }),
      { numRuns: runs },
    );
  });
  it('comments between any two tokens of a sample or a random model', () => {
    const sources = fc.oneof(fc.constantFrom(...samples), modelSource);
    const picks = fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(sources, picks, (source, p) => {
        expectWellFormatted(withComments(source, p));
      }),
      { numRuns: runs },
    );
  });
});

describe('refusal', () => {
  it('refuses a file with syntax errors and says why', () => {
    const result = formatSource('model m {\n  Dense(8, relu -> Dense(3)\n}\n');
    expect('error' in result).toBe(true);
    if ('error' in result) expect(result.error[0]!.code).toBe('NN1003');
  });
  it('refuses Python forms the parser reports (module paths, Sequential)', () => {
    for (const source of ['keras.layers.Dense(8)\n', 'Sequential([Dense(8), Dense(3)])\n'])
      expect('error' in formatSource(source)).toBe(true);
  });
  it('never throws, and formats whatever parses, on mutated samples', () => {
    const mutated = fc
      .tuple(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 3 })), { maxLength: 4 }),
      )
      .map(([s, edits]) =>
        edits.reduce((t, [at, del, ins]) => {
          const i = at % (t.length + 1);
          return t.slice(0, i) + ins + t.slice(i + del);
        }, s),
      );
    fc.assert(
      fc.property(mutated, (source) => {
        if (parses(source)) expectWellFormatted(source);
        else expect('error' in formatSource(source)).toBe(true);
      }),
      { numRuns: runs },
    );
  });
});

describe('details', () => {
  it('keeps CRLF line endings and a byte-order mark', () => {
    const r = formatSource('\ufeffx=1\r\nDense(8)->Dense(3) # c\r\n');
    expect(r).toEqual({ text: '\ufeffx = 1\r\nDense(8) -> Dense(3)  # c\r\n', changed: true });
  });
  it('formats an empty file and a file of comments', () => {
    expect(formatSource('')).toEqual({ text: '', changed: false });
    expect(formatSource('\n\n# a\n\n\n# b   \n')).toEqual({ text: '# a\n\n# b\n', changed: true });
  });
  it('keeps a statement that starts with ( apart from the name before it', () => {
    expectWellFormatted('x; (4,)\n');
    expect(formatSource('x; (4,)\n')).toMatchObject({ text: 'x\n;(4,)\n' });
  });
});

describe('range formatting', () => {
  const source = 'x=1\nmodel m {\n  Dense(8)->Dense(3)\n    compile( adam ,mse)\n}\ny   =  2\n';
  const apply = (text: string, edits: { start: number; end: number; newText: string }[]) =>
    [...edits].reverse().reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
  it('formats only the statements the range touches', () => {
    const at = source.indexOf('compile');
    const r = formatRange(source, { start: at, end: at + 3 });
    if ('error' in r) throw new Error('refused');
    expect(apply(source, r.edits)).toBe(
      'x=1\nmodel m {\n  Dense(8)->Dense(3)\n  compile(adam, mse)\n}\ny   =  2\n',
    );
  });
  it('formats a whole block when the range touches its header', () => {
    const r = formatRange(source, { start: 5, end: 6 });
    if ('error' in r) throw new Error('refused');
    expect(apply(source, r.edits)).toBe(
      'x=1\nmodel m {\n  Dense(8) -> Dense(3)\n  compile(adam, mse)\n}\ny   =  2\n',
    );
  });
  it('over the whole file gives the whole formatted file', () => {
    const r = formatRange(source, { start: 0, end: source.length });
    if ('error' in r) throw new Error('refused');
    expect(apply(source, r.edits)).toBe((formatSource(source) as { text: string }).text);
  });
  it('takes the statements on the lines it touches, with the comments above them', () => {
    const text = 'model m {\n  # the head\n  Dense(3)->Dense(1);   Dense(2)\n}\n';
    const at = text.indexOf('Dense(3)');
    const r = formatRange(text, { start: at, end: at + 1 });
    if ('error' in r) throw new Error('refused');
    expect(r.edits.map((e) => text.slice(e.start, e.end))).toEqual([
      '  # the head\n  Dense(3)->Dense(1);   Dense(2)',
    ]);
    expect(apply(text, r.edits)).toBe(
      'model m {\n  # the head\n  Dense(3) -> Dense(1)\n  Dense(2)\n}\n',
    );
  });
  it('no edit when formatted, an error when the file does not parse', () => {
    expect(formatRange('x = 1\n', { start: 0, end: 1 })).toEqual({ edits: [] });
    expect('error' in formatRange('x = (\n', { start: 0, end: 1 })).toBe(true);
  });
});
