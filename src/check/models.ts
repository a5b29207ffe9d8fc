/**
 * Splits a program into models: `model name { … }` blocks, plus the default model made of
 * the statements outside any block. Constants live in the file's scope or a model's own.
 */
import type * as ast from '../ast/index.js';
import type { DiagnosticSink } from '../diagnostics/index.js';
import type { Range } from '../source/index.js';
import { Scope } from './scope.js';

/** A model's statements in order, with the scope its names resolve in. */
export interface ModelSource {
  name: string;
  nameRange: Range;
  range: Range;
  statements: ast.Statement[];
  scope: Scope;
}

/** Keras names an unnamed Sequential model 'sequential'. */
export const defaultModelName = 'sequential';

export function collectModels(program: ast.Program, sink: DiagnosticSink): ModelSource[] {
  const fileScope = new Scope();
  const models: ModelSource[] = [];
  const loose: ast.Statement[] = [];
  for (const s of program.body) {
    if (s.kind === 'Assignment') define(fileScope, s, sink);
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
  for (const s of block.body) {
    if (s.kind === 'Assignment') define(scope, s, sink);
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

function define(scope: Scope, a: ast.Assignment, sink: DiagnosticSink): void {
  if (a.value.kind === 'Chain') {
    sink.report('graphNotYet', a.target.range);
    return;
  }
  const earlier = scope.define(a);
  if (earlier)
    sink.report(
      'duplicateDefinition',
      a.target.range,
      { name: a.target.name },
      { related: [{ range: earlier.target.range, message: 'first defined here' }] },
    );
}
