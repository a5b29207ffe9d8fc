import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/kernels/random.js';
import {
  lossForward,
  lossGradient,
  resolveLoss,
  sigmoidBinaryCrossEntropyGrad,
  softmaxCrossEntropyGrad,
  type LossSpec,
} from '../../src/kernels/losses.js';
import { naiveLoss, naiveSigmoid, naiveSoftmax, type NaiveLossOptions } from './loss-naive.js';

// ---------------------------------------------------------------------------------------------
// Data: float32-representable values, generated away from the kinks of max/abs/clip so that
// central differences are meaningful.

type Gen = (rng: Rng, rows: number, cols: number) => { yTrue: number[][]; yPred: number[][] };

const f32 = Math.fround;
const matrix = (rows: number, cols: number, f: (r: number, j: number) => number): number[][] =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, j) => f32(f(r, j))));
const awayFrom = (rng: Rng, kink: number, draw: () => number, gap = 0.02): number => {
  for (;;) {
    const v = draw();
    if (Math.abs(v - kink) > gap) return v;
  }
};

const gens: Record<string, Gen> = {
  regression: (rng, rows, cols) => {
    const yTrue = matrix(rows, cols, () => rng.normal() * 2);
    const yPred = matrix(
      rows,
      cols,
      (r, j) => yTrue[r]![j]! + awayFrom(rng, 0, () => rng.normal()),
    );
    return { yTrue, yPred };
  },
  huber: (rng, rows, cols) => {
    const yTrue = matrix(rows, cols, () => rng.normal());
    // |e| away from 0 and from delta (1.0 or 0.5 in the cases below)
    const magnitude = (): number => {
      for (;;) {
        const m = Math.abs(rng.normal() * 1.5);
        if (m > 0.02 && Math.abs(m - 1) > 0.02 && Math.abs(m - 0.5) > 0.02) return m;
      }
    };
    const yPred = matrix(
      rows,
      cols,
      (r, j) => yTrue[r]![j]! + (rng.uniform() < 0.5 ? -1 : 1) * magnitude(),
    );
    return { yTrue, yPred };
  },
  positive: (rng, rows, cols) => ({
    yTrue: matrix(rows, cols, () => rng.uniform() * 3),
    yPred: matrix(rows, cols, () => 0.05 + rng.uniform() * 3),
  }),
  distribution: (rng, rows, cols) => ({
    yTrue: matrix(rows, cols, () => 0.01 + rng.uniform()),
    yPred: matrix(rows, cols, () => 0.02 + rng.uniform() * 0.95),
  }),
  binaryProbs: (rng, rows, cols) => ({
    yTrue: matrix(rows, cols, () => (rng.uniform() < 0.5 ? 0 : 1)),
    yPred: matrix(rows, cols, () => 0.02 + rng.uniform() * 0.96),
  }),
  softBinaryProbs: (rng, rows, cols) => ({
    yTrue: matrix(rows, cols, () => rng.uniform()),
    yPred: matrix(rows, cols, () => 0.02 + rng.uniform() * 0.96),
  }),
  binaryLogits: (rng, rows, cols) => ({
    yTrue: matrix(rows, cols, () => (rng.uniform() < 0.5 ? 0 : 1)),
    yPred: matrix(rows, cols, () => rng.normal() * 3),
  }),
  // unnormalized positive scores: the renormalization p/Σp is part of what is tested
  oneHotScores: (rng, rows, cols) => {
    const hot = Array.from({ length: rows }, () => rng.below(cols));
    return {
      yTrue: matrix(rows, cols, (r, j) => (j === hot[r] ? 1 : 0)),
      yPred: matrix(rows, cols, () => 0.05 + rng.uniform() * 2),
    };
  },
  softScores: (rng, rows, cols) => ({
    yTrue: matrix(rows, cols, () => rng.uniform()),
    yPred: matrix(rows, cols, () => 0.05 + rng.uniform() * 2),
  }),
  oneHotLogits: (rng, rows, cols) => {
    const hot = Array.from({ length: rows }, () => rng.below(cols));
    return {
      yTrue: matrix(rows, cols, (r, j) => (j === hot[r] ? 1 : 0)),
      yPred: matrix(rows, cols, () => rng.normal() * 2),
    };
  },
  sparseScores: (rng, rows, cols) => ({
    yTrue: matrix(rows, 1, () => rng.below(cols)),
    yPred: matrix(rows, cols, () => 0.05 + rng.uniform() * 2),
  }),
  sparseLogits: (rng, rows, cols) => ({
    yTrue: matrix(rows, 1, () => rng.below(cols)),
    yPred: matrix(rows, cols, () => rng.normal() * 2),
  }),
  // class 0 is the ignored one in the ignore_class cases
  sparseWithIgnored: (rng, rows, cols) => ({
    yTrue: matrix(rows, 1, (r) => (r % 3 === 1 ? 0 : 1 + rng.below(cols - 1))),
    yPred: matrix(rows, cols, () => rng.normal() * 2),
  }),
  hinge01: (rng, rows, cols) => {
    const yTrue = matrix(rows, cols, () => (rng.uniform() < 0.5 ? 0 : 1));
    const yPred = matrix(rows, cols, (r, j) => {
      const t = 2 * yTrue[r]![j]! - 1;
      return awayFrom(rng, 1, () => rng.normal() * 2) * t; // t·p away from 1: the margin's kink
    });
    return { yTrue, yPred };
  },
  hingeReal: (rng, rows, cols) => {
    const yTrue = matrix(rows, cols, () => rng.normal());
    const yPred = matrix(rows, cols, (r, j) => {
      for (;;) {
        const p = rng.normal() * 2;
        if (Math.abs(1 - yTrue[r]![j]! * p) > 0.02) return p;
      }
    });
    return { yTrue, yPred };
  },
  categoricalHinge: (rng, rows, cols) => {
    for (;;) {
      const { yTrue, yPred } = gens['oneHotLogits']!(rng, rows, cols);
      const ok = yPred.every((p, r) => {
        const y = yTrue[r]!;
        const pos = p.reduce((a, v, j) => a + y[j]! * v, 0);
        const neg = Math.max(...p.map((v, j) => (1 - y[j]!) * v));
        return Math.abs(neg - pos + 1) > 0.02;
      });
      if (ok) return { yTrue, yPred };
    }
  },
};

