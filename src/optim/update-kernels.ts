/**
 * The per-weight update rules of Keras 3's optimizers (keras/src/optimizers/*.py `update_step`)
 * as plain functions over caller-owned buffers, so a compiled training plan can run them as
 * steps. Hyper-parameters are passed as given in the spec and rounded to float32 here, as Keras
 * casts them to the variable's dtype (1 − β is computed before rounding, as Python does);
 * elementwise arithmetic runs in float64 and is rounded on every store into the Float32Array
 * state, in Keras's operation order. Nothing here allocates.
 */

const f32 = Math.fround;

/**
 * SGD: without a momentum buffer w ← w − g·lr; with one, m ← μm − g·lr and w ← w + m
 * (nesterov: w ← w + μm − g·lr).
 */
export function sgdUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array | null,
  lr: number,
  momentum: number,
  nesterov: boolean,
): void {
  if (m === null) {
    for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) - (g[j] as number) * lr;
    return;
  }
  const mu = f32(momentum);
  for (let j = 0; j < w.length; j++) {
    m[j] = (m[j] as number) * mu - (g[j] as number) * lr;
    const step = nesterov ? (m[j] as number) * mu - (g[j] as number) * lr : (m[j] as number);
    w[j] = (w[j] as number) + step;
  }
}

/**
 * RMSprop: v ← ρv + (1−ρ)g²; centered: a ← ρa + (1−ρ)g and the denominator is √(v − a² + ε),
 * else √(v + ε); inc = lr·g/denominator; with a momentum buffer m ← μm + inc, w ← w − m,
 * else w ← w − inc.
 */
export function rmspropUpdate(
  w: Float32Array,
  g: Float32Array,
  velocity: Float32Array,
  momentumBuffer: Float32Array | null,
  averageGradient: Float32Array | null,
  lr: number,
  rho: number,
  momentum: number,
  epsilon: number,
): void {
  const r = f32(rho);
  const oneMinusRho = f32(1 - rho);
  const mu = f32(momentum);
  const eps = f32(epsilon);
  const v = velocity;
  const a = averageGradient;
  const m = momentumBuffer;
  for (let j = 0; j < w.length; j++) {
    const gj = g[j] as number;
    v[j] = r * (v[j] as number) + oneMinusRho * gj * gj;
    let den = (v[j] as number) + eps;
    if (a) {
      a[j] = r * (a[j] as number) + oneMinusRho * gj;
      den = (v[j] as number) - (a[j] as number) * (a[j] as number) + eps;
    }
    const inc = (lr * gj) / Math.sqrt(den);
    if (m) {
      m[j] = mu * (m[j] as number) + inc;
      w[j] = (w[j] as number) - (m[j] as number);
    } else w[j] = (w[j] as number) - inc;
  }
}

/** Adagrad: acc ← acc + g²; w ← w − lr·g/√(acc + ε). */
export function adagradUpdate(
  w: Float32Array,
  g: Float32Array,
  accumulator: Float32Array,
  lr: number,
  epsilon: number,
): void {
  const acc = accumulator;
  const eps = f32(epsilon);
  for (let j = 0; j < w.length; j++) {
    const gj = g[j] as number;
    acc[j] = (acc[j] as number) + gj * gj;
    w[j] = (w[j] as number) - (lr * gj) / Math.sqrt((acc[j] as number) + eps);
  }
}

/**
 * Adadelta (Keras order: Eg first): Eg ← ρEg + (1−ρ)g²; Δ = −√(Ed + ε)·g/√(Eg + ε);
 * Ed ← ρEd + (1−ρ)Δ²; w ← w + lr·Δ.
 */
export function adadeltaUpdate(
  w: Float32Array,
  g: Float32Array,
  accumulatedGrad: Float32Array,
  accumulatedDelta: Float32Array,
  lr: number,
  rho: number,
  epsilon: number,
): void {
  const r = f32(rho);
  const oneMinusRho = f32(1 - rho);
  const eps = f32(epsilon);
  const eg = accumulatedGrad;
  const ed = accumulatedDelta;
  for (let j = 0; j < w.length; j++) {
    const gj = g[j] as number;
    eg[j] = r * (eg[j] as number) + oneMinusRho * gj * gj;
    const delta = -(Math.sqrt((ed[j] as number) + eps) * gj) / Math.sqrt((eg[j] as number) + eps);
    ed[j] = r * (ed[j] as number) + oneMinusRho * delta * delta;
    w[j] = (w[j] as number) + lr * delta;
  }
}

/** Adam's step size at step t (once per step, for every weight): α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ). */
export function adamStepSize(lr: number, beta1: number, beta2: number, t: number): number {
  const b1p = f32(Math.pow(f32(beta1), t));
  const b2p = f32(Math.pow(f32(beta2), t));
  return f32((lr * f32(Math.sqrt(f32(1 - b2p)))) / f32(1 - b1p));
}

