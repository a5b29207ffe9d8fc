/**
 * The losses of the wasm backend (src/backends/wasm-losses.ts binds them), in AssemblyScript:
 * the fused softmax and sigmoid cross-entropies (value from the logits, gradient (p − y)/n from
 * the probabilities) and the `loss` step for the common elementwise losses. They compute what
 * src/kernels/losses.ts computes, in the same order: each row's loss, the sum over the rows in
 * float64, the mean over the rows Keras's mask keeps; the gradient row by row.
 *
 * Precision: every gradient and every sum is float64 arithmetic on the float32 inputs (f64x2),
 * the same operations as the JavaScript kernels, so a gradient is the same float32 but for the
 * order of a row's sums. Only e^x and log run in float32 (f32x4: Cephes's expf from kernels.ts,
 * logf here), within a few ulps, and on terms that are never cancelled against one another, so a
 * loss value stays within ~1e-7 relative of the float64 one.
 *
 * Vectors of four floats with a ragged tail: a tail is loaded whole and its lanes past the end
 * zeroed by a lane mask (reading ≤ 12 bytes past a view stays in the block, whose scratch lies
 * after the arenas), and stored lane by lane.
 */

// @ts-nocheck — AssemblyScript: v128, f32x4, f64x2, load<T> and friends are its built-ins.
import { expNeg } from './lanes';

// Keras's epsilon() and 1 − epsilon() as the float32 clip bounds (loss-crossentropy.ts EPS).
const EPS: f64 = <f64>(<f32>1e-7);
const ONE_MINUS_EPS: f64 = <f64>(<f32>(1 - 1e-7));

// --- lanes ---------------------------------------------------------------------------------------

/** All ones in the lanes below `count` (of four), zeros above. */
function lanes(count: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(count));
}

/** Four floats at p with the lanes outside `m` zeroed. */
function load4(p: usize, m: v128): v128 {
  return v128.and(v128.load(p), m);
}

/** Lanes 0 and 1 as float64. */
function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2 and 3 as float64. */
function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Two float64 pairs rounded to one float32 vector. */
function pack(l: v128, h: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5);
}

/** Stores the lanes below `count` of v at p. */
function store4(p: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (count > 1) v128.store32_lane(p, v, 1, 4);
  if (count > 2) v128.store32_lane(p, v, 2, 8);
}

/** The sum of a float64 pair's lanes. */
function sum2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Zeros `cols` floats at p. */
function zeroRow(p: usize, cols: i32): void {
  memory.fill(p, 0, (<usize>cols) << 2);
}

/** Whether row r of Keras's mask (0 = no mask) drops the row: its value is 0, as mask[r] === 0. */
function dropped(mask: usize, r: i32): bool {
  return mask != 0 && load<f32>(mask + ((<usize>r) << 2)) == 0;
}

/** The rows the mask keeps (all of them without one). */
function keptRows(mask: usize, rows: i32): i32 {
  if (mask == 0) return rows;
  let kept = 0;
  for (let r = 0; r < rows; r++) if (!dropped(mask, r)) kept++;
  return kept;
}

/** The smoothed target y·keep + shift of a lane pair (keep = 1 − ls), y itself without smoothing. */
function smooth2(y: v128, ls: f64, keep: v128, shift: v128): v128 {
  return ls == 0 ? y : f64x2.add(f64x2.mul(y, keep), shift);
}

/** loss[0] = total/divisor as float32, 0 when the divisor is 0 (every row dropped). */
function storeMean(loss: usize, total: f64, divisor: f64): void {
  store<f32>(loss, divisor == 0 ? 0 : <f32>(total / divisor));
}

/**
 * One row of the fused gradients: d = k·(p − (y·keep + shift)) over `cols` lanes, y from yTrue
 * or (yTrue = 0) all zero — the sparse rows' off-target classes. As the JavaScript kernels,
 * the target is smoothed even when ls is 0 (y·1 + 0 is y).
 */
function targetGradRow(
  probs: usize,
  yTrue: usize,
  d: usize,
  cols: i32,
  k: v128,
  keep: v128,
  shift: v128,
): void {
  for (let j = 0; j < cols; j += 4) {
    const count = min(cols - j, 4);
    const m = lanes(count);
    const at = (<usize>j) << 2;
    const p = load4(probs + at, m);
    const y = yTrue == 0 ? f32x4.splat(0) : load4(yTrue + at, m);
    const tl = f64x2.add(f64x2.mul(lo(y), keep), shift);
    const th = f64x2.add(f64x2.mul(hi(y), keep), shift);
    store4(
      d + at,
      pack(f64x2.mul(k, f64x2.sub(lo(p), tl)), f64x2.mul(k, f64x2.sub(hi(p), th))),
      count,
    );
  }
}

