/**
 * The front end on input at scale: deep nesting, long runs of bad input and big random files
 * never throw from `parse` or `check`, and a missing closer is reported where it was expected.
 * NN_FUZZ_SEED and NN_FUZZ_RUNS set the seed and the count of the random cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, parse } from 'nnlang';

const seed = Number(process.env['NN_FUZZ_SEED'] ?? 7);
const runs = Number(process.env['NN_FUZZ_RUNS'] ?? 3);

/** `check` must answer with located diagnostics and never an internal error. */
function expectAnswers(source: string): void {
  expect(() => parse(source)).not.toThrow();
  const { diagnostics } = check(source);
  for (const d of diagnostics) {
    expect(d.code).toMatch(/^NN[1-6]\d{3}$/);
    expect(d.range.end.offset).toBeLessThanOrEqual(source.length);
  }
}

const pieces = [
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
  'Dense',
  '8',
  "'a",
  'model',
  'x',
  '$',
];

describe('nesting', () => {
  it.each(['(', '[', 'f(', 'model m {'])('%s nested 100,000 levels gives NN1010', (open) => {
    const source = open.repeat(100_000) + '1' + ')'.repeat(100_000);
    const { diagnostics } = check(source);
    expect(diagnostics.map((d) => d.code)).toContain('NN1010');
    expect(diagnostics.every((d) => d.code !== 'NN9001')).toBe(true);
  });

  it('accepts nesting up to the limit', () => {
    const source = 'x = ' + '('.repeat(99) + '1,' + ')'.repeat(99);
    expect(check(source).diagnostics.filter((d) => d.code.startsWith('NN1'))).toEqual([]);
  });

  it('points NN1010 at the first bracket too deep', () => {
    const { diagnostics } = parse('x = ' + '['.repeat(150));
    const deep = diagnostics.find((d) => d.code === 'NN1010')!;
    expect(deep.range.start.offset).toBe(4 + 100);
  });

  it('never throws on random nesting up to 100,000 levels', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('(', '[', '{'), (n, open) =>
        expectAnswers('Dense(' + open.repeat(n)),
      ),
      { seed, numRuns: runs },
    );
  });
});

describe('big random sources', () => {
  it('never throw, up to 1 MB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer(), (size, salt) => {
        const parts: string[] = [];
        let length = 0;
        for (let x = salt >>> 0; length < size;) {
          x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
          const piece = pieces[(x >>> 16) % pieces.length]!;
          parts.push(piece);
          length += piece.length;
        }
        expectAnswers(parts.join(''));
      }),
      { seed, numRuns: runs },
    );
  });

  it('a long run of stray tokens is one diagnostic, not a stack overflow', () => {
    const { diagnostics } = check(',)'.repeat(200_000));
    expect(diagnostics.map((d) => d.code)).toEqual(['NN1005']);
  });
});

describe('the work per file', () => {
  it('stops after 1,000 syntax errors with NN1013, and says so once', () => {
    const { diagnostics } = parse('Dense(,)\n'.repeat(5000));
    expect(diagnostics.filter((d) => d.code === 'NN1013')).toHaveLength(1);
    expect(diagnostics.length).toBeLessThanOrEqual(1002);
  });

  it('stops after 1,000 unexpected characters', () => {
    const { diagnostics } = parse('x = 1 $\n'.repeat(5000));
    expect(diagnostics.filter((d) => d.code === 'NN1001')).toHaveLength(1000);
    expect(diagnostics.map((d) => d.code)).toContain('NN1013');
  });
});

describe('a missing closer', () => {
  it("is reported where the ')' was expected, with the '(' it closes", () => {
    const source = 'Dense(8, relu -> Dense(3)\nx = 4\n';
    const [d] = parse(source).diagnostics;
    expect(d?.code).toBe('NN1003');
    expect(d?.range.start).toMatchObject({ line: 1, column: 26 });
    expect(d?.related?.[0]?.range.start).toMatchObject({ line: 1, column: 6 });
  });

  it("of a model block is reported after its last token, with the '{'", () => {
    const [d] = parse('model m {\n  Dense(3)\n').diagnostics;
    expect(d?.range.start).toMatchObject({ line: 2, column: 11 });
    expect(d?.related?.[0]?.range.start).toMatchObject({ line: 1, column: 9 });
  });
});
