/**
 * The optimizer contract and the step every Keras 3 optimizer shares (base_optimizer.py
 * `apply`): gradient accumulation, clipping, decoupled weight decay, the per-variable update
 * rule with t = iterations + 1, the weights' moving average, constraints, iterations += 1.
 * State lives in Float32Arrays given to or allocated by build(), laid out by slotLayout();
 * apply() allocates nothing.
 */
import { clipByNorm, clipByValue, globalClipScale, scaleInPlace, sumOfSquares } from './clip.js';
import type { Constraint } from './constraints.js';
import type { Schedule } from './schedules.js';
import { jsUpdateKernels, type UpdateKernels } from './update-kernels.js';
import {
  accumulateGradient,
  averageAccumulated,
  emaUpdate,
  weightDecayUpdate,
} from './step-kernels.js';

/** One trainable weight as the optimizer sees it: value and gradient buffers of equal length. */
export interface ParamSlot {
  name: string;
  value: Float32Array;
  grad: Float32Array;
  /** The weight's shape (a constraint's norm axes refer to it). */
  shape: readonly number[];
  constraint: Constraint | null;
}

/** One Float32 state slot of an optimizer, as variables() lists it after its scalar head. */
export interface OptimizerSlot {
  /** Keras's variable name for the slot ('momentum', 'velocity', 'average', 'u_product', …). */
  name: string;
  /** The index of the weight the slot belongs to; −1 for a slot shared by all weights. */
  weight: number;
  /** Number of float32 values. */
  size: number;
}

/**
 * A group of slots as a rule declares it: `names` repeated per weight, interleaved in that
 * order (Adam's momentum, velocity), or one `shared` slot of `size` values.
 */
export type SlotGroup =
  { names: readonly string[]; init: number } | { shared: string; size: number; init: number };

/** A Keras 3 optimizer over Float32Array weights. */
export interface Optimizer {
  readonly className: string;
  /** Keras's iteration variable: apply() calls so far. */
  iterations: number;
  /** The current learning rate (float32); settable only without a schedule (ReduceLROnPlateau). */
  learningRate: number;
  readonly hasSchedule: boolean;
  /** The elementwise update kernels the rules run (a backend binds its own over its memory). */
  kernels: UpdateKernels;
  /**
   * Creates the state for these weights (once; apply() builds on first use otherwise). With
   * `state` (one view per slot of slotLayout(), lengths as listed) the optimizer initializes
   * and uses those views and allocates no slot arrays. Called again with views after that, it
   * moves to them and keeps their contents (the arena that holds them was copied, not reset).
   */
  build(params: ParamSlot[], state?: readonly Float32Array[]): void;
  /** The per-weight and shared state slots for weights of these sizes, in variables() order. */
  slotLayout(weightSizes: readonly number[]): OptimizerSlot[];
  /** One Keras `optimizer.apply(grads)`; may overwrite the grad buffers (clipping, accumulation). */
  apply(params: ParamSlot[]): void;
  /** Keras's finalize_variable_values: with use_ema, copies the moving averages into the weights. */
  finalize(params: ParamSlot[]): void;
  /** State in Keras's variable order: iteration, learning_rate (absent with a schedule), slots. */
  variables(): Float32Array[];
  /** Restores state saved from variables() (same order and sizes). */
  setVariables(values: ArrayLike<number>[]): void;
  /** Number of scalars in variables(), as Keras's summary counts "Optimizer params". */
  variableCount(): number;
}

/** The base optimizer's keyword arguments, already validated. */
export interface BaseOptions {
  learningRate: number | Schedule;
  weightDecay: number | null;
  clipnorm: number | null;
  clipvalue: number | null;
  globalClipnorm: number | null;
  useEma: boolean;
  emaMomentum: number;
  emaOverwriteFrequency: number | null;
  gradientAccumulationSteps: number | null;
}

const f32 = Math.fround;

