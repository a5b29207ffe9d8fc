/**
 * Models for the ONNX export beyond test/interop/layer-models.ts (which TF.js also runs): the
 * layers and arguments only the ONNX side has to map (depthwise and separable convolutions,
 * causal and grouped convolutions, returned states, merge modes, recurrent activations, every
 * activation function), and seeded random stacks and graphs.
 */
import { Rng } from '../../src/kernels/random.js';

export const onnxModels: { label: string; source: string; ids?: number }[] = [
  {
    label: "Embedding(mask_zero=True)'s mask through Dense to the masked mean",
    source: `Input(shape=(6,)) -> Embedding(5, 3, mask_zero=True) -> Dense(4, activation='tanh') -> Dropout(0.5) -> GlobalAveragePooling1D() -> Dense(2)`,
    ids: 5,
  },
  {
    label: 'depthwise and separable 2D convolutions, a softmax over channels',
    source: `Input(shape=(7, 7, 4)) -> DepthwiseConv2D(3, depth_multiplier=2, padding='same', activation='relu6') -> SeparableConv2D(3, 2, strides=2, depth_multiplier=2) -> SpatialDropout2D(0.3) -> Conv2D(4, 3, padding='same', activation='softmax') -> Flatten() -> Dense(2)`,
  },
  {
    label: 'causal, grouped, depthwise and separable 1D convolutions; 1D padding and sampling',
    source: `Input(shape=(9, 4)) -> Conv1D(4, 3, padding='causal', dilation_rate=2, groups=2) -> DepthwiseConv1D(2) -> SeparableConv1D(2, 3, padding='same') -> ZeroPadding1D((1, 2)) -> Cropping1D((2, 1)) -> UpSampling1D(3) -> GlobalAveragePooling1D(keepdims=True) -> Flatten()`,
  },
  {
    label: 'GRU (reset_after=True), go_backwards with returned sequences, linear SimpleRNN',
    source: `Input(shape=(5, 3)) -> GRU(4, return_sequences=True) -> LSTM(3, return_sequences=True, go_backwards=True) -> SimpleRNN(2, go_backwards=True, activation='linear')`,
  },
  {
    label: "Bidirectional merge modes 'mul', 'ave' and 'concat'",
    source: `Input(shape=(5, 3)) -> Bidirectional(LSTM(3, return_sequences=True), merge_mode='mul') -> Bidirectional(GRU(2, return_sequences=True), merge_mode='ave') -> Bidirectional(SimpleRNN(2))`,
  },
  {
    label: 'returned states, hard_sigmoid gates, Subtract',
    source: `model g {
      x = Input(shape=(5, 3))
      o, h, c = x -> LSTM(4, return_state=True)
      p, q = x -> GRU(2, return_state=True, recurrent_activation='hard_sigmoid')
      (o, h, c) -> Concatenate() -> Dense(2)
      (p, q) -> Subtract()
      c
    }`,
  },
  {
    label: 'Bidirectional with hard_sigmoid gates and a linear cell, both directions',
    source: `Input(shape=(5, 3)) -> Bidirectional(GRU(3, recurrent_activation='hard_sigmoid', return_sequences=True)) -> Bidirectional(LSTM(2, recurrent_activation='hard_sigmoid', activation='linear'))`,
  },
  {
    label: 'Bidirectional returning its states',
    source: `model g {
      x = Input(shape=(4, 3))
      y, fh, fc, bh, bc = x -> Bidirectional(LSTM(2, return_state=True), merge_mode='sum')
      (y, fh, fc, bh, bc) -> Concatenate()
    }`,
  },
  {
    label: 'every activation function as ONNX ops',
    source: `Input(shape=(6,)) -> Dense(6, activation='hard_silu') -> Dense(6, activation='hard_sigmoid') -> Dense(6, activation='celu') -> Dense(6, activation='log_sigmoid') -> Dense(6, activation='tanh_shrink') -> Dense(6, activation='squareplus') -> Dense(6, activation='sparse_plus') -> Dense(6, activation='sparse_sigmoid') -> Dense(6, activation='hard_tanh') -> Dense(6, activation='soft_shrink') -> Dense(6, activation='hard_shrink') -> Dense(6, activation='exponential') -> Dense(6, activation='selu') -> Dense(6, activation='log_softmax') -> UnitNormalization() -> ReLU(max_value=2, negative_slope=0.1, threshold=0.2) -> Dense(6, activation='gelu') -> Dense(6, activation=gelu(approximate=True)) -> Dense(3, activation='step')`,
  },
  {
    label:
      'Dense over sequences, BatchNormalization and LayerNormalization without center or scale',
    source: `Input(shape=(4, 3)) -> Dense(5, activation='gelu') -> BatchNormalization() -> PReLU(shared_axes=[1]) -> LayerNormalization(center=False) -> BatchNormalization(center=False, scale=False) -> Dense(2, use_bias=False)`,
  },
  {
    label: 'TimeDistributed over layers other than Dense',
    source: `Input(shape=(3, 4)) -> TimeDistributed(LayerNormalization()) -> TimeDistributed(ELU(0.5)) -> TimeDistributed(Dense(3, activation='softmax')) -> TimeDistributed(Dropout(0.5)) -> LSTM(2)`,
  },
];

