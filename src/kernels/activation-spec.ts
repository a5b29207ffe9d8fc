/**
 * Activation identifiers as Keras 3 accepts them (keras.activations.get: snake_case names, the
 * aliases swish and hard_swish) with their keyword arguments, resolved once to a spec that the
 * activation kernels switch on.
 */

/** Canonical activation names: Keras 3's built-ins (aliases resolved) plus nnlang's `step`. */
export const activationNames = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hard_sigmoid',
  'hard_silu',
  'tanh',
  'softmax',
  'log_softmax',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'silu',
  'gelu',
  'exponential',
  'mish',
  'leaky_relu',
  'celu',
  'hard_shrink',
  'hard_tanh',
  'log_sigmoid',
  'soft_shrink',
  'sparse_plus',
  'sparse_sigmoid',
  'squareplus',
  'tanh_shrink',
  'threshold',
  'sparsemax',
  'step',
] as const;

export type ActivationName = (typeof activationNames)[number];

/** A resolved activation: its canonical name and every keyword argument, with Keras's defaults filled in. */
export interface ActivationSpec {
  name: ActivationName;
  /** elu/celu `alpha` (default 1). */
  alpha: number;
  /** relu/leaky_relu `negative_slope` (relu 0, leaky_relu 0.2). */
  slope: number;
  /** relu `max_value`; Infinity when None. */
  maxValue: number;
  /** relu `threshold` (0), hard_shrink/soft_shrink `threshold` (0.5), threshold's `threshold`. */
  threshold: number;
  /** threshold's `default_value`. */
  defaultValue: number;
  /** squareplus `b` (default 4). */
  b: number;
  /** gelu `approximate` (default false: the erf form). */
  approximate: boolean;
  /** softmax/log_softmax/sparsemax `axis` (default −1); the kernels work on the last axis. */
  axis: number;
}

const ALIASES: Readonly<Record<string, ActivationName>> = {
  swish: 'silu',
  hard_swish: 'hard_silu',
};

/** The keyword arguments each activation takes (after x), as Keras spells them. */
const KEYWORDS: Readonly<Record<ActivationName, readonly string[]>> = {
  linear: [],
  relu: ['negative_slope', 'max_value', 'threshold'],
  relu6: [],
  sigmoid: [],
  hard_sigmoid: [],
  hard_silu: [],
  tanh: [],
  softmax: ['axis'],
  log_softmax: ['axis'],
  elu: ['alpha'],
  selu: [],
  softplus: [],
  softsign: [],
  silu: [],
  gelu: ['approximate'],
  exponential: [],
  mish: [],
  leaky_relu: ['negative_slope'],
  celu: ['alpha'],
  hard_shrink: ['threshold'],
  hard_tanh: [],
  log_sigmoid: [],
  soft_shrink: ['threshold'],
  sparse_plus: [],
  sparse_sigmoid: [],
  squareplus: ['b'],
  tanh_shrink: [],
  threshold: ['threshold', 'default_value'],
  sparsemax: ['axis'],
  step: [],
};

/**
 * Resolves a Keras activation identifier and its keyword arguments (plain JSON, Keras spelling)
 * to a spec with Keras 3's defaults; throws an Error for an unknown name or argument, a badly
 * typed value, or threshold's missing required arguments.
 */
export function resolveActivation(
  name: string,
  args: Record<string, unknown> = {},
): ActivationSpec {
  if (name === 'glu') {
    throw new Error(`activation 'glu' halves the last axis, so it has no same-shape kernel`);
  }
  const canonical =
    ALIASES[name] ?? (Object.hasOwn(KEYWORDS, name) ? (name as ActivationName) : undefined);
  if (canonical === undefined) throw new Error(`unknown activation '${name}'`);
  for (const key of Object.keys(args)) {
    if (!KEYWORDS[canonical].includes(key)) {
      throw new Error(`activation '${name}' has no argument '${key}'`);
    }
  }
  if (canonical === 'threshold' && (!('threshold' in args) || !('default_value' in args))) {
    throw new Error(`activation 'threshold' requires 'threshold' and 'default_value'`);
  }
  const approximate = args['approximate'] ?? false;
  if (typeof approximate !== 'boolean') {
    throw new Error(`activation '${name}': 'approximate' must be a boolean`);
  }
  const shrink = canonical === 'hard_shrink' || canonical === 'soft_shrink';
  const spec: ActivationSpec = {
    name: canonical,
    alpha: numberArg(name, args, 'alpha', 1),
    slope: numberArg(name, args, 'negative_slope', canonical === 'leaky_relu' ? 0.2 : 0),
    maxValue: args['max_value'] === null ? Infinity : numberArg(name, args, 'max_value', Infinity),
    threshold: numberArg(name, args, 'threshold', shrink ? 0.5 : 0),
    defaultValue: numberArg(name, args, 'default_value', 0),
    b: numberArg(name, args, 'b', 4),
    approximate,
    axis: numberArg(name, args, 'axis', -1),
  };
  if (!Number.isInteger(spec.axis)) {
    throw new Error(`activation '${name}': 'axis' must be an integer`);
  }
  if (canonical === 'celu' && spec.alpha === 0) {
    throw new Error(`activation 'celu': 'alpha' must not be 0`);
  }
  return spec;
}

/** args[key] as a finite number, or the fallback when absent; throws for any other value. */
function numberArg(
  name: string,
  args: Record<string, unknown>,
  key: string,
  fallback: number,
): number {
  const v = args[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Error(`activation '${name}': argument '${key}' must be a finite number`);
  }
  return v;
}
