/** What the checker produces: typed models ready for the planner, summary and editor. */
import type { Program } from '../ast/index.js';
import type { Args, CallValue, CatalogKind, Value } from '../catalog/index.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LossSpec } from '../kernels/index.js';
import type { GraphLayer, ModelGraph, Shape } from '../layers/index.js';
import type { OptimizerSpec } from '../optim/index.js';
import type { LineMap, Range } from '../source/index.js';

/** A layer of a model, a node of its graph, with where it was written. */
export interface CheckedLayer extends GraphLayer {
  range: Range;
  /** Where each argument the user wrote stands. */
  argRanges: Record<string, Range>;
  /**
   * Arguments written with a value that did not check (its error is out already): `args` holds
   * only their default, so a rule that reads one of them skips the layer.
   */
  failedArgs: ReadonlySet<string>;
}

/** The value of a layer's argument for later rules: undefined when the written value failed. */
export function argOf(layer: CheckedLayer, name: string): Value | undefined {
  return layer.failedArgs.has(name) ? undefined : layer.args[name];
}

export interface CompileConfig {
  optimizer: CallValue;
  /** The loss (a model with several outputs: the first output's). */
  loss: CallValue | null;
  /** One loss per output: the list written, or the one loss for every output (empty without a loss). */
  losses: { loss: CallValue; lossSpec: LossSpec | null }[];
  /** compile(loss_weights=[…]): one number per output; null when not written. */
  lossWeights: number[] | null;
  /** The optimizer and loss resolved (null where they did not resolve, or the loss waits for the data). */
  optimizerSpec: OptimizerSpec | null;
  lossSpec: LossSpec | null;
  /** Every compiled metric, the outputs' in order. */
  metrics: CallValue[];
  /** compile(metrics=…) per output, as Keras 3 matches them to the outputs (see training.ts). */
  outputMetrics: CallValue[][];
  args: Args;
  range: Range;
  argRanges: Record<string, Range>;
  /** Arguments written with a value that did not check (a nested one included): rules skip them. */
  failedArgs: ReadonlySet<string>;
}

export interface FitConfig {
  args: Args;
  range: Range;
  argRanges: Record<string, Range>;
}

export interface CheckedModel extends ModelGraph {
  range: Range;
  layers: CheckedLayer[];
  compile?: CompileConfig;
  fit?: FitConfig;
}

/** One argument the user wrote, bound to its catalog parameter (after aliases and positions). */
export interface ArgumentBinding {
  /** The catalog parameter's canonical name: `learning_rate` for a written `lr`. */
  param: string;
  /** The value as written. */
  valueRange: Range;
  /** The name, when written as `name=value`. */
  keywordRange?: Range;
}

/** One call the binder bound to a catalog entry: layers, Input, compile, fit and nested calls. */
export interface CallBinding {
  range: Range;
  calleeRange: Range;
  kind: CatalogKind;
  /** The catalog entry's canonical name: `Adam` for `adam`, `L2` for `l2`. */
  entry: string;
  /** The written arguments that bound to a parameter, in source order. */
  args: ArgumentBinding[];
}

/**
 * A result named in a graph model (`h = x -> Dense(8)`, `x = Input(4)`): where it is named and
 * where it is read, for the language server. Naming it again makes a new result, so each
 * definition has its own reads: those before the next definition of the name.
 */
export interface ResultName {
  name: string;
  /** The name where the statement names it. */
  range: Range;
  /** Its shape, batch first; null when unknown or its definition did not check. */
  shape: Shape | null;
  /** The layer or input that made it (Keras's name and class), when its definition checked. */
  madeBy?: { name: string; className: string };
  /** Where later statements read it, in order. */
  reads: Range[];
}

/** A `# …` comment and its range. */
export interface Comment {
  text: string;
  range: Range;
}

export interface CheckResult {
  ast: Program;
  models: CheckedModel[];
  diagnostics: Diagnostic[];
  lines: LineMap;
  /** Every bound call in source order, for the language server (hover, signature help). */
  bindings: CallBinding[];
  /** The source's comments in order. */
  comments: Comment[];
  /** Every result named in a graph model, in source order within each model. */
  results: ResultName[];
}

export { paramCounts } from '../layers/index.js';
