/** loss='crossentropy' (or 'ce'): Keras 3 picks binary, sparse or categorical by the shapes it sees. */
import { describe, expect, it } from 'vitest';
import { loadModel } from 'nnlang';
it('one unit → binary; class indices → sparse; one-hot rows → categorical, with equal losses for equal data', () => {
  const m = loadModel(`Input(2) -> Dense(3, softmax); compile(sgd, crossentropy)`, { seed: 1 });
  const l1 = m.trainOnBatch(
    [
      [1, 2],
      [3, 4],
    ],
    [[0], [2]],
  );
  expect(m.loss()!.call).toBe('sparse_categorical_crossentropy');
  const m2 = loadModel(`Input(2) -> Dense(3, softmax); compile(sgd, 'ce')`, { seed: 1 });
  const l2 = m2.trainOnBatch(
    [
      [1, 2],
      [3, 4],
    ],
    [
      [1, 0, 0],
      [0, 0, 1],
    ],
  );
  expect(m2.loss()!.call).toBe('categorical_crossentropy');
  expect(l1).toBeCloseTo(l2, 6);
  const m3 = loadModel(`Input(2) -> Dense(1, sigmoid); compile(sgd, crossentropy)`, { seed: 1 });
  m3.trainOnBatch([[1, 2]], [[1]]);
  expect(m3.loss()!.call).toBe('binary_crossentropy');
});

it('a saturated sigmoid: the loss value and its gradient both come from the logits (Keras on TensorFlow)', () => {
  const m = loadModel(
    `Input(2) -> Dense(1, sigmoid, weights=[[[10], [10]], [0]]); compile(SGD(learning_rate=0.1), binary_crossentropy)`,
  );
  const x = [
    [1, 1],
    [0.1, 0.2],
  ];
  const y = [0, 1];
  const z = x.map(([a, b]) => 10 * a! + 10 * b!);
  const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  // BCE from logits: max(z,0) − z·y + log(1 + e^−|z|), averaged.
  const expectedLoss = z.reduce((s, zi, i) => s + softplus(zi) - zi * y[i]!, 0) / 2;
  expect(
    m.trainOnBatch(
      x,
      y.map((v) => [v]),
    ),
  ).toBeCloseTo(expectedLoss, 5);
  const p = z.map((v) => 1 / (1 + Math.exp(-v)));
  const g = p.map((pi, i) => (pi - y[i]!) / 2);
  const [kernel, bias] = m.getWeights();
  expect(kernel![0]).toBeCloseTo(10 - 0.1 * (g[0]! * 1 + g[1]! * 0.1), 5);
  expect(kernel![1]).toBeCloseTo(10 - 0.1 * (g[0]! * 1 + g[1]! * 0.2), 5);
  expect(bias![0]).toBeCloseTo(-0.1 * (g[0]! + g[1]!), 5);
});

describe('fit and evaluate report one loss: the same step computes it in both', () => {
  const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));

  it('a saturated sigmoid with binary_crossentropy: evaluate takes it from the logits too', () => {
    // Logits of ±40 and ±60: the probabilities are 0 or 1 in float32, so a loss taken from them
    // is clipped at log(1e-7) per sample, while Keras on TensorFlow (fit and evaluate) takes
    // max(z,0) − z·y + log(1 + e^−|z|) from the logits.
    const source = `Input(2) -> Dense(1, sigmoid, weights=[[[20], [20]], [0]]); compile(SGD(learning_rate=0.1), binary_crossentropy)`;
    const x = [
      [1, 1],
      [-1, -1],
      [1.5, 1.5],
    ];
    const y = [0, 1, 0];
    const z = x.map(([a, b]) => 20 * a! + 20 * b!);
    const fromLogits = z.reduce((s, zi, i) => s + softplus(zi) - zi * y[i]!, 0) / z.length;
    const targets = y.map((v) => [v]);
    const trained = loadModel(source).trainOnBatch(x, targets); // the loss before the update
    const evaluated = loadModel(source).evaluate(x, targets) as number;
    expect(trained).toBeCloseTo(fromLogits, 3);
    expect(evaluated).toBeCloseTo(fromLogits, 3);
  });

  it('softmax with sparse categorical cross-entropy over several batches: the size-weighted mean', () => {
    const source = `Input(2) -> Dense(3, softmax, weights=[[[30, -30, 0], [0, 30, -30]], [0, 0, 0]]); compile(SGD(learning_rate=0.1), sparse_categorical_crossentropy)`;
    const x = [
      [1, 0],
      [0, 1],
      [1, 1],
      [-1, 2],
      [2, -1],
    ];
    const y = [1, 2, 0, 0, 1];
    const logits = x.map(([a, b]) => [30 * a!, -30 * a! + 30 * b!, -30 * b!]);
    const ce = logits.map((l, i) => {
      const max = Math.max(...l);
      const lse = max + Math.log(l.reduce((s, v) => s + Math.exp(v - max), 0));
      return lse - l[y[i]!]!;
    });
    const mean = ce.reduce((a, b) => a + b, 0) / ce.length;
    const m = loadModel(source);
    // Batches of 2, 2 and 1: each batch's mean, weighted by its size, is the mean over all.
    expect(m.evaluate(x, y, { batchSize: 2 }) as number).toBeCloseTo(mean, 3);
    expect(loadModel(source).trainOnBatch(x, y)).toBeCloseTo(mean, 3);
  });
});
