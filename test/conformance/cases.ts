/**
 * The conformance table: small random models (2–3 Dense layers of 3–8 units, sometimes with
 * normalization, dropout and activation layers) over every activation, loss and optimizer our
 * engine runs, each trained for a few steps on seeded batches. Each case's sizes and data come
 * from its own seeded generator (case-builder.ts): the same table on every run.
 */
import { adam, dense, make, sgd } from './case-builder.js';
import { layerCases, regularizerCases, sequenceCases } from './cases-layers.js';
import { isTuple, k, renderCall, type Arg, type ConformanceCase, type KerasCall } from './spec.js';
import { LOSSES } from './tfjs-losses.js';

/** Every activation, in a hidden Dense layer and (for a few) as an Activation layer. */
const ACTIVATIONS: Arg[] = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hard_sigmoid',
  'hard_silu',
  'hard_swish',
  'tanh',
  'softmax',
  'log_softmax',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'silu',
  'swish',
  'gelu',
  k('gelu', [], { approximate: true }),
  'exponential',
  'mish',
  'leaky_relu',
  k('leaky_relu', [], { negative_slope: 0.05 }),
  k('relu', [], { negative_slope: 0.1 }),
  k('relu', [], { max_value: 1.2 }),
  k('relu', [], { negative_slope: 0.1, max_value: 1.5, threshold: 0.2 }),
  k('elu', [], { alpha: 0.5 }),
  'celu',
  k('celu', [], { alpha: 0.7 }),
  'hard_shrink',
  k('hard_shrink', [], { threshold: 0.3 }),
  'hard_tanh',
  'log_sigmoid',
  'soft_shrink',
  k('soft_shrink', [], { threshold: 0.2 }),
  'sparse_plus',
  'sparse_sigmoid',
  'squareplus',
  k('squareplus', [], { b: 1.5 }),
  'tanh_shrink',
  k('threshold', [], { threshold: 0.1, default_value: -0.3 }),
  'sparsemax',
];

const activationCases = ACTIVATIONS.map((act, i) =>
  make(
    'activations',
    typeof act === 'object' && !isTuple(act) ? renderCall(act) : String(act),
    (d) => ({
      hidden: i % 3 === 2 ? [dense(d.size(), act), dense(d.size(), act)] : [dense(d.size(), act)],
      loss: 'mse',
      // exponential overflows float32 within a few SGD(0.1) steps; Adam's steps are bounded.
      optimizer: i % 2 === 0 && act !== 'exponential' ? sgd(0.1) : adam(0.01),
    }),
  ),
);

const activationLayerCases = ['relu', 'hard_sigmoid', 'gelu', 'sparsemax', 'softmax'].map((act) =>
  make('activations', `Activation('${act}') layer`, (d) => ({
    hidden: [dense(d.size()), k('Activation', [act])],
    loss: 'mse',
    optimizer: sgd(0.1),
  })),
);

const lossCases = Object.keys(LOSSES).map((loss, i) =>
  make('losses', loss, (d) => ({
    hidden: [dense(d.size(), i % 2 === 0 ? 'tanh' : 'relu')],
    loss,
    optimizer: i % 3 === 0 || LOSSES[loss]!.steep ? adam(0.01) : sgd(0.1),
  })),
);

