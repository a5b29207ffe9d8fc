/**
 * Permute: the axes of each sample reordered. The kernel walks a precomputed index map (built
 * once when the step is bound), so a run is one gather or scatter per sample.
 */

/**
 * For a sample of `shape` whose axes are reordered by `perm` (output axis i is input axis
 * perm[i]), the input offset of every output offset, in output order.
 */
export function permutationIndex(shape: readonly number[], perm: readonly number[]): Int32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((p) => shape[p]!);
  const index = new Int32Array(size);
  const coord = outShape.map(() => 0);
  for (let o = 0; o < size; o++) {
    let at = 0;
    for (let i = 0; i < perm.length; i++) at += coord[i]! * strides[perm[i]!]!;
    index[o] = at;
    for (let i = coord.length - 1; i >= 0; i--) {
      if (++coord[i]! < outShape[i]!) break;
      coord[i] = 0;
    }
  }
  return index;
}

/** y[n, o] = x[n, index[o]] for each of N samples of S values; y is overwritten. */
export function permuteForward(
  x: Float32Array,
  y: Float32Array,
  index: Int32Array,
  N: number,
  S: number,
): void {
  for (let n = 0, base = 0; n < N; n++, base += S)
    for (let o = 0; o < S; o++) y[base + o] = x[base + index[o]!]!;
}

/** dx[n, index[o]] = dy[n, o]: the gradient goes back where each value came from; dx is overwritten. */
export function permuteBackward(
  dy: Float32Array,
  dx: Float32Array,
  index: Int32Array,
  N: number,
  S: number,
): void {
  for (let n = 0, base = 0; n < N; n++, base += S)
    for (let o = 0; o < S; o++) dx[base + index[o]!] = dy[base + o]!;
}