// ---------------------------------------------------------------------------------------------
// The table: every loss with its argument variants. `args` are Keras keyword arguments.

interface Case {
  loss: string;
  args: Record<string, unknown>;
  gen: string;
}

const CASES: Case[] = [
  { loss: 'mean_squared_error', args: {}, gen: 'regression' },
  { loss: 'mean_absolute_error', args: {}, gen: 'regression' },
  { loss: 'mean_absolute_percentage_error', args: {}, gen: 'regression' },
  { loss: 'mean_squared_logarithmic_error', args: {}, gen: 'positive' },
  { loss: 'binary_crossentropy', args: {}, gen: 'binaryProbs' },
  { loss: 'binary_crossentropy', args: { label_smoothing: 0.2 }, gen: 'binaryProbs' },
  { loss: 'binary_crossentropy', args: {}, gen: 'softBinaryProbs' },
  { loss: 'binary_crossentropy', args: { from_logits: true }, gen: 'binaryLogits' },
  {
    loss: 'binary_crossentropy',
    args: { from_logits: true, label_smoothing: 0.1 },
    gen: 'binaryLogits',
  },
  { loss: 'categorical_crossentropy', args: {}, gen: 'oneHotScores' },
  { loss: 'categorical_crossentropy', args: { label_smoothing: 0.1 }, gen: 'oneHotScores' },
  { loss: 'categorical_crossentropy', args: {}, gen: 'softScores' },
  { loss: 'categorical_crossentropy', args: { from_logits: true }, gen: 'oneHotLogits' },
  {
    loss: 'categorical_crossentropy',
    args: { from_logits: true, label_smoothing: 0.3 },
    gen: 'oneHotLogits',
  },
  { loss: 'sparse_categorical_crossentropy', args: {}, gen: 'sparseScores' },
  { loss: 'sparse_categorical_crossentropy', args: { from_logits: true }, gen: 'sparseLogits' },
  {
    loss: 'sparse_categorical_crossentropy',
    args: { from_logits: true, ignore_class: 0 },
    gen: 'sparseWithIgnored',
  },
  { loss: 'binary_focal_crossentropy', args: {}, gen: 'binaryProbs' },
  {
    loss: 'binary_focal_crossentropy',
    args: { apply_class_balancing: true, alpha: 0.3, gamma: 3 },
    gen: 'binaryProbs',
  },
  {
    loss: 'binary_focal_crossentropy',
    args: { from_logits: true, label_smoothing: 0.1 },
    gen: 'binaryLogits',
  },
  { loss: 'binary_focal_crossentropy', args: { gamma: 0.5 }, gen: 'softBinaryProbs' },
  { loss: 'categorical_focal_crossentropy', args: {}, gen: 'oneHotScores' },
  {
    loss: 'categorical_focal_crossentropy',
    args: { alpha: 0.5, gamma: 1.5, label_smoothing: 0.2 },
    gen: 'softScores',
  },
  { loss: 'categorical_focal_crossentropy', args: { from_logits: true }, gen: 'oneHotLogits' },
  { loss: 'hinge', args: {}, gen: 'hinge01' },
  { loss: 'hinge', args: {}, gen: 'hingeReal' },
  { loss: 'squared_hinge', args: {}, gen: 'hinge01' },
  { loss: 'squared_hinge', args: {}, gen: 'hingeReal' },
  { loss: 'categorical_hinge', args: {}, gen: 'categoricalHinge' },
  { loss: 'huber', args: {}, gen: 'huber' },
  { loss: 'huber', args: { delta: 0.5 }, gen: 'huber' },
  { loss: 'log_cosh', args: {}, gen: 'regression' },
  { loss: 'kl_divergence', args: {}, gen: 'distribution' },
  { loss: 'poisson', args: {}, gen: 'positive' },
  { loss: 'cosine_similarity', args: {}, gen: 'regression' },
];

const REDUCTIONS = ['sum_over_batch_size', 'sum', 'mean', 'mean_with_sample_weight', 'none'];

function naiveOptions(spec: LossSpec, sampleWeight: number[] | null): NaiveLossOptions {
  return {
    fromLogits: spec.fromLogits,
    labelSmoothing: spec.labelSmoothing,
    delta: spec.delta,
    ignoreClass: spec.ignoreClass,
    alpha: spec.alpha,
    gamma: spec.gamma,
    applyClassBalancing: spec.applyClassBalancing,
    reduction: spec.reduction,
    sampleWeight,
  };
}

