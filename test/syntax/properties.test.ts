/**
 * Properties of the front end on generated input: no input of any kind throws, every
 * diagnostic's range lies inside the source, and printing an AST back to source and
 * re-parsing gives the same AST.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, parse, printNode, type Expression, type Program, type Statement } from 'nnlang';

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

// Generated ASTs (ranges are filled by the parser; the printer ignores them).
const noRange = {
  start: { offset: 0, line: 1, column: 1 },
  end: { offset: 0, line: 1, column: 1 },
};
const keywords = new Set(['model', 'True', 'False', 'None', 'true', 'false', 'none']);
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/).filter((n) => !keywords.has(n));
const identifier = name.map((n) => ({ kind: 'Identifier' as const, name: n, range: noRange }));

const expressions = fc.letrec<{ expr: Expression; value: Expression; call: Expression }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -1000, max: 100000 }).map((n) => ({
      kind: 'Number' as const,
      value: n,
      isInteger: true,
      raw: String(n),
      range: noRange,
    })),
    fc
      .double({ min: -1e6, max: 1e6, noNaN: true })
      .filter((x) => !Number.isInteger(x))
      .map((x) => ({
        kind: 'Number' as const,
        value: Number(String(x)),
        isInteger: false,
        raw: String(x),
        range: noRange,
      })),
    fc
      .string({ maxLength: 8 })
      .filter((s) => !/[\r\n\u2028\u2029]/.test(s))
      .map((s) => ({ kind: 'String' as const, value: s, range: noRange })),
    fc.boolean().map((b) => ({ kind: 'Boolean' as const, value: b, range: noRange })),
    fc.constant({ kind: 'None' as const, range: noRange }),
    identifier,
    fc
      .array(tie('value'), { maxLength: 3 })
      .map((elements) => ({ kind: 'Tuple' as const, elements, range: noRange })),
    fc
      .array(tie('value'), { maxLength: 3 })
      .map((elements) => ({ kind: 'List' as const, elements, range: noRange })),
    tie('call'),
  ),
  call: fc
    .tuple(
      identifier,
      fc.array(fc.tuple(fc.option(identifier, { nil: undefined }), tie('value')), { maxLength: 3 }),
    )
    .map(([callee, args]) => ({
      kind: 'Call' as const,
      callee,
      args: args.map(([n, value]) =>
        n
          ? { kind: 'Argument' as const, name: n, value, range: noRange }
          : { kind: 'Argument' as const, value, range: noRange },
      ),
      range: noRange,
    })),
  expr: fc.oneof(
    tie('value'),
    fc
      .array(tie('call'), { minLength: 2, maxLength: 4 })
      .map((steps) => ({ kind: 'Chain' as const, steps, range: noRange })),
  ),
}));

const statement: fc.Arbitrary<Statement> = fc.oneof(
  fc
    .tuple(identifier, expressions.expr)
    .map(([target, value]) => ({ kind: 'Assignment' as const, target, value, range: noRange })),
  // A statement that starts with '(' would continue a preceding name as a call (newlines are
  // whitespace, as in the EBNF); a bare tuple statement means nothing anyway.
  expressions.expr
    .filter((e) => e.kind !== 'Tuple')
    .map((expression) => ({ kind: 'ExpressionStatement' as const, expression, range: noRange })),
);
const program: fc.Arbitrary<Program> = fc
  .array(
    fc.oneof(
      statement,
      fc
        .tuple(identifier, fc.array(statement, { maxLength: 3 }))
        .map(([n, body]) => ({ kind: 'Model' as const, name: n, body, range: noRange })),
    ),
    { maxLength: 5 },
  )
  .map((body) => ({ kind: 'Program' as const, body, range: noRange }));

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
