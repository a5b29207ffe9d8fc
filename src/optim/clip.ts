/**
 * Gradient clipping as Keras 3's optimizers do it before each update (base_optimizer.py
 * `_clip_gradients`): per-tensor `clipnorm`, `global_clipnorm` over all tensors, or `clipvalue`.
 * Every function works in place on the caller's gradient buffers and allocates nothing.
 */

/** Σg² of one tensor, accumulated in float64. */
export function sumOfSquares(g: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < g.length; i++) {
    const v = g[i] as number;
    sum += v * v;
  }
  return sum;
}

/** √Σg² of one tensor. */
export function l2Norm(g: Float32Array): number {
  return Math.sqrt(sumOfSquares(g));
}

/** g ← g·c / max(‖g‖₂, c) (tf.clip_by_norm); g is overwritten. A zero tensor stays zero. */
export function clipByNorm(g: Float32Array, clipnorm: number): void {
  const denom = Math.max(l2Norm(g), clipnorm);
  for (let i = 0; i < g.length; i++) g[i] = ((g[i] as number) * clipnorm) / denom;
}

/** √Σᵢ‖gᵢ‖² over every tensor of `grads` (Keras's `global_norm`). */
export function globalNorm(grads: readonly Float32Array[]): number {
  let sum = 0;
  for (let t = 0; t < grads.length; t++) sum += sumOfSquares(grads[t] as Float32Array);
  return Math.sqrt(sum);
}

/**
 * The factor Keras's `clip_by_global_norm` multiplies every gradient by:
 * clip·min(1/norm, 1/clip), NaN when the norm is not finite (so a blown-up step shows as NaN).
 */
export function globalClipScale(norm: number, clip: number): number {
  const scale = clip * Math.min(1 / norm, 1 / clip);
  return scale + (norm - norm);
}

/** g ← g·scale in place. */
export function scaleInPlace(g: Float32Array, scale: number): void {
  for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * scale;
}

/** g ← clip(g, −v, v) in place. */
export function clipByValue(g: Float32Array, v: number): void {
  for (let i = 0; i < g.length; i++) {
    const x = g[i] as number;
    g[i] = x > v ? v : x < -v ? -v : x;
  }
}
