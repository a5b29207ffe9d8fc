/**
 * TF.js counterparts of grouped, depthwise and separable convolutions, Keras 3's defaults passed
 * explicitly (channels_last). TF.js's DepthwiseConv2D and SeparableConv2D layers compute what
 * Keras 3's do, with the same weights in the same order and shapes. TF.js has no `groups` and no
 * 1D forms, so those run Keras 3's formula as a layer with Keras's weight shapes: a grouped
 * convolution is one ungrouped tf.conv2d per group (its channels and the kernel's columns) with
 * the outputs concatenated, and a 1D layer is the 2D op on a (1, steps) image.
 */
import * as tf from '@tensorflow/tfjs';
import { tfjsActivation } from './tfjs-activations.js';
import { asCall, boolArg, isTuple, numArg, type Arg, type KerasCall } from './spec.js';

type Pad = 'valid' | 'same';

/** A window argument as one int per spatial axis (an int is every axis). */
function perAxis(a: Arg | undefined, rank: 1 | 2, fallback: number): number[] {
  if (a === undefined) return Array<number>(rank).fill(fallback);
  if (typeof a === 'number') return Array<number>(rank).fill(a);
  if (isTuple(a)) return a.flat();
  throw new Error(`expected an int or a tuple, found ${String(a)}`);
}

/** The layer's window as 2-D pairs (a 1D layer is height 1) and its activation layers. */
interface Window {
  rank: 1 | 2;
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: Pad;
}

function windowOf(l: KerasCall, kernelAt: number): Window {
  const rank = l.call.endsWith('1D') ? 1 : 2;
  const a = l.args ?? {};
  const pair = (v: number[]): [number, number] => (rank === 1 ? [1, v[0]!] : [v[0]!, v[1]!]);
  return {
    rank,
    kernel: pair(perAxis(l.positional?.[kernelAt] ?? a['kernel_size'], rank, 1)),
    strides: pair(perAxis(a['strides'], rank, 1)),
    dilation: pair(perAxis(a['dilation_rate'], rank, 1)),
    padding: ((a['padding'] as Pad | undefined) ?? 'valid') as Pad,
  };
}

/** Keras's output size along one axis (§1.3). */
function outSize(n: number | null, k: number, s: number, d: number, padding: Pad): number | null {
  if (n === null) return null;
  return padding === 'same' ? Math.ceil(n / s) : Math.floor((n - d * (k - 1) - 1) / s) + 1;
}

/** The activation after a formula layer, as a TF.js layer (none for linear). */
function activationAfter(l: KerasCall): tf.layers.Layer[] {
  const act = asCall(l.args?.['activation']);
  if (!act) return [];
  const t = tfjsActivation(act);
  if (t.kind !== 'identifier') throw new Error(`the depthwise cases use identifier activations`);
  return [tf.layers.activation({ activation: t.id as 'relu' })];
}

/**
 * Keras 3's grouped, depthwise-1D and separable-1D convolutions as one layer with Keras's weights:
 * `kernels` are the weight shapes given the input channels, `run` the formula on a 4-D input.
 */
class FormulaConv extends tf.layers.Layer {
  static readonly className = 'ConformanceFormulaConv';
  private vars: tf.LayerVariable[] = [];

  constructor(
    private readonly win: Window,
    private readonly outChannels: (c: number) => number,
    private readonly kernels: (c: number) => number[][],
    private readonly run: (x: tf.Tensor4D, w: tf.Tensor[], c: number) => tf.Tensor4D,
  ) {
    super({});
  }