/**
 * Adam in Keras's ε-hat form, with α from adamStepSize for this step:
 * m ← m + (g − m)(1−β₁); v ← v + (g² − v)(1−β₂); with amsgrad v̂ ← max(v̂, v) replaces v;
 * w ← w − m·α/(√v + ε).
 */
export function adamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vHat: Float32Array | null,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
): void {
  const oneMinusBeta1 = f32(1 - beta1);
  const oneMinusBeta2 = f32(1 - beta2);
  const eps = f32(epsilon);
  for (let j = 0; j < w.length; j++) {
    const gj = g[j] as number;
    const mOld = m[j] as number;
    const vOld = v[j] as number;
    const mj = f32(mOld + (gj - mOld) * oneMinusBeta1);
    let vj = f32(vOld + (gj * gj - vOld) * oneMinusBeta2);
    m[j] = mj;
    v[j] = vj;
    if (vHat !== null) {
      const h = vHat[j] as number;
      if (vj > h) vHat[j] = vj;
      else vj = h;
    }
    w[j] = (w[j] as number) - (mj * alpha) / (Math.sqrt(vj) + eps);
  }
}

/** Adamax at step t: m ← m + (g − m)(1−β₁); u ← max(β₂u, |g|); w ← w − lr·m/((1−β₁ᵗ)(u + ε)). */
export function adamaxUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  lr: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  t: number,
): void {
  const b2 = f32(beta2);
  const oneMinusBeta1 = f32(1 - beta1);
  const eps = f32(epsilon);
  const oneMinusBeta1Power = f32(1 - f32(Math.pow(f32(beta1), t)));
  for (let j = 0; j < w.length; j++) {
    const gj = g[j] as number;
    m[j] = (m[j] as number) + (gj - (m[j] as number)) * oneMinusBeta1;
    u[j] = Math.max(b2 * (u[j] as number), Math.abs(gj));
    w[j] =
      (w[j] as number) - (lr * (m[j] as number)) / (oneMinusBeta1Power * ((u[j] as number) + eps));
  }
}

/** Nadam's μₜ = β₁(1 − ½·0.96ᵗ) in float32. */
function nadamMu(beta1: number, t: number): number {
  return f32(f32(beta1) * f32(1 - 0.5 * f32(Math.pow(0.96, t))));
}

/** Nadam's once-per-step state update, before any weight: Πₜ ← Πₜ₋₁·μₜ (a float32 scalar). */
export function nadamAdvance(uProduct: Float32Array, beta1: number, t: number): void {
  uProduct[0] = (uProduct[0] as number) * nadamMu(beta1, t);
}

/**
 * Nadam at step t with Πₜ already advanced: m ← m + (g − m)(1−β₁); v ← v + (g² − v)(1−β₂);
 * m̂ = μₜ₊₁m/(1 − Πₜμₜ₊₁) + (1 − μₜ)g/(1 − Πₜ); v̂ = v/(1 − β₂ᵗ); w ← w − lr·m̂/(√v̂ + ε).
 */
export function nadamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  uProduct: number,
  lr: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  t: number,
): void {
  const uT = nadamMu(beta1, t);
  const uT1 = nadamMu(beta1, t + 1);
  const productT1 = f32(uProduct * uT1);
  const mCoef = uT1 / (1 - productT1);
  const gCoef = (1 - uT) / (1 - uProduct);
  const vCoef = 1 / f32(1 - f32(Math.pow(f32(beta2), t)));
  const oneMinusBeta1 = f32(1 - beta1);
  const oneMinusBeta2 = f32(1 - beta2);
  const eps = f32(epsilon);
  for (let j = 0; j < w.length; j++) {
    const gj = g[j] as number;
    m[j] = (m[j] as number) + (gj - (m[j] as number)) * oneMinusBeta1;
    v[j] = (v[j] as number) + (gj * gj - (v[j] as number)) * oneMinusBeta2;
    const mHat = mCoef * (m[j] as number) + gCoef * gj;
    const vHat = (v[j] as number) * vCoef;
    w[j] = (w[j] as number) - (mHat * lr) / (Math.sqrt(vHat) + eps);
  }
}

/**
 * The update kernels a backend may replace with its own (the wasm backend's run over its
 * memory): the two rules the engine's hot training loops use. Same signatures, same formulas.
 */
export interface UpdateKernels {
  sgdUpdate: typeof sgdUpdate;
  adamUpdate: typeof adamUpdate;
}

/** The reference update kernels, in JavaScript. */
export const jsUpdateKernels: UpdateKernels = { sgdUpdate, adamUpdate };
