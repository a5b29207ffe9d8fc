/**
 * How each Keras layer lowers to plan steps: its forward steps, and the backward steps that
 * turn the gradient of its output into gradients of its input and weights. One entry per
 * layer class; adding a layer to the engine means adding its entry here (its shape rule
 * lives in src/layers, its kernels in src/kernels).
 */
import type { CallValue, Value } from '../catalog/index.js';
import type { CheckedLayer } from '../check/index.js';
import { sampleSize } from '../layers/index.js';
import { PlanError, type PlanBuilder } from './builder.js';
import type { Attr } from './types.js';

/** What lowering one layer needs: the builder, the layer, and its weights' buffers. */
export interface LayerContext {
  b: PlanBuilder;
  layer: CheckedLayer;
  training: boolean;
  /** The buffer of weight `name` (kernel, bias, gamma, …), or null when the layer has none. */
  param(name: string): number | null;
  /** The gradient buffer of weight `name`, or null when it is not trained. */
  grad(name: string): number | null;
}

/** A layer's forward result: its output buffer and what backward needs to read. */
export interface Forward {
  x: number;
  y: number;
  saved: Record<string, number>;
}

export interface LayerLowering {
  forward(c: LayerContext, x: number): Forward;
  /** Emits backward steps for `dy`; returns the buffer of dx, or null when `needDx` is false. */
  backward(c: LayerContext, f: Forward, dy: number, needDx: boolean): number | null;
}

/** An activation as the kernels take it: a Keras name and its keyword arguments. */
export interface ActivationAttr {
  name: string;
  args: Record<string, unknown>;
}

export function activationAttr(v: Value | undefined): ActivationAttr {
  if (v === null || v === undefined) return { name: 'linear', args: {} };
  if (typeof v === 'string') return { name: v, args: {} };
  if (typeof v === 'object' && !Array.isArray(v))
    return { name: (v as CallValue).call, args: { ...(v as CallValue).args } };
  throw new PlanError(`an activation must be a name, found ${JSON.stringify(v)}.`);
}

/** Rows per sample and columns when a kernel acts on the last axis: (None, 5, 8) → 5 × 8. */
export function lastAxis(shape: readonly (number | null)[]): { rows: number; cols: number } {
  const dims = shape.slice(1) as number[];
  const cols = dims.at(-1) ?? 1;
  return { rows: dims.slice(0, -1).reduce((a, b) => a * b, 1), cols };
}

/** Emits an activation step and its backward: shared by Dense, Activation and the activation layers. */
function activationLayer(spec: (layer: CheckedLayer) => ActivationAttr): LayerLowering {
  return {
    forward(c, x) {
      const { rows, cols } = lastAxis(c.layer.outputShape!);
      const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
      c.b.step('activation', c.layer.name, [x], [y], {
        activation: spec(c.layer) as unknown as Attr,
        rows,
        cols,
      });
      return { x, y, saved: {} };
    },
    backward(c, f, dy) {
      const { rows, cols } = lastAxis(c.layer.outputShape!);
      const dx = c.b.batch(`${c.layer.name}/d_in`, 'gradient', c.layer.inputShape!);
      c.b.step('activation_backward', c.layer.name, [f.x, f.y, dy], [dx], {
        activation: spec(c.layer) as unknown as Attr,
        rows,
        cols,
      });
      return dx;
    },
  };
}

const dense: LayerLowering = {
  forward(c, x): Forward {
    const { rows, cols: inDim } = lastAxis(c.layer.inputShape!);
    const units = c.layer.args['units'] as number;
    const bias = c.param('bias');
    const act = activationAttr(c.layer.args['activation']);
    const linear = act.name === 'linear';
    const z = c.b.batch(
      `${c.layer.name}/${linear ? 'out' : 'z'}`,
      'activation',
      c.layer.outputShape!,
    );
    c.b.step(
      'dense',
      c.layer.name,
      bias === null ? [x, c.param('kernel')!] : [x, c.param('kernel')!, bias],
      [z],
      { rows, in: inDim, units, bias: bias !== null },
    );
    if (linear) return { x, y: z, saved: {} };
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
    c.b.step('activation', c.layer.name, [z], [y], {
      activation: act as unknown as Attr,
      rows,
      cols: units,
    });
    return { x, y, saved: { z } };
  },
  backward(c, f, dy, needDx) {
    const { rows, cols: inDim } = lastAxis(c.layer.inputShape!);
    const units = c.layer.args['units'] as number;
    let dz = dy;
    const z = f.saved['z'];
    if (z !== undefined) {
      dz = c.b.batch(`${c.layer.name}/d_z`, 'gradient', c.layer.outputShape!);
      c.b.step('activation_backward', c.layer.name, [z, f.y, dy], [dz], {
        activation: activationAttr(c.layer.args['activation']) as unknown as Attr,
        rows,
        cols: units,
      });
    }
    const dKernel = c.grad('kernel');
    const dBias = c.grad('bias');
    const dx = needDx ? c.b.batch(`${c.layer.name}/d_in`, 'gradient', c.layer.inputShape!) : null;
    if (dKernel === null && dx === null) return null;
    const outputs = [dx ?? -1, dKernel ?? -1, dBias ?? -1];
    c.b.step('dense_backward', c.layer.name, [f.x, c.param('kernel')!, dz], outputs, {
      rows,
      in: inDim,
      units,
    });
    return dx;
  },
};

