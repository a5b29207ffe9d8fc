/** Merge layers: Add and Concatenate join several tensors, so they appear in graph models only. */
import { sampleSize, shapeToString, type LayerDef, type Shape, type ShapeError } from './types.js';
import type { LayerLowering } from './lowering.js';

/** Keras's Add: inputs of one shape (None matches anything), summed elementwise. */
function addShape(inputs: Shape[]): Shape | ShapeError {
  if (inputs.length < 2) return { error: `Add needs at least 2 inputs, found ${inputs.length}.` };
  const [first, ...rest] = inputs as [Shape, ...Shape[]];
  const out = [...first];
  for (const s of rest) {
    if (s.length !== out.length)
      return {
        error: 'the shapes differ.',
      };
    for (let i = 0; i < s.length; i++) {
      if (out[i] === null) out[i] = s[i]!;
      else if (s[i] !== null && s[i] !== out[i])
        return {
          error: 'the shapes differ.',
        };
    }
  }
  return out;
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
    if (!fits)
      return {
        error: `inputs of shapes ${inputs.map(shapeToString).join(', ')} differ off axis ${axisArg}.`,
      };
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

export const mergingLayers: Record<string, LayerDef> = {
  Add: { merge: true, outputShape: (inputs) => addShape(inputs), lowering: addLowering },
  Concatenate: {
    merge: true,
    outputShape: (inputs, args) => concatenateShape(inputs, (args['axis'] as number | null) ?? -1),
  },
};
