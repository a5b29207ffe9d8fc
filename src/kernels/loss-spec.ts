/**
 * Which Keras 3 loss a name means, and with which arguments: the LossSpec that the loss kernels
 * in losses.ts run. Names, aliases and argument defaults follow keras/src/losses/__init__.py and
 * the loss classes of keras/src/losses/losses.py; the reductions are those of loss.py.
 */

import type { ElementwiseLossName } from './loss-elementwise.js';

/** Keras 3's loss function names (the canonical spelling of each supported loss). */
export type LossName =
  | ElementwiseLossName
  | 'binary_crossentropy'
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy'
  | 'binary_focal_crossentropy'
  | 'categorical_focal_crossentropy';

/** How per-sample losses become one number (Keras's `reduction`; None is 'none'). */
export type LossReduction =
  'sum_over_batch_size' | 'sum' | 'mean' | 'mean_with_sample_weight' | 'none';

/** A resolved loss: which formula, with every argument at its Keras value. */
export interface LossSpec {
  name: LossName;
  /** The loss instance's Keras `name` (its default differs for Huber: 'huber_loss'). */
  instanceName: string;
  fromLogits: boolean;
  labelSmoothing: number;
  /** Huber's delta. */
  delta: number;
  /** sparse_categorical_crossentropy's ignore_class. */
  ignoreClass: number | null;
  reduction: LossReduction;
  /** Focal losses' alpha and gamma. */
  alpha: number;
  gamma: number;
  /** binary_focal_crossentropy's apply_class_balancing. */
  applyClassBalancing: boolean;
}

/** What Keras looks at to resolve 'crossentropy' and 'accuracy': the output and target shapes. */
export interface TargetContext {
  /** The last dimension of y_pred. */
  outputUnits: number;
  /** The targets are class indices (rank(y_true) < rank(y_pred), or y_true's last dim is 1 < units). */
  targetIsSparse: boolean;
}

interface LossEntry {
  name: LossName;
  className: string;
  /** The class's default `name` when it is not the function name. */
  defaultName?: string;
  args: readonly string[];
}

const CE_ARGS = ['from_logits', 'label_smoothing', 'axis'];
const LOSSES: readonly LossEntry[] = [
  { name: 'mean_squared_error', className: 'MeanSquaredError', args: [] },
  { name: 'mean_absolute_error', className: 'MeanAbsoluteError', args: [] },
  { name: 'mean_absolute_percentage_error', className: 'MeanAbsolutePercentageError', args: [] },
  { name: 'mean_squared_logarithmic_error', className: 'MeanSquaredLogarithmicError', args: [] },
  { name: 'binary_crossentropy', className: 'BinaryCrossentropy', args: CE_ARGS },
  { name: 'categorical_crossentropy', className: 'CategoricalCrossentropy', args: CE_ARGS },
  {
    name: 'sparse_categorical_crossentropy',
    className: 'SparseCategoricalCrossentropy',

    args: ['from_logits', 'ignore_class', 'axis'],
  },
  {
    name: 'binary_focal_crossentropy',
    className: 'BinaryFocalCrossentropy',

    args: ['apply_class_balancing', 'alpha', 'gamma', ...CE_ARGS],
  },
  {
    name: 'categorical_focal_crossentropy',
    className: 'CategoricalFocalCrossentropy',

    args: ['alpha', 'gamma', ...CE_ARGS],
  },
  { name: 'hinge', className: 'Hinge', args: [] },
  { name: 'squared_hinge', className: 'SquaredHinge', args: [] },
  { name: 'categorical_hinge', className: 'CategoricalHinge', args: [] },
  { name: 'huber', className: 'Huber', defaultName: 'huber_loss', args: ['delta'] },
  { name: 'log_cosh', className: 'LogCosh', args: [] },
  { name: 'kl_divergence', className: 'KLDivergence', args: [] },
  { name: 'poisson', className: 'Poisson', args: [] },
  { name: 'cosine_similarity', className: 'CosineSimilarity', args: ['axis'] },
];

/** Keras 3's string aliases for losses (keras/src/losses/__init__.py). */
const LOSS_ALIASES: Readonly<Record<string, LossName>> = {
  bce: 'binary_crossentropy',
  BCE: 'binary_crossentropy',
  kld: 'kl_divergence',
  KLD: 'kl_divergence',
  mae: 'mean_absolute_error',
  MAE: 'mean_absolute_error',
  mse: 'mean_squared_error',
  MSE: 'mean_squared_error',
  mape: 'mean_absolute_percentage_error',
  MAPE: 'mean_absolute_percentage_error',
  msle: 'mean_squared_logarithmic_error',
  MSLE: 'mean_squared_logarithmic_error',
};

