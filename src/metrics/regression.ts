/**
 * Keras 3's metrics that average a loss formula over the epoch (regression_metrics.py,
 * probabilistic_metrics.py, hinge_metrics.py: MeanMetricWrapper around the loss functions),
 * RootMeanSquaredError (√ of that mean for squared errors), CosineSimilarity (the positive
 * cosine, unlike the loss) and R2Score (sums per output column, then 1 − SS_res/SS_tot).
 */

import { lossForward, type LossSpec } from '../kernels/losses.js';
import { checkBatch, type Metric, type MetricDirection } from './metrics.js';

/** How a loss-based metric turns the mean of the per-sample losses into its value. */
export type LossMeanForm = 'mean' | 'negated' | 'root';

/**
 * The running mean over samples of a loss's per-sample values (spec.reduction must be 'sum':
 * lossForward then returns Σ over the batch's rows, accumulated in float64).
 */
export class LossMeanMetric implements Metric {
  private total = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly direction: MetricDirection,
    private readonly spec: LossSpec,
    private readonly form: LossMeanForm = 'mean',
  ) {
    if (spec.reduction !== 'sum')
      throw new Error(`Metric '${name}' needs a loss with reduction 'sum'.`);
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  /** Keras's RootMeanSquaredError squares y_pred − y_true itself, so its values carry no mask. */
  update(
    yTrue: Float32Array,
    yPred: Float32Array,
    rows: number,
    cols: number,
    mask: Float32Array | null = null,
  ): void {
    const m = this.form === 'root' ? null : mask;
    this.total += lossForward(this.spec, yTrue, yPred, rows, cols, undefined, null, m);
    if (!m) {
      this.count += rows;
      return;
    }
    for (let r = 0; r < rows; r++) if (m[r] !== 0) this.count++;
  }

  result(): number {
    const mean = this.count === 0 ? 0 : this.total / this.count;
    return this.form === 'negated' ? -mean : this.form === 'root' ? Math.sqrt(mean) : mean;
  }
}

/** Options of R2Score. */
export interface R2Options {
  classAggregation: 'uniform_average' | 'variance_weighted_average';
  numRegressors: number;
}

/**
 * R2Score: per output column, Σy, Σy², Σ(y − p)² and the count; the result is
 * 1 − SS_res/SS_tot per column (±∞ → 0, as Keras), averaged uniformly or by SS_tot, and adjusted
 * for num_regressors when there are enough samples (num_samples counts elements, as Keras's).
 */
export class R2Score implements Metric {
  readonly direction = 'up';
  private sum = new Float64Array(0);
  private squares = new Float64Array(0);
  private residual = new Float64Array(0);
  private count = new Float64Array(0);
  private samples = 0;

  constructor(
    readonly name: string,
    private readonly options: R2Options,
  ) {}

  reset(): void {
    this.sum.fill(0);
    this.squares.fill(0);
    this.residual.fill(0);
    this.count.fill(0);
    this.samples = 0;
  }

  update(yTrue: Float32Array, yPred: Float32Array, rows: number, cols: number): void {
    checkBatch(this.name, yTrue, yPred, rows, cols, false);
    if (this.sum.length === 0) {
      this.sum = new Float64Array(cols);
      this.squares = new Float64Array(cols);
      this.residual = new Float64Array(cols);
      this.count = new Float64Array(cols);
    } else if (this.sum.length !== cols) {
      throw new Error(`Metric '${this.name}': built for ${this.sum.length} outputs, got ${cols}.`);
    }
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) {
        const y = yTrue[o + j]!;
        const e = y - yPred[o + j]!;
        this.sum[j]! += y;
        this.squares[j]! += y * y;
        this.residual[j]! += e * e;
        this.count[j]!++;
      }
    }
    this.samples += rows * cols;
  }

  result(): number {
    const cols = this.sum.length;
    if (cols === 0) return Number.NaN;
    let scores = 0;
    let weighted = 0;
    let weights = 0;
    for (let j = 0; j < cols; j++) {
      const mean = this.sum[j]! / this.count[j]!;
      const total = this.squares[j]! - this.sum[j]! * mean;
      let raw = 1 - this.residual[j]! / total;
      if (raw === Infinity || raw === -Infinity) raw = 0;
      scores += raw;
      weighted += total * raw;
      weights += total;
    }
    const r2 =
      this.options.classAggregation === 'uniform_average' ? scores / cols : weighted / weights;
    const n = this.samples;
    const p = this.options.numRegressors;
    // Keras falls back to the plain score (with a warning) when p ≥ n − 1.
    if (p === 0 || p >= n - 1) return r2;
    return 1 - ((1 - r2) * (n - 1)) / (n - p - 1);
  }
}
