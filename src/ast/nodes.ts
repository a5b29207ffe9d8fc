/**
 * The AST: plain JSON, a union on `kind`, every node with its source range. The parser makes
 * it, the schema in `specs/ast.schema.json` describes it, and every later stage reads it.
 */
import type { Range } from '../source/index.js';

interface NodeBase {
  range: Range;
}

/** A whole `.nn` file. */
export interface Program extends NodeBase {
  kind: 'Program';
  body: Statement[];
}

/** `model name { … }`: one named model; statements outside any block form the default model. */
export interface ModelBlock extends NodeBase {
  kind: 'Model';
  name: Identifier;
  body: Statement[];
}

/** `name = value`: a named constant now; a named intermediate result in graph models later. */
export interface Assignment extends NodeBase {
  kind: 'Assignment';
  target: Identifier;
  value: Expression;
}

/**
 * `out, h, c = x -> LSTM(8, return_state=True)` (or `(out, h, c) = …`): names each output of a
 * layer with several, as Python unpacks Keras's list of tensors.
 */
export interface TupleAssignment extends NodeBase {
  kind: 'TupleAssignment';
  targets: Identifier[];
  value: Expression;
}

/** A chain of layers, or a call such as `compile(…)` / `fit(…)`, standing alone. */
export interface ExpressionStatement extends NodeBase {
  kind: 'ExpressionStatement';
  expression: Expression;
}

export type Statement = ModelBlock | Assignment | TupleAssignment | ExpressionStatement;

/** `a -> b -> c`: at least two steps. */
export interface Chain extends NodeBase {
  kind: 'Chain';
  steps: Expression[];
}

/** `Dense(8, activation='relu')`. */
export interface Call extends NodeBase {
  kind: 'Call';
  callee: Identifier;
  args: Argument[];
}

/** One argument of a call; `name` is set for keyword arguments. */
export interface Argument extends NodeBase {
  kind: 'Argument';
  name?: Identifier;
  value: Expression;
}

export interface Identifier extends NodeBase {
  kind: 'Identifier';
  name: string;
}

export interface NumberLiteral extends NodeBase {
  kind: 'Number';
  value: number;
  /** Integer literals stay distinct from floats: `3` vs `3.0` matter to argument types. */
  isInteger: boolean;
  raw: string;
}

export interface StringLiteral extends NodeBase {
  kind: 'String';
  value: string;
}

/** `True`/`true`, `False`/`false`. */
export interface BooleanLiteral extends NodeBase {
  kind: 'Boolean';
  value: boolean;
}

/** `None`/`none`. */
export interface NoneLiteral extends NodeBase {
  kind: 'None';
}

/** `(4,)` or `(28, 28)`; a one-element tuple needs Python's trailing comma. */
export interface TupleLiteral extends NodeBase {
  kind: 'Tuple';
  elements: Expression[];
}

/** `['acc', 'mse']`. */
export interface ListLiteral extends NodeBase {
  kind: 'List';
  elements: Expression[];
}

/** What the parser put where it could not make sense of the input (error recovery). */
export interface ErrorNode extends NodeBase {
  kind: 'Error';
}

export type Literal = NumberLiteral | StringLiteral | BooleanLiteral | NoneLiteral;
export type Expression =
  Chain | Call | Identifier | Literal | TupleLiteral | ListLiteral | ErrorNode;

export type Node = Program | Statement | Expression | Argument;
