/**
 * Keras 3 losses over y_pred [rows, cols] (row-major; the last axis is Keras's axis −1, the only
 * one supported): name resolution, the reductions of keras/src/losses/loss.py, the reduced
 * loss, its gradient with respect to y_pred, and the fused gradients the planner uses when a
 * softmax/sigmoid output meets its cross-entropy.
 *
 * Targets: yTrue is [rows, cols] like yPred, except for sparse_categorical_crossentropy where it
 * holds one class index per row (stored as a float, truncated to an integer as Keras's cast).
 * Buffers may be longer than that (arena views sized for a larger batch): only the first
 * rows·cols (or rows) values are read or written.
 *
 * Cross-entropies on probabilities follow the backend-independent path (JAX/NumPy/torch):
 * probabilities are clipped to [eps, 1 − eps] (float32 bounds) and the gradient is zero where
 * the clip is active. The TensorFlow backend silently switches to the logits formulas when y_pred
 * comes straight out of a softmax/sigmoid layer; the fused gradients below are that case.
 */

import {
  binaryCrossentropyRow,
  binaryCrossentropyRowGrad,
  binaryFocalRow,
  binaryFocalRowGrad,
  categoricalCrossentropyRow,
  categoricalCrossentropyRowGrad,
  categoricalFocalRow,
  categoricalFocalRowGrad,
} from './loss-crossentropy.js';
import { elementwiseRow, elementwiseRowGrad } from './loss-elementwise.js';
import type { LossSpec } from './loss-spec.js';

export {
  crossentropyKind,
  resolveLoss,
  type LossName,
  type LossReduction,
  type LossSpec,
  type TargetContext,
} from './loss-spec.js';

function checkShapes(
  spec: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  rows: number,
  cols: number,
): void {
  const targets = spec.name === 'sparse_categorical_crossentropy' ? rows : rows * cols;
  if (yPred.length < rows * cols || yTrue.length < targets) {
    throw new Error(
      `${spec.name}: expected yPred of ${rows * cols} and yTrue of ${targets} values (at least), ` +
        `got ${yPred.length} and ${yTrue.length}.`,
    );
  }
}

/** Keras's hinge check: are all of this batch's targets 0 or 1? */
function hingeConvert(spec: LossSpec, yTrue: Float32Array, n: number): boolean {
  if (spec.name !== 'hinge' && spec.name !== 'squared_hinge') return false;
  for (let i = 0; i < n; i++) if (yTrue[i] !== 0 && yTrue[i] !== 1) return false;
  return true;
}

/**
 * 1 for a row that counts; 0 where Keras's mask (from Embedding(mask_zero=True), one value per
 * row) is 0 or a sparse target equals ignore_class — Keras 3 joins the two masks with `&`.
 */
function rowMask(
  spec: LossSpec,
  yTrue: Float32Array,
  r: number,
  mask: Float32Array | null,
): number {
  if (mask !== null && mask[r] === 0) return 0;
  return spec.ignoreClass !== null && yTrue[r] === spec.ignoreClass ? 0 : 1;
}

/**
 * What Σ(per-sample · weight · mask) is divided by: rows (or the unmasked rows when a mask or
 * ignore_class drops some: Keras's apply_mask weighs valid rows total/valid, so the mean is over
 * them) for 'sum_over_batch_size'/'mean'; Σ weight·mask for 'mean_with_sample_weight' when
 * weights or a mask exist; 1 for 'sum' and 'none' ('none' trains on the sum, as Keras's
 * tape.gradient of a vector loss does). 0 means divide_no_nan gives 0.
 */
function reductionDivisor(
  spec: LossSpec,
  yTrue: Float32Array,
  rows: number,
  sampleWeight: Float32Array | null,
  mask: Float32Array | null,
): number {
  if (spec.reduction === 'sum' || spec.reduction === 'none') return 1;
  const masked = spec.ignoreClass !== null || mask !== null;
  if (spec.reduction === 'mean_with_sample_weight' && (sampleWeight || masked)) {
    let s = 0;
    for (let r = 0; r < rows; r++)
      s += (sampleWeight ? sampleWeight[r]! : 1) * rowMask(spec, yTrue, r, mask);
    return s;
  }
  if (!masked) return rows;
  let valid = 0;
  for (let r = 0; r < rows; r++) valid += rowMask(spec, yTrue, r, mask);
  return valid;
}

/** Checks the buffers' sizes and the sample weights' count; throws with the loss's name. */
function checkInputs(
  spec: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  rows: number,
  cols: number,
  sampleWeight: Float32Array | null,
  mask: Float32Array | null,
): void {
  checkShapes(spec, yTrue, yPred, rows, cols);
  if (sampleWeight && sampleWeight.length < rows) {
    throw new Error(`${spec.name}: expected ${rows} sample weights, got ${sampleWeight.length}.`);
  }
  if (mask && mask.length < rows) {
    throw new Error(`${spec.name}: expected a mask of ${rows} values, got ${mask.length}.`);
  }
}

