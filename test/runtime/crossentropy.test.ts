/** loss='crossentropy' (or 'ce'): Keras 3 picks binary, sparse or categorical by the shapes it sees. */
import { expect, it } from 'vitest';
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
