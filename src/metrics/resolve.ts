/**
 * compile(metrics=[…]) resolution as Keras 3 does it (compile_utils.get_metric and
 * keras/src/metrics/__init__.py): 'accuracy'/'acc' (any case) picks binary, sparse or
 * categorical accuracy from the shapes and keeps the string as the log key; other strings are a
 * class name, its snake_case, or an alias (mse, mae, mape, msle, bce and upper case), looked up
 * case-sensitively and logged under the string as written; a call (AUC(name='roc')) is logged
 * under its `name` argument or the class's default name.
 */

import { crossentropyKind, resolveLoss, type LossName } from '../kernels/losses.js';
import {
  BinaryAccuracy,
  CategoricalAccuracy,
  ExactAccuracy,
  SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from './accuracy.js';
import { Auc } from './auc.js';
import { PrecisionRecall } from './confusion.js';
import type { Metric, MetricContext } from './metrics.js';
import { LossMeanMetric, R2Score, type LossMeanForm } from './regression.js';

/** A metric written as a call: the class (or name) and its keyword arguments. */
export interface MetricCall {
  call: string;
  args: Record<string, unknown>;
}

type Args = Record<string, unknown>;

interface MetricEntry {
  className: string;
  /** to_snake_case(className): the string Keras accepts besides the class name. */
  snake: string;
  /** The class's default `name`. */
  defaultName: string;
  args: readonly string[];
  create(name: string, args: Args): Metric;
}

/** A metric averaging a loss formula, built from resolveLoss with reduction 'sum'. */
function lossMetric(
  className: string,
  snake: string,
  loss: LossName,
  options: { args?: readonly string[]; form?: LossMeanForm; defaultName?: string } = {},
): MetricEntry {
  const args = options.args ?? [];
  return {
    className,
    snake,
    defaultName: options.defaultName ?? snake,
    args,
    create(name, a) {
      const lossArgs: Args = { reduction: 'sum' };
      for (const key of ['from_logits', 'label_smoothing', 'axis']) {
        if (args.includes(key) && a[key] !== undefined) lossArgs[key] = a[key];
      }
      const form = options.form ?? 'mean';
      return new LossMeanMetric(
        name,
        form === 'negated' ? 'up' : 'down',
        resolveLoss(loss, lossArgs),
        form,
      );
    },
  };
}

const CE_ARGS = ['from_logits', 'label_smoothing'];

const METRICS: readonly MetricEntry[] = [
  {
    className: 'BinaryAccuracy',
    snake: 'binary_accuracy',
    defaultName: 'binary_accuracy',
    args: ['threshold'],
    create: (name, a) => new BinaryAccuracy(name, numberIn(name, a, 'threshold', 0.5, 0, 1, true)),
  },
  {
    className: 'CategoricalAccuracy',
    snake: 'categorical_accuracy',
    defaultName: 'categorical_accuracy',
    args: [],
    create: (name) => new CategoricalAccuracy(name),
  },
  {
    className: 'SparseCategoricalAccuracy',
    snake: 'sparse_categorical_accuracy',
    defaultName: 'sparse_categorical_accuracy',
    args: [],
    create: (name) => new SparseCategoricalAccuracy(name),
  },
  {
    className: 'TopKCategoricalAccuracy',
    snake: 'top_k_categorical_accuracy',
    defaultName: 'top_k_categorical_accuracy',
    args: ['k'],
    create: (name, a) => new TopKCategoricalAccuracy(name, integer(name, a, 'k', 5, 1) ?? 5),
  },
  {
    className: 'SparseTopKCategoricalAccuracy',
    snake: 'sparse_top_k_categorical_accuracy',
    defaultName: 'sparse_top_k_categorical_accuracy',
    args: ['k', 'from_sorted_ids'],
    create: (name, a) =>
      new SparseTopKCategoricalAccuracy(
        name,
        integer(name, a, 'k', 5, 1) ?? 5,
        boolean(name, a, 'from_sorted_ids', false),
      ),
  },
  {
    className: 'Accuracy',
    snake: 'accuracy',
    defaultName: 'accuracy',
    args: [],
    create: (name) => new ExactAccuracy(name),
  },
  confusionEntry('Precision', 'precision'),
  confusionEntry('Recall', 'recall'),
  {
    className: 'AUC',
    snake: 'auc',
    defaultName: 'auc',
    args: [
      'num_thresholds',
      'curve',
      'summation_method',
      'thresholds',
      'multi_label',
      'num_labels',
      'label_weights',
      'from_logits',
    ],
    create: createAuc,
  },
  lossMetric('MeanSquaredError', 'mean_squared_error', 'mean_squared_error'),
  lossMetric('RootMeanSquaredError', 'root_mean_squared_error', 'mean_squared_error', {
    form: 'root',
  }),
  lossMetric('MeanAbsoluteError', 'mean_absolute_error', 'mean_absolute_error'),
  lossMetric(
    'MeanAbsolutePercentageError',
    'mean_absolute_percentage_error',
    'mean_absolute_percentage_error',
  ),
  lossMetric(
    'MeanSquaredLogarithmicError',
    'mean_squared_logarithmic_error',
    'mean_squared_logarithmic_error',
  ),
  lossMetric('CosineSimilarity', 'cosine_similarity', 'cosine_similarity', {
    args: ['axis'],
    form: 'negated',
  }),
  lossMetric('LogCoshError', 'log_cosh_error', 'log_cosh', { defaultName: 'logcosh' }),
  {
    className: 'R2Score',
    snake: 'r2_score',
    defaultName: 'r2_score',
    args: ['class_aggregation', 'num_regressors'],
    create: (name, a) => {
      const aggregation =
        a['class_aggregation'] === undefined ? 'uniform_average' : a['class_aggregation'];
      if (aggregation !== 'uniform_average' && aggregation !== 'variance_weighted_average') {
        throw new Error(
          `Metric '${name}': class_aggregation must be 'uniform_average' or 'variance_weighted_average' ` +
            `(None gives one score per output, which a log entry cannot hold).`,
        );
      }
      return new R2Score(name, {
        classAggregation: aggregation,
        numRegressors: integer(name, a, 'num_regressors', 0, 0) ?? 0,
      });
    },
  },
  lossMetric('BinaryCrossentropy', 'binary_crossentropy', 'binary_crossentropy', { args: CE_ARGS }),
  lossMetric('CategoricalCrossentropy', 'categorical_crossentropy', 'categorical_crossentropy', {
    args: [...CE_ARGS, 'axis'],
  }),
  lossMetric(
    'SparseCategoricalCrossentropy',
    'sparse_categorical_crossentropy',
    'sparse_categorical_crossentropy',
    {
      args: ['from_logits', 'axis'],
    },
  ),
  lossMetric('KLDivergence', 'kl_divergence', 'kl_divergence'),
  lossMetric('Poisson', 'poisson', 'poisson'),
  lossMetric('Hinge', 'hinge', 'hinge'),
  lossMetric('SquaredHinge', 'squared_hinge', 'squared_hinge'),
  lossMetric('CategoricalHinge', 'categorical_hinge', 'categorical_hinge'),
];

/** Keras 3's metric aliases (keras/src/metrics/__init__.py). */
const METRIC_ALIASES: Readonly<Record<string, string>> = {
  bce: 'BinaryCrossentropy',
  BCE: 'BinaryCrossentropy',
  mse: 'MeanSquaredError',
  MSE: 'MeanSquaredError',
  mae: 'MeanAbsoluteError',
  MAE: 'MeanAbsoluteError',
  mape: 'MeanAbsolutePercentageError',
  MAPE: 'MeanAbsolutePercentageError',
  msle: 'MeanSquaredLogarithmicError',
  MSLE: 'MeanSquaredLogarithmicError',
};

function confusionEntry(
  className: 'Precision' | 'Recall',
  snake: 'precision' | 'recall',
): MetricEntry {
  return {
    className,
    snake,
    defaultName: snake,
    args: ['thresholds', 'top_k', 'class_id'],
    create: (name, a) =>
      new PrecisionRecall(name, snake, {
        threshold: singleThreshold(name, a['thresholds']),
        topK: integer(name, a, 'top_k', null, 1),
        classId: integer(name, a, 'class_id', null, 0),
      }),
  };
}

/** The spellings metrics_utils.AUCSummationMethod.from_str accepts. */
const SUMMATION_METHODS = [
  'interpolation',
  'Interpolation',
  'minoring',
  'Minoring',
  'majoring',
  'Majoring',
];

function createAuc(name: string, a: Args): Metric {
  if (
    boolean(name, a, 'multi_label', false) ||
    (a['num_labels'] ?? null) !== null ||
    (a['label_weights'] ?? null) !== null
  ) {
    throw new Error(
      `Metric '${name}': multi_label, num_labels and label_weights are not supported.`,
    );
  }
  const curve = String(a['curve'] ?? 'ROC');
  const method = String(a['summation_method'] ?? 'interpolation');
  if (!['ROC', 'roc', 'PR', 'pr'].includes(curve)) {
    throw new Error(`Metric '${name}': curve must be 'ROC' or 'PR' (got '${curve}').`);
  }
  if (!SUMMATION_METHODS.includes(method)) {
    throw new Error(
      `Metric '${name}': summation_method must be 'interpolation', 'minoring' or 'majoring'.`,
    );
  }
  const thresholds = a['thresholds'] ?? null;
  if (
    thresholds !== null &&
    !(
      Array.isArray(thresholds) &&
      thresholds.every((t) => typeof t === 'number' && t >= 0 && t <= 1)
    )
  ) {
    throw new Error(`Metric '${name}': thresholds must be a list of numbers in [0, 1].`);
  }
  return new Auc(name, {
    numThresholds: integer(name, a, 'num_thresholds', 200, 2) ?? 200,
    curve: curve.toUpperCase() as 'ROC' | 'PR',
    summationMethod: method.toLowerCase() as 'interpolation' | 'minoring' | 'majoring',
    thresholds: thresholds as number[] | null,
    fromLogits: boolean(name, a, 'from_logits', false),
  });
}

/** Precision/Recall's `thresholds`: None, a number, or a one-element list, each in [0, 1]. */
function singleThreshold(name: string, value: unknown): number | null {
  const t = Array.isArray(value) && value.length === 1 ? value[0] : (value ?? null);
  if (t === null) return null;
  if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
    throw new Error(
      `Metric '${name}': thresholds must be one number in [0, 1] ` +
        `(several thresholds give one value each, which a log entry cannot hold).`,
    );
  }
  return t;
}

