/**
 * The cross-entropy family of Keras 3 losses, one sample (one row of y_pred [rows, cols]) at a
 * time: binary, categorical, sparse categorical, and the two focal variants, forward and
 * gradient. Formulas follow keras/src/losses/losses.py and the backend `*_crossentropy` ops on
 * the clipped-probability path (JAX/NumPy/torch; see losses.ts for the TensorFlow shortcut).
 * Gradients are what autodiff gives for those formulas: zero where a clip is active, the
 * renormalization p/Σp differentiated through. Sums are carried in float64.
 */

// Module-local copies for the hot loops: V8 reads an exported binding through a cell, and a
// ternary mixing that tagged value with a double boxes the double (a HeapNumber per element).
const eps = Math.fround(1e-7);
const oneMinusEps = Math.fround(1 - 1e-7);
/** Keras's `backend.epsilon()` as the float32 the clip bounds become. */
export const EPS = eps;
/** `1 − epsilon()` rounded to float32 (0.99999988), the upper clip bound Keras applies. */
export const ONE_MINUS_EPS = oneMinusEps;

/** The options of the cross-entropy family (a LossSpec satisfies this). */
export interface CrossentropyOptions {
  fromLogits: boolean;
  labelSmoothing: number;
  alpha: number;
  gamma: number;
  applyClassBalancing: boolean;
}

/** clip(q, eps, 1 − eps); NaN stays NaN as in tf.clip_by_value. */
function clip(q: number): number {
  return q < eps ? eps : q > oneMinusEps ? oneMinusEps : q;
}

/** Whether the clip passes the gradient (TF's clip_by_value passes it at the bounds too). */
function inClip(q: number): boolean {
  return q >= eps && q <= oneMinusEps;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** d/dbase of base^gamma; 0 when gamma is 0 (the factor is the constant 1). */
function powDeriv(base: number, gamma: number): number {
  return gamma === 0 ? 0 : gamma * Math.pow(base, gamma - 1);
}

function rowMax(a: Float32Array, o: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) if (a[o + j]! > m) m = a[o + j]!;
  return m;
}

function rowSumExp(a: Float32Array, o: number, cols: number, m: number): number {
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(a[o + j]! - m);
  return s;
}

function rowSum(a: Float32Array, o: number, cols: number): number {
  let s = 0;
  for (let j = 0; j < cols; j++) s += a[o + j]!;
  return s;
}

/**
 * The (smoothed) target of class j: y·(1 − ls) + ls/cols, where y is yt[o + j], or the one-hot
 * of `index` when index ≥ 0 (sparse targets).
 */
function categoricalTarget(
  yt: Float32Array,
  o: number,
  j: number,
  index: number,
  ls: number,
  cols: number,
): number {
  const y = index >= 0 ? (j === index ? 1 : 0) : yt[o + j]!;
  return ls === 0 ? y : y * (1 - ls) + ls / cols;
}

/** binary_crossentropy of one row: mean over the row of the element losses. */
export function binaryCrossentropyRow(
  yt: Float32Array,
  yp: Float32Array,
  o: number,
  cols: number,
  fromLogits: boolean,
  ls: number,
): number {
  let acc = 0;
  for (let j = 0; j < cols; j++) {
    const y = ls === 0 ? yt[o + j]! : yt[o + j]! * (1 - ls) + 0.5 * ls;
    const x = yp[o + j]!;
    if (fromLogits) {
      acc += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
    } else {
      const c = clip(x);
      acc -= y * Math.log(c) + (1 - y) * Math.log(1 - c);
    }
  }
  return acc / cols;
}

/** grad[o..o+cols) = scale · ∂binary_crossentropy_row/∂yp (overwritten). */
export function binaryCrossentropyRowGrad(
  yt: Float32Array,
  yp: Float32Array,
  grad: Float32Array,
  o: number,
  cols: number,
  fromLogits: boolean,
  ls: number,
  scale: number,
): void {
  const k = scale / cols;
  for (let j = 0; j < cols; j++) {
    const y = ls === 0 ? yt[o + j]! : yt[o + j]! * (1 - ls) + 0.5 * ls;
    const x = yp[o + j]!;
    if (fromLogits) {
      grad[o + j] = k * (sigmoid(x) - y);
    } else {
      grad[o + j] = inClip(x) ? k * (-y / x + (1 - y) / (1 - x)) : 0;
    }
  }
}

/**
 * categorical_crossentropy of one row (sparse when index ≥ 0): −Σ y·log_softmax(x) from logits,
 * else −Σ y·log(clip(p/Σp)).
 */
