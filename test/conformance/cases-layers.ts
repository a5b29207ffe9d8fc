/**
 * The table's layer and regularization cases: normalization, dropout and activation layers
 * around the Dense ones, and weight/activity regularizers and weight constraints.
 */
import { adam, dense, make, sgd } from './case-builder.js';
import { k, tuple, type Arg, type KerasCall } from './spec.js';

/** A case of hidden layers around the output Dense, sized by the case's draws. */
interface LayerCase {
  label: string;
  hidden: (size: () => number) => KerasCall[];
  loss: string;
  optimizer: KerasCall;
  steps?: number;
  /** The inputs are token ids below this (an Embedding reads them). */
  tokens?: number;
  /** A fixed number of inputs (time steps of token ids). */
  inputs?: number;
}

/** Layers around the Dense ones: normalization, dropout (rate 0 trains identically), activations. */
const LAYERS: LayerCase[] = [
  {
    label: 'BatchNormalization',
    // Not relu: a unit active on the whole batch passes its bias straight to BatchNormalization,
    // which cancels it; a zero gradient up to rounding is noise that no two engines share.
    hidden: (size) => [dense(size(), 'tanh'), k('BatchNormalization')],
    loss: 'categorical_crossentropy',
    optimizer: sgd(0.1),
  },
  {
    label: 'BatchNormalization momentum/epsilon',
    hidden: (size) => [
      dense(size(), undefined, { use_bias: false }),
      k('BatchNormalization', [], { momentum: 0.8, epsilon: 0.01 }),
      k('Activation', ['tanh']),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'BatchNormalization between hidden layers',
    hidden: (size) => [dense(size(), 'tanh'), k('BatchNormalization'), dense(size(), 'relu')],
    loss: 'bce_logits',
    optimizer: k('RMSprop', [], { learning_rate: 0.01 }),
  },
  {
    label: 'LayerNormalization',
    hidden: (size) => [dense(size(), 'tanh'), k('LayerNormalization')],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'LayerNormalization epsilon',
    hidden: (size) => [
      dense(size()),
      k('LayerNormalization', [], { epsilon: 1e-5 }),
      dense(size(), 'elu'),
    ],
    loss: 'sparse_categorical_crossentropy',
    optimizer: adam(0.01),
  },
  {
    label: 'PReLU',
    hidden: (size) => [dense(size()), k('PReLU')],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'PReLU twice',
    hidden: (size) => [dense(size()), k('PReLU'), dense(size()), k('PReLU')],
    loss: 'cce_logits',
    optimizer: adam(0.01),
  },
  {
    label: 'LeakyReLU default',
    hidden: (size) => [dense(size()), k('LeakyReLU')],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'LeakyReLU negative_slope',
    hidden: (size) => [dense(size()), k('LeakyReLU', [], { negative_slope: 0.1 })],
    loss: 'mae',
    optimizer: sgd(0.1),
  },
  { label: 'ELU', hidden: (size) => [dense(size()), k('ELU')], loss: 'mse', optimizer: sgd(0.1) },
  {
    label: 'ELU alpha',
    hidden: (size) => [dense(size()), k('ELU', [], { alpha: 0.5 })],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  { label: 'ReLU', hidden: (size) => [dense(size()), k('ReLU')], loss: 'mse', optimizer: sgd(0.1) },
  {
    label: 'ReLU max_value',
    hidden: (size) => [dense(size()), k('ReLU', [], { max_value: 0.8 })],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'ReLU negative_slope threshold',
    hidden: (size) => [dense(size()), k('ReLU', [], { negative_slope: 0.1, threshold: 0.3 })],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'Softmax layer (TF.js is given Keras 3’s axis −1; its default is 1)',
    hidden: (size) => [dense(size(), 'tanh'), dense(4), k('Softmax')],
    loss: 'kl_divergence',
    optimizer: sgd(0.2),
  },
  {
    label: 'Dropout(0) trains as identity',
    hidden: (size) => [dense(size(), 'relu'), k('Dropout', [0]), dense(size(), 'tanh')],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'Dense use_bias=False',
    hidden: (size) => [
      dense(size(), 'tanh', { use_bias: false }),
      dense(size(), 'relu', { use_bias: false }),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'UnitNormalization',
    hidden: (size) => [dense(size()), k('UnitNormalization')],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  // Global pooling, padding, cropping and upsampling over a Dense output seen as steps or an
  // image. Max pooling follows tanh: TF.js gives a tied max all the gradient where Keras 3 splits
  // it, so ties (a ReLU's zeros) would test TF.js's departure, not ours.
  {
    label: 'GlobalMaxPooling1D',
    hidden: () => [dense(6, 'tanh'), k('Reshape', [[3, 2]]), k('GlobalMaxPooling1D')],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'GlobalAveragePooling1D',
    hidden: () => [dense(8, 'relu'), k('Reshape', [[4, 2]]), k('GlobalAveragePooling1D')],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.01),
  },
  {
    label: 'GlobalMaxPooling2D',
    hidden: (size) => [
      dense(12, 'tanh'),
      k('Reshape', [[2, 3, 2]]),
      k('GlobalMaxPooling2D'),
      dense(size(), 'relu'),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'GlobalAveragePooling2D',
    hidden: () => [dense(8, 'elu'), k('Reshape', [[2, 2, 2]]), k('GlobalAveragePooling2D')],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'ZeroPadding1D and Cropping1D',
    hidden: () => [
      dense(8, 'tanh'),
      k('Reshape', [[4, 2]]),
      k('ZeroPadding1D', [[1, 2]]),
      k('Cropping1D', [[2, 1]]),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'UpSampling1D and RepeatVector',
    hidden: () => [
      dense(6, 'tanh'),
      k('Reshape', [[3, 2]]),
      k('UpSampling1D', [], { size: 3 }),
      k('GlobalAveragePooling1D'),
      k('RepeatVector', [2]),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'ZeroPadding2D, Cropping2D and UpSampling2D',
    hidden: (size) => [
      dense(12, 'tanh'),
      k('Reshape', [[2, 3, 2]]),
      k('ZeroPadding2D', [
        [
          [1, 0],
          [2, 1],
        ],
      ]),
      k('Cropping2D', [[1, 2]]),
      k('UpSampling2D', [[2, 1]]),
      k('Flatten'),
      dense(size(), 'relu'),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'TimeDistributed(Dense)',
    hidden: () => [
      dense(6, 'tanh'),
      k('Reshape', [[3, 2]]),
      k('TimeDistributed', [dense(4, 'relu')]),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'Permute',
    hidden: () => [
      dense(6, 'tanh'),
      k('Reshape', [[3, 2]]),
      k('Permute', [[2, 1]]),
      dense(4, 'relu'),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'SpatialDropout1D(0) trains as identity',
    hidden: () => [
      dense(6, 'relu'),
      k('Reshape', [[3, 2]]),
      k('SpatialDropout1D', [0]),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'inference only: SpatialDropout2D(0.5)',
    hidden: () => [
      dense(8, 'relu'),
      k('Reshape', [[2, 2, 2]]),
      k('SpatialDropout2D', [0.5]),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
    steps: 0,
  },
  {
    label: 'inference only: Dropout(0.5), GaussianNoise, BatchNormalization',
    hidden: (size) => [
      dense(size(), 'relu'),
      k('Dropout', [0.5]),
      k('GaussianNoise', [0.3]),
      k('BatchNormalization'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
    steps: 0,
  },
];

/**
 * Convolution and pooling: the flat input is reshaped into a small image or sequence (a Dense
 * before the Reshape makes the convolution's input gradient count too), and the feature map is
 * flattened into the output Dense. TF.js's 'same' padding is TensorFlow's (the extra cell after),
 * and its 'same' average pooling divides by the cells inside the input, as Keras 3's does.
 */
const WINDOWS: {
  label: string;
  hidden: KerasCall[];
  loss: string;
  optimizer: KerasCall;
  steps?: number;
}[] = [
  {
    label: 'Conv2D same relu, MaxPooling2D',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[2, 4, 1]]),
      k('Conv2D', [3, 2], { padding: 'same', activation: 'relu' }),
      k('MaxPooling2D', [2]),
      k('Flatten'),
    ],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.01),
  },
  {
    label: 'Conv2D (2, 3) kernel, strides (2, 1), no bias; AveragePooling2D stride 1',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[4, 2, 1]]),
      k('Conv2D', [3, [2, 3]], { strides: [2, 1], padding: 'same', use_bias: false }),
      k('AveragePooling2D', [2], { strides: 1 }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'Conv2D valid, elu; MaxPooling2D (1, 2) same, stride 1',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[2, 4, 1]]),
      k('Conv2D', [2, 2], { activation: 'elu' }),
      k('MaxPooling2D', [[1, 2]], { strides: 1, padding: 'same' }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    label: 'Conv2D same, strides 2; AveragePooling2D same, stride 1',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[4, 2, 1]]),
      k('Conv2D', [2, 3], { strides: 2, padding: 'same', activation: 'tanh' }),
      k('AveragePooling2D', [2], { strides: 1, padding: 'same' }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    // TF.js has no gradient for dilated convolutions (the kernel tests check ours against finite
    // differences): the forward pass and evaluate only.
    label: 'Conv2D and Conv1D dilated, inference only',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[2, 4, 1]]),
      k('Conv2D', [3, 2], { dilation_rate: [1, 2], padding: 'same', activation: 'relu' }),
      k('Reshape', [[8, 3]]),
      k('Conv1D', [2, 3], { dilation_rate: 2 }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
    steps: 0,
  },
  {
    label: 'Conv1D causal; MaxPooling1D same; AveragePooling1D',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[4, 2]]),
      k('Conv1D', [3, 2], { padding: 'causal', activation: 'tanh' }),
      k('MaxPooling1D', [2], { padding: 'same' }),
      k('AveragePooling1D', [2]),
      k('Flatten'),
    ],
    loss: 'sparse_categorical_crossentropy',
    optimizer: adam(0.01),
  },
  {
    label: 'Conv1D same with stride 2, sigmoid; AveragePooling1D same',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[8, 1]]),
      k('Conv1D', [2, 3], { strides: 2, padding: 'same', activation: 'sigmoid' }),
      k('AveragePooling1D', [3], { strides: 2, padding: 'same' }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'DepthwiseConv2D multiplier 2 same relu; SeparableConv2D same tanh',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[2, 2, 2]]),
      k('DepthwiseConv2D', [2], { depth_multiplier: 2, padding: 'same', activation: 'relu' }),
      k('SeparableConv2D', [3, 2], { padding: 'same', activation: 'tanh' }),
      k('Flatten'),
    ],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.01),
  },
  {
    label: 'DepthwiseConv2D strides 2 no bias; SeparableConv2D (2, 1) multiplier 2 valid',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[4, 2, 1]]),
      k('DepthwiseConv2D', [2], {
        strides: 2,
        padding: 'same',
        depth_multiplier: 3,
        use_bias: false,
      }),
      k('SeparableConv2D', [2, [2, 1]], { depth_multiplier: 2 }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    // TF.js has no groups: Keras 3's formula, one conv2d per group, concatenated.
    label: 'Conv2D groups=2 same relu; Conv2D 1×1 groups=4 (depthwise) no bias',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[2, 2, 2]]),
      k('Conv2D', [4, 2], { groups: 2, padding: 'same', activation: 'relu' }),
      k('Conv2D', [4, 1], { groups: 4, use_bias: false }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: adam(0.01),
  },
  {
    // TF.js has no 1D depthwise or separable layers: Keras 3's formula on a (1, steps) image.
    label: 'DepthwiseConv1D same tanh; SeparableConv1D stride 2; Conv1D groups=3',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[4, 2]]),
      k('DepthwiseConv1D', [2], { depth_multiplier: 3, padding: 'same', activation: 'tanh' }),
      k('SeparableConv1D', [3, 2], { strides: 2 }),
      k('Conv1D', [3, 1], { groups: 3 }),
      k('Flatten'),
    ],
    loss: 'sparse_categorical_crossentropy',
    optimizer: adam(0.01),
  },
  {
    // TF.js has no gradient for dilated convolutions: the forward pass and evaluate only.
    label: 'DepthwiseConv2D and SeparableConv1D dilated, inference only',
    hidden: [
      dense(8, 'tanh'),
      k('Reshape', [[2, 4, 1]]),
      k('DepthwiseConv2D', [2], { dilation_rate: [1, 2], padding: 'same', depth_multiplier: 2 }),
      k('Reshape', [[8, 2]]),
      k('SeparableConv1D', [2, 3], { dilation_rate: 2, activation: 'relu' }),
      k('Flatten'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
    steps: 0,
  },
];

/** Cases around the layers other than Dense. */
export const layerCases = LAYERS.map((l) =>
  make('layers', l.label, (d) => ({
    hidden: l.hidden(d.size),
    loss: l.loss,
    optimizer: l.optimizer,
    steps: l.steps ?? 4,
  })),
).concat(
  WINDOWS.map((w) =>
    make('layers', w.label, () => ({
      hidden: w.hidden,
      loss: w.loss,
      optimizer: w.optimizer,
      steps: w.steps ?? 4,
      inputs: 6,
    })),
  ),
);

const REGULARIZED: {
  label: string;
  extra: Record<string, Arg>;
  optimizer: KerasCall;
}[] = [
  {
    label: 'kernel L2',
    extra: { kernel_regularizer: k('L2', [], { l2: 0.02 }) },
    optimizer: sgd(0.1),
  },
  {
    label: 'kernel l1 (positional)',
    extra: { kernel_regularizer: k('l1', [0.01]) },
    optimizer: sgd(0.1),
  },
  {
    label: 'kernel and bias L1L2',
    extra: {
      kernel_regularizer: k('L1L2', [], { l1: 0.005, l2: 0.02 }),
      bias_regularizer: k('L2', [], { l2: 0.05 }),
    },
    optimizer: adam(0.01),
  },
  {
    label: 'activity L2',
    extra: { activity_regularizer: k('L2', [], { l2: 0.01 }) },
    optimizer: sgd(0.1),
  },
  {
    label: 'activity L1',
    extra: { activity_regularizer: k('L1', [], { l1: 0.01 }) },
    optimizer: sgd(0.1),
  },
  {
    label: 'kernel MaxNorm',
    extra: { kernel_constraint: k('MaxNorm', [], { max_value: 0.6 }) },
    optimizer: sgd(0.2),
  },
  {
    label: 'kernel NonNeg, bias UnitNorm',
    extra: { kernel_constraint: k('NonNeg'), bias_constraint: k('UnitNorm') },
    optimizer: adam(0.02),
  },
  {
    label: 'kernel MinMaxNorm',
    extra: {
      kernel_constraint: k('MinMaxNorm', [], { min_value: 0.3, max_value: 0.7, rate: 0.5 }),
    },
    optimizer: sgd(0.1),
  },
];

/** Cases with regularizers and constraints. */
export const regularizerCases = REGULARIZED.map((r, i) =>
  make('regularization', r.label, (d) => ({
    hidden: [
      dense(d.size(), 'tanh', r.extra),
      ...(i % 2 === 0 ? [dense(d.size(), 'relu', r.extra)] : []),
    ],
    loss: 'mse',
    optimizer: r.optimizer,
  })),
);

/**
 * Embedding and the recurrent layers. A case's input is a flat vector of at most 8 values, so
 * a Dense layer widens it and Reshape makes it a sequence (or Embedding reads it as token ids).
 */
const SEQUENCES: LayerCase[] = [
  {
    label: 'LSTM',
    hidden: (size) => [dense(12), k('Reshape', [tuple(4, 3)]), k('LSTM', [size()]), dense(size())],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.02),
  },
  {
    label: 'LSTM return_sequences go_backwards, no bias',
    hidden: (size) => [
      dense(10, 'tanh'),
      k('Reshape', [tuple(5, 2)]),
      k('LSTM', [size()], { return_sequences: true, go_backwards: true, use_bias: false }),
      k('LSTM', [size()]),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'GRU',
    hidden: (size) => [dense(12), k('Reshape', [tuple(3, 4)]), k('GRU', [size()]), dense(size())],
    loss: 'mse',
    optimizer: adam(0.02),
  },
  {
    label: 'GRU return_sequences go_backwards',
    hidden: (size) => [
      dense(8),
      k('Reshape', [tuple(4, 2)]),
      k('GRU', [size()], { return_sequences: true, go_backwards: true }),
      k('Flatten'),
      dense(size()),
    ],
    loss: 'sparse_categorical_crossentropy',
    optimizer: sgd(0.1),
  },
  {
    label: 'GRU reset_after=False',
    hidden: (size) => [
      dense(12, 'tanh'),
      k('Reshape', [tuple(4, 3)]),
      k('GRU', [size()], { reset_after: false, return_sequences: true }),
      k('GRU', [size()], { reset_after: false, go_backwards: true }),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: adam(0.02),
  },
  {
    label: 'SimpleRNN',
    hidden: (size) => [
      dense(12),
      k('Reshape', [tuple(4, 3)]),
      k('SimpleRNN', [size()], { return_sequences: true }),
      k('SimpleRNN', [size()], { activation: 'relu', go_backwards: true }),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: sgd(0.05),
  },
  {
    label: 'Bidirectional(LSTM)',
    hidden: (size) => [
      dense(12),
      k('Reshape', [tuple(4, 3)]),
      k('Bidirectional', [k('LSTM', [size()])]),
      dense(size()),
    ],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.02),
  },
  {
    label: 'Bidirectional(GRU reset_after=False, go_backwards) merge_mode=sum',
    hidden: (size) => [
      dense(8, 'tanh'),
      k('Reshape', [tuple(4, 2)]),
      k('Bidirectional', [k('GRU', [size()], { reset_after: false, go_backwards: true })], {
        merge_mode: 'sum',
      }),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'Bidirectional(SimpleRNN) merge_mode=mul',
    hidden: (size) => [
      dense(12),
      k('Reshape', [tuple(4, 3)]),
      k('SimpleRNN', [size()], { return_sequences: true }),
      k('Bidirectional', [k('SimpleRNN', [size()])], { merge_mode: 'mul' }),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: adam(0.02),
  },
  {
    label: 'Bidirectional(LSTM, no bias) merge_mode=ave',
    hidden: (size) => [
      dense(10, 'tanh'),
      k('Reshape', [tuple(5, 2)]),
      k('Bidirectional', [k('LSTM', [size()], { use_bias: false })], { merge_mode: 'ave' }),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'Bidirectional return_sequences: the backward sequence flipped back',
    hidden: (size) => [
      dense(8),
      k('Reshape', [tuple(4, 2)]),
      k('Bidirectional', [k('GRU', [size()], { reset_after: false, return_sequences: true })]),
      k(
        'Bidirectional',
        [k('SimpleRNN', [size()], { return_sequences: true, go_backwards: true })],
        {
          merge_mode: 'ave',
        },
      ),
      k('Flatten'),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
  },
  {
    label: 'Embedding into LSTM',
    hidden: (size) => [k('Embedding', [11, 4]), k('LSTM', [size()]), dense(size(), 'relu')],
    loss: 'sparse_categorical_crossentropy',
    optimizer: adam(0.02),
    tokens: 11,
  },
  // Keras's mask from Embedding(mask_zero=True): token 0 is padding, about one id in four.
  {
    label: 'Embedding mask_zero into LSTM',
    hidden: (size) => [
      k('Embedding', [4, 3], { mask_zero: true }),
      k('LSTM', [size()]),
      dense(size(), 'relu'),
    ],
    loss: 'sparse_categorical_crossentropy',
    optimizer: sgd(0.2),
    tokens: 4,
  },
  {
    label:
      'Embedding mask_zero: Dropout, LayerNormalization, GRU reset_after=False, SimpleRNN go_backwards',
    hidden: (size) => [
      k('Embedding', [3, 4], { mask_zero: true }),
      k('Dropout', [0]),
      k('LayerNormalization'),
      k('GRU', [size()], { reset_after: false, return_sequences: true }),
      k('SimpleRNN', [size()], { go_backwards: true }),
      dense(size(), 'tanh'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
    tokens: 3,
  },
  {
    label: 'Embedding mask_zero: GRU return_sequences go_backwards, masked GlobalAveragePooling1D',
    hidden: (size) => [
      k('Embedding', [5, 3], { mask_zero: true }),
      k('GRU', [size()], { return_sequences: true, go_backwards: true }),
      k('GlobalAveragePooling1D'),
      dense(size()),
    ],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.02),
    tokens: 5,
    inputs: 8,
  },
  {
    label: 'Embedding mask_zero: Bidirectional return_sequences zeroes masked steps',
    hidden: (size) => [
      k('Embedding', [4, 3], { mask_zero: true }),
      k('Bidirectional', [k('LSTM', [size()], { return_sequences: true })], { merge_mode: 'sum' }),
      k('Bidirectional', [
        k('SimpleRNN', [size()], { return_sequences: true, go_backwards: true }),
      ]),
      k('Bidirectional', [k('GRU', [size()], { reset_after: false })], { merge_mode: 'ave' }),
      dense(size()),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
    tokens: 4,
  },
  // A loss on the masked output: Keras 3 weighs each step's loss by the mask (loss.py's
  // apply_mask), the mean over the unmasked steps; TF.js's loss ignores it (tfjs-masked-loss.ts).
  {
    label: 'Embedding mask_zero: a per-step softmax loss over the unmasked steps',
    hidden: (size) => [
      k('Embedding', [4, 3], { mask_zero: true }),
      k('LSTM', [size()], { return_sequences: true }),
      dense(size(), 'tanh'),
    ],
    loss: 'categorical_crossentropy',
    optimizer: adam(0.02),
    tokens: 4,
  },
  {
    label: 'Embedding mask_zero: TimeDistributed Dense, a per-step MSE over the unmasked steps',
    hidden: (size) => [
      k('Embedding', [3, 4], { mask_zero: true }),
      k('GRU', [size()], { reset_after: false, return_sequences: true }),
      k('TimeDistributed', [dense(size(), 'tanh')]),
      dense(size(), 'relu'),
    ],
    loss: 'mse',
    optimizer: sgd(0.1),
    tokens: 3,
  },
  {
    label: 'Embedding mask_zero: Bidirectional, a per-step sigmoid loss over the unmasked steps',
    hidden: (size) => [
      k('Embedding', [4, 3], { mask_zero: true }),
      k('Bidirectional', [k('SimpleRNN', [size()], { return_sequences: true })]),
      dense(size(), 'tanh'),
    ],
    loss: 'binary_crossentropy',
    optimizer: sgd(0.2),
    tokens: 4,
  },
  {
    label: 'Embedding flattened',
    hidden: (size) => [k('Embedding', [7, 3]), k('Flatten'), dense(size(), 'tanh')],
    loss: 'mse',
    optimizer: sgd(0.2),
    tokens: 7,
  },
];

/** Cases of Embedding and the recurrent layers. */
export const sequenceCases = SEQUENCES.map((c) =>
  make('sequences', c.label, (d) => ({
    hidden: c.hidden(() => d.size()),
    loss: c.loss,
    optimizer: c.optimizer,
    ...(c.tokens ? { tokens: c.tokens } : {}),
    ...(c.inputs ? { inputs: c.inputs } : {}),
  })),
);
