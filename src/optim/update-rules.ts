/**
 * Keras 3's optimizer classes: each declares its state slots in Keras's variable order and runs
 * its update kernel (update-kernels.ts) on them; the shared step lives in BaseOptimizer.
 * Hyper-parameters are kept as given and rounded to float32 by the kernels, as Keras casts them.
 */
import { BaseOptimizer, type BaseOptions, type SlotGroup } from './optimizer.js';
import {
  adadeltaUpdate,
  adagradUpdate,
  adamaxUpdate,
  adamStepSize,
  nadamAdvance,
  nadamUpdate,
  rmspropUpdate,
} from './update-kernels.js';

const f32 = Math.fround;

/** The views of a per-weight slot, or an empty list when the rule has no such slot. */
function slot(views: ReadonlyMap<string, Float32Array[]>, name: string): Float32Array[] {
  return views.get(name) ?? [];
}

/** SGD: w −= lr·g; with momentum m = μm − lr·g, w += m (nesterov: w += μm − lr·g). */
export class SGD extends BaseOptimizer {
  readonly className = 'SGD';
  private m: Float32Array[] = [];

  constructor(
    base: BaseOptions,
    private readonly momentum: number,
    private readonly nesterov: boolean,
  ) {
    super(base);
  }

  protected slotGroups(): SlotGroup[] {
    // Keras adds the momentum variables only when momentum != 0 (compared in float32 here).
    return f32(this.momentum) !== 0 ? [{ names: ['momentum'], init: 0 }] : [];
  }

  protected bindSlots(views: ReadonlyMap<string, Float32Array[]>): void {
    this.m = slot(views, 'momentum');
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    this.kernels.sgdUpdate(w, g, this.m[i] ?? null, lr, this.momentum, this.nesterov);
  }
}

/** RMSprop: v = ρv + (1−ρ)g²; w −= lr·g/√(v [− a²] + ε), optionally through a momentum buffer. */
export class RMSprop extends BaseOptimizer {
  readonly className = 'RMSprop';
  private v: Float32Array[] = [];
  private mom: Float32Array[] = [];
  private avg: Float32Array[] = [];

  constructor(
    base: BaseOptions,
    private readonly rho: number,
    private readonly momentum: number,
    private readonly epsilon: number,
    private readonly centered: boolean,
  ) {
    super(base);
  }

  protected slotGroups(): SlotGroup[] {
    const groups: SlotGroup[] = [{ names: ['velocity'], init: 0 }];
    if (f32(this.momentum) > 0) groups.push({ names: ['momentum'], init: 0 });
    if (this.centered) groups.push({ names: ['average_gradient'], init: 0 });
    return groups;
  }

  protected bindSlots(views: ReadonlyMap<string, Float32Array[]>): void {
    this.v = slot(views, 'velocity');
    this.mom = slot(views, 'momentum');
    this.avg = slot(views, 'average_gradient');
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    rmspropUpdate(
      w,
      g,
      this.v[i] as Float32Array,
      this.mom[i] ?? null,
      this.avg[i] ?? null,
      lr,
      this.rho,
      this.momentum,
      this.epsilon,
    );
  }
}

/** Adagrad: acc += g²; w −= lr·g/√(acc + ε), acc starting at initial_accumulator_value. */
export class Adagrad extends BaseOptimizer {
  readonly className = 'Adagrad';
  private acc: Float32Array[] = [];

  constructor(
    base: BaseOptions,
    private readonly initialAccumulatorValue: number,
    private readonly epsilon: number,
  ) {
    super(base);
  }

  protected slotGroups(): SlotGroup[] {
    return [{ names: ['accumulator'], init: f32(this.initialAccumulatorValue) }];
  }

  protected bindSlots(views: ReadonlyMap<string, Float32Array[]>): void {
    this.acc = slot(views, 'accumulator');
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    adagradUpdate(w, g, this.acc[i] as Float32Array, lr, this.epsilon);
  }
}

