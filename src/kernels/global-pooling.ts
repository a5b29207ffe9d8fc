/**
 * Global pooling over the steps of channels_last samples: each sample is S positions (the time
 * axis, or height × width) of C channels, pooled to one value per channel. Sums run in float64
 * per channel, as the emitter writes them.
 */

/** y[n,c] = (Σ_s x[n,s,c]) / S.  x:[N,S,C] y:[N,C]; y is overwritten. */
export function globalAvgPoolForward(
  x: Float32Array,
  y: Float32Array,
  N: number,
  S: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const base = n * S * C;
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let p = base + c, s = 0; s < S; s++, p += C) sum += x[p]!;
      y[n * C + c] = sum / S;
    }
  }
}

/** dx[n,s,c] = dy[n,c] / S.  dy:[N,C] dx:[N,S,C]; dx is overwritten. */
export function globalAvgPoolBackward(
  dy: Float32Array,
  dx: Float32Array,
  N: number,
  S: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const base = n * S * C;
    for (let c = 0; c < C; c++) {
      const g = dy[n * C + c]! / S;
      for (let p = base + c, s = 0; s < S; s++, p += C) dx[p] = g;
    }
  }
}

/** Σ_s mask[n,s]: the steps of sample n that the mask keeps. */
function unmaskedSteps(mask: Float32Array, n: number, S: number): number {
  let count = 0;
  for (let s = 0; s < S; s++) count += mask[n * S + s]!;
  return count;
}

/**
 * Keras 3's GlobalAveragePooling1D with a mask: y[n,c] = Σ_s m[n,s]·x[n,s,c] / Σ_s m[n,s]
 * (NaN for a sample with every step masked, as Keras's 0/0).  x:[N,S,C] mask:[N,S] y:[N,C];
 * y is overwritten.
 */
export function globalAvgPoolMaskedForward(
  x: Float32Array,
  mask: Float32Array,
  y: Float32Array,
  N: number,
  S: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const base = n * S * C;
    const count = unmaskedSteps(mask, n, S);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let p = base + c, s = 0; s < S; s++, p += C) sum += mask[n * S + s]! * x[p]!;
      y[n * C + c] = sum / count;
    }
  }
}

/** dx[n,s,c] = m[n,s]·dy[n,c] / Σ_s m[n,s].  dy:[N,C] mask:[N,S] dx:[N,S,C]; dx is overwritten. */
export function globalAvgPoolMaskedBackward(
  dy: Float32Array,
  mask: Float32Array,
  dx: Float32Array,
  N: number,
  S: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const base = n * S * C;
    const count = unmaskedSteps(mask, n, S);
    for (let c = 0; c < C; c++) {
      const g = dy[n * C + c]! / count;
      for (let p = base + c, s = 0; s < S; s++, p += C) dx[p] = mask[n * S + s]! * g;
    }
  }
}

/** y[n,c] = max_s x[n,s,c] (NaN if any is NaN, as TensorFlow's reduce_max).  x:[N,S,C] y:[N,C]; y is overwritten. */
export function globalMaxPoolForward(
  x: Float32Array,
  y: Float32Array,
  N: number,
  S: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const base = n * S * C;
    for (let c = 0; c < C; c++) {
      let max = -Infinity;
      for (let p = base + c, s = 0; s < S; s++, p += C) {
        const v = x[p]!;
        if (v > max || v !== v) max = v;
        if (max !== max) break;
      }
      y[n * C + c] = max;
    }
  }
}

/**
 * The gradient of the max as Keras 3's backends take it (TensorFlow's reduce_max gradient, JAX's
 * and PyTorch's amax): dy[n,c] split evenly among the positions equal to the max, so tied
 * positions (a ReLU's zeros) share it. dx is overwritten.
 * x:[N,S,C] y:[N,C] (the forward's output) dy:[N,C] dx:[N,S,C].
 */
export function globalMaxPoolBackward(
  x: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  N: number,
  S: number,
  C: number,
): void {
  for (let n = 0; n < N; n++) {
    const base = n * S * C;
    for (let c = 0; c < C; c++) {
      const max = y[n * C + c]!;
      let count = 0;
      for (let p = base + c, s = 0; s < S; s++, p += C) if (x[p] === max) count++;
      const g = count > 0 ? dy[n * C + c]! / count : 0;
      for (let p = base + c, s = 0; s < S; s++, p += C) dx[p] = x[p] === max ? g : 0;
    }
  }
}
