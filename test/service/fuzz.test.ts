/**
 * The service never throws: random edits of the samples (insertions of language fragments and
 * garbage, deletions, truncations, pasted text), then every request at random positions.
 * NN_FUZZ_RUNS sets the number of edited documents (default 2,000), NN_FUZZ_SEED the seed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LanguageService,
  PositionIndex,
  type Position,
  type Range,
} from '../../src/service/index.js';

const samplesDir = new URL('../../samples/', import.meta.url);
const samples = readdirSync(samplesDir)
  .filter((f) => f.endsWith('.nn'))
  .map((f) => readFileSync(new URL(f, samplesDir), 'utf8'));
samples.push(
  // A graph model: results named again, a merge, Keras's call form, an unused result.
  'model g {\n  x = Input(shape=(4,))\n  h = x -> Dense(8, relu)\n  x = x -> Dense(8)\n  (h, x) -> Add() -> Dense(3, softmax)\n  z = Add()(h, x)\n  compile(adam, categorical_crossentropy)\n}\n',
  "x = 3\nmodel m {\n  Input(shape=(x,)) -> Dense(8, relu) -> Dense(1, sigmoid)\n  compile(Adam(lr=0.1), binary_crossentropy, metrics=['acc'])\n  fit(callbacks=[EarlyStopping(patience=3)])\n}\n",
);

const fragments = [
  'Dense(',
  'Dense(8, ',
  ')',
  '(',
  '->',
  ' -> ',
  ',',
  '=',
  "'",
  '"',
  '[',
  ']',
  '{',
  '}',
  '\n',
  '\r\n',
  '\r',
  ';',
  '#',
  'model ',
  'model m {',
  'compile(',
  'fit(',
  'activation=',
  "'relu'",
  'relu',
  'lr=',
  'Input(4)',
  'keras.layers.',
  '1e-3',
  '-',
  '_',
  '10_000',
  'None',
  'True',
  '(4,)',
  'metrics=[',
  'callbacks=[EarlyStopping(',
  '\t',
  ' ',
  '😀',
  'é',
  '\u0000',
  '\\',
  'x = ',
  'units',
  '((((((',
  '))))',
  'h = ',
  'x -> ',
  '(h, x) -> ',
  'Add()',
  'Add()(h, x)',
  'Dense(8)(x)',
];

type Edit =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(...fragments),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  if (e.op === 'insert') return text.slice(0, at) + e.text + text.slice(at);
  if (e.op === 'delete') return text.slice(0, at) + text.slice(at + e.length);
  return text.slice(0, at);
}

const runs = Number(process.env['NN_FUZZ_RUNS'] ?? 2000);
const seed = process.env['NN_FUZZ_SEED'] ? Number(process.env['NN_FUZZ_SEED']) : undefined;

describe('fuzz', () => {
  it(`answers every request on ${runs} randomly edited documents without throwing`, () => {
    const service = new LanguageService({
      onError: (error, request) => {
        throw new Error(
          `${request} failed: ${error instanceof Error ? error.stack : String(error)}`,
        );
      },
    });
    let edits = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: samples.length - 1 }),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.record({
            line: fc.integer({ min: -1, max: 60 }),
            character: fc.integer({ min: -1, max: 120 }),
          }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        fc.string({ maxLength: 8 }),
        (which, es, positions, newName) => {
          let text = samples[which]!;
          for (const e of es) text = apply(text, e);
          edits += es.length;
          const index = new PositionIndex(text);
          const valid = (p: Position) =>
            p.line >= 0 && p.line < index.lineCount && p.character >= 0;
          const inText = (r: Range) =>
            valid(r.start) && valid(r.end) && index.offset(r.start) <= index.offset(r.end);
          for (const d of service.diagnostics(text)) expect(inText(d.range)).toBe(true);
          for (const h of service.inlayHints(text)) expect(valid(h.position)).toBe(true);
          service.documentSymbols(text);
          service.foldingRanges(text);
          // A picture or the reason there is none, never both or neither.
          const drawn = service.diagram(text, positions[0] ? { position: positions[0] } : {});
          expect(drawn.svg === null).not.toBe(drawn.error === null);
          expect(
            service.semanticTokensEncoded(text).data.every((n) => Number.isInteger(n) && n >= 0),
          ).toBe(true);
          for (const p of positions) {
            const items = service.completions(text, p);
            for (const item of items) expect(inText(item.range)).toBe(true);
            const h = service.hover(text, p);
            if (h) expect(inText(h.range)).toBe(true);
            const sig = service.signatureHelp(text, p);
            if (sig) expect(sig.activeParameter).toBeLessThan(sig.parameters.length);
            service.definition(text, p);
            service.references(text, p);
            service.prepareRename(text, p);
            service.rename(text, p, newName || 'renamed');
            service.codeActions(text, { start: p, end: p });
          }
          service.codeActions(text, {
            start: { line: 0, character: 0 },
            end: { line: 1e6, character: 0 },
          });
        },
      ),
      { numRuns: runs, ...(seed !== undefined ? { seed } : {}) },
    );
    expect(edits).toBeGreaterThanOrEqual(runs);
  }, 120_000);

  it('answers on huge and hostile inputs', () => {
    const service = new LanguageService({
      onError: (error) => {
        throw error;
      },
    });
    const layers = Array.from({ length: 5000 }, (_, i) => `  -> Dense(${(i % 7) + 1}, relu)`).join(
      '\n',
    );
    const inputs = [
      `Input(4)\n${layers}\n`,
      '('.repeat(5000),
      '['.repeat(200) + ']'.repeat(199),
      "Dense('".repeat(2000),
      '->'.repeat(10000),
      'x = y\ny = x\nDense(x)\n',
      `x = Input(1)\n${'x = x -> Dense(1)\n'.repeat(1000)}x -> Dense(1)\n`,
      `x = Input(1)\n(${'x, '.repeat(2000)}x) -> Add()\n`,
      'Dense(8, activation=' + "'".repeat(3) + ')'.repeat(3000),
    ];
    for (const text of inputs) {
      const index = new PositionIndex(text);
      const end = index.position(text.length);
      const middle = index.position(text.length >> 1);
      for (const p of [end, middle, { line: 0, character: 0 }]) {
        service.completions(text, p);
        service.hover(text, p);
        service.signatureHelp(text, p);
        service.references(text, p);
        service.codeActions(text, { start: p, end: p });
        service.diagram(text, { position: p });
      }
      service.diagnostics(text);
      service.inlayHints(text);
      service.semanticTokens(text);
      service.documentSymbols(text);
      service.foldingRanges(text);
    }
  }, 60_000);
});
