/**
 * One Keras layer → the Python expression that builds it from torch-runtime.ts's classes, with
 * its weights' shapes, initializers, regularizers and constraints. A layer or argument value
 * the runtime does not compute as Keras does is a problem naming it, never a different layer.
 */
import { isCallValue, type Args, type CallValue, type Value } from '../catalog/index.js';
import { activationSpec, type GraphLayer, type WeightSpec } from '../layers/index.js';
import { resolveActivation, type ActivationSpec } from '../kernels/activation-spec.js';
import { pyDict, pyKeywords, pyString, pyValue } from './python-literals.js';
import { torchRuntime } from './python-torch-runtime.js';
import type { PythonProblems } from './python-problems.js';

/**
 * Activations the runtime's `_activation()` computes (Keras 3's formulas), read from its text so
 * the list cannot drift from the table: the `if name == "…"` cases and the table's keys.
 */
export const torchActivations = new Set(
  [
    ...torchRuntime
      .slice(torchRuntime.indexOf('def _activation('), torchRuntime.indexOf('return table[name]'))
      .matchAll(/^ {8}"([a-z0-9_]+)": |if name == "([a-z0-9_]+)"/gm),
  ].map((m) => m[1] ?? m[2]!),
);

/** Activations whose threshold the runtime always takes (its default there is relu's 0). */
const thresholded = new Set(['hard_shrink', 'soft_shrink', 'threshold']);

const initializers = new Set([
  'Zeros',
  'Ones',
  'Constant',
  'RandomNormal',
  'RandomUniform',
  'TruncatedNormal',
  'VarianceScaling',
  'GlorotUniform',
  'GlorotNormal',
  'HeUniform',
  'HeNormal',
  'LecunUniform',
  'LecunNormal',
  'Orthogonal',
  'Identity',
]);
const regularizers = new Set(['L1', 'L2', 'L1L2']);
const constraints = new Set(['MaxNorm', 'MinMaxNorm', 'NonNeg', 'UnitNorm']);

/** Where a layer's arguments are read, for problems. */
interface At {
  layer: string;
  problems: PythonProblems;
}

/** `activation("relu", max_value=0.5)`: the spec's arguments that differ from the name's defaults. */
export function activationExpr(spec: ActivationSpec, at: At, arg = 'activation'): string {
  if (!torchActivations.has(spec.name)) {
    at.problems.add(at.layer, `the PyTorch target has no activation '${spec.name}' yet.`, arg);
    return 'None';
  }
  // threshold has no defaults (Keras requires both its arguments): all of it is written.
  const d = spec.name === 'threshold' ? spec : resolveActivation(spec.name);
  const kw: Args = {};
  if (spec.alpha !== d.alpha) kw['alpha'] = spec.alpha;
  if (spec.slope !== d.slope || (spec.name === 'leaky_relu' && spec.slope !== 0))
    kw['negative_slope'] = spec.slope;
  const max = spec.maxValue === null || spec.maxValue === Infinity ? null : spec.maxValue;
  if (max !== null) kw['max_value'] = max;
  if (spec.threshold !== d.threshold || thresholded.has(spec.name))
    kw['threshold'] = spec.threshold;
  if (spec.name === 'threshold') kw['default_value'] = spec.defaultValue;
  if (spec.name === 'squareplus' && spec.b !== 4) kw['b'] = spec.b;
  if (spec.axis !== d.axis) kw['axis'] = spec.axis;
  if (spec.approximate) kw['approximate'] = true;
  const rest = pyKeywords(kw);
  return `activation(${pyString(spec.name)}${rest ? `, ${rest}` : ''})`;
}

function activationOf(args: Args, name: string, at: At): string {
  return activationExpr(activationSpec(args[name] ?? null), at, name);
}

