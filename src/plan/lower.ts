/**
 * Lowers a built model graph to plans: the inference plan (forward only) and the training-step
 * plan (forward in training mode, loss, backward in reverse topological order with gradients
 * summed where a value fans out, weight regularization, the optimizer update). Each layer
 * lowers by its own `LayerDef`; lowering emits plain, unfused steps that the passes optimize.
 */
import {
  lastAxis,
  PlanBuilder,
  PlanError,
  type LossSpec,
  type OptimizerSpec,
  type Plan,
  type PlanWeight,
  type RegularizerSpec,
} from '../ir/index.js';
import {
  inputIndex,
  inputPort,
  layerDefs,
  nodeShape,
  outputMask,
  outputPort,
  sampleSize,
  type BuiltLayer,
  type Forward,
  type GraphLayer,
  type LayerLowering,
  type LowerContext,
  type ModelGraph,
  type NodeId,
  type Shape,
} from '../layers/index.js';
import { layoutState, type ParamEntry, type ParamLayout } from './params.js';

export interface LowerInput {
  /** A built graph: every layer's shapes known. */
  graph: ModelGraph;
  params: ParamLayout;
  batchSize: number;
}

/** The loss of one output. */
export interface OutputLoss {
  loss: LossSpec;
  /** Targets per sample: 1 for sparse class indices, else the output's size. */
  targetSize: number;
  /** Keras's loss_weights entry: the total loss is Σ weight·loss. */
  weight: number;
}

export interface EvaluationInput extends LowerInput {
  /** One per model output, in order. */
  losses: OutputLoss[];
}

export interface TrainingInput extends EvaluationInput {
  optimizer: OptimizerSpec;
}

/** The forward pass of every layer: the buffer of each node's value, and what backward reads. */
interface ForwardPass {
  b: PlanBuilder;
  weights: PlanWeight[];
  inputs: number[];
  /** Each node's output buffers: one, or several for a layer with several outputs. */
  values: Map<NodeId, number[]>;
  forwards: Forward[];
  /** Per layer, the buffer of the mask on its input (Keras's, from Embedding(mask_zero=True)), or null. */
  inputMasks: (number | null)[];
  /** The buffer of the mask on each node's (first) output, for the nodes that carry one. */
  masks: Map<NodeId, number>;
}

/** The buffer of output `port` of node `id`. */
function valueAt(pass: ForwardPass, id: NodeId, port = 0): number {
  return pass.values.get(id)![port]!;
}

/** A key for a node's output in the gradient map: which node, which of its outputs. */
function gradKey(id: NodeId, port = 0): string {
  return `${id}:${port}`;
}

export function lowerInference(input: LowerInput): Plan {
  const { pass, penalty } = forwardWithPenalty(input);
  return finish(pass, 'inference', input, null, penalty, input.params.weightSize);
}

/**
 * Keras's evaluate: the inference forward pass, then the loss of the batch by the same step as
 * training's (so a softmax or sigmoid output's cross-entropy comes from its logits in both).
 */
export function lowerEvaluation(input: EvaluationInput): Plan {
  const { pass, penalty } = forwardWithPenalty(input);
  const losses = lossSteps(pass, input, false);
  return finish(pass, 'evaluation', input, losses, penalty, input.params.weightSize);
}

/** The forward pass at inference, with the activity penalty Keras adds to every loss it reports. */
function forwardWithPenalty(input: LowerInput): { pass: ForwardPass; penalty: number | null } {
  let penalty: number | null = null;
  const pass = forwardPass(input, false, (c, f) => {
    const regularizer = activityRegularizer(c.layer);
    if (!regularizer) return;
    penalty ??= c.b.fixed('activity_penalty', 'scalar', [1]);
    c.b.step('activity_penalty', c.layer.name, [f.y, penalty], [penalty], {
      regularizer,
      size: sampleSize(c.layer.outputShape),
    });
  });
  return { pass, penalty };
}

/** The losses of the model's outputs. */
interface LossSteps {
  targets: number[];
  /** The total loss (the one output's, or Σ weight·loss with several). */
  loss: number;
  /** Each output's loss scalar, with several outputs. */
  outputLosses: number[];
  /** Per output, the buffer of Keras's mask on it, or -1. */
  masks: number[];
  /** Per output (node, which of its outputs), the gradient of the total loss with respect to it. */
  dOuts: [NodeId, number, number][];
}

/**
 * One loss step per output, each writing its loss and its gradient with respect to the output;
 * with several outputs a `weighted_sum` step gives Keras's total Σ weight·loss, and in training
 * each gradient is scaled by its weight (when not 1).
 */