function numberIn(
  name: string,
  a: Args,
  key: string,
  def: number,
  lo: number,
  hi: number,
  open: boolean,
): number {
  const v = a[key] === undefined ? def : a[key];
  const ok = typeof v === 'number' && (open ? v > lo && v < hi : v >= lo && v <= hi);
  if (!ok)
    throw new Error(
      `Metric '${name}': ${key} must be a number in ${open ? '(' : '['}${lo}, ${hi}${open ? ')' : ']'}.`,
    );
  return v;
}

function integer(
  name: string,
  a: Args,
  key: string,
  def: number | null,
  min: number,
): number | null {
  const v = a[key] === undefined ? def : a[key];
  if (v === null && def === null) return null;
  if (!Number.isInteger(v) || (v as number) < min) {
    throw new Error(`Metric '${name}': ${key} must be an integer ≥ ${min} (got ${String(v)}).`);
  }
  return v as number;
}

function boolean(name: string, a: Args, key: string, def: boolean): boolean {
  const v = a[key] ?? def;
  if (typeof v !== 'boolean') throw new Error(`Metric '${name}': ${key} must be True or False.`);
  return v;
}

/** Throws on arguments the metric does not take, and on axis/dtype values we cannot honour. */
function checkArgs(metric: string, args: Args, allowed: readonly string[]): void {
  for (const key of Object.keys(args)) {
    if (key !== 'name' && key !== 'dtype' && !allowed.includes(key)) {
      throw new Error(`Metric '${metric}' has no argument '${key}'.`);
    }
  }
  if (args['axis'] !== undefined && args['axis'] !== -1) {
    throw new Error(`Metric '${metric}': only axis=-1 is supported.`);
  }
  const dtype = args['dtype'] ?? null;
  if (dtype !== null && dtype !== 'float32') {
    throw new Error(`Metric '${metric}': only dtype 'float32' is supported.`);
  }
  const name = args['name'] ?? null;
  if (name !== null && typeof name !== 'string')
    throw new Error(`Metric '${metric}': name must be a string.`);
}

