/**
 * Keras's merge layers over `length` values: Subtract, Multiply, Average, Maximum, Minimum
 * fold their inputs left to right as Keras does (`out = op(out, x_i)`), so ties and rounding
 * follow it; Concatenate interleaves blocks. Add is a chain of `add` steps.
 */

/** The elementwise merges the `merge` op runs. */
export type MergeMode = 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

/** y = x0 ∘ x1 ∘ … (left to right); Average divides the sum by the count. */
export function mergeForward(
  mode: MergeMode,
  xs: readonly Float32Array[],
  y: Float32Array,
  length: number,
): void {
  const n = xs.length;
  const x0 = xs[0]!;
  for (let i = 0; i < length; i++) {
    let v = x0[i]!;
    for (let k = 1; k < n; k++) {
      const w = xs[k]![i]!;
      if (mode === 'subtract') v = Math.fround(v - w);
      else if (mode === 'multiply') v = Math.fround(v * w);
      else if (mode === 'average') v = Math.fround(v + w);
      else if (mode === 'maximum') v = v >= w ? v : w;
      else v = v <= w ? v : w;
    }
    y[i] = mode === 'average' ? v / n : v;
  }
}

/**
 * The gradient reaching each input (null where none is needed). Maximum and Minimum send it to
 * the first input holding the extreme, as TensorFlow's gradient of `maximum(acc, x)` does (ties
 * go to the accumulated value).
 */
export function mergeBackward(
  mode: MergeMode,
  xs: readonly Float32Array[],
  dy: Float32Array,
  dxs: readonly (Float32Array | null)[],
  length: number,
): void {
  const n = xs.length;
  for (let i = 0; i < length; i++) {
    const g = dy[i]!;
    if (mode === 'subtract') {
      if (dxs[0]) dxs[0][i] = g;
      if (dxs[1]) dxs[1][i] = -g;
    } else if (mode === 'average') {
      for (let k = 0; k < n; k++) if (dxs[k]) dxs[k]![i] = g / n;
    } else if (mode === 'multiply') {
      for (let k = 0; k < n; k++) {
        const dx = dxs[k];
        if (!dx) continue;
        let p = g;
        for (let j = 0; j < n; j++) if (j !== k) p *= xs[j]![i]!;
        dx[i] = p;
      }
    } else {
      let best = 0;
      let v = xs[0]![i]!;
      for (let k = 1; k < n; k++) {
        const w = xs[k]![i]!;
        if (mode === 'maximum' ? !(v >= w) : !(v <= w)) {
          best = k;
          v = w;
        }
      }
      for (let k = 0; k < n; k++) if (dxs[k]) dxs[k]![i] = k === best ? g : 0;
    }
  }
}

/**
 * Concatenation along an axis: for each of `outer` positions (the dims before the axis, batch
 * included), input k's `blocks[k]` values, in order.
 */
export function concatForward(
  xs: readonly Float32Array[],
  y: Float32Array,
  outer: number,
  blocks: readonly number[],
): void {
  let p = 0;
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < xs.length; k++) {
      const b = blocks[k]!;
      const x = xs[k]!;
      for (let j = 0, q = o * b; j < b; j++) y[p++] = x[q + j]!;
    }
}

/** Splits the output's gradient back into each input's (skipping null ones). */
export function concatBackward(
  dy: Float32Array,
  dxs: readonly (Float32Array | null)[],
  outer: number,
  blocks: readonly number[],
): void {
  let p = 0;
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < dxs.length; k++) {
      const b = blocks[k]!;
      const dx = dxs[k];
      if (dx) for (let j = 0, q = o * b; j < b; j++) dx[q + j] = dy[p + j]!;
      p += b;
    }
}