/** `("HeNormal", {})`: a serialized object without its seed (a seed changes no trained number). */
function objectExpr(
  kind: string,
  known: Set<string>,
  v: Value | undefined,
  at: At,
  arg: string,
): string {
  if (v === null || v === undefined) return 'None';
  if (!isCallValue(v) || !known.has(v.call)) {
    const name = isCallValue(v) ? v.call : JSON.stringify(v);
    at.problems.add(at.layer, `the PyTorch target has no ${kind} ${name} yet.`, arg);
    return 'None';
  }
  const args = Object.fromEntries(Object.entries(v.args).filter(([k]) => k !== 'seed'));
  return `(${pyString(v.call)}, ${pyDict(args)})`;
}

/** The argument prefix of a weight's regularizer and constraint: `recurrent_kernel` → `recurrent`. */
function argPrefix(weight: string): string {
  return weight.endsWith('_kernel') ? weight.slice(0, -'_kernel'.length) : weight;
}

/** The runtime's weight tuples, `(name, shape, trainable, init, regularizer, constraint)`. */
function weightsExpr(weights: WeightSpec[], args: Args, at: At, kernelPrefix = 'kernel'): string {
  const items = weights.map((w) => {
    const name = w.name.slice(w.name.lastIndexOf('/') + 1);
    const p = name === 'kernel' ? kernelPrefix : argPrefix(name);
    const arg = (kind: string, known: Set<string>, value?: Value) =>
      objectExpr(kind, known, value ?? args[`${p}_${kind}`], at, `${p}_${kind}`);
    const init = arg('initializer', initializers, w.initializer);
    const reg = arg('regularizer', regularizers);
    const con = arg('constraint', constraints);
    const shape = pyValue(w.shape);
    return `(${pyString(name)}, ${shape}, ${w.trainable ? 'True' : 'False'}, ${init}, ${reg}, ${con})`;
  });
  return items.length === 0
    ? '[]'
    : `[\n${items.map((i) => `            ${i},\n`).join('')}        ]`;
}

/**
 * A padding, cropping or size as one (before, after) pair per spatial axis, from Keras's
 * spellings: an int (every side), one int per axis, or the pairs themselves (a 1D layer's one
 * pair is its axis's).
 */
function pairs(v: Value, rank: number): Value {
  if (typeof v === 'number') return Array.from({ length: rank }, () => [v, v]);
  if (rank === 1 && Array.isArray(v) && v.every((x) => typeof x === 'number')) return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v.map((x) => [x, x]);
  return v;
}

/** An int or one per axis, as one per axis. */
function perAxis(v: Value, rank: number): Value {
  return typeof v === 'number' ? Array.from({ length: rank }, () => v) : v;
}

/** Refuses an argument unless it holds the value the runtime computes. */
function only(
  args: Args,
  name: string,
  ok: (v: Value | undefined) => boolean,
  why: string,
  at: At,
): void {
  if (!ok(args[name])) at.problems.add(at.layer, `the PyTorch target ${why}`, name);
}

const channelsLast = (v: Value | undefined) =>
  v === null || v === undefined || v === 'channels_last';
const lastAxis = (v: Value | undefined) =>
  v === -1 || (Array.isArray(v) && v.length === 1 && v[0] === -1);

/**
 * The expression that builds `className` with `args` and `weights` (Keras's get_weights order),
 * or 'None' after reporting why it cannot.
 */