/** Math.sign on a float64 pair: ±1, and 0, −0 and NaN as they are. */
function sign2(e: v128): v128 {
  const minus = v128.bitselect(f64x2.splat(-1), e, f64x2.lt(e, f64x2.splat(0)));
  return v128.bitselect(f64x2.splat(1), minus, f64x2.gt(e, f64x2.splat(0)));
}

/** clip(q, ε, 1 − ε) on a float64 pair; NaN stays NaN (loss-crossentropy.ts clip). */
function clip2(q: v128): v128 {
  const up = v128.bitselect(f64x2.splat(ONE_MINUS_EPS), q, f64x2.gt(q, f64x2.splat(ONE_MINUS_EPS)));
  return v128.bitselect(f64x2.splat(EPS), up, f64x2.lt(q, f64x2.splat(EPS)));
}

/** Where the clip passes the gradient: ε ≤ q ≤ 1 − ε (false for NaN). */
function inClip2(q: v128): v128 {
  return v128.and(f64x2.ge(q, f64x2.splat(EPS)), f64x2.le(q, f64x2.splat(ONE_MINUS_EPS)));
}

// --- log ---------------------------------------------------------------------------------------

/**
 * ln x on four lanes, Cephes's logf: x = m·2ᵉ with m in [√½, √2), ln(1 + (m − 1)) by a degree-9
 * polynomial, e·ln 2 added in two parts; relative error ~1e-7. Normal x > 0; 0 gives −∞, x < 0
 * and NaN give NaN, +∞ gives +∞ (subnormal x are not met here: the clip and 1 + x keep x ≥ 1e-7).
 */
