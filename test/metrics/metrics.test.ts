import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/kernels/random.js';
import {
  resolveMetric,
  type Metric,
  type MetricCall,
  type MetricContext,
} from '../../src/metrics/index.js';

const f32 = Math.fround;
/** Keras's epsilon as float32. */
const EPS = Math.fround(1e-7);
const BINARY: MetricContext = { outputUnits: 1, targetIsSparse: false };
const CATEGORICAL = (units: number): MetricContext => ({
  outputUnits: units,
  targetIsSparse: false,
});
const SPARSE = (units: number): MetricContext => ({ outputUnits: units, targetIsSparse: true });

function expectClose(actual: number, expected: number, rel = 1e-6, abs = 1e-9): void {
  const tol = abs + rel * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tol))
    expect.fail(`expected ${actual} to be within ${tol} of ${expected}`);
}

/** Runs one metric over batches given as nested arrays ([rows][cols]; sparse targets [rows][1]). */
function run(metric: Metric, batches: { yTrue: number[][]; yPred: number[][] }[]): number {
  for (const b of batches) {
    metric.update(
      Float32Array.from(b.yTrue.flat()),
      Float32Array.from(b.yPred.flat()),
      b.yPred.length,
      b.yPred[0]!.length,
    );
  }
  return metric.result();
}

// ---------------------------------------------------------------------------------------------
// Hand-computed cases. Where the docstrings of keras/src/metrics/*.py print a value for the same
// data, that value is the expectation (it is Keras's own output) and the arithmetic is shown.

interface HandCase {
  what: string;
  written: string | MetricCall;
  ctx: MetricContext;
  yTrue: number[][];
  yPred: number[][];
  expected: number;
}

const call = (name: string, args: Record<string, unknown> = {}): MetricCall => ({
  call: name,
  args,
});