export function categoricalCrossentropyRow(
  yt: Float32Array,
  yp: Float32Array,
  o: number,
  cols: number,
  index: number,
  fromLogits: boolean,
  ls: number,
): number {
  let loss = 0;
  if (fromLogits) {
    const m = rowMax(yp, o, cols);
    const lse = m + Math.log(rowSumExp(yp, o, cols, m));
    for (let j = 0; j < cols; j++) {
      const y = categoricalTarget(yt, o, j, index, ls, cols);
      if (y !== 0) loss -= y * (yp[o + j]! - lse);
    }
    return loss;
  }
  const s = rowSum(yp, o, cols);
  for (let j = 0; j < cols; j++) {
    const y = categoricalTarget(yt, o, j, index, ls, cols);
    if (y !== 0) loss -= y * Math.log(clip(yp[o + j]! / s));
  }
  return loss;
}

/** grad[o..o+cols) = scale · ∂categorical_crossentropy_row/∂yp (overwritten). */
export function categoricalCrossentropyRowGrad(
  yt: Float32Array,
  yp: Float32Array,
  grad: Float32Array,
  o: number,
  cols: number,
  index: number,
  fromLogits: boolean,
  ls: number,
  scale: number,
): void {
  if (fromLogits) {
    const m = rowMax(yp, o, cols);
    const se = rowSumExp(yp, o, cols, m);
    let ySum = 0;
    for (let j = 0; j < cols; j++) ySum += categoricalTarget(yt, o, j, index, ls, cols);
    for (let j = 0; j < cols; j++) {
      const p = Math.exp(yp[o + j]! - m) / se;
      grad[o + j] = scale * (p * ySum - categoricalTarget(yt, o, j, index, ls, cols));
    }
    return;
  }
  // With q = p/S and g_j = ∂L/∂q_j: ∂L/∂p_k = g_k/S − (Σ_j g_j·p_j)/S².
  const s = rowSum(yp, o, cols);
  let a = 0;
  for (let j = 0; j < cols; j++) {
    const q = yp[o + j]! / s;
    a += cceTerm(categoricalTarget(yt, o, j, index, ls, cols), q) * yp[o + j]!;
  }
  const shift = a / (s * s);
  for (let j = 0; j < cols; j++) {
    const q = yp[o + j]! / s;
    grad[o + j] = scale * (cceTerm(categoricalTarget(yt, o, j, index, ls, cols), q) / s - shift);
  }
}

/** ∂(−y·log clip(q))/∂q: −y/q inside the clip, 0 outside. */
function cceTerm(y: number, q: number): number {
  return y !== 0 && inClip(q) ? -y / q : 0;
}

/**
 * binary_focal_crossentropy of one row: mean of w·(1 − p_t)^γ·bce, with p = sigmoid(x) when
 * from_logits, bce on clip(p), p_t = y·p + (1 − y)(1 − p) on the unclipped p, and
 * w = y·α + (1 − y)(1 − α) only with apply_class_balancing.
 */
export function binaryFocalRow(
  yt: Float32Array,
  yp: Float32Array,
  o: number,
  cols: number,
  opt: CrossentropyOptions,
): number {
  const ls = opt.labelSmoothing;
  let acc = 0;
  for (let j = 0; j < cols; j++) {
    const y = ls === 0 ? yt[o + j]! : yt[o + j]! * (1 - ls) + 0.5 * ls;
    const p = opt.fromLogits ? sigmoid(yp[o + j]!) : yp[o + j]!;
    const c = clip(p);
    const bce = -(y * Math.log(c) + (1 - y) * Math.log(1 - c));
    const pt = y * p + (1 - y) * (1 - p);
    const w = opt.applyClassBalancing ? y * opt.alpha + (1 - y) * (1 - opt.alpha) : 1;
    acc += w * Math.pow(1 - pt, opt.gamma) * bce;
  }
  return acc / cols;
}

