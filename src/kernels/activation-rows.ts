/**
 * The activations that act on a whole row, x, y: [rows, cols] row-major, over the last axis:
 * softmax, log_softmax and sparsemax, forward and backward (the row's Jacobian-vector product).
 * Sums are carried in float64.
 */

/** The activations whose output at one position depends on the whole row. */
export type RowActivationName = 'softmax' | 'log_softmax' | 'sparsemax';

/** True for softmax, log_softmax and sparsemax. */
export function isRowActivation(name: string): name is RowActivationName {
  return name === 'softmax' || name === 'log_softmax' || name === 'sparsemax';
}

/**
 * y = f(x) per row of [rows, cols]; y is overwritten and may be x. softmax exp(x − max)/Σexp(x − max);
 * log_softmax (x − max) − log Σexp(x − max); sparsemax max(x − τ, 0), τ the threshold that makes
 * the row sum to 1 (Martins & Astudillo 2016: the Euclidean projection onto the simplex).
 * Keras ≤ 3.x before PR #23469 computed τ from the sum of the cumulative sums over the support
 * (wrong whenever the support has two or more entries, keras-team/keras#23425); this is the fixed,
 * correct projection.
 */
export function activationForwardRows(
  name: RowActivationName,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const end = off + cols;
    if (name === 'sparsemax') {
      const tau = sparsemaxThreshold(x, off, end);
      for (let i = off; i < end; i++) {
        const v = x[i]! - tau;
        y[i] = v > 0 ? v : 0;
      }
      continue;
    }
    let max = -Infinity;
    for (let i = off; i < end; i++) if (x[i]! > max) max = x[i]!;
    let sum = 0;
    if (name === 'softmax') {
      for (let i = off; i < end; i++) {
        const e = Math.exp(x[i]! - max);
        y[i] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let i = off; i < end; i++) y[i] = y[i]! * inv;
    } else {
      for (let i = off; i < end; i++) sum += Math.exp(x[i]! - max);
      const lse = Math.log(sum);
      for (let i = off; i < end; i++) y[i] = x[i]! - max - lse;
    }
  }
}

/**
 * dx = J·dy per row, from the forward output y: softmax y⊙(dy − Σ dy⊙y); log_softmax
 * dy − e^y·Σdy; sparsemax on the support S = {y > 0}: dy − (Σ_S dy)/|S|, 0 elsewhere.
 * dx is overwritten and may be dy.
 */
export function activationBackwardRows(
  name: RowActivationName,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const end = off + cols;
    let s = 0;
    if (name === 'softmax') {
      for (let i = off; i < end; i++) s += dy[i]! * y[i]!;
      for (let i = off; i < end; i++) dx[i] = y[i]! * (dy[i]! - s);
    } else if (name === 'log_softmax') {
      for (let i = off; i < end; i++) s += dy[i]!;
      for (let i = off; i < end; i++) dx[i] = dy[i]! - Math.exp(y[i]!) * s;
    } else {
      let k = 0;
      for (let i = off; i < end; i++)
        if (y[i]! > 0) {
          s += dy[i]!;
          k++;
        }
      const mean = k > 0 ? s / k : 0;
      for (let i = off; i < end; i++) dx[i] = y[i]! > 0 ? dy[i]! - mean : 0;
    }
  }
}

/**
 * The sparsemax threshold τ of x[off..end) by Michelot's algorithm (no sort, no scratch): start
 * from the whole row, set τ = (Σ_S x − 1)/|S|, drop the entries ≤ τ, repeat until S is stable.
 * τ only grows, so S only shrinks, and it never empties (the largest entry stays above the mean).
 */
function sparsemaxThreshold(x: Float32Array, off: number, end: number): number {
  let sum = 0;
  for (let i = off; i < end; i++) sum += x[i]!;
  let k = end - off;
  let tau = (sum - 1) / k;
  for (let iter = 0; iter < end - off; iter++) {
    let s = 0;
    let c = 0;
    for (let i = off; i < end; i++) {
      const v = x[i]!;
      if (v > tau) {
        s += v;
        c++;
      }
    }
    if (c === k || c === 0) break;
    k = c;
    tau = (s - 1) / c;
  }
  return tau;
}