function log4(x: v128): v128 {
  const bits = x;
  let e = i32x4.sub(i32x4.shr_s(bits, 23), i32x4.splat(126));
  let m = v128.or(v128.and(bits, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  // m in [0.5, 1): below √½ take 2m − 1 and e − 1, else m − 1.
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, small); // small lanes are −1
  m = f32x4.sub(f32x4.add(m, v128.and(m, small)), f32x4.splat(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.151461031e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.167699874e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(-2.1219444e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(m, y), f32x4.mul(ef, f32x4.splat(0.693359375)));
  // The special values: 0 → −∞, +∞ → +∞, negative or NaN → NaN.
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(f32x4.splat(NaN), r, v128.not(f32x4.ge(x, f32x4.splat(0))));
}

/**
 * ln(1 + x) on four lanes without losing a small x: with u = 1 + x rounded, ln u · x/(u − 1)
 * (Goldberg's correction), and x itself where u rounds to 1. For x ≥ −1 (e^x and −p here).
 */
function log1p4(x: v128): v128 {
  const u = f32x4.add(f32x4.splat(1), x);
  const corrected = f32x4.div(f32x4.mul(log4(u), x), f32x4.sub(u, f32x4.splat(1)));
  return v128.bitselect(x, corrected, f32x4.eq(u, f32x4.splat(1)));
}

/**
 * ln q of two float64 lanes (q > 0): logf of q rounded to float32, plus the rounding's own
 * logarithm (q − q₃₂)/q₃₂, so q near 1 keeps its relative precision (ln q ≈ q − 1 is tiny there).
 */
function log2x(q: v128): v128 {
  const q32 = f32x4.demote_f64x2_zero(q);
  const back = lo(q32);
  return f64x2.add(lo(log4(q32)), f64x2.div(f64x2.sub(q, back), back));
}

/**
 * ln x of one float64 (x > 0) by log2x. Not AssemblyScript's Math.log: that reads lookup tables
 * from a static data segment, which would sit in the imported memory where the arenas live.
 */
function log1(x: f64): f64 {
  return f64x2.extract_lane(log2x(f64x2.splat(x)), 0);
}

// --- the fused cross-entropies -----------------------------------------------------------------

/**
 * Softmax cross-entropy from the logits (losses.ts categoricalCrossentropyRow with from_logits,
 * sum_over_batch_size or mean over the kept rows) into loss[0], and dLogits = (p − y)/kept from
 * the probabilities (softmaxCrossEntropyGrad). Targets: yTrue [rows, cols], or (sparse) one
 * class index per row; y = y·(1 − ls) + ls/cols. mask: Keras's row mask (0: none). Returns −1,
 * or the first kept row whose sparse target is not a class index in [0, cols): nothing is
 * written then, and the caller reports it as the JavaScript kernel does.
 */
export function softmaxCrossEntropy(
  logits: usize,
  probs: usize,
  yTrue: usize,
  mask: usize,
  loss: usize,
  dLogits: usize,
  rows: i32,
  cols: i32,
  ls: f64,
  sparse: bool,
): i32 {
  if (sparse) {
    for (let r = 0; r < rows; r++) {
      if (dropped(mask, r)) continue;
      const index = Math.trunc(<f64>load<f32>(yTrue + ((<usize>r) << 2)));
      if (!(index >= 0 && index < <f64>cols)) return r;
    }
  }
  const kept = keptRows(mask, rows);
  const stride = (<usize>cols) << 2;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    if (!dropped(mask, r))
      total += softmaxRowLoss(logits + <usize>r * stride, yTrue, r, cols, ls, sparse);
  }
  storeMean(loss, total, <f64>kept);
  const k = f64x2.splat(1 / <f64>kept);
  const off: f64 = ls / <f64>cols;
  const keep: f64 = 1 - ls;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * stride;
    if (dropped(mask, r)) {
      zeroRow(dLogits + o, cols);
      continue;
    }
    if (!sparse) {
      targetGradRow(
        probs + o,
        yTrue + o,
        dLogits + o,
        cols,
        k,
        f64x2.splat(keep),
        f64x2.splat(off),
      );
      continue;
    }
    // Every class's target is off but the true one's, (1 − ls) + off.
    targetGradRow(probs + o, 0, dLogits + o, cols, k, f64x2.splat(keep), f64x2.splat(off));
    const index = <i32>Math.trunc(<f64>load<f32>(yTrue + ((<usize>r) << 2)));
    const at = o + ((<usize>index) << 2);
    const p = <f64>load<f32>(probs + at);
    store<f32>(dLogits + at, <f32>((1 / <f64>kept) * (p - (1 * keep + off))));
  }
  return -1;
}

/** The largest of `cols` floats at x, NaN skipped (as `a > m` does); −∞ for none. */
function rowMax(x: usize, cols: i32): f32 {
  let m4 = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const v = v128.load(x + ((<usize>j) << 2));
    m4 = v128.bitselect(v, m4, f32x4.gt(v, m4));
  }
  let m: f32 = -Infinity;
  for (let l = 0; l < 4; l++) {
    const v = f32x4.extract_lane(m4, 0);
    if (v > m) m = v;
    m4 = v128.shuffle<f32>(m4, m4, 1, 2, 3, 0);
  }
  for (; j < cols; j++) {
    const v = load<f32>(x + ((<usize>j) << 2));
    if (v > m) m = v;
  }
  return m;
}

/** −Σ y·log_softmax(x) of one row of logits at x (row r of the targets). */
function softmaxRowLoss(x: usize, yTrue: usize, r: i32, cols: i32, ls: f64, sparse: bool): f64 {
  const m = rowMax(x, cols);
  const mv = f32x4.splat(m);
  let sl = f64x2.splat(0);
  let sh = f64x2.splat(0);
  for (let j = 0; j < cols; j += 4) {
    const count = min(cols - j, 4);
    const keepLanes = lanes(count);
    const e = v128.and(expNeg(f32x4.sub(v128.load(x + ((<usize>j) << 2)), mv)), keepLanes);
    sl = f64x2.add(sl, lo(e));
    sh = f64x2.add(sh, hi(e));
  }
  const lse = <f64>m + log1(sum2(f64x2.add(sl, sh)));
  if (sparse) {
    const index = <i32>Math.trunc(<f64>load<f32>(yTrue + ((<usize>r) << 2)));
    return -(<f64>load<f32>(x + ((<usize>index) << 2)) - lse);
  }
  // Σ over the classes with a nonzero target (a zero one skips even a NaN logit, as in JS).
  const yRow = yTrue + <usize>r * ((<usize>cols) << 2);
  const keep = f64x2.splat(1 - ls);
  const off = f64x2.splat(ls / <f64>cols);
  const lseV = f64x2.splat(lse);
  let al = f64x2.splat(0);
  let ah = f64x2.splat(0);
  for (let j = 0; j < cols; j += 4) {
    const count = min(cols - j, 4);
    const keepLanes = lanes(count);
    const y = load4(yRow + ((<usize>j) << 2), keepLanes);
    const v = load4(x + ((<usize>j) << 2), keepLanes);
    const tl = smooth2(lo(y), ls, keep, off);
    const th = smooth2(hi(y), ls, keep, off);
    const termL = f64x2.mul(tl, f64x2.sub(lo(v), lseV));
    const termH = f64x2.mul(th, f64x2.sub(hi(v), lseV));
    const maskL = v128.and(f64x2.ne(tl, f64x2.splat(0)), i64x2.extend_low_i32x4_s(keepLanes));
    const maskH = v128.and(f64x2.ne(th, f64x2.splat(0)), i64x2.extend_high_i32x4_s(keepLanes));
    al = f64x2.add(al, v128.and(termL, maskL));
    ah = f64x2.add(ah, v128.and(termH, maskH));
  }
  return -sum2(f64x2.add(al, ah));
}

