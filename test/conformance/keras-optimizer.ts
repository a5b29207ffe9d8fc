/**
 * Keras 3 optimizers in float64, as a tf.Optimizer that tfjs-layers' trainOnBatch can drive:
 * TF.js computes the gradients of the same model, and applyGradients() runs Keras 3's
 * `apply` (base_optimizer.py) — clipping, decoupled weight decay, the update rule with
 * t = iterations + 1, constraints — in float64 on the float32 weights, as §4 of the Keras
 * reference gives it. Used where TF.js's optimizers depart from Keras 3 or do not exist.
 */
import * as tf from '@tensorflow/tfjs';

/** Per-weight state slots in float64 and the step's shared scalars. */
interface StepContext {
  /** t = iterations + 1. */
  t: number;
  lr: number;
  /** Nadam's Π_t (updated once per step, before the variables). */
  uProduct: number;
}

/** One Keras 3 update rule: its slot count and the per-weight update, in place on `w`. */
export interface UpdateRule {
  slots: number;
  /** Slot initial values (Adagrad's accumulator starts at initial_accumulator_value). */
  initial?: number[];
  update(w: Float64Array, g: Float64Array, s: Float64Array[], c: StepContext): void;
}

export interface KerasOptimizerOptions {
  rule: UpdateRule;
  /** A float, or a schedule of the iteration count (step 0 for the first update). */
  learningRate: number | ((step: number) => number);
  clipnorm?: number;
  clipvalue?: number;
  globalClipnorm?: number;
  weightDecay?: number;
  /** Nadam keeps Π_t across steps. */
  nadamBeta1?: number;
  /** Constraints by TF.js variable name, applied after the update (Keras's step 5). */
  constraints?: Map<string, (w: tf.Tensor) => tf.Tensor>;
}

/** Keras 3's SGD update (sgd.py). */
export function sgdRule(momentum: number, nesterov: boolean): UpdateRule {
  return {
    slots: momentum === 0 ? 0 : 1,
    update(w, g, [m], { lr }) {
      for (let i = 0; i < w.length; i++) {
        if (momentum === 0) {
          w[i] = w[i]! - lr * g[i]!;
          continue;
        }
        m![i] = momentum * m![i]! - lr * g[i]!;
        w[i] = nesterov ? w[i]! + momentum * m![i]! - lr * g[i]! : w[i]! + m![i]!;
      }
    },
  };
}

/** Keras 3's RMSprop (rmsprop.py): ε inside the square root, centered subtracts the mean². */
export function rmspropRule(
  rho: number,
  momentum: number,
  eps: number,
  centered: boolean,
): UpdateRule {
  return {
    slots: 3,
    update(w, g, [v, m, a], { lr }) {
      for (let i = 0; i < w.length; i++) {
        v![i] = rho * v![i]! + (1 - rho) * g[i]! * g[i]!;
        let den = v![i]! + eps;
        if (centered) {
          a![i] = rho * a![i]! + (1 - rho) * g[i]!;
          den = v![i]! - a![i]! * a![i]! + eps;
        }
        const inc = (lr * g[i]!) / Math.sqrt(den);
        if (momentum > 0) {
          m![i] = momentum * m![i]! + inc;
          w[i] = w[i]! - m![i]!;
        } else w[i] = w[i]! - inc;
      }
    },
  };
}

/** Keras 3's Adagrad (adagrad.py). */
export function adagradRule(initial: number, eps: number): UpdateRule {
  return {
    slots: 1,
    initial: [initial],
    update(w, g, [acc], { lr }) {
      for (let i = 0; i < w.length; i++) {
        acc![i] = acc![i]! + g[i]! * g[i]!;
        w[i] = w[i]! - (lr * g[i]!) / Math.sqrt(acc![i]! + eps);
      }
    },
  };
}

/** Keras 3's Adadelta (adadelta.py): the gradient accumulator is updated before it is used. */
export function adadeltaRule(rho: number, eps: number): UpdateRule {
  return {
    slots: 2,
    update(w, g, [eg, ed], { lr }) {
      for (let i = 0; i < w.length; i++) {
        eg![i] = rho * eg![i]! + (1 - rho) * g[i]! * g[i]!;
        const delta = (-Math.sqrt(ed![i]! + eps) * g[i]!) / Math.sqrt(eg![i]! + eps);
        ed![i] = rho * ed![i]! + (1 - rho) * delta * delta;
        w[i] = w[i]! + lr * delta;
      }
    },
  };
}

/** Keras 3's Adam (adam.py): α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ), w −= m·α/(√v + ε) ("ε-hat"). */
export function adamRule(b1: number, b2: number, eps: number, amsgrad: boolean): UpdateRule {
  return {
    slots: 3,
    update(w, g, [m, v, vHat], { lr, t }) {
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < w.length; i++) {
        m![i] = m![i]! + (g[i]! - m![i]!) * (1 - b1);
        v![i] = v![i]! + (g[i]! * g[i]! - v![i]!) * (1 - b2);
        let vi = v![i]!;
        if (amsgrad) {
          vHat![i] = Math.max(vHat![i]!, vi);
          vi = vHat![i]!;
        }
        w[i] = w[i]! - (m![i]! * alpha) / (Math.sqrt(vi) + eps);
      }
    },
  };
}

