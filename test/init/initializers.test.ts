/**
 * Initializers against Keras 3's definitions (keras-reference.md §5): fans, determinism under a
 * seed, moments of large draws against the distributions' formulas, truncation bounds, and
 * Orthogonal against an independent Householder QR with Keras's sign correction.
 */
import { describe, expect, it } from 'vitest';
import { computeFans, createInitializer, initialize } from '../../src/init/index.js';
import { Rng } from '../../src/kernels/random.js';
import type { Named } from '../../src/optim/index.js';

const call = (name: string, args: Record<string, unknown> = {}): Named => ({ call: name, args });
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function draw(spec: Named, shape: number[], seed = 1): Float32Array {
  const out = new Float32Array(size(shape));
  initialize(spec, shape, new Rng(seed), out);
  return out;
}

function moments(x: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return { mean, std: Math.sqrt(ss / x.length), min, max };
}

describe('computeFans', () => {
  const table: [number[], [number, number]][] = [
    [[], [1, 1]],
    [[7], [7, 7]],
    [
      [3, 5],
      [3, 5],
    ],
    [
      [3, 4, 5],
      [12, 15],
    ],
    [
      [3, 3, 8, 16],
      [72, 144],
    ],
  ];
  it.each(table)('shape %j → %j', (shape, fans) => expect(computeFans(shape)).toEqual(fans));
});

// A 400×300 kernel: fan_in 400, fan_out 300, fan_avg 350; 120,000 draws.
const SHAPE = [400, 300];
type Expect = { mean: number; std: number; bound?: number; lo?: number; hi?: number };
const uniform = (limit: number): Expect => ({
  mean: 0,
  std: limit / Math.sqrt(3),
  lo: -limit,
  hi: limit,
});
/** A normal N(0, σ) truncated at ±2σ has std 0.8796…·σ; Keras's σ makes that √s. */
const truncated = (s: number): Expect => ({
  mean: 0,
  std: Math.sqrt(s),
  bound: (2 * Math.sqrt(s)) / 0.87962566103423978,
});

const stats: [string, Named, Expect][] = [
  ["'glorot_uniform': U(±√(6/(in+out)))", 'glorot_uniform', uniform(Math.sqrt(6 / 700))],
  ["'glorot_normal': truncated, std √(2/(in+out))", 'glorot_normal', truncated(2 / 700)],
  ["'he_uniform': U(±√(6/in))", 'he_uniform', uniform(Math.sqrt(6 / 400))],
  ["'he_normal': truncated, std √(2/in)", 'he_normal', truncated(2 / 400)],
  ["'lecun_uniform': U(±√(3/in))", 'lecun_uniform', uniform(Math.sqrt(3 / 400))],
  ["'lecun_normal': truncated, std √(1/in)", 'lecun_normal', truncated(1 / 400)],
  [
    'VarianceScaling(2, fan_out, untruncated_normal)',
    call('VarianceScaling', { scale: 2, mode: 'fan_out', distribution: 'untruncated_normal' }),
    { mean: 0, std: Math.sqrt(2 / 300) },
  ],
  [
    'VarianceScaling(0.5, fan_avg, uniform)',
    call('VarianceScaling', { scale: 0.5, mode: 'fan_avg', distribution: 'uniform' }),
    uniform(Math.sqrt((3 * 0.5) / 350)),
  ],
  [
    "VarianceScaling defaults (1, fan_in, truncated_normal); 'normal' means truncated",
    call('variance_scaling', { distribution: 'normal' }),
    truncated(1 / 400),
  ],
  ["'random_normal': N(0, 0.05)", 'random_normal', { mean: 0, std: 0.05 }],
  [
    'RandomNormal(mean 1, stddev 0.2)',
    call('RandomNormal', { mean: 1, stddev: 0.2 }),
    { mean: 1, std: 0.2 },
  ],
  ["'uniform': U(−0.05, 0.05)", 'uniform', uniform(0.05)],
  [
    'RandomUniform(0, 2)',
    call('RandomUniform', { minval: 0, maxval: 2 }),
    { mean: 1, std: 2 / Math.sqrt(12), lo: 0, hi: 2 },
  ],
  [
    "'truncated_normal': N(0, 0.05) cut at ±0.1",
    'truncated_normal',
    { mean: 0, std: 0.05 * 0.87962566103423978, bound: 0.1 },
  ],
  [
    'TruncatedNormal(mean 0.5, stddev 0.1)',
    call('TruncatedNormal', { mean: 0.5, stddev: 0.1 }),
    { mean: 0.5, std: 0.1 * 0.87962566103423978, lo: 0.3, hi: 0.7 },
  ],
];