const flat = (m: number[][]): Float32Array => Float32Array.from(m.flat());

function expectClose(actual: number, expected: number, rel: number, abs = 1e-9): void {
  const tol = abs + rel * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`expected ${actual} to be within ${tol} of ${expected}`);
  }
}

function caseData(c: Case, seed: number, rows = 5, cols = 4) {
  const rng = new Rng(seed);
  const { yTrue, yPred } = gens[c.gen]!(rng, rows, cols);
  const weights = Array.from({ length: rows }, () => f32(0.25 + rng.uniform()));
  return { yTrue, yPred, weights, rows, cols };
}

const caseName = (c: Case) => `${c.loss}(${JSON.stringify(c.args)}) on ${c.gen}`;

/** Keras's mask on y_pred (Embedding(mask_zero=True)): rows 1 and 3 of caseData's 5 are padding. */
const MASKED_ROWS = [1, 0, 1, 0, 1];

describe('lossForward equals the float64 twin', () => {
  for (const c of CASES) {
    it(caseName(c), () => {
      for (const reduction of REDUCTIONS) {
        for (const [weighted, mask] of [
          [false, null],
          [true, null],
          [false, MASKED_ROWS],
          [true, MASKED_ROWS],
        ] as const) {
          const spec = resolveLoss(c.loss, { ...c.args, reduction });
          const { yTrue, yPred, weights, rows, cols } = caseData(c, 11);
          const sw = weighted ? weights : null;
          const expected = naiveLoss(c.loss, yTrue, yPred, { ...naiveOptions(spec, sw), mask });
          const perSample = new Float32Array(rows);
          const value = lossForward(
            spec,
            flat(yTrue),
            flat(yPred),
            rows,
            cols,
            perSample,
            sw ? Float32Array.from(sw) : null,
            mask ? Float32Array.from(mask) : null,
          );
          expectClose(value, expected.value, 1e-6);
          for (let r = 0; r < rows; r++)
            expectClose(perSample[r]!, expected.perSample[r]!, 1e-6, 1e-7);
        }
      }
    });
  }
});

/** ∂(the twin's trained value)/∂yPred by central differences, row-major. */
function centralDifferences(
  loss: string,
  yTrue: number[][],
  yPred: number[][],
  opts: NaiveLossOptions,
): number[] {
  return yPred.flatMap((row, r) =>
    row.map((v, j) => {
      const h = 1e-6 * Math.max(1, Math.abs(v));
      const plus = yPred.map((x) => x.slice());
      const minus = yPred.map((x) => x.slice());
      plus[r]![j]! += h;
      minus[r]![j]! -= h;
      const up = naiveLoss(loss, yTrue, plus, opts).trainValue;
      return (up - naiveLoss(loss, yTrue, minus, opts).trainValue) / (2 * h);
    }),
  );
}

describe('lossGradient equals central differences of the float64 twin', () => {
  for (const c of CASES) {
    it(caseName(c), () => {
      for (const reduction of ['sum_over_batch_size', 'sum', 'mean_with_sample_weight', 'none']) {
        const spec = resolveLoss(c.loss, { ...c.args, reduction });
        const { yTrue, yPred, weights, rows, cols } = caseData(c, 23);
        const sw = reduction === 'mean_with_sample_weight' ? weights : null;
        const grad = new Float32Array(rows * cols);
        lossGradient(
          spec,
          flat(yTrue),
          flat(yPred),
          grad,
          rows,
          cols,
          sw ? Float32Array.from(sw) : null,
        );
        const fd = centralDifferences(c.loss, yTrue, yPred, naiveOptions(spec, sw));
        fd.forEach((e, i) => expectClose(grad[i]!, e, 2e-5, 2e-7));
      }
    });
  }
});

describe("Keras's mask on y_pred (Embedding(mask_zero=True)): apply_mask as loss.py", () => {
  // The value is checked with the others above; here the gradient: zero on masked rows.
  const mask = MASKED_ROWS;
  for (const c of CASES) {
    it(caseName(c), () => {
      for (const reduction of REDUCTIONS) {
        for (const weighted of [false, true]) {
          const spec = resolveLoss(c.loss, { ...c.args, reduction });
          const { yTrue, yPred, weights, rows, cols } = caseData(c, 31);
          const sw = weighted ? weights : null;
          const grad = new Float32Array(rows * cols).fill(NaN);
          const swArray = sw ? Float32Array.from(sw) : null;
          const m = Float32Array.from(mask);
          lossGradient(spec, flat(yTrue), flat(yPred), grad, rows, cols, swArray, m);
          const opts = { ...naiveOptions(spec, sw), mask };
          centralDifferences(c.loss, yTrue, yPred, opts).forEach((e, i) => {
            if (mask[Math.floor(i / cols)] === 0) expect(grad[i]).toBe(0);
            else expectClose(grad[i]!, e, 2e-5, 2e-7);
          });
        }
      }
    });
  }

  it('a batch whose every row is masked gives 0 and no gradient, as divide_no_nan does', () => {
    const spec = resolveLoss('mse');
    const none = new Float32Array(2);
    const grad = new Float32Array(4).fill(NaN);
    const [yTrue, yPred] = [Float32Array.of(1, 2, 3, 4), Float32Array.of(0, 0, 0, 0)];
    expect(lossForward(spec, yTrue, yPred, 2, 2, undefined, null, none)).toBe(0);
    lossGradient(spec, yTrue, yPred, grad, 2, 2, null, none);
    expect(Array.from(grad)).toEqual([0, 0, 0, 0]);
  });

  it('by hand: MSE over the unmasked rows only', () => {
    // rows [(1−0)² + (1−0)²]/2 = 1 (kept), [(5−0)²…] (masked), [(2−0)² + 0]/2 = 2 (kept)
    const spec = resolveLoss('mse');
    const yTrue = Float32Array.of(1, 1, 5, 5, 2, 0);
    const value = lossForward(
      spec,
      yTrue,
      new Float32Array(6),
      3,
      2,
      undefined,
      null,
      Float32Array.of(1, 0, 1),
    );
    expect(value).toBe(1.5); // (1 + 2) / 2 valid rows, not / 3
  });
});