/** The sparse target of row r as an in-range class index (Keras casts it to int). */
function sparseIndex(spec: LossSpec, yTrue: Float32Array, r: number, cols: number): number {
  const index = Math.trunc(yTrue[r]!);
  if (!(index >= 0 && index < cols)) {
    throw new Error(
      `${spec.name}: target ${yTrue[r]} of row ${r} is not a class index in [0, ${cols}).`,
    );
  }
  return index;
}

/** The unweighted loss of row r. */
function rowLoss(
  spec: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  r: number,
  cols: number,
  hinge01: boolean,
): number {
  const o = r * cols;
  switch (spec.name) {
    case 'binary_crossentropy':
      return binaryCrossentropyRow(yTrue, yPred, o, cols, spec.fromLogits, spec.labelSmoothing);
    case 'categorical_crossentropy':
      return categoricalCrossentropyRow(
        yTrue,
        yPred,
        o,
        cols,
        -1,
        spec.fromLogits,
        spec.labelSmoothing,
      );
    case 'sparse_categorical_crossentropy': {
      const index = sparseIndex(spec, yTrue, r, cols);
      return categoricalCrossentropyRow(yTrue, yPred, o, cols, index, spec.fromLogits, 0);
    }
    case 'binary_focal_crossentropy':
      return binaryFocalRow(yTrue, yPred, o, cols, spec);
    case 'categorical_focal_crossentropy':
      return categoricalFocalRow(yTrue, yPred, o, cols, spec);
    default:
      return elementwiseRow(spec.name, yTrue, yPred, o, cols, spec.delta, hinge01);
  }
}

/** grad row r = scale · ∂(row loss)/∂yPred row (overwritten). */
function rowGradient(
  spec: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  grad: Float32Array,
  r: number,
  cols: number,
  hinge01: boolean,
  scale: number,
): void {
  const o = r * cols;
  if (scale === 0) {
    grad.fill(0, o, o + cols);
    return;
  }
  switch (spec.name) {
    case 'binary_crossentropy':
      return binaryCrossentropyRowGrad(
        yTrue,
        yPred,
        grad,
        o,
        cols,
        spec.fromLogits,
        spec.labelSmoothing,
        scale,
      );
    case 'categorical_crossentropy':
      return categoricalCrossentropyRowGrad(
        yTrue,
        yPred,
        grad,
        o,
        cols,
        -1,
        spec.fromLogits,
        spec.labelSmoothing,
        scale,
      );
    case 'sparse_categorical_crossentropy': {
      const index = sparseIndex(spec, yTrue, r, cols);
      return categoricalCrossentropyRowGrad(
        yTrue,
        yPred,
        grad,
        o,
        cols,
        index,
        spec.fromLogits,
        0,
        scale,
      );
    }
    case 'binary_focal_crossentropy':
      return binaryFocalRowGrad(yTrue, yPred, grad, o, cols, spec, scale);
    case 'categorical_focal_crossentropy':
      return categoricalFocalRowGrad(yTrue, yPred, grad, o, cols, spec, scale);
    default:
      return elementwiseRowGrad(spec.name, yTrue, yPred, grad, o, cols, spec.delta, hinge01, scale);
  }
}

/**
 * The reduced loss of yPred [rows, cols] against yTrue, accumulated in float64. `perSample`
 * (≥ rows long), when given, receives each row's loss × weight (0 for ignored rows). For
 * reduction 'none' the return value is the mean of those per-sample values (what Keras logs).
 * `sampleWeight` [rows] are Keras's sample weights (all 1 when null); `mask` [rows] is Keras's
 * mask on y_pred (1 keeps a row, 0 drops it; null: none), applied as keras/src/losses/loss.py's
 * apply_mask: the reduced loss is over the unmasked rows.
 */
export function lossForward(
  spec: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  rows: number,
  cols: number,
  perSample?: Float32Array,
  sampleWeight: Float32Array | null = null,
  mask: Float32Array | null = null,
): number {
  lossForwardInto(spec, yTrue, yPred, rows, cols, scalar, perSample, sampleWeight, mask);
  return scalar[0]!;
}

/** Where lossForward receives its value (a typed array: writing a double there allocates nothing). */
const scalar = new Float64Array(1);

/**
 * lossForward's value written to out[0] instead of returned: a training step calls this, since
 * V8 boxes a double returned from a call on the heap and a step must not allocate.
 */