/** Adadelta: Eg updated first, Δ = −√(Ed + ε)·g/√(Eg + ε), then Ed; w += lr·Δ. */
export class Adadelta extends BaseOptimizer {
  readonly className = 'Adadelta';
  private eg: Float32Array[] = [];
  private ed: Float32Array[] = [];

  constructor(
    base: BaseOptions,
    private readonly rho: number,
    private readonly epsilon: number,
  ) {
    super(base);
  }

  protected slotGroups(): SlotGroup[] {
    return [{ names: ['accumulated_grad', 'accumulated_delta_var'], init: 0 }];
  }

  protected bindSlots(views: ReadonlyMap<string, Float32Array[]>): void {
    this.eg = slot(views, 'accumulated_grad');
    this.ed = slot(views, 'accumulated_delta_var');
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const eg = this.eg[i] as Float32Array;
    adadeltaUpdate(w, g, eg, this.ed[i] as Float32Array, lr, this.rho, this.epsilon);
  }
}

/** Adam (ε-hat form): α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); w −= m·α/(√v + ε), v → max-so-far with amsgrad. */
export class Adam extends BaseOptimizer {
  readonly className: string = 'Adam';
  private m: Float32Array[] = [];
  private v: Float32Array[] = [];
  private vHat: Float32Array[] = [];
  private alpha = 0;

  constructor(
    base: BaseOptions,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
    private readonly amsgrad: boolean,
  ) {
    super(base);
  }

  protected slotGroups(): SlotGroup[] {
    const groups: SlotGroup[] = [{ names: ['momentum', 'velocity'], init: 0 }];
    if (this.amsgrad) groups.push({ names: ['velocity_hat'], init: 0 });
    return groups;
  }

  protected bindSlots(views: ReadonlyMap<string, Float32Array[]>): void {
    this.m = slot(views, 'momentum');
    this.v = slot(views, 'velocity');
    this.vHat = slot(views, 'velocity_hat');
  }

  protected override beginStep(t: number, lr: number): void {
    this.alpha = adamStepSize(lr, this.beta1, this.beta2, t);
  }

  protected update(i: number, w: Float32Array, g: Float32Array): void {
    const { beta1, beta2, epsilon, alpha } = this;
    const m = this.m[i] as Float32Array;
    const v = this.v[i] as Float32Array;
    this.kernels.adamUpdate(w, g, m, v, this.vHat[i] ?? null, alpha, beta1, beta2, epsilon);
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
  private t = 0;

  constructor(
    base: BaseOptions,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    super(base);
  }

  protected slotGroups(): SlotGroup[] {
    return [{ names: ['momentum', 'norm'], init: 0 }];
  }

  protected bindSlots(views: ReadonlyMap<string, Float32Array[]>): void {
    this.m = slot(views, 'momentum');
    this.u = slot(views, 'norm');
  }

  protected override beginStep(t: number): void {
    this.t = t;
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const { beta1, beta2, epsilon, t } = this;
    const m = this.m[i] as Float32Array;
    adamaxUpdate(w, g, m, this.u[i] as Float32Array, lr, beta1, beta2, epsilon, t);
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
  private uProduct: Float32Array = Float32Array.of(1);
  private t = 0;

  constructor(
    base: BaseOptions,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {
    super(base);
  }

  protected slotGroups(): SlotGroup[] {
    return [
      { names: ['momentum', 'velocity'], init: 0 },
      { shared: 'u_product', size: 1, init: 1 },
    ];
  }

  protected bindSlots(views: ReadonlyMap<string, Float32Array[]>): void {
    this.m = slot(views, 'momentum');
    this.v = slot(views, 'velocity');
    this.uProduct = slot(views, 'u_product')[0] as Float32Array;
  }

  protected override beginStep(t: number): void {
    this.t = t;
    nadamAdvance(this.uProduct, this.beta1, t);
  }

  protected update(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const { beta1, beta2, epsilon, t } = this;
    const m = this.m[i] as Float32Array;
    const v = this.v[i] as Float32Array;
    nadamUpdate(w, g, m, v, this.uProduct[0] as number, lr, beta1, beta2, epsilon, t);
  }
}