/** Layers with no computation: the output is the input's memory read with another shape. */
const reshapeLike: LayerLowering = {
  forward: (_c, x) => ({ x, y: x, saved: {} }),
  backward: (_c, _f, dy) => dy,
};

/** Dropout and GaussianNoise are the identity at inference: lowered faithfully as a copy, which a pass removes. */
function inferenceIdentity(c: LayerContext, x: number): Forward {
  const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
  c.b.step('copy', c.layer.name, [x], [y], {
    size: sampleSize(c.layer.outputShape!),
    why: `${c.layer.className} is the identity at inference`,
  });
  return { x, y, saved: {} };
}

const dropout: LayerLowering = {
  forward(c, x) {
    const rate = c.layer.args['rate'] as number;
    if (c.layer.args['noise_shape'] !== null && c.layer.args['noise_shape'] !== undefined)
      throw new PlanError("Dropout's noise_shape is not supported by the engine yet.");
    if (!c.training) return inferenceIdentity(c, x);
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
    const mask = c.b.batch(`${c.layer.name}/mask`, 'activation', c.layer.outputShape!);
    c.b.step('dropout', c.layer.name, [x], [y, mask], {
      rate,
      size: sampleSize(c.layer.outputShape!),
      seed: (c.layer.args['seed'] as number | null) ?? null,
    });
    return { x, y, saved: { mask } };
  },
  backward(c, f, dy, needDx) {
    if (!needDx) return null;
    const dx = c.b.batch(`${c.layer.name}/d_in`, 'gradient', c.layer.inputShape!);
    c.b.step('dropout_backward', c.layer.name, [dy, f.saved['mask']!], [dx], {
      size: sampleSize(c.layer.outputShape!),
    });
    return dx;
  },
};

const gaussianNoise: LayerLowering = {
  forward(c, x) {
    if (!c.training) return inferenceIdentity(c, x);
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
    c.b.step('gaussian_noise', c.layer.name, [x], [y], {
      stddev: c.layer.args['stddev'] as number,
      size: sampleSize(c.layer.outputShape!),
      seed: (c.layer.args['seed'] as number | null) ?? null,
    });
    return { x, y, saved: {} };
  },
  backward: (_c, _f, dy) => dy, // y = x + noise: the gradient passes through unchanged
};

/** Normalization over the last axis only; other axes are refused with a clear message. */
function lastAxisOnly(c: LayerContext): { rows: number; cols: number } {
  const axis = c.layer.args['axis'];
  const rank = c.layer.inputShape!.length;
  const axes = Array.isArray(axis) ? axis : [axis ?? -1];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) {
    throw new PlanError(
      `${c.layer.className} over axis ${JSON.stringify(axis)} is not supported by the engine yet (only the last axis).`,
    );
  }
  return lastAxis(c.layer.inputShape!);
}

function optional(...ids: (number | null)[]): number[] {
  return ids.map((id) => id ?? -1);
}

/** The backward step of Batch/LayerNormalization: dx, dγ and dβ from the saved statistics. */
function normalizationBackward(
  op: 'batch_norm_backward' | 'layer_norm_backward',
  c: LayerContext,
  f: Forward,
  dy: number,
  needDx: boolean,
): number | null {
  const { rows, cols } = lastAxisOnly(c);
  const dx = needDx ? c.b.batch(`${c.layer.name}/d_in`, 'gradient', c.layer.inputShape!) : null;
  const dGamma = c.grad('gamma');
  const dBeta = c.grad('beta');
  if (dx === null && dGamma === null && dBeta === null) return null;
  const saved = [f.saved['mean']!, f.saved['invStd']!];
  c.b.step(
    op,
    c.layer.name,
    [f.x, dy, c.param('gamma') ?? -1, ...saved],
    optional(dx, dGamma, dBeta),
    { rows, cols },
  );
  return dx;
}

