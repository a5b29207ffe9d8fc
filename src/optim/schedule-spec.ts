/**
 * Learning-rate schedules as plain data: resolveSchedule turns a Keras name or call into a
 * ScheduleSpec with every default filled in and every Keras constructor check done, so
 * createSchedule only evaluates formulas.
 */
import { ArgReader, foldName, splitNamed, type Named } from './named.js';
import { SpecError } from './spec-error.js';

/** keras.optimizers.schedules.ExponentialDecay: lr0 · rate^(step/decay_steps). */
export interface ExponentialDecaySpec {
  readonly className: 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
}

/** keras.optimizers.schedules.PiecewiseConstantDecay: a step function of the iteration. */
export interface PiecewiseConstantDecaySpec {
  readonly className: 'PiecewiseConstantDecay';
  readonly boundaries: readonly number[];
  readonly values: readonly number[];
}

/** keras.optimizers.schedules.CosineDecay, with its optional linear warmup. */
export interface CosineDecaySpec {
  readonly className: 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;
}

/** keras.optimizers.schedules.InverseTimeDecay: lr0 / (1 + rate · step/decay_steps). */
export interface InverseTimeDecaySpec {
  readonly className: 'InverseTimeDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
}

/** keras.optimizers.schedules.PolynomialDecay. */
export interface PolynomialDecaySpec {
  readonly className: 'PolynomialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
}

/** keras.optimizers.schedules.CosineDecayRestarts (SGDR). */
export interface CosineDecayRestartsSpec {
  readonly className: 'CosineDecayRestarts';
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
}

/** A resolved Keras 3 learning-rate schedule (JSON-serializable). */
export type ScheduleSpec =
  | ExponentialDecaySpec
  | PiecewiseConstantDecaySpec
  | CosineDecaySpec
  | InverseTimeDecaySpec
  | PolynomialDecaySpec
  | CosineDecayRestartsSpec;

type Resolver = (a: ArgReader) => ScheduleSpec;

const resolvers: Record<string, { className: ScheduleSpec['className']; read: Resolver }> = {
  exponentialdecay: { className: 'ExponentialDecay', read: exponentialDecay },
  piecewiseconstantdecay: { className: 'PiecewiseConstantDecay', read: piecewiseConstantDecay },
  cosinedecay: { className: 'CosineDecay', read: cosineDecay },
  inversetimedecay: { className: 'InverseTimeDecay', read: inverseTimeDecay },
  polynomialdecay: { className: 'PolynomialDecay', read: polynomialDecay },
  cosinedecayrestarts: { className: 'CosineDecayRestarts', read: cosineDecayRestarts },
};

/** The schedule a Keras name or call denotes; throws SpecError for unknown names or bad args. */
export function resolveSchedule(named: Named): ScheduleSpec {
  const { name, args } = splitNamed(named);
  const entry = resolvers[foldName(name)];
  if (!entry) {
    const known = Object.values(resolvers)
      .map((f) => f.className)
      .join(', ');
    throw new SpecError(`Unknown learning-rate schedule '${name}'. Known schedules: ${known}.`);
  }
  const reader = new ArgReader(entry.className, args);
  const spec = entry.read(reader);
  reader.ignore('name');
  reader.done();
  return spec;
}

/** True when `name` names one of the schedules (so a learning_rate call can be told apart). */
export function isScheduleName(name: string): boolean {
  return foldName(name) in resolvers;
}

/** Keras's check on decay_steps and first_decay_steps. */
function positiveSteps(a: ArgReader, key: string): number {
  const steps = a.requiredNumber(key);
  if (!(steps > 0)) throw a.invalid(key, `must be > 0, found ${steps}.`);
  return steps;
}

function exponentialDecay(a: ArgReader): ExponentialDecaySpec {
  return {
    className: 'ExponentialDecay',
    initialLearningRate: a.requiredNumber('initial_learning_rate'),
    decaySteps: positiveSteps(a, 'decay_steps'),
    decayRate: a.requiredNumber('decay_rate'),
    staircase: a.boolean('staircase', false),
  };
}

function piecewiseConstantDecay(a: ArgReader): PiecewiseConstantDecaySpec {
  const boundaries = a.numberList('boundaries');
  const values = a.numberList('values');
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
  return { className: 'PiecewiseConstantDecay', boundaries: [...boundaries], values: [...values] };
}

function cosineDecay(a: ArgReader): CosineDecaySpec {
  return {
    className: 'CosineDecay',
    initialLearningRate: a.requiredNumber('initial_learning_rate'),
    decaySteps: positiveSteps(a, 'decay_steps'),
    alpha: a.number('alpha', 0),
    warmupTarget: a.optionalNumber('warmup_target'),
    warmupSteps: a.number('warmup_steps', 0),
  };
}

function inverseTimeDecay(a: ArgReader): InverseTimeDecaySpec {
  return {
    className: 'InverseTimeDecay',
    initialLearningRate: a.requiredNumber('initial_learning_rate'),
    decaySteps: positiveSteps(a, 'decay_steps'),
    decayRate: a.requiredNumber('decay_rate'),
    staircase: a.boolean('staircase', false),
  };
}

function polynomialDecay(a: ArgReader): PolynomialDecaySpec {
  return {
    className: 'PolynomialDecay',
    initialLearningRate: a.requiredNumber('initial_learning_rate'),
    decaySteps: positiveSteps(a, 'decay_steps'),
    endLearningRate: a.number('end_learning_rate', 0.0001),
    power: a.number('power', 1),
    cycle: a.boolean('cycle', false),
  };
}

function cosineDecayRestarts(a: ArgReader): CosineDecayRestartsSpec {
  return {
    className: 'CosineDecayRestarts',
    initialLearningRate: a.requiredNumber('initial_learning_rate'),
    firstDecaySteps: positiveSteps(a, 'first_decay_steps'),
    tMul: a.number('t_mul', 2),
    mMul: a.number('m_mul', 1),
    alpha: a.number('alpha', 0),
  };
}
