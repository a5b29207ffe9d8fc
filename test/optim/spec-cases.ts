/**
 * Keras call values covered by the optimizer, schedule, regularizer, constraint and initializer
 * tests, and runners that reduce what each creates to one bit-exact fingerprint — so the
 * resolve → create path can be compared with the values the pre-spec factories produced.
 */
import { Rng } from '../../src/kernels/random.js';
import type { Named } from '../../src/optim/named.js';

const call = (name: string, args: Record<string, unknown> = {}): Named => ({ call: name, args });

/** FNV-1a over the float64 bits of every value, as 8 hex digits. */
export function fingerprint(values: ArrayLike<number>[]): string {
  let h = 0x811c9dc5;
  for (const list of values) {
    const bytes = new Uint8Array(Float64Array.from(list).buffer);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const W0 = [
  [0.5, -0.3, 0.8],
  [0.1, -0.7],
].map((w) => w.map(Math.fround));
const GRADS = Array.from({ length: 6 }, (_, k) =>
  W0.map((w, i) =>
    w.map((_, j) => Math.fround(Math.sin(1.3 * (k + 1) + 0.7 * j + 2.1 * i) * (1 + 0.5 * k))),
  ),
);

/** The structural part of an Optimizer these runs use (old and new APIs both have it). */
export interface Steppable {
  apply(
    params: {
      name: string;
      value: Float32Array;
      grad: Float32Array;
      shape: readonly number[];
      constraint: null;
    }[],
  ): void;
  variables(): Float32Array[];
}

/** Six steps on two small weights; the weights and every optimizer variable after each step. */
export function runOptimizer(opt: Steppable): string {
  const params = W0.map((w, i) => ({
    name: `w${i}`,
    value: Float32Array.from(w),
    grad: new Float32Array(w.length),
    shape: [w.length],
    constraint: null,
  }));
  const seen: ArrayLike<number>[] = [];
  for (const step of GRADS) {
    params.forEach((p, i) => p.grad.set(step[i] as number[]));
    opt.apply(params);
    seen.push(...params.map((p) => p.value), ...opt.variables());
  }
  return fingerprint(seen);
}

const decay = call('ExponentialDecay', {
  initial_learning_rate: 0.01,
  decay_steps: 2,
  decay_rate: 0.5,
});

/** Optimizer call values (every case of optimizers.test.ts plus the base-step options). */
export const optimizerCases: [string, Named][] = [
  ['SGD', call('SGD', { learning_rate: 0.1 })],
  ['sgd', 'sgd'],
  ['SGD momentum', call('SGD', { learning_rate: 0.05, momentum: 0.9 })],
  ['SGD nesterov', call('SGD', { learning_rate: 0.05, momentum: 0.9, nesterov: true })],
  ['SGD weight_decay', call('SGD', { learning_rate: 0.1, weight_decay: 0.2 })],
  [
    'SGD global_clipnorm',
    call('SGD', { learning_rate: 0.05, momentum: 0.5, global_clipnorm: 1.5 }),
  ],
  [
    'SGD piecewise',
    call('SGD', {
      learning_rate: call('PiecewiseConstantDecay', {
        boundaries: [1, 3],
        values: [0.1, 0.05, 0.01],
      }),
    }),
  ],
  ['RMSprop', call('RMSprop', { learning_rate: 0.01 })],
  ['rmsprop', 'rmsprop'],
  ['RMSprop centered', call('RMSprop', { learning_rate: 0.01, centered: true })],
  ['RMSprop momentum', call('RMSprop', { learning_rate: 0.01, momentum: 0.5 })],
  [
    'RMSprop centered momentum',
    call('RMSprop', { learning_rate: 0.01, rho: 0.8, momentum: 0.5, centered: true }),
  ],
  ['RMSprop clipvalue', call('RMSprop', { learning_rate: 0.01, clipvalue: 0.5 })],
  ['Adagrad', call('Adagrad', { learning_rate: 0.1 })],
  [
    'Adagrad init eps',
    call('Adagrad', { learning_rate: 0.1, initial_accumulator_value: 0.5, epsilon: 1e-3 }),
  ],
  ['Adadelta', call('Adadelta', { learning_rate: 1.0 })],
  ['Adadelta rho eps', call('Adadelta', { learning_rate: 1.0, rho: 0.9, epsilon: 1e-3 })],
  ['Adam', call('Adam', { learning_rate: 0.01 })],
  ['adam', 'adam'],
  ['Adam amsgrad', call('Adam', { learning_rate: 0.01, beta_2: 0.5, amsgrad: true })],
  ['Adam epsilon', call('Adam', { learning_rate: 0.01, beta_1: 0.8, epsilon: 0.1 })],
  ['Adam clipnorm', call('Adam', { learning_rate: 0.01, clipnorm: 1.0 })],
  ['Adam schedule', call('Adam', { learning_rate: decay })],
  ['Adamax', call('Adamax', { learning_rate: 0.01 })],
  ['Adamax betas', call('Adamax', { learning_rate: 0.01, beta_1: 0.7, beta_2: 0.5 })],
  ['Nadam', call('Nadam', { learning_rate: 0.01 })],
  ['Nadam clip', call('Nadam', { learning_rate: 0.01, beta_1: 0.8, global_clipnorm: 2 })],
  ['AdamW', call('AdamW', { learning_rate: 0.01 })],
  [
    'AdamW amsgrad',
    call('AdamW', { learning_rate: 0.01, weight_decay: 0.5, beta_2: 0.5, amsgrad: true }),
  ],
  [
    'AdamW cosine',
    call('AdamW', {
      learning_rate: call('CosineDecay', { initial_learning_rate: 0.01, decay_steps: 4 }),
      weight_decay: 0.5,
    }),
  ],
  ['Adam accumulation', call('Adam', { learning_rate: 0.01, gradient_accumulation_steps: 2 })],
  [
    'SGD ema',
    call('SGD', {
      learning_rate: 0.1,
      use_ema: true,
      ema_momentum: 0.5,
      ema_overwrite_frequency: 3,
    }),
  ],
  [
    'Nadam ema accumulation',
    call('Nadam', { learning_rate: 0.01, use_ema: true, gradient_accumulation_steps: 3 }),
  ],
];

const STEPS = [
  0, 1, 2, 5, 7, 9, 10, 11, 19, 20, 21, 25, 28, 30, 50, 69, 70, 91, 99, 100, 101, 1000,
];

/** The schedule at steps before, on and after its boundaries. */
export function runSchedule(schedule: (step: number) => number): string {
  return fingerprint([STEPS.map(schedule)]);
}

/** Schedule call values (every case of schedules.test.ts). */
export const scheduleCases: [string, Named][] = [
  [
    'Exponential',
    call('ExponentialDecay', { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5 }),
  ],
  [
    'Exponential staircase',
    call('ExponentialDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 10,
      decay_rate: 0.5,
      staircase: true,
    }),
  ],
  ['Piecewise', call('PiecewiseConstantDecay', { boundaries: [10, 20], values: [1, 0.5, 0.1] })],
  ['Cosine', call('CosineDecay', { initial_learning_rate: 0.1, decay_steps: 100 })],
  [
    'Cosine alpha',
    call('CosineDecay', { initial_learning_rate: 0.1, decay_steps: 100, alpha: 0.1 }),
  ],
  [
    'Cosine warmup',
    call('CosineDecay', {
      initial_learning_rate: 0.0,
      decay_steps: 50,
      warmup_target: 0.1,
      warmup_steps: 20,
    }),
  ],
  [
    'InverseTime',
    call('InverseTimeDecay', { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5 }),
  ],
  [
    'InverseTime staircase',
    call('InverseTimeDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 10,
      decay_rate: 0.5,
      staircase: true,
    }),
  ],
  ['Polynomial', call('PolynomialDecay', { initial_learning_rate: 0.1, decay_steps: 100 })],
  [
    'Polynomial power',
    call('PolynomialDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 100,
      end_learning_rate: 0.01,
      power: 2,
    }),
  ],
  [
    'Polynomial cycle',
    call('PolynomialDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 20,
      end_learning_rate: 0.01,
      power: 0.5,
      cycle: true,
    }),
  ],
  ['Restarts', call('CosineDecayRestarts', { initial_learning_rate: 0.1, first_decay_steps: 10 })],
  [
    'Restarts t_mul 1',
    call('CosineDecayRestarts', {
      initial_learning_rate: 0.1,
      first_decay_steps: 10,
      t_mul: 1,
      m_mul: 0.5,
      alpha: 0.1,
    }),
  ],
  [
    'Restarts t_mul 3',
    call('CosineDecayRestarts', {
      initial_learning_rate: 0.05,
      first_decay_steps: 7,
      t_mul: 3,
      m_mul: 0.9,
    }),
  ],
];

