/**
 * PReLU, y = relu(x) − alpha·relu(−x), with a learned alpha that may be shared along axes. The
 * plan flattens each sample to featureSize positions and builds alphaIndex, which maps a feature
 * position to its alpha element (shared_axes collapse several positions onto one element).
 */

/**
 * y[r,f] = x > 0 ? x : alpha[alphaIndex[f]]·x for x, y: [rows, featureSize]; y is overwritten
 * and may be x.
 */
export function preluForward(
  x: Float32Array,
  alpha: Float32Array,
  alphaIndex: Int32Array,
  y: Float32Array,
  rows: number,
  featureSize: number,
): void {
  let p = 0;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < featureSize; f++) {
      const v = x[p]!;
      y[p] = v > 0 ? v : alpha[alphaIndex[f]!]! * v;
      p++;
    }
  }
}

/**
 * Gradients of preluForward: dx[r,f] = dy·(x > 0 ? 1 : x < 0 ? alpha : 0) (TensorFlow's ReluGrad
 * gives 0 at x = 0 on both terms), dx overwritten and may be dy (null: not computed); dalpha[alphaIndex[f]] is
 * overwritten (null: not computed) with Σ dy·min(x, 0) over rows and every position sharing that element.
 */
export function preluBackward(
  x: Float32Array,
  alpha: Float32Array,
  alphaIndex: Int32Array,
  dy: Float32Array,
  dx: Float32Array | null,
  dalpha: Float32Array | null,
  rows: number,
  featureSize: number,
): void {
  if (dalpha !== null) {
    for (let f = 0; f < featureSize; f++) dalpha[alphaIndex[f]!] = 0;
    for (let r = 0, p = 0; r < rows; r++) {
      for (let f = 0; f < featureSize; f++, p++) {
        const v = x[p]!;
        if (v < 0) {
          const k = alphaIndex[f]!;
          dalpha[k] = dalpha[k]! + dy[p]! * v;
        }
      }
    }
  }
  if (dx === null) return;
  for (let r = 0, p = 0; r < rows; r++) {
    for (let f = 0; f < featureSize; f++, p++) {
      const v = x[p]!;
      dx[p] = v > 0 ? dy[p]! : v < 0 ? alpha[alphaIndex[f]!]! * dy[p]! : 0;
    }
  }
}
