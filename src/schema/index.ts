/**
 * The AST's JSON Schema (`specs/ast.schema.json`), enforced with ajv on every parse without
 * syntax errors: the contract other tools (and later stages) can rely on. A violation is a
 * bug in nnlang, reported as an internal diagnostic at the offending node.
 */
import { Ajv } from 'ajv';
import astSchema from '../../specs/ast.schema.json' with { type: 'json' };
import type { Node, Program } from '../ast/index.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/index.js';

interface SchemaDefinition {
  $ref?: string;
  type?: string;
  oneOf?: SchemaDefinition[];
  properties?: { kind?: { const?: unknown } };
  discriminator?: { propertyName: string };
}

/**
 * The schema with each union of node kinds (a `oneOf` of references to definitions whose `kind`
 * is a constant) marked with ajv's `discriminator` on `kind`. Since the branches' kinds differ,
 * at most the branch that `kind` names can match, so this accepts exactly the same ASTs; but
 * ajv then checks a node against that one branch instead of all of them (ten for an
 * Expression, each recursing into its children), which made validation the slowest stage.
 */
function withKindDiscriminators(schema: typeof astSchema): typeof astSchema {
  const copy = structuredClone(schema);
  const definitions = copy.definitions as Record<string, SchemaDefinition>;
  for (const definition of Object.values(definitions)) {
    const branches = definition.oneOf?.map(
      (b) => definitions[b.$ref?.replace('#/definitions/', '') ?? ''],
    );
    const tagged = branches?.every(
      (b) => b?.type === 'object' && b.properties?.kind?.const !== undefined,
    );
    if (!tagged) continue;
    definition.type = 'object'; // every branch is one, and ajv's strict mode wants it said
    definition.discriminator = { propertyName: 'kind' };
  }
  return copy;
}

// Compiled once, when the module loads; each parse only runs the compiled function.
const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true });
const validateAst = ajv.compile(withKindDiscriminators(astSchema));

/** Diagnostics for every place `program` departs from the schema (none when it conforms). */
export function validateProgram(program: Program): Diagnostic[] {
  if (validateAst(program)) return [];
  return (validateAst.errors ?? []).slice(0, 10).map((err) => {
    const node = nodeAtPointer(program, err.instancePath);
    return makeDiagnostic('internalError', node.range, {
      why: `the AST breaks its schema at '${err.instancePath || '/'}': ${err.message ?? 'invalid'}`,
    });
  });
}

/** The deepest node on a JSON pointer's path (the pointer may end inside a node). */
function nodeAtPointer(root: Program, pointer: string): Node {
  let current: unknown = root;
  let node: Node = root;
  for (const part of pointer.split('/').slice(1)) {
    current = (current as Record<string, unknown> | undefined)?.[part];
    if (current && typeof current === 'object' && 'kind' in current && 'range' in current)
      node = current as Node;
  }
  return node;
}
