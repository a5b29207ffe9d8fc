/**
 * Lowers a built model to plans: the inference plan (forward only) and the training-step plan
 * (forward in training mode, loss, backward in reverse layer order, regularization, optimizer
 * update). Lowering emits plain, unfused steps; the passes in passes.ts optimize them.
 */
import type { CallValue } from '../catalog/index.js';
import type { CheckedLayer } from '../check/index.js';
import { sampleSize } from '../layers/index.js';
import { PlanBuilder, PlanError } from './builder.js';
import { lastAxis, layerLowerings, type Forward, type LayerContext } from './lower-layers.js';
import type { ParamLayout } from './params.js';
import type { Attr, Plan, PlanWeight } from './types.js';

export interface LowerInput {
  layers: readonly CheckedLayer[];
  /** Batch first, batch dimension null. */
  inputShape: (number | null)[];
  params: ParamLayout;
  batchSize: number;
}

export interface TrainingInput extends LowerInput {
  loss: CallValue;
  /** Targets per sample: 1 for sparse class indices, else the output's size. */
  targetSize: number;
}

export function lowerInference(input: LowerInput): Plan {
  const b = new PlanBuilder();
  const weights = paramBuffers(b, input);
  const x = b.batch('x', 'input', input.inputShape);
  let y = x;
  let penalty: number | null = null;
  for (const layer of input.layers) {
    y = lowering(layer).forward(context(b, layer, false, weights), y).y;
    // Keras adds activity regularization to every loss it reports, evaluate's too.
    const reg = layer.args['activity_regularizer'];
    if (reg === null || reg === undefined) continue;
    penalty ??= b.fixed('activity_penalty', 'scalar', [1]);
    const size = sampleSize(layer.outputShape!);
    b.step('activity_penalty', layer.name, [y, penalty], [penalty], {
      regularizer: reg as Attr,
      size,
    });
  }
  return finish(b, 'inference', input, weights, x, y, null, penalty);
}

export function lowerTraining(input: TrainingInput): Plan {
  const b = new PlanBuilder();
  const weights = paramBuffers(b, input);
  const x = b.batch('x', 'input', input.inputShape);
  const forwards: Forward[] = [];
  let y = x;
  for (const layer of input.layers) {
    const f = lowering(layer).forward(context(b, layer, true, weights), y);
    forwards.push(f);
    y = f.y;
  }
  const outputShape = input.layers.at(-1)?.outputShape ?? input.inputShape;
  const target = b.batch('y_true', 'target', [null, input.targetSize]);
  const loss = b.fixed('loss', 'scalar', [1]);
  let dy = b.batch('d_out', 'gradient', outputShape);
  const { rows, cols } = lastAxis(outputShape);
  b.step('loss', 'loss', [y, target], [loss, dy], {
    loss: input.loss as unknown as Attr,
    rows,
    cols,
  });

  // Backward: a layer needs dx only when some layer before it has weights to train.
  const trainsBefore = input.layers.map((_, i) =>
    input.layers
      .slice(0, i)
      .some((l) => weights.some((w) => w.layer === l.name && w.grad !== null)),
  );
  for (let i = input.layers.length - 1; i >= 0; i--) {
    const layer = input.layers[i]!;
    const c = context(b, layer, true, weights);
    dy = activityRegularizer(c, forwards[i]!, dy, loss);
    const dx = lowering(layer).backward(c, forwards[i]!, dy, trainsBefore[i]!);
    if (dx === null) break;
    dy = dx;
  }
  for (const w of weights) {
    const reg = input.params.entries.find(
      (e) => e.layer === w.layer && e.name === w.name,
    )!.regularizer;
    if (w.grad !== null && reg !== null)
      b.step('regularizer', w.layer, [w.buffer, loss], [w.grad, loss], {
        regularizer: reg as Attr,
        weight: w.name,
      });
  }
  const trainable = weights.filter((w) => w.grad !== null);
  if (trainable.length > 0)
    b.step(
      'optimizer',
      'optimizer',
      trainable.map((w) => w.grad!),
      trainable.map((w) => w.buffer),
      {},
    );
  return finish(b, 'training', input, weights, x, y, target, loss);
}

/** Keras adds `regularizer(output) / batch_size` to the loss; its gradient joins dy. */
function activityRegularizer(c: LayerContext, f: Forward, dy: number, loss: number): number {
  const reg = c.layer.args['activity_regularizer'];
  if (reg === null || reg === undefined) return dy;
  const size = sampleSize(c.layer.outputShape!);
  c.b.step('activity_regularizer', c.layer.name, [f.y, dy, loss], [dy, loss], {
    regularizer: reg as Attr,
    size,
  });
  return dy;
}

function lowering(layer: CheckedLayer) {
  const l = layerLowerings[layer.className];
  if (!l) throw new PlanError(`the engine cannot run ${layer.className} layers yet.`);
  if (!layer.inputShape || !layer.outputShape)
    throw new PlanError(`layer '${layer.name}' is not built: its input shape is unknown.`);
  return l;
}

function context(
  b: PlanBuilder,
  layer: CheckedLayer,
  training: boolean,
  weights: PlanWeight[],
): LayerContext {
  const find = (name: string) => weights.find((w) => w.layer === layer.name && w.name === name);
  return {
    b,
    layer,
    training,
    param: (name) => find(name)?.buffer ?? null,
    grad: (name) => find(name)?.grad ?? null,
  };
}

/** Parameter buffers at the layout's fixed offsets (shared by every plan of the model). */
function paramBuffers(b: PlanBuilder, input: LowerInput): PlanWeight[] {
  return input.params.entries.map((e) => ({
    layer: e.layer,
    name: e.name,
    buffer: b.fixed(`${e.layer}/${e.name}`, 'param', e.shape, e.offset),
    grad:
      e.gradOffset < 0 ? null : b.fixed(`${e.layer}/${e.name}/grad`, 'grad', e.shape, e.gradOffset),
    shape: e.shape,
    trainable: e.trainable,
    initializer: e.initializer,
    constraint: e.constraint,
  }));
}

function finish(
  b: PlanBuilder,
  mode: Plan['mode'],
  input: LowerInput,
  weights: PlanWeight[],
  x: number,
  y: number,
  target: number | null,
  loss: number | null,
): Plan {
  return {
    mode,
    batchSize: input.batchSize,
    buffers: b.buffers,
    prepare: b.prepare,
    steps: b.steps,
    weights,
    input: x,
    output: y,
    target,
    loss,
    workSize: 0,
    paramSize: input.params.size,
  };
}
