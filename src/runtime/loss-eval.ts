/** The loss of a whole data set at once, and the weights' regularization penalty (Keras's model.losses). */
import { lossForward, type LossSpec } from '../kernels/index.js';
import { createRegularizer } from '../optim/index.js';
import type { Shape } from '../layers/index.js';
import type { ParamLayout } from '../plan/index.js';

/** sum_over_batch_size of the loss over `n` samples: the size-weighted mean of per-batch losses. */
export function evaluateLoss(
  loss: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  n: number,
  outputShape: Shape,
): number {
  const dims = outputShape.slice(1) as number[];
  const cols = dims.at(-1) ?? 1;
  const rowsPerSample = dims.slice(0, -1).reduce((a, b) => a * b, 1);
  return lossForward(loss, yTrue, yPred, n * rowsPerSample, cols);
}

/** Σ regularizer(w) over every regularized weight. */
export function penaltyOf(layout: ParamLayout, params: Float32Array): number {
  let total = 0;
  for (const e of layout.entries) {
    const reg = createRegularizer(e.regularizer);
    if (reg) total += reg.penalty(params.subarray(e.offset, e.offset + e.size));
  }
  return total;
}
