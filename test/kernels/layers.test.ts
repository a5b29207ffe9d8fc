import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dropoutBackward,
  dropoutForward,
  gaussianNoiseForward,
} from '../../src/kernels/dropout.js';
import {
  batchNormBackward,
  batchNormInferenceForward,
  batchNormTrainForward,
  layerNormBackward,
  layerNormForward,
  unitNormBackward,
  unitNormForward,
} from '../../src/kernels/normalization.js';
import { preluBackward, preluForward } from '../../src/kernels/prelu.js';
import { Rng } from '../../src/kernels/random.js';
import {
  expectClose,
  finiteDifference,
  naiveBatchNorm,
  naiveBatchNormTrain,
  naiveLayerNorm,
  naiveMoments,
  naivePrelu,
  naiveUnitNorm,
  randomArray,
} from './naive.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('dropout', () => {
  const N = 100_000;
  for (const rate of [0.1, 0.3, 0.5, 0.9]) {
    it(`rate ${rate}: keeps 1 − rate of ${N} (within 5σ), scales kept values by 1/(1 − rate)`, () => {
      const x = randomArray(new Rng(1), N, -2, 2);
      const y = new Float32Array(N);
      const mask = new Float32Array(N);
      dropoutForward(x, y, mask, N, rate, new Rng(42));
      const scale = Math.fround(1 / (1 - rate));
      let kept = 0;
      for (let i = 0; i < N; i++) {
        const m = mask[i]!;
        if (m !== 0 && m !== scale) expect.fail(`mask[${i}] = ${m}`);
        if (m !== 0) kept++;
        expect(y[i]).toBe(Math.fround(x[i]! * m));
      }
      const sigma = Math.sqrt((rate * (1 - rate)) / N);
      expect(Math.abs(kept / N - (1 - rate))).toBeLessThan(5 * sigma);
    });
  }
  it('gives the same mask for the same seed and a different one for another seed', () => {
    const x = randomArray(new Rng(2), 1000);
    const run = (seed: number): Float32Array => {
      const mask = new Float32Array(1000);
      dropoutForward(x, new Float32Array(1000), mask, 1000, 0.4, new Rng(seed));
      return mask;
    };
    expect(Array.from(run(7))).toEqual(Array.from(run(7)));
    expect(Array.from(run(7))).not.toEqual(Array.from(run(8)));
  });
  it('rate 0 is the identity and rate 1 gives zeros', () => {
    const x = randomArray(new Rng(3), 50);
    const y = new Float32Array(50);
    const mask = new Float32Array(50);
    dropoutForward(x, y, mask, 50, 0, new Rng(1));
    expect(Array.from(y)).toEqual(Array.from(x));
    dropoutForward(x, y, mask, 50, 1, new Rng(1));
    expect(Array.from(y).every((v) => v === 0)).toBe(true);
    expect(Array.from(mask).every((v) => v === 0)).toBe(true);
  });
  it('backward multiplies by the mask, in place too', () => {
    const x = randomArray(new Rng(4), 64);
    const mask = new Float32Array(64);
    dropoutForward(x, new Float32Array(64), mask, 64, 0.5, new Rng(5));
    const dy = randomArray(new Rng(6), 64);
    const dx = new Float32Array(64);
    dropoutBackward(dy, mask, dx, 64);
    expect(Array.from(dx)).toEqual(Array.from(dy, (g, i) => Math.fround(g * mask[i]!)));
    dropoutBackward(dy, mask, dy, 64);
    expect(Array.from(dy)).toEqual(Array.from(dx));
  });
});

