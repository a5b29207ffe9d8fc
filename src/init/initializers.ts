/**
 * Keras 3's weight initializers (keras/src/initializers/*.py) over Float32Array buffers, drawing
 * from the engine's seeded Rng. Names resolve as `keras.initializers.get` does: class names,
 * their snake_case forms and the aliases normal, uniform, zero, one, OrthogonalInitializer.
 */
import { Rng } from '../kernels/random.js';
import { ArgReader, foldName, splitNamed, type Named } from '../optim/named.js';
import { fillOrthogonal } from './orthogonal.js';

/** A resolved initializer: fills a row-major buffer of the given shape. */
export interface Initializer {
  readonly className: string;
  /** Overwrites out (length prod(shape)) with initial values, drawing from rng unless seeded. */
  fill(shape: readonly number[], rng: Rng, out: Float32Array): void;
}

/** Keras's truncated-normal correction: the std of N(0, 1) truncated to [−2, 2]. */
export const TRUNCATED_NORMAL_STD = 0.87962566103423978;

/** Fills out with initial values per spec (see createInitializer); out is overwritten. */
export function initialize(
  spec: Named,
  shape: readonly number[],
  rng: Rng,
  out: Float32Array,
): void {
  createInitializer(spec).fill(shape, rng, out);
}

/** Keras's compute_fans: (fan_in, fan_out) of a weight shape (conv kernels: receptive field × depth). */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length < 1) return [1, 1];
  if (shape.length === 1) return [shape[0] as number, shape[0] as number];
  if (shape.length === 2) return [shape[0] as number, shape[1] as number];
  let receptive = 1;
  for (let d = 0; d < shape.length - 2; d++) receptive *= shape[d] as number;
  return [
    (shape[shape.length - 2] as number) * receptive,
    (shape[shape.length - 1] as number) * receptive,
  ];
}

type Mode = 'fan_in' | 'fan_out' | 'fan_avg';
type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

