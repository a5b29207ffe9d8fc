/**
 * Float64 reference twins of the Keras 3 losses: each formula written out the way
 * keras/src/losses/losses.py states it (log(cosh x) rather than the softplus form, an explicit
 * one-hot for sparse targets, the literal reduce_weighted_values of loss.py), on plain number
 * arrays, slow and obvious. The kernels in src/kernels/losses.ts are tested against these.
 */

/** Keras's epsilon and 1 − epsilon as the float32 values its clips use. */
export const EPS32 = Math.fround(1e-7);
export const ONE_MINUS_EPS32 = Math.fround(1 - 1e-7);

export interface NaiveLossOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
  delta?: number;
  ignoreClass?: number | null;
  alpha?: number;
  gamma?: number;
  applyClassBalancing?: boolean;
  reduction?: string;
  sampleWeight?: number[] | null;
  /** Keras's mask on y_pred, one 1/0 per row (from Embedding(mask_zero=True)). */
  mask?: number[] | null;
}

const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
export const naiveSigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Row-wise softmax in float64. */
export function naiveSoftmax(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = sum(e);
  return e.map((v) => v / s);
}

function l2normalize(v: number[]): number[] {
  const n = Math.sqrt(sum(v.map((x) => x * x)));
  return v.map((x) => x / Math.max(n, 1e-7));
}

/** The per-sample loss of every row, unreduced and unmasked (sparse targets: yTrue[r][0]). */
function perSampleLosses(name: string, yTrue: number[][], yPred: number[][], o: NaiveLossOptions) {
  const ls = o.labelSmoothing ?? 0;
  const allBinary = yTrue.every((row) => row.every((v) => v === 0 || v === 1));
  return yPred.map((p, r) => {
    const y = yTrue[r]!;
    const C = p.length;
    switch (name) {
      case 'mean_squared_error':
        return mean(p.map((pj, j) => (y[j]! - pj) ** 2));
      case 'mean_absolute_error':
        return mean(p.map((pj, j) => Math.abs(y[j]! - pj)));
      case 'mean_absolute_percentage_error':
        return (
          100 * mean(p.map((pj, j) => Math.abs((y[j]! - pj) / Math.max(Math.abs(y[j]!), EPS32))))
        );
      case 'mean_squared_logarithmic_error':
        return mean(
          p.map(
            (pj, j) =>
              (Math.log(Math.max(pj, EPS32) + 1) - Math.log(Math.max(y[j]!, EPS32) + 1)) ** 2,
          ),
        );
      case 'huber': {
        const d = o.delta ?? 1;
        return mean(
          p.map((pj, j) => {
            const e = pj - y[j]!;
            return Math.abs(e) <= d ? 0.5 * e * e : d * Math.abs(e) - 0.5 * d * d;
          }),
        );
      }
      case 'log_cosh':
        return mean(p.map((pj, j) => Math.log(Math.cosh(pj - y[j]!))));
      case 'poisson':
        return mean(p.map((pj, j) => pj - y[j]! * Math.log(pj + EPS32)));
      case 'kl_divergence':
        return sum(
          p.map((pj, j) => {
            const yc = clip(y[j]!, EPS32, 1);
            return yc * Math.log(yc / clip(pj, EPS32, 1));
          }),
        );
      case 'cosine_similarity': {
        const a = l2normalize(y);
        const b = l2normalize(p);
        return -sum(a.map((aj, j) => aj * b[j]!));
      }
      case 'hinge':
      case 'squared_hinge': {
        const t = allBinary ? y.map((v) => 2 * v - 1) : y;
        const m = p.map((pj, j) => Math.max(1 - t[j]! * pj, 0));
        return mean(name === 'hinge' ? m : m.map((v) => v * v));
      }
      case 'categorical_hinge': {
        const pos = sum(p.map((pj, j) => y[j]! * pj));
        const neg = Math.max(...p.map((pj, j) => (1 - y[j]!) * pj));
        return Math.max(neg - pos + 1, 0);
      }
      case 'binary_crossentropy': {
        const t = y.map((v) => v * (1 - ls) + 0.5 * ls);
        if (o.fromLogits) {
          return mean(
            p.map(
              (x, j) =>
                -(t[j]! * Math.log(naiveSigmoid(x)) + (1 - t[j]!) * Math.log(1 - naiveSigmoid(x))),
            ),
          );
        }
        return mean(
          p.map((pj, j) => {
            const q = clip(pj, EPS32, ONE_MINUS_EPS32);
            return -(t[j]! * Math.log(q) + (1 - t[j]!) * Math.log(1 - q));
          }),
        );
      }
      case 'categorical_crossentropy':
      case 'sparse_categorical_crossentropy': {
        const oneHot =
          name === 'sparse_categorical_crossentropy'
            ? p.map((_, j) => (j === Math.trunc(y[0]!) ? 1 : 0))
            : y.map((v) => v * (1 - ls) + ls / C);
        const logq = o.fromLogits
          ? naiveSoftmax(p).map(Math.log)
          : p.map((pj) => Math.log(clip(pj / sum(p), EPS32, ONE_MINUS_EPS32)));
        return -sum(oneHot.map((t, j) => t * logq[j]!));
      }
      case 'binary_focal_crossentropy': {
        const t = y.map((v) => v * (1 - ls) + 0.5 * ls);
        const a = o.alpha ?? 0.25;
        const g = o.gamma ?? 2;
        return mean(
          p.map((raw, j) => {
            const pj = o.fromLogits ? naiveSigmoid(raw) : raw;
            const q = clip(pj, EPS32, ONE_MINUS_EPS32);
            const bce = -(t[j]! * Math.log(q) + (1 - t[j]!) * Math.log(1 - q));
            const pt = t[j]! * pj + (1 - t[j]!) * (1 - pj);
            const w = o.applyClassBalancing ? t[j]! * a + (1 - t[j]!) * (1 - a) : 1;
            return w * (1 - pt) ** g * bce;
          }),
        );
      }
      case 'categorical_focal_crossentropy': {
        const t = y.map((v) => v * (1 - ls) + ls / C);
        const probs = o.fromLogits ? naiveSoftmax(p) : p;
        const q = probs.map((v) => clip(v / sum(probs), EPS32, ONE_MINUS_EPS32));
        const a = o.alpha ?? 0.25;
        const g = o.gamma ?? 2;
        return sum(q.map((qj, j) => a * (1 - qj) ** g * (-t[j]! * Math.log(qj))));
      }
      default:
        throw new Error(`no twin for ${name}`);
    }
  });
}

