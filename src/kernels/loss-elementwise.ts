/**
 * The regression, hinge and divergence losses of Keras 3, one sample (one row of y_pred
 * [rows, cols]) at a time, forward and gradient, as in keras/src/losses/losses.py. Where Keras
 * takes a max/min/abs/clip, the gradient is the one TensorFlow's autodiff gives: max(a, b) and
 * clip pass it to `a` at a tie, |x| has slope sign(x) (0 at 0), reduce_max splits it evenly
 * among tied maxima. Sums are carried in float64.
 */

import { EPS as EXPORTED_EPS } from './loss-crossentropy.js';

/** A module-local copy: V8 reads an imported binding through a cell, which boxes doubles in hot loops. */
const EPS = EXPORTED_EPS;

/** The losses computed here. */
export type ElementwiseLossName =
  | 'mean_squared_error'
  | 'mean_absolute_error'
  | 'mean_absolute_percentage_error'
  | 'mean_squared_logarithmic_error'
  | 'huber'
  | 'log_cosh'
  | 'poisson'
  | 'kl_divergence'
  | 'cosine_similarity'
  | 'hinge'
  | 'squared_hinge'
  | 'categorical_hinge';

/** min(rsqrt(Σx²), 1/epsilon) is the inverse norm in keras.ops.normalize. */
const INV_EPS = 1e7;

/** softplus(z) = log(1 + e^z), without overflow. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** min(rsqrt(Σ a²), 1e7) over one row. */
function invNorm(a: Float32Array, o: number, cols: number): number {
  let s = 0;
  for (let j = 0; j < cols; j++) s += a[o + j]! * a[o + j]!;
  return Math.min(1 / Math.sqrt(s), INV_EPS);
}

/** The hinge target: 2y − 1 when every y_true of the batch is 0 or 1, else y. */
function hingeTarget(y: number, convert: boolean): number {
  return convert ? 2 * y - 1 : y;
}

/**
 * The loss of row o/cols. `delta` is Huber's; `hingeConvert` says that the whole batch of
 * y_true is in {0, 1} (Keras then maps it to ±1 for hinge and squared_hinge).
 */
export function elementwiseRow(
  name: ElementwiseLossName,
  yt: Float32Array,
  yp: Float32Array,
  o: number,
  cols: number,
  delta: number,
  hingeConvert: boolean,
): number {
  let acc = 0;
  switch (name) {
    case 'mean_squared_error':
      for (let j = 0; j < cols; j++) {
        const d = yt[o + j]! - yp[o + j]!;
        acc += d * d;
      }
      return acc / cols;
    case 'mean_absolute_error':
      for (let j = 0; j < cols; j++) acc += Math.abs(yt[o + j]! - yp[o + j]!);
      return acc / cols;
    case 'mean_absolute_percentage_error':
      for (let j = 0; j < cols; j++) {
        const y = yt[o + j]!;
        acc += Math.abs((y - yp[o + j]!) / Math.max(Math.abs(y), EPS));
      }
      return (100 * acc) / cols;
    case 'mean_squared_logarithmic_error':
      for (let j = 0; j < cols; j++) {
        const d = Math.log(Math.max(yp[o + j]!, EPS) + 1) - Math.log(Math.max(yt[o + j]!, EPS) + 1);
        acc += d * d;
      }
      return acc / cols;
    case 'huber':
      for (let j = 0; j < cols; j++) {
        const e = yp[o + j]! - yt[o + j]!;
        const a = Math.abs(e);
        acc += a <= delta ? 0.5 * e * e : delta * a - 0.5 * delta * delta;
      }
      return acc / cols;
    case 'log_cosh':
      for (let j = 0; j < cols; j++) {
        const x = yp[o + j]! - yt[o + j]!;
        acc += x + softplus(-2 * x) - Math.LN2;
      }
      return acc / cols;
    case 'poisson':
      for (let j = 0; j < cols; j++) acc += yp[o + j]! - yt[o + j]! * Math.log(yp[o + j]! + EPS);
      return acc / cols;
    case 'kl_divergence':
      for (let j = 0; j < cols; j++) {
        const y = Math.min(Math.max(yt[o + j]!, EPS), 1);
        const p = Math.min(Math.max(yp[o + j]!, EPS), 1);
        acc += y * Math.log(y / p);
      }
      return acc;
    case 'cosine_similarity': {
      const ny = invNorm(yt, o, cols);
      const np = invNorm(yp, o, cols);
      for (let j = 0; j < cols; j++) acc += yt[o + j]! * yp[o + j]!;
      return -acc * ny * np;
    }
    case 'hinge':
      for (let j = 0; j < cols; j++) {
        acc += Math.max(1 - hingeTarget(yt[o + j]!, hingeConvert) * yp[o + j]!, 0);
      }
      return acc / cols;
    case 'squared_hinge':
      for (let j = 0; j < cols; j++) {
        const m = Math.max(1 - hingeTarget(yt[o + j]!, hingeConvert) * yp[o + j]!, 0);
        acc += m * m;
      }
      return acc / cols;
    case 'categorical_hinge': {
      let neg = -Infinity;
      for (let j = 0; j < cols; j++) {
        acc += yt[o + j]! * yp[o + j]!;
        neg = Math.max(neg, (1 - yt[o + j]!) * yp[o + j]!);
      }
      return Math.max(neg - acc + 1, 0);
    }
  }
}