/** Keras 3's Adamax (adamax.py). */
export function adamaxRule(b1: number, b2: number, eps: number): UpdateRule {
  return {
    slots: 2,
    update(w, g, [m, u], { lr, t }) {
      for (let i = 0; i < w.length; i++) {
        m![i] = m![i]! + (g[i]! - m![i]!) * (1 - b1);
        u![i] = Math.max(b2 * u![i]!, Math.abs(g[i]!));
        w[i] = w[i]! - (lr * m![i]!) / ((1 - b1 ** t) * (u![i]! + eps));
      }
    },
  };
}

/** Keras 3's Nadam (nadam.py), with Π_t from the step context. */
export function nadamRule(b1: number, b2: number, eps: number): UpdateRule {
  return {
    slots: 2,
    update(w, g, [m, v], { lr, t, uProduct }) {
      const muT = b1 * (1 - 0.5 * 0.96 ** t);
      const muT1 = b1 * (1 - 0.5 * 0.96 ** (t + 1));
      const uProductT1 = uProduct * muT1;
      for (let i = 0; i < w.length; i++) {
        m![i] = m![i]! + (g[i]! - m![i]!) * (1 - b1);
        v![i] = v![i]! + (g[i]! * g[i]! - v![i]!) * (1 - b2);
        const mHat = (muT1 * m![i]!) / (1 - uProductT1) + ((1 - muT) * g[i]!) / (1 - uProduct);
        const vHat = v![i]! / (1 - b2 ** t);
        w[i] = w[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    },
  };
}

/** A tf.Optimizer whose applyGradients() is Keras 3's `apply` in float64. */
export class KerasOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'ConformanceKerasOptimizer';
  }

  private readonly opts: KerasOptimizerOptions;
  private readonly state = new Map<string, Float64Array[]>();
  private steps = 0;
  private uProduct = 1;

  constructor(opts: KerasOptimizerOptions) {
    super();
    this.opts = opts;
  }

  override applyGradients(grads: Parameters<tf.Optimizer['applyGradients']>[0]): void {
    const list: { name: string; tensor: tf.Tensor }[] = Array.isArray(grads)
      ? grads.map((g) => ({ name: g.name, tensor: g.tensor }))
      : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    const g64 = list.map((g) => Float64Array.from(g.tensor.dataSync()));
    this.clip(g64);
    const o = this.opts;
    const lr =
      typeof o.learningRate === 'number' ? Math.fround(o.learningRate) : o.learningRate(this.steps);
    const t = this.steps + 1;
    if (o.nadamBeta1 !== undefined) this.uProduct *= o.nadamBeta1 * (1 - 0.5 * 0.96 ** t);
    list.forEach(({ name }, i) => {
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`no variable '${name}'`);
      const w = Float64Array.from(variable.dataSync());
      if (o.weightDecay !== undefined)
        for (let j = 0; j < w.length; j++) w[j] = w[j]! - w[j]! * o.weightDecay * lr;
      o.rule.update(w, g64[i]!, this.slotsOf(name, w.length), { t, lr, uProduct: this.uProduct });
      const constraint = o.constraints?.get(name);
      tf.tidy(() => {
        const updated = tf.tensor(Float32Array.from(w), variable.shape);
        variable.assign(constraint ? constraint(updated) : updated);
      });
    });
    this.steps++;
    this.incrementIterations();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {};
  }

  private slotsOf(name: string, size: number): Float64Array[] {
    let s = this.state.get(name);
    if (!s) {
      const { slots, initial } = this.opts.rule;
      s = Array.from({ length: slots }, (_, j) => new Float64Array(size).fill(initial?.[j] ?? 0));
      this.state.set(name, s);
    }
    return s;
  }

  /** Keras's step 2: clipnorm per tensor, else global_clipnorm, else clipvalue. */
  private clip(grads: Float64Array[]): void {
    const { clipnorm, globalClipnorm, clipvalue } = this.opts;
    const norm = (g: Float64Array) => Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    if (clipnorm !== undefined) {
      for (const g of grads) {
        const scale = clipnorm / Math.max(norm(g), clipnorm);
        for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
      }
    } else if (globalClipnorm !== undefined) {
      const global = Math.sqrt(grads.reduce((s, g) => s + norm(g) ** 2, 0));
      const scale = globalClipnorm * Math.min(1 / global, 1 / globalClipnorm);
      for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
    } else if (clipvalue !== undefined) {
      for (const g of grads)
        for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i]!, -clipvalue), clipvalue);
    }
  }
}
