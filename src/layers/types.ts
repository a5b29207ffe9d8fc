import type { Args, Value } from '../catalog/index.js';
import type { InitializerSpec } from '../init/index.js';
import type { ActivationSpec } from '../kernels/index.js';
import type { ConstraintSpec, RegularizerSpec } from '../optim/index.js';
import type { PlanBuilder } from '../ir/index.js';

/** A tensor shape as Keras prints it: batch first, `null` for an unknown dimension. */
export type Shape = (number | null)[];

/** A node of a model's graph: a layer's index in the model, or a model input (negative, see `modelInput`). */
export type NodeId = number;

/** One weight a layer creates, in Keras's creation (= getWeights) order. */
export interface WeightSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  /** The initializer value from the layer's arguments (a name or a call). */
  initializer: Value;
  /**
   * The prefix of its `<prefix>_initializer/_regularizer/_constraint` arguments when it is not
   * the weight's name (a recurrent layer's `recurrent_kernel` takes `recurrent_initializer`).
   */
  argPrefix?: string;
  /** Elements [start, end) set to one after the initializer ran (LSTM's unit_forget_bias). */
  ones?: [number, number];
}

/** Why an input does not fit a layer; `arg` names the argument to blame, when one is. */
export interface ShapeError {
  error: string;
  arg?: string;
}

/** What lowering one layer needs: the builder, the layer, and its weights' buffers. */
export interface LowerContext {
  b: PlanBuilder;
  layer: BuiltLayer;
  training: boolean;
  /** The buffer of weight `name` (kernel, bias, gamma, …), or null when the layer has none. */
  param(name: string): number | null;
  /** The gradient buffer of weight `name`, or null when it is not trained. */
  grad(name: string): number | null;
  /**
   * The buffer of Keras's mask on the layer's input ((batch, steps), 1 or 0 per step), or null
   * when none reaches it (see masking.ts).
   */
  mask?: number | null;
}

/** A layer's forward result: its inputs, its output buffer and what backward needs to read. */
export interface Forward {
  xs: number[];
  y: number;
  /** The buffers of its outputs after the first, when it has several (see `LayerDef.outputNames`). */
  extra?: number[];
  saved: Record<string, number>;
  /** The mask the layer makes on its output (Embedding(mask_zero=True)); else see masking.ts. */
  mask?: number;
}

export interface LayerLowering {
  forward(c: LowerContext, xs: number[]): Forward;
  /**
   * Emits backward steps for `dy` (the gradient of the output) and returns, per input, the
   * buffer of its gradient — or null where `needDx[i]` is false or the input gets none. A layer
   * with several outputs also gets `dExtra`, the gradient of each later output (null where none
   * flows), and `dy` is -1 when only those have one.
   */
  backward(
    c: LowerContext,
    f: Forward,
    dy: number,
    needDx: boolean[],
    dExtra?: readonly (number | null)[],
  ): (number | null)[];
}

/** A built layer as lowering sees it: its arguments and every shape known. */
export interface BuiltLayer {
  className: string;
  name: string;
  args: Args;
  /** One shape per input, batch first. */
  inputShapes: Shape[];
  outputShape: Shape;
  /** The shapes of its outputs after the first, when it has several. */
  extraOutputShapes?: Shape[];
  specs: LayerSpecs;
}

/**
 * Everything nnlang knows of one Keras layer beyond its catalog entry: its shape rule and
 * weights (run once, by the checker), how it lowers to plan steps (forward and backward), and
 * the facts the checker's advice reads. One definition per layer, one file per family.
 */
