/**
 * Keras 3's loss on an output that carries a mask (from Embedding(mask_zero=True)), on the TF.js
 * side: tfjs-layers' compile() ignores masks in the loss (its training loop takes the plain mean
 * of the per-sample losses), so a case whose output is masked trains and evaluates through this
 * formula instead — keras/src/losses/loss.py's apply_mask for 'sum_over_batch_size': the
 * per-step losses times the mask, summed, over the count of unmasked steps (0 when none are,
 * divide_no_nan). The per-step losses are TF.js's own; the mask is Keras's compute_mask of the
 * Embedding, the token ids that are not 0.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConformanceCase, KerasCall } from './spec.js';
import type { LossEntry, LossFn } from './tfjs-losses.js';

/** The test name's note for a case trained through this formula. */
export const MASKED_LOSS_FORMULA =
  "masked loss (TF.js's loss ignores the mask): Σ mask·loss / Σ mask, loss.py's apply_mask";

/**
 * Whether the case's output carries Keras's mask: after Embedding(mask_zero=True), no layer ends
 * it — a recurrent layer (or Bidirectional's) without return_sequences, GlobalAveragePooling1D
 * (the engine refuses a mask reaching any layer outside src/layers/masking.ts's table).
 */
export function maskedOutput(c: ConformanceCase): boolean {
  let masked = false;
  for (const l of c.layers) {
    if (l.call === 'Embedding') masked = l.args?.['mask_zero'] === true;
    const inner = l.call === 'Bidirectional' ? (l.positional?.[0] as KerasCall) : l;
    if (['LSTM', 'GRU', 'SimpleRNN'].includes(inner.call))
      masked &&= inner.args?.['return_sequences'] === true;
    if (l.call === 'GlobalAveragePooling1D') masked = false;
  }
  return masked;
}

/** TF.js's per-step loss for the entry: [N, T, C] → [N, T]. */
function perStepLoss(entry: LossEntry): LossFn {
  if (typeof entry.tfjs !== 'string') return entry.tfjs;
  const byName: Record<string, LossFn> = {
    meanSquaredError: tf.metrics.meanSquaredError,
    binaryCrossentropy: tf.metrics.binaryCrossentropy,
    categoricalCrossentropy: tf.metrics.categoricalCrossentropy,
  };
  const fn = byName[entry.tfjs];
  if (!fn) throw new Error(`no per-step TF.js loss for '${entry.tfjs}'`);
  return fn;
}

/** Keras 3's masked 'sum_over_batch_size' loss of the model on (x, y). */
function maskedLoss(
  model: tf.LayersModel,
  entry: LossEntry,
  x: tf.Tensor,
  y: tf.Tensor,
  training: boolean,
): tf.Scalar {
  const yPred = model.apply(x, { training }) as tf.Tensor;
  const losses = perStepLoss(entry)(tf.reshape(y, yPred.shape), yPred);
  // The count as a number: divide_no_nan's 0 when every step is masked, with no op for TF.js's
  // gradient tape to trace (tf.divNoNan's Equal has no gradient).
  const mask = tf.cast(tf.notEqual(x, 0), 'float32');
  const valid = tf.sum(mask).dataSync()[0]!;
  return tf.div(tf.sum(tf.mul(losses, mask)), valid === 0 ? Infinity : valid);
}

/** One training step on (x, y) by the masked loss; returns the loss before it. */
export function trainMaskedStep(
  model: tf.LayersModel,
  entry: LossEntry,
  x: tf.Tensor,
  y: tf.Tensor,
): number {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = model.optimizer.minimize(
    () => maskedLoss(model, entry, x, y, true),
    true,
    variables,
  );
  const value = loss!.dataSync()[0]!;
  loss!.dispose();
  return value;
}

/** Keras 3's evaluate of the masked loss on (x, y), as one batch, in inference mode. */
export function evaluateMasked(
  model: tf.LayersModel,
  entry: LossEntry,
  x: tf.Tensor,
  y: tf.Tensor,
): number {
  return tf.tidy(() => maskedLoss(model, entry, x, y, false).dataSync()[0]!);
}
