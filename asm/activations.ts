/**
 * Activations on wasm SIMD, forward and backward, over n floats (or rows of a matrix for
 * softmax): the `activation` and `activation_backward` steps and the epilogue of a product
 * layer's forward. src/kernels/activations.ts is the reference, and these compute as it does:
 * in float64 lanes (f64x2) from the float32 inputs, rounded once on store, with e^x a float64
 * polynomial (below) where JavaScript calls Math.exp or Math.tanh — so results agree with it to
 * the float32 rounding (differing only where a float64 value lies within ~1e−15 of a rounding
 * boundary), not the few float32 ulps of kernels.ts's float32 polynomials, which a
 * training run's Adam steps on near-zero gradients would carry into the weights. Kinds by the
 * code of src/backends/wasm-activations.ts; `a` and `b` are the activation's parameters there.
 */

// @ts-nocheck — AssemblyScript: v128, f32x4, load<T> and friends are its built-ins.
import { ld, st } from './lanes';

const TANH = 1;
const SIGMOID = 2;
const RELU = 3;
const HARD_SIGMOID = 4;
const RELU6 = 5;
/** v > 0 ? v : a·v (a: the negative slope). */
const LEAKY_RELU = 6;
/** v > 0 ? b·v : a·expm1(v): elu (a = α, b = 1) and selu (a = scale·α, b = scale). */
const ELU = 7;
/** v·σ(v). */
const SILU = 8;

/** Lanes 0 and 1 of four floats as two doubles. */
function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2 and 3 of four floats as two doubles. */
function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(
    i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
  );
}

/** Two pairs of doubles rounded to four floats (a's in lanes 0, 1). */
function join(a: v128, b: v128): v128 {
  return i8x16.shuffle(
    f32x4.demote_f64x2_zero(a),
    f32x4.demote_f64x2_zero(b),
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
  );
}

/**
 * e^v for v ≤ 0 on two doubles, to ~1e−16 relative: v = n·ln 2 + r with ln 2 in two parts
 * (fdlibm's), |r| ≤ ½ln 2, e^r = 1 + expm1Series(r) (error below 2e−16), 2ⁿ by the
 * exponent bits. 0 below −708 (and at −∞), where every float32 result is 0 anyway; NaN stays NaN.
 */
function exp64(v: v128): v128 {
  const x = f64x2.max(v, f64x2.splat(-708));
  const n = f64x2.floor(f64x2.add(f64x2.mul(x, f64x2.splat(1.4426950408889634)), f64x2.splat(0.5)));
  let r = f64x2.sub(x, f64x2.mul(n, f64x2.splat(6.9314718036912381649e-1)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(1.90821492927058770002e-10)));
  const p = f64x2.add(f64x2.splat(1), expm1Series(r));
  const bits = i64x2.shl(
    i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n)), i64x2.splat(1023)),
    52,
  );
  return v128.andnot(f64x2.mul(p, bits), f64x2.lt(v, f64x2.splat(-708)));
}

/** e^r − 1 by its Taylor series to r¹², for |r| ≤ ½ (error below 2e−16 relative there). */
function expm1Series(r: v128): v128 {
  let p = f64x2.splat(1.0 / 479001600);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  return f64x2.add(f64x2.mul(f64x2.mul(p, r), r), r);
}

/** e^v − 1 for v ≤ 0: the series where |v| < ½ (no cancellation), else e^v − 1. */
function expm1Neg(v: v128): v128 {
  const small = f64x2.lt(f64x2.abs(v), f64x2.splat(0.5));
  return v128.bitselect(expm1Series(v), f64x2.sub(exp64(v), f64x2.splat(1)), small);
}

/** σ(v) = 1/(1 + e^−|v|), or e^−|v|/(1 + e^−|v|) for v < 0, so e never overflows. */
function sigmoid64(v: v128): v128 {
  const e = exp64(f64x2.neg(f64x2.abs(v)));
  const inv = f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), e));
  return v128.bitselect(f64x2.mul(e, inv), inv, f64x2.lt(v, f64x2.splat(0)));
}

/**
 * tanh: sign(v)·(1 − e)/(1 + e) with e = e^−2|v|, and its odd series to v⁹ for |v| < 0.01 (there
 * 1 − e would lose digits; the series' error is below 1e−20).
 */
