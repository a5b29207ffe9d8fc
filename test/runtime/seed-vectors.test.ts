/**
 * The lectures' worked examples (shared/reference/seed-vectors.md, V1–V6) reproduced by the
 * engine: forward values, losses and the weights after SGD steps, to 1e-6 absolute.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadModel } from 'nnlang';

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-6) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs(actual[i]! - e)).toBeLessThanOrEqual(tol));
};

describe('V1: one backprop step, 2-2-2 sigmoid net, no bias (seed 001)', () => {
  const source = `
    Input(2)
      -> Dense(2, sigmoid, use_bias=False, weights=[[[0.30, 0.40], [0.25, 0.35]]])
      -> Dense(2, sigmoid, use_bias=False, weights=[[[0.45, 0.70], [0.40, 0.60]]])
    compile(SGD(learning_rate=0.5), mse)`;
  const x = [[0.1, 0.2]];
  const y = [[0.4, 0.6]];

  it('forward: o and the loss', () => {
    const model = loadModel(source, { seed: 1 });
    close(model.predict(x), [0.609446, 0.66384491]);
    expect(model.evaluate(x, y)).toBeCloseTo(0.0239719, 6);
  });

  it('after one step: both kernels and the new loss', () => {
    const model = loadModel(source, { seed: 1 });
    expect(model.trainOnBatch(x, y)).toBeCloseTo(0.0239719, 6);
    const [k1, k2] = model.getWeights();
    close(k1!, [0.29959556, 0.39964496, 0.24919112, 0.34928991]);
    close(k2!, [0.43703857, 0.69629578, 0.38685205, 0.59624247]);
    expect(model.evaluate(x, y)).toBeCloseTo(0.02323634, 6);
  });
});

describe('V2: one backprop step, 2-2-1 sigmoid net, no bias (seed 003)', () => {
  const source = `
    Input(2)
      -> Dense(2, sigmoid, use_bias=False, weights=[[[0.5, 0.3], [0.3, 0.6]]])
      -> Dense(1, sigmoid, use_bias=False, weights=[[[0.5], [0.35]]])
    compile(SGD(learning_rate=0.1), mse)`;
  const x = [[0.5, 0.7]];
  const y = [[1]];

  it('forward, one step, forward again', () => {
    const model = loadModel(source, { seed: 1 });
    close(model.predict(x), [0.62950042]);
    expect(model.trainOnBatch(x, y)).toBeCloseTo(0.13726994, 6);
    const [k1, k2] = model.getWeights();
    close(k2!, [0.51059429, 0.36103929]);
    close(k1!, [0.50102496, 0.30069786, 0.30143494, 0.60097701]);
    close(model.predict(x), [0.63271684]);
    expect(model.evaluate(x, y)).toBeCloseTo(0.13489692, 6);
  });
});

describe('V3: gradient descent on a line (seed 003)', () => {
  const source = `Dense(1, use_bias=False, input_dim=1, weights=[[[0.2]]]); compile(SGD(learning_rate=0.01), mse)`;
  const xs = [[0], [1], [2], [3], [4], [5]];
  const ys = [[0], [0.8], [2.2], [2.3], [4.3], [4.9]];

  it('full batch: loss 5.65833333, then kernel 0.34266667', () => {
    const model = loadModel(source, { seed: 1 });
    expect(model.evaluate(xs, ys)).toBeCloseTo(5.65833333, 5);
    model.trainOnBatch(xs, ys);
    close(model.getWeights()[0]!, [0.34266667]);
  });

  it('stochastic: x=2 gives 0.272, then x=4 gives 0.52896', () => {
    const model = loadModel(source, { seed: 1 });
    model.trainOnBatch([[2]], [[2.2]]);
    close(model.getWeights()[0]!, [0.272]);
    model.trainOnBatch([[4]], [[4.3]]);
    close(model.getWeights()[0]!, [0.52896]);
  });
});

describe('V4: XOR (seeds 000 and 004)', () => {
  const source = readFileSync(new URL('../../samples/xor.nn', import.meta.url), 'utf8');
  const x = [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ];

  it('the fixed-weight step network computes XOR', () => {
    const model = loadModel(source, { model: 'xor_step' });
    expect(Array.from(model.predict(x))).toEqual([0, 1, 1, 0]);
  });

  it('the sigmoid network learns XOR from random weights', () => {
    const model = loadModel(source, { model: 'xor', seed: 3 });
    model.fit(x, [[0], [1], [1], [0]], { epochs: 500, batchSize: 4 });
    expect(Array.from(model.predict(x), (p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });
});

describe('V6: the weather table (seed 003)', () => {
  it('one sigmoid unit with binary cross-entropy reaches 100% accuracy', () => {
    const source = readFileSync(new URL('../../samples/weather.nn', import.meta.url), 'utf8');
    const model = loadModel(source, { seed: 3 });
    const x = [
      [0.8, 0.6],
      [0.6, 0.9],
      [0.1, 0.2],
      [0.3, 0.1],
      [0.6, 0.6],
      [0.4, 0.3],
      [0.1, 0.2],
    ];
    const y = [[1], [1], [0], [0], [1], [0], [0]];
    const history = model.fit(x, y, { epochs: 300, batchSize: 7 });
    expect(history.history['accuracy']!.at(-1)).toBe(1);
    expect(Array.from(model.predict(x), (p) => (p > 0.5 ? 1 : 0))).toEqual(y.flat());
  });
});
