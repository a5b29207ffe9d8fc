import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activationBackward,
  activationForward,
  resolveActivation,
} from '../../src/kernels/activations.js';
import { erfc } from '../../src/kernels/erf.js';
import { Rng } from '../../src/kernels/random.js';
import {
  expectClose,
  finiteDifference,
  naiveActivation,
  naiveErfc,
  naiveSparsemax,
  randomArray,
  type NaiveActivationArgs,
} from './naive.js';

/** One activation under test: its name, keyword arguments, and where it has kinks (kept out of finite differences). */
interface Case {
  name: string;
  args?: NaiveActivationArgs;
  kinks?: number[];
}

const CASES: Case[] = [
  { name: 'linear' },
  { name: 'relu', kinks: [0] },
  { name: 'relu', args: { negative_slope: 0.1 }, kinks: [0] },
  { name: 'relu', args: { max_value: 6 }, kinks: [0, 6] },
  { name: 'relu', args: { max_value: 2.5 }, kinks: [0, 2.5] },
  { name: 'relu', args: { threshold: 0.5 }, kinks: [0.5] },
  { name: 'relu', args: { threshold: -0.5 }, kinks: [-0.5] },
  { name: 'relu', args: { threshold: -0.5, max_value: 3 }, kinks: [-0.5, 0, 3] },
  { name: 'relu', args: { negative_slope: 0.3, max_value: 4, threshold: 1 }, kinks: [1, 4] },
  { name: 'relu', args: { negative_slope: 0.2, threshold: -1 }, kinks: [-1] },
  { name: 'relu', args: { negative_slope: 0.25, max_value: 6 }, kinks: [0, 6] },
  { name: 'relu6', kinks: [0, 6] },
  { name: 'sigmoid' },
  { name: 'hard_sigmoid', kinks: [-3, 3] },
  { name: 'hard_silu', kinks: [-3, 3] },
  { name: 'tanh' },
  { name: 'softmax' },
  { name: 'log_softmax' },
  { name: 'elu', kinks: [0] },
  { name: 'elu', args: { alpha: 0.5 }, kinks: [0] },
  { name: 'selu', kinks: [0] },
  { name: 'softplus' },
  { name: 'softsign', kinks: [0] },
  { name: 'silu' },
  { name: 'gelu' },
  { name: 'gelu', args: { approximate: true } },
  { name: 'exponential' },
  { name: 'mish' },
  { name: 'leaky_relu', kinks: [0] },
  { name: 'leaky_relu', args: { negative_slope: 0.3 }, kinks: [0] },
  { name: 'celu', kinks: [0] },
  { name: 'celu', args: { alpha: 2 }, kinks: [0] },
  { name: 'hard_shrink', kinks: [-0.5, 0.5] },
  { name: 'hard_shrink', args: { threshold: 1.5 }, kinks: [-1.5, 1.5] },
  { name: 'hard_tanh', kinks: [-1, 1] },
  { name: 'log_sigmoid' },
  { name: 'soft_shrink', kinks: [-0.5, 0.5] },
  { name: 'soft_shrink', args: { threshold: 0.2 }, kinks: [-0.2, 0.2] },
  { name: 'sparse_plus', kinks: [-1, 1] },
  { name: 'sparse_sigmoid', kinks: [-1, 1] },
  { name: 'squareplus' },
  { name: 'squareplus', args: { b: 1 } },
  { name: 'tanh_shrink' },
  { name: 'threshold', args: { threshold: 0.5, default_value: -1 }, kinks: [0.5] },
  { name: 'sparsemax' },
  { name: 'step', kinks: [0] },
];

const ROWS = 6;
const COLS = 10;
/** Large and boundary inputs, where Keras gives finite values and a naive formula might overflow. */
const SPECIALS = [-30, -20, -6, -3, -1, -0.5, 0, 0.5, 1, 3, 6, 20, 30];

function label(c: Case): string {
  return c.args === undefined ? c.name : `${c.name} ${JSON.stringify(c.args)}`;
}