const HAND: HandCase[] = [
  {
    // p > 0.5 → [1, 0, 0, 0] (0.5 is not > 0.5); y = [1, 0, 1, 0] → matches 1,1,0,1 → 3/4
    what: "'accuracy' with one unit is binary accuracy, strict >",
    written: 'accuracy',
    ctx: BINARY,
    yTrue: [[1], [0], [1], [0]],
    yPred: [[0.6], [0.5], [0.4], [0.1]],
    expected: 0.75,
  },
  {
    // argmax p = [1, 1], y = [2, 1] → 1/2 (Keras docstring: 0.5)
    what: "'acc' with class-index targets is sparse categorical accuracy",
    written: 'acc',
    ctx: SPARSE(3),
    yTrue: [[2], [1]],
    yPred: [
      [0.1, 0.6, 0.3],
      [0.05, 0.95, 0],
    ],
    expected: 0.5,
  },
  {
    // argmax y = [2, 1], argmax p = [1, 1] → 1/2 (docstring 0.5)
    what: "'Accuracy' (a string, any case) with one-hot targets is categorical accuracy",
    written: 'Accuracy',
    ctx: CATEGORICAL(3),
    yTrue: [
      [0, 0, 1],
      [0, 1, 0],
    ],
    yPred: [
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ],
    expected: 0.5,
  },
  {
    // exact equality: 1≠0, 2=2, 3=3, 4=4 → 3/4 (docstring 0.75)
    what: 'Accuracy() (the class) is exact equality',
    written: call('Accuracy'),
    ctx: BINARY,
    yTrue: [[1], [2], [3], [4]],
    yPred: [[0], [2], [3], [4]],
    expected: 0.75,
  },
  {
    // p > 0.5 → [1, 1, 0, 1] vs y [1, 1, 0, 0] → 3/4 (docstring 0.75)
    what: 'BinaryAccuracy()',
    written: call('BinaryAccuracy'),
    ctx: BINARY,
    yTrue: [[1], [1], [0], [0]],
    yPred: [[0.98], [1], [0], [0.6]],
    expected: 0.75,
  },
  {
    // p > 0.7 → [1, 1, 0, 0] vs y [1, 1, 0, 0] → 4/4
    what: 'BinaryAccuracy(threshold=0.7)',
    written: call('BinaryAccuracy', { threshold: 0.7 }),
    ctx: BINARY,
    yTrue: [[1], [1], [0], [0]],
    yPred: [[0.98], [1], [0], [0.6]],
    expected: 1,
  },
  {
    // per-row mean over 2 columns: row 0 (p>0.5 → [1,0] vs [1,1]) 1/2, row 1 ([0,1] vs [0,1]) 1 → 3/4
    what: 'binary_accuracy averages over the columns of a row first',
    written: 'binary_accuracy',
    ctx: CATEGORICAL(2),
    yTrue: [
      [1, 1],
      [0, 1],
    ],
    yPred: [
      [0.9, 0.2],
      [0.3, 0.8],
    ],
    expected: 0.75,
  },
  {
    // k=1 is categorical accuracy: 1/2 (docstring 0.5)
    what: 'TopKCategoricalAccuracy(k=1)',
    written: call('TopKCategoricalAccuracy', { k: 1 }),
    ctx: CATEGORICAL(3),
    yTrue: [
      [0, 0, 1],
      [0, 1, 0],
    ],
    yPred: [
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ],
    expected: 0.5,
  },
  {
    // row 0: target 2 (0.8) has one larger (0.9) → rank 2 ≤ 2; row 1: rank 1 → 2/2
    what: 'TopKCategoricalAccuracy(k=2)',
    written: call('TopKCategoricalAccuracy', { k: 2 }),
    ctx: CATEGORICAL(3),
    yTrue: [
      [0, 0, 1],
      [0, 1, 0],
    ],
    yPred: [
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ],
    expected: 1,
  },
  {
    // row 0: target 1 ties with class 0 at 0.5, nothing larger → rank 1 ≤ 1 (ties count as in);
    // row 1: target 2 (0.1) < 0.5, 0.4 → rank 3 > 1 → 1/2
    what: 'SparseTopKCategoricalAccuracy(k=1) counts ties for the target',
    written: call('SparseTopKCategoricalAccuracy', { k: 1 }),
    ctx: SPARSE(3),
    yTrue: [[1], [2]],
    yPred: [
      [0.5, 0.5, 0.1],
      [0.5, 0.4, 0.1],
    ],
    expected: 0.5,
  },
  {
    // sorted ids: row 0 top-2 {1, 2} ∋ 2; row 1 top-2 {0, 2} ∌ 1 → 1/2
    what: 'SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)',
    written: call('SparseTopKCategoricalAccuracy', { k: 2, from_sorted_ids: true }),
    ctx: SPARSE(3),
    yTrue: [[2], [1]],
    yPred: [
      [1, 2, 0],
      [0, 2, 1],
    ],
    expected: 0.5,
  },
  {
    // p > 0.5 → [1, 0, 1, 1]; y = [0, 1, 1, 1]: TP = 2, FP = 1 → 2/3 (docstring 0.6666667)
    what: 'Precision()',
    written: call('Precision'),
    ctx: CATEGORICAL(4),
    yTrue: [[0, 1, 1, 1]],
    yPred: [[1, 0, 1, 1]],
    expected: 2 / 3,
  },
  {
    // same data: TP = 2, FN = 1 (the second element) → 2/3
    what: 'Recall()',
    written: call('Recall'),
    ctx: CATEGORICAL(4),
    yTrue: [[0, 1, 1, 1]],
    yPred: [[1, 0, 1, 1]],
    expected: 2 / 3,
  },
  {
    // top-2 of four equal values are indices 0, 1 (lower index first), both labelled 0 → 0/2 (docstring 0.0)
    what: 'Precision(top_k=2)',
    written: call('Precision', { top_k: 2 }),
    ctx: CATEGORICAL(4),
    yTrue: [[0, 0, 1, 1]],
    yPred: [[1, 1, 1, 1]],
    expected: 0,
  },
  {
    // all four kept: TP = 2, FP = 2 → 1/2 (docstring 0.5)
    what: 'Precision(top_k=4)',
    written: call('Precision', { top_k: 4 }),
    ctx: CATEGORICAL(4),
    yTrue: [[0, 0, 1, 1]],
    yPred: [[1, 1, 1, 1]],
    expected: 0.5,
  },
  {
    // column 1 only: labels [1, 0, 1], p > 0.5 → [1, 0, 0]: TP 1, FN 1 → 1/2
    what: 'Recall(class_id=1)',
    written: call('Recall', { class_id: 1 }),
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [1, 0],
      [0, 1],
    ],
    yPred: [
      [0.2, 0.7],
      [0.6, 0.4],
      [0.3, 0.4],
    ],
    expected: 0.5,
  },
  {
    // column 1 with threshold 0.35: p > 0.35 → [1, 1, 1]: TP 2, FP 1 → 2/3
    what: 'Precision(thresholds=0.35, class_id=1)',
    written: call('Precision', { thresholds: 0.35, class_id: 1 }),
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [1, 0],
      [0, 1],
    ],
    yPred: [
      [0.2, 0.7],
      [0.6, 0.4],
      [0.3, 0.4],
    ],
    expected: 2 / 3,
  },
  {
    // no predicted positives: divide_no_nan → 0
    what: 'Precision with no positive prediction is 0',
    written: 'precision',
    ctx: BINARY,
    yTrue: [[1], [0]],
    yPred: [[0.2], [0.1]],
    expected: 0,
  },
  {
    // thresholds [−1e-7, 0.5, 1+1e-7]: tp = [2, 1, 0], fp = [2, 0, 0], fn = [0, 1, 2], tn = [0, 2, 2];
    // recall = [1, .5, 0], fpr = [1, 0, 0] → (1 − 0)·(1 + .5)/2 + 0 = 0.75 (docstring 0.75)
    what: 'AUC(num_thresholds=3)',
    written: call('AUC', { num_thresholds: 3 }),
    ctx: BINARY,
    yTrue: [[0], [0], [1], [1]],
    yPred: [[0], [0.5], [0.3], [0.9]],
    expected: 0.75,
  },
  {
    // same counts, minoring: heights min(1, .5) = .5, min(.5, 0) = 0 → 1·.5 = 0.5
    what: "AUC(num_thresholds=3, summation_method='minoring')",
    written: call('AUC', { num_thresholds: 3, summation_method: 'minoring' }),
    ctx: BINARY,
    yTrue: [[0], [0], [1], [1]],
    yPred: [[0], [0.5], [0.3], [0.9]],
    expected: 0.5,
  },
  {
    // (1, 0) errors: row 0 [(0−1)², 0]/2 = .5, row 1 0 → .25 (docstring 0.25)
    what: 'mse',
    written: 'mse',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: 0.25,
  },
  {
    // |errors| mean: row 0 0.5, row 1 0 → 0.25 (docstring 0.25)
    what: 'mean_absolute_error',
    written: 'mean_absolute_error',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: 0.25,
  },
  {
    // row 0: 100·(|0−1|/max(0, eps) + 0)/2 = 50/eps (eps = float32 1e-7), row 1: 0 → 25/eps
    // (docstring 250000000.0)
    what: 'MAPE',
    written: 'MAPE',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: 25 / Math.fround(1e-7),
  },
  {
    // row 0: (log 2 − log(1 + eps))²/2 ≈ 0.2402265, row 1: 0 → 0.12011322 (docstring)
    what: 'msle',
    written: 'msle',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: (Math.log(2) - Math.log(1 + Math.fround(1e-7))) ** 2 / 2 / 2,
  },
  {
    // √0.25 = 0.5 (docstring 0.5)
    what: 'RootMeanSquaredError',
    written: 'RootMeanSquaredError',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: 0.5,
  },
  {
    // row 0 log cosh(1)/2 = 0.2168904, row 1 0 → 0.1084452 (docstring 0.10844523)
    what: 'log_cosh_error',
    written: 'log_cosh_error',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: Math.log(Math.cosh(1)) / 4,
  },
  {
    // cos([0,1],[1,0]) = 0, cos([1,1],[1,1]) = 1 → 0.5 (docstring 0.49999997)
    what: 'cosine_similarity is the positive cosine',
    written: 'cosine_similarity',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [1, 1],
    ],
    yPred: [
      [1, 0],
      [1, 1],
    ],
    expected: 0.5,
  },
  {
    // {0,1} → ±1: row 0 t = [−1, 1]: max(1 + .6, 0), max(1 − .4, 0) → (1.6 + .6)/2 = 1.1;
    // row 1 t = [−1, −1]: (1.4 + 1.6)/2 = 1.5 → 1.3 (docstring 1.3)
    what: 'hinge',
    written: 'hinge',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected: 1.3,
  },
  {
    // squares: (2.56 + .36)/2 = 1.46, (1.96 + 2.56)/2 = 2.26 → 1.86 (docstring 1.86)
    what: 'squared_hinge',
    written: 'squared_hinge',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected: 1.86,
  },
  {
    // row 0: pos .4, neg .6 → 1.2; row 1: pos 0, neg .6 → 1.6 → 1.4 (docstring 1.4000001)
    what: 'categorical_hinge',
    written: 'categorical_hinge',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected: 1.4,
  },
  {
    // y clipped to [eps, 1]: row 0 eps·log(eps/.6) + log(1/.4), row 1 eps·log(eps/.4) + eps·log(eps/.6)
    // → ≈ (0.9162892 − 0.0000031)/2 (docstring 0.45814306)
    what: 'kl_divergence',
    written: 'kl_divergence',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected:
      (EPS * Math.log(EPS / 0.6) +
        Math.log(1 / 0.4) +
        EPS * Math.log(EPS / 0.4) +
        EPS * Math.log(EPS / 0.6)) /
      2,
  },
  {
    what: 'poisson',
    written: 'poisson',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [1, 1],
      [0, 0],
    ],
    expected: (2 - Math.log(1 + Math.fround(1e-7))) / 4,
  },
  {
    // row 0 y = [0, 1], p = [.6, .4]: (−log(1 − .6) − log .4)/2 = 0.9163;
    // row 1 y = [0, 0], p = [.4, .6]: (−log .6 − log .4)/2 = 0.7136 → 0.81492 (docstring 0.81492424)
    what: 'bce',
    written: 'bce',
    ctx: CATEGORICAL(2),
    yTrue: [
      [0, 1],
      [0, 0],
    ],
    yPred: [
      [0.6, 0.4],
      [0.4, 0.6],
    ],
    expected: ((-2 * Math.log(0.4)) / 2 + (-Math.log(0.6) - Math.log(0.4)) / 2) / 2,
  },
  {
    // −log .95 = 0.0513, −log .1 = 2.3026 → 1.1769392 (docstring)
    what: 'categorical_crossentropy',
    written: 'categorical_crossentropy',
    ctx: CATEGORICAL(3),
    yTrue: [
      [0, 1, 0],
      [0, 0, 1],
    ],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: (-Math.log(0.95) - Math.log(0.1)) / 2,
  },
  {
    // same, with class indices (docstring 1.1769392)
    what: 'SparseCategoricalCrossentropy',
    written: 'SparseCategoricalCrossentropy',
    ctx: SPARSE(3),
    yTrue: [[1], [2]],
    yPred: [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
    ],
    expected: (-Math.log(0.95) - Math.log(0.1)) / 2,
  },
  {
    // 'crossentropy' with one unit is binary: one column, y=1 p=.8 and y=0 p=.4 → (−log .8 − log .6)/2
    what: "'crossentropy' resolves by shapes",
    written: 'crossentropy',
    ctx: BINARY,
    yTrue: [[1], [0]],
    yPred: [[0.8], [0.4]],
    expected: (-Math.log(0.8) - Math.log(0.6)) / 2,
  },
  {
    // mean y = 8/3; SS_tot = 1 + 16 + 9 − 64/3 = 14/3; SS_res = 1 + 0 + 1 = 2 → 1 − 6/14 = 4/7
    // (docstring 0.57142854)
    what: 'R2Score',
    written: 'r2_score',
    ctx: BINARY,
    yTrue: [[1], [4], [3]],
    yPred: [[2], [4], [4]],
    expected: 4 / 7,
  },
  {
    // column 0 as above (4/7); column 1 y = [0, 0, 2]: mean 2/3, SS_tot = 4 − 4/3 = 8/3,
    // SS_res = 1 + 0 + 1 = 2 → 1/4; uniform average (4/7 + 1/4)/2 = 23/56
    what: 'R2Score over two outputs, uniform average',
    written: 'R2Score',
    ctx: CATEGORICAL(2),
    yTrue: [
      [1, 0],
      [4, 0],
      [3, 2],
    ],
    yPred: [
      [2, 1],
      [4, 0],
      [4, 1],
    ],
    expected: 23 / 56,
  },
  {
    // weights SS_tot: (14/3·4/7 + 8/3·1/4)/(14/3 + 8/3) = (8/3 + 2/3)/(22/3) = 10/22
    what: "R2Score(class_aggregation='variance_weighted_average')",
    written: call('R2Score', { class_aggregation: 'variance_weighted_average' }),
    ctx: CATEGORICAL(2),
    yTrue: [
      [1, 0],
      [4, 0],
      [3, 2],
    ],
    yPred: [
      [2, 1],
      [4, 0],
      [4, 1],
    ],
    expected: 10 / 22,
  },
  {
    // adjusted: n = 6 elements, p = 1: 1 − (1 − 23/56)·5/4
    what: 'R2Score(num_regressors=1) counts elements as samples',
    written: call('R2Score', { num_regressors: 1 }),
    ctx: CATEGORICAL(2),
    yTrue: [
      [1, 0],
      [4, 0],
      [3, 2],
    ],
    yPred: [
      [2, 1],
      [4, 0],
      [4, 1],
    ],
    expected: 1 - ((1 - 23 / 56) * 5) / 4,
  },
];

