/**
 * The memory a model needs before anything runs: the engine holds a session in one Float32Array
 * (src/backends/bind.ts `Memory`: weights, gradients and optimizer state, then the activations),
 * so a model whose lower bound exceeds the longest array it can allocate is refused here (NN3020)
 * with the figure and the limit, instead of dying with "Invalid typed array length" at run time.
 */
import { groupThousands, layerDefs, readableSize, type Shape } from '../layers/index.js';
import { optimizerSlots } from '../optim/index.js';
import type { Binder } from './bind.js';
import type { CheckedLayer, CheckedModel } from './types.js';

/**
 * The most float32 elements the engine's one block may hold: V8's longest typed array in Node 20
 * (2^32 elements, 16 GB, measured: `new Float32Array(2 ** 32 + 1)` throws a RangeError).
 */
export const engineMaxFloats = 2 ** 32;

/** Keras's default batch size, used when fit() names none. */
const defaultBatchSize = 32;

/** A model's memory, in float32 elements: each part is a lower bound on what the engine allocates. */
export interface MemoryNeed {
  weights: number;
  gradients: number;
  optimizerState: number;
  activations: number;
  batchSize: number;
  training: boolean;
}

/** Reports NN3020 when the model cannot fit in the engine's one block at its batch size. */
export function checkMemory(model: CheckedModel, binder: Binder): void {
  const need = memoryNeed(model);
  const total = need.weights + need.gradients + need.optimizerState + need.activations;
  if (total <= engineMaxFloats) return;
  const culprit = largestLayer(model.layers, need.batchSize);
  const parts = [
    `weights ${floats(need.weights)}`,
    ...(need.training ? [`gradients ${floats(need.gradients)}`] : []),
    ...(need.optimizerState > 0 ? [`optimizer state ${floats(need.optimizerState)}`] : []),
    `activations ${floats(need.activations)} at batch size ${need.batchSize}`,
  ];
  binder.sink.report('memoryLimit', culprit?.range ?? model.range, {
    model: model.name,
    mode: need.training ? 'train' : 'run',
    need: floats(total),
    limit: floats(engineMaxFloats),
    parts: parts.join(' + '),
  });
}

/** A lower bound of the floats the engine needs for the model (training when it has a loss). */
export function memoryNeed(model: CheckedModel): MemoryNeed {
  const training = model.compile?.loss != null;
  const batchSize = batchOf(model);
  let weights = 0;
  const trained: number[] = [];
  for (const layer of model.layers) {
    const frozen = layer.args['trainable'] === false;
    for (const w of layer.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      weights += size;
      if (w.trainable && !frozen) trained.push(size);
    }
  }
  const spec = model.compile?.optimizerSpec;
  const gradients = training ? trained.reduce((a, b) => a + b, 0) : 0;
  const optimizerState =
    training && spec ? optimizerSlots(spec, trained).reduce((a, s) => a + s.size, 0) : 0;
  // A layer with weights reads its input while it writes its output (others may run in place or
  // vanish at inference, as Dropout does); training also keeps the input of every layer with
  // weights until its backward step (for the kernel's gradient), and the loss reads the output.
  // A convolution's im2col matrix joins its input and output, and training keeps it instead of
  // the input (the larger of the two counts).
  const weighted = model.layers.filter((l) => l.weights.length > 0);
  const output = perSample(model.layers.at(-1)?.outputShape ?? null);
  const running = Math.max(
    output,
    perSample(model.layers[0]?.inputShape ?? null),
    ...weighted.map(
      (l) => perSample(l.inputShape) + perSample(l.outputShape) + workspace(l) + scratch(l),
    ),
  );
  // And every dropout mask drawn in the forward pass, until its layer's backward step.
  const kept = weighted.reduce(
    (a, l) => a + Math.max(perSample(l.inputShape), scratch(l)) + workspace(l),
    output + model.layers.reduce((a, l) => a + dropoutWorkspace(l), 0),
  );
  const perBatch = training ? Math.max(running, kept) : running;
  return {
    weights,
    gradients,
    optimizerState,
    activations: perBatch * batchSize,
    batchSize,
    training,
  };
}

/** What a layer's step keeps besides its input and output, per sample (LayerDef.workspace). */
function workspace(layer: CheckedLayer): number {
  const rule = layerDefs[layer.className]?.workspace;
  return rule && layer.inputShape ? rule(layer.inputShape, layer.args) : 0;
}

/** What a layer's training step keeps for its dropout, per sample (LayerDef.dropoutWorkspace). */
function dropoutWorkspace(layer: CheckedLayer): number {
  const rule = layerDefs[layer.className]?.dropoutWorkspace;
  return rule && layer.inputShape ? rule(layer.inputShape, layer.args) : 0;
}

function batchOf(model: CheckedModel): number {
  const given = model.fit?.args['batch_size'];
  const fixed = model.inputShape?.[0];
  if (typeof given === 'number' && given > 0) return given;
  return typeof fixed === 'number' && fixed > 0 ? fixed : defaultBatchSize;
}

/** The floats per sample a layer's step needs beyond its input and output. */
function scratch(layer: CheckedLayer): number {
  const def = layerDefs[layer.className];
  return layer.inputShape && def?.scratch ? def.scratch([layer.inputShape], layer.args) : 0;
}

/** Elements per sample of a batch-first shape; unknown sizes count as 0 (a lower bound). */
function perSample(shape: Shape | null): number {
  if (!shape) return 0;
  return shape.slice(1).reduce<number>((a, d) => a * (d ?? 0), 1);
}

/** The layer that needs the most: its weights and its output over the batch. */
function largestLayer(layers: readonly CheckedLayer[], batch: number): CheckedLayer | undefined {
  let best: CheckedLayer | undefined;
  let most = -1;
  for (const [i, layer] of layers.entries()) {
    const weights = layer.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0);
    const input = i === 0 ? perSample(layer.inputShape) : 0;
    const size = weights + batch * (input + perSample(layer.outputShape));
    if (size > most) [best, most] = [layer, size];
  }
  return best;
}

/** A count of floats with its size in bytes, as the summary prints them. */
function floats(n: number): string {
  if (!Number.isFinite(n)) return 'more floats than a number can count';
  const count = Number.isSafeInteger(n) ? groupThousands(n) : `~${roughly(n)}`;
  return `${count} floats (${readableSize(n * 4)})`;
}

/** A count past 2^53 (no longer exact in a float) to three significant digits, in full. */
function roughly(n: number): string {
  const [mantissa, exponent] = n.toPrecision(3).split('e+');
  const digits = mantissa!.replace('.', '');
  return groupThousands(BigInt(digits.padEnd(Number(exponent ?? 0) + 1, '0')));
}