export function layerExpr(
  className: string,
  args: Args,
  weights: WeightSpec[],
  rank: number,
  at: At,
): string {
  const w = () => weightsExpr(weights, args, at);
  const lastAxisOnly = () =>
    only(args, 'axis', (v) => lastAxis(v) || v === rank - 1, 'normalizes the last axis only.', at);
  if ('data_format' in args)
    only(args, 'data_format', channelsLast, 'computes channels_last only.', at);
  switch (className) {
    case 'Dense':
      return `Dense(${activationOf(args, 'activation', at)}, ${w()})`;
    case 'Activation':
      return `Activation(${activationOf(args, 'activation', at)})`;
    case 'ReLU': {
      const max = args['max_value'] ?? null;
      const spec = activationSpec({
        call: 'relu',
        args: {
          negative_slope: args['negative_slope'] ?? 0,
          max_value: max,
          threshold: args['threshold'] ?? 0,
        },
      });
      return `Activation(${activationExpr(spec, at)})`;
    }
    case 'LeakyReLU':
      return `Activation(${activationExpr(activationSpec({ call: 'leaky_relu', args: { negative_slope: args['negative_slope'] ?? 0.3 } }), at)})`;
    case 'ELU':
      return `Activation(${activationExpr(activationSpec({ call: 'elu', args: { alpha: args['alpha'] ?? 1 } }), at)})`;
    case 'Softmax':
      only(args, 'axis', lastAxis, 'computes Softmax over the last axis only.', at);
      return `Activation(activation("softmax"))`;
    case 'PReLU':
      return `PReLU(${w()})`;
    case 'Dropout':
      only(
        args,
        'noise_shape',
        (v) => v === null || v === undefined,
        'has no noise_shape yet.',
        at,
      );
      return `Dropout(${pyValue(args['rate'])})`;
    case 'SpatialDropout1D':
    case 'SpatialDropout2D':
      return `SpatialDropout(${pyValue(args['rate'])})`;
    case 'GaussianNoise':
      return `GaussianNoise(${pyValue(args['stddev'])})`;
    case 'BatchNormalization':
      lastAxisOnly();
      return `BatchNormalization(${pyValue(args['momentum'])}, ${pyValue(args['epsilon'])}, ${w()})`;
    case 'LayerNormalization':
      lastAxisOnly();
      only(args, 'rms_scaling', (v) => v !== true, 'has no rms_scaling yet.', at);
      return `LayerNormalization(${pyValue(args['epsilon'])}, ${w()})`;
    case 'Flatten':
      return 'Flatten()';
    case 'Reshape':
      return `Reshape(${pyValue(args['target_shape'])})`;
    case 'Permute':
      return `Permute(${pyValue(args['dims'])})`;
    case 'RepeatVector':
      return `RepeatVector(${pyValue(args['n'])})`;
    case 'Conv1D':
    case 'Conv2D': {
      const r = className === 'Conv1D' ? 1 : 2;
      const a = ['kernel_size', 'strides', 'padding', 'dilation_rate'].map((k) => pyValue(args[k]));
      const groups = args['groups'] ?? 1;
      const g = groups === 1 ? '' : `, groups=${pyValue(groups)}`;
      return `Conv(${r}, ${a.join(', ')}, ${activationOf(args, 'activation', at)}, ${w()}${g})`;
    }
    case 'DepthwiseConv1D':
    case 'DepthwiseConv2D':
    case 'SeparableConv1D':
    case 'SeparableConv2D': {
      const r = className.endsWith('1D') ? 1 : 2;
      const a = ['kernel_size', 'strides', 'padding', 'dilation_rate'].map((k) => pyValue(args[k]));
      // DepthwiseConv's 'kernel' takes the depthwise_* arguments.
      const ws = weightsExpr(weights, args, at, 'depthwise');
      return `DepthwiseConv(${r}, ${a.join(', ')}, ${activationOf(args, 'activation', at)}, ${ws})`;
    }
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D': {
      const r = className.endsWith('1D') ? 1 : 2;
      const kind = className.startsWith('Max') ? 'max' : 'average';
      const a = ['pool_size', 'strides', 'padding'].map((k) => pyValue(args[k]));
      return `Pooling(${r}, ${pyString(kind)}, ${a.join(', ')})`;
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D': {
      const kind = className.startsWith('GlobalMax') ? 'max' : 'average';
      return `GlobalPooling(${pyString(kind)}, ${pyValue(args['keepdims'] ?? false)})`;
    }
    case 'ZeroPadding1D':
    case 'ZeroPadding2D':
      return `ZeroPadding(${pyValue(pairs(args['padding']!, className.endsWith('1D') ? 1 : 2))})`;
    case 'Cropping1D':
    case 'Cropping2D':
      return `Cropping(${pyValue(pairs(args['cropping']!, className.endsWith('1D') ? 1 : 2))})`;
    case 'UnitNormalization':
      lastAxisOnly();
      return 'UnitNormalization()';
    case 'UpSampling1D':
      return `UpSampling(${pyValue(perAxis(args['size']!, 1))})`;
    case 'UpSampling2D':
      only(
        args,
        'interpolation',
        (v) => v === 'nearest' || v === undefined,
        "computes interpolation='nearest' only.",
        at,
      );
      return `UpSampling(${pyValue(perAxis(args['size']!, 2))})`;
    case 'Embedding':
      return `Embedding(${w()})`;
    case 'Add':
    case 'Subtract':
    case 'Multiply':
    case 'Average':
    case 'Maximum':
    case 'Minimum':
      return `Merge(${pyString(className)})`;
    case 'Concatenate':
      return `Merge("Concatenate", ${pyValue(args['axis'])})`;
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      return recurrentExpr(className, args, weights, at);
    case 'Bidirectional':
      return bidirectionalExpr(args, weights, rank, at);
    case 'TimeDistributed': {
      const inner = args['layer'];
      if (!isCallValue(inner)) break;
      return `TimeDistributed(${layerExpr(inner.call, inner.args, weights, rank - 1, at)})`;
    }
  }
  at.problems.add(at.layer, `the PyTorch target has no layer ${className} yet.`);
  return 'None';
}