// ---------------------------------------------------------------------------------------------
// TF.js's Keras-style loss functions (tfjs-layers/src/losses.ts), where they agree with Keras 3.

type TfLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
let tfl: Record<string, TfLoss>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tfl = (await import('@tensorflow/tfjs-layers/dist/losses.js')) as unknown as Record<
    string,
    TfLoss
  >;
});

interface TfCase {
  loss: string;
  tfjs: string;
  gen: string;
  args?: Record<string, unknown>;
  note?: string;
}

const TF_CASES: TfCase[] = [
  { loss: 'mean_squared_error', tfjs: 'meanSquaredError', gen: 'regression' },
  { loss: 'mean_absolute_error', tfjs: 'meanAbsoluteError', gen: 'regression' },
  {
    loss: 'mean_absolute_percentage_error',
    tfjs: 'meanAbsolutePercentageError',
    gen: 'regression',
  },
  { loss: 'mean_squared_logarithmic_error', tfjs: 'meanSquaredLogarithmicError', gen: 'positive' },
  // TF.js computes BCE as sigmoid-CE on log(q/(1−q)) of the clipped q: the same function.
  { loss: 'binary_crossentropy', tfjs: 'binaryCrossentropy', gen: 'softBinaryProbs' },
  { loss: 'categorical_crossentropy', tfjs: 'categoricalCrossentropy', gen: 'oneHotScores' },
  // TF.js's sparse CE clips before renormalizing; equal to Keras's for probabilities summing to 1.
  {
    loss: 'sparse_categorical_crossentropy',
    tfjs: 'sparseCategoricalCrossentropy',
    gen: 'sparseNormalized',
  },
  // TF.js's hinge does not map {0, 1} targets to ±1: compared on ±1 targets only.
  { loss: 'hinge', tfjs: 'hinge', gen: 'plusMinusOne' },
  { loss: 'squared_hinge', tfjs: 'squaredHinge', gen: 'plusMinusOne' },
  { loss: 'categorical_hinge', tfjs: 'categoricalHinge', gen: 'categoricalHinge' },
  { loss: 'log_cosh', tfjs: 'logcosh', gen: 'regression' },
  // TF.js multiplies by the unclipped y: equal for y ≥ eps.
  { loss: 'kl_divergence', tfjs: 'kullbackLeiblerDivergence', gen: 'distribution' },
  { loss: 'poisson', tfjs: 'poisson', gen: 'positive' },
  // TF.js normalizes by sqrt(max(Σx², eps)), Keras by max(‖x‖, eps): equal for ‖x‖² ≥ eps.
  { loss: 'cosine_similarity', tfjs: 'cosineProximity', gen: 'regression' },
];

gens['sparseNormalized'] = (rng, rows, cols) => {
  const { yTrue, yPred } = gens['sparseScores']!(rng, rows, cols);
  return { yTrue, yPred: yPred.map((row) => naiveSoftmax(row).map(f32)) };
};
gens['plusMinusOne'] = (rng, rows, cols) => ({
  yTrue: matrix(rows, cols, () => (rng.uniform() < 0.5 ? -1 : 1)),
  yPred: matrix(rows, cols, () => rng.normal() * 2),
});

describe('per-sample losses equal TF.js where TF.js matches Keras 3', () => {
  for (const c of TF_CASES) {
    it(`${c.loss} vs tfjs ${c.tfjs}`, () => {
      const rows = 6;
      const cols = 5;
      const { yTrue, yPred } = gens[c.gen]!(new Rng(5), rows, cols);
      const spec = resolveLoss(c.loss, { reduction: 'none' });
      const perSample = new Float32Array(rows);
      lossForward(spec, flat(yTrue), flat(yPred), rows, cols, perSample);
      const sparse = c.loss === 'sparse_categorical_crossentropy';
      const expected = tf.tidy(() =>
        tfl[c.tfjs]!(tf.tensor2d(yTrue, [rows, sparse ? 1 : cols]), tf.tensor2d(yPred)).dataSync(),
      );
      for (let r = 0; r < rows; r++) expectClose(perSample[r]!, expected[r]!, 2e-5, 2e-6);
    });
  }

  it('hinge maps all-{0,1} targets to ±1 (Keras 3), which TF.js does not', () => {
    // y = [[0, 1]], p = [[0.3, -0.2]]: Keras uses t = [-1, 1]: mean(max(1 + 0.3, 0), max(1 - 0.2·-1... ))
    // = mean(1.3, 1.2) = 1.25; TF.js uses t = [0, 1]: mean(1, 1.2) = 1.1.
    const spec = resolveLoss('hinge');
    const value = lossForward(spec, Float32Array.of(0, 1), Float32Array.of(0.3, -0.2), 1, 2);
    expectClose(value, 1.25, 1e-6);
    const tfValue = tf.tidy(
      () => tfl['hinge']!(tf.tensor2d([[0, 1]]), tf.tensor2d([[0.3, -0.2]])).dataSync()[0]!,
    );
    expectClose(tfValue, 1.1, 1e-6);
  });
});