/** grad[o..o+cols) = scale · ∂binary_focal_row/∂yp (overwritten). */
export function binaryFocalRowGrad(
  yt: Float32Array,
  yp: Float32Array,
  grad: Float32Array,
  o: number,
  cols: number,
  opt: CrossentropyOptions,
  scale: number,
): void {
  const ls = opt.labelSmoothing;
  const k = scale / cols;
  for (let j = 0; j < cols; j++) {
    const y = ls === 0 ? yt[o + j]! : yt[o + j]! * (1 - ls) + 0.5 * ls;
    const p = opt.fromLogits ? sigmoid(yp[o + j]!) : yp[o + j]!;
    const c = clip(p);
    const bce = -(y * Math.log(c) + (1 - y) * Math.log(1 - c));
    const dBce = inClip(p) ? -y / p + (1 - y) / (1 - p) : 0;
    const base = 1 - (y * p + (1 - y) * (1 - p));
    // ∂base/∂p = −(2y − 1)
    const dFocal = -powDeriv(base, opt.gamma) * (2 * y - 1);
    const w = opt.applyClassBalancing ? y * opt.alpha + (1 - y) * (1 - opt.alpha) : 1;
    let d = w * (dFocal * bce + Math.pow(base, opt.gamma) * dBce);
    if (opt.fromLogits) d *= p * (1 - p);
    grad[o + j] = k * d;
  }
}

/**
 * categorical_focal_crossentropy of one row: Σ α·(1 − c)^γ·(−y·log c) with c = clip(p/Σp) and
 * p = softmax(x) when from_logits.
 */
export function categoricalFocalRow(
  yt: Float32Array,
  yp: Float32Array,
  o: number,
  cols: number,
  opt: CrossentropyOptions,
): number {
  const ls = opt.labelSmoothing;
  const m = opt.fromLogits ? rowMax(yp, o, cols) : 0;
  const se = opt.fromLogits ? rowSumExp(yp, o, cols, m) : 1;
  let s = 0;
  for (let j = 0; j < cols; j++) s += opt.fromLogits ? Math.exp(yp[o + j]! - m) / se : yp[o + j]!;
  let loss = 0;
  for (let j = 0; j < cols; j++) {
    const y = categoricalTarget(yt, o, j, -1, ls, cols);
    if (y === 0) continue;
    const p = opt.fromLogits ? Math.exp(yp[o + j]! - m) / se : yp[o + j]!;
    const c = clip(p / s);
    loss -= opt.alpha * Math.pow(1 - c, opt.gamma) * y * Math.log(c);
  }
  return loss;
}

/** grad[o..o+cols) = scale · ∂categorical_focal_row/∂yp (overwritten). */
export function categoricalFocalRowGrad(
  yt: Float32Array,
  yp: Float32Array,
  grad: Float32Array,
  o: number,
  cols: number,
  opt: CrossentropyOptions,
  scale: number,
): void {
  const logits = opt.fromLogits;
  const m = logits ? rowMax(yp, o, cols) : 0;
  const se = logits ? rowSumExp(yp, o, cols, m) : 1;
  let s = 0;
  for (let j = 0; j < cols; j++) s += logits ? Math.exp(yp[o + j]! - m) / se : yp[o + j]!;
  // With q = p/S and g_j = ∂L/∂q_j: ∂L/∂p_k = g_k/S − A/S², A = Σ_j g_j·p_j.
  let a = 0;
  for (let j = 0; j < cols; j++) {
    const p = logits ? Math.exp(yp[o + j]! - m) / se : yp[o + j]!;
    a += focalTerm(yt, o, j, cols, p / s, opt) * p;
  }
  const shift = a / (s * s);
  if (!logits) {
    for (let j = 0; j < cols; j++) {
      const p = yp[o + j]!;
      grad[o + j] = scale * (focalTerm(yt, o, j, cols, p / s, opt) / s - shift);
    }
    return;
  }
  // Then through the softmax: dx_k = p_k·(dp_k − B), B = Σ_j dp_j·p_j.
  let b = 0;
  for (let j = 0; j < cols; j++) {
    const p = Math.exp(yp[o + j]! - m) / se;
    b += (focalTerm(yt, o, j, cols, p / s, opt) / s - shift) * p;
  }
  for (let j = 0; j < cols; j++) {
    const p = Math.exp(yp[o + j]! - m) / se;
    grad[o + j] = scale * p * (focalTerm(yt, o, j, cols, p / s, opt) / s - shift - b);
  }
}

/** ∂(−α·(1 − c)^γ·y·log c)/∂q for class j at c = clip(q): zero outside the clip. */
function focalTerm(
  yt: Float32Array,
  o: number,
  j: number,
  cols: number,
  q: number,
  opt: CrossentropyOptions,
): number {
  const y = categoricalTarget(yt, o, j, -1, opt.labelSmoothing, cols);
  if (y === 0 || !inClip(q)) return 0;
  const base = 1 - q;
  return -opt.alpha * y * (Math.pow(base, opt.gamma) / q - powDeriv(base, opt.gamma) * Math.log(q));
}
