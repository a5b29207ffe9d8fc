/**
 * A loss and metrics on an output that carries Keras's mask (Embedding(mask_zero=True) → a
 * per-step Dense), against a float64 hand computation of Keras 3's formulas: the loss is
 * loss.py's apply_mask (the mean over the unmasked steps), the MeanMetricWrapper metrics weigh
 * each step by the mask (Σ mask·value / Σ mask over the epoch), RootMeanSquaredError ignores it
 * (it squares y_pred − y_true itself, and the difference carries no mask), a training step's
 * gradient is zero at masked steps, and fit logs the batch-size-weighted mean of the batch losses.
 */
import { loadModel } from 'nnlang';
import { describe, expect, it } from 'vitest';

const VOCAB = 5;
const DIM = 3;
const STEPS = 4;
const CLASSES = 3;
const source = (optimizer: string) =>
  `Input(shape=(${STEPS},)) -> Embedding(${VOCAB}, ${DIM}, mask_zero=True) -> Dense(${CLASSES}, softmax)
compile(${optimizer}, categorical_crossentropy, metrics=['accuracy', 'mse', 'RootMeanSquaredError'])`;

/** Token ids (0 is padding: 7 of the 16 steps) and one-hot targets per step. */
const x = [
  [1, 2, 0, 0],
  [3, 4, 1, 0],
  [0, 0, 0, 2],
  [4, 0, 3, 1],
];
const classes = [
  [0, 1, 2, 0],
  [2, 2, 1, 1],
  [1, 0, 2, 1],
  [0, 1, 1, 2],
];
const y = Float32Array.from(
  classes.flat().flatMap((c) => Array.from({ length: CLASSES }, (_, j) => (j === c ? 1 : 0))),
);

interface Hand {
  loss: number;
  accuracy: number;
  mse: number;
  rmse: number;
  /** ∂loss/∂kernel and ∂loss/∂bias. */
  dKernel: number[];
  dBias: number[];
}

/** Keras 3 in float64 over samples [from, to): per step softmax(E[id]·W + b), masked where id = 0. */
function byHand(w: Float32Array[], from = 0, to = x.length): Hand {
  const [table, kernel, bias] = w as [Float32Array, Float32Array, Float32Array];
  let [ce, correct, se, seAll, valid, all] = [0, 0, 0, 0, 0, 0];
  const rows: { e: number[]; p: number[]; t: number[]; keep: boolean }[] = [];
  for (let s = from; s < to; s++) {
    for (let t = 0; t < STEPS; t++) {
      const id = x[s]![t]!;
      const e = Array.from(table.subarray(id * DIM, (id + 1) * DIM));
      const z = Array.from({ length: CLASSES }, (_, j) =>
        e.reduce((a, v, i) => a + v * kernel[i * CLASSES + j]!, bias[j]!),
      );
      const m = Math.max(...z);
      const ez = z.map((v) => Math.exp(v - m));
      const p = ez.map((v) => v / ez.reduce((a, b) => a + b, 0));
      const target = Array.from({ length: CLASSES }, (_, j) => (j === classes[s]![t] ? 1 : 0));
      const sq = p.reduce((a, v, j) => a + (v - target[j]!) ** 2, 0) / CLASSES;
      const keep = id !== 0;
      rows.push({ e, p, t: target, keep });
      seAll += sq;
      all++;
      if (!keep) continue;
      valid++;
      ce -= Math.log(p[classes[s]![t]!]!);
      correct += p.indexOf(Math.max(...p)) === classes[s]![t] ? 1 : 0;
      se += sq;
    }
  }
  const dKernel = new Array<number>(DIM * CLASSES).fill(0);
  const dBias = new Array<number>(CLASSES).fill(0);
  for (const r of rows) {
    if (!r.keep) continue;
    for (let j = 0; j < CLASSES; j++) {
      const d = (r.p[j]! - r.t[j]!) / valid;
      dBias[j]! += d;
      for (let i = 0; i < DIM; i++) dKernel[i * CLASSES + j]! += r.e[i]! * d;
    }
  }
  return {
    loss: ce / valid,
    accuracy: correct / valid,
    mse: se / valid,
    rmse: Math.sqrt(seAll / all),
    dKernel,
    dBias,
  };
}

const close = (a: number, b: number, tol = 1e-6) =>
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe("a loss on a masked output (Keras 3's apply_mask)", () => {
  it('evaluate: the loss and MeanMetricWrapper metrics over the unmasked steps, RMSE over all', () => {
    const model = loadModel(source('adam'), { seed: 3 });
    const want = byHand(model.getWeights());
    const [loss, accuracy, mse, rmse] = model.evaluate(x, y, { batchSize: 3 }) as number[];
    // evaluate's loss is Keras's tracker: batch losses weighted by batch size (3 + 1 samples).
    const first = byHand(model.getWeights(), 0, 3).loss;
    const last = byHand(model.getWeights(), 3, 4).loss;
    close(loss!, (3 * first + last) / 4);
    close(accuracy!, want.accuracy);
    close(mse!, want.mse);
    close(rmse!, want.rmse);
    // One batch: the masked mean itself, not the mean over all 16 steps.
    close((model.evaluate(x, y, { batchSize: 4 }) as number[])[0]!, want.loss);
  });

  it('a training step: the gradient of the masked mean, zero at masked steps', () => {
    const lr = 0.5;
    const model = loadModel(source(`SGD(learning_rate=${lr})`), { seed: 4 });
    const before = model.getWeights();
    const want = byHand(before);
    close(model.trainOnBatch(x, y), want.loss);
    const after = model.getWeights();
    after[1]!.forEach((v, i) => close(v, before[1]![i]! - lr * want.dKernel[i]!, 1e-5));
    after[2]!.forEach((v, i) => close(v, before[2]![i]! - lr * want.dBias[i]!, 1e-5));
    // Padding (id 0) is read only at masked steps: its embedding row gets no gradient.
    expect(Array.from(after[0]!.subarray(0, DIM))).toEqual(Array.from(before[0]!.subarray(0, DIM)));
  });

  it("fit logs Keras's loss: each batch's masked mean, weighted by the batch's size", () => {
    // A step too small to move the weights: each batch's loss is by the same weights.
    const model = loadModel(source('SGD(learning_rate=1e-9)'), { seed: 5 });
    const w = model.getWeights();
    const history = model.fit(x, y, { epochs: 1, batchSize: 3, shuffle: false });
    const first = byHand(w, 0, 3);
    const last = byHand(w, 3, 4);
    close(history.history['loss']![0]!, (3 * first.loss + last.loss) / 4);
    close(history.history['accuracy']![0]!, byHand(w).accuracy);
  });
});
