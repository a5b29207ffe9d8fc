/**
 * The parts of Keras 3's `optimizer.apply` around the update rule (base_optimizer.py), as plain
 * functions over caller-owned buffers: decoupled weight decay, gradient accumulation and the
 * weights' moving average. Nothing here allocates.
 */

const f32 = Math.fround;

/** Decoupled weight decay: w ← w − w·(weight_decay·lr), weight_decay rounded to float32. */
export function weightDecayUpdate(w: Float32Array, weightDecay: number, lr: number): void {
  const decay = f32(weightDecay) * lr;
  for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) - (w[j] as number) * decay;
}

/** A batch that does not update: acc ← acc + g. */
export function accumulateGradient(acc: Float32Array, g: Float32Array): void {
  for (let j = 0; j < g.length; j++) acc[j] = (acc[j] as number) + (g[j] as number);
}

/** The batch that updates: g ← (g + acc)/steps (the mean gradient), then acc ← 0. */
export function averageAccumulated(g: Float32Array, acc: Float32Array, steps: number): void {
  for (let j = 0; j < g.length; j++) g[j] = ((g[j] as number) + (acc[j] as number)) / steps;
  acc.fill(0);
}

/**
 * The weights' moving average: avg ← μ·avg + (1 − μ)·w with μ rounded to float32 (the caller
 * passes μ = 0 on the first update step, as Keras does).
 */
export function emaUpdate(average: Float32Array, w: Float32Array, momentum: number): void {
  const m = f32(momentum);
  for (let j = 0; j < w.length; j++) {
    average[j] = m * (average[j] as number) + (1 - m) * (w[j] as number);
  }
}