describe('hand-computed values', () => {
  for (const c of HAND) {
    it(c.what, () => {
      const metric = resolveMetric(c.written, c.ctx);
      expectClose(run(metric, [{ yTrue: c.yTrue, yPred: c.yPred }]), c.expected, 2e-6);
    });
  }
});

// ---------------------------------------------------------------------------------------------

interface StreamCase {
  written: string | MetricCall;
  ctx: MetricContext;
  cols: number;
  data: 'binary' | 'onehot' | 'sparse' | 'regression' | 'positive';
}

const STREAM: StreamCase[] = [
  { written: 'accuracy', ctx: BINARY, cols: 1, data: 'binary' },
  { written: 'accuracy', ctx: CATEGORICAL(4), cols: 4, data: 'onehot' },
  { written: 'accuracy', ctx: SPARSE(4), cols: 4, data: 'sparse' },
  {
    written: call('TopKCategoricalAccuracy', { k: 2 }),
    ctx: CATEGORICAL(4),
    cols: 4,
    data: 'onehot',
  },
  {
    written: call('SparseTopKCategoricalAccuracy', { k: 2 }),
    ctx: SPARSE(4),
    cols: 4,
    data: 'sparse',
  },
  { written: 'precision', ctx: BINARY, cols: 1, data: 'binary' },
  { written: call('Recall', { top_k: 2 }), ctx: CATEGORICAL(4), cols: 4, data: 'onehot' },
  { written: call('Precision', { class_id: 2 }), ctx: CATEGORICAL(4), cols: 4, data: 'onehot' },
  { written: 'auc', ctx: BINARY, cols: 1, data: 'binary' },
  { written: call('AUC', { curve: 'PR' }), ctx: BINARY, cols: 1, data: 'binary' },
  { written: call('AUC', { thresholds: [0.1, 0.35, 0.9] }), ctx: BINARY, cols: 1, data: 'binary' },
  { written: 'mse', ctx: CATEGORICAL(3), cols: 3, data: 'regression' },
  { written: 'root_mean_squared_error', ctx: CATEGORICAL(3), cols: 3, data: 'regression' },
  { written: 'cosine_similarity', ctx: CATEGORICAL(3), cols: 3, data: 'regression' },
  { written: 'r2_score', ctx: CATEGORICAL(3), cols: 3, data: 'regression' },
  { written: 'poisson', ctx: CATEGORICAL(3), cols: 3, data: 'positive' },
  { written: 'categorical_crossentropy', ctx: CATEGORICAL(4), cols: 4, data: 'onehot' },
  { written: 'sparse_categorical_crossentropy', ctx: SPARSE(4), cols: 4, data: 'sparse' },
  { written: 'binary_crossentropy', ctx: BINARY, cols: 1, data: 'binary' },
];

