/**
 * Keras 3's AUC metric (keras/src/metrics/confusion_metrics.py, single-label): the confusion
 * counts at every threshold, accumulated over the epoch, then a Riemann sum of the ROC or PR
 * curve. Thresholds are [−eps, 1/(n−1), …, (n−2)/(n−1), 1 + eps] (or the sorted user list with
 * those two endpoints), compared in float32. Evenly spaced thresholds use Keras's bucket form
 * (p clipped to [0, 1], bucket = max(ceil(p·(n−1)) − 1, 0)); others count p > t directly. Every
 * element of y_pred [rows, cols] is one prediction (multi_label=False flattens).
 */

import { checkBatch, type Metric } from './metrics.js';

/** Options of AUC; `thresholds` null means `numThresholds` evenly spaced ones. */
export interface AucOptions {
  numThresholds: number;
  curve: 'ROC' | 'PR';
  summationMethod: 'interpolation' | 'minoring' | 'majoring';
  thresholds: number[] | null;
  fromLogits: boolean;
}

const EPS = 1e-7;

/** np.allclose([0] + t + [1], arange(n)/(n − 1), atol=eps): Keras's is_evenly_distributed test. */
function evenlySpaced(all: number[]): boolean {
  const n = all.length;
  if (n < 3) return false;
  for (let i = 0; i < n; i++) {
    const even = Math.fround(i / (n - 1));
    if (!(Math.abs(all[i]! - even) <= EPS + 1e-5 * Math.abs(even))) return false;
  }
  return true;
}

/** Area under the ROC or precision–recall curve, Keras's approximation. */
export class Auc implements Metric {
  readonly direction = 'up';
  private readonly thresholds: Float64Array;
  private readonly even: boolean;
  /** Positives/negatives whose prediction clears exactly the first m thresholds, by m. */
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;

  constructor(
    readonly name: string,
    private readonly options: AucOptions,
  ) {
    const inner = options.thresholds
      ? [...options.thresholds].sort((a, b) => a - b)
      : Array.from(
          { length: options.numThresholds - 2 },
          (_, i) => (i + 1) / (options.numThresholds - 1),
        );
    this.even = options.thresholds ? evenlySpaced([0, ...inner, 1]) : true;
    this.thresholds = Float64Array.from([0 - EPS, ...inner, 1 + EPS], Math.fround);
    this.pos = new Float64Array(this.thresholds.length + 1);
    this.neg = new Float64Array(this.thresholds.length + 1);
  }

  reset(): void {
    this.pos.fill(0);
    this.neg.fill(0);
  }

  update(yTrue: Float32Array, yPred: Float32Array, rows: number, cols: number): void {
    checkBatch(this.name, yTrue, yPred, rows, cols, false);
    const n = rows * cols;
    for (let i = 0; i < n; i++) {
      let p = yPred[i]!;
      if (this.options.fromLogits) p = Math.fround(1 / (1 + Math.exp(-p)));
      const m = this.even ? this.bucketCount(p) : this.countBelow(p);
      if (yTrue[i] !== 0) this.pos[m]!++;
      else this.neg[m]!++;
    }
  }

  /** Keras's optimized form: the bucket index + 1 = how many thresholds p clears. */
  private bucketCount(p: number): number {
    const clipped = p < 0 ? 0 : p > 1 ? 1 : p;
    const bucket = Math.ceil(Math.fround(clipped * (this.thresholds.length - 1))) - 1;
    return (bucket > 0 ? bucket : 0) + 1;
  }

  /** How many (sorted) thresholds t satisfy p > t. */
  private countBelow(p: number): number {
    let lo = 0;
    let hi = this.thresholds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p > this.thresholds[mid]!) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  result(): number {
    const T = this.thresholds.length;
    const tp = new Float64Array(T);
    const fp = new Float64Array(T);
    let posAbove = 0;
    let negAbove = 0;
    for (let i = T - 1; i >= 0; i--) {
      posAbove += this.pos[i + 1]!;
      negAbove += this.neg[i + 1]!;
      tp[i] = posAbove;
      fp[i] = negAbove;
    }
    let totalPos = 0;
    let totalNeg = 0;
    for (let m = 0; m <= T; m++) {
      totalPos += this.pos[m]!;
      totalNeg += this.neg[m]!;
    }
    const fn = tp.map((v) => totalPos - v);
    const tn = fp.map((v) => totalNeg - v);
    if (this.options.curve === 'PR' && this.options.summationMethod === 'interpolation') {
      return interpolatePrAuc(tp, fp, fn);
    }
    return riemannAuc(tp, fp, tn, fn, this.options.curve, this.options.summationMethod);
  }
}

const divideNoNan = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** AUC.result for ROC, and for PR with minoring/majoring. */
function riemannAuc(
  tp: Float64Array,
  fp: Float64Array,
  tn: Float64Array,
  fn: Float64Array,
  curve: 'ROC' | 'PR',
  method: 'interpolation' | 'minoring' | 'majoring',
): number {
  const T = tp.length;
  const x = new Float64Array(T);
  const y = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const recall = divideNoNan(tp[i]!, tp[i]! + fn[i]!);
    if (curve === 'ROC') {
      x[i] = divideNoNan(fp[i]!, fp[i]! + tn[i]!);
      y[i] = recall;
    } else {
      x[i] = recall;
      y[i] = divideNoNan(tp[i]!, tp[i]! + fp[i]!);
    }
  }
  let area = 0;
  for (let i = 0; i < T - 1; i++) {
    const a = y[i]!;
    const b = y[i + 1]!;
    const height =
      method === 'interpolation'
        ? (a + b) / 2
        : method === 'minoring'
          ? Math.min(a, b)
          : Math.max(a, b);
    area += (x[i]! - x[i + 1]!) * height;
  }
  return area;
}

/** AUC.interpolate_pr_auc: Davis & Goadrich's interpolation of the PR curve. */
function interpolatePrAuc(tp: Float64Array, fp: Float64Array, fn: Float64Array): number {
  const T = tp.length;
  let area = 0;
  for (let i = 0; i < T - 1; i++) {
    const dtp = tp[i]! - tp[i + 1]!;
    const pA = tp[i]! + fp[i]!;
    const pB = tp[i + 1]! + fp[i + 1]!;
    const slope = divideNoNan(dtp, Math.max(pA - pB, 0));
    const intercept = tp[i + 1]! - slope * pB;
    const ratio = pA > 0 && pB > 0 ? divideNoNan(pA, Math.max(pB, 0)) : 1;
    area += divideNoNan(
      slope * (dtp + intercept * Math.log(ratio)),
      Math.max(tp[i + 1]! + fn[i + 1]!, 0),
    );
  }
  return area;
}