function recurrentExpr(className: string, args: Args, weights: WeightSpec[], at: At): string {
  only(args, 'stateful', (v) => v !== true, 'has no stateful recurrent layers.', at);
  const recurrentAct =
    className === 'SimpleRNN' ? 'None' : activationOf(args, 'recurrent_activation', at);
  const flags = ['return_sequences', 'return_state', 'go_backwards'].map((k) =>
    pyValue(args[k] ?? false),
  );
  const resetAfter = pyValue(className === 'GRU' ? (args['reset_after'] ?? true) : false);
  const dropouts = pyKeywords(
    Object.fromEntries(
      ['dropout', 'recurrent_dropout']
        .map((k) => [k, args[k] ?? 0] as const)
        .filter(([, v]) => v !== 0),
    ),
  );
  const rates = dropouts ? `, ${dropouts}` : '';
  const forgetBias = pyValue(className === 'LSTM' ? (args['unit_forget_bias'] ?? true) : false);
  return (
    `Recurrent(${pyString(className)}, ${pyValue(args['units'])}, ${activationOf(args, 'activation', at)}, ` +
    `${recurrentAct}, ${flags.join(', ')}, ${resetAfter}, ${forgetBias}, ${weightsExpr(weights, args, at)}${rates})`
  );
}

function bidirectionalExpr(args: Args, weights: WeightSpec[], rank: number, at: At): string {
  const inner = args['layer'];
  const mode = args['merge_mode'] === undefined ? 'concat' : args['merge_mode'];
  if (!isCallValue(inner)) {
    at.problems.add(at.layer, 'the PyTorch target needs the wrapped layer.', 'layer');
    return 'None';
  }
  if (args['backward_layer'] !== null && args['backward_layer'] !== undefined)
    at.problems.add(at.layer, 'the PyTorch target has no backward_layer yet.', 'backward_layer');
  const half = weights.length / 2;
  const forward = inner as CallValue;
  const backward = {
    call: forward.call,
    args: { ...forward.args, go_backwards: !(forward.args['go_backwards'] ?? false) },
  };
  const f = layerExpr(forward.call, forward.args, weights.slice(0, half), rank, at);
  const b = layerExpr(backward.call, backward.args, weights.slice(half), rank, at);
  return `Bidirectional(\n            ${f},\n            ${b},\n            ${pyValue(mode)},\n        )`;
}