/**
 * Sigmoid binary cross-entropy from the logits (binaryCrossentropyRow with from_logits:
 * max(x, 0) − x·y + log1p(e^−|x|), each row's mean, then the mean over the kept rows) into
 * loss[0], and dLogits = (p − y)/(kept·cols) from the probabilities
 * (sigmoidBinaryCrossEntropyGrad); y = y·(1 − ls) + ls/2.
 */
export function sigmoidCrossEntropy(
  logits: usize,
  probs: usize,
  yTrue: usize,
  mask: usize,
  loss: usize,
  dLogits: usize,
  rows: i32,
  cols: i32,
  ls: f64,
): void {
  const kept = keptRows(mask, rows);
  const keep = f64x2.splat(1 - ls);
  const half = f64x2.splat(0.5 * ls);
  const stride = (<usize>cols) << 2;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    if (!dropped(mask, r)) total += elementwiseRow(BCE_LOGITS, logits, yTrue, 0, r, cols, ls, 0, 0);
  }
  storeMean(loss, total, <f64>kept);
  const k = f64x2.splat(1 / (<f64>kept * <f64>cols));
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * stride;
    if (dropped(mask, r)) zeroRow(dLogits + o, cols);
    else targetGradRow(probs + o, yTrue + o, dLogits + o, cols, k, keep, half);
  }
}

// --- the loss step: elementwise losses and cross-entropies on probabilities --------------------

/** The `loss` step's losses, by the code src/backends/wasm-losses.ts lossKinds gives them. */
const MSE = 0;
const MAE = 1;
const MAPE = 2;
const HUBER = 3;
const BCE = 4;
const CCE = 5;
const SPARSE_CCE = 6;
/** Binary cross-entropy from logits: the sigmoid cross-entropy's value (no `loss` step kind). */
const BCE_LOGITS = 7;

/** Reductions: the mean over the kept rows, the sum, 'none' (the sum's gradient, the mean's value). */
const MEAN = 0;
const NONE = 2;

/** One lane pair of an elementwise loss's row sum: x = y_pred, y = y_true (smoothed for BCE). */
function term2(kind: i32, x: v128, y: v128, logC: v128, log1mC: v128, delta: f64): v128 {
  if (kind == MSE) {
    const d = f64x2.sub(y, x);
    return f64x2.mul(d, d);
  }
  if (kind == MAE) return f64x2.abs(f64x2.sub(y, x));
  if (kind == MAPE) {
    const scale = f64x2.max(f64x2.abs(y), f64x2.splat(EPS));
    return f64x2.abs(f64x2.div(f64x2.sub(y, x), scale));
  }
  if (kind == HUBER) {
    const e = f64x2.sub(x, y);
    const a = f64x2.abs(e);
    const d = f64x2.splat(delta);
    const inside = f64x2.mul(f64x2.mul(f64x2.splat(0.5), e), e);
    const outside = f64x2.sub(f64x2.mul(d, a), f64x2.mul(f64x2.mul(f64x2.splat(0.5), d), d));
    return v128.bitselect(inside, outside, f64x2.le(a, d));
  }
  // From logits: max(x, 0) − x·y + log1p(e^−|x|), the last term passed in logC.
  if (kind == BCE_LOGITS) {
    return f64x2.add(f64x2.sub(f64x2.max(x, f64x2.splat(0)), f64x2.mul(x, y)), logC);
  }
  // BCE on probabilities: −(y·log c + (1 − y)·log(1 − c)), c = clip(x).
  const one = f64x2.splat(1);
  return f64x2.neg(f64x2.add(f64x2.mul(y, logC), f64x2.mul(f64x2.sub(one, y), log1mC)));
}

