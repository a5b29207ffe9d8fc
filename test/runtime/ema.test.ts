/** fit() ends as Keras's does: with use_ema, the optimizer's moving averages become the weights. */
import { expect, it } from 'vitest';
import { loadModel } from 'nnlang';

it('use_ema: after fit the weights are the moving averages of the weights after each step', () => {
  const x = [
    [1, 2],
    [3, 4],
  ];
  const y = [[1], [2]];
  const momentum = 0.5;
  // The same training without EMA: the weights after each step, averaged by hand as Keras does
  // (avg = w on the first step, then avg = m·avg + (1 − m)·w).
  const plain = loadModel(`Input(2) -> Dense(1); compile(SGD(learning_rate=0.1), mse)`, {
    seed: 1,
  });
  let average: number[] | null = null;
  for (let step = 0; step < 3; step++) {
    plain.trainOnBatch(x, y);
    const w = plain.getWeights().flatMap((a) => Array.from(a));
    average = average
      ? average.map((a, i) => Math.fround(momentum * a + (1 - momentum) * w[i]!))
      : w;
  }
  const ema = loadModel(
    `Input(2) -> Dense(1); compile(SGD(learning_rate=0.1, use_ema=True, ema_momentum=${momentum}), mse)`,
    { seed: 1 },
  );
  ema.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false });
  const got = ema.getWeights().flatMap((a) => Array.from(a));
  got.forEach((v, i) => expect(v).toBeCloseTo(average![i]!, 5));
});