function streamBatch(rng: Rng, rows: number, cols: number, data: StreamCase['data']) {
  const yPred: number[][] = [];
  const yTrue: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const hot = rng.below(cols);
    const pred = Array.from({ length: cols }, () =>
      f32(data === 'regression' ? rng.normal() : 0.01 + rng.uniform() * 0.98),
    );
    yPred.push(pred);
    if (data === 'sparse') yTrue.push([hot]);
    else if (data === 'onehot') yTrue.push(pred.map((_, j) => (j === hot ? 1 : 0)));
    else if (data === 'binary') yTrue.push(pred.map(() => (rng.uniform() < 0.5 ? 0 : 1)));
    else if (data === 'positive') yTrue.push(pred.map(() => rng.below(4)));
    else yTrue.push(pred.map(() => f32(rng.normal())));
  }
  return { yTrue, yPred };
}

describe('accumulation over batches equals one pass over their concatenation; reset starts over', () => {
  for (const c of STREAM) {
    const label =
      typeof c.written === 'string'
        ? c.written
        : `${c.written.call}(${JSON.stringify(c.written.args)})`;
    it(`${label}`, () => {
      const rng = new Rng(17);
      const batches = [7, 3, 12].map((rows) => streamBatch(rng, rows, c.cols, c.data));
      const streamed = resolveMetric(c.written, c.ctx);
      const value = run(streamed, batches);
      const whole = resolveMetric(c.written, c.ctx);
      const joined = run(whole, [
        { yTrue: batches.flatMap((b) => b.yTrue), yPred: batches.flatMap((b) => b.yPred) },
      ]);
      expect(Number.isFinite(value)).toBe(true);
      expectClose(value, joined, 1e-9, 1e-12);
      // reset, then one batch: the same as a fresh metric on that batch
      streamed.reset();
      const fresh = resolveMetric(c.written, c.ctx);
      expectClose(run(streamed, [batches[1]!]), run(fresh, [batches[1]!]), 1e-12, 1e-15);
    });
  }

  it('a Mean metric is 0 before any update (divide_no_nan)', () => {
    expect(resolveMetric('mse', BINARY).result()).toBe(0);
    expect(resolveMetric('accuracy', BINARY).result()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// TF.js's tf.metrics, where they compute what Keras 3 does.

describe('equals TF.js tf.metrics', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const rows = 12;
  const mean = (t: tf.Tensor) => tf.tidy(() => tf.mean(t).dataSync()[0]!);

  it('binaryAccuracy, precision, recall, binaryCrossentropy on one-unit outputs', () => {
    const { yTrue, yPred } = streamBatch(new Rng(2), rows, 1, 'binary');
    const [yt, yp] = [tf.tensor2d(yTrue), tf.tensor2d(yPred)];
    // tf.metrics.precision/recall take 0/1 predictions: threshold them at 0.5 as Keras does
    const thresholded = tf.cast(tf.greater(yp, 0.5), 'float32');
    const expected: [string, number][] = [
      ['binary_accuracy', mean(tf.metrics.binaryAccuracy(yt, yp))],
      ['precision', mean(tf.metrics.precision(yt, thresholded))],
      ['recall', mean(tf.metrics.recall(yt, thresholded))],
      ['binary_crossentropy', mean(tf.metrics.binaryCrossentropy(yt, yp))],
    ];
    for (const [name, value] of expected) {
      expectClose(run(resolveMetric(name, BINARY), [{ yTrue, yPred }]), value, 2e-6, 1e-7);
    }
  });

  it('categoricalAccuracy, sparseCategoricalAccuracy, categoricalCrossentropy', () => {
    const cols = 5;
    const { yTrue, yPred } = streamBatch(new Rng(3), rows, cols, 'onehot');
    const indices = yTrue.map((row) => [row.indexOf(1)]);
    const [yt, yp] = [tf.tensor2d(yTrue), tf.tensor2d(yPred)];
    expectClose(
      run(resolveMetric('categorical_accuracy', CATEGORICAL(cols)), [{ yTrue, yPred }]),
      mean(tf.metrics.categoricalAccuracy(yt, yp)),
    );
    expectClose(
      run(resolveMetric('sparse_categorical_accuracy', SPARSE(cols)), [{ yTrue: indices, yPred }]),
      mean(tf.metrics.sparseCategoricalAccuracy(tf.tensor2d(indices), yp)),
    );
    expectClose(
      run(resolveMetric('categorical_crossentropy', CATEGORICAL(cols)), [{ yTrue, yPred }]),
      mean(tf.metrics.categoricalCrossentropy(yt, yp)),
      2e-6,
    );
  });

  it('meanSquaredError, meanAbsoluteError, MAPE, cosine and r2Score on regression outputs', () => {
    const { yTrue, yPred } = streamBatch(new Rng(4), rows, 3, 'regression');
    const [yt, yp] = [tf.tensor2d(yTrue), tf.tensor2d(yPred)];
    const ctx = CATEGORICAL(3);
    expectClose(
      run(resolveMetric('mse', ctx), [{ yTrue, yPred }]),
      mean(tf.metrics.meanSquaredError(yt, yp)),
      2e-6,
    );
    expectClose(
      run(resolveMetric('mae', ctx), [{ yTrue, yPred }]),
      mean(tf.metrics.meanAbsoluteError(yt, yp)),
      2e-6,
    );
    expectClose(
      run(resolveMetric('mape', ctx), [{ yTrue, yPred }]),
      mean(tf.metrics.MAPE(yt, yp)),
      2e-6,
    );
    // TF.js's cosineProximity is the loss (negative cosine); Keras's metric is the cosine itself
    expectClose(
      run(resolveMetric('cosine_similarity', ctx), [{ yTrue, yPred }]),
      -mean(tf.metrics.cosineProximity(yt, yp)),
      2e-6,
    );
    // tf.metrics.r2Score pools every element; Keras's R2Score agrees on a single output column
    const one = streamBatch(new Rng(5), rows, 1, 'regression');
    expectClose(
      run(resolveMetric('r2_score', BINARY), [one]),
      tf.tidy(
        () => tf.metrics.r2Score(tf.tensor2d(one.yTrue), tf.tensor2d(one.yPred)).dataSync()[0]!,
      ),
      1e-5,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// AUC against an independent float64 transcription of Keras's documented computation: the
// thresholds [0 − eps, 1/(n−1), …, 1 + eps], TP/FP/TN/FN by direct comparison p > t, then the
// Riemann sums of confusion_metrics.AUC.result and interpolate_pr_auc.

function referenceAuc(
  labels: number[],
  preds: number[],
  thresholds: number[],
  curve: 'ROC' | 'PR',
  method: 'interpolation' | 'minoring' | 'majoring',
): number {
  const T = thresholds.length;
  const tp: number[] = [];
  const fp: number[] = [];
  const tn: number[] = [];
  const fn: number[] = [];
  for (const t of thresholds) {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    preds.forEach((p, i) => {
      const label = labels[i] !== 0;
      if (p > t) label ? a++ : b++;
      else label ? d++ : c++;
    });
    tp.push(a);
    fp.push(b);
    tn.push(c);
    fn.push(d);
  }
  const div = (x: number, y: number) => (y === 0 ? 0 : x / y);
  let area = 0;
  if (curve === 'PR' && method === 'interpolation') {
    for (let i = 0; i < T - 1; i++) {
      const dtp = tp[i]! - tp[i + 1]!;
      const pA = tp[i]! + fp[i]!;
      const pB = tp[i + 1]! + fp[i + 1]!;
      const slope = div(dtp, Math.max(pA - pB, 0));
      const intercept = tp[i + 1]! - slope * pB;
      const ratio = pA > 0 && pB > 0 ? div(pA, Math.max(pB, 0)) : 1;
      area += div(
        slope * (dtp + intercept * Math.log(ratio)),
        Math.max(tp[i + 1]! + fn[i + 1]!, 0),
      );
    }
    return area;
  }
  const recall = tp.map((v, i) => div(v, v + fn[i]!));
  const x = curve === 'ROC' ? fp.map((v, i) => div(v, v + tn[i]!)) : recall;
  const y = curve === 'ROC' ? recall : tp.map((v, i) => div(v, v + fp[i]!));
  for (let i = 0; i < T - 1; i++) {
    const h =
      method === 'interpolation'
        ? (y[i]! + y[i + 1]!) / 2
        : method === 'minoring'
          ? Math.min(y[i]!, y[i + 1]!)
          : Math.max(y[i]!, y[i + 1]!);
    area += (x[i]! - x[i + 1]!) * h;
  }
  return area;
}

describe('AUC equals an independent implementation of the documented formula', () => {
  const rng = new Rng(8);
  const n = 60;
  const labels = Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
  // informative but imperfect scores, float32, kept off the threshold grid
  const preds = labels.map((l) =>
    f32(Math.min(0.999, Math.max(0.001, 0.35 * l + 0.65 * rng.uniform()))),
  );
  const grid = (count: number) => [
    -1e-7,
    ...Array.from({ length: count - 2 }, (_, i) => (i + 1) / (count - 1)),
    1 + 1e-7,
  ];
  for (const curve of ['ROC', 'PR'] as const) {
    for (const method of ['interpolation', 'minoring', 'majoring'] as const) {
      for (const count of [7, 200]) {
        it(`${curve}, ${method}, num_thresholds=${count}`, () => {
          const metric = resolveMetric(
            call('AUC', { num_thresholds: count, curve, summation_method: method }),
            BINARY,
          );
          const value = run(metric, [
            { yTrue: labels.map((l) => [l]), yPred: preds.map((p) => [p]) },
          ]);
          expectClose(value, referenceAuc(labels, preds, grid(count), curve, method), 1e-9, 1e-12);
        });
      }
      it(`${curve}, ${method}, uneven thresholds [0.1, 0.35, 0.9]`, () => {
        const metric = resolveMetric(
          call('AUC', { thresholds: [0.9, 0.1, 0.35], curve, summation_method: method }),
          BINARY,
        );
        const value = run(metric, [
          { yTrue: labels.map((l) => [l]), yPred: preds.map((p) => [p]) },
        ]);
        expectClose(
          value,
          referenceAuc(labels, preds, [-1e-7, 0.1, 0.35, 0.9, 1 + 1e-7], curve, method),
          1e-9,
          1e-12,
        );
      });
    }
  }

  it('from_logits applies a sigmoid first', () => {
    const logits = preds.map((p) => f32(Math.log(p / (1 - p))));
    const a = run(resolveMetric(call('AUC', { from_logits: true }), BINARY), [
      { yTrue: labels.map((l) => [l]), yPred: logits.map((x) => [x]) },
    ]);
    expectClose(a, referenceAuc(labels, preds, grid(200), 'ROC', 'interpolation'), 1e-9, 1e-12);
  });

  it('flattens several output columns into one set of predictions', () => {
    const rows = n / 3;
    const yTrue = Array.from({ length: rows }, (_, r) => labels.slice(3 * r, 3 * r + 3));
    const yPred = Array.from({ length: rows }, (_, r) => preds.slice(3 * r, 3 * r + 3));
    const value = run(resolveMetric('AUC', CATEGORICAL(3)), [{ yTrue, yPred }]);
    expectClose(value, referenceAuc(labels, preds, grid(200), 'ROC', 'interpolation'), 1e-9, 1e-12);
  });
});

// ---------------------------------------------------------------------------------------------

describe('resolveMetric', () => {
  const cases: [string | MetricCall, MetricContext, string, 'up' | 'down'][] = [
    ['acc', BINARY, 'acc', 'up'],
    ['ACCURACY', SPARSE(3), 'ACCURACY', 'up'],
    ['mse', BINARY, 'mse', 'down'],
    ['MeanSquaredError', BINARY, 'MeanSquaredError', 'down'],
    ['mean_squared_error', BINARY, 'mean_squared_error', 'down'],
    ['auc', BINARY, 'auc', 'up'],
    ['AUC', BINARY, 'AUC', 'up'],
    ['cosine_similarity', BINARY, 'cosine_similarity', 'up'],
    ['r2_score', BINARY, 'r2_score', 'up'],
    ['kl_divergence', BINARY, 'kl_divergence', 'down'],
    ['CE', SPARSE(3), 'CE', 'down'],
    [call('AUC'), BINARY, 'auc', 'up'],
    [call('AUC', { name: 'roc_auc', dtype: null }), BINARY, 'roc_auc', 'up'],
    [
      call('Precision', { name: null, thresholds: null, top_k: null, class_id: null, dtype: null }),
      BINARY,
      'precision',
      'up',
    ],
    [call('LogCoshError'), BINARY, 'logcosh', 'down'],
    [call('RootMeanSquaredError'), BINARY, 'root_mean_squared_error', 'down'],
    [call('BinaryAccuracy', { name: 'hits', threshold: 0.3 }), BINARY, 'hits', 'up'],
  ];
  for (const [written, ctx, name, direction] of cases) {
    it(`${JSON.stringify(written)} → log key '${name}', direction ${direction}`, () => {
      const m = resolveMetric(written, ctx);
      expect(m.name).toBe(name);
      expect(m.direction).toBe(direction);
    });
  }

  it('picks the accuracy by shapes: binary beats sparse when there is one unit', () => {
    // one unit, sparse-looking targets: still binary (p > 0.5 vs y): y = 1, p = .7 → 1
    expect(
      run(resolveMetric('accuracy', { outputUnits: 1, targetIsSparse: true }), [
        { yTrue: [[1]], yPred: [[0.7]] },
      ]),
    ).toBe(1);
  });

  it.each([
    ['Acc_uracy', /Unknown metric/],
    ['MEAN_SQUARED_ERROR', /Unknown metric/],
    ['logcosh', /Unknown metric/],
    ['f1', /Unknown metric/],
  ])('rejects %s', (name, message) => {
    expect(() => resolveMetric(name, BINARY)).toThrow(message);
  });

  it.each([
    [call('AUC', { multi_label: true }), /multi_label/],
    [call('AUC', { curve: 'Roc' }), /curve/],
    [call('AUC', { num_thresholds: 1 }), /num_thresholds/],
    [call('Precision', { thresholds: [0.3, 0.6] }), /one number/],
    [call('Recall', { top_k: 0 }), /top_k/],
    [call('BinaryAccuracy', { threshold: 1 }), /threshold/],
    [call('TopKCategoricalAccuracy', { k: 2.5 }), /k must be/],
    [call('R2Score', { class_aggregation: null }), /class_aggregation/],
    [call('CosineSimilarity', { axis: 0 }), /axis=-1/],
    [call('MeanSquaredError', { from_logits: true }), /no argument 'from_logits'/],
    [call('accuracy', { k: 3 }), /no argument 'k'/],
  ])('rejects %j', (written, message) => {
    expect(() => resolveMetric(written, CATEGORICAL(3))).toThrow(message);
  });

  it('rejects targets of the wrong encoding at update', () => {
    const sparse = resolveMetric('sparse_categorical_accuracy', SPARSE(3));
    expect(() => sparse.update(new Float32Array(2), new Float32Array(6), 3, 3)).toThrow(/targets/);
    const p = resolveMetric(call('Precision', { class_id: 5 }), CATEGORICAL(3));
    expect(() => p.update(new Float32Array(3), new Float32Array(3), 1, 3)).toThrow(/class_id/);
  });
});
