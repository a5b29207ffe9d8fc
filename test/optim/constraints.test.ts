/**
 * Constraints against Keras's formulas (keras-reference.md §6) with a naive twin that decodes
 * every flat index into its multi-index by division, groups elements by their kept coordinates
 * in a Map, and takes each group's norm in float64.
 */
import { describe, expect, it } from 'vitest';
import { createConstraint, type Named } from '../../src/optim/index.js';

const call = (name: string, args: Record<string, unknown>): Named => ({ call: name, args });
const EPS = 1e-7;

/** w·desired(n)/(eps + n), n over `axes` (null: all), by grouping on the kept coordinates. */
function naive(
  w: number[],
  shape: number[],
  axes: number[] | null,
  desired: (n: number) => number,
): number[] {
  const rank = shape.length;
  const reduced = new Set((axes ?? shape.map((_, d) => d)).map((a) => (a < 0 ? a + rank : a)));
  const keyOf = (flat: number): string => {
    const idx: number[] = [];
    for (let d = rank - 1; d >= 0; d--) {
      idx.unshift(flat % shape[d]!);
      flat = Math.floor(flat / shape[d]!);
    }
    return idx.filter((_, d) => !reduced.has(d)).join(',');
  };
  const sums = new Map<string, number>();
  w.forEach((x, i) => sums.set(keyOf(i), (sums.get(keyOf(i)) ?? 0) + x * x));
  return w.map((x, i) => {
    const n = Math.sqrt(sums.get(keyOf(i))!);
    return (x * desired(n)) / (EPS + n);
  });
}

function values(n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(Math.sin(0.9 * i + 0.3) * (1 + (i % 4))));
}

const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
const maxNorm = (m: number) => (n: number) => clip(n, 0, m);
const unit = () => 1;
const minMax = (lo: number, hi: number, rate: number) => (n: number) =>
  rate * clip(n, lo, hi) + (1 - rate) * n;

const table: [string, Named, number[], number[] | null, (n: number) => number][] = [
  ["'max_norm' on a Dense kernel (axis 0: per unit)", 'max_norm', [4, 3], [0], maxNorm(2)],
  ['MaxNorm(1, axis=1)', call('MaxNorm', { max_value: 1, axis: 1 }), [4, 3], [1], maxNorm(1)],
  [
    'MaxNorm(0.5, axis=-1)',
    call('MaxNorm', { max_value: 0.5, axis: -1 }),
    [2, 5],
    [-1],
    maxNorm(0.5),
  ],
  [
    'MaxNorm on a Conv2D kernel, axis [0, 1, 2] (per filter)',
    call('MaxNorm', { max_value: 1.5, axis: [0, 1, 2] }),
    [2, 2, 3, 4],
    [0, 1, 2],
    maxNorm(1.5),
  ],
  [
    'MaxNorm on a bias (axis 0: the whole vector)',
    call('MaxNorm', { max_value: 1 }),
    [5],
    [0],
    maxNorm(1),
  ],
  ["'unit_norm'", 'unit_norm', [4, 3], [0], unit],
  [
    'UnitNorm(axis=[1, 2]) on a rank-3 weight',
    call('UnitNorm', { axis: [1, 2] }),
    [2, 3, 4],
    [1, 2],
    unit,
  ],
  ["'min_max_norm' (0, 1, rate 1)", 'min_max_norm', [4, 3], [0], minMax(0, 1, 1)],
  [
    'MinMaxNorm(2, 3, rate 0.5)',
    call('MinMaxNorm', { min_value: 2, max_value: 3, rate: 0.5 }),
    [3, 4],
    [0],
    minMax(2, 3, 0.5),
  ],
  [
    'MinMaxNorm(axis=None): one norm over everything',
    call('MinMaxNorm', { min_value: 0, max_value: 1, axis: null }),
    [3, 4],
    null,
    minMax(0, 1, 1),
  ],
];

describe('norm constraints vs the naive twin', () => {
  it.each(table)('%s', (_name, spec, shape, axes, desired) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const w0 = values(size);
    const w = Float32Array.from(w0);
    createConstraint(spec)!.apply(w, shape);
    const expected = naive(w0, shape, axes, desired);
    expected.forEach((e, i) =>
      expect(Math.abs(w[i]! - e)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(e), 1e-3)),
    );
  });

  it('MaxNorm leaves columns under the limit (nearly) untouched and brings the others to the limit', () => {
    const w = Float32Array.of(0.3, 3, 0.4, 4); // [2, 2]: columns (0.3, 0.4) norm 0.5 and (3, 4) norm 5
    createConstraint(call('MaxNorm', { max_value: 2 }))!.apply(w, [2, 2]);
    expect(Math.hypot(w[0]!, w[2]!)).toBeCloseTo(0.5, 5);
    expect(Math.hypot(w[1]!, w[3]!)).toBeCloseTo(2, 5);
  });
});

describe('NonNeg and lookups', () => {
  it("'non_neg' zeroes the negatives", () => {
    const w = Float32Array.of(-1, 0, 2, -0.5);
    createConstraint('non_neg')!.apply(w, [4]);
    expect(Array.from(w)).toEqual([0, 0, 2, 0]);
  });

  it('null means no constraint', () => {
    expect(createConstraint(null)).toBeNull();
  });

  const errors: [string, Named, RegExp][] = [
    ['an unknown name', 'positive', /Unknown constraint 'positive'/],
    ['an unknown argument', call('MaxNorm', { max: 3 }), /not recognized: 'max'/],
    ['a non-integer axis', call('UnitNorm', { axis: 0.5 }), /'axis' must be an integer/],
  ];
  it.each(errors)('throws for %s', (_name, spec, message) => {
    expect(() => createConstraint(spec)).toThrow(message);
  });

  it('throws for an axis beyond the weight’s rank', () => {
    expect(() =>
      createConstraint(call('MaxNorm', { axis: 2 }))!.apply(new Float32Array(6), [2, 3]),
    ).toThrow(/axis 2 is out of range/);
  });
});