function tanh64(v: v128): v128 {
  const a = f64x2.abs(v);
  const e = exp64(f64x2.mul(a, f64x2.splat(-2)));
  const big = f64x2.div(f64x2.sub(f64x2.splat(1), e), f64x2.add(f64x2.splat(1), e));
  const signed = v128.or(big, v128.and(v, i64x2.splat(0x8000000000000000)));
  const z = f64x2.mul(v, v);
  let p = f64x2.splat(62.0 / 2835);
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-17.0 / 315));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(2.0 / 15));
  p = f64x2.add(f64x2.mul(p, z), f64x2.splat(-1.0 / 3));
  const small = f64x2.add(f64x2.mul(f64x2.mul(p, z), v), v);
  return v128.bitselect(small, signed, f64x2.lt(a, f64x2.splat(0.01)));
}

/** The forward of the kinds computed in doubles, on two lanes. */
function forward2(kind: i32, v: v128, a: f64, b: f64): v128 {
  if (kind == TANH) return tanh64(v);
  if (kind == SIGMOID) return sigmoid64(v);
  if (kind == SILU) return f64x2.mul(v, sigmoid64(v));
  const pos = f64x2.gt(v, f64x2.splat(0));
  if (kind == HARD_SIGMOID) {
    const h = f64x2.add(f64x2.div(v, f64x2.splat(6)), f64x2.splat(0.5));
    const low = v128.bitselect(f64x2.splat(0), h, f64x2.le(h, f64x2.splat(0)));
    return v128.bitselect(f64x2.splat(1), low, f64x2.ge(h, f64x2.splat(1)));
  }
  if (kind == LEAKY_RELU) return v128.bitselect(v, f64x2.mul(f64x2.splat(a), v), pos);
  // ELU: e^min(v, 0) − 1 (the max clears the positive lanes, which the select drops anyway).
  const neg = f64x2.mul(f64x2.splat(a), expm1Neg(f64x2.min(v, f64x2.splat(0))));
  return v128.bitselect(f64x2.mul(f64x2.splat(b), v), neg, pos);
}

/** f on four lanes. */
function forward4(kind: i32, v: v128, a: f64, b: f64): v128 {
  if (kind == RELU) return v128.and(v, f32x4.gt(v, f32x4.splat(0)));
  if (kind == RELU6) {
    const r = v128.and(v, f32x4.gt(v, f32x4.splat(0)));
    return v128.bitselect(r, f32x4.splat(6), f32x4.lt(r, f32x4.splat(6)));
  }
  return join(forward2(kind, lo(v), a, b), forward2(kind, hi(v), a, b));
}

/** y = f(x) over n floats; y may be x. */
export function activationForward(kind: i32, x: usize, y: usize, n: i32, a: f64, b: f64): void {
  for (let j = 0; j < n;) {
    const one = n - j < 4;
    const o = (<usize>j) << 2;
    st(y + o, forward4(kind, ld(x + o, one), a, b), one);
    j += one ? 1 : 4;
  }
}

/** dy·f′ on two lanes in doubles: from the output y (tanh, sigmoid) or the input x (the rest). */
function backward2(kind: i32, x: v128, y: v128, dy: v128, a: f64, b: f64): v128 {
  const one = f64x2.splat(1);
  const zero = f64x2.splat(0);
  if (kind == TANH) return f64x2.mul(dy, f64x2.sub(one, f64x2.mul(y, y)));
  if (kind == SIGMOID) return f64x2.mul(f64x2.mul(dy, y), f64x2.sub(one, y));
  const pos = f64x2.gt(x, zero);
  if (kind == HARD_SIGMOID) {
    const inside = v128.and(f64x2.gt(x, f64x2.splat(-3)), f64x2.lt(x, f64x2.splat(3)));
    return f64x2.mul(dy, v128.and(f64x2.splat(1.0 / 6), inside));
  }
  if (kind == LEAKY_RELU) return f64x2.mul(dy, v128.bitselect(one, f64x2.splat(a), pos));
  if (kind == ELU) {
    const e = exp64(f64x2.min(x, zero));
    return f64x2.mul(dy, v128.bitselect(f64x2.splat(b), f64x2.mul(f64x2.splat(a), e), pos));
  }
  // SILU: σ(x)·(1 + x·(1 − σ(x))).
  const s = sigmoid64(x);
  return f64x2.mul(dy, f64x2.mul(s, f64x2.add(one, f64x2.mul(x, f64x2.sub(one, s)))));
}

