/**
 * Keras 3's weight initializers (keras/src/initializers/*.py) over Float32Array buffers, drawing
 * from the engine's seeded Rng. Specs come resolved from initializer-spec.ts; a Named value is
 * resolved there first, so names, aliases and defaults are read in one place.
 */
import { Rng } from '../kernels/random.js';
import type { Named } from '../optim/named.js';
import {
  resolveInitializer,
  type FanDistribution,
  type FanMode,
  type InitializerSpec,
} from './initializer-spec.js';
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
  spec: InitializerSpec | Named,
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

/** Variance-scaling presets: class → (scale, mode, distribution). */
const presets: Record<string, [number, FanMode, FanDistribution]> = {
  GlorotUniform: [1, 'fan_avg', 'uniform'],
  GlorotNormal: [1, 'fan_avg', 'truncated_normal'],
  HeUniform: [2, 'fan_in', 'uniform'],
  HeNormal: [2, 'fan_in', 'truncated_normal'],
  LecunUniform: [1, 'fan_in', 'uniform'],
  LecunNormal: [1, 'fan_in', 'truncated_normal'],
};

/** The initializer of a resolved spec (a Named value such as 'he_normal' is resolved first). */
export function createInitializer(spec: InitializerSpec | Named): Initializer {
  const s = typeof spec === 'string' || 'call' in spec ? resolveInitializer(spec) : spec;
  return checked(unchecked(s));
}

/** The fill of a spec, before the shape check every initializer shares. */
function unchecked(s: InitializerSpec): Initializer {
  switch (s.className) {
    case 'GlorotUniform':
    case 'GlorotNormal':
    case 'HeUniform':
    case 'HeNormal':
    case 'LecunUniform':
    case 'LecunNormal': {
      const [scale, mode, distribution] = presets[s.className] as [
        number,
        FanMode,
        FanDistribution,
      ];
      return seeded(s.seed, varianceScaling(s.className, scale, mode, distribution));
    }
    case 'VarianceScaling':
      return seeded(s.seed, varianceScaling(s.className, s.scale, s.mode, s.distribution));
    case 'RandomNormal': {
      const { mean, stddev } = s;
      return seeded(
        s.seed,
        randomFill('RandomNormal', (rng) => mean + stddev * rng.normal()),
      );
    }
    case 'RandomUniform': {
      const { minval: min, maxval: max } = s;
      return seeded(
        s.seed,
        randomFill('RandomUniform', (rng) => min + (max - min) * rng.uniform()),
      );
    }
    case 'TruncatedNormal': {
      const { mean, stddev } = s;
      return seeded(
        s.seed,
        randomFill('TruncatedNormal', (rng) => mean + stddev * truncatedStandardNormal(rng)),
      );
    }
    case 'Zeros':
      return constant('Zeros', 0);
    case 'Ones':
      return constant('Ones', 1);
    case 'Constant':
      return constant('Constant', s.value);
    case 'Identity':
      return identity(s.gain);
    case 'Orthogonal': {
      const gain = s.gain;
      return seeded(s.seed, {
        className: 'Orthogonal',
        fill: (shape, rng, out) => fillOrthogonal(shape, gain, rng, out),
      });
    }
  }
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

/** With a seed, every fill draws from a fresh Rng(seed): the same seed gives the same values. */
function seeded(seed: number | null, init: Initializer): Initializer {
  if (seed === null) return init;
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

/**
 * s = scale/max(1, fan); truncated_normal: N(0, √s/0.8796…) cut at ±2σ (so the result's std is
 * √s); untruncated_normal: N(0, √s); uniform: U(−√(3s), √(3s)).
 */
function varianceScaling(
  className: string,
  scale: number,
  mode: FanMode,
  distribution: FanDistribution,
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