describe('distributions on a 400×300 kernel', () => {
  it.each(stats)('%s', (_name, spec, e) => {
    const m = moments(draw(spec, SHAPE));
    expect(Math.abs(m.mean - e.mean)).toBeLessThan(0.02 * e.std);
    expect(Math.abs(m.std / e.std - 1)).toBeLessThan(0.02);
    if (e.bound !== undefined) {
      expect(Math.max(-m.min, m.max)).toBeLessThanOrEqual(e.bound * (1 + 1e-6));
      expect(Math.max(-m.min, m.max)).toBeGreaterThan(0.95 * e.bound); // the tails reach the cut
    }
    if (e.lo !== undefined) expect(m.min).toBeGreaterThanOrEqual(Math.fround(e.lo));
    if (e.hi !== undefined) expect(m.max).toBeLessThanOrEqual(Math.fround(e.hi));
  });

  it('conv kernels use receptive-field fans: he_normal on [3, 3, 64, 128] has std √(2/576)', () => {
    const shape = [3, 3, 64, 128]; // fan_in 576, 73,728 draws
    expect(Math.abs(moments(draw('he_normal', shape)).std / Math.sqrt(2 / 576) - 1)).toBeLessThan(
      0.02,
    );
  });
});

describe('determinism', () => {
  it('a seed argument gives the same values on every call, whatever the rng', () => {
    const spec = call('GlorotUniform', { seed: 42 });
    expect(draw(spec, [20, 10], 1)).toEqual(draw(spec, [20, 10], 2));
    expect(draw(spec, [20, 10])).not.toEqual(draw(call('GlorotUniform', { seed: 43 }), [20, 10]));
  });

  it('without a seed, values come from the given rng: same rng seed → same values, and the rng advances', () => {
    expect(draw('he_normal', [20, 10], 7)).toEqual(draw('he_normal', [20, 10], 7));
    const rng = new Rng(7);
    const a = new Float32Array(200);
    const b = new Float32Array(200);
    initialize('he_normal', [20, 10], rng, a);
    initialize('he_normal', [20, 10], rng, b);
    expect(a).not.toEqual(b);
  });
});