const batchNormalization: LayerLowering = {
  forward(c, x): Forward {
    const { rows, cols } = lastAxisOnly(c);
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
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
      return { x, y, saved: {} };
    }
    const mean = c.b.fixed(`${c.layer.name}/batch_mean`, 'activation', [cols]);
    const invStd = c.b.fixed(`${c.layer.name}/batch_inv_std`, 'activation', [cols]);
    c.b.step('batch_norm_train', c.layer.name, [x, ...stats], [y, mean, invStd], attrs);
    return { x, y, saved: { mean, invStd } };
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

const layerNormalization: LayerLowering = {
  forward(c, x) {
    const { rows, cols } = lastAxisOnly(c);
    if (c.layer.args['rms_scaling'] === true)
      throw new PlanError(
        'LayerNormalization with rms_scaling=True is not supported by the engine yet.',
      );
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
    const mean = c.b.batch(`${c.layer.name}/row_mean`, 'activation', [null, rows]);
    const invStd = c.b.batch(`${c.layer.name}/row_inv_std`, 'activation', [null, rows]);
    c.b.step(
      'layer_norm',
      c.layer.name,
      [x, ...optional(c.param('gamma'), c.param('beta'))],
      [y, mean, invStd],
      { rows, cols, epsilon: c.layer.args['epsilon'] as number },
    );
    return { x, y, saved: { mean, invStd } };
  },
  backward: (c, f, dy, needDx) => normalizationBackward('layer_norm_backward', c, f, dy, needDx),
};

const unitNormalization: LayerLowering = {
  forward(c, x) {
    const { rows, cols } = lastAxisOnly(c);
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
    c.b.step('unit_norm', c.layer.name, [x], [y], { rows, cols });
    return { x, y, saved: {} };
  },
  backward(c, f, dy, needDx) {
    if (!needDx) return null;
    const { rows, cols } = lastAxisOnly(c);
    const dx = c.b.batch(`${c.layer.name}/d_in`, 'gradient', c.layer.inputShape!);
    c.b.step('unit_norm_backward', c.layer.name, [f.x, f.y, dy], [dx], { rows, cols });
    return dx;
  },
};

/** PReLU's alpha index for each feature position: shared axes repeat one alpha. */
function alphaIndex(layer: CheckedLayer): number[] {
  const dims = layer.inputShape!.slice(1) as number[];
  const shared = new Set((layer.args['shared_axes'] as number[] | null) ?? []);
  const alphaDims = dims.map((d, i) => (shared.has(i + 1) ? 1 : d));
  const index: number[] = [];
  const size = dims.reduce((a, b) => a * b, 1);
  for (let f = 0; f < size; f++) {
    let rest = f;
    let a = 0;
    let stride = 1;
    for (let i = dims.length - 1; i >= 0; i--) {
      const coord = rest % dims[i]!;
      rest = Math.floor(rest / dims[i]!);
      a += (alphaDims[i] === 1 ? 0 : coord) * stride;
      stride *= alphaDims[i]!;
    }
    index.push(a);
  }
  return index;
}

const prelu: LayerLowering = {
  forward(c, x) {
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape!);
    c.b.step('prelu', c.layer.name, [x, c.param('alpha')!], [y], {
      size: sampleSize(c.layer.outputShape!),
      alphaIndex: alphaIndex(c.layer),
    });
    return { x, y, saved: {} };
  },
  backward(c, f, dy, needDx) {
    const dx = needDx ? c.b.batch(`${c.layer.name}/d_in`, 'gradient', c.layer.inputShape!) : null;
    const dAlpha = c.grad('alpha');
    if (dx === null && dAlpha === null) return null;
    c.b.step('prelu_backward', c.layer.name, [f.x, c.param('alpha')!, dy], optional(dx, dAlpha), {
      size: sampleSize(c.layer.outputShape!),
      alphaIndex: alphaIndex(c.layer),
    });
    return dx;
  },
};

function softmaxAxis(layer: CheckedLayer): ActivationAttr {
  const axis = layer.args['axis'];
  const rank = layer.inputShape!.length;
  if (Array.isArray(axis) || (axis !== -1 && axis !== rank - 1))
    throw new PlanError(
      `Softmax over axis ${JSON.stringify(axis)} is not supported by the engine yet (only the last axis).`,
    );
  return { name: 'softmax', args: {} };
}

export const layerLowerings: Readonly<Record<string, LayerLowering>> = {
  Dense: dense,
  Activation: activationLayer((l) => activationAttr(l.args['activation'])),
  ReLU: activationLayer((l) => ({
    name: 'relu',
    args: {
      max_value: l.args['max_value'] ?? null,
      negative_slope: l.args['negative_slope'] ?? 0,
      threshold: l.args['threshold'] ?? 0,
    },
  })),
  LeakyReLU: activationLayer((l) => ({
    name: 'leaky_relu',
    args: { negative_slope: l.args['negative_slope'] ?? 0.3 },
  })),
  ELU: activationLayer((l) => ({ name: 'elu', args: { alpha: l.args['alpha'] ?? 1 } })),
  Softmax: activationLayer(softmaxAxis),
  Dropout: dropout,
  GaussianNoise: gaussianNoise,
  Flatten: reshapeLike,
  Reshape: reshapeLike,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  UnitNormalization: unitNormalization,
  PReLU: prelu,
};
