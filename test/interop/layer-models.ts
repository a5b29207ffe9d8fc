/** Small models that reach every layer both nnlang's engine and TF.js run. */

/** One model per family of layers both sides have; `ids` marks a model that reads token ids. */
export const layerModels: { label: string; source: string; ids?: number }[] = [
  {
    label: 'Dense, Activation, regularizers and constraints',
    source: `Input(shape=(5,)) -> Dense(4, activation='tanh', kernel_regularizer=L1L2(l1=0.01, l2=0.02), bias_constraint=MinMaxNorm(0, 5), kernel_constraint=MaxNorm(3)) -> Activation('selu') -> Dense(3, activation='softmax', kernel_initializer=RandomNormal(stddev=0.1))`,
  },
  {
    label: 'activation layers, noise and dropout',
    source: `Input(shape=(5,)) -> Dense(6) -> ReLU(max_value=0.5) -> Dense(6) -> LeakyReLU(0.1) -> Dense(6) -> PReLU() -> Dense(6) -> ELU() -> Dense(6, activation='softplus') -> Softmax() -> GaussianNoise(0.1) -> Dropout(0.2) -> Dense(2, activation='softsign')`,
  },
  {
    label: 'normalization, gelu, mish, silu, relu6',
    source: `Input(shape=(5,)) -> Dense(6, activation='gelu') -> BatchNormalization(momentum=0.9) -> LayerNormalization(epsilon=0.01) -> Dense(4, activation='mish') -> Dense(4, activation='silu') -> Dense(2, activation='relu6')`,
  },
  {
    label: 'Conv2D, padding, cropping, up-sampling, 2D pooling',
    source: `Input(shape=(8, 8, 2)) -> Conv2D(3, 3, padding='same', strides=2, activation='relu') -> ZeroPadding2D(1) -> Cropping2D(((1, 0), (0, 1))) -> UpSampling2D(2) -> MaxPooling2D(2) -> AveragePooling2D(2, padding='same') -> Conv2D(2, (2, 2), dilation_rate=1, activation='sigmoid') -> GlobalAveragePooling2D()`,
  },
  {
    label: 'GlobalMaxPooling2D',
    source: `Input(shape=(4, 4, 2)) -> Conv2D(3, 2) -> GlobalMaxPooling2D()`,
  },
  {
    label: 'Conv1D and 1D pooling',
    source: `Input(shape=(12, 3)) -> Conv1D(4, 3, padding='same', activation='elu') -> MaxPooling1D(2) -> AveragePooling1D(2) -> SpatialDropout1D(0.2) -> Conv1D(2, 2, dilation_rate=2) -> GlobalMaxPooling1D()`,
  },
  {
    label: 'GlobalAveragePooling1D',
    source: `Input(shape=(6, 3)) -> Conv1D(2, 2) -> GlobalAveragePooling1D()`,
  },
  {
    label: 'Reshape, Permute, Flatten, RepeatVector',
    source: `Input(shape=(6,)) -> Reshape((2, 3)) -> Permute((2, 1)) -> Flatten() -> RepeatVector(2) -> Flatten() -> Dense(2)`,
  },
  {
    label: 'SimpleRNN, LSTM, GRU (reset_after=False)',
    source: `Input(shape=(5, 3)) -> SimpleRNN(4, return_sequences=True) -> LSTM(3, return_sequences=True, go_backwards=True) -> GRU(2, reset_after=False)`,
  },
  {
    label: 'TimeDistributed and Bidirectional',
    source: `Input(shape=(5, 3)) -> TimeDistributed(Dense(2)) -> Bidirectional(LSTM(3, return_sequences=True)) -> Bidirectional(GRU(2, reset_after=False), merge_mode='sum')`,
  },
  {
    label: 'Embedding',
    source: `Input(shape=(4,)) -> Embedding(10, 3) -> Flatten() -> Dense(2)`,
    ids: 10,
  },
  {
    label: 'merge layers in a graph with two inputs and two outputs',
    source: `model g {
      a = Input(shape=(4,), name='a')
      b = Input(shape=(4,), name='b')
      h = a -> Dense(4, activation='tanh')
      k = b -> Dense(4)
      s = (h, k) -> Add()
      m = (h, k) -> Multiply()
      v = (s, m) -> Average()
      mx = (s, v) -> Maximum()
      mn = (m, v) -> Minimum()
      (mx, mn) -> Concatenate() -> Dense(2, activation='softmax')
      v -> Dense(1)
    }`,
  },
  {
    label: 'return_state: states read by later layers and returned, an output read again',
    source: `model s {
      x = Input(shape=(5, 3), name='x')
      out, h, c = x -> LSTM(4, return_state=True)
      seq, state = x -> GRU(2, return_sequences=True, return_state=True, reset_after=False)
      d = (out, h, c, state) -> Concatenate() -> Dense(3)
      d -> Dense(1)
      d
      c
      seq -> SimpleRNN(2)
    }`,
  },
];
