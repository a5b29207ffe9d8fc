/**
 * Initializers as plain data: resolveInitializer turns a Keras name or call into an
 * InitializerSpec as `keras.initializers.get` would (class names, snake_case, the aliases
 * normal, uniform, zero, one, OrthogonalInitializer), with Keras's defaults and checks.
 */
import { ArgReader, foldName, splitNamed, type Named } from '../optim/named.js';
import { SpecError } from '../optim/spec-error.js';

/** A fan mode of VarianceScaling. */
export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
/** A distribution of VarianceScaling ('normal' is resolved to 'truncated_normal'). */
export type FanDistribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

/** The variance-scaling presets (GlorotUniform = VarianceScaling(1, fan_avg, uniform), …). */
export interface VarianceScalingPresetSpec {
  readonly className:
    'GlorotUniform' | 'GlorotNormal' | 'HeUniform' | 'HeNormal' | 'LecunUniform' | 'LecunNormal';
  readonly seed: number | null;
}

/** keras.initializers.VarianceScaling. */
export interface VarianceScalingSpec {
  readonly className: 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: FanDistribution;
  readonly seed: number | null;
}

/** keras.initializers.RandomNormal and TruncatedNormal (cut at ±2σ). */
export interface NormalSpec {
  readonly className: 'RandomNormal' | 'TruncatedNormal';
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;
}

/** keras.initializers.RandomUniform. */
export interface RandomUniformSpec {
  readonly className: 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | null;
}

/** keras.initializers.Zeros and Ones. */
export interface FixedSpec {
  readonly className: 'Zeros' | 'Ones';
}

/** keras.initializers.Constant. */
export interface ConstantSpec {
  readonly className: 'Constant';
  readonly value: number;
}

/** keras.initializers.Identity (2-D weights only). */
export interface IdentitySpec {
  readonly className: 'Identity';
  readonly gain: number;
}

/** keras.initializers.Orthogonal. */
export interface OrthogonalSpec {
  readonly className: 'Orthogonal';
  readonly gain: number;
  readonly seed: number | null;
}

/** A resolved Keras 3 initializer (JSON-serializable). */
export type InitializerSpec =
  | VarianceScalingPresetSpec
  | VarianceScalingSpec
  | NormalSpec
  | RandomUniformSpec
  | FixedSpec
  | ConstantSpec
  | IdentitySpec
  | OrthogonalSpec;

const presets: Record<string, VarianceScalingPresetSpec['className']> = {
  glorotuniform: 'GlorotUniform',
  glorotnormal: 'GlorotNormal',
  heuniform: 'HeUniform',
  henormal: 'HeNormal',
  lecununiform: 'LecunUniform',
  lecunnormal: 'LecunNormal',
};

const aliases: Record<string, string> = {
  normal: 'randomnormal',
  uniform: 'randomuniform',
  zero: 'zeros',
  one: 'ones',
  orthogonalinitializer: 'orthogonal',
  identityinitializer: 'identity',
};

const knownNames =
  'GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, VarianceScaling, RandomNormal, ' +
  'RandomUniform, TruncatedNormal, Zeros, Ones, Constant, Identity, Orthogonal';

/** The initializer a Keras name or call denotes, with Keras 3's defaults; throws SpecError. */
export function resolveInitializer(named: Named): InitializerSpec {
  const { name, args } = splitNamed(named);
  const folded = foldName(name);
  const key = aliases[folded] ?? folded;
  const preset = presets[key];
  let spec: InitializerSpec;
  let a: ArgReader;
  if (preset) {
    a = new ArgReader(preset, args);
    spec = { className: preset, seed: seed(a) };
  } else {
    switch (key) {
      case 'variancescaling':
        a = new ArgReader('VarianceScaling', args);
        spec = varianceScaling(a);
        break;
      case 'randomnormal':
      case 'truncatednormal': {
        const className = key === 'randomnormal' ? 'RandomNormal' : 'TruncatedNormal';
        a = new ArgReader(className, args);
        const mean = a.number('mean', 0);
        const stddev = a.number('stddev', 0.05);
        spec = { className, mean, stddev, seed: seed(a) };
        break;
      }
      case 'randomuniform': {
        a = new ArgReader('RandomUniform', args);
        const minval = a.number('minval', -0.05);
        const maxval = a.number('maxval', 0.05);
        spec = { className: 'RandomUniform', minval, maxval, seed: seed(a) };
        break;
      }
      case 'zeros':
        a = new ArgReader('Zeros', args);
        spec = { className: 'Zeros' };
        break;
      case 'ones':
        a = new ArgReader('Ones', args);
        spec = { className: 'Ones' };
        break;
      case 'constant':
        a = new ArgReader('Constant', args);
        spec = { className: 'Constant', value: a.number('value', 0) };
        break;
      case 'identity':
        a = new ArgReader('Identity', args);
        spec = { className: 'Identity', gain: a.number('gain', 1) };
        break;
      case 'orthogonal': {
        a = new ArgReader('Orthogonal', args);
        const gain = a.number('gain', 1);
        spec = { className: 'Orthogonal', gain, seed: seed(a) };
        break;
      }
      default:
        throw new SpecError(`Unknown initializer '${name}'. Known initializers: ${knownNames}.`);
    }
  }
  a.done();
  return spec;
}

/** Keras's seed argument: None or an integer (a fixed seed makes every fill identical). */
function seed(a: ArgReader): number | null {
  const s = a.optionalNumber('seed');
  if (s !== null && !Number.isInteger(s)) {
    throw a.invalid('seed', `must be an integer, found ${s}.`);
  }
  return s;
}

/** VarianceScaling's checks, as its constructor does them. */
function varianceScaling(a: ArgReader): VarianceScalingSpec {
  const scale = a.number('scale', 1);
  if (!(scale > 0)) throw a.invalid('scale', `must be a positive float, found ${scale}.`);
  const mode = a.string('mode', 'fan_in');
  if (mode !== 'fan_in' && mode !== 'fan_out' && mode !== 'fan_avg') {
    throw a.invalid('mode', `must be one of 'fan_in', 'fan_out', 'fan_avg', found '${mode}'.`);
  }
  let distribution = a.string('distribution', 'truncated_normal').toLowerCase();
  if (distribution === 'normal') distribution = 'truncated_normal';
  if (
    distribution !== 'uniform' &&
    distribution !== 'truncated_normal' &&
    distribution !== 'untruncated_normal'
  ) {
    throw a.invalid(
      'distribution',
      `must be one of 'uniform', 'truncated_normal', 'untruncated_normal', found '${distribution}'.`,
    );
  }
  return { className: 'VarianceScaling', scale, mode, distribution, seed: seed(a) };
}
