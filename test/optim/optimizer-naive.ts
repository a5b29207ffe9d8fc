/**
 * Float64 reference twins of Keras 3's optimizer step (keras-reference.md §4.1–4.2), written
 * straight from the formulas on plain number arrays: one update rule per optimizer, and the
 * shared pipeline (clip → decoupled decay → update with t = k + 1). Slow and obvious; the
 * Float32Array optimizers in src/optim are tested against these.
 */

export type Vec = number[];
/** Per-tensor state of a reference rule, created on first use. */
export type RefState = Record<string, Vec>;
/** One update of one tensor: w and s are overwritten. */
export type RefRule = (w: Vec, g: Vec, s: RefState, t: number, lr: number) => void;

/**
 * βᵗ as Keras computes it: `ops.power(ops.cast(beta, float32), t)`, a float32 tensor. The cast
 * matters: 1 − β₂ᵗ with β₂ = 0.999 cancels, so float32(0.999)ᵗ shifts Adam's α by ~1e-5 relative.
 */
const betaPower = (beta: number, t: number): number => Math.fround(Math.fround(beta) ** t);

function slot(s: RefState, key: string, n: number, init = 0): Vec {
  return (s[key] ??= new Array<number>(n).fill(init));
}

/** The §4.2 update rules. */
export const rules = {
  sgd:
    (momentum: number, nesterov = false): RefRule =>
    (w, g, s, _t, lr) => {
      const m = slot(s, 'm', w.length);
      for (let j = 0; j < w.length; j++) {
        if (momentum === 0) w[j]! -= lr * g[j]!;
        else {
          m[j] = momentum * m[j]! - lr * g[j]!;
          w[j]! += nesterov ? momentum * m[j]! - lr * g[j]! : m[j]!;
        }
      }
    },
  rmsprop:
    (rho: number, momentum: number, eps: number, centered: boolean): RefRule =>
    (w, g, s, _t, lr) => {
      const [v, a, m] = [slot(s, 'v', w.length), slot(s, 'a', w.length), slot(s, 'm', w.length)];
      for (let j = 0; j < w.length; j++) {
        v[j] = rho * v[j]! + (1 - rho) * g[j]! ** 2;
        if (centered) a[j] = rho * a[j]! + (1 - rho) * g[j]!;
        const den = centered ? v[j]! - a[j]! ** 2 + eps : v[j]! + eps;
        const inc = (lr * g[j]!) / Math.sqrt(den);
        if (momentum > 0) {
          m[j] = momentum * m[j]! + inc;
          w[j]! -= m[j]!;
        } else w[j]! -= inc;
      }
    },
  adagrad:
    (initial: number, eps: number): RefRule =>
    (w, g, s, _t, lr) => {
      const acc = slot(s, 'acc', w.length, initial);
      for (let j = 0; j < w.length; j++) {
        acc[j]! += g[j]! ** 2;
        w[j]! -= (lr * g[j]!) / Math.sqrt(acc[j]! + eps);
      }
    },
  adadelta:
    (rho: number, eps: number): RefRule =>
    (w, g, s, _t, lr) => {
      const [eg, ed] = [slot(s, 'eg', w.length), slot(s, 'ed', w.length)];
      for (let j = 0; j < w.length; j++) {
        eg[j] = rho * eg[j]! + (1 - rho) * g[j]! ** 2;
        const delta = (-Math.sqrt(ed[j]! + eps) * g[j]!) / Math.sqrt(eg[j]! + eps);
        ed[j] = rho * ed[j]! + (1 - rho) * delta ** 2;
        w[j]! += lr * delta;
      }
    },
  adam:
    (b1: number, b2: number, eps: number, amsgrad = false): RefRule =>
    (w, g, s, t, lr) => {
      const [m, v, vh] = [
        slot(s, 'm', w.length),
        slot(s, 'v', w.length),
        slot(s, 'vhat', w.length),
      ];
      const alpha = (lr * Math.sqrt(1 - betaPower(b2, t))) / (1 - betaPower(b1, t));
      for (let j = 0; j < w.length; j++) {
        m[j]! += (g[j]! - m[j]!) * (1 - b1);
        v[j]! += (g[j]! ** 2 - v[j]!) * (1 - b2);
        vh[j] = Math.max(vh[j]!, v[j]!);
        w[j]! -= (m[j]! * alpha) / (Math.sqrt(amsgrad ? vh[j]! : v[j]!) + eps);
      }
    },
  adamax:
    (b1: number, b2: number, eps: number): RefRule =>
    (w, g, s, t, lr) => {
      const [m, u] = [slot(s, 'm', w.length), slot(s, 'u', w.length)];
      for (let j = 0; j < w.length; j++) {
        m[j]! += (g[j]! - m[j]!) * (1 - b1);
        u[j] = Math.max(b2 * u[j]!, Math.abs(g[j]!));
        w[j]! -= (lr * m[j]!) / ((1 - betaPower(b1, t)) * (u[j]! + eps));
      }
    },
  nadam:
    (b1: number, b2: number, eps: number): RefRule =>
    (w, g, s, t, lr) => {
      const mu = (k: number): number => b1 * (1 - 0.5 * 0.96 ** k);
      let product = 1; // Π_t = μ_1·μ_2·…·μ_t
      for (let k = 1; k <= t; k++) product *= mu(k);
      const [m, v] = [slot(s, 'm', w.length), slot(s, 'v', w.length)];
      for (let j = 0; j < w.length; j++) {
        m[j]! += (g[j]! - m[j]!) * (1 - b1);
        v[j]! += (g[j]! ** 2 - v[j]!) * (1 - b2);
        const mHat =
          (mu(t + 1) * m[j]!) / (1 - product * mu(t + 1)) + ((1 - mu(t)) * g[j]!) / (1 - product);
        const vHat = v[j]! / (1 - betaPower(b2, t));
        w[j]! -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    },
};

/** How a case clips: per-tensor norm, global norm, or value. */
export type RefClip = { kind: 'norm' | 'global' | 'value'; c: number };

/** Everything the reference needs to replay a Keras optimizer over a gradient sequence. */
export interface RefRun {
  rule: RefRule;
  /** The learning rate at update k (0-based), or a constant. */
  lr: number | ((k: number) => number);
  weightDecay?: number;
  clip?: RefClip;
}

const norm = (v: Vec): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** Gradients after Keras's clipping (new arrays). */
export function clipReference(grads: Vec[], clip: RefClip | undefined): Vec[] {
  if (!clip) return grads.map((g) => [...g]);
  const { kind, c } = clip;
  if (kind === 'norm') return grads.map((g) => g.map((x) => (x * c) / Math.max(norm(g), c)));
  if (kind === 'value') return grads.map((g) => g.map((x) => Math.min(Math.max(x, -c), c)));
  const total = Math.sqrt(grads.reduce((s, g) => s + norm(g) ** 2, 0));
  return grads.map((g) => g.map((x) => (x * c) / Math.max(total, c)));
}

/** Replays run over gradient sequence grads[k][tensor] from weights w0; returns weights and states. */
export function runReference(
  run: RefRun,
  w0: Vec[],
  grads: Vec[][],
): { weights: Vec[]; states: RefState[] } {
  const weights = w0.map((w) => [...w]);
  const states: RefState[] = w0.map(() => ({}));
  grads.forEach((step, k) => {
    const g = clipReference(step, run.clip);
    const lr = typeof run.lr === 'function' ? run.lr(k) : run.lr;
    if (run.weightDecay !== undefined)
      for (const w of weights)
        for (let j = 0; j < w.length; j++) w[j] = w[j]! - w[j]! * run.weightDecay * lr;
    weights.forEach((w, i) => run.rule(w, g[i]!, states[i]!, k + 1, lr));
  });
  return { weights, states };
}
