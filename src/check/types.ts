/** What the checker produces: typed models ready for the planner, summary and editor. */
import type { Program } from '../ast/index.js';
import type { Args, CallValue, CatalogKind, Value } from '../catalog/index.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { Shape, WeightSpec } from '../layers/index.js';
import type { LineMap, Range } from '../source/index.js';

export interface CheckedLayer {
  className: string;
  /** Keras's name: given with name=…, or automatic (`dense`, `dense_1`, …). */
  name: string;
  args: Args;
  range: Range;
  /** Where each argument the user wrote stands. */
  argRanges: Record<string, Range>;
  /** null while the model's input shape is unknown (Keras: unbuilt). */
  inputShape: Shape | null;
  outputShape: Shape | null;
  weights: WeightSpec[];
  /** Initial values given inline with weights=[…], in getWeights() order. */
  initialWeights?: Value[];
}

export interface CompileConfig {
  optimizer: CallValue;
  loss: CallValue | null;
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

export interface CheckedModel {
  name: string;
  range: Range;
  /** Batch first, as Keras prints it; null when the data will fix it. */
  inputShape: Shape | null;
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
}

/** Parameter counts of a layer: trainable and not. */
export function paramCounts(layer: CheckedLayer): { trainable: number; nonTrainable: number } {
  let trainable = 0;
  let nonTrainable = 0;
  for (const w of layer.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.trainable) trainable += n;
    else nonTrainable += n;
  }
  return { trainable, nonTrainable };
}