/** dx = dy·f′ on four lanes. */
function backward4(kind: i32, x: v128, y: v128, dy: v128, a: f64, b: f64): v128 {
  if (kind == RELU) return v128.and(dy, f32x4.gt(x, f32x4.splat(0)));
  if (kind == RELU6) {
    const inside = v128.and(f32x4.gt(x, f32x4.splat(0)), f32x4.lt(x, f32x4.splat(6)));
    return f32x4.mul(dy, v128.and(f32x4.splat(1), inside));
  }
  return join(
    backward2(kind, lo(x), lo(y), lo(dy), a, b),
    backward2(kind, hi(x), hi(y), hi(dy), a, b),
  );
}

/** dx = dy·f′(x) over n floats, from the input x and the output y; dx may be dy. */
export function activationBackward(
  kind: i32,
  x: usize,
  y: usize,
  dy: usize,
  dx: usize,
  n: i32,
  a: f64,
  b: f64,
): void {
  for (let j = 0; j < n;) {
    const one = n - j < 4;
    const o = (<usize>j) << 2;
    const g = backward4(kind, ld(x + o, one), ld(y + o, one), ld(dy + o, one), a, b);
    st(dx + o, g, one);
    j += one ? 1 : 4;
  }
}

/** The sum of two doubles' lanes. */
function sum2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * softmax over each row of x [rows, cols] into y (may be x), as the JavaScript kernel: e =
 * e^(x − max) in doubles stored as float32, their sum in doubles, then each stored e times 1/sum,
 * rounded once. A NaN or +Infinity in a row makes the row NaN, as there.
 */
export function activationSoftmax(x: usize, y: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>cols * 4;
    const yr = y + <usize>r * <usize>cols * 4;
    let m = f32x4.splat(-Infinity);
    for (let j = 0; j < c4; j += 4) m = f32x4.max(m, v128.load(xr + ((<usize>j) << 2)));
    let max = f32x4.extract_lane(m, 0);
    max = Mathf.max(max, f32x4.extract_lane(m, 1));
    max = Mathf.max(max, f32x4.extract_lane(m, 2));
    max = Mathf.max(max, f32x4.extract_lane(m, 3));
    for (let j = c4; j < cols; j++) max = Mathf.max(max, load<f32>(xr + ((<usize>j) << 2)));
    const mv = f64x2.splat(<f64>max);
    let s = f64x2.splat(0);
    for (let j = 0; j < cols;) {
      const one = cols - j < 4;
      const o = (<usize>j) << 2;
      const v = ld(xr + o, one);
      const e0 = exp64(f64x2.sub(lo(v), mv));
      const e1 = exp64(f64x2.sub(hi(v), mv));
      st(yr + o, join(e0, e1), one);
      s = f64x2.add(s, one ? f64x2.replace_lane(e0, 1, 0) : f64x2.add(e0, e1));
      j += one ? 1 : 4;
    }
    const inv = f64x2.splat(1 / sum2(s));
    for (let j = 0; j < cols;) {
      const one = cols - j < 4;
      const o = (<usize>j) << 2;
      const e = ld(yr + o, one);
      st(yr + o, join(f64x2.mul(lo(e), inv), f64x2.mul(hi(e), inv)), one);
      j += one ? 1 : 4;
    }
  }
}

/** softmax's backward per row from its output y: dx = y·(dy − Σ dy·y) in doubles; dx may be dy. */
export function activationSoftmaxBackward(
  y: usize,
  dy: usize,
  dx: usize,
  rows: i32,
  cols: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>cols * 4;
    let s = f64x2.splat(0);
    for (let j = 0; j < cols;) {
      const one = cols - j < 4;
      const o = off + ((<usize>j) << 2);
      const yv = ld(y + o, one);
      const dv = ld(dy + o, one);
      const p0 = f64x2.mul(lo(dv), lo(yv));
      s = f64x2.add(
        s,
        one ? f64x2.replace_lane(p0, 1, 0) : f64x2.add(p0, f64x2.mul(hi(dv), hi(yv))),
      );
      j += one ? 1 : 4;
    }
    const sv = f64x2.splat(sum2(s));
    for (let j = 0; j < cols;) {
      const one = cols - j < 4;
      const o = off + ((<usize>j) << 2);
      const yv = ld(y + o, one);
      const dv = ld(dy + o, one);
      const a = f64x2.mul(lo(yv), f64x2.sub(lo(dv), sv));
      const b = f64x2.mul(hi(yv), f64x2.sub(hi(dv), sv));
      st(dx + o, join(a, b), one);
      j += one ? 1 : 4;
    }
  }
}
