/**
 * createOptimizer: a Keras optimizer spec ('adam', or a call value with its arguments) → an
 * Optimizer. Missing arguments take Keras 3's defaults; arguments are validated as Keras's
 * constructors do, and anything the engine does not implement is refused with a clear message.
 */
import { ArgReader, foldName, splitNamed, type Named } from './named.js';
import type { BaseOptions, Optimizer } from './optimizer.js';
import { createSchedule, type Schedule } from './schedules.js';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, SGD } from './update-rules.js';

interface OptimizerClass {
  className: string;
  defaultLearningRate: number;
  defaultWeightDecay: number | null;
  create(base: BaseOptions, a: ArgReader): Optimizer;
}

const classes: OptimizerClass[] = [
  {
    className: 'SGD',
    defaultLearningRate: 0.01,
    defaultWeightDecay: null,
    create: (base, a) => {
      const momentum = a.number('momentum', 0);
      if (momentum < 0 || momentum > 1) {
        throw a.invalid('momentum', `must be a float between [0, 1], found ${momentum}.`);
      }
      return new SGD(base, momentum, a.boolean('nesterov', false));
    },
  },
  {
    className: 'RMSprop',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    create: (base, a) =>
      new RMSprop(
        base,
        a.number('rho', 0.9),
        a.number('momentum', 0),
        a.number('epsilon', 1e-7),
        a.boolean('centered', false),
      ),
  },
  {
    className: 'Adagrad',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    create: (base, a) =>
      new Adagrad(base, a.number('initial_accumulator_value', 0.1), a.number('epsilon', 1e-7)),
  },
  {
    className: 'Adadelta',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    create: (base, a) => new Adadelta(base, a.number('rho', 0.95), a.number('epsilon', 1e-7)),
  },
  {
    className: 'Adam',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    create: (base, a) => new Adam(base, ...adamArgs(a), a.boolean('amsgrad', false)),
  },
  {
    className: 'Adamax',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    create: (base, a) => new Adamax(base, ...adamArgs(a)),
  },
  {
    className: 'Nadam',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    create: (base, a) => new Nadam(base, ...adamArgs(a)),
  },
  {
    className: 'AdamW',
    defaultLearningRate: 0.001,
    defaultWeightDecay: 0.004,
    create: (base, a) => {
      if (base.weightDecay === null) {
        throw a.invalid('weight_decay', 'must be a float, found None.');
      }
      return new AdamW(base, ...adamArgs(a), a.boolean('amsgrad', false));
    },
  },
];

/** Keras 3 optimizers the engine does not implement (named so the error says so). */
const unsupported = [
  'Ftrl',
  'Lion',
  'Lamb',
  'Adafactor',
  'Muon',
  'LossScaleOptimizer',
  'ScheduleFreeAdamW',
];

const byName = new Map(classes.map((c) => [foldName(c.className), c]));

/** The optimizer a spec names, with Keras 3's defaults; throws for unknown names or invalid args. */
export function createOptimizer(spec: Named): Optimizer {
  const { name, args } = splitNamed(spec);
  const cls = byName.get(foldName(name));
  if (!cls) {
    const missing = unsupported.find((u) => foldName(u) === foldName(name));
    if (missing) {
      throw new Error(
        `The optimizer '${missing}' is not supported by the training engine yet; use one of ${classes.map((c) => c.className).join(', ')}.`,
      );
    }
    throw new Error(
      `Unknown optimizer '${name}'. Known optimizers: ${classes.map((c) => c.className).join(', ')}.`,
    );
  }
  const reader = new ArgReader(cls.className, args);
  const base = baseOptions(reader, cls);
  const optimizer = cls.create(base, reader);
  reader.done();
  return optimizer;
}

/** The names createOptimizer accepts (canonical class names; lookup is case-insensitive). */
export function optimizerNames(): string[] {
  return classes.map((c) => c.className);
}

function adamArgs(a: ArgReader): [number, number, number] {
  return [a.number('beta_1', 0.9), a.number('beta_2', 0.999), a.number('epsilon', 1e-7)];
}

/** The base optimizer's keyword arguments, checked as BaseOptimizer.__init__ checks them. */
function baseOptions(a: ArgReader, cls: OptimizerClass): BaseOptions {
  const clipnorm = a.optionalNumber('clipnorm');
  const clipvalue = a.optionalNumber('clipvalue');
  const globalClipnorm = a.optionalNumber('global_clipnorm');
  if ([clipnorm, clipvalue, globalClipnorm].filter((v) => v !== null).length > 1) {
    throw new Error(
      `${cls.className}: only one of 'clipnorm', 'clipvalue' and 'global_clipnorm' can be set. ` +
        `Received: clipnorm=${show(clipnorm)}, clipvalue=${show(clipvalue)}, global_clipnorm=${show(globalClipnorm)}.`,
    );
  }
  const useEma = a.boolean('use_ema', false);
  const emaMomentum = a.number('ema_momentum', 0.99);
  const emaOverwriteFrequency = a.optionalNumber('ema_overwrite_frequency');
  if (useEma && (emaMomentum < 0 || emaMomentum > 1)) {
    throw a.invalid('ema_momentum', `must be in the range [0, 1], found ${emaMomentum}.`);
  }
  if (
    useEma &&
    emaOverwriteFrequency !== null &&
    !(Number.isInteger(emaOverwriteFrequency) && emaOverwriteFrequency >= 1)
  ) {
    throw a.invalid(
      'ema_overwrite_frequency',
      `must be an integer >= 1 or None, found ${emaOverwriteFrequency}.`,
    );
  }
  const steps = a.optionalNumber('gradient_accumulation_steps');
  if (steps !== null && !(Number.isInteger(steps) && steps >= 2)) {
    throw a.invalid('gradient_accumulation_steps', `must be an integer >= 2, found ${steps}.`);
  }
  // Scaling the loss by loss_scale_factor and dividing the gradients by it cancels: the engine
  // trains in float32 without loss scaling, which is the same update.
  a.optionalNumber('loss_scale_factor');
  // Keras 3 ignores the legacy `decay` (with a warning) and the optimizer's `name` has no effect.
  a.ignore('decay', 'name');
  return {
    learningRate: learningRate(a, cls.defaultLearningRate),
    weightDecay: a.nullableNumber('weight_decay', cls.defaultWeightDecay),
    clipnorm,
    clipvalue,
    globalClipnorm,
    useEma,
    emaMomentum,
    emaOverwriteFrequency: useEma ? emaOverwriteFrequency : null,
    gradientAccumulationSteps: steps,
  };
}

function learningRate(a: ArgReader, fallback: number): number | Schedule {
  const v = a.raw('learning_rate');
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw a.invalid('learning_rate', `must be a finite number, found ${v}.`);
    }
    return v;
  }
  if (typeof v === 'string' || (typeof v === 'object' && !Array.isArray(v))) {
    return createSchedule(v as Named);
  }
  throw a.invalid(
    'learning_rate',
    'must be a number or a learning-rate schedule such as ExponentialDecay(...).',
  );
}

/** A nullable argument as Python prints it. */
function show(v: number | null): string {
  return v === null ? 'None' : String(v);
}