/** The structural part of a Regularizer these runs use. */
export interface Penalty {
  penalty(w: Float32Array): number;
  addGradient(w: Float32Array, grad: Float32Array, length?: number, scale?: number): void;
}

const RW = [0.5, -0.25, 1.125, -2, 0.0625, 0.75, 0, -0.3];

/** Penalty and scaled gradient on fixed weights. */
export function runRegularizer(r: Penalty): string {
  const w = Float32Array.from(RW);
  const grad = Float32Array.from(RW.map(() => 1));
  r.addGradient(w, grad, w.length, 0.5);
  return fingerprint([[r.penalty(w)], grad]);
}

/** Regularizer call values (every case of regularizers.test.ts). */
export const regularizerCases: [string, Named][] = [
  ['l1', 'l1'],
  ['l2', 'l2'],
  ['L1L2', 'L1L2'],
  ['l1_l2', 'l1_l2'],
  ['L1(0.3)', call('L1', { l1: 0.3 })],
  ['L2(0.2)', call('L2', { l2: 0.2 })],
  ['L1L2(0.1, 0.05)', call('L1L2', { l1: 0.1, l2: 0.05 })],
  ['l1l2(l2=0.5)', call('l1l2', { l2: 0.5 })],
];

/** The structural part of a Constraint these runs use. */
export interface Projection {
  apply(w: Float32Array, shape: readonly number[]): void;
}