/** One lane pair of an elementwise loss's gradient row: k · ∂term/∂x (loss-elementwise.ts). */
function grad2(kind: i32, x: v128, y: v128, k: v128, delta: f64): v128 {
  if (kind == MSE) return f64x2.mul(f64x2.mul(f64x2.splat(2), k), f64x2.sub(x, y));
  if (kind == MAE) return f64x2.mul(k, sign2(f64x2.sub(x, y)));
  if (kind == MAPE) {
    const scale = f64x2.max(f64x2.abs(y), f64x2.splat(EPS));
    return f64x2.div(f64x2.mul(f64x2.mul(f64x2.splat(100), k), sign2(f64x2.sub(x, y))), scale);
  }
  if (kind == HUBER) {
    const e = f64x2.sub(x, y);
    const d = f64x2.splat(delta);
    const g = v128.bitselect(e, f64x2.mul(d, sign2(e)), f64x2.le(f64x2.abs(e), d));
    return f64x2.mul(k, g);
  }
  // BCE: k·(−y/x + (1 − y)/(1 − x)) inside the clip, 0 outside.
  const one = f64x2.splat(1);
  const g = f64x2.add(f64x2.div(f64x2.neg(y), x), f64x2.div(f64x2.sub(one, y), f64x2.sub(one, x)));
  return v128.and(f64x2.mul(k, g), inClip2(x));
}

/** clip(x, ε, 1 − ε) on four float32 lanes (the bounds are float32 values), NaN kept. */
function clip4(x: v128): v128 {
  const top = f32x4.splat(<f32>ONE_MINUS_EPS);
  const up = v128.bitselect(top, x, f32x4.gt(x, top));
  return v128.bitselect(f32x4.splat(<f32>EPS), up, f32x4.lt(x, f32x4.splat(<f32>EPS)));
}

/** Whether row r counts: kept by the mask, and its sparse target is not ignore_class. */
function counts(mask: usize, yTrue: usize, r: i32, ignore: bool, ignoreClass: f64): bool {
  if (dropped(mask, r)) return false;
  return !(ignore && <f64>load<f32>(yTrue + ((<usize>r) << 2)) == ignoreClass);
}

/**
 * The `loss` step (losses.ts lossForwardInto then lossGradient, without sample weights) for
 * mean squared, absolute and absolute percentage error, Huber, and the binary, categorical and
 * sparse categorical cross-entropies on probabilities: the reduced value into loss[0], the
 * gradient with respect to y_pred into grad. kind: the codes above; reduction: MEAN (also
 * 'mean_with_sample_weight' without weights), 1 'sum', NONE; ls: label smoothing (BCE, CCE);
 * delta: Huber's; ignore/ignoreClass: sparse_categorical_crossentropy's ignore_class. Returns
 * −1, or the first counted row whose sparse target is not a class index (nothing written).
 */
export function lossStep(
  kind: i32,
  yPred: usize,
  yTrue: usize,
  mask: usize,
  loss: usize,
  grad: usize,
  rows: i32,
  cols: i32,
  reduction: i32,
  ls: f64,
  delta: f64,
  ignore: bool,
  ignoreClass: f64,
): i32 {
  let kept = 0;
  for (let r = 0; r < rows; r++) {
    if (!counts(mask, yTrue, r, ignore, ignoreClass)) continue;
    kept++;
    if (kind != SPARSE_CCE) continue;
    const index = Math.trunc(<f64>load<f32>(yTrue + ((<usize>r) << 2)));
    if (!(index >= 0 && index < <f64>cols)) return r;
  }
  const divisor: f64 = reduction == MEAN ? <f64>kept : 1;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const scale: f64 = divisor == 0 ? 0 : 1 / divisor;
    if (!counts(mask, yTrue, r, ignore, ignoreClass)) {
      zeroRow(grad + <usize>r * ((<usize>cols) << 2), cols);
      continue;
    }
    if (kind == CCE) total += cceRow(yPred, yTrue, grad, r, cols, ls, scale);
    else if (kind == SPARSE_CCE) total += sparseCceRow(yPred, yTrue, grad, r, cols, scale);
    else total += elementwiseRow(kind, yPred, yTrue, grad, r, cols, ls, delta, scale);
  }
  // 'none' logs the mean of the per-sample losses (and trains on their sum: divisor 1).
  storeMean(loss, total, reduction == NONE ? <f64>rows : divisor);
  return -1;
}

