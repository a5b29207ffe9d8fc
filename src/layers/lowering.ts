/**
 * Helpers that several families' lowerings share (the lowering interfaces themselves are in
 * types.ts, beside LayerDef), and the one mapping of a Keras activation value to its spec.
 */
import type { Value } from '../catalog/index.js';
import { PlanError, type ActivationSpec } from '../ir/index.js';
import { resolveActivation } from '../kernels/index.js';
import type { BuiltLayer, LayerLowering, LowerContext, Shape } from './types.js';

export type { Forward, LayerLowering, LowerContext } from './types.js';

/** A Keras activation value (a name, a call, or None) as the kernels' resolved spec. */
export function activationSpec(v: Value | undefined): ActivationSpec {
  if (v === null || v === undefined) return resolveActivation('linear');
  if (typeof v === 'string') return resolveActivation(v);
  if (typeof v === 'object' && !Array.isArray(v)) return resolveActivation(v.call, { ...v.args });
  throw new PlanError(`an activation must be a name, found ${JSON.stringify(v)}.`);
}

/** The layer's single input shape. */
export function inputShape(layer: BuiltLayer): Shape {
  return layer.inputShapes[0]!;
}

/** A batch-sized output buffer named after the layer. */
export function output(c: LowerContext, suffix = 'out'): number {
  return c.b.batch(`${c.layer.name}/${suffix}`, 'activation', c.layer.outputShape);
}

/** The gradient buffer of the layer's input, when it is needed. */
export function inputGradient(c: LowerContext, need: boolean | undefined): number | null {
  return need ? c.b.batch(`${c.layer.name}/d_in`, 'gradient', inputShape(c.layer)) : null;
}

/** Layers whose output is their input's memory read with another shape. */
export const reshapeLike: LayerLowering = {
  forward: (_c, xs) => ({ xs, y: xs[0]!, saved: {} }),
  backward: (_c, _f, dy) => [dy],
};
