/**
 * Keras 3's learning-rate schedules (keras/src/optimizers/schedules/learning_rate_schedule.py):
 * pure functions of the optimizer's iteration count (0 for the first update). Keras evaluates
 * them in float32; constants are rounded to float32 as Keras casts them and so is the result.
 * The specs come resolved and validated from schedule-spec.ts.
 */
import type { Named } from './named.js';
import {
  resolveSchedule,
  type CosineDecayRestartsSpec,
  type CosineDecaySpec,
  type ExponentialDecaySpec,
  type InverseTimeDecaySpec,
  type PiecewiseConstantDecaySpec,
  type PolynomialDecaySpec,
  type ScheduleSpec,
} from './schedule-spec.js';

/** A learning rate as a function of the optimizer step (Keras's `optimizer.iterations`). */
export type Schedule = (step: number) => number;

const f32 = Math.fround;

/** The schedule function of a resolved spec (a Named value is resolved first, for old callers). */
export function createSchedule(spec: ScheduleSpec | Named): Schedule {
  const s = typeof spec === 'string' || 'call' in spec ? resolveSchedule(spec) : spec;
  switch (s.className) {
    case 'ExponentialDecay':
      return exponentialDecay(s);
    case 'PiecewiseConstantDecay':
      return piecewiseConstantDecay(s);
    case 'CosineDecay':
      return cosineDecay(s);
    case 'InverseTimeDecay':
      return inverseTimeDecay(s);
    case 'PolynomialDecay':
      return polynomialDecay(s);
    case 'CosineDecayRestarts':
      return cosineDecayRestarts(s);
  }
}

/** lr0 · rate^(step/decay_steps), the exponent floored when staircase. */
function exponentialDecay(s: ExponentialDecaySpec): Schedule {
  const lr0 = f32(s.initialLearningRate);
  const decaySteps = f32(s.decaySteps);
  const rate = f32(s.decayRate);
  const staircase = s.staircase;
  return (step) => {
    let p = f32(step / decaySteps);
    if (staircase) p = Math.floor(p);
    return f32(lr0 * Math.pow(rate, p));
  };
}

/** values[0] while step ≤ b[0], values[i] while b[i−1] < step ≤ b[i], values[last] after. */
function piecewiseConstantDecay(s: PiecewiseConstantDecaySpec): Schedule {
  const boundaries = [...s.boundaries];
  const values = s.values.map(f32);
  return (step) => {
    for (let i = 0; i < boundaries.length; i++) {
      if (step <= (boundaries[i] as number)) return values[i] as number;
    }
    return values[values.length - 1] as number;
  };
}

/** Cosine decay from lr0 (or from warmup_target after a linear warmup) to alpha·lr. */
function cosineDecay(s: CosineDecaySpec): Schedule {
  const lr0 = f32(s.initialLearningRate);
  const decaySteps = f32(s.decaySteps);
  const alpha = s.alpha;
  const warmupTarget = s.warmupTarget;
  const warmupSteps = f32(s.warmupSteps);
  const decayed = (step: number, from: number): number => {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / decaySteps)));
    return f32(from * ((1 - alpha) * cosine + alpha));
  };
  if (warmupTarget === null) return (step) => decayed(Math.min(step, decaySteps), lr0);
  const target = f32(warmupTarget);
  return (step) => {
    const s = Math.min(step, decaySteps + warmupSteps);
    if (s < warmupSteps) return f32((target - lr0) * (s / warmupSteps) + lr0);
    return decayed(s - warmupSteps, target);
  };
}

/** lr0 / (1 + rate · step/decay_steps), the ratio floored when staircase. */
function inverseTimeDecay(s: InverseTimeDecaySpec): Schedule {
  const lr0 = f32(s.initialLearningRate);
  const decaySteps = f32(s.decaySteps);
  const rate = f32(s.decayRate);
  const staircase = s.staircase;
  return (step) => {
    let p = f32(step / decaySteps);
    if (staircase) p = Math.floor(p);
    return f32(lr0 / (1 + rate * p));
  };
}

/** (lr0 − end)·(1 − step/decay_steps)^power + end; with cycle the horizon grows in multiples. */
function polynomialDecay(s: PolynomialDecaySpec): Schedule {
  const lr0 = f32(s.initialLearningRate);
  const decaySteps = f32(s.decaySteps);
  const end = f32(s.endLearningRate);
  const power = f32(s.power);
  const cycle = s.cycle;
  return (step) => {
    let horizon = decaySteps;
    let s = step;
    if (cycle) horizon = decaySteps * (step === 0 ? 1 : Math.ceil(step / decaySteps));
    else s = Math.min(step, decaySteps);
    const p = s / horizon;
    return f32((lr0 - end) * Math.pow(1 - p, power) + end);
  };
}

/** SGDR: cosine decay restarted every period, periods growing by t_mul, peaks scaled by m_mul. */
function cosineDecayRestarts(s: CosineDecayRestartsSpec): Schedule {
  const lr0 = f32(s.initialLearningRate);
  const firstDecaySteps = f32(s.firstDecaySteps);
  const tMul = f32(s.tMul);
  const mMul = f32(s.mMul);
  const alpha = f32(s.alpha);
  return (step) => {
    let fraction = step / firstDecaySteps;
    let restart: number;
    if (tMul === 1) {
      restart = Math.floor(fraction);
      fraction -= restart;
    } else {
      restart = Math.floor(Math.log(1 - fraction * (1 - tMul)) / Math.log(tMul));
      const sumR = (1 - Math.pow(tMul, restart)) / (1 - tMul);
      fraction = (fraction - sumR) / Math.pow(tMul, restart);
    }
    const cosine = 0.5 * Math.pow(mMul, restart) * (1 + Math.cos(Math.PI * fraction));
    return f32(lr0 * ((1 - alpha) * cosine + alpha));
  };
}
