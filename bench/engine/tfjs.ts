/**
 * TF.js on the seven workloads, on whichever backend is active ('cpu': pure JavaScript;
 * 'wasm': @tensorflow/tfjs-backend-wasm, SIMD). Models are tf.sequential Dense stacks compiled
 * with Adam (lr 0.001) and categorical cross-entropy. Training tensors are made once (an
 * advantage to TF.js); predict calls include making the input tensor and reading the output
 * back (dataSync), as our predict takes and returns Float32Arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { measureAsync, measureSync, type Runner } from './measure.js';
import { batchesOf } from './ours.js';
import {
  bigBatch,
  gemmSize,
  lstmBatch,
  lstmFeatures,
  lstmSteps,
  lstmUnits,
  tinyBatch,
  tinySamples,
  type BenchData,
  type WorkloadId,
} from './workloads.js';

/** Keeps results alive so V8 cannot drop the work that produced them (see `sink` in ours.ts). */
export const tfSink = new Float64Array(1);

function keepTf(v: number): void {
  tfSink[0] = tfSink[0]! + v;
}

function mlp(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }));
  m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return m;
}

function tiny(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return m;
}

/** W9's model; the gates given Keras 3's sigmoid (TF.js defaults to hard_sigmoid). */
function lstm(): tf.Sequential {
  const m = tf.sequential();
  m.add(
    tf.layers.lstm({
      units: lstmUnits,
      recurrentActivation: 'sigmoid',
      inputShape: [lstmSteps, lstmFeatures],
    }),
  );
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return m;
}

/** W8's CNN, layer for layer as cnnSource (Keras's defaults: valid padding, glorot_uniform). */
function cnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return m;
}

/** Runners for the active backend, named `engine`; `dispose` frees their models and tensors. */
export function tfjsRunners(engine: string, d: BenchData): { runners: Runner[]; dispose(): void } {
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const models = [mlp(), mlp(), tiny(), tiny(), mlp(), tiny(), lstm(), cnn()];
  const [mlp32, mlp128, tinyFit, tinyLoop, mlpInfer, tinyInfer, lstmModel, cnn32] = models as [
    tf.Sequential,
    tf.Sequential,
    tf.Sequential,
    tf.Sequential,
    tf.Sequential,
    tf.Sequential,
    tf.Sequential,
    tf.Sequential,
  ];
  const x32 = keep(tf.tensor2d(d.x32, [32, 784]));
  const y32 = keep(tf.tensor2d(d.y32, [32, 10]));
  const images32 = keep(tf.tensor4d(d.x32, [32, 28, 28, 1]));
  const x128 = keep(tf.tensor2d(d.x128, [128, 784]));
  const y128 = keep(tf.tensor2d(d.y128, [128, 10]));
  const tinyX = keep(tf.tensor2d(d.tinyX, [tinySamples, 4]));
  const tinyY = keep(tf.tensor2d(d.tinyY, [tinySamples, 3]));
  const tinyBatches = batchesOf(d.tinyX, d.tinyY, 4, 3, tinyBatch).map((b) => ({
    x: keep(tf.tensor2d(b.x, [b.n, 4])),
    y: keep(tf.tensor2d(b.y, [b.n, 3])),
  }));
  const seqX = keep(tf.tensor3d(d.seqX, [lstmBatch, lstmSteps, lstmFeatures]));
  const seqY = keep(tf.tensor2d(d.seqY, [lstmBatch, 10]));
  const gemmA = keep(tf.tensor2d(d.gemmA, [gemmSize, gemmSize]));
  const gemmB = keep(tf.tensor2d(d.gemmB, [gemmSize, gemmSize]));

  const train = (w: WorkloadId, model: tf.Sequential, x: tf.Tensor, y: tf.Tensor): Runner => ({
    engine,
    workload: w,
    how: 'await trainOnBatch(x, y) on tensors made once',
    measure: (budget) =>
      measureAsync(async () => {
        keepTf((await model.trainOnBatch(x, y)) as number);
      }, budget),
  });
  const predict = (
    w: WorkloadId,
    model: tf.Sequential,
    x: Float32Array,
    rows: number,
    cols: number,
  ): Runner => ({
    engine,
    workload: w,
    how: `tidy(predict(tensor2d(x), {batchSize: ${rows}}).dataSync())`,
    measure: async (budget) =>
      measureSync(() => {
        keepTf(
          tf.tidy(() => {
            const out = model.predict(tf.tensor2d(x, [rows, cols]), {
              batchSize: rows,
            }) as tf.Tensor;
            return out.dataSync()[0]!;
          }),
        );
      }, budget),
  });

  const runners: Runner[] = [
    train('W1', mlp32, x32, y32),
    train('W2', mlp128, x128, y128),
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel: it cannot train a CNN at all.
    ...(tf.getKernel('Conv2DBackpropFilter', tf.getBackend())
      ? [train('W8', cnn32, images32, y32)]
      : []),
    {
      engine,
      workload: 'W3',
      how: 'await fit(x, y, {epochs: 1, batchSize: 16, shuffle: true}) per epoch',
      measure: (budget) =>
        measureAsync(async () => {
          const h = await tinyFit.fit(tinyX, tinyY, {
            epochs: 1,
            batchSize: tinyBatch,
            shuffle: true,
            verbose: 0,
          });
          keepTf(h.epoch.length);
        }, budget),
    },
    {
      engine,
      workload: 'W3',
      how: '10 × await trainOnBatch on fixed batch tensors (no shuffle)',
      measure: (budget) =>
        measureAsync(async () => {
          for (const b of tinyBatches) keepTf((await tinyLoop.trainOnBatch(b.x, b.y)) as number);
        }, budget),
    },
    train('W9', lstmModel, seqX, seqY),
    predict('W4', mlpInfer, d.x1, 1, 784),
    predict('W5', mlpInfer, d.x1024, bigBatch, 784),
    predict('W6', tinyInfer, d.tinyX1, 1, 4),
    {
      engine,
      workload: 'W7',
      how: 'matMul(a, b).dataSync() on tensors made once',
      measure: async (budget) =>
        measureSync(() => {
          const c = tf.matMul(gemmA, gemmB);
          keepTf(c.dataSync()[0]!);
          c.dispose();
        }, budget),
    },
  ];
  return {
    runners,
    dispose() {
      for (const m of models) {
        m.optimizer.dispose();
        m.dispose();
      }
      tf.dispose(owned);
    },
  };
}
