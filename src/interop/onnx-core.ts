/**
 * Core, activation, normalization, reshaping, merging and embedding layers as ONNX ops, in
 * Keras's channels-last layout (BatchNormalization, which ONNX defines on axis 1, transposes the
 * channels there and back).
 */
import type { Value } from '../catalog/index.js';
import { activationSpec } from '../layers/index.js';
import { applyActivation, type Activation } from './onnx-activations.js';
import { float, type OnnxGraph } from './onnx-graph.js';
import {
  at,
  dims,
  toChannelsFirst,
  toChannelsLast,
  type ConvertContext,
  type Converter,
} from './onnx-layer.js';

/** `spec` applied to `x`, reporting an activation ONNX lacks at the layer's `arg`. */
export function activate(
  c: ConvertContext,
  x: string,
  spec: Activation,
  arg = 'activation',
): string {
  const y = applyActivation(c.g, x, spec, at(c));
  if (y === null) {
    c.problem(`ONNX has no ${spec.name} activation.`, arg);
    return x;
  }
  return y;
}

/** A weight as an initializer named after the layer. */
export function init(c: ConvertContext, name: string): string {
  const w = c.weight(name);
  return c.g.weight(`${at(c)}/${name}`, w.shape, w.values);
}

/** The input as it is: inference drops Dropout and the noise layers. */
const identity: Converter = (_c, [x]) => [x!];

const dense: Converter = (c, [x]) => {
  const rank = c.layer.inputShapes[0]!.length;
  const kernel = init(c, 'kernel');
  const bias = c.has('bias') ? [init(c, 'bias')] : [];
  const y =
    rank === 2
      ? c.g.op('Gemm', [x!, kernel, ...bias], at(c))
      : bias.length > 0
        ? c.g.op('Add', [c.g.op('MatMul', [x!, kernel], at(c)), bias[0]!], at(c))
        : c.g.op('MatMul', [x!, kernel], at(c));
  return [activate(c, y, c.layer.activation)];
};

/** A layer that is one activation with arguments of its own (ReLU, ELU, LeakyReLU, Softmax). */
function activationLayer(spec: (args: Record<string, Value>) => Activation): Converter {
  return (c, [x]) => [activate(c, x!, spec(c.layer.args), 'activation')];
}

const relu = activationLayer((args) => ({
  ...activationSpec('relu'),
  slope: (args['negative_slope'] as number) ?? 0,
  maxValue: typeof args['max_value'] === 'number' ? args['max_value'] : Infinity,
  threshold: (args['threshold'] as number) ?? 0,
}));
const leakyRelu = activationLayer((args) => ({
  ...activationSpec('leaky_relu'),
  slope: (args['negative_slope'] as number) ?? 0.3,
}));
const elu = activationLayer((args) => ({
  ...activationSpec('elu'),
  alpha: (args['alpha'] as number) ?? 1,
}));
const softmax = activationLayer((args) => ({
  ...activationSpec('softmax'),
  axis: (args['axis'] as number) ?? -1,
}));

const prelu: Converter = (c, [x]) => [c.g.op('PRelu', [x!, init(c, 'alpha')], at(c))];

const batchNorm: Converter = (c, [x]) => {
  const { g, layer } = c;
  const rank = layer.inputShapes[0]!.length;
  const channels = layer.inputShapes[0]!.at(-1)!;
  const param = (name: string, fill: number): string =>
    c.has(name)
      ? init(c, name)
      : g.weight(`${at(c)}/${name}`, [channels], new Float32Array(channels).fill(fill));
  const inputs = [
    param('gamma', 1),
    param('beta', 0),
    param('moving_mean', 0),
    param('moving_variance', 1),
  ];
  const xt = g.transpose(x!, toChannelsFirst(rank), `${at(c)}/nchw`);
  const y = g.op('BatchNormalization', [xt, ...inputs], at(c), {
    epsilon: float(layer.args['epsilon'] as number),
  });
  return [g.transpose(y, toChannelsLast(rank), `${at(c)}/nhwc`)];
};