/**
 * Row r of an elementwise loss: returns its value and writes its gradient (scale/cols · ∂), or
 * (grad = 0) only returns the value.
 */
function elementwiseRow(
  kind: i32,
  yPred: usize,
  yTrue: usize,
  grad: usize,
  r: i32,
  cols: i32,
  ls: f64,
  delta: f64,
  scale: f64,
): f64 {
  const o = <usize>r * ((<usize>cols) << 2);
  const k = f64x2.splat(scale / <f64>cols);
  const keep = f64x2.splat(1 - ls);
  const half = f64x2.splat(0.5 * ls);
  let acc = f64x2.splat(0);
  for (let j = 0; j < cols; j += 4) {
    const count = min(cols - j, 4);
    const m = lanes(count);
    const at = o + ((<usize>j) << 2);
    const x4 = load4(yPred + at, m);
    const y4 = load4(yTrue + at, m);
    // Label smoothing is the binary cross-entropies' only (ls is 0 for the others).
    const yl = smooth2(lo(y4), ls, keep, half);
    const yh = smooth2(hi(y4), ls, keep, half);
    let logC = f32x4.splat(0);
    let log1mC = f32x4.splat(0);
    if (kind == BCE) {
      const c = clip4(x4);
      logC = log4(c);
      log1mC = log1p4(f32x4.neg(c));
    }
    if (kind == BCE_LOGITS) logC = log1p4(expNeg(f32x4.neg(f32x4.abs(x4))));
    // One call site each for term2 and grad2, over the two halves: Binaryen inlines a function
    // called from one place, which halves this loop's time (as @inline would, which prettier
    // does not parse).
    let gl = f64x2.splat(0);
    let gh = gl;
    for (let h = 0; h < 2; h++) {
      const x = h == 0 ? lo(x4) : hi(x4);
      const y = h == 0 ? yl : yh;
      const t = term2(
        kind,
        x,
        y,
        h == 0 ? lo(logC) : hi(logC),
        h == 0 ? lo(log1mC) : hi(log1mC),
        delta,
      );
      const inLanes = h == 0 ? i64x2.extend_low_i32x4_s(m) : i64x2.extend_high_i32x4_s(m);
      acc = f64x2.add(acc, v128.and(t, inLanes));
      if (grad == 0 || scale == 0) continue;
      const g = grad2(kind, x, y, k, delta);
      if (h == 0) gl = g;
      else gh = g;
    }
    if (grad != 0 && scale != 0) store4(grad + at, pack(gl, gh), count);
  }
  if (grad != 0 && scale == 0) zeroRow(grad + o, cols);
  const sum = sum2(acc);
  return (kind == MAPE ? 100 * sum : sum) / <f64>cols;
}

/** Σ of `cols` floats at p, in float64. */
function rowSum(p: usize, cols: i32): f64 {
  let sl = f64x2.splat(0);
  let sh = f64x2.splat(0);
  for (let j = 0; j < cols; j += 4) {
    const v = load4(p + ((<usize>j) << 2), lanes(min(cols - j, 4)));
    sl = f64x2.add(sl, lo(v));
    sh = f64x2.add(sh, hi(v));
  }
  return sum2(f64x2.add(sl, sh));
}

/** ∂(−t·log clip(q))/∂q on a lane pair: −t/q where t ≠ 0 and the clip passes, else 0. */
function cceTerm2(t: v128, q: v128): v128 {
  const pass = v128.and(f64x2.ne(t, f64x2.splat(0)), inClip2(q));
  return v128.and(f64x2.div(f64x2.neg(t), q), pass);
}

/**
 * Row r of categorical_crossentropy on probabilities (categoricalCrossentropyRow and its
 * gradient): −Σ t·log clip(p/S) with S = Σp; ∂/∂p_k = scale·(g_k/S − Σ g·p/S²), g = cceTerm.
 */
