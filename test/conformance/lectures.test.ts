/**
 * The lectures' worked examples V1 and V2 (shared/reference/seed-vectors.md) through TF.js, as
 * a sanity check of the harness and of both engines: TF.js with the same inline weights must
 * reproduce the lecture's numbers after one step (so the TF.js side is set up right), and our
 * engine must agree with TF.js at the suite's tolerance over several steps.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from 'nnlang';
import { describeMismatch, worstMismatch } from './tolerance.js';

/** A lecture example: two sigmoid Dense layers without bias, mse, SGD, one sample. */
interface Lecture {
  name: string;
  kernels: [number[][], number[][]];
  lr: number;
  x: number[];
  y: number[];
  /** The lecture's numbers: loss before the step, both kernels after it (row-major). */
  loss: number;
  after: [number[], number[]];
}

const LECTURES: Lecture[] = [
  {
    name: 'V1: 2-2-2 sigmoid net, SGD 0.5 (seed 001)',
    kernels: [
      [
        [0.3, 0.4],
        [0.25, 0.35],
      ],
      [
        [0.45, 0.7],
        [0.4, 0.6],
      ],
    ],
    lr: 0.5,
    x: [0.1, 0.2],
    y: [0.4, 0.6],
    loss: 0.0239719,
    after: [
      [0.29959556, 0.39964496, 0.24919112, 0.34928991],
      [0.43703857, 0.69629578, 0.38685205, 0.59624247],
    ],
  },
  {
    name: 'V2: 2-2-1 sigmoid net, SGD 0.1 (seed 003)',
    kernels: [
      [
        [0.5, 0.3],
        [0.3, 0.6],
      ],
      [[0.5], [0.35]],
    ],
    lr: 0.1,
    x: [0.5, 0.7],
    y: [1],
    loss: 0.13726994,
    after: [
      [0.50102496, 0.30069786, 0.30143494, 0.60097701],
      [0.51059429, 0.36103929],
    ],
  },
];

/** The lecture's published numbers carry 8 decimals; float32 arithmetic meets them to 1e-6. */
const LECTURE_ATOL = 1e-6;
const STEPS = 3;

function tfjsModel(l: Lecture): tf.Sequential {
  const [k1, k2] = l.kernels;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: k1[0]!.length,
        activation: 'sigmoid',
        useBias: false,
        inputShape: [l.x.length],
      }),
      tf.layers.dense({ units: k2[0]!.length, activation: 'sigmoid', useBias: false }),
    ],
  });
  model.layers[0]!.setWeights([tf.tensor2d(k1)]);
  model.layers[1]!.setWeights([tf.tensor2d(k2)]);
  model.compile({ optimizer: tf.train.sgd(l.lr), loss: 'meanSquaredError' });
  return model;
}

const kernelsOf = (model: tf.LayersModel) =>
  model.layers.map((layer) => Float32Array.from(layer.getWeights()[0]!.dataSync()));

describe('the lectures’ examples through TF.js', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const l of LECTURES) {
    it(`${l.name}: TF.js reproduces the lecture, ours agrees with TF.js for ${STEPS} steps`, async () => {
      const literal = (m: number[][]) => JSON.stringify(m);
      const ours = loadModel(
        `Input(${l.x.length})
           -> Dense(${l.kernels[0][0]!.length}, sigmoid, use_bias=False, weights=[${literal(l.kernels[0])}])
           -> Dense(${l.kernels[1][0]!.length}, sigmoid, use_bias=False, weights=[${literal(l.kernels[1])}])
         compile(SGD(learning_rate=${l.lr}), mse)`,
        { seed: 1 },
      );
      const model = tfjsModel(l);
      const x = tf.tensor2d([l.x]);
      const y = tf.tensor2d([l.y]);
      const failures: string[] = [];
      const compare = (what: string, a: ArrayLike<number>, b: ArrayLike<number>) => {
        const m = worstMismatch(a, b);
        if (m.ratio > 1) failures.push(describeMismatch(what, m));
      };
      try {
        compare(
          'forward',
          ours.predict([l.x]),
          tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array),
        );
        for (let step = 1; step <= STEPS; step++) {
          const reference = (await model.trainOnBatch(x, y)) as number;
          compare(`loss at step ${step}`, [ours.trainOnBatch([l.x], [l.y])], [reference]);
          const theirs = kernelsOf(model);
          if (step === 1) {
            expect(Math.abs(reference - l.loss), 'TF.js loss vs the lecture').toBeLessThanOrEqual(
              LECTURE_ATOL,
            );
            theirs.forEach((k, i) =>
              k.forEach((v, j) =>
                expect(
                  Math.abs(v - l.after[i]![j]!),
                  `TF.js kernel ${i + 1}[${j}] vs the lecture`,
                ).toBeLessThanOrEqual(LECTURE_ATOL),
              ),
            );
          }
          ours
            .getWeights()
            .forEach((w, i) => compare(`kernel ${i + 1} after step ${step}`, w, theirs[i]!));
        }
      } finally {
        tf.dispose([x, y]);
        model.dispose();
      }
      expect(failures).toEqual([]);
    });
  }
});