describe('constants and identity', () => {
  const table: [Named, number][] = [
    ['zeros', 0],
    ['zero', 0],
    ['Zeros', 0],
    ['ones', 1],
    ['one', 1],
    ['Ones', 1],
    ['constant', 0],
    [call('Constant', { value: 0.3 }), Math.fround(0.3)],
  ];
  it.each(table)('%j fills with %d', (spec, v) => {
    expect(Array.from(draw(spec, [2, 3]))).toEqual(new Array(6).fill(v));
  });

  it('Identity(gain 2) on a rectangular [3, 4] weight', () => {
    expect(Array.from(draw(call('Identity', { gain: 2 }), [3, 4]))).toEqual([
      2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0,
    ]);
    expect(Array.from(draw('identity', [3, 2]))).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('Identity refuses anything but 2-D', () => {
    expect(() => draw('identity', [2, 2, 2])).toThrow(/2D/);
  });
});

/** Keras's recipe with an independent QR: Householder on the same (max, min) normal matrix, q·sign(diag r). */
function orthogonalByHouseholder(shape: number[], gain: number, seed: number): number[] {
  const cols = shape[shape.length - 1]!;
  const rows = size(shape) / cols;
  const [m, n] = [Math.max(rows, cols), Math.min(rows, cols)];
  const rng = new Rng(seed);
  const a: number[][] = Array.from({ length: m }, () =>
    Array.from({ length: n }, () => rng.normal()),
  );
  const q: number[][] = Array.from({ length: m }, (_, i) =>
    Array.from({ length: m }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let k = 0; k < n; k++) {
    const x = a.slice(k).map((r) => r[k]!);
    const alpha = -Math.sign(x[0]! || 1) * Math.hypot(...x);
    const v = x.map((xi, i) => (i === 0 ? xi - alpha : xi));
    const vv = v.reduce((s, vi) => s + vi * vi, 0);
    if (vv === 0) continue;
    for (let j = 0; j < n; j++) {
      const d = (2 * v.reduce((s, vi, i) => s + vi * a[k + i]![j]!, 0)) / vv;
      v.forEach((vi, i) => (a[k + i]![j]! -= d * vi));
    }
    for (let i = 0; i < m; i++) {
      const d = (2 * v.reduce((s, vi, t) => s + vi * q[i]![k + t]!, 0)) / vv;
      v.forEach((vi, t) => (q[i]![k + t]! -= d * vi));
    }
  }
  // a now holds R (upper n×n); Q's first n columns, signs fixed so R's diagonal is positive.
  const thin = q.map((row) => row.slice(0, n).map((x, j) => x * Math.sign(a[j]![j]!)));
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out.push(gain * (rows >= cols ? thin[r]![c]! : thin[c]![r]!));
  return out;
}

describe('Orthogonal', () => {
  const shapes: [number[], number][] = [
    [[6, 4], 1],
    [[4, 6], 1],
    [[5, 5], 2],
    [[2, 3, 4], 1],
    [[3, 8], 0.5],
  ];
  it.each(shapes)(
    'shape %j, gain %d: equals Householder QR with sign correction, and is orthogonal',
    (shape, gain) => {
      const got = draw(call('Orthogonal', { gain }), shape, 11);
      const expected = orthogonalByHouseholder(shape, gain, 11);
      expected.forEach((e, i) => expect(Math.abs(got[i]! - e)).toBeLessThan(1e-6));
      const cols = shape[shape.length - 1]!;
      const rows = got.length / cols;
      // Columns orthonormal when rows ≥ cols (QᵀQ = gain²I), rows orthonormal otherwise (QQᵀ = gain²I).
      const [outer, inner, at] =
        rows >= cols
          ? [cols, rows, (k: number, i: number) => got[i * cols + k]!]
          : [rows, cols, (k: number, i: number) => got[k * cols + i]!];
      for (let p = 0; p < outer; p++) {
        for (let r = 0; r < outer; r++) {
          let dot = 0;
          for (let i = 0; i < inner; i++) dot += at(p, i) * at(r, i);
          expect(Math.abs(dot - (p === r ? gain * gain : 0))).toBeLessThan(1e-5);
        }
      }
    },
  );

  it("'orthogonal' and 'OrthogonalInitializer' name it; rank < 2 is refused", () => {
    expect(draw('OrthogonalInitializer', [4, 4], 3)).toEqual(draw('orthogonal', [4, 4], 3));
    expect(() => draw('orthogonal', [4])).toThrow(/at least two-dimensional/);
  });
});

describe('createInitializer', () => {
  it.each([
    'GlorotUniform',
    'glorot_uniform',
    'GlorotNormal',
    'glorot_normal',
    'HeUniform',
    'he_uniform',
    'HeNormal',
    'he_normal',
    'LecunUniform',
    'lecun_uniform',
    'LecunNormal',
    'lecun_normal',
    'VarianceScaling',
    'variance_scaling',
    'RandomNormal',
    'random_normal',
    'normal',
    'RandomUniform',
    'random_uniform',
    'uniform',
    'TruncatedNormal',
    'truncated_normal',
    'Zeros',
    'zeros',
    'zero',
    'Ones',
    'ones',
    'one',
    'Constant',
    'constant',
    'Identity',
    'identity',
    'IdentityInitializer',
    'Orthogonal',
    'orthogonal',
    'OrthogonalInitializer',
  ])('resolves %s', (name) => {
    expect(createInitializer(name).className).toMatch(/^[A-Z]/);
  });

  const errors: [string, Named, RegExp][] = [
    ['an unknown name', 'xavier', /Unknown initializer 'xavier'/],
    ['VarianceScaling with scale 0', call('VarianceScaling', { scale: 0 }), /'scale'.*positive/],
    ['VarianceScaling with a bad mode', call('VarianceScaling', { mode: 'fan_sum' }), /'mode'/],
    [
      'VarianceScaling with a bad distribution',
      call('VarianceScaling', { distribution: 'cauchy' }),
      /'distribution'/,
    ],
    ['an unknown argument', call('HeNormal', { scale: 2 }), /not recognized: 'scale'/],
    ['a non-integer seed', call('HeNormal', { seed: 1.5 }), /'seed'.*integer/],
  ];
  it.each(errors)('throws for %s', (_name, spec, message) => {
    expect(() => createInitializer(spec)).toThrow(message);
  });

  it('refuses a buffer whose length does not match the shape', () => {
    expect(() => initialize('zeros', [2, 3], new Rng(1), new Float32Array(5))).toThrow(
      /cannot hold shape/,
    );
  });
});
