/**
 * The noise layers of training: inverted Dropout and GaussianNoise. Both draw from the engine's
 * seeded Rng, so the same seed gives the same mask or noise bit for bit. At inference both are
 * the identity, which the plan handles by not running them.
 */
import type { Rng } from './random.js';

/**
 * Inverted dropout over n elements, as Keras 3 (backend random.dropout): element i is kept when
 * U < 1 − rate, U uniform in [0, 1), and then scaled by 1/(1 − rate). mask[i] is overwritten with
 * 1/(1 − rate) or 0 and y[i] = x[i]·mask[i] (y may be x). rate 0 keeps everything without drawing;
 * rate 1 zeroes everything without drawing.
 */
export function dropoutForward(
  x: Float32Array,
  y: Float32Array,
  mask: Float32Array,
  n: number,
  rate: number,
  rng: Rng,
): void {
  if (rate <= 0 || rate >= 1) {
    const m = rate <= 0 ? 1 : 0;
    for (let i = 0; i < n; i++) {
      mask[i] = m;
      y[i] = x[i]! * m;
    }
    return;
  }
  const keep = 1 - rate;
  // Rounded to float32 first, as TensorFlow's dropout does (x·scale with a float32 scale).
  const scale = Math.fround(1 / keep);
  for (let i = 0; i < n; i++) {
    const m = rng.uniform() < keep ? scale : 0;
    mask[i] = m;
    y[i] = x[i]! * m;
  }
}

/** dx[i] = dy[i]·mask[i] over n elements, with the mask dropoutForward wrote; dx is overwritten and may be dy. */
export function dropoutBackward(
  dy: Float32Array,
  mask: Float32Array,
  dx: Float32Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i]! * mask[i]!;
}

/**
 * GaussianNoise in training: y[i] = x[i] + stddev·N(0, 1) over n elements; y is overwritten and
 * may be x. The noise does not depend on x, so the backward pass is the identity (dx = dy).
 */
export function gaussianNoiseForward(
  x: Float32Array,
  y: Float32Array,
  n: number,
  stddev: number,
  rng: Rng,
): void {
  for (let i = 0; i < n; i++) y[i] = x[i]! + stddev * rng.normal();
}

/**
 * SpatialDropout in training (Keras 3's noise_shape (batch, 1, …, channels)): for each sample and
 * channel one draw, in sample-then-channel order, keeps the whole channel (scaled by 1/(1 − rate),
 * rounded to float32 as dropoutForward) or zeroes it at every one of the S positions.
 * x, y:[N,S,C] mask:[N,C] (overwritten with the scale or 0); y may be x.
 */
export function spatialDropoutForward(
  x: Float32Array,
  y: Float32Array,
  mask: Float32Array,
  N: number,
  S: number,
  C: number,
  rate: number,
  rng: Rng,
): void {
  const keep = 1 - rate;
  const scale = rate <= 0 ? 1 : rate >= 1 ? 0 : Math.fround(1 / keep);
  const draws = rate > 0 && rate < 1;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) mask[n * C + c] = !draws || rng.uniform() < keep ? scale : 0;
    for (let s = 0, p = n * S * C; s < S; s++)
      for (let c = 0; c < C; c++, p++) y[p] = x[p]! * mask[n * C + c]!;
  }
}

/** dx[n,s,c] = dy[n,s,c]·mask[n,c], with the mask spatialDropoutForward wrote; dx is overwritten and may be dy. */
export function spatialDropoutBackward(
  dy: Float32Array,
  mask: Float32Array,
  dx: Float32Array,
  N: number,
  S: number,
  C: number,
): void {
  for (let n = 0; n < N; n++)
    for (let s = 0, p = n * S * C; s < S; s++)
      for (let c = 0; c < C; c++, p++) dx[p] = dy[p]! * mask[n * C + c]!;
}

/**
 * A dropout mask alone: mask[i] = 1/(1 − rate) (rounded to float32) with probability 1 − rate,
 * else 0, one draw per element in order — SimpleRNN's recurrent_dropout mask on the state, drawn
 * once per batch. mask is overwritten; 0 < rate < 1.
 */
export function dropoutMask(mask: Float32Array, count: number, rate: number, rng: Rng): void {
  const keep = 1 - rate;
  const scale = Math.fround(1 / keep);
  for (let i = 0; i < count; i++) mask[i] = rng.uniform() < keep ? scale : 0;
}