describe('gaussian noise', () => {
  it('adds N(0, stddev²) noise: mean ≈ 0 and std ≈ stddev over 100k draws; same seed, same noise', () => {
    const N = 100_000;
    const stddev = 0.3;
    const x = randomArray(new Rng(1), N);
    const y = new Float32Array(N);
    gaussianNoiseForward(x, y, N, stddev, new Rng(9));
    let s = 0;
    let q = 0;
    for (let i = 0; i < N; i++) {
      const d = y[i]! - x[i]!;
      s += d;
      q += d * d;
    }
    const mean = s / N;
    const std = Math.sqrt(q / N - mean * mean);
    expect(Math.abs(mean)).toBeLessThan((5 * stddev) / Math.sqrt(N));
    expect(Math.abs(std - stddev) / stddev).toBeLessThan(0.01);
    const again = new Float32Array(N);
    gaussianNoiseForward(x, again, N, stddev, new Rng(9));
    expect(Array.from(again)).toEqual(Array.from(y));
  });
});

/** [rows, C, with gamma, with beta]. */
const NORM_CASES: [number, number, boolean, boolean][] = [
  [8, 5, true, true],
  [1, 4, true, true],
  [13, 1, true, true],
  [32, 7, false, true],
  [6, 3, true, false],
  [5, 6, false, false],
];

