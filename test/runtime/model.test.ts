/**
 * The library API: determinism from the seed, Keras's fit semantics (validation split,
 * callbacks, History), weights in and out, bad input as clear errors, the weights file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeWeights,
  EarlyStopping,
  encodeWeights,
  InputError,
  loadModel,
  ModelError,
  readWeightsFile,
  ReduceLROnPlateau,
  TerminateOnNaN,
  WeightsFileError,
  writeWeightsFile,
} from 'nnlang';
import { Rng } from '../../src/kernels/random.js';

const mlp = `Input(4) -> Dense(8, relu, kernel_initializer='he_normal') -> Dropout(0.1) -> Dense(3, softmax)
compile(Adam(learning_rate=0.01), categorical_crossentropy, metrics=['acc'])`;

function data(rows: number, seed = 1): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * 4);
  const y = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < 4; j++) s += x[r * 4 + j] = rng.normal();
    y[r * 3 + (s > 0.5 ? 0 : s < -0.5 ? 1 : 2)] = 1;
  }
  return { x, y };
}

describe('determinism', () => {
  it('the same seed gives the same weights and the same training run, bit for bit', () => {
    const { x, y } = data(64);
    const run = () => {
      const m = loadModel(mlp, { seed: 11 });
      const h = m.fit(x, y, { epochs: 3, batchSize: 8 });
      return { weights: m.getWeights().map((w) => Array.from(w)), loss: h.history['loss'] };
    };
    expect(run()).toEqual(run());
    const other = loadModel(mlp, { seed: 12 }).getWeights()[0]!;
    expect(Array.from(other)).not.toEqual(run().weights[0]);
  });
});

describe('fit', () => {
  it('logs loss and metrics under the names written, val_* after a validation split', () => {
    const { x, y } = data(50);
    const h = loadModel(mlp, { seed: 1 }).fit(x, y, {
      epochs: 2,
      batchSize: 16,
      validationSplit: 0.2,
    });
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(h.epoch).toEqual([0, 1]);
  });

  it('validation_split holds out the last fraction, before shuffling (Keras)', () => {
    const { x, y } = data(50);
    const m = loadModel(mlp, { seed: 1 });
    const h = m.fit(x, y, { epochs: 1, batchSize: 50, validationSplit: 0.2, shuffle: false });
    const last = m.evaluate(x.subarray(40 * 4), y.subarray(40 * 3)) as number[];
    expect(h.history['val_loss']![0]).toBeCloseTo(last[0]!, 5);
  });

  it('rejects a split that leaves no training samples', () => {
    const { x, y } = data(3);
    expect(() => loadModel(mlp).fit(x, y, { validationSplit: 0.7 })).toThrow(InputError); // floor(3·0.3) = 0
  });

  it('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', () => {
    const { x, y } = data(40);
    const m = loadModel(mlp.replace('learning_rate=0.01', 'learning_rate=0.5'), { seed: 2 });
    const stop = new EarlyStopping({ monitor: 'loss', patience: 2, restore_best_weights: true });
    const h = m.fit(x, y, { epochs: 60, batchSize: 40, callbacks: [stop] });
    const losses = h.history['loss']!;
    const best = losses.indexOf(Math.min(...losses));
    expect(losses.length).toBeLessThanOrEqual(best + 3);
    if (losses.length < 60) expect(losses.length).toBe(best + 3);
  });

  it('ReduceLROnPlateau lowers the learning rate and logs it', () => {
    const { x, y } = data(16);
    const m = loadModel(mlp, { seed: 2 });
    const h = m.fit(x, y, {
      epochs: 6,
      batchSize: 16,
      callbacks: [
        new ReduceLROnPlateau({ monitor: 'loss', patience: 0, min_delta: 10, factor: 0.5 }),
      ],
    });
    expect(h.history['learning_rate']!.at(-1)!).toBeLessThan(0.01);
  });

  it('TerminateOnNaN stops at a non-finite loss', () => {
    const m = loadModel(
      `Input(1) -> Dense(1, use_bias=False, weights=[[[1]]]); compile(SGD(learning_rate=1e30), mse)`,
      { seed: 1 },
    );
    const h = m.fit([[1e10], [1e10]], [[0], [0]], {
      epochs: 20,
      batchSize: 1,
      callbacks: [new TerminateOnNaN()],
    });
    expect(h.epoch.length).toBeLessThan(20);
  });
});

describe('weights', () => {
  it('getWeights/setWeights round-trip in Keras order with shapes', () => {
    const m = loadModel(mlp, { seed: 3 });
    expect(m.weightSpecs().map((w) => `${w.layer}/${w.name} ${w.shape}`)).toEqual([
      'dense/kernel 4,8',
      'dense/bias 8',
      'dense_1/kernel 8,3',
      'dense_1/bias 3',
    ]);
    const w = m.getWeights();
    const other = loadModel(mlp, { seed: 4 });
    other.setWeights(w);
    const x = data(5).x;
    expect(Array.from(other.predict(x))).toEqual(Array.from(m.predict(x)));
  });

  it('setWeights refuses the wrong count, sizes and non-finite values', () => {
    const m = loadModel(mlp, { seed: 3 });
    const w = m.getWeights();
    expect(() => m.setWeights(w.slice(1))).toThrow(/needs 4 arrays/);
    expect(() => m.setWeights([new Float32Array(3), ...w.slice(1)])).toThrow(/32 values/);
    const bad = w.map((a) => a.slice());
    bad[1]![0] = Number.NaN;
    expect(() => m.setWeights(bad)).toThrow(/NaN/);
  });

  it('the weights file round-trips, and a truncated or foreign file is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nnw-'));
    const path = join(dir, 'm.nnw');
    const m = loadModel(mlp, { seed: 3 });
    const values = m.getWeights();
    writeWeightsFile(path, {
      model: m.name,
      weights: m.weightSpecs().map((s, i) => ({ ...s, values: values[i]! })),
      data: { classes: ['a', 'b', 'c'] },
    });
    const back = readWeightsFile(path);
    expect(back.weights.map((w) => Array.from(w.values))).toEqual(values.map((v) => Array.from(v)));
    expect(back.data?.classes).toEqual(['a', 'b', 'c']);
    const bytes = readFileSync(path);
    expect(() => decodeWeights(bytes.subarray(0, bytes.length - 5), 'cut.nnw')).toThrow(
      /truncated/,
    );
    expect(() => decodeWeights(new TextEncoder().encode('hello world'), 'x.nnw')).toThrow(
      WeightsFileError,
    );
    writeFileSync(path, encodeWeights({ model: 'm', weights: [] }).subarray(0, 6));
    expect(() => readWeightsFile(path)).toThrow(WeightsFileError);
  });
});

describe('saveWeights / loadWeights', () => {
  it('a saved model predicts the same after loading, and a model of another shape refuses the file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nnw-')), 'mlp.nnw');
    const m = loadModel(mlp, { seed: 3 });
    m.saveWeights(path, { classes: ['a', 'b', 'c'] });
    const other = loadModel(mlp, { seed: 9 });
    expect(other.loadWeights(path).data?.classes).toEqual(['a', 'b', 'c']);
    const x = data(4).x;
    expect(Array.from(other.predict(x))).toEqual(Array.from(m.predict(x)));
    const wider = loadModel(mlp.replace('Dense(8,', 'Dense(9,'), { seed: 1 });
    expect(() => wider.loadWeights(path)).toThrow(/do not fit model/);
  });
});

describe('bad input is an error that says what is wrong', () => {
  it('a .nn source with errors throws a ModelError carrying the diagnostics', () => {
    try {
      loadModel('Dense(8, relu -> Dense(3)');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      expect((e as ModelError).diagnostics.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ['NaN in x', () => loadModel(mlp).predict([[1, 2, Number.NaN, 4]]), /finite/],
    ['wrong feature count', () => loadModel(mlp).predict([[1, 2, 3]]), /expects 4/],
    [
      'ragged rows',
      () =>
        loadModel(mlp).predict([
          [1, 2, 3, 4],
          [1, 2],
        ]),
      /row 1/,
    ],
    [
      'x and y of different lengths',
      () =>
        loadModel(mlp).trainOnBatch(
          [[1, 2, 3, 4]],
          [
            [1, 0, 0],
            [0, 1, 0],
          ],
        ),
      /samples/,
    ],
    [
      'training without compile',
      () => loadModel('Input(2) -> Dense(1)').trainOnBatch([[1, 2]], [[1]]),
      /compile/,
    ],
  ])('%s', (_name, run, message) => {
    expect(run).toThrow(message);
  });
});

describe('shapes and summary', () => {
  it('a model without an input shape is built by the data', () => {
    const m = loadModel(`Dense(4, relu) -> Dense(1, sigmoid); compile(adam, binary_crossentropy)`, {
      seed: 1,
    });
    expect(m.inputShape).toBeNull();
    m.fit(
      [
        [1, 2, 3],
        [3, 2, 1],
      ],
      [[1], [0]],
      { epochs: 1 },
    );
    expect(m.inputShape).toEqual([null, 3]);
    expect(m.outputShape).toEqual([null, 1]);
  });

  it('summary() after training counts the optimizer variables, as Keras does', () => {
    const m = loadModel(mlp, { seed: 1 });
    const { x, y } = data(8);
    m.trainOnBatch(x, y);
    // Adam: 2 slots per trainable weight (67 params → 134) + iteration + learning rate.
    expect(m.summary()).toContain(' Optimizer params: 136 (544.00 B)');
    expect(m.summary()).toContain(' Total params: 203 (812.00 B)');
  });
});

describe("the file's fit() gives fit()'s defaults", () => {
  it('epochs, batch size, validation split and callbacks come from the .nn file unless given', () => {
    const source = `${mlp}\nfit(epochs=3, batch_size=5, validation_split=0.25, callbacks=[EarlyStopping(monitor='loss', patience=100)])`;
    const { x, y } = data(20);
    const h = loadModel(source, { seed: 1 }).fit(x, y);
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(h.history)).toContain('val_loss');
    expect(
      loadModel(source, { seed: 1 }).fit(x, y, { epochs: 1, validationSplit: 0 }).history[
        'val_loss'
      ],
    ).toBeUndefined();
  });
});

describe('several outputs: losses and metrics per output, as Keras 3 logs them', () => {
  const source = `model two {
  x = Input(shape=(4,))
  h = x -> Dense(8, tanh)
  h -> Dense(3, softmax)
  h -> Dense(1, sigmoid)
  compile(SGD(learning_rate=0.1), loss=['sparse_categorical_crossentropy', 'binary_crossentropy'], loss_weights=[1.0, 0.5], metrics=[['accuracy'], ['accuracy', 'mae']])
}`;
  const rows = 24;
  const rng = new Rng(5);
  const x = Float32Array.from({ length: rows * 4 }, () => rng.uniform() * 2 - 1);
  const classes = Float32Array.from({ length: rows }, (_, i) => i % 3);
  const flags = Float32Array.from({ length: rows }, (_, i) => (i * 7) % 2);

  /** Each figure computed here from the predictions, by the formulas, not by the engine's metrics. */
  function byHand(p: Float32Array[]): Record<string, number> {
    const [probs, sig] = p as [Float32Array, Float32Array];
    const eps = 1e-7;
    let ce = 0,
      bce = 0,
      acc = 0,
      bacc = 0,
      mae = 0;
    for (let r = 0; r < rows; r++) {
      const row = Array.from(probs.subarray(r * 3, r * 3 + 3));
      ce -= Math.log(Math.min(Math.max(row[classes[r]!]!, eps), 1 - eps));
      if (row.indexOf(Math.max(...row)) === classes[r]) acc++;
      const q = Math.min(Math.max(sig[r]!, eps), 1 - eps);
      bce -= flags[r]! * Math.log(q) + (1 - flags[r]!) * Math.log(1 - q);
      if ((sig[r]! > 0.5 ? 1 : 0) === flags[r]) bacc++;
      mae += Math.abs(sig[r]! - flags[r]!);
    }
    const [l1, l2] = [ce / rows, bce / rows];
    return {
      loss: l1 + 0.5 * l2,
      dense_1_loss: l1,
      dense_2_loss: l2,
      dense_1_accuracy: acc / rows,
      dense_2_accuracy: bacc / rows,
      dense_2_mean_absolute_error: mae / rows,
    };
  }

  function expectClose(found: Record<string, number>, expected: Record<string, number>): void {
    expect(Object.keys(found)).toEqual(Object.keys(expected));
    for (const [key, value] of Object.entries(expected)) expect(found[key]).toBeCloseTo(value, 4);
  }

  it('fit logs the loss, each output’s loss, then each output’s metrics, named <output>_<metric>', () => {
    const m = loadModel(source, { seed: 3 });
    // One batch of every row: the epoch's figures are those of the weights before the step.
    const expected = byHand(m.predictOutputs(x));
    const h = m.fit(x, [classes, flags], { epochs: 1, batchSize: rows, shuffle: false });
    expectClose(
      Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, v[0]!])),
      expected,
    );
  });

  it('evaluate returns them in the same order', () => {
    const m = loadModel(source, { seed: 3 });
    m.fit(x, [classes, flags], { epochs: 2, batchSize: 8 });
    const expected = byHand(m.predictOutputs(x));
    const found = m.evaluate(x, [classes, flags], { batchSize: 5 }) as number[];
    expectClose(Object.fromEntries(Object.keys(expected).map((k, i) => [k, found[i]!])), expected);
  });
});

describe('weight names, as Keras 3 gives them', () => {
  it('Bidirectional names its copies after the wrapped layer’s own automatic name', () => {
    // Keras constructs LSTM(4) before its wrapper: the second one is lstm_1, so its copies are
    // forward_lstm_1 / backward_lstm_1, and the plain LSTM after them is lstm_2.
    const m = loadModel(
      `Input(shape=(5, 3)) -> Bidirectional(LSTM(4, return_sequences=True))
  -> Bidirectional(LSTM(2, return_sequences=True), merge_mode='sum') -> LSTM(3) -> Dense(1)
compile(adam, mse)`,
    );
    const names = m.weightSpecs().map((w) => `${w.layer}/${w.name}`);
    expect(names.filter((n) => n.endsWith('/kernel'))).toEqual([
      'bidirectional/forward_lstm/kernel',
      'bidirectional/backward_lstm/kernel',
      'bidirectional_1/forward_lstm_1/kernel',
      'bidirectional_1/backward_lstm_1/kernel',
      'lstm_2/kernel',
      'dense/kernel',
    ]);
  });
});
