/**
 * Keras 3's accuracy metrics (keras/src/metrics/accuracy_metrics.py): per-sample match values
 * averaged over every sample of the epoch. Arg-max takes the first of tied maxima (as NumPy and
 * TensorFlow do); top-k counts ties in the target's favour (rank = 1 + #{p_j > p_target} ≤ k),
 * as ops.in_top_k does; class indices stored as floats are truncated like Keras's int cast.
 */

import { RowMeanMetric } from './metrics.js';

/** Index of the first maximum of a[o .. o+cols). */
function argmax(a: Float32Array, o: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (a[o + j]! > a[o + best]!) best = j;
  return best;
}

/** ops.in_top_k for one row: is class `target` among the k largest predictions? */
function inTopK(yp: Float32Array, o: number, cols: number, target: number, k: number): boolean {
  if (!(target >= 0 && target < cols)) return false;
  const pt = yp[o + target]!;
  if (Number.isNaN(pt)) return false;
  let above = 0;
  for (let j = 0; j < cols; j++) if (yp[o + j]! > pt) above++;
  return above + 1 <= k;
}

/** binary_accuracy: mean over the row of y == (p > threshold), threshold in float32. */
export class BinaryAccuracy extends RowMeanMetric {
  private readonly threshold: number;

  constructor(name: string, threshold: number) {
    super(name, 'up', false);
    this.threshold = Math.fround(threshold);
  }

  protected rowValue(yt: Float32Array, yp: Float32Array, r: number, cols: number): number {
    const o = r * cols;
    let hits = 0;
    for (let j = 0; j < cols; j++) if (yt[o + j] === (yp[o + j]! > this.threshold ? 1 : 0)) hits++;
    return hits / cols;
  }
}

/** categorical_accuracy: argmax(y) == argmax(p), one-hot targets. */
export class CategoricalAccuracy extends RowMeanMetric {
  constructor(name: string) {
    super(name, 'up', false);
  }

  protected rowValue(yt: Float32Array, yp: Float32Array, r: number, cols: number): number {
    return argmax(yt, r * cols, cols) === argmax(yp, r * cols, cols) ? 1 : 0;
  }
}

/** sparse_categorical_accuracy: y == argmax(p), y a class index per row. */
export class SparseCategoricalAccuracy extends RowMeanMetric {
  constructor(name: string) {
    super(name, 'up', true);
  }

  protected rowValue(yt: Float32Array, yp: Float32Array, r: number, cols: number): number {
    return yt[r] === argmax(yp, r * cols, cols) ? 1 : 0;
  }
}

/** top_k_categorical_accuracy: is argmax(y) among the k largest predictions? */
export class TopKCategoricalAccuracy extends RowMeanMetric {
  constructor(
    name: string,
    private readonly k: number,
  ) {
    super(name, 'up', false);
  }

  protected rowValue(yt: Float32Array, yp: Float32Array, r: number, cols: number): number {
    return inTopK(yp, r * cols, cols, argmax(yt, r * cols, cols), this.k) ? 1 : 0;
  }
}

/**
 * sparse_top_k_categorical_accuracy: is class y among the k largest predictions? With
 * from_sorted_ids, y_pred rows already hold class ids best-first and the test is y ∈ p[0..k).
 */
export class SparseTopKCategoricalAccuracy extends RowMeanMetric {
  constructor(
    name: string,
    private readonly k: number,
    private readonly fromSortedIds: boolean,
  ) {
    super(name, 'up', true);
  }

  protected rowValue(yt: Float32Array, yp: Float32Array, r: number, cols: number): number {
    const o = r * cols;
    const target = Math.trunc(yt[r]!);
    if (!this.fromSortedIds) return inTopK(yp, o, cols, target, this.k) ? 1 : 0;
    const n = Math.min(this.k, cols);
    for (let j = 0; j < n; j++) if (yp[o + j] === target) return 1;
    return 0;
  }
}

/** Accuracy (the class): mean over the row of exact equality y == p. */
export class ExactAccuracy extends RowMeanMetric {
  constructor(name: string) {
    super(name, 'up', false);
  }

  protected rowValue(yt: Float32Array, yp: Float32Array, r: number, cols: number): number {
    const o = r * cols;
    let hits = 0;
    for (let j = 0; j < cols; j++) if (yt[o + j] === yp[o + j]) hits++;
    return hits / cols;
  }
}