describe('batch normalization', () => {
  for (const [rows, C, hasGamma, hasBeta] of NORM_CASES) {
    const tag = `rows=${rows} C=${C} gamma=${hasGamma} beta=${hasBeta}`;
    const setup = (seed: number) => {
      const rng = new Rng(seed);
      const x = randomArray(rng, rows * C, -3, 5);
      const gamma = hasGamma ? randomArray(rng, C, 0.5, 2) : null;
      const beta = hasBeta ? randomArray(rng, C) : null;
      const movingMean = randomArray(rng, C);
      const movingVar = randomArray(rng, C, 0.5, 2);
      return { x, gamma, beta, movingMean, movingVar };
    };

    it(`training forward and moving averages vs the formula, ${tag}`, () => {
      const { x, gamma, beta, movingMean, movingVar } = setup(rows * 10 + C);
      const [momentum, epsilon] = [0.9, 1e-3];
      const mm0 = Array.from(movingMean);
      const mv0 = Array.from(movingVar);
      const y = new Float32Array(rows * C);
      const saveMean = new Float32Array(C);
      const saveInvStd = new Float32Array(C);
      batchNormTrainForward(
        x,
        y,
        gamma,
        beta,
        movingMean,
        movingVar,
        saveMean,
        saveInvStd,
        rows,
        C,
        momentum,
        epsilon,
      );
      expectClose(y, naiveBatchNormTrain(x, gamma, beta, rows, C, epsilon), 1e-5, 1e-5, 'y');
      const { mean, variance } = naiveMoments(x, rows, C, false);
      expectClose(saveMean, mean, 1e-6, 1e-6, 'saveMean');
      expectClose(
        saveInvStd,
        variance.map((v) => 1 / Math.sqrt(v + epsilon)),
        1e-6,
        0,
        'saveInvStd',
      );
      expectClose(
        movingMean,
        mm0.map((m, c) => m * momentum + mean[c]! * (1 - momentum)),
        1e-6,
        1e-7,
        'moving_mean',
      );
      expectClose(
        movingVar,
        mv0.map((v, c) => v * momentum + variance[c]! * (1 - momentum)),
        1e-6,
        1e-7,
        'moving_variance',
      );
      const inPlace = Float32Array.from(x);
      batchNormTrainForward(
        inPlace,
        inPlace,
        gamma,
        beta,
        new Float32Array(C),
        new Float32Array(C),
        saveMean,
        saveInvStd,
        rows,
        C,
        momentum,
        epsilon,
      );
      expect(Array.from(inPlace), 'y may be x').toEqual(Array.from(y));
    });

    it(`inference forward vs the naive twin, ${tag}`, () => {
      const { x, gamma, beta, movingMean, movingVar } = setup(rows * 20 + C);
      const y = new Float32Array(rows * C);
      batchNormInferenceForward(x, y, gamma, beta, movingMean, movingVar, rows, C, 1e-3);
      const want = naiveBatchNorm(
        x,
        gamma,
        beta,
        Array.from(movingMean),
        Array.from(movingVar),
        rows,
        C,
        1e-3,
      );
      expectClose(y, want, 1e-5, 1e-5, 'y');
    });

    if (rows > 1) {
      it(`backward through the batch statistics vs finite differences, ${tag}`, () => {
        const { x, gamma, beta, movingMean, movingVar } = setup(rows * 30 + C);
        const epsilon = 1e-3;
        const dy = randomArray(new Rng(rows + C), rows * C);
        const saveMean = new Float32Array(C);
        const saveInvStd = new Float32Array(C);
        batchNormTrainForward(
          x,
          new Float32Array(rows * C),
          gamma,
          beta,
          movingMean,
          movingVar,
          saveMean,
          saveInvStd,
          rows,
          C,
          0.99,
          epsilon,
        );
        const dx = new Float32Array(rows * C);
        const dgamma = new Float32Array(C);
        const dbeta = new Float32Array(C);
        batchNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, rows, C);
        const fdX = finiteDifference(
          (p) => naiveBatchNormTrain(p, gamma, beta, rows, C, epsilon),
          x,
          dy,
        );
        expectClose(dx, fdX, 1e-4, 1e-5, 'dx');
        const g = gamma ?? new Float32Array(C).fill(1);
        const fdGamma = finiteDifference(
          (p) => naiveBatchNormTrain(x, p, beta, rows, C, epsilon),
          g,
          dy,
        );
        const fdBeta = finiteDifference(
          (p) => naiveBatchNormTrain(x, gamma, p, rows, C, epsilon),
          beta ?? new Float32Array(C),
          dy,
        );
        expectClose(dgamma, fdGamma, 1e-4, 1e-5, 'dgamma');
        expectClose(dbeta, fdBeta, 1e-4, 1e-5, 'dbeta');
        const inPlace = Float32Array.from(dy);
        batchNormBackward(x, inPlace, gamma, saveMean, saveInvStd, inPlace, null, null, rows, C);
        expect(Array.from(inPlace), 'dx may be dy').toEqual(Array.from(dx));
      });
    }
  }

  it('matches tf.layers.batchNormalization in training (output and moving statistics) and inference', () => {
    const [rows, C, momentum, epsilon] = [16, 6, 0.8, 1e-3];
    const rng = new Rng(77);
    const x = randomArray(rng, rows * C, -2, 4);
    const gamma = randomArray(rng, C, 0.5, 2);
    const beta = randomArray(rng, C);
    const movingMean = randomArray(rng, C);
    const movingVar = randomArray(rng, C, 0.5, 2);
    const layer = tf.layers.batchNormalization({ axis: -1, momentum, epsilon });
    const xt = tf.tensor2d(x, [rows, C]);
    layer.build(xt.shape);
    layer.setWeights([
      tf.tensor1d(gamma),
      tf.tensor1d(beta),
      tf.tensor1d(movingMean),
      tf.tensor1d(movingVar),
    ]);
    const tfInference = (layer.apply(xt, { training: false }) as tf.Tensor).dataSync();
    const tfTrain = (layer.apply(xt, { training: true }) as tf.Tensor).dataSync();
    const [, , tfMovingMean, tfMovingVar] = layer.getWeights().map((w) => w.dataSync());

    const yInference = new Float32Array(rows * C);
    batchNormInferenceForward(x, yInference, gamma, beta, movingMean, movingVar, rows, C, epsilon);
    expectClose(yInference, tfInference, 1e-5, 1e-5, 'inference');
    const y = new Float32Array(rows * C);
    batchNormTrainForward(
      x,
      y,
      gamma,
      beta,
      movingMean,
      movingVar,
      new Float32Array(C),
      new Float32Array(C),
      rows,
      C,
      momentum,
      epsilon,
    );
    expectClose(y, tfTrain, 1e-5, 1e-5, 'training');
    expectClose(movingMean, tfMovingMean!, 1e-5, 1e-6, 'moving_mean');
    expectClose(movingVar, tfMovingVar!, 1e-5, 1e-6, 'moving_variance');
  });
});