function lossSteps(pass: ForwardPass, input: EvaluationInput, training: boolean): LossSteps {
  const { b } = pass;
  const { graph } = input;
  if (input.losses.length !== graph.outputs.length)
    throw new PlanError(
      `model '${graph.name}' has ${graph.outputs.length} outputs but ${input.losses.length} losses.`,
    );
  const several = graph.outputs.length > 1;
  const out: LossSteps = { targets: [], loss: -1, outputLosses: [], masks: [], dOuts: [] };
  graph.outputs.forEach((node, k) => {
    const { loss: spec, targetSize, weight } = input.losses[k]!;
    const port = outputPort(graph, k);
    const shape = shapeOf(graph, node, port);
    const name = nodeName(graph, node) + (port > 0 ? `_${port}` : '');
    const prefix = several ? `${name}/` : '';
    const target = b.batch(`${prefix}y_true`, 'target', [null, targetSize]);
    const loss = b.fixed(`${prefix}loss`, 'scalar', [1]);
    const dOut = b.batch(`${prefix}d_out`, 'gradient', shape);
    // Keras's loss reads y_pred's mask (a layer's first output carries it, its states none).
    const mask = (port === 0 ? pass.masks.get(node) : undefined) ?? -1;
    const axes = lastAxis(shape);
    if (mask >= 0 && b.buffers[mask]!.size !== axes.rows)
      throw new PlanError(
        `the mask on '${name}' has ${b.buffers[mask]!.size} values per sample, not one per row of its loss (${axes.rows}).`,
      );
    const inputs = [valueAt(pass, node, port), target, ...(mask >= 0 ? [mask] : [])];
    b.step('loss', several ? name : 'loss', inputs, [loss, dOut], {
      loss: spec,
      ...axes,
      ...(mask >= 0 ? { masked: true } : {}),
    });
    if (training && weight !== 1)
      b.step('scale', 'loss', [dOut], [dOut], { factor: weight, size: sampleSize(shape) });
    out.targets.push(target);
    out.outputLosses.push(loss);
    out.masks.push(mask);
    out.dOuts.push([node, port, dOut]);
  });
  if (several) {
    out.loss = b.fixed('loss', 'scalar', [1]);
    b.step('weighted_sum', 'loss', out.outputLosses, [out.loss], {
      weights: input.losses.map((l) => l.weight),
    });
  } else {
    out.loss = out.outputLosses[0]!;
    out.outputLosses = [];
  }
  return out;
}

function nodeName(graph: ModelGraph, id: NodeId): string {
  return id < 0 ? graph.inputs[inputIndex(id)]!.name : graph.layers[id]!.name;
}

export function lowerTraining(input: TrainingInput): Plan {
  // Keras trains the weights the loss has a gradient for: those of layers the output depends on.
  const pass = forwardPass(input, true, undefined, upstreamOf(input.graph, input.graph.outputs));
  const { b, weights, forwards, inputMasks } = pass;
  const { graph } = input;
  const losses = lossSteps(pass, input, true);
  const loss = losses.loss;

  // Backward in reverse topological order; a node read by several layers sums their gradients.
  const grads = new Map<string, number>();
  for (const [node, port, dOut] of losses.dOuts) accumulate(b, grads, node, dOut, graph, port);
  const trains = trainsUpstream(graph, weights);
  for (let i = graph.layers.length - 1; i >= 0; i--) {
    const layer = graph.layers[i]!;
    const dy = grads.get(gradKey(i));
    // A layer with several outputs: the gradients of the ones after the first (null: none).
    const dExtra = (layer.extraOutputShapes ?? []).map(
      (_, k) => grads.get(gradKey(i, k + 1)) ?? null,
    );
    // No path from this layer to the loss needs a gradient.
    if (dy === undefined && dExtra.every((d) => d === null)) continue;
    const c = context(b, graph, layer, true, weights, inputMasks[i]!);
    const regularizer = activityRegularizer(c.layer);
    if (regularizer && dy !== undefined) {
      // Keras adds regularizer(output) / batch_size to the loss; its gradient joins dy.
      b.step('activity_regularizer', layer.name, [forwards[i]!.y, dy, loss], [dy, loss], {
        regularizer,
        size: sampleSize(c.layer.outputShape),
      });
    }
    const needDx = layer.inputs.map((id) => id >= 0 && trains[id]!);
    const dxs =
      dExtra.length > 0
        ? lowering(layer).backward(c, forwards[i]!, dy ?? -1, needDx, dExtra)
        : lowering(layer).backward(c, forwards[i]!, dy!, needDx);
    dxs.forEach((dx, k) => {
      if (dx !== null) accumulate(b, grads, layer.inputs[k]!, dx, graph, inputPort(layer, k));
    });
  }
  for (const w of weights) {
    const regularizer = entryOf(input.params, w).regularizer;
    if (w.grad !== null && regularizer !== null)
      b.step('regularizer', w.layer, [w.buffer, loss], [w.grad, loss], {
        regularizer,
        weight: w.name,
      });
  }
  const trainable = weights.filter((w) => w.grad !== null);
  const state = layoutState(
    input.params,
    input.optimizer,
    trainable.map((w) => entryOf(input.params, w)),
  );
  if (trainable.length > 0) {
    const entries = trainable.map((w) => entryOf(input.params, w));
    const slots = state.slots.map((slot) => {
      const owner =
        slot.weight < 0
          ? 'optimizer'
          : `${trainable[slot.weight]!.layer}/${trainable[slot.weight]!.name}`;
      return b.fixed(`${owner}/${slot.name}`, 'state', [slot.size], slot.offset);
    });
    b.step(
      'optimizer',
      'optimizer',
      [...trainable.map((w) => w.grad!), ...slots],
      [...trainable.map((w) => w.buffer), ...slots],
      {
        optimizer: input.optimizer,
        weights: entries.map((e) => ({
          name: `${e.layer}/${e.name}`,
          shape: e.shape,
          constraint: e.constraint,
        })),
        slots: slots.length,
      },
    );
  }
  return finish(pass, 'training', input, losses, null, input.params.size + state.size);
}