/** Inputs over [−6, 6] with the special values in the first row. */
function forwardInputs(seed: number): Float32Array {
  const x = randomArray(new Rng(seed), ROWS * COLS, -6, 6);
  x.set(SPECIALS.slice(0, COLS));
  x.set(SPECIALS.slice(COLS), COLS);
  return x;
}

/** Inputs for finite differences: no value within 1e-3 of a kink; for sparsemax, no value within 1e-4 of the threshold. */
function gradientInputs(c: Case, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = forwardInputs(seed);
  const kinks = c.kinks ?? [];
  const bad = (v: number): boolean => kinks.some((k) => Math.abs(v - k) < 1e-3);
  for (let i = 0; i < x.length; i++) while (bad(x[i]!)) x[i] = -6 + 12 * rng.uniform();
  if (c.name === 'sparsemax') {
    for (let r = 0; r < ROWS; r++) {
      const row = x.subarray(r * COLS, (r + 1) * COLS);
      for (;;) {
        const y = naiveSparsemax(Array.from(row));
        const tau = row[y.findIndex((v) => v > 0)]! - y.find((v) => v > 0)!;
        if (row.every((v) => Math.abs(v - tau) > 1e-4)) break;
        for (let j = 0; j < COLS; j++) row[j] = -2 + 4 * rng.uniform();
      }
    }
  }
  return x;
}

describe('activation forward vs the float64 naive twin', () => {
  CASES.forEach((c, index) => {
    it(label(c), () => {
      const spec = resolveActivation(c.name, (c.args ?? {}) as Record<string, unknown>);
      const x = forwardInputs(100 + index);
      const y = new Float32Array(x.length);
      activationForward(spec, x, y, ROWS, COLS);
      const expected = naiveActivation(c.name, c.args ?? {}, x, ROWS, COLS);
      for (let i = 0; i < y.length; i++) {
        if (Number.isFinite(expected[i]!))
          expect(Number.isFinite(y[i]!), `finite at x=${x[i]}`).toBe(true);
      }
      // Rounded once to float32; the abs term only admits tails below float32's resolution.
      expectClose(y, expected, 1e-6, 1e-30, label(c));
      const inPlace = Float32Array.from(x);
      activationForward(spec, inPlace, inPlace, ROWS, COLS);
      expect(Array.from(inPlace), 'y may be x').toEqual(Array.from(y));
    });
  });
});

describe('activation backward vs finite differences of the naive twin', () => {
  CASES.forEach((c, index) => {
    it(label(c), () => {
      const spec = resolveActivation(c.name, (c.args ?? {}) as Record<string, unknown>);
      const x = gradientInputs(c, 200 + index);
      const dy = randomArray(new Rng(300 + index), x.length);
      const y = new Float32Array(x.length);
      activationForward(spec, x, y, ROWS, COLS);
      const dx = new Float32Array(x.length);
      activationBackward(spec, x, y, dy, dx, ROWS, COLS);
      const fd = finiteDifference(
        (p) => naiveActivation(c.name, c.args ?? {}, p, ROWS, COLS),
        x,
        dy,
      );
      // sigmoid/tanh/softmax read the float32 forward output (as TensorFlow's gradients do): ~1e-7 absolute.
      expectClose(dx, fd, 2e-5, 3e-7, label(c));
      const inPlace = Float32Array.from(dy);
      activationBackward(spec, x, y, inPlace, inPlace, ROWS, COLS);
      expect(Array.from(inPlace), 'dx may be dy').toEqual(Array.from(dx));
    });
  });
});