/** Variance-scaling presets: class → (scale, mode, distribution). */
const presets: Record<string, [string, number, Mode, Distribution]> = {
  glorotuniform: ['GlorotUniform', 1, 'fan_avg', 'uniform'],
  glorotnormal: ['GlorotNormal', 1, 'fan_avg', 'truncated_normal'],
  heuniform: ['HeUniform', 2, 'fan_in', 'uniform'],
  henormal: ['HeNormal', 2, 'fan_in', 'truncated_normal'],
  lecununiform: ['LecunUniform', 1, 'fan_in', 'uniform'],
  lecunnormal: ['LecunNormal', 1, 'fan_in', 'truncated_normal'],
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

/** The initializer a spec names, with Keras 3's defaults; throws for unknown names or invalid args. */
export function createInitializer(spec: Named): Initializer {
  const { name, args } = splitNamed(spec);
  const folded = foldName(name);
  const key = aliases[folded] ?? folded;
  const preset = presets[key];
  if (preset) {
    const [className, scale, mode, distribution] = preset;
    const a = new ArgReader(className, args);
    return finish(a, seeded(a, varianceScaling(className, scale, mode, distribution)));
  }
  switch (key) {
    case 'variancescaling':
      return varianceScalingFromArgs(new ArgReader('VarianceScaling', args));
    case 'randomnormal': {
      const a = new ArgReader('RandomNormal', args);
      const mean = a.number('mean', 0);
      const stddev = a.number('stddev', 0.05);
      return finish(
        a,
        seeded(
          a,
          randomFill('RandomNormal', (rng) => mean + stddev * rng.normal()),
        ),
      );
    }
    case 'randomuniform': {
      const a = new ArgReader('RandomUniform', args);
      const min = a.number('minval', -0.05);
      const max = a.number('maxval', 0.05);
      return finish(
        a,
        seeded(
          a,
          randomFill('RandomUniform', (rng) => min + (max - min) * rng.uniform()),
        ),
      );
    }
    case 'truncatednormal': {
      const a = new ArgReader('TruncatedNormal', args);
      const mean = a.number('mean', 0);
      const stddev = a.number('stddev', 0.05);
      return finish(
        a,
        seeded(
          a,
          randomFill('TruncatedNormal', (rng) => mean + stddev * truncatedStandardNormal(rng)),
        ),
      );
    }
    case 'zeros':
      return finish(new ArgReader('Zeros', args), constant('Zeros', 0));
    case 'ones':
      return finish(new ArgReader('Ones', args), constant('Ones', 1));
    case 'constant': {
      const a = new ArgReader('Constant', args);
      return finish(a, constant('Constant', a.number('value', 0)));
    }
    case 'identity': {
      const a = new ArgReader('Identity', args);
      return finish(a, identity(a.number('gain', 1)));
    }
    case 'orthogonal': {
      const a = new ArgReader('Orthogonal', args);
      const gain = a.number('gain', 1);
      return finish(
        a,
        seeded(a, {
          className: 'Orthogonal',
          fill: (shape, rng, out) => fillOrthogonal(shape, gain, rng, out),
        }),
      );
    }
    default:
      throw new Error(`Unknown initializer '${name}'. Known initializers: ${knownNames}.`);
  }
}

function finish(a: ArgReader, init: Initializer): Initializer {
  a.done();
  return checked(init);
}

/** Wraps fill with the shape/length check every initializer needs. */
function checked(init: Initializer): Initializer {
  return {
    className: init.className,
    fill(shape, rng, out) {
      let size = 1;
      for (const d of shape) {
        if (!Number.isInteger(d) || d < 0) {
          throw new Error(`${init.className}: invalid shape [${shape.join(', ')}].`);
        }
        size *= d;
      }
      if (size !== out.length) {
        throw new Error(
          `${init.className}: a buffer of ${out.length} values cannot hold shape [${shape.join(', ')}].`,
        );
      }
      init.fill(shape, rng, out);
    },
  };
}

/** With a `seed` argument, every fill draws from a fresh Rng(seed): the same seed gives the same values. */
function seeded(a: ArgReader, init: Initializer): Initializer {
  const seed = a.optionalNumber('seed');
  if (seed === null) return init;
  if (!Number.isInteger(seed)) throw a.invalid('seed', `must be an integer, found ${seed}.`);
  return {
    className: init.className,
    fill: (shape, _rng, out) => init.fill(shape, new Rng(seed), out),
  };
}

function randomFill(className: string, draw: (rng: Rng) => number): Initializer {
  return {
    className,
    fill(_shape, rng, out) {
      for (let i = 0; i < out.length; i++) out[i] = draw(rng);
    },
  };
}

function constant(className: string, value: number): Initializer {
  return { className, fill: (_shape, _rng, out) => out.fill(value) };
}

/** A standard normal conditioned on |z| ≤ 2, by resampling (as tf.random.truncated_normal). */
export function truncatedStandardNormal(rng: Rng): number {
  for (;;) {
    const z = rng.normal();
    if (z >= -2 && z <= 2) return z;
  }
}

function varianceScalingFromArgs(a: ArgReader): Initializer {
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
  return finish(a, seeded(a, varianceScaling('VarianceScaling', scale, mode, distribution)));
}

/**
 * s = scale/max(1, fan); truncated_normal: N(0, √s/0.8796…) cut at ±2σ (so the result's std is
 * √s); untruncated_normal: N(0, √s); uniform: U(−√(3s), √(3s)).
 */
function varianceScaling(
  className: string,
  scale: number,
  mode: Mode,
  distribution: Distribution,
): Initializer {
  return {
    className,
    fill(shape, rng, out) {
      const [fanIn, fanOut] = computeFans(shape);
      const fan = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
      const s = scale / Math.max(1, fan);
      if (distribution === 'uniform') {
        const limit = Math.sqrt(3 * s);
        for (let i = 0; i < out.length; i++) out[i] = -limit + 2 * limit * rng.uniform();
      } else if (distribution === 'untruncated_normal') {
        const stddev = Math.sqrt(s);
        for (let i = 0; i < out.length; i++) out[i] = stddev * rng.normal();
      } else {
        const stddev = Math.sqrt(s) / TRUNCATED_NORMAL_STD;
        for (let i = 0; i < out.length; i++) out[i] = stddev * truncatedStandardNormal(rng);
      }
    },
  };
}

/** gain·I for a 2-D (possibly rectangular) weight; other ranks are an error, as in Keras. */
function identity(gain: number): Initializer {
  return {
    className: 'Identity',
    fill(shape, _rng, out) {
      if (shape.length !== 2) {
        throw new Error(
          `Identity: the initializer can only be used for 2D matrices, found shape [${shape.join(', ')}].`,
        );
      }
      const [rows, cols] = shape as [number, number];
      out.fill(0);
      for (let i = 0; i < Math.min(rows, cols); i++) out[i * cols + i] = gain;
    },
  };
}