// ---------------------------------------------------------------------------------------------
// Values printed in the docstrings of keras/src/losses/losses.py (Keras's own output, rounded
// as printed there).

interface DocCase {
  loss: string;
  args: Record<string, unknown>;
  yTrue: number[][];
  yPred: number[][];
  expected: number[];
}

const DOC_CASES: DocCase[] = [
  {
    loss: 'BinaryFocalCrossentropy',
    args: { gamma: 2, from_logits: true },
    yTrue: [[0, 1, 0, 0]],
    yPred: [[-18.6, 0.51, 2.94, -12.8]],
    expected: [0.691],
  },
  {
    loss: 'BinaryFocalCrossentropy',
    args: { apply_class_balancing: true, gamma: 2, from_logits: true },
    yTrue: [[0, 1, 0, 0]],
    yPred: [[-18.6, 0.51, 2.94, -12.8]],
    expected: [0.51],
  },
  {
    loss: 'BinaryFocalCrossentropy',
    args: { gamma: 3, from_logits: true },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [-18.6, 0.51],
      [2.94, -12.8],
    ],
    expected: [0.647],
  },
  {
    loss: 'BinaryFocalCrossentropy',
    args: { apply_class_balancing: true, gamma: 3, from_logits: true },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [-18.6, 0.51],
      [2.94, -12.8],
    ],
    expected: [0.482],
  },
  {
    loss: 'BinaryFocalCrossentropy',
    args: { gamma: 4, from_logits: true, reduction: 'sum' },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [-18.6, 0.51],
      [2.94, -12.8],
    ],
    expected: [1.222],
  },
  {
    loss: 'BinaryFocalCrossentropy',
    args: { apply_class_balancing: true, gamma: 4, from_logits: true, reduction: 'sum' },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [-18.6, 0.51],
      [2.94, -12.8],
    ],
    expected: [0.914],
  },
  {
    loss: 'BinaryFocalCrossentropy',
    args: { gamma: 5, from_logits: true, reduction: null },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [-18.6, 0.51],
      [2.94, -12.8],
    ],
    expected: [0.0017, 1.1561],
  },
  {
    loss: 'BinaryFocalCrossentropy',
    args: { apply_class_balancing: true, gamma: 5, from_logits: true, reduction: null },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [-18.6, 0.51],
      [2.94, -12.8],
    ],
    expected: [0.0004, 0.867],
  },
  {
    loss: 'binary_focal_crossentropy',
    args: { gamma: 2, reduction: null },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected: [0.33, 0.206],
  },
  {
    loss: 'CategoricalFocalCrossentropy',
    args: {},
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: [0.23315276],
  },
  {
    loss: 'CategoricalFocalCrossentropy',
    args: { reduction: 'sum' },
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: [0.46631],
  },
  {
    loss: 'CategoricalFocalCrossentropy',
    args: { reduction: null },
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: [3.2058331e-5, 0.46627346],
  },
  {
    loss: 'categorical_focal_crossentropy',
    args: { reduction: null },
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.9, 0.05],
      [0.1, 0.85, 0.05],
    ],
    expected: [2.63401289e-4, 0.675912094],
  },
  {
    loss: 'CategoricalCrossentropy',
    args: {},
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: [1.177],
  },
  {
    loss: 'CategoricalCrossentropy',
    args: { reduction: 'sum' },
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: [2.354],
  },
  {
    loss: 'categorical_crossentropy',
    args: { reduction: null },
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: [0.0513, 2.303],
  },
  {
    loss: 'sparse_categorical_crossentropy',
    args: { reduction: null },
    yTrue: [[1], [2]],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: [0.0513, 2.303],
  },
  {
    loss: 'binary_crossentropy',
    args: { reduction: null },
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected: [0.916, 0.714],
  },
  {
    loss: 'huber',
    args: {},
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected: [0.155],
  },
  {
    loss: 'log_cosh',
    args: {},
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: [0.108],
  },
  {
    loss: 'cosine_similarity',
    args: { reduction: null },
    yTrue: [
      [0, 1],
      [1, 1],
      [1, 1],
    ],
    yPred: [
      [1, 0],
      [1, 1],
      [-1, -1],
    ],
    expected: [-0, -0.99999994, 0.99999994],
  },
];

