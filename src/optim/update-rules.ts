/**
 * The per-weight update rules of Keras 3's optimizers (keras/src/optimizers/*.py `update_step`),
 * in Keras's operation order. Hyper-parameters are rounded to float32 as Keras casts them to the
 * variable's dtype; elementwise arithmetic runs in float64 and is rounded on every store into
 * the Float32Array state, so results differ from TensorFlow's float32 kernels only in the
 * rounding of intermediates.
 */
import { BaseOptimizer, type BaseOptions } from './optimizer.js';

const f32 = Math.fround;

function zeros(sizes: number[], fill = 0): Float32Array[] {
  return sizes.map((n) => new Float32Array(n).fill(fill));
}

function interleave(...groups: Float32Array[][]): Float32Array[] {
  const out: Float32Array[] = [];
  const n = groups[0]?.length ?? 0;
  for (let i = 0; i < n; i++) for (const g of groups) out.push(g[i] as Float32Array);
  return out;
}

/** SGD: w −= lr·g; with momentum m = μm − lr·g, w += m (nesterov: w += μm − lr·g). */
export class SGD extends BaseOptimizer {
  readonly className = 'SGD';
  private m: Float32Array[] = [];
  private readonly mu: number;

  constructor(
    base: BaseOptions,
    momentum: number,
    private readonly nesterov: boolean,
  ) {
    super(base);
    this.mu = f32(momentum);
  }

  protected createSlots(sizes: number[]): void {
    if (this.mu !== 0) this.m = zeros(sizes);
  }

  protected slotVariables(): Float32Array[] {
    return this.m;
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const mu = this.mu;
    if (mu === 0) {
      for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) - (g[j] as number) * lr;
      return;
    }
    const m = this.m[i] as Float32Array;
    const nesterov = this.nesterov;
    for (let j = 0; j < w.length; j++) {
      m[j] = (m[j] as number) * mu - (g[j] as number) * lr;
      const step = nesterov ? (m[j] as number) * mu - (g[j] as number) * lr : (m[j] as number);
      w[j] = (w[j] as number) + step;
    }
  }
}

/** RMSprop: v = ρv + (1−ρ)g²; w −= lr·g/√(v [− a²] + ε), optionally through a momentum buffer. */
export class RMSprop extends BaseOptimizer {
  readonly className = 'RMSprop';
  private v: Float32Array[] = [];
  private mom: Float32Array[] = [];
  private avg: Float32Array[] = [];
  private readonly rho: number;
  private readonly oneMinusRho: number;
  private readonly mu: number;
  private readonly eps: number;

  constructor(
    base: BaseOptions,
    rho: number,
    momentum: number,
    epsilon: number,
    private readonly centered: boolean,
  ) {
    super(base);
    this.rho = f32(rho);
    this.oneMinusRho = f32(1 - rho);
    this.mu = f32(momentum);
    this.eps = f32(epsilon);
  }

  protected createSlots(sizes: number[]): void {
    this.v = zeros(sizes);
    if (this.mu > 0) this.mom = zeros(sizes);
    if (this.centered) this.avg = zeros(sizes);
  }

  protected slotVariables(): Float32Array[] {
    return [...this.v, ...this.mom, ...this.avg];
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const { rho, oneMinusRho, mu, eps } = this;
    const v = this.v[i] as Float32Array;
    const a = this.centered ? (this.avg[i] as Float32Array) : null;
    const m = mu > 0 ? (this.mom[i] as Float32Array) : null;
    for (let j = 0; j < w.length; j++) {
      const gj = g[j] as number;
      v[j] = rho * (v[j] as number) + oneMinusRho * gj * gj;
      let den = (v[j] as number) + eps;
      if (a) {
        a[j] = rho * (a[j] as number) + oneMinusRho * gj;
        den = (v[j] as number) - (a[j] as number) * (a[j] as number) + eps;
      }
      const inc = (lr * gj) / Math.sqrt(den);
      if (m) {
        m[j] = mu * (m[j] as number) + inc;
        w[j] = (w[j] as number) - (m[j] as number);
      } else w[j] = (w[j] as number) - inc;
    }
  }
}

/** Adagrad: acc += g²; w −= lr·g/√(acc + ε), acc starting at initial_accumulator_value. */
export class Adagrad extends BaseOptimizer {
  readonly className = 'Adagrad';
  private acc: Float32Array[] = [];
  private readonly init: number;
  private readonly eps: number;

