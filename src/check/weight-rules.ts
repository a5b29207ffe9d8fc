/**
 * What Keras refuses when it builds a layer's weights: an initializer or constraint that does
 * not fit the weight's rank (Orthogonal or Identity on a bias, MaxNorm over an axis the weight
 * lacks). Only known once the layer's weights are, so after shape inference.
 */
import { catalog, isCallValue, type Value } from '../catalog/index.js';
import { shapeToString } from '../layers/index.js';
import type { Binder } from './bind.js';
import type { CheckedLayer } from './types.js';

/** The ranks each shape-sensitive initializer accepts, as Keras's raise them. */
const initializerRanks: Record<string, { ok: (rank: number) => boolean; why: string }> = {
  Orthogonal: { ok: (r) => r >= 2, why: 'it needs a weight of at least two dimensions.' },
  Identity: { ok: (r) => r === 2, why: 'it needs a two-dimensional weight.' },
};

/** Checks each weight's initializer and constraint against the weight's shape. */
export function checkWeightArguments(layer: CheckedLayer, binder: Binder): void {
  for (const w of layer.weights) {
    const rank = w.shape.length;
    const init = callName(w.initializer);
    const rule = init ? initializerRanks[init] : undefined;
    const initArg = `${w.name}_initializer`;
    if (rule && !rule.ok(rank))
      binder.sink.report('weightArgumentMismatch', layer.argRanges[initArg] ?? layer.range, {
        what: init!,
        weight: w.name,
        shape: shapeToString(w.shape),
        why: rule.why,
      });
    const constraintArg = `${w.name}_constraint`;
    const constraint = layer.args[constraintArg];
    if (!isCallValue(constraint) || !('axis' in constraint.args)) continue;
    const axis = constraint.args['axis'];
    const axes = Array.isArray(axis) ? axis : [axis];
    const bad = axes.find((a) => typeof a === 'number' && (a >= rank || a < -rank));
    if (bad !== undefined)
      binder.sink.report('weightArgumentMismatch', layer.argRanges[constraintArg] ?? layer.range, {
        what: constraint.call,
        weight: w.name,
        shape: shapeToString(w.shape),
        why: `axis ${String(bad)} is out of range for rank ${rank}.`,
      });
  }
}

function callName(v: Value): string | undefined {
  if (isCallValue(v)) return v.call;
  return typeof v === 'string' ? catalog.lookup('initializer', v)?.name : undefined;
}