const REDUCTIONS: readonly LossReduction[] = [
  'sum_over_batch_size',
  'sum',
  'mean',
  'mean_with_sample_weight',
  'none',
];

/** Keras's shape rule for 'crossentropy'/'ce' and 'accuracy'/'acc' (compile_utils.py). */
export function crossentropyKind(ctx: TargetContext): 'binary' | 'sparse' | 'categorical' {
  if (ctx.outputUnits === 1) return 'binary';
  return ctx.targetIsSparse ? 'sparse' : 'categorical';
}

function findLoss(name: string, ctx: TargetContext | undefined): LossEntry {
  const lower = name.toLowerCase();
  let canonical: string = LOSS_ALIASES[name] ?? name;
  if (lower === 'crossentropy' || lower === 'ce') {
    if (!ctx)
      throw new Error(`Loss '${name}' is resolved from the output shape, which was not given.`);
    const kind = crossentropyKind(ctx);
    canonical = kind === 'sparse' ? 'sparse_categorical_crossentropy' : `${kind}_crossentropy`;
  }
  const entry = LOSSES.find((e) => e.name === canonical || e.className === canonical);
  if (!entry) throw new Error(`Unknown loss '${name}'.`);
  return entry;
}

/**
 * The LossSpec for a loss as written: a Keras function name, class name or alias ('mse',
 * 'BinaryCrossentropy', 'kld', …; case-sensitive as in Keras), or 'crossentropy'/'ce' resolved by
 * `ctx`; `args` are the class's keyword arguments in Keras spelling. Throws on unknown names,
 * unknown arguments and invalid values.
 */
export function resolveLoss(
  name: string,
  args: Record<string, unknown> = {},
  ctx?: TargetContext,
): LossSpec {
  const entry = findLoss(name, ctx);
  for (const key of Object.keys(args)) {
    if (!['reduction', 'name', 'dtype', ...entry.args].includes(key)) {
      throw new Error(`Loss '${name}' has no argument '${key}'.`);
    }
  }
  const axis = args['axis'];
  if (axis !== undefined && axis !== -1) {
    throw new Error(`Loss '${name}': only axis=-1 is supported (got ${String(axis)}).`);
  }
  const dtype = args['dtype'];
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') {
    throw new Error(`Loss '${name}': only dtype 'float32' is supported (got ${String(dtype)}).`);
  }
  const reduction =
    args['reduction'] === null ? 'none' : (args['reduction'] ?? 'sum_over_batch_size');
  if (!REDUCTIONS.includes(reduction as LossReduction)) {
    throw new Error(`Loss '${name}': invalid reduction '${String(reduction)}'.`);
  }
  const ignoreClass = args['ignore_class'] ?? null;
  if (ignoreClass !== null && !Number.isInteger(ignoreClass)) {
    throw new Error(`Loss '${name}': ignore_class must be an integer or None.`);
  }
  const instanceName = args['name'] ?? entry.defaultName ?? entry.name;
  if (typeof instanceName !== 'string') throw new Error(`Loss '${name}': name must be a string.`);
  return {
    name: entry.name,
    instanceName,
    fromLogits: boolArg(name, args, 'from_logits', false),
    labelSmoothing: numArg(name, args, 'label_smoothing', 0, 0, 1),
    delta: numArg(name, args, 'delta', 1, 0, Infinity),
    ignoreClass: ignoreClass as number | null,
    reduction: reduction as LossReduction,
    alpha: numArg(name, args, 'alpha', 0.25, -Infinity, Infinity),
    gamma: numArg(name, args, 'gamma', 2, 0, Infinity),
    applyClassBalancing: boolArg(name, args, 'apply_class_balancing', false),
  };
}

function boolArg(loss: string, args: Record<string, unknown>, key: string, def: boolean): boolean {
  const v = args[key] ?? def;
  if (typeof v !== 'boolean') throw new Error(`Loss '${loss}': ${key} must be True or False.`);
  return v;
}

function numArg(
  loss: string,
  args: Record<string, unknown>,
  key: string,
  def: number,
  min: number,
  max: number,
): number {
  const v = args[key] ?? def;
  if (typeof v !== 'number' || !(v >= min && v <= max)) {
    throw new Error(
      `Loss '${loss}': ${key} must be a number in [${min}, ${max}] (got ${String(v)}).`,
    );
  }
  return v;
}
