/**
 * Activations on wasm SIMD, forward and backward, over n floats (or rows of a matrix for
 * softmax): the `activation` and `activation_backward` steps and the epilogue of a product
 * layer's forward. src/kernels/activations.ts is the reference, and these stay within ~3 float32
 * ulps of it: tanh, sigmoid, silu and the exponentials come from kernels.ts's Cephes polynomials
 * (float32, within a few ulps of Math's); everything else — the gradients, rational forms, the
 * row sums of softmax — is computed in float64 lanes (f64x2) from the float32 inputs and rounded
 * once on store, exactly as the JavaScript kernels do. Kinds by the code of
 * src/backends/wasm-activations.ts; `a` and `b` are the activation's parameters there.
 */

// @ts-nocheck — AssemblyScript: v128, f32x4, load<T> and friends are its built-ins.
import { activate4, expNeg, ld, st } from './kernels';

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
 * e^v − 1 for v ≤ 0 in doubles, from e = e^v (float32, promoted): e − 1 where |v| ≥ ½ (e ≤ 0.61,
 * no cancellation), else the Taylor series to v⁸ (error below 2e−8 relative there).
 */
function expm1Neg(v: v128, e: v128): v128 {
  let p = f64x2.splat(1.0 / 40320);
  p = f64x2.add(f64x2.mul(p, v), f64x2.splat(1.0 / 5040));
  p = f64x2.add(f64x2.mul(p, v), f64x2.splat(1.0 / 720));
  p = f64x2.add(f64x2.mul(p, v), f64x2.splat(1.0 / 120));
  p = f64x2.add(f64x2.mul(p, v), f64x2.splat(1.0 / 24));
  p = f64x2.add(f64x2.mul(p, v), f64x2.splat(1.0 / 6));
  p = f64x2.add(f64x2.mul(p, v), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(f64x2.mul(p, v), v), v);
  const small = f64x2.lt(f64x2.abs(v), f64x2.splat(0.5));
  return v128.bitselect(p, f64x2.sub(e, f64x2.splat(1)), small);
}

/** The forward of the kinds computed in doubles, on two lanes (e: e^min(v, 0) for ELU). */
function forward2(kind: i32, v: v128, e: v128, a: f64, b: f64): v128 {
  const pos = f64x2.gt(v, f64x2.splat(0));
  if (kind == HARD_SIGMOID) {
    const h = f64x2.add(f64x2.div(v, f64x2.splat(6)), f64x2.splat(0.5));
    const low = v128.bitselect(f64x2.splat(0), h, f64x2.le(h, f64x2.splat(0)));
    return v128.bitselect(f64x2.splat(1), low, f64x2.ge(h, f64x2.splat(1)));
  }
  if (kind == LEAKY_RELU) return v128.bitselect(v, f64x2.mul(f64x2.splat(a), v), pos);
  // ELU
  const neg = f64x2.mul(f64x2.splat(a), expm1Neg(v, e));
  return v128.bitselect(f64x2.mul(f64x2.splat(b), v), neg, pos);
}

/**
 * σ(v), 0 below −87 (where the polynomial clamps e^v; JavaScript's σ is a denormal there and 0
 * at −∞): so silu(−∞) = −∞·0 is NaN in both, as x·sigmoid(x) is in Keras.
 */
function sigmoidFlushed(v: v128): v128 {
  return v128.and(activate4(SIGMOID, v), f32x4.ge(v, f32x4.splat(-87)));
}

/** f on four lanes. */
function forward4(kind: i32, v: v128, a: f64, b: f64): v128 {
  if (kind == TANH || kind == SIGMOID || kind == RELU) return activate4(kind, v);
  if (kind == SILU) return f32x4.mul(v, sigmoidFlushed(v));
  if (kind == RELU6) {
    const r = v128.and(v, f32x4.gt(v, f32x4.splat(0)));
    return v128.bitselect(r, f32x4.splat(6), f32x4.lt(r, f32x4.splat(6)));
  }
  const e = kind == ELU ? expNeg(f32x4.min(v, f32x4.splat(0))) : v;
  return join(forward2(kind, lo(v), lo(e), a, b), forward2(kind, hi(v), hi(e), a, b));
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

/**
 * dy·f′ on two lanes in doubles: from the output y (tanh, sigmoid), the input x (the rest), e
 * (e^min(x, 0) for ELU) or s (σ(x) for SILU).
 */
function backward2(kind: i32, x: v128, y: v128, dy: v128, e: v128, a: f64, b: f64): v128 {
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
  if (kind == ELU)
    return f64x2.mul(dy, v128.bitselect(f64x2.splat(b), f64x2.mul(f64x2.splat(a), e), pos));
  // SILU: σ(x)·(1 + x·(1 − σ(x))).
  return f64x2.mul(dy, f64x2.mul(e, f64x2.add(one, f64x2.mul(x, f64x2.sub(one, e)))));
}

/** dx = dy·f′ on four lanes. */
function backward4(kind: i32, x: v128, y: v128, dy: v128, a: f64, b: f64): v128 {
  if (kind == RELU) return v128.and(dy, f32x4.gt(x, f32x4.splat(0)));
  if (kind == RELU6) {
    const inside = v128.and(f32x4.gt(x, f32x4.splat(0)), f32x4.lt(x, f32x4.splat(6)));
    return f32x4.mul(dy, v128.and(f32x4.splat(1), inside));
  }
  const e =
    kind == ELU ? expNeg(f32x4.min(x, f32x4.splat(0))) : kind == SILU ? sigmoidFlushed(x) : x;
  return join(
    backward2(kind, lo(x), lo(y), lo(dy), lo(e), a, b),
    backward2(kind, hi(x), hi(y), hi(dy), hi(e), a, b),
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
 * e^(x − max) on four lanes, the difference taken exactly (in doubles) as the JavaScript kernel
 * does: its float32 part d goes through the polynomial and the rounding error δ = (x − max) − d
 * is applied as e^d·(1 + δ), so a difference of −40 loses nothing to rounding. Below e^−87 (the
 * polynomial's clamp) the result is 0, where JavaScript's are float32 denormals (−∞ gives 0 in both).
 */
function expDifference(x: v128, max: v128): v128 {
  const dl = f64x2.sub(lo(x), max);
  const dh = f64x2.sub(hi(x), max);
  const d = join(dl, dh);
  let err = join(f64x2.sub(dl, lo(d)), f64x2.sub(dh, hi(d)));
  // −∞ − (−∞) is NaN: no correction there (a NaN difference itself stays NaN through e^d).
  err = v128.and(err, f32x4.eq(err, err));
  const e = expNeg(d);
  return v128.and(f32x4.add(e, f32x4.mul(e, err)), f32x4.ge(d, f32x4.splat(-87)));
}

/**
 * softmax over each row of x [rows, cols] into y (may be x): e^(x − max) (the polynomial e^x,
 * stored as float32 as the JavaScript kernel stores it), their sum in doubles, then each times
 * 1/sum in doubles, rounded once. A NaN or +Infinity in a row makes the row NaN, as there.
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
      const e = expDifference(ld(xr + o, one), mv);
      st(yr + o, e, one);
      s = f64x2.add(s, one ? f64x2.replace_lane(lo(e), 1, 0) : f64x2.add(lo(e), hi(e)));
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
