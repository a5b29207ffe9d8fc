/**
 * Merge layers join several results, so they appear in graph models only: Add, Subtract,
 * Multiply, Average, Maximum and Minimum elementwise over inputs of one shape, and Concatenate
 * along an axis.
 */
import type { MergeMode } from '../kernels/index.js';
import {
  normalizeAxis,
  sampleSize,
  sizeOf,
  type LayerDef,
  type Shape,
  type ShapeError,
} from './types.js';
import type { LayerLowering } from './lowering.js';

/**
 * Keras's elementwise merges: inputs of one shape (None matches anything). Keras also
 * broadcasts dimensions of 1; the engine does not, and says so.
 */
function elementwiseShape(layer: string, inputs: Shape[], exactly?: number): Shape | ShapeError {
  if (exactly !== undefined && inputs.length !== exactly)
    return { error: `${layer} takes exactly ${exactly} inputs, found ${inputs.length}.` };
  if (inputs.length < 2)
    return { error: `${layer} needs at least 2 inputs, found ${inputs.length}.` };
  const [first, ...rest] = inputs as [Shape, ...Shape[]];
  const out = [...first];
  for (const s of rest) {
    const differs =
      s.length !== out.length || s.some((d, i) => d !== null && out[i] !== null && d !== out[i]);
    if (differs)
      return {
        error: broadcastable(out, s)
          ? 'the shapes differ; Keras would broadcast their dimensions of 1, which the engine does not do yet.'
          : 'the shapes differ.',
      };
    s.forEach((d, i) => (out[i] ??= d));
  }
  return out;
}

/** Keras's rule for elementwise merges: aligned from the last axis, each pair equal or one of them 1. */
function broadcastable(a: Shape, b: Shape): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 1; i < n; i++) {
    const [x, y] = [a[a.length - i], b[b.length - i]];
    if (x !== null && y !== null && x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

/** Keras's Concatenate: equal shapes except along `axis`, whose sizes add up. */
function concatenateShape(inputs: Shape[], axisArg: number): Shape | ShapeError {
  if (inputs.length < 2)
    return { error: `Concatenate needs at least 2 inputs, found ${inputs.length}.` };
  const rank = inputs[0]!.length;
  const axis = axisArg < 0 ? rank + axisArg : axisArg;
  if (axis <= 0 || axis >= rank)
    return { error: `axis ${axisArg} is out of range for rank ${rank}.`, arg: 'axis' };
  const out = [...inputs[0]!];
  for (const s of inputs.slice(1)) {
    const fits =
      s.length === rank &&
      s.every((d, i) => i === axis || d === null || out[i] === null || d === out[i]);
    if (!fits) return { error: `the shapes differ off axis ${axisArg}.`, arg: 'axis' };
    out[axis] = out[axis] === null || s[axis] === null ? null : out[axis]! + s[axis]!;
  }
  return out;
}

/** y = Σ inputs: pairwise adds; the gradient reaches every input unchanged. */
const addLowering: LayerLowering = {
  forward(c, xs) {
    const size = sampleSize(c.layer.outputShape);
    let y = xs[0]!;
    for (let i = 1; i < xs.length; i++) {
      const sum = c.b.batch(
        `${c.layer.name}/${i === xs.length - 1 ? 'out' : `sum_${i}`}`,
        'activation',
        c.layer.outputShape,
      );
      c.b.step('add', c.layer.name, [y, xs[i]!], [sum], { size });
      y = sum;
    }
    return { xs, y, saved: {} };
  },
  backward(c, f, dy, needDx) {
    // Each input gets its own copy: a later step may add into one branch's gradient in place.
    const size = sampleSize(c.layer.outputShape);
    return f.xs.map((_, i) => {
      if (!needDx[i]) return null;
      if (i === 0) return dy;
      const dx = c.b.batch(`${c.layer.name}/d_in_${i}`, 'gradient', c.layer.outputShape);
      c.b.step('copy', c.layer.name, [dy], [dx], { size, why: 'the gradient reaches every input' });
      return dx;
    });
  },
};

/** One `merge` step forward; backward one `merge_backward` step writing each needed input's gradient. */
function mergeLowering(mode: MergeMode): LayerLowering {
  return {
    forward(c, xs) {
      const size = sampleSize(c.layer.outputShape);
      const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape);
      c.b.step('merge', c.layer.name, xs, [y], { mode, size });
      return { xs, y, saved: {} };
    },
    backward(c, f, dy, needDx) {
      const size = sampleSize(c.layer.outputShape);
      const dxs = f.xs.map((_, i) =>
        needDx[i] ? c.b.batch(`${c.layer.name}/d_in_${i}`, 'gradient', c.layer.outputShape) : null,
      );
      if (dxs.every((d) => d === null)) return dxs;
      c.b.step(
        'merge_backward',
        c.layer.name,
        [...f.xs, dy],
        dxs.map((d) => d ?? -1),
        { mode, size },
      );
      return dxs;
    },
  };
}

/** Per sample: the dims before the axis, and each input's block from the axis on. */
function concatLayout(inputs: Shape[], axisArg: number): { outer: number; blocks: number[] } {
  const rank = inputs[0]!.length;
  const axis = normalizeAxis(axisArg, rank)!;
  return {
    outer: sizeOf(inputs[0]!.slice(1, axis)) ?? 0,
    blocks: inputs.map((s) => sizeOf(s.slice(axis)) ?? 0),
  };
}

const concatenateLowering: LayerLowering = {
  forward(c, xs) {
    const layout = concatLayout(c.layer.inputShapes, axisOf(c.layer.args));
    const y = c.b.batch(`${c.layer.name}/out`, 'activation', c.layer.outputShape);
    c.b.step('concatenate', c.layer.name, xs, [y], layout);
    return { xs, y, saved: {} };
  },
  backward(c, f, dy, needDx) {
    const layout = concatLayout(c.layer.inputShapes, axisOf(c.layer.args));
    const dxs = f.xs.map((_, i) =>
      needDx[i]
        ? c.b.batch(`${c.layer.name}/d_in_${i}`, 'gradient', c.layer.inputShapes[i]!)
        : null,
    );
    if (dxs.every((d) => d === null)) return dxs;
    c.b.step(
      'concatenate_backward',
      c.layer.name,
      [dy],
      dxs.map((d) => d ?? -1),
      layout,
    );
    return dxs;
  },
};

function axisOf(args: Record<string, unknown>): number {
  return (args['axis'] as number | null) ?? -1;
}

function elementwise(layer: string, mode: MergeMode, exactly?: number): LayerDef {
  return {
    merge: true,
    outputShape: (inputs) => elementwiseShape(layer, inputs, exactly),
    lowering: mergeLowering(mode),
  };
}

export const mergingLayers: Record<string, LayerDef> = {
  Add: {
    merge: true,
    outputShape: (inputs) => elementwiseShape('Add', inputs),
    lowering: addLowering,
  },
  Subtract: elementwise('Subtract', 'subtract', 2),
  Multiply: elementwise('Multiply', 'multiply'),
  Average: elementwise('Average', 'average'),
  Maximum: elementwise('Maximum', 'maximum'),
  Minimum: elementwise('Minimum', 'minimum'),
  Concatenate: {
    merge: true,
    outputShape: (inputs, args) => concatenateShape(inputs, axisOf(args)),
    lowering: concatenateLowering,
  },
};
