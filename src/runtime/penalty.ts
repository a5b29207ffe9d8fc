/** The weights' regularization penalty, which Keras adds to the loss evaluate() reports (model.losses). */
import { createRegularizer } from '../optim/index.js';
import type { ParamLayout } from '../plan/index.js';

/** Σ regularizer(w) over every regularized weight. */
export function penaltyOf(layout: ParamLayout, params: Float32Array): number {
  let total = 0;
  for (const e of layout.entries) {
    const reg = createRegularizer(e.regularizer);
    if (reg) total += reg.penalty(params.subarray(e.offset, e.offset + e.size));
  }
  return total;
}
