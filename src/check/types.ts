/** What the checker produces: typed models ready for the planner, summary and editor. */
import type { Program } from '../ast/index.js';
import type { Args, CallValue, Value } from '../catalog/index.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LossSpec } from '../kernels/index.js';
import type { GraphLayer, ModelGraph } from '../layers/index.js';
import type { OptimizerSpec } from '../optim/index.js';
import type { LineMap, Range } from '../source/index.js';

/** A layer of a model, a node of its graph, with where it was written. */
export interface CheckedLayer extends GraphLayer {
  range: Range;
  /** Where each argument the user wrote stands. */
  argRanges: Record<string, Range>;
}

export interface CompileConfig {
  optimizer: CallValue;
  loss: CallValue | null;
  /** The optimizer and loss resolved (null where they did not resolve, or the loss waits for the data). */
  optimizerSpec: OptimizerSpec | null;
  lossSpec: LossSpec | null;
  metrics: Value[];
  args: Args;
  range: Range;
  argRanges: Record<string, Range>;
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

export interface CheckResult {
  ast: Program;
  models: CheckedModel[];
  diagnostics: Diagnostic[];
  lines: LineMap;
}

export { paramCounts } from '../layers/index.js';
