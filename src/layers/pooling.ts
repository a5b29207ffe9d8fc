/**
 * Pooling layers: MaxPooling1D/2D and AveragePooling1D/2D, channels last (1-D is height 1).
 * `strides` defaults to `pool_size`, as in Keras. Max pooling saves each output's winning tap in
 * training so backward scatters without searching; average pooling's 'same' divides by the cells
 * inside the input (Keras excludes the padding).
 */
import type { Args } from '../catalog/index.js';
import { PlanError, type WindowGeometry } from '../ir/index.js';
import { inputGradient, inputShape, output, type LayerLowering } from './lowering.js';
import { oneInput, type LayerDef, type ShapeError } from './types.js';
import {
  channelsLastOnly,
  failed,
  windowGeometry,
  windowOutputShape,
  windowTuple,
  type Window,
} from './window.js';

function poolWindow(args: Args, spatial: 1 | 2): Window | ShapeError {
  const kernel = windowTuple(args, 'pool_size', spatial);
  if (failed(kernel)) return kernel;
  const strides =
    args['strides'] === null || args['strides'] === undefined
      ? kernel
      : windowTuple(args, 'strides', spatial);
  if (failed(strides)) return strides;
  const padding = (args['padding'] ?? 'valid') as Window['padding'];
  const dilation = kernel.map(() => 1);
  return { spatial, kernel, strides, dilation, padding, sizeArg: 'pool_size' };
}

function geometryOf(c: Parameters<LayerLowering['forward']>[0], spatial: 1 | 2): WindowGeometry {
  const win = poolWindow(c.layer.args, spatial);
  if (failed(win)) throw new PlanError(win.error);
  return windowGeometry(inputShape(c.layer), win);
}

function poolLowering(kind: 'max' | 'avg', spatial: 1 | 2): LayerLowering {
  return {
    forward(c, xs) {
      const g = geometryOf(c, spatial);
      const y = output(c);
      if (kind === 'avg') {
        c.b.step('avg_pool', c.layer.name, [xs[0]!], [y], g);
        return { xs, y, saved: {} };
      }
      const argmax = c.training ? output(c, 'argmax') : null;
      c.b.step('max_pool', c.layer.name, [xs[0]!], argmax === null ? [y] : [y, argmax], g);
      const saved: Record<string, number> = argmax === null ? {} : { argmax };
      return { xs, y, saved };
    },
    backward(c, f, dy, needDx) {
      const dx = inputGradient(c, needDx[0]);
      if (dx === null) return [null];
      const g = geometryOf(c, spatial);
      if (kind === 'avg') c.b.step('avg_pool_backward', c.layer.name, [dy], [dx], g);
      else c.b.step('max_pool_backward', c.layer.name, [dy, f.saved['argmax']!], [dx], g);
      return [dx];
    },
  };
}

function poolLayer(kind: 'max' | 'avg', spatial: 1 | 2): LayerDef {
  return {
    outputShape: oneInput((input, args) => {
      const win = poolWindow(args, spatial);
      if (failed(win)) return win;
      return windowOutputShape(input, win, args, (c) => c);
    }),
    lowering: poolLowering(kind, spatial),
    engineLimit: channelsLastOnly,
  };
}

export const poolingLayers: Record<string, LayerDef> = {
  MaxPooling1D: poolLayer('max', 1),
  MaxPooling2D: poolLayer('max', 2),
  AveragePooling1D: poolLayer('avg', 1),
  AveragePooling2D: poolLayer('avg', 2),
};
