/** Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization. */
import type { Args, Value } from '../catalog/index.js';
import {
  normalizeAxis,
  type LayerRule,
  type Shape,
  type ShapeError,
  type WeightSpec,
} from './types.js';

/** The dims at `axis` (an int or a list), or why they cannot be read from `input`. */
function axisDims(input: Shape, axis: Value): number[] | ShapeError {
  const axes = Array.isArray(axis) ? (axis as number[]) : [axis as number];
  const dims: number[] = [];
  for (const a of axes) {
    const i = normalizeAxis(a, input.length);
    if (i === undefined || i === 0)
      return { error: `axis ${a} is out of range for rank ${input.length}.`, arg: 'axis' };
    const d = input[i];
    if (d === null || d === undefined)
      return { error: `the dimension at axis ${a} must be known.`, arg: 'axis' };
    dims.push(d);
  }
  return dims;
}

function checkedAxis(input: Shape, args: Args): Shape | ShapeError {
  const dims = axisDims(input, args['axis'] ?? -1);
  return Array.isArray(dims) ? input : dims;
}

function affineWeights(input: Shape, args: Args, extra: WeightSpec[] = []): WeightSpec[] {
  const dims = axisDims(input, args['axis'] ?? -1) as number[];
  const weights: WeightSpec[] = [];
  if (args['scale'] !== false)
    weights.push({
      name: 'gamma',
      shape: dims,
      trainable: true,
      initializer: args['gamma_initializer'] ?? 'ones',
    });
  if (args['center'] !== false)
    weights.push({
      name: 'beta',
      shape: dims,
      trainable: true,
      initializer: args['beta_initializer'] ?? 'zeros',
    });
  return [...weights, ...extra.map((w) => ({ ...w, shape: dims }))];
}

export const normalizationLayers: Record<string, LayerRule> = {
  BatchNormalization: {
    outputShape: checkedAxis,
    weights: (input, args) =>
      affineWeights(input, args, [
        {
          name: 'moving_mean',
          shape: [],
          trainable: false,
          initializer: args['moving_mean_initializer'] ?? 'zeros',
        },
        {
          name: 'moving_variance',
          shape: [],
          trainable: false,
          initializer: args['moving_variance_initializer'] ?? 'ones',
        },
      ]),
  },
  LayerNormalization: {
    outputShape: checkedAxis,
    weights: (input, args) => affineWeights(input, args),
  },
  UnitNormalization: { outputShape: checkedAxis },
};