const OPTIMIZERS: KerasCall[] = [
  sgd(0.1),
  sgd(0.05, { momentum: 0.9 }),
  sgd(0.05, { momentum: 0.8, nesterov: true }),
  k('sgd'),
  k('RMSprop', [], { learning_rate: 0.01 }),
  k('RMSprop', [], { learning_rate: 0.01, rho: 0.8, momentum: 0.5 }),
  k('RMSprop', [], { learning_rate: 0.01, centered: true }),
  k('RMSprop', [], {
    learning_rate: 0.005,
    rho: 0.85,
    momentum: 0.3,
    centered: true,
    epsilon: 1e-6,
  }),
  k('rmsprop'),
  k('Adagrad', [], { learning_rate: 0.05 }),
  k('Adagrad', [], { learning_rate: 0.05, initial_accumulator_value: 0.5 }),
  k('Adagrad', [], { learning_rate: 0.05, epsilon: 1e-4 }),
  k('adagrad'),
  k('Adadelta', [], { learning_rate: 1.0 }),
  k('Adadelta', [], { learning_rate: 0.5, rho: 0.9, epsilon: 1e-6 }),
  k('adadelta'),
  adam(0.01),
  adam(0.01, { beta_1: 0.8, beta_2: 0.99, epsilon: 1e-6, amsgrad: true }),
  k('adam'),
  k('AdamW', [], { learning_rate: 0.01 }),
  k('AdamW', [], { learning_rate: 0.01, weight_decay: 0.05, beta_1: 0.85 }),
  k('Adamax', [], { learning_rate: 0.01 }),
  k('Adamax', [], { learning_rate: 0.02, beta_1: 0.8, beta_2: 0.95, epsilon: 1e-6 }),
  k('adamax'),
  k('Nadam', [], { learning_rate: 0.01 }),
  k('Nadam', [], { learning_rate: 0.01, beta_1: 0.85, beta_2: 0.99 }),
  sgd(0.1, { clipnorm: 0.5 }),
  sgd(0.1, { momentum: 0.5, global_clipnorm: 0.7 }),
  adam(0.02, { clipvalue: 0.01 }),
  k('RMSprop', [], { learning_rate: 0.01, clipnorm: 0.1 }),
  sgd(0.1, { weight_decay: 0.1 }),
  adam(0.01, { weight_decay: 0.02 }),
  sgd(k('ExponentialDecay', [], { initial_learning_rate: 0.2, decay_steps: 2, decay_rate: 0.5 }), {
    momentum: 0.5,
  }),
  adam(k('CosineDecay', [], { initial_learning_rate: 0.02, decay_steps: 3, alpha: 0.1 })),
  sgd(
    k('InverseTimeDecay', [], {
      initial_learning_rate: 0.2,
      decay_steps: 2,
      decay_rate: 1,
      staircase: true,
    }),
  ),
  k('RMSprop', [], {
    learning_rate: k('PolynomialDecay', [], {
      initial_learning_rate: 0.02,
      decay_steps: 3,
      end_learning_rate: 0.001,
      power: 2,
    }),
  }),
  sgd(k('PolynomialDecay', [], { initial_learning_rate: 0.2, decay_steps: 2, cycle: true })),
];

const optimizerCases = OPTIMIZERS.map((optimizer, i) =>
  make('optimizers', renderCall(optimizer), (d) => ({
    hidden:
      i % 2 === 0 ? [dense(d.size(), 'tanh')] : [dense(d.size(), 'tanh'), dense(d.size(), 'relu')],
    loss: i % 3 === 0 ? 'categorical_crossentropy' : 'mse',
    optimizer,
    steps: 5,
  })),
);

/** Random combinations over the pools above, for breadth. */
const randomCases = Array.from({ length: 24 }, (_, i) =>
  make('random', `combination ${i + 1}`, (d) => {
    // exponential and steep losses are left to their own cases: with a large SGD step they
    // diverge, and a divergent run amplifies float32 rounding beyond any fixed tolerance.
    const act = d.pick(ACTIVATIONS.filter((a) => a !== 'exponential'));
    const extra = d.pick<KerasCall[]>([
      [],
      [k('BatchNormalization')],
      [k('LayerNormalization')],
      [k('PReLU')],
      [k('LeakyReLU')],
      [k('Dropout', [0])],
    ]);
    // Before BatchNormalization a bias has a zero gradient (up to rounding), which Adam-like
    // optimizers would blow up into steps of noise; Keras models drop that bias too.
    const normalized = extra[0]?.call === 'BatchNormalization';
    return {
      hidden: [
        dense(d.size(), act, normalized ? { use_bias: false } : {}),
        ...extra,
        ...(d.below(2) === 0 ? [dense(d.size(), d.pick(['tanh', 'relu', 'sigmoid', 'elu']))] : []),
      ],
      loss: d.pick(Object.keys(LOSSES).filter((l) => !LOSSES[l]!.steep)),
      optimizer: d.pick(OPTIMIZERS),
      steps: 3 + d.below(3),
    };
  }),
);

const fitCases = [
  make('fit', 'fit(epochs=1, shuffle=False) = trainOnBatch steps', (d) => ({
    hidden: [dense(d.size(), 'tanh'), k('BatchNormalization')],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.01),
    steps: 3,
    viaFit: true,
  })),
  make('fit', 'fit with a regularizer', (d) => ({
    hidden: [dense(d.size(), 'tanh', { kernel_regularizer: k('L2', [], { l2: 0.01 }) })],
    loss: 'mse',
    optimizer: sgd(0.05, { momentum: 0.9 }),
    steps: 4,
    viaFit: true,
  })),
];

/** The whole table. */
export const CASES: readonly ConformanceCase[] = [
  ...activationCases,
  ...activationLayerCases,
  ...lossCases,
  ...optimizerCases,
  ...layerCases,
  ...regularizerCases,
  ...sequenceCases,
  ...randomCases,
  ...fitCases,
];