describe('layer normalization', () => {
  for (const rms of [false, true]) {
    for (const [rows, C, hasGamma, hasBeta] of NORM_CASES) {
      if (C === 1) continue;
      const tag = `rows=${rows} C=${C} gamma=${hasGamma} beta=${hasBeta}${rms ? ' rms_scaling' : ''}`;
      it(`forward and backward vs the naive twin and finite differences, ${tag}`, () => {
        const rng = new Rng(rows * 100 + C + (rms ? 7 : 0));
        const x = randomArray(rng, rows * C, -3, 5);
        const gamma = hasGamma ? randomArray(rng, C, 0.5, 2) : null;
        const beta = hasBeta && !rms ? randomArray(rng, C) : null;
        const dy = randomArray(rng, rows * C);
        const epsilon = 1e-3;
        const y = new Float32Array(rows * C);
        const saveMean = new Float32Array(rows);
        const saveInvStd = new Float32Array(rows);
        layerNormForward(x, y, gamma, beta, saveMean, saveInvStd, rows, C, epsilon, rms);
        const naive = (
          p: ArrayLike<number>,
          g: ArrayLike<number> | null,
          b: ArrayLike<number> | null,
        ) => naiveLayerNorm(p, g, b, rows, C, epsilon, rms);
        expectClose(y, naive(x, gamma, beta), 1e-5, 1e-5, 'y');

        const dx = new Float32Array(rows * C);
        const dgamma = new Float32Array(C);
        const dbeta = new Float32Array(C);
        layerNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, rows, C, rms);
        expectClose(
          dx,
          finiteDifference((p) => naive(p, gamma, beta), x, dy),
          1e-4,
          1e-5,
          'dx',
        );
        const g = gamma ?? new Float32Array(C).fill(1);
        expectClose(
          dgamma,
          finiteDifference((p) => naive(x, p, beta), g, dy),
          1e-4,
          1e-5,
          'dgamma',
        );
        if (!rms) {
          const b = beta ?? new Float32Array(C);
          expectClose(
            dbeta,
            finiteDifference((p) => naive(x, gamma, p), b, dy),
            1e-4,
            1e-5,
            'dbeta',
          );
        }
        const inPlace = Float32Array.from(dy);
        layerNormBackward(
          x,
          inPlace,
          gamma,
          saveMean,
          saveInvStd,
          inPlace,
          null,
          null,
          rows,
          C,
          rms,
        );
        expect(Array.from(inPlace), 'dx may be dy').toEqual(Array.from(dx));
      });
    }
  }

  it('matches tf.layers.layerNormalization, forward and input gradient', () => {
    const [rows, C, epsilon] = [9, 7, 1e-3];
    const rng = new Rng(88);
    const x = randomArray(rng, rows * C, -2, 4);
    const gamma = randomArray(rng, C, 0.5, 2);
    const beta = randomArray(rng, C);
    const dy = randomArray(rng, rows * C);
    const layer = tf.layers.layerNormalization({ axis: -1, epsilon });
    const xt = tf.tensor2d(x, [rows, C]);
    layer.build(xt.shape);
    layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta)]);
    const dyt = tf.tensor2d(dy, [rows, C]);
    const tfY = (layer.apply(xt) as tf.Tensor).dataSync();
    const tfDx = tf
      .grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, dyt)))(xt)
      .dataSync();

    const y = new Float32Array(rows * C);
    const saveMean = new Float32Array(rows);
    const saveInvStd = new Float32Array(rows);
    layerNormForward(x, y, gamma, beta, saveMean, saveInvStd, rows, C, epsilon);
    const dx = new Float32Array(rows * C);
    layerNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, null, null, rows, C);
    expectClose(y, tfY, 1e-5, 1e-5, 'forward');
    expectClose(dx, tfDx, 1e-4, 1e-5, 'gradient');
  });
});