export interface LayerDef {
  /** The output shape for these input shapes (batch first), or why they do not fit. */
  outputShape(inputs: Shape[], args: Args): Shape | ShapeError;
  /**
   * The names of its outputs when these arguments give it several, in Keras's order (an LSTM
   * with return_state=True returns output, state_h, state_c); omitted or one name: one output.
   */
  outputNames?(args: Args): string[];
  /** The shapes of the outputs after the first (see `outputNames`) for these input shapes. */
  extraOutputShapes?(inputs: Shape[], args: Args): Shape[];
  /** Weights for a built layer, in Keras's creation order; none when omitted. */
  weights?(inputs: Shape[], args: Args): WeightSpec[];
  /** How the engine runs it; absent when it cannot yet. */
  lowering?: LayerLowering;
  /**
   * Floats per sample its step needs beyond its input and output (a convolution's im2col
   * matrix), for the memory check's lower bound; none when omitted.
   */
  scratch?(inputs: Shape[], args: Args): number;
  /**
   * Why the engine cannot run this valid Keras configuration yet, blaming an argument (the
   * checker reports it as NN2015; `rank` is the input's, when known).
   */
  engineLimit?(args: Args, rank: number | undefined): ShapeError | undefined;
  /** The activation the layer applies, as Keras names it (advice and loss checks read it). */
  activation?(args: Args): Value | undefined;
  /** The argument holding that activation, to point at. */
  activationArg?: string;
  /** Its output is its input's values passed on (Dropout, GaussianNoise): the activation before it still shows. */
  passesActivation?: boolean;
  /** With a linear activation it is an affine map of its input (Dense): two in a row collapse. */
  affine?: boolean;
  /** Merge layers take several inputs: they need graph syntax. */
  merge?: boolean;
  /**
   * Floats per sample the layer's step keeps besides its input and output (a recurrent layer's
   * projected inputs, gates and states over every time step), for the memory check.
   */
  workspace?(input: Shape, args: Args): number;
  /**
   * Floats per sample a training step's dropout draws and keeps until the layer's backward step
   * (the masks, and the inputs a recurrent layer drops), for the memory check: training plans
   * only, so not in `workspace`.
   */
  dropoutWorkspace?(input: Shape, args: Args): number;
}

export function isShapeError(s: Shape | ShapeError): s is ShapeError {
  return !Array.isArray(s);
}

