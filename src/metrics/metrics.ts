/**
 * The stateful metric contract of Keras 3 (keras/src/metrics/metric.py): a metric accumulates
 * over the batches of an epoch (update), reports its value so far (result) and starts over
 * (reset). Buffers are the engine's: y_pred [rows, cols] row-major; y_true [rows, cols], or
 * [rows] class indices for the sparse metrics.
 */

import type { TargetContext } from '../kernels/losses.js';

/** Whether a larger value is better ('up': accuracy, AUC, R²) or a smaller one ('down': errors). */
export type MetricDirection = 'up' | 'down';

/** One compiled metric. */
export interface Metric {
  /** The log key: the string as written ('acc' stays 'acc'), or the `name` argument. */
  readonly name: string;
  /** What callbacks with mode='auto' use (Keras's `_direction`). */
  readonly direction: MetricDirection;
  /** Forget everything accumulated (Keras's reset_state, called at each epoch's start). */
  reset(): void;
  /**
   * Accumulate one batch: yPred [rows, cols]; yTrue [rows, cols] or [rows] for sparse metrics.
   * `mask` [rows] is Keras's mask on y_pred (from Embedding(mask_zero=True); 0 drops a row):
   * the metrics Keras wraps in MeanMetricWrapper weigh by it, the others ignore it as Keras does.
   */
  update(
    yTrue: Float32Array,
    yPred: Float32Array,
    rows: number,
    cols: number,
    mask?: Float32Array | null,
  ): void;
  /** The value over everything accumulated since the last reset. */
  result(): number;
}

/** What resolving 'accuracy' and 'crossentropy' looks at: output units and target encoding. */
export type MetricContext = TargetContext;

/** Throws unless yPred holds ≥ rows·cols values and yTrue ≥ rows (sparse) or rows·cols; only those are read. */
export function checkBatch(
  metric: string,
  yTrue: Float32Array,
  yPred: Float32Array,
  rows: number,
  cols: number,
  sparseTargets: boolean,
): void {
  const targets = sparseTargets ? rows : rows * cols;
  if (yPred.length < rows * cols || yTrue.length < targets) {
    throw new Error(
      `Metric '${metric}': expected ${rows * cols} predictions and ${targets} targets (at least), ` +
        `got ${yPred.length} and ${yTrue.length}.`,
    );
  }
}

/**
 * Keras's Mean over per-sample values (MeanMetricWrapper): Σ of each row's value / rows seen,
 * 0 before any update (divide_no_nan). With a mask, apply_mask makes it Σ mask·value / Σ mask.
 * Subclasses give the per-row value.
 */
export abstract class RowMeanMetric implements Metric {
  private total = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly direction: MetricDirection,
    /** yTrue holds one class index per row. */
    private readonly sparseTargets: boolean,
  ) {}

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(
    yTrue: Float32Array,
    yPred: Float32Array,
    rows: number,
    cols: number,
    mask: Float32Array | null = null,
  ): void {
    checkBatch(this.name, yTrue, yPred, rows, cols, this.sparseTargets);
    let sum = 0;
    let count = 0;
    for (let r = 0; r < rows; r++) {
      if (mask && mask[r] === 0) continue;
      sum += this.rowValue(yTrue, yPred, r, cols);
      count++;
    }
    this.total += sum;
    this.count += count;
  }

  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  /** The metric's value for row r (y_pred row at r·cols; y_true at r or r·cols). */
  protected abstract rowValue(
    yTrue: Float32Array,
    yPred: Float32Array,
    r: number,
    cols: number,
  ): number;
}
