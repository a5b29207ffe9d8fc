/**
 * Optimizers as plain data: resolveOptimizer turns a Keras name or call ('adam',
 * Adam(learning_rate=...)) into an OptimizerSpec with Keras 3's defaults filled in and every
 * check of the constructors (BaseOptimizer.__init__ and the subclasses) done, so
 * createOptimizer only switches on className.
 */
import { ArgReader, foldName, splitNamed, type Named } from './named.js';
import { resolveSchedule, type ScheduleSpec } from './schedule-spec.js';
import { SpecError } from './spec-error.js';

/** The keyword arguments every Keras 3 optimizer takes (base_optimizer.py), resolved. */
export interface BaseOptimizerSpec {
  /** A float32-stored constant, or a schedule of the iteration count. */
  readonly learningRate: number | ScheduleSpec;
  readonly weightDecay: number | null;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;
  readonly useEma: boolean;
  readonly emaMomentum: number;
  /** Null unless use_ema (Keras ignores it then). */
  readonly emaOverwriteFrequency: number | null;
  /** Kept for the config; the engine trains in float32 without loss scaling, the same update. */
  readonly lossScaleFactor: number | null;
  /** Null or an integer ≥ 2 (Keras treats 0 as unset). */
  readonly gradientAccumulationSteps: number | null;
}

/** keras.optimizers.SGD. */
export interface SGDSpec extends BaseOptimizerSpec {
  readonly className: 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
}

/** keras.optimizers.RMSprop. */
export interface RMSpropSpec extends BaseOptimizerSpec {
  readonly className: 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
}

/** keras.optimizers.Adagrad. */
export interface AdagradSpec extends BaseOptimizerSpec {
  readonly className: 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
}

/** keras.optimizers.Adadelta. */
export interface AdadeltaSpec extends BaseOptimizerSpec {
  readonly className: 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;
}

/** keras.optimizers.Adam and AdamW (whose weight_decay is required, default 0.004). */
export interface AdamSpec extends BaseOptimizerSpec {
  readonly className: 'Adam' | 'AdamW';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
}