const layerNorm: Converter = (c, [x]) => {
  const channels = c.layer.inputShapes[0]!.at(-1)!;
  const scale = c.has('gamma')
    ? init(c, 'gamma')
    : c.g.weight(`${at(c)}/gamma`, [channels], new Float32Array(channels).fill(1));
  const bias = c.has('beta') ? [init(c, 'beta')] : [];
  return [
    c.g.op('LayerNormalization', [x!, scale, ...bias], at(c), {
      axis: -1,
      epsilon: float(c.layer.args['epsilon'] as number),
    }),
  ];
};

/** x / √max(Σx², 1e-24) over the last axis (Keras's epsilon 1e-12 on the norm). */
const unitNorm: Converter = (c, [x]) => {
  const { g } = c;
  const sum = g.op('ReduceSumSquare', [x!], at(c), { axes: [-1], keepdims: 1 });
  const floor = g.op('Max', [sum, g.scalar(`${at(c)}/floor`, 1e-24)], at(c));
  return [g.op('Div', [x!, g.op('Sqrt', [floor], at(c))], at(c))];
};

const flatten: Converter = (c, [x]) => [c.g.op('Flatten', [x!], at(c), { axis: 1 })];

/** Reshape, and what else only regroups the same values row-major: the built shape says how. */
const reshape: Converter = (c, [x]) => [
  c.g.op('Reshape', [x!, c.g.ints([0, ...dims(c.layer.outputShape)])], at(c)),
];

const permute: Converter = (c, [x]) => [
  c.g.transpose(x!, [0, ...(c.layer.args['dims'] as number[])], at(c)),
];

const repeatVector: Converter = (c, [x]) => {
  const n = c.layer.args['n'] as number;
  const features = c.layer.inputShapes[0]![1]!;
  const r = c.g.op('Reshape', [x!, c.g.ints([0, 1, features])], `${at(c)}/expand`);
  return [c.g.op('Tile', [r, c.g.ints([1, n, 1])], at(c))];
};

function merge(op: string): Converter {
  return (c, xs) => {
    if (op === 'Add' || op === 'Mul') {
      let y = xs[0]!;
      for (const x of xs.slice(1)) y = c.g.op(op, [y, x], at(c));
      return [y];
    }
    return [c.g.op(op, xs, at(c))];
  };
}

const concatenate: Converter = (c, xs) => [
  c.g.op('Concat', xs, at(c), { axis: (c.layer.args['axis'] as number) ?? -1 }),
];

/** Gather rows of the table at the ids truncated toward zero, as the engine and Keras do. */
const embedding: Converter = (c, [x]) => {
  const ids = c.g.op('Cast', [x!], `${at(c)}/ids`, { to: 7 });
  return [c.g.op('Gather', [init(c, 'embeddings'), ids], at(c), { axis: 0 })];
};

/** Keras's mask of an Embedding(mask_zero=True): 1 where the id (as given) is not 0. */
export function tokenMask(g: OnnxGraph, ids: string, base: string): string {
  const zero = g.op('Equal', [ids, g.scalar(`${base}/zero`, 0)], `${base}/mask`);
  return g.op('Cast', [g.op('Not', [zero], `${base}/mask`)], `${base}/mask`, { to: 1 });
}

/** The masked mean over steps: Σ m·x / Σ m, Keras's GlobalAveragePooling1D with a mask. */
function maskedMean(c: ConvertContext, x: string, mask: string): string {
  const { g } = c;
  const keepdims = c.layer.args['keepdims'] === true ? 1 : 0;
  const m = g.op('Unsqueeze', [mask, g.ints([2])], `${at(c)}/mask`);
  const sum = g.op('ReduceSum', [g.op('Mul', [x, m], at(c)), g.ints([1])], at(c), { keepdims });
  const count = g.op('ReduceSum', [m, g.ints([1])], `${at(c)}/count`, { keepdims });
  return g.op('Div', [sum, count], at(c));
}

