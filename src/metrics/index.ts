/**
 * Keras 3's stateful metrics for compile(metrics=[…]): the Metric contract, the metric classes,
 * and resolveMetric, which turns what the user wrote into one of them.
 */

export {
  checkBatch,
  RowMeanMetric,
  type Metric,
  type MetricContext,
  type MetricDirection,
} from './metrics.js';
export {
  BinaryAccuracy,
  CategoricalAccuracy,
  ExactAccuracy,
  SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from './accuracy.js';
export { Auc, type AucOptions } from './auc.js';
export { PrecisionRecall, type ConfusionOptions } from './confusion.js';
export { LossMeanMetric, R2Score, type LossMeanForm, type R2Options } from './regression.js';
export { OutputLoss, OutputMetric } from './output.js';
export { resolveMetric, type MetricCall } from './resolve.js';