describe('activations vs TF.js where it implements the Keras 3 formula', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const layer =
    (activation: 'softsign' | 'swish' | 'mish' | 'gelu' | 'gelu_new') => (t: tf.Tensor) =>
      tf.layers.activation({ activation }).apply(t) as tf.Tensor;
  const table: [string, Record<string, unknown>, (t: tf.Tensor) => tf.Tensor][] = [
    ['relu', {}, (t) => tf.relu(t)],
    ['relu6', {}, (t) => tf.relu6(t)],
    ['sigmoid', {}, (t) => tf.sigmoid(t)],
    ['tanh', {}, (t) => tf.tanh(t)],
    ['softmax', {}, (t) => tf.softmax(t)],
    ['log_softmax', {}, (t) => tf.logSoftmax(t)],
    ['elu', {}, (t) => tf.elu(t)],
    ['selu', {}, (t) => tf.selu(t)],
    ['softplus', {}, (t) => tf.softplus(t)],
    ['softsign', {}, layer('softsign')],
    ['swish', {}, layer('swish')],
    ['mish', {}, layer('mish')],
    ['gelu', {}, layer('gelu')],
    ['gelu', { approximate: true }, layer('gelu_new')],
    ['leaky_relu', {}, (t) => tf.leakyRelu(t, 0.2)],
    ['exponential', {}, (t) => tf.exp(t)],
    ['log_sigmoid', {}, (t) => tf.logSigmoid(t)],
    ['hard_tanh', {}, (t) => tf.clipByValue(t, -1, 1)],
  ];
  table.forEach(([name, args, fn], index) => {
    it(`${name} ${JSON.stringify(args)} forward and gradient`, () => {
      const spec = resolveActivation(name, args);
      // Off the kinks, where TF.js's conventions differ (e.g. relu6's gradient at exactly 6).
      const x = forwardInputs(400 + index).map((v) =>
        SPECIALS.includes(v) && Math.abs(v) < 10 ? v + 0.125 : v,
      );
      const dy = randomArray(new Rng(500 + index), x.length);
      const y = new Float32Array(x.length);
      const dx = new Float32Array(x.length);
      activationForward(spec, x, y, ROWS, COLS);
      activationBackward(spec, x, y, dy, dx, ROWS, COLS);
      const xt = tf.tensor2d(x, [ROWS, COLS]);
      const dyt = tf.tensor2d(dy, [ROWS, COLS]);
      const tfY = fn(xt).dataSync();
      const tfDx = tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(fn(t), dyt)))(xt)
        .dataSync();
      // TF.js runs in float32 throughout (and its erf is A&S 7.1.26, ~1.5e-7 absolute).
      expectClose(y, tfY, 1e-5, 2e-6, `${name} forward`);
      expectClose(dx, tfDx, 1e-5, 2e-6, `${name} gradient`);
      tf.dispose([xt, dyt]);
    });
  });
});

describe('activation values from the Keras 3 docs and issues', () => {
  const run = (name: string, args: Record<string, unknown>, xs: number[]): number[] => {
    const x = Float32Array.from(xs);
    const y = new Float32Array(x.length);
    activationForward(resolveActivation(name, args), x, y, 1, x.length);
    return Array.from(y);
  };
  const table: [string, Record<string, unknown>, number[], number[]][] = [
    // keras.activations.relu docstring.
    ['relu', {}, [-10, -5, 0, 5, 10], [0, 0, 0, 5, 10]],
    ['relu', { negative_slope: 0.5 }, [-10, -5, 0, 5, 10], [-5, -2.5, 0, 5, 10]],
    ['relu', { max_value: 5 }, [-10, -5, 0, 5, 10], [0, 0, 0, 5, 5]],
    ['relu', { threshold: 5 }, [-10, -5, 0, 5, 10], [0, 0, 0, 0, 10]],
    // Keras 3's hard_silu docstring: 0 below −3, x above 3, x(x + 3)/6 between.
    ['hard_silu', {}, [-4, -1.5, 1.5, 4], [0, -0.375, 1.125, 4]],
    // keras.ops docstrings.
    ['sigmoid', {}, [-6, 1, 0, 1, 6], [0.00247262, 0.7310586, 0.5, 0.7310586, 0.9975274]],
    ['sparse_sigmoid', {}, [-6, 1, 0, 1, 6], [0, 1, 0.5, 1, 1]],
    ['sparse_plus', {}, [-1, 0, 1], [0, 0.25, 1]],
    ['hard_shrink', {}, [-0.5, 0, 1], [0, 0, 1]],
    ['threshold', { threshold: 1, default_value: 0 }, [-1, 0, 1, 2], [0, 0, 0, 2]],
    // keras-team/keras#23425 and PR #23469 (the corrected sparsemax).
    ['sparsemax', {}, [0, 0.5, 1], [0, 0.25, 0.75]],
    ['sparsemax', {}, [0.1, 0.2, 0.3, 0.4, 0.5], [0, 0.1, 0.2, 0.3, 0.4]],
    // Keras's own sparsemax test: linspace(1, 12, 12) gives a one-hot on the largest.
    [
      'sparsemax',
      {},
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ],
  ];
  for (const [name, args, xs, expected] of table) {
    it(`${name} ${JSON.stringify(args)} on [${xs.join(', ')}]`, () => {
      expectClose(run(name, args, xs), expected, 1e-6, 1e-7, name);
    });
  }
});