/** grad[o..o+cols) = scale · ∂elementwiseRow/∂yp (overwritten); arguments as elementwiseRow. */
export function elementwiseRowGrad(
  name: ElementwiseLossName,
  yt: Float32Array,
  yp: Float32Array,
  grad: Float32Array,
  o: number,
  cols: number,
  delta: number,
  hingeConvert: boolean,
  scale: number,
): void {
  const k = scale / cols;
  switch (name) {
    case 'mean_squared_error':
      for (let j = 0; j < cols; j++) grad[o + j] = 2 * k * (yp[o + j]! - yt[o + j]!);
      return;
    case 'mean_absolute_error':
      for (let j = 0; j < cols; j++) grad[o + j] = k * Math.sign(yp[o + j]! - yt[o + j]!);
      return;
    case 'mean_absolute_percentage_error':
      for (let j = 0; j < cols; j++) {
        const y = yt[o + j]!;
        grad[o + j] = (100 * k * Math.sign(yp[o + j]! - y)) / Math.max(Math.abs(y), EPS);
      }
      return;
    case 'mean_squared_logarithmic_error':
      for (let j = 0; j < cols; j++) {
        const p = yp[o + j]!;
        if (p < EPS) {
          grad[o + j] = 0;
          continue;
        }
        const d = Math.log(p + 1) - Math.log(Math.max(yt[o + j]!, EPS) + 1);
        grad[o + j] = (2 * k * d) / (p + 1);
      }
      return;
    case 'huber':
      for (let j = 0; j < cols; j++) {
        const e = yp[o + j]! - yt[o + j]!;
        grad[o + j] = k * (Math.abs(e) <= delta ? e : delta * Math.sign(e));
      }
      return;
    case 'log_cosh':
      for (let j = 0; j < cols; j++) grad[o + j] = k * Math.tanh(yp[o + j]! - yt[o + j]!);
      return;
    case 'poisson':
      for (let j = 0; j < cols; j++) grad[o + j] = k * (1 - yt[o + j]! / (yp[o + j]! + EPS));
      return;
    case 'kl_divergence':
      for (let j = 0; j < cols; j++) {
        const p = yp[o + j]!;
        const y = Math.min(Math.max(yt[o + j]!, EPS), 1);
        grad[o + j] = p >= EPS && p <= 1 ? (-scale * y) / p : 0;
      }
      return;
    case 'cosine_similarity':
      cosineRowGrad(yt, yp, grad, o, cols, scale);
      return;
    case 'hinge':
      for (let j = 0; j < cols; j++) {
        const y = hingeTarget(yt[o + j]!, hingeConvert);
        grad[o + j] = 1 - y * yp[o + j]! >= 0 ? -k * y : 0;
      }
      return;
    case 'squared_hinge':
      for (let j = 0; j < cols; j++) {
        const y = hingeTarget(yt[o + j]!, hingeConvert);
        const m = Math.max(1 - y * yp[o + j]!, 0);
        grad[o + j] = -2 * k * m * y;
      }
      return;
    case 'categorical_hinge':
      categoricalHingeRowGrad(yt, yp, grad, o, cols, scale);
      return;
  }
}

/** −Σ a·b with a = y·ny, b = p·np: ∂/∂p_k = −ny·(y_k·np − np³·p_k·Σ y·p) while np is unclipped. */
function cosineRowGrad(
  yt: Float32Array,
  yp: Float32Array,
  grad: Float32Array,
  o: number,
  cols: number,
  scale: number,
): void {
  const ny = invNorm(yt, o, cols);
  let pp = 0;
  let dot = 0;
  for (let j = 0; j < cols; j++) {
    pp += yp[o + j]! * yp[o + j]!;
    dot += yt[o + j]! * yp[o + j]!;
  }
  const raw = 1 / Math.sqrt(pp);
  const np = Math.min(raw, INV_EPS);
  // min(x, cap) passes the gradient to x when x ≤ cap; otherwise the norm is a constant.
  const np3dot = raw <= INV_EPS ? np * np * np * dot : 0;
  for (let j = 0; j < cols; j++) {
    grad[o + j] = -scale * ny * (yt[o + j]! * np - np3dot * yp[o + j]!);
  }
}

/** max(neg − pos + 1, 0) with pos = Σ y·p, neg = max (1 − y)·p (ties share the gradient). */
function categoricalHingeRowGrad(
  yt: Float32Array,
  yp: Float32Array,
  grad: Float32Array,
  o: number,
  cols: number,
  scale: number,
): void {
  let pos = 0;
  let neg = -Infinity;
  for (let j = 0; j < cols; j++) {
    pos += yt[o + j]! * yp[o + j]!;
    neg = Math.max(neg, (1 - yt[o + j]!) * yp[o + j]!);
  }
  if (!(neg - pos + 1 >= 0)) {
    grad.fill(0, o, o + cols);
    return;
  }
  let ties = 0;
  for (let j = 0; j < cols; j++) if ((1 - yt[o + j]!) * yp[o + j]! === neg) ties++;
  for (let j = 0; j < cols; j++) {
    const y = yt[o + j]!;
    const atMax = (1 - y) * yp[o + j]! === neg ? (1 - y) / ties : 0;
    grad[o + j] = scale * (atMax - y);
  }
}