/** Lowers every layer's forward pass in order; `after` may add steps behind each layer. */
function forwardPass(
  input: LowerInput,
  training: boolean,
  after?: (c: LowerContext, f: Forward) => void,
  trained: ReadonlySet<string> = new Set(),
): ForwardPass {
  const b = new PlanBuilder();
  const weights = paramBuffers(b, input.params, trained);
  const { graph } = input;
  // One buffer per model input: `x` for the one input of most models, else named after each.
  const inputs = graph.inputs.map((input, k) => {
    if (!input.shape) throw new PlanError(`model '${graph.name}' is not built.`);
    return b.batch(graph.inputs.length === 1 ? 'x' : input.name, 'input', input.shape);
  });
  if (inputs.length === 0) throw new PlanError(`model '${graph.name}' has no input.`);
  const values = new Map<NodeId, number[]>();
  const forwards: Forward[] = [];
  const masks = new Map<NodeId, number>();
  const inputMasks: (number | null)[] = [];
  const valueOf = (id: NodeId, port: number) =>
    id < 0 ? inputs[inputIndex(id)]! : values.get(id)![port]!;
  for (const layer of graph.layers) {
    // Keras masks a layer's first output only: its returned states carry none.
    const mask =
      layer.inputs
        .map((id, k) => (inputPort(layer, k) === 0 ? masks.get(id) : undefined))
        .find((m) => m !== undefined) ?? null;
    inputMasks.push(mask);
    const c = context(b, graph, layer, training, weights, mask);
    // The checker reports these (NN2015) and compile() stops there; reaching one is a bug.
    const limit = layerDefs[layer.className]?.engineLimit?.(
      layer.args,
      c.layer.inputShapes[0]?.length,
    );
    if (limit) throw new PlanError(`'${layer.name}' (${layer.className}): ${limit.error}`);
    const masked = outputMask(layer.className, layer.args, mask !== null);
    if (masked === undefined)
      throw new PlanError(`'${layer.name}' (${layer.className}) cannot take a masked input.`);
    const f = lowering(layer).forward(
      c,
      layer.inputs.map((id, k) => valueOf(id, inputPort(layer, k))),
    );
    if ((f.extra?.length ?? 0) !== (layer.extraOutputShapes?.length ?? 0))
      throw new PlanError(
        `'${layer.name}' (${layer.className}) lowered the wrong number of outputs.`,
      );
    forwards.push(f);
    values.set(layer.id, [f.y, ...(f.extra ?? [])]);
    const outMask = f.mask ?? (masked ? mask : null);
    if (outMask !== null) masks.set(layer.id, outMask);
    after?.(c, f);
  }
  for (const id of graph.outputs) if (id < 0) values.set(id, [valueOf(id, 0)]);
  return { b, weights, inputs, values, forwards, inputMasks, masks };
}

/**
 * Adds `dx` to the gradient of output `port` of node `id`: the first contribution is it, later
 * ones are summed.
 */
