/**
 * Splits a program into models: `model name { … }` blocks, plus the default model made of
 * the statements outside any block. Constants live in the file's scope or a model's own.
 */
import type * as ast from '../ast/index.js';
import type { DiagnosticSink } from '../diagnostics/index.js';
import type { Range } from '../source/index.js';
import { catalog } from '../catalog/index.js';
import { inputLayers } from '../layers/index.js';
import { Scope } from './scope.js';

/** A model's statements in order, with the scope its names resolve in. */
export interface ModelSource {
  name: string;
  nameRange: Range;
  range: Range;
  statements: ast.Statement[];
  scope: Scope;
}

/** Keras names an unnamed Sequential model 'sequential'… */
export const defaultModelName = 'sequential';
/** …and an unnamed functional Model 'functional'. */
export const defaultGraphName = 'functional';

export function collectModels(program: ast.Program, sink: DiagnosticSink): ModelSource[] {
  const fileScope = new Scope();
  const models: ModelSource[] = [];
  const loose: ast.Statement[] = [];
  for (const s of kerasCallsJoined(program.body, sink)) {
    if (s.kind === 'Assignment' && !isResult(s)) define(fileScope, s, sink);
    else if (s.kind === 'Model') models.push(modelBlock(s, fileScope, sink));
    else loose.push(s);
  }
  if (loose.length > 0) {
    const range = { start: loose[0]!.range.start, end: loose.at(-1)!.range.end };
    models.unshift({
      name: defaultModelName,
      nameRange: range,
      range,
      statements: loose,
      scope: fileScope,
    });
  }
  const seen = new Map<string, ModelSource>();
  for (const m of models) {
    const earlier = seen.get(m.name);
    if (earlier)
      sink.report(
        'duplicateDefinition',
        m.nameRange,
        { name: m.name },
        { related: [{ range: earlier.nameRange, message: 'first defined here' }] },
      );
    else seen.set(m.name, m);
  }
  return models;
}

function modelBlock(block: ast.ModelBlock, fileScope: Scope, sink: DiagnosticSink): ModelSource {
  const scope = new Scope(fileScope);
  const statements: ast.Statement[] = [];
  for (const s of kerasCallsJoined(block.body, sink)) {
    if (s.kind === 'Assignment' && !isResult(s)) define(scope, s, sink);
    else if (s.kind === 'Model')
      sink.report('misplacedStatement', s.name.range, {
        what: 'A model block cannot stand inside another model block.',
      });
    else statements.push(s);
  }
  return {
    name: block.name.name,
    nameRange: block.name.range,
    range: block.range,
    statements,
    scope,
  };
}

/**
 * `h = x -> Dense(8)` and `x = Input(4)` name results of a graph: they are the model's
 * statements. Any other assignment names a constant (`units = 8`, `opt = Adam(0.01)`).
 */
export function isResult(a: ast.Assignment): boolean {
  const v = a.value;
  return v.kind === 'Chain' || (v.kind === 'Call' && inputLayers.has(v.callee.name));
}

function define(scope: Scope, a: ast.Assignment, sink: DiagnosticSink): void {
  const earlier = scope.define(a);
  if (earlier)
    sink.report(
      'duplicateDefinition',
      a.target.range,
      { name: a.target.name },
      { related: [{ range: earlier.target.range, message: 'first defined here' }] },
    );
}

/**
 * Keras's functional call `Add()(a, b)` or `Dense(8)(x)` parses as two statements: a call, then
 * a parenthesized value right after it on the same line. Each such pair is reported once (with
 * how to write it) and read as the chain it means, `(a, b) -> Add()`, so that nothing after it
 * reports the same mistake again.
 */
function kerasCallsJoined(body: readonly ast.Statement[], sink: DiagnosticSink): ast.Statement[] {
  const out: ast.Statement[] = [];
  for (const s of body) {
    const previous = out.at(-1);
    const call = previous ? lastCall(previous) : undefined;
    const e = s.kind === 'ExpressionStatement' ? s.expression : undefined;
    const applied =
      call !== undefined &&
      e !== undefined &&
      (e.kind === 'Tuple' || e.kind === 'Identifier' || e.kind === 'Chain') &&
      e.range.start.line === call.range.end.line &&
      e.range.start.offset - call.range.end.offset <= 1 &&
      !inputLayers.has(call.callee.name);
    if (!applied || !previous) {
      out.push(s);
      continue;
    }
    const names =
      e.kind === 'Tuple'
        ? e.elements.map((el) => (el.kind === 'Identifier' ? el.name : '…')).join(', ')
        : e.kind === 'Identifier'
          ? e.name
          : '…';
    const layer = `${call.callee.name}(${call.args.length > 0 ? '…' : ''})`;
    const range = { start: call.range.start, end: s.range.end };
    sink.report('kerasApplyForm', range, {
      call: `${layer}(${names})`,
      chain: `${e.kind === 'Tuple' ? `(${names})` : names} -> ${layer}`,
    });
    // After a chain (`h -> Dense(8)(x)`) the meaning is unclear: say it, and read the chain alone.
    const value =
      previous.kind === 'Assignment'
        ? previous.value
        : previous.kind === 'ExpressionStatement'
          ? previous.expression
          : undefined;
    if (value?.kind === 'Chain') continue;
    const chain: ast.Chain = {
      kind: 'Chain',
      range,
      steps: [e, call],
    };
    out[out.length - 1] =
      previous.kind === 'Assignment'
        ? {
            kind: 'Assignment',
            target: previous.target,
            value: chain,
            range: { start: previous.range.start, end: s.range.end },
          }
        : { kind: 'ExpressionStatement', expression: chain, range };
  }
  return out;
}

/** The call a statement ends with, if it does: `z = Add()` → `Add()`. */
function lastCall(s: ast.Statement): ast.Call | undefined {
  const e =
    s.kind === 'Assignment' ? s.value : s.kind === 'ExpressionStatement' ? s.expression : undefined;
  const last = e?.kind === 'Chain' ? e.steps.at(-1) : e;
  return last?.kind === 'Call' && catalog.lookup('layer', last.callee.name) ? last : undefined;
}