const sameList = (a: number[], b: number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function globalPool(op: 'ReduceMean' | 'ReduceMax'): Converter {
  return (c, [x]) => {
    if (c.mask && op === 'ReduceMean') return [maskedMean(c, x!, c.mask)];
    const rank = c.layer.inputShapes[0]!.length;
    const keepdims = c.layer.args['keepdims'] === true ? 1 : 0;
    // After a convolution, pool its channels-first output: (n, c, …) → (n, c) as well.
    const before = c.g.transposedFrom(x!);
    if (!keepdims && before && sameList(before.perm, toChannelsLast(rank))) {
      const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
      return [c.g.op(op, [before.input], at(c), { axes, keepdims })];
    }
    const axes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
    return [c.g.op(op, [x!], at(c), { axes, keepdims })];
  };
}

/** Per spatial axis, the cells (before, after) of ZeroPadding's `padding` or Cropping's `cropping`. */
function sides(v: Value, spatial: number): [number, number][] {
  if (typeof v === 'number') return Array.from({ length: spatial }, () => [v, v]);
  const list = v as Value[];
  if (spatial === 1) return [[list[0] as number, list[1] as number]];
  return list.map((p) => (typeof p === 'number' ? [p, p] : (p as [number, number])));
}

const zeroPadding: Converter = (c, [x]) => {
  const spatial = c.layer.inputShapes[0]!.length - 2;
  const s = sides(c.layer.args['padding']!, spatial);
  const pads = [0, ...s.map((p) => p[0]), 0, 0, ...s.map((p) => p[1]), 0];
  return [c.g.op('Pad', [x!, c.g.ints(pads)], at(c))];
};

const cropping: Converter = (c, [x]) => {
  const input = c.layer.inputShapes[0]!;
  const spatial = input.length - 2;
  const s = sides(c.layer.args['cropping']!, spatial);
  const axes = s.map((_, a) => a + 1);
  const starts = s.map((p) => p[0]);
  const ends = s.map((p, a) => input[a + 1]! - p[1]);
  return [c.g.op('Slice', [x!, c.g.ints(starts), c.g.ints(ends), c.g.ints(axes)], at(c))];
};

/** Nearest up-sampling repeats each cell: (n, h, w, c) → (n, h, 1, w, 1, c), tiled, regrouped. */
const upSampling: Converter = (c, [x]) => {
  const input = dims(c.layer.inputShapes[0]!);
  const spatial = input.length - 1;
  const size = c.layer.args['size'];
  const factors = typeof size === 'number' ? Array<number>(spatial).fill(size) : (size as number[]);
  if ((c.layer.args['interpolation'] ?? 'nearest') !== 'nearest')
    c.problem("only interpolation='nearest' is exported.", 'interpolation');
  const split = [0, ...input.slice(0, spatial).flatMap((n) => [n, 1]), input[spatial]!];
  const repeats = [1, ...factors.flatMap((f) => [1, f]), 1];
  const r = c.g.op('Reshape', [x!, c.g.ints(split)], `${at(c)}/split`);
  const t = c.g.op('Tile', [r, c.g.ints(repeats)], `${at(c)}/tile`);
  return [c.g.op('Reshape', [t, c.g.ints([0, ...dims(c.layer.outputShape)])], at(c))];
};

export const coreConverters: Record<string, Converter> = {
  Dense: dense,
  Activation: (c, [x]) => [activate(c, x!, c.layer.activation)],
  Dropout: identity,
  GaussianNoise: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  ELU: elu,
  Softmax: softmax,
  PReLU: prelu,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  UnitNormalization: unitNorm,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  RepeatVector: repeatVector,
  Add: merge('Add'),
  Subtract: merge('Sub'),
  Multiply: merge('Mul'),
  Average: merge('Mean'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Concatenate: concatenate,
  Embedding: embedding,
  GlobalAveragePooling1D: globalPool('ReduceMean'),
  GlobalAveragePooling2D: globalPool('ReduceMean'),
  GlobalMaxPooling1D: globalPool('ReduceMax'),
  GlobalMaxPooling2D: globalPool('ReduceMax'),
  ZeroPadding1D: zeroPadding,
  ZeroPadding2D: zeroPadding,
  Cropping1D: cropping,
  Cropping2D: cropping,
  UpSampling1D: upSampling,
  UpSampling2D: upSampling,
};
