/** fast-check arbitraries for generated ASTs, shared by the printer and formatter properties. */
import fc from 'fast-check';
import type { Expression, Program, Statement } from 'nnlang';

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
export const program: fc.Arbitrary<Program> = fc
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