/** The shared apply() pipeline; subclasses supply state slots and the per-weight update rule. */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly className: string;
  iterations = 0;
  readonly hasSchedule: boolean;
  kernels: UpdateKernels = jsUpdateKernels;
  private lr: number;
  private readonly schedule: Schedule | null;
  private readonly opts: BaseOptions;
  private built = false;
  private sizes: number[] = [];
  /** Every state slot in variables() order: the base step's first, then the rule's. */
  private slots: Float32Array[] = [];
  /** Per weight: moving average (use_ema). */
  private averages: Float32Array[] = [];
  /** Per weight: gradient accumulator (gradient_accumulation_steps). */
  private accumulators: Float32Array[] = [];

  protected constructor(opts: BaseOptions) {
    this.opts = opts;
    this.schedule = typeof opts.learningRate === 'function' ? opts.learningRate : null;
    this.hasSchedule = this.schedule !== null;
    this.lr = typeof opts.learningRate === 'number' ? f32(opts.learningRate) : 0;
  }

  get learningRate(): number {
    return this.schedule ? this.schedule(this.iterations) : this.lr;
  }

  set learningRate(value: number) {
    if (this.schedule) {
      throw new Error(
        `${this.className} was created with a learning-rate schedule, so its learning rate is not settable.`,
      );
    }
    this.lr = f32(value);
  }

  build(params: ParamSlot[], state?: readonly Float32Array[]): void {
    // Built already: new views (the arena moved) take over the state as it is, unfilled.
    if (this.built && state === undefined) return;
    const first = !this.built;
    if (first) this.sizes = params.map((p) => p.value.length);
    const base = expand(this.baseGroups(), this.sizes);
    const rule = expand(this.slotGroups(), this.sizes);
    const layout = [...base, ...rule];
    if (state !== undefined && state.length !== layout.length) {
      throw new Error(
        `${this.className} has ${layout.length} state slots for these weights, but ${state.length} views were given.`,
      );
    }
    this.slots = layout.map((slot, k) => {
      const view = state ? (state[k] as Float32Array) : new Float32Array(slot.size);
      if (view.length !== slot.size) {
        throw new Error(
          `${this.className} state slot ${k} ('${slot.name}' of weight ${slot.weight}) has ${slot.size} values, but its view has ${view.length}.`,
        );
      }
      return first ? view.fill(slot.init) : view;
    });
    const baseViews = byName(base, this.slots.slice(0, base.length));
    this.averages = baseViews.get('average') ?? [];
    this.accumulators = baseViews.get('gradient_accumulator') ?? [];
    this.bindSlots(byName(rule, this.slots.slice(base.length)));
    this.built = true;
  }

  slotLayout(weightSizes: readonly number[]): OptimizerSlot[] {
    return [
      ...expand(this.baseGroups(), weightSizes),
      ...expand(this.slotGroups(), weightSizes),
    ].map(({ name, weight, size }) => ({ name, weight, size }));
  }

  apply(params: ParamSlot[]): void {
    if (!this.built) this.build(params);
    this.checkParams(params);
    const steps = this.opts.gradientAccumulationSteps;
    if (!steps) {
      this.updateAll(params);
    } else if ((this.iterations + 1) % steps === 0) {
      for (let i = 0; i < params.length; i++) {
        averageAccumulated(
          (params[i] as ParamSlot).grad,
          this.accumulators[i] as Float32Array,
          steps,
        );
      }
      this.updateAll(params);
    } else {
      for (let i = 0; i < params.length; i++) {
        accumulateGradient(this.accumulators[i] as Float32Array, (params[i] as ParamSlot).grad);
      }
    }
    if (this.opts.useEma) this.updateMovingAverages(params);
    for (const p of params) if (p.constraint) p.constraint.apply(p.value, p.shape);
    this.iterations += 1;
  }

  finalize(params: ParamSlot[]): void {
    if (!this.opts.useEma || !this.built) return;
    this.checkParams(params);
    for (let i = 0; i < params.length; i++) {
      (params[i] as ParamSlot).value.set(this.averages[i] as Float32Array);
    }
  }

  variables(): Float32Array[] {
    const head = [Float32Array.of(this.iterations)];
    if (!this.schedule) head.push(Float32Array.of(this.lr));
    return this.built ? [...head, ...this.slots] : head;
  }

  setVariables(values: ArrayLike<number>[]): void {
    const current = this.variables();
    if (values.length !== current.length) {
      throw new Error(
        `${this.className} has ${current.length} variables, but ${values.length} were given.`,
      );
    }
    current.forEach((v, i) => {
      const src = values[i] as ArrayLike<number>;
      if (src.length !== v.length) {
        throw new Error(
          `${this.className} variable ${i} has ${v.length} values, but ${src.length} were given.`,
        );
      }
    });
    this.iterations = (values[0] as ArrayLike<number>)[0] as number;
    if (!this.schedule) this.lr = f32((values[1] as ArrayLike<number>)[0] as number);
    for (let i = this.schedule ? 1 : 2; i < current.length; i++) {
      (current[i] as Float32Array).set(values[i] as ArrayLike<number>);
    }
  }

  variableCount(): number {
    return this.variables().reduce((n, v) => n + v.length, 0);
  }

  /** The rule's state slots in Keras's variable order (what its build() adds). */
  protected abstract slotGroups(): SlotGroup[];
  /** Takes the rule's slot views, per slot name: one per weight, or one for a shared slot. */
  protected abstract bindSlots(views: ReadonlyMap<string, Float32Array[]>): void;
  /** Per-step constants, before any weight is updated (t = the 1-based update step). */
  protected beginStep(_t: number, _lr: number): void {}
  /** The update rule for weight i: w and the rule's state are overwritten. */
  protected abstract update(i: number, w: Float32Array, g: Float32Array, lr: number): void;

  /** Keras's `optimizer.iterations` property: update steps, counting accumulated batches as one. */
  private updateSteps(): number {
    const steps = this.opts.gradientAccumulationSteps;
    return steps ? Math.floor(this.iterations / steps) : this.iterations;
  }

  /** Clip, decay and update every weight with the current learning rate. */
  private updateAll(params: ParamSlot[]): void {
    const lr = this.learningRate;
    this.clip(params);
    const wd = this.opts.weightDecay;
    if (wd !== null) for (const p of params) weightDecayUpdate(p.value, wd, lr);
    this.beginStep(this.updateSteps() + 1, lr);
    for (let i = 0; i < params.length; i++) {
      const p = params[i] as ParamSlot;
      this.update(i, p.value, p.grad, lr);
    }
  }

  private clip(params: ParamSlot[]): void {
    const { clipnorm, globalClipnorm, clipvalue } = this.opts;
    if (clipnorm !== null && clipnorm > 0) {
      for (const p of params) clipByNorm(p.grad, clipnorm);
    } else if (globalClipnorm !== null && globalClipnorm > 0) {
      let sum = 0;
      for (const p of params) sum += sumOfSquares(p.grad);
      const scale = globalClipScale(Math.sqrt(sum), globalClipnorm);
      for (const p of params) scaleInPlace(p.grad, scale);
    } else if (clipvalue !== null && clipvalue > 0) {
      for (const p of params) clipByValue(p.grad, clipvalue);
    }
  }

  /** avg ← m·avg + (1−m)·w with m = 0 on the very first step; optional periodic overwrite. */
  private updateMovingAverages(params: ParamSlot[]): void {
    const k = this.updateSteps();
    const m = k !== 0 ? this.opts.emaMomentum : 0;
    const freq = this.opts.emaOverwriteFrequency;
    const overwrite = freq !== null && (k + 1) % freq === 0;
    for (let i = 0; i < params.length; i++) {
      const w = (params[i] as ParamSlot).value;
      const avg = this.averages[i] as Float32Array;
      emaUpdate(avg, w, m);
      if (overwrite) w.set(avg);
    }
  }

  private baseGroups(): SlotGroup[] {
    return baseGroupsOf(this.opts);
  }

  private checkParams(params: ParamSlot[]): void {
    if (params.length !== this.sizes.length) {
      throw new Error(
        `${this.className} was built for ${this.sizes.length} weights but apply() got ${params.length}.`,
      );
    }
    for (let i = 0; i < params.length; i++) {
      const p = params[i] as ParamSlot;
      if (p.value.length !== this.sizes[i] || p.grad.length !== p.value.length) {
        throw new Error(
          `${this.className}: weight '${p.name}' changed size or its gradient has a different size.`,
        );
      }
    }
  }
}

