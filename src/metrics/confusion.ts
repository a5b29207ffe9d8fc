/**
 * Precision and Recall of Keras 3 (keras/src/metrics/confusion_metrics.py, metrics_utils.py)
 * with one threshold: a prediction is positive when p > threshold (float32), a label when
 * y ≠ 0; true/false positives and false negatives are counted over every element of every batch
 * of the epoch. With top_k, only each row's k largest predictions keep their value (ties go to
 * the lower index, as ops.top_k), the others become −1e10 and the default threshold is −1e10;
 * with class_id, only that column counts.
 */

import { checkBatch, type Metric } from './metrics.js';

/** metrics_utils.NEG_INF. */
const NEG_INF = -1e10;

/** Options of Precision and Recall. */
export interface ConfusionOptions {
  /** null: 0.5, or −1e10 with top_k. */
  threshold: number | null;
  topK: number | null;
  classId: number | null;
}

/** Precision = TP/(TP+FP) or Recall = TP/(TP+FN), 0 when the denominator is 0. */
export class PrecisionRecall implements Metric {
  readonly direction = 'up';
  private readonly threshold: number;
  private tp = 0;
  private fp = 0;
  private fn = 0;
  /** Per-row scratch: 1 where the column is among the top k. */
  private inTop = new Uint8Array(0);
  private top = new Int32Array(0);

  constructor(
    readonly name: string,
    private readonly kind: 'precision' | 'recall',
    private readonly options: ConfusionOptions,
  ) {
    this.threshold = Math.fround(options.threshold ?? (options.topK === null ? 0.5 : NEG_INF));
  }

  reset(): void {
    this.tp = 0;
    this.fp = 0;
    this.fn = 0;
  }

  update(yTrue: Float32Array, yPred: Float32Array, rows: number, cols: number): void {
    checkBatch(this.name, yTrue, yPred, rows, cols, false);
    const { topK, classId } = this.options;
    if (classId !== null && classId >= cols) {
      throw new Error(
        `Metric '${this.name}': class_id ${classId} is out of range for ${cols} outputs.`,
      );
    }
    if (topK !== null && this.inTop.length < cols) this.inTop = new Uint8Array(cols);
    if (topK !== null && this.top.length < topK) this.top = new Int32Array(topK);
    const from = classId ?? 0;
    const to = classId === null ? cols : classId + 1;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      if (topK !== null) this.markTopK(yPred, o, cols, topK);
      for (let j = from; j < to; j++) {
        const p = topK === null || this.inTop[j] === 1 ? yPred[o + j]! : NEG_INF;
        const positive = p > this.threshold;
        const label = yTrue[o + j] !== 0;
        if (label && positive) this.tp++;
        else if (positive) this.fp++;
        else if (label) this.fn++;
      }
    }
  }

  result(): number {
    const denominator = this.tp + (this.kind === 'precision' ? this.fp : this.fn);
    return denominator === 0 ? 0 : this.tp / denominator;
  }

  /** inTop[j] = 1 for the k largest of row o (first index first among ties), else 0. */
  private markTopK(yp: Float32Array, o: number, cols: number, k: number): void {
    const top = this.top;
    let n = 0;
    for (let j = 0; j < cols; j++) {
      const v = yp[o + j]!;
      if (n === k && !(v > yp[o + top[n - 1]!]!)) continue;
      // Insert j after every kept index whose value is ≥ v (earlier indices win ties).
      let at = n === k ? k - 1 : n;
      while (at > 0 && yp[o + top[at - 1]!]! < v) {
        top[at] = top[at - 1]!;
        at--;
      }
      top[at] = j;
      if (n < k) n++;
    }
    this.inTop.fill(0, 0, cols);
    for (let i = 0; i < n; i++) this.inTop[top[i]!] = 1;
  }
}
