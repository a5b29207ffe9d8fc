/**
 * The losses of the suite: each Keras 3 loss as our compile() gets it, the targets it is
 * meant for, the output activation it suits, and its TF.js counterpart — a tfjs-layers loss
 * name, a tfjs-core loss (with Reduction.NONE, averaged per sample as Keras does), or, where
 * TF.js has no such loss or departs from Keras 3, Keras 3's formula written with TF.js ops.
 */
import * as tf from '@tensorflow/tfjs';
import { k, type KerasCall, type TargetKind } from './spec.js';

/** Per-sample losses [N] from targets and outputs [N, C], as tfjs-layers' compile() takes them. */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

export interface LossEntry {
  /** The loss as written in compile(). */
  keras: KerasCall;
  targets: TargetKind;
  /** The activation of the last Dense layer that suits the loss. */
  head: string;
  /** A fixed number of output units (the shape-resolved 'crossentropy' needs 1 for binary). */
  units?: number;
  /**
   * Gradients far larger than a mean's (MAPE's 100/|y|, a sum over the batch): with a large
   * SGD step the run diverges and amplifies float32 rounding, so cases pair it with Adam.
   */
  steep?: boolean;
  /** A tfjs-layers loss name, or a per-sample function over TF.js ops. */
  tfjs: string | LossFn;
  /** TF.js is given one-hot rows where our engine gets class indices. */
  tfjsOneHot?: boolean;
  /** Set when the TF.js side is Keras 3's formula rather than a TF.js loss: why. */
  formula?: string;
}

const EPS = 1e-7;
const NONE = tf.Reduction.NONE;
const rowMean = (t: tf.Tensor) => tf.mean(t, -1);

/** Keras 3 label smoothing: y(1 − ls) + ls/2 for binary targets, + ls/C for categorical ones. */
const smoothBinary = (y: tf.Tensor, ls: number) => tf.add(tf.mul(y, 1 - ls), 0.5 * ls);
const smoothCategorical = (y: tf.Tensor, ls: number) =>
  tf.add(tf.mul(y, 1 - ls), ls / y.shape[y.shape.length - 1]!);

/** Keras 3 binary focal cross-entropy (losses.py), with its probability-space BCE. */
function binaryFocal(o: { gamma: number; alpha?: number; logits?: boolean; ls?: number }): LossFn {
  return (yTrue, yPred) => {
    const y = o.ls ? smoothBinary(yTrue, o.ls) : yTrue;
    const p = o.logits ? tf.sigmoid(yPred) : yPred;
    const q = tf.clipByValue(p, EPS, 1 - EPS);
    const bce = tf.neg(tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q)))));
    const pT = tf.add(tf.mul(y, p), tf.mul(tf.sub(1, y), tf.sub(1, p)));
    let focal = tf.mul(tf.pow(tf.sub(1, pT), o.gamma), bce);
    if (o.alpha !== undefined) {
      focal = tf.mul(tf.add(tf.mul(y, o.alpha), tf.mul(tf.sub(1, y), 1 - o.alpha)), focal);
    }
    return rowMean(focal);
  };
}

/** Keras 3 categorical focal cross-entropy (losses.py). */
function categoricalFocal(o: {
  gamma: number;
  alpha: number;
  logits?: boolean;
  ls?: number;
}): LossFn {
  return (yTrue, yPred) => {
    const y = o.ls ? smoothCategorical(yTrue, o.ls) : yTrue;
    const p = o.logits ? tf.softmax(yPred) : yPred;
    const q = tf.clipByValue(tf.div(p, tf.sum(p, -1, true)), EPS, 1 - EPS);
    const cce = tf.neg(tf.mul(y, tf.log(q)));
    return tf.sum(tf.mul(tf.mul(tf.pow(tf.sub(1, q), o.gamma), o.alpha), cce), -1);
  };
}

