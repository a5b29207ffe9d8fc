/**
 * One sample through a Dense layer's product and bias: predict on one row. For a tiny layer
 * (4 inputs, 8 units) the blocked matmul spends more on its setup — K blocks, 4×4 tiles, calls
 * of fifteen arguments — than on its thirty-two multiply-adds, and the bias is a second pass.
 */
import { addBias, KC, matmul } from './matmul.js';

/**
 * y[o] = b[o] + Σi x[i]·w[i,o] for x:[I] w:[I,O] b:[O] y:[O]; y is overwritten. The same
 * numbers as matmul(x, w, y, 1, I, O) then addBias(y, b, 1, O), bit for bit: each sum runs over
 * i in order in float64 (the products of float32s are exact), is rounded to float32, and the
 * bias is added and rounded again. Four units at a time, so each x[i] feeds four sums. Past one
 * K block (I > KC), where matmul rounds once per block, it is matmul and addBias.
 */
export function denseRow(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array | null,
  y: Float32Array,
  I: number,
  O: number,
): void {
  if (I > KC) {
    matmul(x, w, y, 1, I, O, false);
    if (b) addBias(y, b, 1, O);
    return;
  }
  let o = 0;
  for (; o + 4 <= O; o += 4) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let i = 0, p = o; i < I; i++, p += O) {
      const v = x[i]!;
      s0 += v * w[p]!;
      s1 += v * w[p + 1]!;
      s2 += v * w[p + 2]!;
      s3 += v * w[p + 3]!;
    }
    y[o] = b === null ? s0 : Math.fround(s0) + b[o]!;
    y[o + 1] = b === null ? s1 : Math.fround(s1) + b[o + 1]!;
    y[o + 2] = b === null ? s2 : Math.fround(s2) + b[o + 2]!;
    y[o + 3] = b === null ? s3 : Math.fround(s3) + b[o + 3]!;
  }
  // The last units two, then one, at a time (a 3-unit softmax layer reads x twice, not three times).
  if (o + 2 <= O) {
    let s0 = 0,
      s1 = 0;
    for (let i = 0, p = o; i < I; i++, p += O) {
      const v = x[i]!;
      s0 += v * w[p]!;
      s1 += v * w[p + 1]!;
    }
    y[o] = b === null ? s0 : Math.fround(s0) + b[o]!;
    y[o + 1] = b === null ? s1 : Math.fround(s1) + b[o + 1]!;
    o += 2;
  }
  if (o < O) {
    let s = 0;
    for (let i = 0, p = o; i < I; i++, p += O) s += x[i]! * w[p]!;
    y[o] = b === null ? s : Math.fround(s) + b[o]!;
  }
}