/** The accuracy or cross-entropy metric that Keras's shape rule picks. */
function byShape(id: string, name: string, ctx: MetricContext): Metric {
  const kind = crossentropyKind(ctx);
  const lower = id.toLowerCase();
  if (lower === 'accuracy' || lower === 'acc') {
    if (kind === 'binary') return new BinaryAccuracy(name, 0.5);
    return kind === 'sparse' ? new SparseCategoricalAccuracy(name) : new CategoricalAccuracy(name);
  }
  const loss: LossName =
    kind === 'sparse' ? 'sparse_categorical_crossentropy' : `${kind}_crossentropy`;
  return new LossMeanMetric(name, 'down', resolveLoss(loss, { reduction: 'sum' }));
}

/**
 * The Metric for one entry of compile(metrics=[…]): a string as written, or a call with keyword
 * arguments in Keras spelling. `ctx` gives the output units and whether targets are class
 * indices. Throws on unknown metrics and invalid arguments.
 */
export function resolveMetric(written: string | MetricCall, ctx: MetricContext): Metric {
  const isString = typeof written === 'string';
  const id = isString ? written : written.call;
  const args: Args = isString ? {} : written.args;
  const lower = id.toLowerCase();
  const explicitName = (args['name'] ?? null) as string | null;
  if (
    ['accuracy', 'acc', 'crossentropy', 'ce'].includes(lower) &&
    (isString || id !== 'Accuracy')
  ) {
    checkArgs(id, args, []);
    return byShape(id, explicitName ?? id, ctx);
  }
  const canonical = METRIC_ALIASES[id] ?? id;
  const entry = METRICS.find((e) => e.className === canonical || e.snake === canonical);
  if (!entry) throw new Error(`Unknown metric '${id}'.`);
  checkArgs(id, args, entry.args);
  return entry.create(isString ? id : (explicitName ?? entry.defaultName), args);
}
