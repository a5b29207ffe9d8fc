/** Models both Python targets' tests emit. */

/** Bidirectional's return_state (forward states, then backward) and merge_mode=None's two outputs. */
export const bidirectionalOutputs = [
  {
    label: 'return_state with LSTM and SimpleRNN, merge_mode=None with GRU sequences',
    source: `model g {
      x = Input(shape=(5, 3))
      y, fh, fc, bh, bc = x -> Bidirectional(LSTM(2, return_state=True), merge_mode='sum')
      _o, fs, bs = x -> Bidirectional(SimpleRNN(2, return_state=True))
      f, b = x -> Bidirectional(GRU(2, return_sequences=True, go_backwards=True), merge_mode=None)
      h = (f, b) -> Concatenate() -> Flatten()
      (y, fh, fc, bh, bc, fs, bs, h) -> Concatenate() -> Dense(2)
      compile(Adam(learning_rate=0.01), 'mse')
    }`,
  },
  {
    label: 'merge_mode=None directions and a returned state as outputs',
    source: `model g {
      x = Input(shape=(4, 3))
      f, b, _fs, bs = x -> Bidirectional(GRU(2, return_state=True), merge_mode=None)
      f -> Dense(2)
      b
      bs
      compile(Adam(learning_rate=0.01), loss=['mse', 'mse', 'mae'])
    }`,
  },
];