/** The table, keyed by the names the cases use. */
export const LOSSES: Readonly<Record<string, LossEntry>> = {
  mse: { keras: k('mse'), targets: 'regression', head: 'linear', tfjs: 'meanSquaredError' },
  mse_sum: {
    keras: k('MeanSquaredError', [], { reduction: 'sum' }),
    targets: 'regression',
    head: 'linear',
    steep: true,
    tfjs: (y, p) => tf.mul(tf.metrics.meanSquaredError(y, p), y.shape[0]!),
    formula: "reduction='sum' (TF.js always averages): TF.js's MSE × batch size",
  },
  mae: { keras: k('mae'), targets: 'regression', head: 'linear', tfjs: 'meanAbsoluteError' },
  mape: {
    keras: k('mape'),
    targets: 'away_from_zero',
    head: 'linear',
    steep: true,
    tfjs: 'meanAbsolutePercentageError',
  },
  msle: {
    keras: k('msle'),
    targets: 'positive',
    head: 'softplus',
    tfjs: 'meanSquaredLogarithmicError',
  },
  huber: {
    keras: k('Huber', [], { delta: 0.7 }),
    targets: 'regression',
    head: 'linear',
    tfjs: (y, p) => rowMean(tf.losses.huberLoss(y, p, undefined, 0.7, NONE)),
  },
  log_cosh: { keras: k('log_cosh'), targets: 'regression', head: 'linear', tfjs: 'logcosh' },
  binary_crossentropy: {
    keras: k('binary_crossentropy'),
    targets: 'binary',
    head: 'sigmoid',
    tfjs: 'binaryCrossentropy',
  },
  bce_logits: {
    keras: k('BinaryCrossentropy', [], { from_logits: true }),
    targets: 'binary',
    head: 'linear',
    tfjs: (y, p) => rowMean(tf.losses.sigmoidCrossEntropy(y, p, undefined, 0, NONE)),
  },
  bce_smoothing: {
    keras: k('BinaryCrossentropy', [], { label_smoothing: 0.2 }),
    targets: 'binary',
    head: 'sigmoid',
    tfjs: (y, p) => tf.metrics.binaryCrossentropy(smoothBinary(y, 0.2), p),
    formula:
      'label smoothing of probabilities (absent from tfjs-layers) applied to the targets of TF.js’s BCE',
  },
  bce_logits_smoothing: {
    keras: k('BinaryCrossentropy', [], { from_logits: true, label_smoothing: 0.1 }),
    targets: 'binary',
    head: 'linear',
    tfjs: (y, p) => rowMean(tf.losses.sigmoidCrossEntropy(y, p, undefined, 0.1, NONE)),
  },
  categorical_crossentropy: {
    keras: k('categorical_crossentropy'),
    targets: 'one_hot',
    head: 'softmax',
    tfjs: 'categoricalCrossentropy',
  },
  cce_logits: {
    keras: k('CategoricalCrossentropy', [], { from_logits: true }),
    targets: 'one_hot',
    head: 'linear',
    tfjs: (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0, NONE),
  },
  cce_smoothing: {
    keras: k('CategoricalCrossentropy', [], { label_smoothing: 0.1 }),
    targets: 'one_hot',
    head: 'softmax',
    tfjs: (y, p) => tf.metrics.categoricalCrossentropy(smoothCategorical(y, 0.1), p),
    formula:
      'label smoothing of probabilities (absent from tfjs-layers) applied to the targets of TF.js’s CCE',
  },
  cce_logits_smoothing: {
    keras: k('CategoricalCrossentropy', [], { from_logits: true, label_smoothing: 0.15 }),
    targets: 'one_hot',
    head: 'linear',
    tfjs: (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0.15, NONE),
  },
  sparse_categorical_crossentropy: {
    keras: k('sparse_categorical_crossentropy'),
    targets: 'sparse',
    head: 'softmax',
    tfjs: 'sparseCategoricalCrossentropy',
  },
  scce_logits: {
    keras: k('SparseCategoricalCrossentropy', [], { from_logits: true }),
    targets: 'sparse',
    head: 'linear',
    tfjs: (y, p) => tf.losses.softmaxCrossEntropy(y, p, undefined, 0, NONE),
    tfjsOneHot: true,
  },
  crossentropy_binary: {
    keras: k('crossentropy'),
    targets: 'binary',
    head: 'sigmoid',
    units: 1,
    tfjs: 'binaryCrossentropy',
  },
  ce_sparse: {
    keras: k('ce'),
    targets: 'sparse',
    head: 'softmax',
    tfjs: 'sparseCategoricalCrossentropy',
  },
  crossentropy_categorical: {
    keras: k('crossentropy'),
    targets: 'one_hot',
    head: 'softmax',
    tfjs: 'categoricalCrossentropy',
  },
  hinge: { keras: k('hinge'), targets: 'signs', head: 'tanh', tfjs: 'hinge' },
  hinge_binary_targets: {
    keras: k('hinge'),
    targets: 'binary',
    head: 'linear',
    tfjs: (y, p) => rowMean(tf.losses.hingeLoss(y, p, undefined, NONE)),
  },
  squared_hinge: {
    keras: k('squared_hinge'),
    targets: 'signs',
    head: 'linear',
    tfjs: 'squaredHinge',
  },
  squared_hinge_binary_targets: {
    keras: k('squared_hinge'),
    targets: 'binary',
    head: 'tanh',
    tfjs: (y, p) => rowMean(tf.square(tf.relu(tf.sub(1, tf.mul(tf.sub(tf.mul(2, y), 1), p))))),
    formula: 'Keras 3 maps 0/1 targets to ±1; TF.js squaredHinge does not',
  },
  categorical_hinge: {
    keras: k('categorical_hinge'),
    targets: 'one_hot',
    head: 'linear',
    tfjs: 'categoricalHinge',
  },
  kl_divergence: {
    keras: k('kl_divergence'),
    targets: 'distribution',
    head: 'softmax',
    tfjs: 'kullbackLeiblerDivergence',
  },
  kl_divergence_one_hot: {
    keras: k('KLDivergence'),
    targets: 'one_hot',
    head: 'softmax',
    tfjs: (y, p) => {
      const yc = tf.clipByValue(y, EPS, 1);
      return tf.sum(tf.mul(yc, tf.log(tf.div(yc, tf.clipByValue(p, EPS, 1)))), -1);
    },
    formula: 'Keras 3 clips y_true before weighting by it; TF.js weights by the unclipped y_true',
  },
  poisson: { keras: k('poisson'), targets: 'counts', head: 'softplus', tfjs: 'poisson' },
  cosine_similarity: {
    keras: k('cosine_similarity'),
    targets: 'regression',
    head: 'linear',
    tfjs: 'cosineProximity',
  },
  binary_focal: {
    keras: k('BinaryFocalCrossentropy', [], { gamma: 2 }),
    targets: 'binary',
    head: 'sigmoid',
    tfjs: binaryFocal({ gamma: 2 }),
    formula: 'binary focal cross-entropy, absent from TF.js',
  },
  binary_focal_balanced_logits: {
    keras: k('BinaryFocalCrossentropy', [], {
      apply_class_balancing: true,
      alpha: 0.3,
      gamma: 1.5,
      from_logits: true,
      label_smoothing: 0.1,
    }),
    targets: 'binary',
    head: 'linear',
    tfjs: binaryFocal({ gamma: 1.5, alpha: 0.3, logits: true, ls: 0.1 }),
    formula: 'binary focal cross-entropy, absent from TF.js',
  },
  categorical_focal: {
    keras: k('CategoricalFocalCrossentropy'),
    targets: 'one_hot',
    head: 'softmax',
    tfjs: categoricalFocal({ gamma: 2, alpha: 0.25 }),
    formula: 'categorical focal cross-entropy, absent from TF.js',
  },
  categorical_focal_logits_smoothing: {
    keras: k('CategoricalFocalCrossentropy', [], {
      alpha: 0.4,
      gamma: 1.5,
      from_logits: true,
      label_smoothing: 0.1,
    }),
    targets: 'one_hot',
    head: 'linear',
    tfjs: categoricalFocal({ gamma: 1.5, alpha: 0.4, logits: true, ls: 0.1 }),
    formula: 'categorical focal cross-entropy, absent from TF.js',
  },
};

/** The loss entry of a case; throws for an unknown key. */
export function lossEntry(key: string): LossEntry {
  const e = LOSSES[key];
  if (!e) throw new Error(`no loss '${key}' in the conformance table`);
  return e;
}