/** The constraint applied to fixed values of the given shape. */
export function runConstraint(c: Projection, shape: number[]): string {
  const size = shape.reduce((a, b) => a * b, 1);
  const w = Float32Array.from({ length: size }, (_, i) => Math.sin(0.9 * i + 0.3) * (1 + (i % 4)));
  c.apply(w, shape);
  return fingerprint([w]);
}

/** Constraint call values with the weight shape each is tried on (constraints.test.ts). */
export const constraintCases: [string, Named, number[]][] = [
  ['max_norm', 'max_norm', [4, 3]],
  ['MaxNorm axis 1', call('MaxNorm', { max_value: 1, axis: 1 }), [4, 3]],
  ['MaxNorm axis -1', call('MaxNorm', { max_value: 0.5, axis: -1 }), [2, 5]],
  ['MaxNorm conv', call('MaxNorm', { max_value: 1.5, axis: [0, 1, 2] }), [2, 2, 3, 4]],
  ['MaxNorm bias', call('MaxNorm', { max_value: 1 }), [5]],
  ['unit_norm', 'unit_norm', [4, 3]],
  ['UnitNorm axes', call('UnitNorm', { axis: [1, 2] }), [2, 3, 4]],
  ['min_max_norm', 'min_max_norm', [4, 3]],
  ['MinMaxNorm rate', call('MinMaxNorm', { min_value: 2, max_value: 3, rate: 0.5 }), [3, 4]],
  ['MinMaxNorm None', call('MinMaxNorm', { min_value: 0, max_value: 1, axis: null }), [3, 4]],
  ['non_neg', 'non_neg', [3, 4]],
];

/** The structural part of an Initializer these runs use. */
export interface Filler {
  fill(shape: readonly number[], rng: Rng, out: Float32Array): void;
}

/** Two fills from one Rng (seed 5), so both rng use and seeding show. */
export function runInitializer(init: Filler, shape: number[]): string {
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(5);
  const a = new Float32Array(size);
  const b = new Float32Array(size);
  init.fill(shape, rng, a);
  init.fill(shape, rng, b);
  return fingerprint([a, b]);
}

/** Initializer call values (initializers.test.ts) with the shape each is drawn on. */
export const initializerCases: [string, Named, number[]][] = [
  ...[
    'glorot_uniform',
    'glorot_normal',
    'he_uniform',
    'he_normal',
    'lecun_uniform',
    'lecun_normal',
    'random_normal',
    'uniform',
    'truncated_normal',
    'zeros',
    'one',
    'constant',
    'identity',
    'orthogonal',
    'OrthogonalInitializer',
  ].map((n): [string, Named, number[]] => [n, n, [6, 4]]),
  ['he_normal conv', 'he_normal', [3, 3, 4, 8]],
  [
    'VarianceScaling fan_out',
    call('VarianceScaling', { scale: 2, mode: 'fan_out', distribution: 'untruncated_normal' }),
    [20, 10],
  ],
  [
    'VarianceScaling fan_avg',
    call('VarianceScaling', { scale: 0.5, mode: 'fan_avg', distribution: 'uniform' }),
    [20, 10],
  ],
  ['variance_scaling normal', call('variance_scaling', { distribution: 'normal' }), [20, 10]],
  ['RandomNormal', call('RandomNormal', { mean: 1, stddev: 0.2 }), [20, 10]],
  ['RandomUniform', call('RandomUniform', { minval: 0, maxval: 2 }), [20, 10]],
  ['TruncatedNormal', call('TruncatedNormal', { mean: 0.5, stddev: 0.1 }), [20, 10]],
  ['GlorotUniform seed', call('GlorotUniform', { seed: 42 }), [20, 10]],
  ['RandomNormal seed', call('RandomNormal', { seed: 7 }), [20, 10]],
  ['Constant', call('Constant', { value: 0.3 }), [2, 3]],
  ['Identity gain', call('Identity', { gain: 2 }), [3, 4]],
  ['Orthogonal gain', call('Orthogonal', { gain: 0.5 }), [3, 8]],
  ['Orthogonal seed', call('Orthogonal', { gain: 2, seed: 3 }), [2, 3, 4]],
];