describe('unit normalization', () => {
  it('forward and backward vs the naive twin and finite differences', () => {
    const [rows, C] = [7, 5];
    const rng = new Rng(5);
    const x = randomArray(rng, rows * C, -3, 3);
    const dy = randomArray(rng, rows * C);
    const y = new Float32Array(rows * C);
    unitNormForward(x, y, rows, C);
    expectClose(y, naiveUnitNorm(x, rows, C), 1e-6, 1e-7, 'y');
    const dx = new Float32Array(rows * C);
    unitNormBackward(x, dy, dx, rows, C);
    expectClose(
      dx,
      finiteDifference((p) => naiveUnitNorm(p, rows, C), x, dy),
      1e-4,
      1e-6,
      'dx',
    );
  });
  it('leaves an all-zero row at zero with gradient dy·1e12 (the norm is floored at 1e-12)', () => {
    const x = new Float32Array(3);
    const y = Float32Array.of(9, 9, 9);
    unitNormForward(x, y, 1, 3);
    expect(Array.from(y)).toEqual([0, 0, 0]);
    const dx = new Float32Array(3);
    unitNormBackward(x, Float32Array.of(1, -2, 0.5), dx, 1, 3);
    expectClose(dx, [1e12, -2e12, 0.5e12], 1e-6, 0, 'dx');
  });
});

describe('prelu', () => {
  /** featureSize positions of a [2, 3] sample: no sharing, and shared_axes=[2] (alpha per row of the sample). */
  const maps: [string, number[], number][] = [
    ['per position', [0, 1, 2, 3, 4, 5], 6],
    ['shared over the last axis', [0, 0, 0, 1, 1, 1], 2],
  ];
  for (const [what, index, alphaSize] of maps) {
    it(`forward, dx and dalpha vs the naive twin and finite differences, ${what}`, () => {
      const rows = 5;
      const featureSize = index.length;
      const rng = new Rng(alphaSize);
      const x = randomArray(rng, rows * featureSize, -2, 2);
      const alpha = randomArray(rng, alphaSize, 0, 0.5);
      const alphaIndex = Int32Array.from(index);
      const dy = randomArray(rng, rows * featureSize);
      const y = new Float32Array(x.length);
      preluForward(x, alpha, alphaIndex, y, rows, featureSize);
      expectClose(y, naivePrelu(x, alpha, alphaIndex, rows, featureSize), 1e-6, 1e-7, 'y');
      const dx = new Float32Array(x.length);
      const dalpha = Float32Array.from({ length: alphaSize }, () => 99);
      preluBackward(x, alpha, alphaIndex, dy, dx, dalpha, rows, featureSize);
      expectClose(
        dx,
        finiteDifference((p) => naivePrelu(p, alpha, alphaIndex, rows, featureSize), x, dy),
        1e-5,
        1e-6,
        'dx',
      );
      const fdAlpha = finiteDifference(
        (p) => naivePrelu(x, p, alphaIndex, rows, featureSize),
        alpha,
        dy,
      );
      expectClose(dalpha, fdAlpha, 1e-5, 1e-6, 'dalpha');
    });
  }
  it('matches tf.prelu forward and gradients', () => {
    const [rows, featureSize] = [4, 3];
    const rng = new Rng(12);
    const x = randomArray(rng, rows * featureSize, -2, 2);
    const alpha = randomArray(rng, featureSize, 0, 0.5);
    const dy = randomArray(rng, rows * featureSize);
    const xt: tf.Tensor = tf.tensor2d(x, [rows, featureSize]);
    const at: tf.Tensor = tf.tensor1d(alpha);
    const dyt = tf.tensor2d(dy, [rows, featureSize]);
    const tfY = tf.prelu(xt, at).dataSync();
    const [tfDx, tfDalpha] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.prelu(a, b), dyt)),
    )([xt, at]);
    const alphaIndex = Int32Array.of(0, 1, 2);
    const y = new Float32Array(x.length);
    preluForward(x, alpha, alphaIndex, y, rows, featureSize);
    const dx = new Float32Array(x.length);
    const dalpha = new Float32Array(featureSize);
    preluBackward(x, alpha, alphaIndex, dy, dx, dalpha, rows, featureSize);
    expectClose(y, tfY, 1e-6, 1e-7, 'y');
    expectClose(dx, tfDx!.dataSync(), 1e-6, 1e-7, 'dx');
    expectClose(dalpha, tfDalpha!.dataSync(), 1e-5, 1e-6, 'dalpha');
  });
});