const activations = [
  'relu',
  'tanh',
  'sigmoid',
  'elu',
  'selu',
  'gelu',
  'silu',
  'mish',
  'softplus',
  'linear',
];

/**
 * A seeded random model: a stack of dense, convolutional or recurrent layers, or a graph of two
 * branches merged. Shapes are chosen so that every window fits.
 */
export function randomModel(seed: number): string {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const act = (): string => `activation='${pick(activations)}'`;
  switch (seed % 4) {
    case 0: {
      const layers = Array.from({ length: int(2, 4) }, () =>
        pick([
          () => `Dense(${int(2, 6)}, ${act()})`,
          () => 'BatchNormalization()',
          () => 'LayerNormalization()',
          () => 'Dropout(0.5)',
          () => `LeakyReLU(${rng.uniform().toFixed(2)})`,
        ])(),
      );
      return `Input(shape=(${int(2, 6)},)) -> ${layers.join(' -> ')} -> Dense(${int(1, 3)})`;
    }
    case 1: {
      const size = int(8, 12);
      const conv = (): string =>
        `Conv2D(${int(1, 4)}, ${int(1, 3)}, strides=${int(1, 2)}, padding='${pick(['same', 'valid'])}', ${act()})`;
      const layers = [
        conv(),
        pick(['MaxPooling2D(2)', "AveragePooling2D(2, padding='same')", 'BatchNormalization()']),
        conv(),
        pick(['GlobalAveragePooling2D()', 'GlobalMaxPooling2D()', 'Flatten()']),
      ];
      return `Input(shape=(${size}, ${size}, ${int(1, 3)})) -> ${layers.join(' -> ')} -> Dense(${int(1, 3)}, ${act()})`;
    }
    case 2: {
      const rnn = pick(['LSTM', 'GRU', 'SimpleRNN']);
      const layers = [
        `Conv1D(${int(2, 4)}, ${int(1, 3)}, padding='${pick(['same', 'causal'])}', ${act()})`,
        `${rnn}(${int(2, 4)}, return_sequences=True, go_backwards=${pick(['True', 'False'])})`,
        `${pick(['LSTM', 'GRU', 'SimpleRNN'])}(${int(2, 4)})`,
      ];
      return `Input(shape=(${int(3, 6)}, ${int(1, 3)})) -> ${layers.join(' -> ')}`;
    }
    default: {
      const n = int(2, 5);
      const merge = pick([
        'Add',
        'Subtract',
        'Multiply',
        'Average',
        'Maximum',
        'Minimum',
        'Concatenate',
      ]);
      return `model g {
        a = Input(shape=(${int(2, 5)},), name='a')
        b = Input(shape=(${int(2, 5)},), name='b')
        h = a -> Dense(${n}, ${act()})
        k = b -> Dense(${n}, ${act()}) -> BatchNormalization()
        (h, k) -> ${merge}() -> Dense(${int(1, 3)}, ${act()})
        k -> Dense(1)
      }`;
    }
  }
}