export function lossForwardInto(
  spec: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array | Float64Array,
  perSample?: Float32Array,
  sampleWeight: Float32Array | null = null,
  mask: Float32Array | null = null,
): void {
  // Separate calls, not one object: a training step must not allocate.
  checkInputs(spec, yTrue, yPred, rows, cols, sampleWeight, mask);
  const divisor = reductionDivisor(spec, yTrue, rows, sampleWeight, mask);
  const hinge01 = hingeConvert(spec, yTrue, rows * cols);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const w = (sampleWeight ? sampleWeight[r]! : 1) * rowMask(spec, yTrue, r, mask);
    const v = w === 0 ? 0 : rowLoss(spec, yTrue, yPred, r, cols, hinge01) * w;
    if (perSample) perSample[r] = v;
    total += v;
  }
  if (spec.reduction === 'none') out[0] = rows > 0 ? total / rows : 0;
  else out[0] = divisor === 0 ? 0 : total / divisor;
}

/**
 * grad [rows, cols] = ∂(reduced loss)/∂yPred, overwritten; for reduction 'none' the gradient of
 * the sum of the per-sample losses. Zero wherever a probability clip is active, and on the rows
 * `mask` drops.
 */
export function lossGradient(
  spec: LossSpec,
  yTrue: Float32Array,
  yPred: Float32Array,
  grad: Float32Array,
  rows: number,
  cols: number,
  sampleWeight: Float32Array | null = null,
  mask: Float32Array | null = null,
): void {
  // Separate calls, not one object: a training step must not allocate.
  checkInputs(spec, yTrue, yPred, rows, cols, sampleWeight, mask);
  const divisor = reductionDivisor(spec, yTrue, rows, sampleWeight, mask);
  const hinge01 = hingeConvert(spec, yTrue, rows * cols);
  if (grad.length < rows * cols)
    throw new Error(`${spec.name}: grad must hold ${rows * cols} values.`);
  for (let r = 0; r < rows; r++) {
    const w = (sampleWeight ? sampleWeight[r]! : 1) * rowMask(spec, yTrue, r, mask);
    const scale = divisor === 0 ? 0 : w / divisor;
    rowGradient(spec, yTrue, yPred, grad, r, cols, hinge01, scale);
  }
}

/**
 * dLogits [rows, cols] = (p − y)/rows, overwritten, where p = softmax(logits) [rows, cols] and
 * y = yTrue·(1 − ls) + ls/cols (sparse: yTrue [rows] holds class indices, one-hot first). This
 * is ∂(categorical or sparse cross-entropy, sum_over_batch_size)/∂logits: it equals the chain
 * rule through softmax of the probability-path gradient when no clip is active and each target
 * row sums to 1, and it is exactly Keras's gradient on the TensorFlow logits shortcut. Neither
 * ignore_class nor sample weights nor another reduction is applied: do not fuse those. With
 * Keras's `mask` [rows] the mean is over the unmasked rows (1/valid) and masked rows get zero.
 */
export function softmaxCrossEntropyGrad(
  probs: Float32Array,
  yTrue: Float32Array,
  dLogits: Float32Array,
  rows: number,
  cols: number,
  labelSmoothing: number,
  sparse: boolean,
  mask: Float32Array | null = null,
): void {
  const k = 1 / (mask ? validRows(mask, rows) : rows);
  const off = labelSmoothing / cols;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (mask && mask[r] === 0) {
      dLogits.fill(0, o, o + cols);
      continue;
    }
    const index = sparse ? Math.trunc(yTrue[r]!) : -1;
    for (let j = 0; j < cols; j++) {
      const y = sparse ? (j === index ? 1 : 0) : yTrue[o + j]!;
      dLogits[o + j] = k * (probs[o + j]! - (y * (1 - labelSmoothing) + off));
    }
  }
}

/**
 * dLogits [rows, cols] = (p − y)/(rows·cols), overwritten, where p = sigmoid(logits) and
 * y = yTrue·(1 − ls) + ls/2: ∂(binary cross-entropy, sum_over_batch_size)/∂logits, equal to the
 * chain rule through sigmoid of the probability-path gradient when no clip is active. With
 * Keras's `mask` [rows], (p − y)/(valid·cols) on the unmasked rows and 0 on the others.
 */
export function sigmoidBinaryCrossEntropyGrad(
  probs: Float32Array,
  yTrue: Float32Array,
  dLogits: Float32Array,
  rows: number,
  cols: number,
  labelSmoothing: number,
  mask: Float32Array | null = null,
): void {
  const k = 1 / ((mask ? validRows(mask, rows) : rows) * cols);
  for (let r = 0; r < rows; r++) {
    const keep = !mask || mask[r] !== 0;
    for (let i = r * cols; i < (r + 1) * cols; i++) {
      const y = yTrue[i]! * (1 - labelSmoothing) + 0.5 * labelSmoothing;
      dLogits[i] = keep ? k * (probs[i]! - y) : 0;
    }
  }
}

/** The rows Keras's mask keeps (1/0 gives Infinity, but every row's gradient is then 0). */
function validRows(mask: Float32Array, rows: number): number {
  let valid = 0;
  for (let r = 0; r < rows; r++) if (mask[r] !== 0) valid++;
  return valid;
}
