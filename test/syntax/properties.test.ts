/**
 * Properties of the front end on generated input: no input of any kind throws, every
 * diagnostic's range lies inside the source, and printing an AST back to source and
 * re-parsing gives the same AST.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, parse, printNode } from 'nnlang';
import { program } from './arbitraries.js';

const samplesDir = new URL('../../samples/', import.meta.url);
const samples = readdirSync(samplesDir)
  .filter((f) => f.endsWith('.nn'))
  .map((f) => readFileSync(new URL(f, samplesDir), 'utf8'));

/** The AST without ranges: what a round trip must preserve. */
function strip(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (key, value) => (key === 'range' ? undefined : value)));
}

function expectSane(source: string): void {
  const { diagnostics } = check(source);
  for (const d of diagnostics) {
    expect(d.range.start.offset).toBeGreaterThanOrEqual(0);
    expect(d.range.start.offset).toBeLessThanOrEqual(d.range.end.offset);
    expect(d.range.end.offset).toBeLessThanOrEqual(source.length);
    expect(d.code).toMatch(/^NN[1-6]\d{3}$/); // never an internal error (9xxx)
    expect(d.message.length).toBeGreaterThan(0);
  }
}

const tokenSoup = fc
  .array(
    fc.constantFrom(
      'Dense',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      ',',
      '=',
      '->',
      ';',
      '\n',
      ' ',
      '8',
      '0.5',
      '-',
      "'relu'",
      '"x',
      'model',
      'm',
      'Input',
      'compile',
      'fit',
      'adam',
      'None',
      'True',
      '#c\n',
      '(4,)',
      '1e-6',
      '$',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** A sample with a few characters deleted, inserted or replaced. */
const mutatedSample = fc
  .tuple(
    fc.constantFrom(...samples),
    fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 3 })), {
      minLength: 1,
      maxLength: 5,
    }),
  )
  .map(([source, edits]) =>
    edits.reduce((s, [at, del, ins]) => {
      const i = at % (s.length + 1);
      return s.slice(0, i) + ins + s.slice(i + del);
    }, source),
  );

describe('robustness', () => {
  it('never throws and keeps ranges in the source: arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), expectSane), { numRuns: 300 });
  });
  it('… token soup', () => {
    fc.assert(fc.property(tokenSoup, expectSane), { numRuns: 500 });
  });
  it('… mutated samples', () => {
    fc.assert(fc.property(mutatedSample, expectSane), { numRuns: 300 });
  });
});

describe('printer round trip', () => {
  it('print(ast) parses back to the same ast', () => {
    fc.assert(
      fc.property(program, (ast) => {
        const printed = printNode(ast);
        const reparsed = parse(printed);
        expect(reparsed.diagnostics).toEqual([]);
        expect(strip(reparsed.ast)).toEqual(strip(ast));
      }),
      { numRuns: 300 },
    );
  });
  it.each(samples.map((s, i) => [i, s] as const))('sample %i round-trips', (_, source) => {
    const first = parse(source);
    expect(first.diagnostics).toEqual([]);
    const again = parse(printNode(first.ast));
    expect(strip(again.ast)).toEqual(strip(first.ast));
  });
});
