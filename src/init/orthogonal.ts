/**
 * Keras 3's Orthogonal initializer (keras/src/initializers/random_initializers.py): the Q factor
 * of a standard-normal (max(rows, cols) × min(rows, cols)) matrix, signs fixed so R has a
 * positive diagonal, transposed when rows < cols, times gain. rows = prod(shape[:-1]).
 */
import type { Rng } from '../kernels/random.js';

/**
 * Fills out (row-major, `shape`, rank ≥ 2) with gain·Q; out is overwritten. Q comes from modified
 * Gram–Schmidt with one re-orthogonalisation pass in float64, which yields R's diagonal
 * positive directly — the same Q as Householder QR followed by Keras's `q *= sign(diag(r))`.
 */
export function fillOrthogonal(
  shape: readonly number[],
  gain: number,
  rng: Rng,
  out: Float32Array,
): void {
  if (shape.length < 2) {
    throw new Error(
      `Orthogonal: the tensor to initialize must be at least two-dimensional, found shape [${shape.join(', ')}].`,
    );
  }
  const cols = shape[shape.length - 1] as number;
  if (out.length === 0) return;
  const rows = out.length / cols;
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  // The normal matrix a is (m, n), drawn in row-major order; stored column by column.
  const q = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j * m + i] = rng.normal();
  orthonormalizeColumns(q, m, n);
  if (rows >= cols) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (q[c * m + r] as number);
    }
  } else {
    // out = Qᵀ: row r of out is column r of Q, already contiguous.
    for (let k = 0; k < rows * cols; k++) out[k] = gain * (q[k] as number);
  }
}

/**
 * Replaces the n columns (each of length m, stored contiguously) of q by an orthonormal basis
 * of their span, column j orthogonal to columns < j with a positive coefficient on itself.
 * A column whose residual is exactly zero (a rank-deficient draw) becomes zero, as Keras's
 * `q *= sign(diag(r))` with sign(0) = 0 makes it.
 */
export function orthonormalizeColumns(q: Float64Array, m: number, n: number): void {
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const ck = k * m;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += (q[ck + i] as number) * (q[cj + i] as number);
        for (let i = 0; i < m; i++) q[cj + i] = (q[cj + i] as number) - dot * (q[ck + i] as number);
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += (q[cj + i] as number) ** 2;
    norm = Math.sqrt(norm);
    const inv = norm > 0 ? 1 / norm : 0;
    for (let i = 0; i < m; i++) q[cj + i] = (q[cj + i] as number) * inv;
  }
}
