/** Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization. */
import type { Args, Value } from '../catalog/index.js';
import { lastAxis, optional, PlanError } from '../ir/index.js';
import {
  inputGradient,
  inputShape,
  output,
  type Forward,
  type LayerLowering,
  type LowerContext,
} from './lowering.js';
import {
  lastAxisOnly,
  normalizeAxis,
  oneInput,
  type LayerDef,
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

const checkedAxis = oneInput((input: Shape, args: Args): Shape | ShapeError => {
  const dims = axisDims(input, args['axis'] ?? -1);
  return Array.isArray(dims) ? input : dims;
});

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

/** Rows and columns of a normalization over the last axis (the engine's only one). */
function rowsCols(c: LowerContext) {
  return lastAxis(inputShape(c.layer));
}

/** The backward step of Batch/LayerNormalization: dx, dγ and dβ from the saved statistics. */
function normalizationBackward(
  op: 'batch_norm_backward' | 'layer_norm_backward',
  c: LowerContext,
  f: Forward,
  dy: number,
  needDx: boolean[],
): (number | null)[] {
  const dx = inputGradient(c, needDx[0]);
  const dGamma = c.grad('gamma');
  const dBeta = c.grad('beta');
  if (dx === null && dGamma === null && dBeta === null) return [null];
  const saved = [f.saved['mean']!, f.saved['invStd']!];
  c.b.step(
    op,
    c.layer.name,
    [f.xs[0]!, dy, c.param('gamma') ?? -1, ...saved],
    optional(dx, dGamma, dBeta),
    rowsCols(c),
  );
  return [dx];
}

const batchNormLowering: LayerLowering = {
  forward(c, xs): Forward {
    const x = xs[0]!;
    const { rows, cols } = rowsCols(c);
    const y = output(c);
    const stats = optional(
      c.param('gamma'),
      c.param('beta'),
      c.param('moving_mean'),
      c.param('moving_variance'),
    );
    const attrs = {
      rows,
      cols,
      epsilon: c.layer.args['epsilon'] as number,
      momentum: c.layer.args['momentum'] as number,
    };
    if (!c.training || c.layer.args['trainable'] === false) {
      c.b.step('batch_norm', c.layer.name, [x, ...stats], [y], attrs);
      return { xs, y, saved: {} };
    }
    const mean = c.b.fixed(`${c.layer.name}/batch_mean`, 'activation', [cols]);
    const invStd = c.b.fixed(`${c.layer.name}/batch_inv_std`, 'activation', [cols]);
    // It also moves the moving statistics: written, so listed as outputs.
    const moving = stats.slice(2);
    c.b.step('batch_norm_train', c.layer.name, [x, ...stats], [y, mean, invStd, ...moving], attrs);
    return { xs, y, saved: { mean, invStd } };
  },
  backward(c, f, dy, needDx) {
    if (f.saved['mean'] === undefined) {
      throw new PlanError(
        `training through a frozen ${c.layer.className} is not supported by the engine yet.`,
      );
    }
    return normalizationBackward('batch_norm_backward', c, f, dy, needDx);
  },
};

const layerNormLowering: LayerLowering = {
  forward(c, xs) {
    const { rows, cols } = rowsCols(c);
    const y = output(c);
    const mean = c.b.batch(`${c.layer.name}/row_mean`, 'activation', [null, rows]);
    const invStd = c.b.batch(`${c.layer.name}/row_inv_std`, 'activation', [null, rows]);
    c.b.step(
      'layer_norm',
      c.layer.name,
      [xs[0]!, ...optional(c.param('gamma'), c.param('beta'))],
      [y, mean, invStd],
      { rows, cols, epsilon: c.layer.args['epsilon'] as number },
    );
    return { xs, y, saved: { mean, invStd } };
  },
  backward: (c, f, dy, needDx) => normalizationBackward('layer_norm_backward', c, f, dy, needDx),
};

const unitNormLowering: LayerLowering = {
  forward(c, xs) {
    const y = output(c);
    c.b.step('unit_norm', c.layer.name, [xs[0]!], [y], rowsCols(c));
    return { xs, y, saved: {} };
  },
  backward(c, f, dy, needDx) {
    const dx = inputGradient(c, needDx[0]);
    if (dx === null) return [null];
    c.b.step('unit_norm_backward', c.layer.name, [f.xs[0]!, f.y, dy], [dx], rowsCols(c));
    return [dx];
  },
};

export const normalizationLayers: Record<string, LayerDef> = {
  BatchNormalization: {
    outputShape: checkedAxis,
    weights: ([input], args) =>
      affineWeights(input!, args, [
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
    lowering: batchNormLowering,
    engineLimit: (args, rank) => lastAxisOnly(args, rank),
  },
  LayerNormalization: {
    outputShape: checkedAxis,
    weights: ([input], args) => affineWeights(input!, args),
    lowering: layerNormLowering,
    engineLimit(args, rank) {
      if (args['rms_scaling'] === true)
        return { error: 'the engine normalizes by mean and variance only.', arg: 'rms_scaling' };
      return lastAxisOnly(args, rank);
    },
  },
  UnitNormalization: {
    outputShape: checkedAxis,
    lowering: unitNormLowering,
    engineLimit: (args, rank) => lastAxisOnly(args, rank),
  },
};