/** Product of known dims, or null if any is unknown. */
export function sizeOf(dims: Shape): number | null {
  let n = 1;
  for (const d of dims) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

/** Values per sample of a built shape (batch first, every other dimension known). */
export function sampleSize(shape: Shape): number {
  const n = sizeOf(shape.slice(1));
  if (n === null) throw new Error(`internal: the shape ${shapeToString(shape)} is not built.`);
  return n;
}

/** `(None, 3)`: Python's tuple repr, as Keras prints shapes. */
export function shapeToString(shape: Shape): string {
  const items = shape.map((d) => (d === null ? 'None' : String(d)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Normalizes a possibly negative axis against a rank; undefined if out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? rank + axis : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** A shape rule for a layer of one input: other counts are refused. */
export function oneInput(
  rule: (input: Shape, args: Args) => Shape | ShapeError,
): (inputs: Shape[], args: Args) => Shape | ShapeError {
  return (inputs, args) =>
    inputs.length === 1
      ? rule(inputs[0]!, args)
      : { error: `it takes one input, found ${inputs.length}.` };
}

/** The engine's kernels act on the last axis only: any other `axis` is refused, saying so. */
export function lastAxisOnly(
  args: Args,
  rank: number | undefined,
  why = 'the engine works over the last axis only (axis=-1).',
): ShapeError | undefined {
  const axis = args['axis'] ?? -1;
  const axes = Array.isArray(axis) ? axis : [axis];
  const last =
    axes.length === 1 && (axes[0] === -1 || (rank !== undefined && axes[0] === rank - 1));
  return last ? undefined : { error: why, arg: 'axis' };
}

/**
 * A layer's arguments that the engine runs, resolved once by the checker: the activation, and
 * per weight (kernel, bias, gamma, …, by the prefix of its `<weight>_initializer` argument) the
 * initializer, regularizer and constraint.
 */
export interface LayerSpecs {
  activation: ActivationSpec | null;
  initializers: Record<string, InitializerSpec>;
  regularizers: Record<string, RegularizerSpec>;
  constraints: Record<string, ConstraintSpec>;
  activityRegularizer: RegularizerSpec | null;
}

/** A layer as a node of a model's graph: what lowering and the runtime read of a checked layer. */
export interface GraphLayer {
  /** Its index in the model's layers, which are in topological order. */
  id: NodeId;
  className: string;
  /** Keras's name: given with name=…, or automatic (`dense`, `dense_1`, …). */
  name: string;
  args: Args;
  /** The nodes it reads, in order: earlier layers, or model inputs (negative ids). */
  inputs: NodeId[];
  /**
   * Which output of each input node it reads, when one has several (`lstm[0][1]`, an LSTM's
   * state_h); absent, or 0, for the first (and only) output.
   */
  inputPorts?: number[];
  /** The shape of its first input; null while the model's input shape is unknown (Keras: unbuilt). */
  inputShape: Shape | null;
  outputShape: Shape | null;
  /** The shapes of its outputs after the first, when it has several (see `LayerDef.outputNames`). */
  extraOutputShapes?: Shape[];
  weights: WeightSpec[];
  /** Initial values given inline with weights=[…], in getWeights() order. */
  initialWeights?: Value[];
  specs: LayerSpecs;
}

/** One input of a model: Keras's InputLayer, node `modelInput(k)` of the graph. */
export interface ModelInput {
  /** Keras's name: given with name=…, or automatic (`input_layer`, `input_layer_1`, …). */
  name: string;
  /** Batch first; null when the data will fix it (a sequential model without Input). */
  shape: Shape | null;
}

/** A model's graph: its layers in topological order, its inputs and its outputs. */
export interface ModelGraph {
  name: string;
  /**
   * Written as a graph (named results: Keras's functional API) rather than one chain (Keras's
   * Sequential). The summary lists a functional model's input layers, as Keras does.
   */
  functional: boolean;
  /** The model's inputs in order: `fit` and `predict` take one array per input. */
  inputs: ModelInput[];
  /** `inputs[0].shape`: the input of a single-input model (null when the data will fix it). */
  inputShape: Shape | null;
  layers: GraphLayer[];
  /** The nodes whose values the model returns. */
  outputs: NodeId[];
  /** Which output of each output node the model returns, when one has several (as `inputPorts`). */
  outputPorts?: number[];
}

/**
 * The shape of output `port` of node `id` of a graph: a model input's or a layer's output (null
 * while unbuilt).
 */
export function nodeShape(graph: ModelGraph, id: NodeId, port = 0): Shape | null {
  if (id < 0) return graph.inputs[-1 - id]?.shape ?? null;
  const layer = graph.layers[id];
  if (port === 0) return layer?.outputShape ?? null;
  return layer?.extraOutputShapes?.[port - 1] ?? null;
}

/** Which output of its `k`th input node a layer reads. */
export function inputPort(layer: GraphLayer, k: number): number {
  return layer.inputPorts?.[k] ?? 0;
}

/** Which output of its `k`th output node a model returns. */
export function outputPort(graph: ModelGraph, k: number): number {
  return graph.outputPorts?.[k] ?? 0;
}

/** The shape of a model's `k`th output (null while unbuilt). */
export function modelOutputShape(graph: ModelGraph, k: number): Shape | null {
  const id = graph.outputs[k];
  return id === undefined ? null : nodeShape(graph, id, outputPort(graph, k));
}

/** Parameter counts of a layer: trainable and not. */
export function paramCounts(layer: GraphLayer): { trainable: number; nonTrainable: number } {
  let trainable = 0;
  let nonTrainable = 0;
  for (const w of layer.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.trainable) trainable += n;
    else nonTrainable += n;
  }
  return { trainable, nonTrainable };
}
