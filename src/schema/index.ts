/**
 * The AST's JSON Schema (`specs/ast.schema.json`), enforced with ajv on every parse without
 * syntax errors: the contract other tools (and later stages) can rely on. A violation is a
 * bug in nnlang, reported as an internal diagnostic at the offending node.
 */
import { Ajv } from 'ajv';
import astSchema from '../../specs/ast.schema.json' with { type: 'json' };
import type { Node, Program } from '../ast/index.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/index.js';

const ajv = new Ajv({ allErrors: true, strict: true });
const validateAst = ajv.compile(astSchema);

/** Diagnostics for every place `program` departs from the schema (none when it conforms). */
export function validateProgram(program: Program): Diagnostic[] {
  if (validateAst(program)) return [];
  return (validateAst.errors ?? []).slice(0, 10).map((err) => {
    const node = nodeAtPointer(program, err.instancePath);
    return makeDiagnostic('internalError', node.range, { why: `the AST breaks its schema at '${err.instancePath || '/'}': ${err.message ?? 'invalid'}` });
  });
}

/** The deepest node on a JSON pointer's path (the pointer may end inside a node). */
function nodeAtPointer(root: Program, pointer: string): Node {
  let current: unknown = root;
  let node: Node = root;
  for (const part of pointer.split('/').slice(1)) {
    current = (current as Record<string, unknown> | undefined)?.[part];
    if (current && typeof current === 'object' && 'kind' in current && 'range' in current) node = current as Node;
  }
  return node;
}