  override build(shape: tf.Shape | tf.Shape[]): void {
    const c = (shape as tf.Shape).at(-1) as number;
    const zeros = tf.initializers.zeros();
    this.vars = this.kernels(c).map((s, i) => this.addWeight(`w${i}`, s, 'float32', zeros));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor;
      const c = x.shape.at(-1)!;
      const x4 = (this.win.rank === 1 ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
      const y = this.run(
        x4,
        this.vars.map((v) => v.read()),
        c,
      );
      return this.win.rank === 1 ? tf.squeeze(y, [1]) : y;
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = shape as tf.Shape;
    const { kernel: k, strides: st, dilation: d, padding } = this.win;
    const spatial = s.slice(1, -1).map((n, i) => {
      const a = this.win.rank === 1 ? 1 : i;
      return outSize(n, k[a]!, st[a]!, d[a]!, padding);
    });
    return [s[0]!, ...spatial, this.outChannels(s.at(-1) as number)];
  }
}

/** Keras 3's Conv with groups > 1: per group an ungrouped conv2d, outputs concatenated. */
function groupedConv(l: KerasCall, formulas: string[]): tf.layers.Layer[] {
  const win = windowOf(l, 1);
  const filters = l.positional?.[0] as number;
  const groups = numArg(l, 'groups', 1);
  const useBias = boolArg(l, 'use_bias', true);
  formulas.push(`${l.call}(groups=${groups}), absent from TF.js: per-group conv2d, concatenated`);
  const layer = new FormulaConv(
    win,
    () => filters,
    (c) => [
      [...win.kernel.slice(2 - win.rank), c / groups, filters],
      ...(useBias ? [[filters]] : []),
    ],
    (x, [kernel, bias]) => {
      const k4 = kernel!.reshape([...win.kernel, -1, filters]) as tf.Tensor4D;
      const xs = tf.split(x, groups, 3);
      const ks = tf.split(k4, groups, 3);
      const ys = xs.map((xg, g) =>
        tf.conv2d(
          xg as tf.Tensor4D,
          ks[g]! as tf.Tensor4D,
          win.strides,
          win.padding,
          'NHWC',
          win.dilation,
        ),
      );
      const y = tf.concat(ys, 3);
      return (bias ? tf.add(y, bias) : y) as tf.Tensor4D;
    },
  );
  return [layer, ...activationAfter(l)];
}

/** The config TF.js's DepthwiseConv2D and SeparableConv2D share, Keras 3's values given. */
function layerConfig(win: Window, depthMultiplier: number, useBias: boolean) {
  return {
    kernelSize: win.kernel,
    strides: win.strides,
    padding: win.padding,
    depthMultiplier,
    dilationRate: win.dilation,
    useBias,
  };
}

/** TF.js's DepthwiseConv2D, or Keras 3's DepthwiseConv1D as tf.depthwiseConv2d on a (1, steps) image. */
function depthwise(l: KerasCall, formulas: string[]): tf.layers.Layer[] {
  const win = windowOf(l, 0);
  const multiplier = numArg(l, 'depth_multiplier', 1);
  const useBias = boolArg(l, 'use_bias', true);
  if (win.rank === 2)
    return [
      tf.layers.depthwiseConv2d(layerConfig(win, multiplier, useBias)),
      ...activationAfter(l),
    ];
  formulas.push('DepthwiseConv1D, absent from TF.js: depthwiseConv2d over a (1, steps) image');
  const layer = new FormulaConv(
    win,
    (c) => c * multiplier,
    (c) => [[win.kernel[1], c, multiplier], ...(useBias ? [[c * multiplier]] : [])],
    (x, [kernel, bias], c) => {
      const k4 = kernel!.reshape([1, win.kernel[1], c, multiplier]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x, k4, win.strides, win.padding, 'NHWC', win.dilation);
      return (bias ? tf.add(y, bias) : y) as tf.Tensor4D;
    },
  );
  return [layer, ...activationAfter(l)];
}

/** TF.js's SeparableConv2D, or Keras 3's SeparableConv1D as tf.separableConv2d on a (1, steps) image. */
function separable(l: KerasCall, formulas: string[]): tf.layers.Layer[] {
  const win = windowOf(l, 1);
  const filters = l.positional?.[0] as number;
  const multiplier = numArg(l, 'depth_multiplier', 1);
  const useBias = boolArg(l, 'use_bias', true);
  if (win.rank === 2) {
    const config = { ...layerConfig(win, multiplier, useBias), filters };
    return [tf.layers.separableConv2d(config), ...activationAfter(l)];
  }
  formulas.push('SeparableConv1D, absent from TF.js: separableConv2d over a (1, steps) image');
  const layer = new FormulaConv(
    win,
    () => filters,
    (c) => [
      [win.kernel[1], c, multiplier],
      [1, c * multiplier, filters],
      ...(useBias ? [[filters]] : []),
    ],
    (x, [depth, point, bias], c) => {
      const d4 = depth!.reshape([1, win.kernel[1], c, multiplier]) as tf.Tensor4D;
      const p4 = point!.reshape([1, 1, c * multiplier, filters]) as tf.Tensor4D;
      const y = tf.separableConv2d(x, d4, p4, win.strides, win.padding, win.dilation, 'NHWC');
      return (bias ? tf.add(y, bias) : y) as tf.Tensor4D;
    },
  );
  return [layer, ...activationAfter(l)];
}

/** The TF.js layers for a grouped, depthwise or separable convolution; null for any other layer. */
export function depthwiseLayers(l: KerasCall, formulas: string[]): tf.layers.Layer[] | null {
  switch (l.call) {
    case 'Conv1D':
    case 'Conv2D':
      return numArg(l, 'groups', 1) > 1 ? groupedConv(l, formulas) : null;
    case 'DepthwiseConv1D':
    case 'DepthwiseConv2D':
      return depthwise(l, formulas);
    case 'SeparableConv1D':
    case 'SeparableConv2D':
      return separable(l, formulas);
    default:
      return null;
  }
}
