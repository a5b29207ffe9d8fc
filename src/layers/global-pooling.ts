/**
 * Global pooling: GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D reduce every spatial
 * position of a sample to one value per channel (the steps, or rows × cols).
 */
import type { GlobalPoolAttrs } from '../ir/index.js';
import { inputGradient, inputShape, output, type LayerLowering } from './lowering.js';
import {
  channelAxis,
  channelsLastOnly,
  expectSpatialRank,
  spatialAxes,
  spatialLayout,
} from './spatial.js';
import { oneInput, type LayerDef, type LowerContext } from './types.js';

/** The step's sizes: every spatial position of the input, each of `channels` values. */
function poolAttrs(c: LowerContext, pool: 'avg' | 'max'): GlobalPoolAttrs {
  const { sizes, channels } = spatialLayout(inputShape(c.layer));
  const masked = c.mask !== undefined && c.mask !== null;
  return { pool, steps: sizes.reduce((a, b) => a * b, 1), channels, ...(masked ? { masked } : {}) };
}

function globalPoolLowering(pool: 'avg' | 'max'): LayerLowering {
  return {
    forward(c, xs) {
      const y = output(c);
      // GlobalAveragePooling1D with Keras's mask: the mean of the unmasked steps.
      const mask = c.mask ?? null;
      const reads = mask === null ? [xs[0]!] : [xs[0]!, mask];
      c.b.step('global_pool', c.layer.name, reads, [y], poolAttrs(c, pool));
      return { xs, y, saved: {} };
    },
    backward(c, f, dy, needDx) {
      const dx = inputGradient(c, needDx[0]);
      if (dx === null) return [null];
      // The max's gradient goes to the positions equal to it: it reads the input and output.
      const mask = c.mask ?? null;
      const reads = pool === 'max' ? [dy, f.xs[0]!, f.y] : mask === null ? [dy] : [dy, mask];
      c.b.step('global_pool_backward', c.layer.name, reads, [dx], poolAttrs(c, pool));
      return [dx];
    },
  };
}

/** Keras's global pooling over `spatial` axes: (batch, …, C) → (batch, C), or size-1 axes with keepdims. */
function globalPool(spatial: number, pool: 'avg' | 'max'): LayerDef {
  return {
    outputShape: oneInput((input, args) => {
      const wrong = expectSpatialRank(input, spatial);
      if (wrong) return wrong;
      const pooled = new Set(spatialAxes(args, input.length));
      if (args['keepdims'] === true) return input.map((d, i) => (pooled.has(i) ? 1 : d));
      return [input[0] ?? null, input[channelAxis(args, input.length)] ?? null];
    }),
    lowering: globalPoolLowering(pool),
    engineLimit: (args) => channelsLastOnly(args),
  };
}

export const globalPoolingLayers: Record<string, LayerDef> = {
  GlobalAveragePooling1D: globalPool(1, 'avg'),
  GlobalAveragePooling2D: globalPool(2, 'avg'),
  GlobalMaxPooling1D: globalPool(1, 'max'),
  GlobalMaxPooling2D: globalPool(2, 'max'),
};