describe("Keras's own docstring values", () => {
  for (const c of DOC_CASES) {
    it(`${c.loss}(${JSON.stringify(c.args)}) = ${c.expected.join(', ')}`, () => {
      const spec = resolveLoss(c.loss, c.args);
      const rows = c.yPred.length;
      const cols = c.yPred[0]!.length;
      const perSample = new Float32Array(rows);
      const value = lossForward(spec, flat(c.yTrue), flat(c.yPred), rows, cols, perSample);
      const got = spec.reduction === 'none' ? Array.from(perSample) : [value];
      got.forEach((v, i) => {
        // printed to 3–4 decimals or 8 significant digits
        const printed = c.expected[i]!;
        expectClose(v, printed, 1e-6, String(printed).length > 7 ? 1e-6 : 6e-4);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('probability clipping', () => {
  it('binary_crossentropy on saturated probabilities uses the float32 clip bounds and has zero gradient there', () => {
    // p = 1 clips to 0.99999988 (float32 1 − 1e-7): loss = −log(1 − 0.99999988) = −log(1.1920929e-7)
    const spec = resolveLoss('binary_crossentropy', { reduction: 'sum' });
    const yTrue = Float32Array.of(0, 1, 1, 0);
    const yPred = Float32Array.of(1, 0, 0.5, 0);
    const perSample = new Float32Array(4);
    lossForward(spec, yTrue, yPred, 4, 1, perSample);
    expectClose(perSample[0]!, -Math.log(1 - Math.fround(1 - 1e-7)), 1e-7);
    expectClose(perSample[1]!, -Math.log(Math.fround(1e-7)), 1e-7);
    expectClose(perSample[2]!, Math.LN2, 1e-7);
    expectClose(perSample[3]!, -Math.log(1 - Math.fround(1e-7)), 1e-7, 1e-12);
    const grad = new Float32Array(4);
    lossGradient(spec, yTrue, yPred, grad, 4, 1);
    // rows 0, 1 and 3 are clipped; row 2: −y/p + (1 − y)/(1 − p) = −2
    expect(Array.from(grad)).toEqual([0, 0, -2, 0]);
  });

  it('categorical_crossentropy renormalizes, then clips: a zero probability of the target class', () => {
    // p = [0, 2, 2] → q = [0, 0.5, 0.5] → clip q0 = 1e-7 (float32); target class 0
    const spec = resolveLoss('categorical_crossentropy');
    const yTrue = Float32Array.of(1, 0, 0);
    const yPred = Float32Array.of(0, 2, 2);
    expectClose(lossForward(spec, yTrue, yPred, 1, 3), -Math.log(Math.fround(1e-7)), 1e-7);
    const grad = new Float32Array(3);
    lossGradient(spec, yTrue, yPred, grad, 1, 3);
    // g = ∂L/∂q is zero (clipped), so ∂L/∂p = g/S − (Σ g·p)/S² = 0 everywhere.
    expect(Array.from(grad)).toEqual([0, 0, 0]);
  });

  it('from_logits binary_crossentropy stays finite and unclipped for huge logits', () => {
    // x = 40, y = 0: max(x, 0) − x·y + log1p(e^−40) = 40 + 4.25e-18
    const spec = resolveLoss('binary_crossentropy', { from_logits: true });
    expectClose(lossForward(spec, Float32Array.of(0), Float32Array.of(40), 1, 1), 40, 1e-12);
    const grad = new Float32Array(1);
    lossGradient(spec, Float32Array.of(0), Float32Array.of(40), grad, 1, 1);
    expectClose(grad[0]!, 1, 1e-7); // sigmoid(40) − 0
  });
});

describe('reductions and masks', () => {
  it('sparse ignore_class drops rows from the mean and from the gradient', () => {
    // rows: target 1, target 0 (ignored), target 2; from_logits on zeros: each loss = log 3
    const spec = resolveLoss('SparseCategoricalCrossentropy', {
      from_logits: true,
      ignore_class: 0,
    });
    const yTrue = Float32Array.of(1, 0, 2);
    const yPred = new Float32Array(9);
    expectClose(lossForward(spec, yTrue, yPred, 3, 3), Math.log(3), 1e-7); // (2·log 3)/2 valid rows
    const grad = new Float32Array(9);
    lossGradient(spec, yTrue, yPred, grad, 3, 3);
    // valid rows: (softmax − onehot)/2 = (1/3 − [0,1,0])/2; ignored row: 0
    const third = 1 / 3;
    const expected = [
      third / 2,
      (third - 1) / 2,
      third / 2,
      0,
      0,
      0,
      third / 2,
      third / 2,
      (third - 1) / 2,
    ];
    expected.forEach((e, i) => expectClose(grad[i]!, e, 1e-6));
  });

  it('an all-ignored batch gives 0, as divide_no_nan does', () => {
    const spec = resolveLoss('sparse_categorical_crossentropy', { ignore_class: 255 });
    expect(
      lossForward(spec, Float32Array.of(255, 255), Float32Array.of(0.5, 0.5, 0.5, 0.5), 2, 2),
    ).toBe(0);
  });

  it("'none' returns the mean of the per-sample values and trains on their sum", () => {
    // MSE rows: [(1−0)² + (0−0)²]/2 = 0.5 and [(2−0)² + 0]/2 = 2
    const spec = resolveLoss('mse', { reduction: null });
    const perSample = new Float32Array(2);
    const value = lossForward(
      spec,
      Float32Array.of(1, 0, 2, 0),
      new Float32Array(4),
      2,
      2,
      perSample,
    );
    expect(Array.from(perSample)).toEqual([0.5, 2]);
    expect(value).toBe(1.25);
    const grad = new Float32Array(4);
    lossGradient(spec, Float32Array.of(1, 0, 2, 0), new Float32Array(4), grad, 2, 2);
    expect(Array.from(grad)).toEqual([-1, 0, -2, 0]); // 2(p − y)/cols, no 1/rows
  });

  it('rejects mismatched buffers and out-of-range sparse targets', () => {
    const spec = resolveLoss('sparse_categorical_crossentropy');
    expect(() => lossForward(spec, Float32Array.of(3), Float32Array.of(0.5, 0.5), 1, 2)).toThrow(
      /class index/,
    );
    expect(() => lossForward(spec, Float32Array.of(1, 0), Float32Array.of(0.5, 0.5), 2, 2)).toThrow(
      /expected/,
    );
  });

  it('reads only the first rows·cols values of longer (arena) buffers', () => {
    // MSE over the first 2×2 block: [(1 − 0)² + (3 − 1)²]/2 = 2.5 and [(0 − 2)² + 0]/2 = 2 → 2.25
    const spec = resolveLoss('mse');
    const yTrue = Float32Array.of(1, 3, 0, 5, 99, 99);
    const yPred = Float32Array.of(0, 1, 2, 5, -99, -99);
    expect(lossForward(spec, yTrue, yPred, 2, 2)).toBe(2.25);
    const grad = new Float32Array(6).fill(7);
    lossGradient(spec, yTrue, yPred, grad, 2, 2);
    // 2(p − y)/(cols·rows) = (p − y)/2; the tail is left alone
    expect(Array.from(grad)).toEqual([-0.5, -1, 1, 0, 7, 7]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('fused softmax/sigmoid cross-entropy gradients equal the chain rule', () => {
  const rows = 4;
  const cols = 5;

  /** ∂L/∂p by central differences of the twin, then back through the naive activation. */
  function chainRule(
    loss: string,
    opts: NaiveLossOptions,
    yTrue: number[][],
    probs: number[][],
    activationBackward: (p: number[], dp: number[]) => number[],
  ): number[][] {
    return probs.map((row, r) => {
      const dp = row.map((_, j) => {
        const h = 1e-6;
        const plus = probs.map((x) => x.slice());
        const minus = probs.map((x) => x.slice());
        plus[r]![j]! += h;
        minus[r]![j]! -= h;
        return (
          (naiveLoss(loss, yTrue, plus, opts).value - naiveLoss(loss, yTrue, minus, opts).value) /
          (2 * h)
        );
      });
      return activationBackward(row, dp);
    });
  }
  const softmaxBackward = (p: number[], dp: number[]) => {
    const dot = p.reduce((a, v, j) => a + v * dp[j]!, 0);
    return p.map((v, j) => v * (dp[j]! - dot));
  };
  const sigmoidBackward = (p: number[], dp: number[]) => p.map((v, j) => v * (1 - v) * dp[j]!);

  // Keras's mask on the output (Embedding(mask_zero=True)): the second row is padding.
  const MASK = [1, 0, 1, 1];
  for (const [label, sparse, ls, mask] of [
    ['categorical', false, 0, null],
    ['categorical, label_smoothing 0.2', false, 0.2, null],
    ['sparse', true, 0, null],
    ["categorical, label_smoothing 0.1, Keras's mask", false, 0.1, MASK],
    ["sparse, Keras's mask", true, 0, MASK],
  ] as const) {
    it(`softmax + ${label}`, () => {
      const rng = new Rng(3);
      const logits = matrix(rows, cols, () => rng.normal() * 2);
      const probs = logits.map((row) => naiveSoftmax(row).map(f32));
      const yTrue = sparse
        ? matrix(rows, 1, () => rng.below(cols))
        : matrix(rows, cols, (r, j) => (j === r % cols ? 1 : 0));
      const loss = sparse ? 'sparse_categorical_crossentropy' : 'categorical_crossentropy';
      const opts = { labelSmoothing: ls, mask };
      const expected = chainRule(loss, opts, yTrue, probs, softmaxBackward);
      const dLogits = new Float32Array(rows * cols);
      const m = mask && Float32Array.from(mask);
      softmaxCrossEntropyGrad(flat(probs), flat(yTrue), dLogits, rows, cols, ls, sparse, m);
      expected.flat().forEach((e, i) => expectClose(dLogits[i]!, e, 1e-4, 1e-7));
      if (mask) expect(Array.from(dLogits.subarray(cols, 2 * cols))).toEqual(Array(cols).fill(0));
    });
  }

  for (const [ls, mask] of [
    [0, null],
    [0.1, null],
    [0.1, MASK],
  ] as const) {
    it(`sigmoid + binary, label_smoothing ${ls}${mask ? ", Keras's mask" : ''}`, () => {
      const rng = new Rng(4);
      const probs = matrix(rows, cols, () => naiveSigmoid(rng.normal() * 2));
      const yTrue = matrix(rows, cols, () => (rng.uniform() < 0.5 ? 0 : 1));
      const expected = chainRule(
        'binary_crossentropy',
        { labelSmoothing: ls, mask },
        yTrue,
        probs,
        sigmoidBackward,
      );
      const dLogits = new Float32Array(rows * cols);
      const m = mask && Float32Array.from(mask);
      sigmoidBinaryCrossEntropyGrad(flat(probs), flat(yTrue), dLogits, rows, cols, ls, m);
      expected.flat().forEach((e, i) => expectClose(dLogits[i]!, e, 1e-4, 1e-7));
    });
  }

  it('softmax + categorical equals the from_logits lossGradient exactly in form', () => {
    const rng = new Rng(9);
    const logits = matrix(rows, cols, () => rng.normal());
    const probs = logits.map((row) => naiveSoftmax(row).map(f32));
    const yTrue = matrix(rows, cols, (r, j) => (j === (r + 1) % cols ? 1 : 0));
    const viaLogits = new Float32Array(rows * cols);
    lossGradient(
      resolveLoss('categorical_crossentropy', { from_logits: true }),
      flat(yTrue),
      flat(logits),
      viaLogits,
      rows,
      cols,
    );
    const fused = new Float32Array(rows * cols);
    softmaxCrossEntropyGrad(flat(probs), flat(yTrue), fused, rows, cols, 0, false);
    fused.forEach((v, i) => expectClose(v, viaLogits[i]!, 1e-6, 1e-8));
  });
});

// ---------------------------------------------------------------------------------------------

describe('resolveLoss', () => {
  const names: [string, string, string][] = [
    ['mse', 'mean_squared_error', 'mean_squared_error'],
    ['MSE', 'mean_squared_error', 'mean_squared_error'],
    ['MeanSquaredError', 'mean_squared_error', 'mean_squared_error'],
    ['mae', 'mean_absolute_error', 'mean_absolute_error'],
    ['mape', 'mean_absolute_percentage_error', 'mean_absolute_percentage_error'],
    ['MSLE', 'mean_squared_logarithmic_error', 'mean_squared_logarithmic_error'],
    ['bce', 'binary_crossentropy', 'binary_crossentropy'],
    ['kld', 'kl_divergence', 'kl_divergence'],
    ['KLDivergence', 'kl_divergence', 'kl_divergence'],
    ['Huber', 'huber', 'huber_loss'],
    ['huber', 'huber', 'huber_loss'],
    ['LogCosh', 'log_cosh', 'log_cosh'],
    [
      'SparseCategoricalCrossentropy',
      'sparse_categorical_crossentropy',
      'sparse_categorical_crossentropy',
    ],
    [
      'CategoricalFocalCrossentropy',
      'categorical_focal_crossentropy',
      'categorical_focal_crossentropy',
    ],
    ['CosineSimilarity', 'cosine_similarity', 'cosine_similarity'],
  ];
  for (const [written, name, instanceName] of names) {
    it(`'${written}' → ${name}`, () => {
      const spec = resolveLoss(written);
      expect(spec.name).toBe(name);
      expect(spec.instanceName).toBe(instanceName);
      expect(spec.reduction).toBe('sum_over_batch_size');
    });
  }

  it('has the Keras 3 defaults', () => {
    expect(resolveLoss('BinaryFocalCrossentropy')).toMatchObject({
      fromLogits: false,
      labelSmoothing: 0,
      alpha: 0.25,
      gamma: 2,
      applyClassBalancing: false,
    });
    expect(resolveLoss('Huber').delta).toBe(1);
    expect(resolveLoss('sparse_categorical_crossentropy').ignoreClass).toBeNull();
  });

  it("resolves 'crossentropy'/'ce' by shapes, case-insensitively", () => {
    expect(resolveLoss('crossentropy', {}, { outputUnits: 1, targetIsSparse: true }).name).toBe(
      'binary_crossentropy',
    );
    expect(resolveLoss('CE', {}, { outputUnits: 10, targetIsSparse: true }).name).toBe(
      'sparse_categorical_crossentropy',
    );
    expect(resolveLoss('ce', {}, { outputUnits: 10, targetIsSparse: false }).name).toBe(
      'categorical_crossentropy',
    );
    expect(() => resolveLoss('crossentropy')).toThrow(/output shape/);
  });

  it('takes keyword arguments and a name', () => {
    const spec = resolveLoss('BinaryCrossentropy', {
      from_logits: true,
      label_smoothing: 0.1,
      reduction: 'sum',
      name: 'bce_x',
    });
    expect(spec).toMatchObject({
      fromLogits: true,
      labelSmoothing: 0.1,
      reduction: 'sum',
      instanceName: 'bce_x',
    });
    expect(resolveLoss('mse', { reduction: null }).reduction).toBe('none');
  });

  it.each([
    ['Mse', {}, /Unknown loss/],
    ['logcosh', {}, /Unknown loss/],
    ['huber_loss', {}, /Unknown loss/],
    ['sparse_categorical_crossentropy', { label_smoothing: 0.1 }, /no argument 'label_smoothing'/],
    ['mse', { from_logits: true }, /no argument/],
    ['categorical_crossentropy', { axis: 1 }, /axis=-1/],
    ['mse', { reduction: 'auto' }, /reduction/],
    ['binary_crossentropy', { from_logits: 1 }, /from_logits/],
    ['binary_crossentropy', { label_smoothing: 1.5 }, /label_smoothing/],
    ['SparseCategoricalCrossentropy', { ignore_class: 0.5 }, /ignore_class/],
  ] as const)('rejects %s %j', (name, args, message) => {
    expect(() => resolveLoss(name, args as Record<string, unknown>)).toThrow(message);
  });
});
