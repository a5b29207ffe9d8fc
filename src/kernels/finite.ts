/**
 * Finding NaN and ±Infinity in float32 data by the bits: a float is one of those exactly when
 * its exponent bits are all ones, and only then does adding one to the exponent carry into the
 * sign bit. Integer ors in two independent chains run about twice as fast as Number.isFinite
 * per element, which matters for the data fit(), predict() and evaluate() validate per call;
 * a few values (predict on one row of a small model) are checked without the integer view.
 */

/** Below this many values a float loop wins: making the Int32Array view costs ~40 ns per call. */
export const SHORT = 32;

/** Whether the first `n` values (default: all) are finite. */
export function allFinite(data: Float32Array, n = data.length): boolean {
  if (n < SHORT) {
    // x·0 is 0 for every finite x and NaN for NaN and ±Infinity; the sum keeps a NaN.
    let s = 0;
    for (let i = 0; i < n; i++) s += data[i]! * 0;
    return s === 0;
  }
  const bits = new Int32Array(data.buffer, data.byteOffset, n);
  const even = n & ~1;
  let a = 0;
  let b = 0;
  for (let i = 0; i < even; i += 2) {
    a |= (bits[i]! & 0x7f800000) + 0x800000;
    b |= (bits[i + 1]! & 0x7f800000) + 0x800000;
  }
  if (even < n) a |= (bits[even]! & 0x7f800000) + 0x800000;
  return (a | b) >= 0;
}

/** The index of the first NaN or ±Infinity among the first `n` values, or −1. */
export function firstNonFinite(data: Float32Array, n = data.length): number {
  if (allFinite(data, n)) return -1;
  for (let i = 0; i < n; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/**
 * dst[0..n) = src[0..n), returning whether every value was finite: one loop for a short row
 * (predict on one sample of a small model), where a copy and then a check cost two.
 */
export function copyFinite(src: Float32Array, dst: Float32Array, n: number): boolean {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    dst[i] = v;
    s += v * 0;
  }
  return s === 0;
}