describe('hard_sigmoid against the Keras 3 formula, not TF.js (which uses 0.2x + 0.5)', () => {
  it("follows Keras 3's docstring: 0 at or below −3, 1 at or above 3, x/6 + 1/2 between", () => {
    // TF.js and tf.keras 2 would give 0.2 and 0.8 at ∓1.5, and saturate at ∓2.5.
    const x = Float32Array.of(-4, -3, -2.5, -1.5, 0, 1.5, 2.5, 3, 4);
    const y = new Float32Array(x.length);
    activationForward(resolveActivation('hard_sigmoid'), x, y, 1, x.length);
    expectClose(y, [0, 0, 1 / 12, 0.25, 0.5, 0.75, 11 / 12, 1, 1], 1e-7, 0, 'hard_sigmoid');
  });
});

describe('erfc', () => {
  it('matches the series / continued-fraction twin to 1e-13 relative from −6 to 26', () => {
    // Past z ≈ 26.5 erfc is subnormal in float64 and loses precision in any implementation.
    for (let z = -6; z <= 26; z += 0.01) {
      const want = naiveErfc(z);
      expect(Math.abs(erfc(z) - want) / want, `erfc(${z})`).toBeLessThan(1e-13);
    }
  });
  it('has the limits erfc(−∞) = 2, erfc(0) = 1, erfc(∞) = 0', () => {
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(0)).toBeCloseTo(1, 14);
    expect(erfc(Infinity)).toBe(0);
  });
});

describe('resolveActivation', () => {
  it('resolves the aliases swish and hard_swish', () => {
    expect(resolveActivation('swish').name).toBe('silu');
    expect(resolveActivation('hard_swish').name).toBe('hard_silu');
  });
  it("fills in Keras's defaults", () => {
    const table: [string, Partial<ReturnType<typeof resolveActivation>>][] = [
      ['relu', { slope: 0, maxValue: Infinity, threshold: 0 }],
      ['leaky_relu', { slope: 0.2 }],
      ['elu', { alpha: 1 }],
      ['celu', { alpha: 1 }],
      ['gelu', { approximate: false }],
      ['hard_shrink', { threshold: 0.5 }],
      ['soft_shrink', { threshold: 0.5 }],
      ['squareplus', { b: 4 }],
      ['softmax', { axis: -1 }],
    ];
    for (const [name, want] of table) expect(resolveActivation(name), name).toMatchObject(want);
  });
  it('takes Keras keyword arguments', () => {
    expect(
      resolveActivation('relu', { negative_slope: 0.1, max_value: 6, threshold: 0.5 }),
    ).toMatchObject({
      slope: 0.1,
      maxValue: 6,
      threshold: 0.5,
    });
    expect(resolveActivation('relu', { max_value: null }).maxValue).toBe(Infinity);
    expect(resolveActivation('gelu', { approximate: true }).approximate).toBe(true);
    expect(resolveActivation('threshold', { threshold: 1, default_value: -2 })).toMatchObject({
      threshold: 1,
      defaultValue: -2,
    });
  });
  it('throws on an unknown name, an unknown or badly typed argument, and missing required ones', () => {
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['relux', {}, /unknown activation 'relux'/],
      ['glu', {}, /glu/],
      ['relu', { alpha: 0.1 }, /no argument 'alpha'/],
      ['elu', { alpha: 'big' }, /finite number/],
      ['gelu', { approximate: 'yes' }, /boolean/],
      ['threshold', { threshold: 1 }, /requires/],
      ['softmax', { axis: 1.5 }, /integer/],
    ];
    for (const [name, args, message] of bad)
      expect(() => resolveActivation(name, args), name).toThrow(message);
  });
});
