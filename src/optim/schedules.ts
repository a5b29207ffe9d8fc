/**
 * Keras 3's learning-rate schedules (keras/src/optimizers/schedules/learning_rate_schedule.py):
 * pure functions of the optimizer's iteration count (0 for the first update). Keras evaluates
 * them in float32; constants are rounded to float32 as Keras casts them and so is the result.
 */
import { ArgReader, foldName, splitNamed, type Named } from './named.js';

/** A learning rate as a function of the optimizer step (Keras's `optimizer.iterations`). */
export type Schedule = (step: number) => number;

const f32 = Math.fround;

type Factory = (a: ArgReader) => Schedule;

const factories: Record<string, { className: string; create: Factory }> = {
  exponentialdecay: { className: 'ExponentialDecay', create: exponentialDecay },
  piecewiseconstantdecay: { className: 'PiecewiseConstantDecay', create: piecewiseConstantDecay },
  cosinedecay: { className: 'CosineDecay', create: cosineDecay },
  inversetimedecay: { className: 'InverseTimeDecay', create: inverseTimeDecay },
  polynomialdecay: { className: 'PolynomialDecay', create: polynomialDecay },
  cosinedecayrestarts: { className: 'CosineDecayRestarts', create: cosineDecayRestarts },
};

/** The schedule a spec names; throws for unknown names, missing or invalid arguments. */
export function createSchedule(spec: Named): Schedule {
  const { name, args } = splitNamed(spec);
  const entry = factories[foldName(name)];
  if (!entry) {
    const known = Object.values(factories)
      .map((f) => f.className)
      .join(', ');
    throw new Error(`Unknown learning-rate schedule '${name}'. Known schedules: ${known}.`);
  }
  const reader = new ArgReader(entry.className, args);
  const schedule = entry.create(reader);
  reader.ignore('name');
  reader.done();
  return schedule;
}

/** True when `spec` names one of the schedules (so a learning_rate call can be told apart). */
export function isScheduleName(name: string): boolean {
  return foldName(name) in factories;
}

function positiveSteps(a: ArgReader, key: string): number {
  const steps = a.requiredNumber(key);
  if (!(steps > 0)) throw a.invalid(key, `must be > 0, found ${steps}.`);
  return steps;
}

/** lr0 · rate^(step/decay_steps), the exponent floored when staircase. */
function exponentialDecay(a: ArgReader): Schedule {
  const lr0 = f32(a.requiredNumber('initial_learning_rate'));
  const decaySteps = f32(positiveSteps(a, 'decay_steps'));
  const rate = f32(a.requiredNumber('decay_rate'));
  const staircase = a.boolean('staircase', false);
  return (step) => {
    let p = f32(step / decaySteps);
    if (staircase) p = Math.floor(p);
    return f32(lr0 * Math.pow(rate, p));
  };
}

/** values[0] while step ≤ b[0], values[i] while b[i−1] < step ≤ b[i], values[last] after. */
function piecewiseConstantDecay(a: ArgReader): Schedule {
  const boundaries = a.numberList('boundaries');
  const values = a.numberList('values').map(f32);
  if (boundaries.length !== values.length - 1) {
    throw a.invalid(
      'values',
      `the length of boundaries (${boundaries.length}) should be 1 less than the length of values (${values.length}).`,
    );
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (!((boundaries[i] as number) > (boundaries[i - 1] as number))) {
      throw a.invalid('boundaries', 'must be strictly increasing.');
    }
  }
  return (step) => {
    for (let i = 0; i < boundaries.length; i++) {
      if (step <= (boundaries[i] as number)) return values[i] as number;
    }
    return values[values.length - 1] as number;
  };
}

/** Cosine decay from lr0 (or from warmup_target after a linear warmup) to alpha·lr. */
function cosineDecay(a: ArgReader): Schedule {
  const lr0 = f32(a.requiredNumber('initial_learning_rate'));
  const decaySteps = f32(positiveSteps(a, 'decay_steps'));
  const alpha = a.number('alpha', 0);
  const warmupTarget = a.optionalNumber('warmup_target');
  const warmupSteps = f32(a.number('warmup_steps', 0));
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
function inverseTimeDecay(a: ArgReader): Schedule {
  const lr0 = f32(a.requiredNumber('initial_learning_rate'));
  const decaySteps = f32(positiveSteps(a, 'decay_steps'));
  const rate = f32(a.requiredNumber('decay_rate'));
  const staircase = a.boolean('staircase', false);
  return (step) => {
    let p = f32(step / decaySteps);
    if (staircase) p = Math.floor(p);
    return f32(lr0 / (1 + rate * p));
  };
}

/** (lr0 − end)·(1 − step/decay_steps)^power + end; with cycle the horizon grows in multiples. */
function polynomialDecay(a: ArgReader): Schedule {
  const lr0 = f32(a.requiredNumber('initial_learning_rate'));
  const decaySteps = f32(positiveSteps(a, 'decay_steps'));
  const end = f32(a.number('end_learning_rate', 0.0001));
  const power = f32(a.number('power', 1));
  const cycle = a.boolean('cycle', false);
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
function cosineDecayRestarts(a: ArgReader): Schedule {
  const lr0 = f32(a.requiredNumber('initial_learning_rate'));
  const firstDecaySteps = f32(positiveSteps(a, 'first_decay_steps'));
  const tMul = f32(a.number('t_mul', 2));
  const mMul = f32(a.number('m_mul', 1));
  const alpha = f32(a.number('alpha', 0));
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