function accumulate(
  b: PlanBuilder,
  grads: Map<string, number>,
  id: NodeId,
  dx: number,
  graph: ModelGraph,
  port = 0,
): void {
  if (id < 0) return; // the model's input: nobody reads its gradient
  const key = gradKey(id, port);
  const earlier = grads.get(key);
  if (earlier === undefined) {
    grads.set(key, dx);
    return;
  }
  const shape = shapeOf(graph, id, port);
  const name = `${graph.layers[id]!.name}/d_out${port > 0 ? port : ''}_sum`;
  const taken = b.buffers.filter((x) => x.name === name || x.name.startsWith(`${name}_`)).length;
  const sum = b.batch(taken === 0 ? name : `${name}_${taken}`, 'gradient', shape);
  b.step('add', graph.layers[id]!.name, [earlier, dx], [sum], { size: sampleSize(shape) });
  grads.set(key, sum);
}

/** The names of the layers that `nodes` depend on, themselves included. */
function upstreamOf(graph: ModelGraph, nodes: readonly NodeId[]): Set<string> {
  const seen = new Set<string>();
  const stack = nodes.filter((id) => id >= 0);
  while (stack.length > 0) {
    const layer = graph.layers[stack.pop()!]!;
    if (seen.has(layer.name)) continue;
    seen.add(layer.name);
    for (const id of layer.inputs) if (id >= 0) stack.push(id);
  }
  return seen;
}

/** Per layer: whether it or any layer it reads from has weights to train (so needs a gradient). */
function trainsUpstream(graph: ModelGraph, weights: PlanWeight[]): boolean[] {
  const trains: boolean[] = [];
  for (const layer of graph.layers) {
    const own = weights.some((w) => w.layer === layer.name && w.grad !== null);
    trains.push(own || layer.inputs.some((id) => id >= 0 && trains[id]!));
  }
  return trains;
}

function shapeOf(graph: ModelGraph, id: NodeId, port = 0): Shape {
  const shape = nodeShape(graph, id, port);
  if (!shape) throw new PlanError(`model '${graph.name}' is not built.`);
  return shape;
}

function activityRegularizer(layer: BuiltLayer): RegularizerSpec | null {
  return layer.specs.activityRegularizer;
}

function entryOf(params: ParamLayout, w: PlanWeight): ParamEntry {
  return params.entries.find((e) => e.layer === w.layer && e.name === w.name)!;
}

function lowering(layer: GraphLayer): LayerLowering {
  const l = layerDefs[layer.className]?.lowering;
  if (!l) throw new PlanError(`the engine cannot run ${layer.className} layers yet.`);
  return l;
}

function context(
  b: PlanBuilder,
  graph: ModelGraph,
  layer: GraphLayer,
  training: boolean,
  weights: PlanWeight[],
  mask: number | null,
): LowerContext {
  const find = (name: string) => weights.find((w) => w.layer === layer.name && w.name === name);
  if (!layer.outputShape)
    throw new PlanError(`layer '${layer.name}' is not built: its input shape is unknown.`);
  const built: BuiltLayer = {
    className: layer.className,
    name: layer.name,
    args: layer.args,
    inputShapes: layer.inputs.map((id, k) => shapeOf(graph, id, inputPort(layer, k))),
    outputShape: layer.outputShape,
    ...(layer.extraOutputShapes ? { extraOutputShapes: layer.extraOutputShapes } : {}),
    specs: layer.specs,
  };
  return {
    b,
    layer: built,
    training,
    param: (name) => find(name)?.buffer ?? null,
    grad: (name) => find(name)?.grad ?? null,
    mask,
  };
}

/** Parameter buffers at the layout's fixed offsets; gradients for the trainable weights of `trained` layers. */
function paramBuffers(
  b: PlanBuilder,
  params: ParamLayout,
  trained: ReadonlySet<string>,
): PlanWeight[] {
  return params.entries.map((e) => ({
    layer: e.layer,
    name: e.name,
    buffer: b.fixed(`${e.layer}/${e.name}`, 'param', e.shape, e.offset),
    grad:
      trained.has(e.layer) && e.gradOffset >= 0
        ? b.fixed(`${e.layer}/${e.name}/grad`, 'grad', e.shape, e.gradOffset)
        : null,
    shape: e.shape,
    trainable: e.trainable,
  }));
}

function finish(
  pass: ForwardPass,
  mode: Plan['mode'],
  input: LowerInput,
  losses: LossSteps | null,
  penalty: number | null,
  paramSize: number,
): Plan {
  return {
    mode,
    batchSize: input.batchSize,
    buffers: pass.b.buffers,
    prepare: pass.b.prepare,
    steps: pass.b.steps,
    weights: pass.weights,
    inputs: pass.inputs,
    outputs: input.graph.outputs.map((id, k) => valueAt(pass, id, outputPort(input.graph, k))),
    targets: losses?.targets ?? [],
    loss: losses?.loss ?? null,
    outputLosses: losses?.outputLosses ?? [],
    targetMasks: losses?.masks ?? [],
    penalty,
    workSize: 0,
    paramSize,
  };
}