  constructor(base: BaseOptions, initialAccumulatorValue: number, epsilon: number) {
    super(base);
    this.init = f32(initialAccumulatorValue);
    this.eps = f32(epsilon);
  }

  protected createSlots(sizes: number[]): void {
    this.acc = zeros(sizes, this.init);
  }

  protected slotVariables(): Float32Array[] {
    return this.acc;
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const acc = this.acc[i] as Float32Array;
    const eps = this.eps;
    for (let j = 0; j < w.length; j++) {
      const gj = g[j] as number;
      acc[j] = (acc[j] as number) + gj * gj;
      w[j] = (w[j] as number) - (lr * gj) / Math.sqrt((acc[j] as number) + eps);
    }
  }
}

/** Adadelta: Eg updated first, Δ = −√(Ed + ε)·g/√(Eg + ε), then Ed; w += lr·Δ. */
export class Adadelta extends BaseOptimizer {
  readonly className = 'Adadelta';
  private eg: Float32Array[] = [];
  private ed: Float32Array[] = [];
  private readonly rho: number;
  private readonly oneMinusRho: number;
  private readonly eps: number;

  constructor(base: BaseOptions, rho: number, epsilon: number) {
    super(base);
    this.rho = f32(rho);
    this.oneMinusRho = f32(1 - rho);
    this.eps = f32(epsilon);
  }

  protected createSlots(sizes: number[]): void {
    this.eg = zeros(sizes);
    this.ed = zeros(sizes);
  }

  protected slotVariables(): Float32Array[] {
    return interleave(this.eg, this.ed);
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const { rho, oneMinusRho, eps } = this;
    const eg = this.eg[i] as Float32Array;
    const ed = this.ed[i] as Float32Array;
    for (let j = 0; j < w.length; j++) {
      const gj = g[j] as number;
      eg[j] = rho * (eg[j] as number) + oneMinusRho * gj * gj;
      const delta = -(Math.sqrt((ed[j] as number) + eps) * gj) / Math.sqrt((eg[j] as number) + eps);
      ed[j] = rho * (ed[j] as number) + oneMinusRho * delta * delta;
      w[j] = (w[j] as number) + lr * delta;
    }
  }
}

/** Adam (ε-hat form): α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); w −= m·α/(√v + ε), v → max-so-far with amsgrad. */
export class Adam extends BaseOptimizer {
  readonly className: string = 'Adam';
  private m: Float32Array[] = [];
  private v: Float32Array[] = [];
  private vHat: Float32Array[] = [];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly oneMinusBeta1: number;
  private readonly oneMinusBeta2: number;
  private readonly eps: number;
  private alpha = 0;

  constructor(
    base: BaseOptions,
    beta1: number,
    beta2: number,
    epsilon: number,
    private readonly amsgrad: boolean,
  ) {
    super(base);
    this.beta1 = f32(beta1);
    this.beta2 = f32(beta2);
    this.oneMinusBeta1 = f32(1 - beta1);
    this.oneMinusBeta2 = f32(1 - beta2);
    this.eps = f32(epsilon);
  }

  protected createSlots(sizes: number[]): void {
    this.m = zeros(sizes);
    this.v = zeros(sizes);
    if (this.amsgrad) this.vHat = zeros(sizes);
  }

  protected slotVariables(): Float32Array[] {
    return [...interleave(this.m, this.v), ...this.vHat];
  }

  protected override beginStep(t: number, lr: number): void {
    const b1p = f32(Math.pow(this.beta1, t));
    const b2p = f32(Math.pow(this.beta2, t));
    this.alpha = f32((lr * f32(Math.sqrt(f32(1 - b2p)))) / f32(1 - b1p));
  }

  protected update(i: number, w: Float32Array, g: Float32Array): void {
    const { oneMinusBeta1, oneMinusBeta2, eps, alpha } = this;
    const m = this.m[i] as Float32Array;
    const v = this.v[i] as Float32Array;
    const vHat = this.amsgrad ? (this.vHat[i] as Float32Array) : null;
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
}

/** AdamW: Adam whose weight_decay (decoupled, applied by the base step) defaults to 0.004. */
export class AdamW extends Adam {
  override readonly className = 'AdamW';
}

/** Adamax: m += (g−m)(1−β₁); u = max(β₂u, |g|); w −= lr·m/((1−β₁ᵗ)(u + ε)). */
export class Adamax extends BaseOptimizer {
  readonly className = 'Adamax';
  private m: Float32Array[] = [];
  private u: Float32Array[] = [];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly oneMinusBeta1: number;
  private readonly eps: number;
  private oneMinusBeta1Power = 1;

