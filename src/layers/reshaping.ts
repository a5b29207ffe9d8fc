/**
 * Reshaping layers that copy values: ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D and
 * RepeatVector each lower to one `spatial_copy` step whose axes say, per spatial axis, which
 * input position each output position reads (see CopyAxis); Permute to a `permute` step.
 */
import type { Args, Value } from '../catalog/index.js';
import { cropAxis, padAxis, repeatAxis, type CopyAxis } from '../kernels/index.js';
import { inputGradient, inputShape, output, type LayerLowering } from './lowering.js';
import { channelsLastOnly, expectSpatialRank, spatialAxes, spatialLayout } from './spatial.js';
import {
  oneInput,
  shapeToString,
  type BuiltLayer,
  type LayerDef,
  type Shape,
  type ShapeError,
} from './types.js';

/** Per spatial axis, the (before, after) amounts of padding or cropping. */
type Amounts = [number, number][];

const isCount = (v: Value | undefined): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A (before, after) pair from an int (both sides) or a tuple of two. */
function amountPair(v: Value | undefined): [number, number] | undefined {
  if (isCount(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && isCount(v[0]) && isCount(v[1])) return [v[0], v[1]];
  return undefined;
}

/**
 * Keras's padding / cropping argument over `spatial` axes: 1D takes an int or (before, after);
 * 2D an int, (rows, cols) symmetric amounts, or ((top, bottom), (left, right)).
 */
function amounts(args: Args, arg: string, spatial: number): Amounts | ShapeError {
  const v = args[arg];
  const form =
    spatial === 1
      ? 'an integer or a tuple (before, after) of non-negative integers'
      : 'an integer, a tuple (rows, cols) or a tuple ((top, bottom), (left, right)) of non-negative integers';
  const wrong = { error: `'${arg}' must be ${form}.`, arg };
  if (spatial === 1) {
    const p = amountPair(v);
    return p ? [p] : wrong;
  }
  if (isCount(v))
    return [
      [v, v],
      [v, v],
    ];
  if (!Array.isArray(v) || v.length !== 2) return wrong;
  const out = v.map((e) => (isCount(e) ? ([e, e] as [number, number]) : amountPair(e)));
  return out.every((p) => p !== undefined) ? (out as Amounts) : wrong;
}

/** Keras's UpSampling `size` as one factor per spatial axis. */
function factors(args: Args, spatial: number): number[] {
  const v = args['size'];
  return Array.isArray(v) ? (v as number[]) : Array.from({ length: spatial }, () => v as number);
}

/** The input's shape with each spatial axis resized by `resize` (unknown sizes stay unknown). */
function resized(
  input: Shape,
  args: Args,
  resize: (size: number, k: number) => number | ShapeError,
): Shape | ShapeError {
  const out = [...input];
  for (const [k, axis] of spatialAxes(args, input.length).entries()) {
    const size = input[axis];
    if (size === null || size === undefined) continue;
    const n = resize(size, k);
    if (typeof n !== 'number') return n;
    out[axis] = n;
  }
  return out;
}

/** One copy step forward, its gradient backward; `axes` maps the layer's spatial axes. */
function copyLowering(axes: (layer: BuiltLayer) => CopyAxis[]): LayerLowering {
  const attrs = (layer: BuiltLayer) => {
    const shape = inputShape(layer);
    return { axes: axes(layer), channels: shape.at(-1) as number };
  };
  return {
    forward(c, xs) {
      const y = output(c);
      c.b.step('spatial_copy', c.layer.name, [xs[0]!], [y], attrs(c.layer));
      return { xs, y, saved: {} };
    },
    backward(c, _f, dy, needDx) {
      const dx = inputGradient(c, needDx[0]);
      if (dx === null) return [null];
      c.b.step('spatial_copy_backward', c.layer.name, [dy], [dx], attrs(c.layer));
      return [dx];
    },
  };
}

/**
 * ZeroPadding and Cropping: `arg` holds (before, after) amounts per spatial axis; `resize` is
 * the new size of an axis (or why there is none) and `axis` its copy mapping.
 */
function edgeLayer(
  spatial: number,
  arg: 'padding' | 'cropping',
  resize: (
    size: number,
    before: number,
    after: number,
    k: number,
    input: Shape,
  ) => number | ShapeError,
  axis: (size: number, before: number, after: number) => CopyAxis,
): LayerDef {
  return {
    outputShape: oneInput((input, args) => {
      const given = amounts(args, arg, spatial);
      if (!Array.isArray(given)) return given;
      const wrong = expectSpatialRank(input, spatial);
      if (wrong) return wrong;
      return resized(input, args, (size, k) => resize(size, ...given[k]!, k, input));
    }),
    lowering: copyLowering((layer) => {
      const given = amounts(layer.args, arg, spatial) as Amounts;
      const { sizes } = spatialLayout(inputShape(layer));
      return sizes.map((size, k) => axis(size, ...given[k]!));
    }),
    engineLimit: (args) => channelsLastOnly(args),
  };
}

const zeroPadding = (spatial: number): LayerDef =>
  edgeLayer(spatial, 'padding', (size, before, after) => before + size + after, padAxis);

const cropping = (spatial: number): LayerDef =>
  edgeLayer(
    spatial,
    'cropping',
    (size, before, after, k, input) => {
      if (before + after < size) return size - before - after;
      const axis = spatial === 1 ? 'steps' : k === 0 ? 'rows' : 'cols';
      return {
        error: `cropping ${before} + ${after} of its ${size} ${axis} leaves nothing of ${shapeToString(input)}.`,
        arg: 'cropping',
      };
    },
    cropAxis,
  );

function upSampling(spatial: number): LayerDef {
  return {
    outputShape: oneInput((input, args) => {
      const size = factors(args, spatial);
      if (size.length !== spatial)
        return { error: `'size' must have ${spatial} factors, found ${size.length}.`, arg: 'size' };
      const wrong = expectSpatialRank(input, spatial);
      if (wrong) return wrong;
      return resized(input, args, (n, k) => n * size[k]!);
    }),
    lowering: copyLowering((layer) => {
      const size = factors(layer.args, spatial);
      const { sizes } = spatialLayout(inputShape(layer));
      return sizes.map((n, k) => repeatAxis(n, size[k]!));
    }),
    engineLimit(args) {
      const interpolation = args['interpolation'] ?? 'nearest';
      if (interpolation !== 'nearest')
        return {
          error: "the engine upsamples by repeating values only (interpolation='nearest').",
          arg: 'interpolation',
        };
      return channelsLastOnly(args);
    },
  };
}

const repeatVector: LayerDef = {
  outputShape: oneInput((input, args) => {
    if (input.length !== 2)
      return {
        error: `it expects a 2D input (batch, features), found ${shapeToString(input)}.`,
      };
    return [input[0] ?? null, args['n'] as number, input[1] ?? null];
  }),
  // The features are the channels of one position read n times.
  lowering: copyLowering((layer) => [repeatAxis(1, layer.args['n'] as number)]),
};

/** Permute's 1-based `dims` (a tuple; one int for a single axis). */
function permuteDims(args: Args): number[] {
  const dims = args['dims'];
  return Array.isArray(dims) ? (dims as number[]) : [dims as number];
}

/** The step attributes: the sample's shape and the 0-based order of its axes. */
function permuteAttrs(layer: BuiltLayer): { shape: number[]; perm: number[] } {
  return {
    shape: inputShape(layer).slice(1) as number[],
    perm: permuteDims(layer.args).map((d) => d - 1),
  };
}

const permute: LayerDef = {
  outputShape: oneInput((input, args) => {
    const dims = permuteDims(args);
    const rank = input.length - 1;
    const sorted = [...dims].sort((a, b) => a - b);
    if (dims.length !== rank || sorted.some((d, i) => d !== i + 1)) {
      const axes = Array.from({ length: rank }, (_, i) => i + 1);
      return {
        error: `'dims' must order the ${rank} axes of a sample ${shapeToString(input)}, numbered from 1: a permutation of ${shapeToString(axes)}, found ${shapeToString(dims)}.`,
        arg: 'dims',
      };
    }
    return [input[0] ?? null, ...dims.map((d) => input[d] ?? null)];
  }),
  lowering: {
    forward(c, xs) {
      const y = output(c);
      c.b.step('permute', c.layer.name, [xs[0]!], [y], permuteAttrs(c.layer));
      return { xs, y, saved: {} };
    },
    backward(c, _f, dy, needDx) {
      const dx = inputGradient(c, needDx[0]);
      if (dx === null) return [null];
      c.b.step('permute_backward', c.layer.name, [dy], [dx], permuteAttrs(c.layer));
      return [dx];
    },
  },
};

export const reshapingLayers: Record<string, LayerDef> = {
  Permute: permute,
  ZeroPadding1D: zeroPadding(1),
  ZeroPadding2D: zeroPadding(2),
  Cropping1D: cropping(1),
  Cropping2D: cropping(2),
  UpSampling1D: upSampling(1),
  UpSampling2D: upSampling(2),
  RepeatVector: repeatVector,
};