/** Keras's base build(): the moving averages, then the gradient accumulators, per weight. */
function baseGroupsOf(opts: BaseOptions): SlotGroup[] {
  const names: string[] = [];
  if (opts.useEma) names.push('average');
  if (opts.gradientAccumulationSteps) names.push('gradient_accumulator');
  return names.length > 0 ? [{ names, init: 0 }] : [];
}

/** The slots of these groups for weights of these sizes, with their initial values. */
function expand(
  groups: readonly SlotGroup[],
  sizes: readonly number[],
): (OptimizerSlot & { init: number })[] {
  const out: (OptimizerSlot & { init: number })[] = [];
  for (const group of groups) {
    if ('shared' in group) {
      out.push({ name: group.shared, weight: -1, size: group.size, init: group.init });
      continue;
    }
    sizes.forEach((size, weight) => {
      for (const name of group.names) out.push({ name, weight, size, init: group.init });
    });
  }
  return out;
}

/** Views grouped by slot name, each list in weight order. */
function byName(
  layout: readonly OptimizerSlot[],
  views: readonly Float32Array[],
): Map<string, Float32Array[]> {
  const map = new Map<string, Float32Array[]>();
  layout.forEach((slot, k) => {
    let list = map.get(slot.name);
    if (!list) map.set(slot.name, (list = []));
    list.push(views[k] as Float32Array);
  });
  return map;
}