  constructor(base: BaseOptions, beta1: number, beta2: number, epsilon: number) {
    super(base);
    this.beta1 = f32(beta1);
    this.beta2 = f32(beta2);
    this.oneMinusBeta1 = f32(1 - beta1);
    this.eps = f32(epsilon);
  }

  protected createSlots(sizes: number[]): void {
    this.m = zeros(sizes);
    this.u = zeros(sizes);
  }

  protected slotVariables(): Float32Array[] {
    return interleave(this.m, this.u);
  }

  protected override beginStep(t: number): void {
    this.oneMinusBeta1Power = f32(1 - f32(Math.pow(this.beta1, t)));
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const { oneMinusBeta1, beta2, eps, oneMinusBeta1Power } = this;
    const m = this.m[i] as Float32Array;
    const u = this.u[i] as Float32Array;
    for (let j = 0; j < w.length; j++) {
      const gj = g[j] as number;
      m[j] = (m[j] as number) + (gj - (m[j] as number)) * oneMinusBeta1;
      u[j] = Math.max(beta2 * (u[j] as number), Math.abs(gj));
      w[j] =
        (w[j] as number) -
        (lr * (m[j] as number)) / (oneMinusBeta1Power * ((u[j] as number) + eps));
    }
  }
}

/**
 * Nadam: μₜ = β₁(1 − ½·0.96ᵗ); Πₜ = Πₜ₋₁·μₜ (a float32 variable updated once per step);
 * m̂ = μₜ₊₁m/(1 − Πₜμₜ₊₁) + (1 − μₜ)g/(1 − Πₜ); v̂ = v/(1 − β₂ᵗ); w −= lr·m̂/(√v̂ + ε).
 */
export class Nadam extends BaseOptimizer {
  readonly className = 'Nadam';
  private m: Float32Array[] = [];
  private v: Float32Array[] = [];
  /** Keras's `_u_product`, Πₜ (tracked as an optimizer variable after the slots). */
  private readonly uProduct = Float32Array.of(1);
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly oneMinusBeta1: number;
  private readonly oneMinusBeta2: number;
  private readonly eps: number;
  private mCoef = 0;
  private gCoef = 0;
  private vCoef = 0;

  constructor(base: BaseOptions, beta1: number, beta2: number, epsilon: number) {
    super(base);
    this.beta1 = f32(beta1);
    this.beta2 = f32(beta2);
    this.oneMinusBeta1 = f32(1 - beta1);
    this.oneMinusBeta2 = f32(1 - beta2);
    this.eps = f32(epsilon);
  }

  protected createSlots(sizes: number[]): void {
    this.m = zeros(sizes);
    this.v = zeros(sizes);
  }

  protected slotVariables(): Float32Array[] {
    return [...interleave(this.m, this.v), this.uProduct];
  }

  protected override beginStep(t: number): void {
    const uT = f32(this.beta1 * f32(1 - 0.5 * f32(Math.pow(0.96, t))));
    const uT1 = f32(this.beta1 * f32(1 - 0.5 * f32(Math.pow(0.96, t + 1))));
    this.uProduct[0] = (this.uProduct[0] as number) * uT;
    const productT = this.uProduct[0] as number;
    const productT1 = f32(productT * uT1);
    this.mCoef = uT1 / (1 - productT1);
    this.gCoef = (1 - uT) / (1 - productT);
    this.vCoef = 1 / f32(1 - f32(Math.pow(this.beta2, t)));
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const { oneMinusBeta1, oneMinusBeta2, eps, mCoef, gCoef, vCoef } = this;
    const m = this.m[i] as Float32Array;
    const v = this.v[i] as Float32Array;
    for (let j = 0; j < w.length; j++) {
      const gj = g[j] as number;
      m[j] = (m[j] as number) + (gj - (m[j] as number)) * oneMinusBeta1;
      v[j] = (v[j] as number) + (gj * gj - (v[j] as number)) * oneMinusBeta2;
      const mHat = mCoef * (m[j] as number) + gCoef * gj;
      const vHat = (v[j] as number) * vCoef;
      w[j] = (w[j] as number) - (mHat * lr) / (Math.sqrt(vHat) + eps);
    }
  }
}
