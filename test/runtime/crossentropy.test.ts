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
