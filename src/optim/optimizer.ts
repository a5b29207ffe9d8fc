/**
 * The optimizer contract and the step every Keras 3 optimizer shares (base_optimizer.py
 * `apply`): gradient accumulation, clipping, decoupled weight decay, the per-variable update
 * rule with t = iterations + 1, the weights' moving average, constraints, iterations += 1.
 * State lives in Float32Arrays allocated once in build(); apply() allocates nothing.
 */
import { clipByNorm, clipByValue, globalClipScale, scaleInPlace, sumOfSquares } from './clip.js';
import type { Constraint } from './constraints.js';
import type { Schedule } from './schedules.js';

/** One trainable weight as the optimizer sees it: value and gradient buffers of equal length. */
export interface ParamSlot {
  name: string;
  value: Float32Array;
  grad: Float32Array;
  /** The weight's shape (a constraint's norm axes refer to it). */
  shape: readonly number[];
  constraint: Constraint | null;
}

/** A Keras 3 optimizer over Float32Array weights. */
export interface Optimizer {
  readonly className: string;
  /** Keras's iteration variable: apply() calls so far. */
  iterations: number;
  /** The current learning rate (float32); settable only without a schedule (ReduceLROnPlateau). */
  learningRate: number;
  readonly hasSchedule: boolean;
  /** Allocates the state slots for these weights (once; apply() builds on first use otherwise). */
  build(params: ParamSlot[]): void;
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
  private lr: number;
  private readonly schedule: Schedule | null;
  private readonly opts: BaseOptions;
  private built = false;
  private sizes: number[] = [];
  /** Per weight, in Keras's build order: moving average (use_ema), gradient accumulator. */
  private baseSlots: Float32Array[] = [];
  private averages: Float32Array[] = [];
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

  build(params: ParamSlot[]): void {
    if (this.built) return;
    this.sizes = params.map((p) => p.value.length);
    for (const size of this.sizes) {
      if (this.opts.useEma) this.baseSlots.push(pushed(this.averages, new Float32Array(size)));
      if (this.opts.gradientAccumulationSteps) {
        this.baseSlots.push(pushed(this.accumulators, new Float32Array(size)));
      }
    }
    this.createSlots(this.sizes);
    this.built = true;
  }

  apply(params: ParamSlot[]): void {
    if (!this.built) this.build(params);
    this.checkParams(params);
    const steps = this.opts.gradientAccumulationSteps;
    if (!steps) {
      this.updateAll(params);
    } else if ((this.iterations + 1) % steps === 0) {
      for (let i = 0; i < params.length; i++) {
        averageInto((params[i] as ParamSlot).grad, this.accumulators[i] as Float32Array, steps);
      }
      this.updateAll(params);
    } else {
      for (let i = 0; i < params.length; i++) {
        addInto(this.accumulators[i] as Float32Array, (params[i] as ParamSlot).grad);
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
    return this.built ? [...head, ...this.baseSlots, ...this.slotVariables()] : head;
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

  /** Allocates the rule's state for weights of these sizes. */
  protected abstract createSlots(sizes: number[]): void;
  /** The rule's state in Keras's variable order. */
  protected abstract slotVariables(): Float32Array[];
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
    if (wd !== null) {
      const decay = f32(wd) * lr;
      for (const p of params) decayInPlace(p.value, decay);
    }
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
    const m = k !== 0 ? f32(this.opts.emaMomentum) : 0;
    const freq = this.opts.emaOverwriteFrequency;
    const overwrite = freq !== null && (k + 1) % freq === 0;
    for (let i = 0; i < params.length; i++) {
      const w = (params[i] as ParamSlot).value;
      const avg = this.averages[i] as Float32Array;
      for (let j = 0; j < w.length; j++) {
        avg[j] = m * (avg[j] as number) + (1 - m) * (w[j] as number);
      }
      if (overwrite) w.set(avg);
    }
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

function pushed(list: Float32Array[], slot: Float32Array): Float32Array {
  list.push(slot);
  return slot;
}

/** w ← w − w·decay (decay = weight_decay·lr). */
function decayInPlace(w: Float32Array, decay: number): void {
  for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) - (w[j] as number) * decay;
}

/** acc ← acc + g. */
function addInto(acc: Float32Array, g: Float32Array): void {
  for (let j = 0; j < g.length; j++) acc[j] = (acc[j] as number) + (g[j] as number);
}

/** g ← (g + acc)/steps, then acc ← 0 (the accumulated batch's mean gradient). */
function averageInto(g: Float32Array, acc: Float32Array, steps: number): void {
  for (let j = 0; j < g.length; j++) g[j] = ((g[j] as number) + (acc[j] as number)) / steps;
  acc.fill(0);
}