/**
 * The loss as Keras's Loss.__call__ computes it: per-sample values, y_pred's mask and the
 * ignore_class mask, sample weights, then reduce_weighted_values. For reduction 'none', `value` is the mean of the
 * per-sample values and `trainValue` their sum (what a gradient of a vector loss differentiates);
 * `perSample` is what reduction 'none' returns.
 */
export function naiveLoss(
  name: string,
  yTrue: number[][],
  yPred: number[][],
  o: NaiveLossOptions = {},
): { value: number; trainValue: number; perSample: number[] } {
  const values = perSampleLosses(name, yTrue, yPred, o);
  const reduction = o.reduction ?? 'sum_over_batch_size';
  const n = values.length;
  // Keras's mask and the ignore_class mask (joined with &), merged into the sample weights as
  // loss.apply_mask does: rescaled by total/valid for the means.
  let weights: number[] | null = o.sampleWeight ?? null;
  const ic = o.ignoreClass ?? null;
  const keep = yTrue.map((row, r) => ((ic !== null && row[0] === ic) || o.mask?.[r] === 0 ? 0 : 1));
  const masked = ic !== null || (o.mask ?? null) !== null;
  if (masked) {
    let mask: number[] = keep;
    const valid = sum(mask);
    if (reduction === 'mean' || reduction === 'sum_over_batch_size') {
      mask = mask.map((m) => (valid === 0 ? 0 : (m * n) / valid));
    }
    weights = weights ? weights.map((w, r) => w * mask[r]!) : mask;
  }
  const weighted = values.map((v, r) => (weights ? (weights[r] === 0 ? 0 : v * weights[r]!) : v));
  const total = sum(weighted);
  let value: number;
  if (reduction === 'none') value = total / n;
  else if (reduction === 'sum') value = total;
  else if (reduction === 'mean_with_sample_weight' && o.sampleWeight) {
    const s = sum(o.sampleWeight.map((w, r) => w * keep[r]!));
    value = s === 0 ? 0 : total / s;
  } else if (reduction === 'mean_with_sample_weight' && masked) {
    const s = sum(weights!);
    value = s === 0 ? 0 : total / s;
  } else value = total / n;
  // Per-sample values as reduction 'none' returns them: loss · weight, 0 where masked.
  const perSample = values.map((v, r) =>
    keep[r] === 0 || o.sampleWeight?.[r] === 0 ? 0 : v * (o.sampleWeight?.[r] ?? 1),
  );
  return { value, trainValue: reduction === 'none' ? total : value, perSample };
}