function cceRow(
  yPred: usize,
  yTrue: usize,
  grad: usize,
  r: i32,
  cols: i32,
  ls: f64,
  scale: f64,
): f64 {
  const o = <usize>r * ((<usize>cols) << 2);
  const s = rowSum(yPred + o, cols);
  const sv = f64x2.splat(s);
  const keep = f64x2.splat(1 - ls);
  const off = f64x2.splat(ls / <f64>cols);
  const zero = f64x2.splat(0);
  let ll = zero;
  let lh = zero;
  let al = zero;
  let ah = zero;
  for (let j = 0; j < cols; j += 4) {
    const m = lanes(min(cols - j, 4));
    const at = o + ((<usize>j) << 2);
    const p = load4(yPred + at, m);
    const y = load4(yTrue + at, m);
    const tl = smooth2(lo(y), ls, keep, off);
    const th = smooth2(hi(y), ls, keep, off);
    const ql = f64x2.div(lo(p), sv);
    const qh = f64x2.div(hi(p), sv);
    // A zero target adds nothing, even where log is NaN (as `if (y !== 0)` in JS).
    const ml = v128.and(f64x2.ne(tl, zero), i64x2.extend_low_i32x4_s(m));
    const mh = v128.and(f64x2.ne(th, zero), i64x2.extend_high_i32x4_s(m));
    ll = f64x2.add(ll, v128.and(f64x2.mul(tl, log2x(clip2(ql))), ml));
    lh = f64x2.add(lh, v128.and(f64x2.mul(th, log2x(clip2(qh))), mh));
    al = f64x2.add(al, f64x2.mul(cceTerm2(tl, ql), lo(p)));
    ah = f64x2.add(ah, f64x2.mul(cceTerm2(th, qh), hi(p)));
  }
  if (scale == 0) {
    zeroRow(grad + o, cols);
  } else {
    const shift = f64x2.splat(sum2(f64x2.add(al, ah)) / (s * s));
    const sc = f64x2.splat(scale);
    for (let j = 0; j < cols; j += 4) {
      const count = min(cols - j, 4);
      const m = lanes(count);
      const at = o + ((<usize>j) << 2);
      const p = load4(yPred + at, m);
      const y = load4(yTrue + at, m);
      const tl = smooth2(lo(y), ls, keep, off);
      const th = smooth2(hi(y), ls, keep, off);
      const gl = f64x2.sub(f64x2.div(cceTerm2(tl, f64x2.div(lo(p), sv)), sv), shift);
      const gh = f64x2.sub(f64x2.div(cceTerm2(th, f64x2.div(hi(p), sv)), sv), shift);
      store4(grad + at, pack(f64x2.mul(sc, gl), f64x2.mul(sc, gh)), count);
    }
  }
  return -sum2(f64x2.add(ll, lh));
}

/**
 * Row r of sparse_categorical_crossentropy on probabilities (its target a valid class index):
 * −log clip(p_i/S); the gradient as cceRow's with one nonzero target. Σ g·p over the row is
 * g_i·p_i, or NaN when S is not finite (0·∞ and 0·NaN in the JavaScript sum).
 */
function sparseCceRow(yPred: usize, yTrue: usize, grad: usize, r: i32, cols: i32, scale: f64): f64 {
  const o = <usize>r * ((<usize>cols) << 2);
  const index = <usize>(<i32>Math.trunc(<f64>load<f32>(yTrue + ((<usize>r) << 2))));
  const s = rowSum(yPred + o, cols);
  const p = <f64>load<f32>(yPred + o + (index << 2));
  const q = p / s;
  const c = q < EPS ? EPS : q > ONE_MINUS_EPS ? ONE_MINUS_EPS : q;
  const value = -log1(c);
  if (scale == 0) {
    zeroRow(grad + o, cols);
    return value;
  }
  const g = q >= EPS && q <= ONE_MINUS_EPS ? -1 / q : 0;
  const a = g * p + (isFinite(s) ? 0 : NaN);
  const shift = a / (s * s);
  const rest = <f32>(scale * (0 / s - shift));
  const v = f32x4.splat(rest);
  for (let j = 0; j < cols; j += 4) {
    store4(grad + o + ((<usize>j) << 2), v, min(cols - j, 4));
  }
  store<f32>(grad + o + (index << 2), <f32>(scale * (g / s - shift)));
  return value;
}