/** keras.optimizers.Adamax and Nadam: β₁, β₂, ε. */
export interface AdamaxSpec extends BaseOptimizerSpec {
  readonly className: 'Adamax' | 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** A resolved Keras 3 optimizer (JSON-serializable). */
export type OptimizerSpec =
  SGDSpec | RMSpropSpec | AdagradSpec | AdadeltaSpec | AdamSpec | AdamaxSpec;

interface OptimizerClass {
  className: OptimizerSpec['className'];
  defaultLearningRate: number;
  defaultWeightDecay: number | null;
  read(base: BaseOptimizerSpec, a: ArgReader): OptimizerSpec;
}

const classes: OptimizerClass[] = [
  {
    className: 'SGD',
    defaultLearningRate: 0.01,
    defaultWeightDecay: null,
    read: (base, a) => {
      const momentum = a.number('momentum', 0);
      if (momentum < 0 || momentum > 1) {
        throw a.invalid('momentum', `must be a float between [0, 1], found ${momentum}.`);
      }
      return { className: 'SGD', ...base, momentum, nesterov: a.boolean('nesterov', false) };
    },
  },
  {
    className: 'RMSprop',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    read: (base, a) => ({
      className: 'RMSprop',
      ...base,
      rho: a.number('rho', 0.9),
      momentum: a.number('momentum', 0),
      epsilon: a.number('epsilon', 1e-7),
      centered: a.boolean('centered', false),
    }),
  },
  {
    className: 'Adagrad',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    read: (base, a) => ({
      className: 'Adagrad',
      ...base,
      initialAccumulatorValue: a.number('initial_accumulator_value', 0.1),
      epsilon: a.number('epsilon', 1e-7),
    }),
  },
  {
    className: 'Adadelta',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    read: (base, a) => ({
      className: 'Adadelta',
      ...base,
      rho: a.number('rho', 0.95),
      epsilon: a.number('epsilon', 1e-7),
    }),
  },
  {
    className: 'Adam',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    read: (base, a) => ({
      className: 'Adam',
      ...base,
      ...adamArgs(a),
      amsgrad: a.boolean('amsgrad', false),
    }),
  },
  {
    className: 'Adamax',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    read: (base, a) => ({ className: 'Adamax', ...base, ...adamArgs(a) }),
  },
  {
    className: 'Nadam',
    defaultLearningRate: 0.001,
    defaultWeightDecay: null,
    read: (base, a) => ({ className: 'Nadam', ...base, ...adamArgs(a) }),
  },
  {
    className: 'AdamW',
    defaultLearningRate: 0.001,
    defaultWeightDecay: 0.004,
    read: (base, a) => {
      if (base.weightDecay === null) {
        throw a.invalid('weight_decay', 'must be a float, found None.');
      }
      return { className: 'AdamW', ...base, ...adamArgs(a), amsgrad: a.boolean('amsgrad', false) };
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

/** The optimizer a Keras name or call denotes, with Keras 3's defaults; throws SpecError. */
export function resolveOptimizer(named: Named): OptimizerSpec {
  const { name, args } = splitNamed(named);
  const cls = byName.get(foldName(name));
  if (!cls) {
    const missing = unsupported.find((u) => foldName(u) === foldName(name));
    if (missing) {
      throw new SpecError(
        `The optimizer '${missing}' is not supported by the training engine yet; use one of ${optimizerNames().join(', ')}.`,
      );
    }
    throw new SpecError(
      `Unknown optimizer '${name}'. Known optimizers: ${optimizerNames().join(', ')}.`,
    );
  }
  const reader = new ArgReader(cls.className, args);
  const spec = cls.read(baseSpec(reader, cls), reader);
  reader.done();
  return spec;
}

/** The names resolveOptimizer accepts (canonical class names; lookup is case-insensitive). */
export function optimizerNames(): string[] {
  return classes.map((c) => c.className);
}

function adamArgs(a: ArgReader): { beta1: number; beta2: number; epsilon: number } {
  return {
    beta1: a.number('beta_1', 0.9),
    beta2: a.number('beta_2', 0.999),
    epsilon: a.number('epsilon', 1e-7),
  };
}

/** The base optimizer's keyword arguments, checked as BaseOptimizer.__init__ checks them. */
function baseSpec(a: ArgReader, cls: OptimizerClass): BaseOptimizerSpec {
  const clipnorm = a.optionalNumber('clipnorm');
  const clipvalue = a.optionalNumber('clipvalue');
  const globalClipnorm = a.optionalNumber('global_clipnorm');
  checkOneClip(cls.className, clipnorm, clipvalue, globalClipnorm);
  const useEma = a.boolean('use_ema', false);
  const emaMomentum = a.number('ema_momentum', 0.99);
  let emaOverwriteFrequency = a.optionalNumber('ema_overwrite_frequency');
  // Keras tests `if ema_overwrite_frequency and ...`: 0 means no overwrite, as None does.
  if (emaOverwriteFrequency === 0) emaOverwriteFrequency = null;
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
  let steps = a.optionalNumber('gradient_accumulation_steps');
  // Keras tests `if gradient_accumulation_steps:`: 0 means no accumulation, as None does.
  if (steps === 0) steps = null;
  if (steps !== null && !(Number.isInteger(steps) && steps >= 2)) {
    throw a.invalid('gradient_accumulation_steps', `must be an integer >= 2, found ${steps}.`);
  }
  const lossScaleFactor = a.optionalNumber('loss_scale_factor');
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
    lossScaleFactor,
    gradientAccumulationSteps: steps,
  };
}

/**
 * Keras 3: "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set" (None counts
 * as unset, 0 as set). The error blames the second one given, in Keras's argument order.
 */
function checkOneClip(
  owner: string,
  clipnorm: number | null,
  clipvalue: number | null,
  globalClipnorm: number | null,
): void {
  const set = (
    [
      ['clipnorm', clipnorm],
      ['clipvalue', clipvalue],
      ['global_clipnorm', globalClipnorm],
    ] as const
  ).filter(([, v]) => v !== null);
  if (set.length > 1) {
    throw new SpecError(
      `${owner}: only one of 'clipnorm', 'clipvalue' and 'global_clipnorm' can be set. ` +
        `Received: clipnorm=${show(clipnorm)}, clipvalue=${show(clipvalue)}, global_clipnorm=${show(globalClipnorm)}.`,
      (set[1] as (typeof set)[number])[0],
    );
  }
}

/** A finite number or a schedule call; a bad schedule is blamed on learning_rate. */
function learningRate(a: ArgReader, fallback: number): number | ScheduleSpec {
  const v = a.raw('learning_rate');
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw a.invalid('learning_rate', `must be a finite number, found ${v}.`);
    }
    return v;
  }
  if (typeof v === 'string' || (typeof v === 'object' && !Array.isArray(v))) {
    try {
      return resolveSchedule(v as Named);
    } catch (e) {
      // The checker can only point at the optimizer's own argument; the message names the inner one.
      if (e instanceof SpecError) throw new SpecError(e.message, 'learning_rate');
      throw e;
    }
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
