/**
 * Global pooling and the copy kernel (ZeroPadding, Cropping, UpSampling) against their float64
 * naive twins, and every backward against finite differences of the twin; SpatialDropout's
 * channel masks by their statistics and seeds.
 */
import { describe, expect, it } from 'vitest';
import {
  globalAvgPoolBackward,
  globalAvgPoolForward,
  globalAvgPoolMaskedBackward,
  globalAvgPoolMaskedForward,
  globalMaxPoolBackward,
  globalMaxPoolForward,
} from '../../src/kernels/global-pooling.js';
import { spatialDropoutBackward, spatialDropoutForward } from '../../src/kernels/dropout.js';
import { permutationIndex, permuteBackward, permuteForward } from '../../src/kernels/permute.js';
import { Rng } from '../../src/kernels/random.js';
import {
  cropAxis,
  padAxis,
  repeatAxis,
  spatialCopyBackward,
  spatialCopyForward,
  unitAxis,
  type CopyAxis,
} from '../../src/kernels/spatial-copy.js';
import {
  expectClose,
  finiteDifference,
  naiveGlobalPool,
  naiveMaskedAvgPool,
  naivePermute,
  naiveReshaping,
  randomArray,
  type NaiveAxis,
} from './naive.js';

describe('global pooling', () => {
  for (const pool of ['avg', 'max'] as const) {
    for (const [N, S, C] of [
      [1, 1, 1],
      [3, 5, 4],
      [2, 12, 3],
    ] as const) {
      it(`${pool} over ${N}×${S}×${C}: forward vs the naive twin, backward vs finite differences`, () => {
        const rng = new Rng(N * 100 + S * 10 + C);
        const x = randomArray(rng, N * S * C, -2, 2);
        const dy = randomArray(rng, N * C);
        const y = new Float32Array(N * C).fill(99);
        const forward = pool === 'avg' ? globalAvgPoolForward : globalMaxPoolForward;
        forward(x, y, N, S, C);
        expectClose(y, naiveGlobalPool(x, N, S, C, pool), 1e-6, 1e-7, 'y');
        const dx = new Float32Array(N * S * C).fill(99);
        if (pool === 'avg') globalAvgPoolBackward(dy, dx, N, S, C);
        else globalMaxPoolBackward(x, y, dy, dx, N, S, C);
        const fd = finiteDifference((p) => naiveGlobalPool(p, N, S, C, pool), x, dy);
        expectClose(dx, fd, 1e-5, 1e-6, 'dx');
      });
    }
  }

  it("masked avg (Keras's mask from Embedding(mask_zero=True)): the mean of the unmasked steps", () => {
    const [N, S, C] = [3, 5, 4];
    const rng = new Rng(17);
    const x = randomArray(rng, N * S * C, -2, 2);
    const mask = Float32Array.from([1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1]);
    const dy = randomArray(rng, N * C);
    const y = new Float32Array(N * C).fill(99);
    globalAvgPoolMaskedForward(x, mask, y, N, S, C);
    expectClose(y, naiveMaskedAvgPool(x, mask, N, S, C), 1e-6, 1e-7, 'y');
    const dx = new Float32Array(N * S * C).fill(99);
    globalAvgPoolMaskedBackward(dy, mask, dx, N, S, C);
    const fd = finiteDifference((p) => naiveMaskedAvgPool(p, mask, N, S, C), x, dy);
    expectClose(dx, fd, 1e-5, 1e-6, 'dx');
    // Every step masked: Keras's 0/0.
    globalAvgPoolMaskedForward(x, new Float32Array(N * S), y, N, S, C);
    expect(y.every((v) => Number.isNaN(v))).toBe(true);
  });

  it('max splits the gradient evenly among tied positions, as Keras 3 backends do', () => {
    // Channel 0 ties at 0 (a ReLU's zeros) in 3 of 4 positions; channel 1 has one max.
    const x = Float32Array.from([0, 1, 0, 5, -1, 2, 0, 3]);
    const y = new Float32Array(2);
    globalMaxPoolForward(x, y, 1, 4, 2);
    expect(Array.from(y)).toEqual([0, 5]);
    const dx = new Float32Array(8);
    globalMaxPoolBackward(x, y, Float32Array.from([0.9, 2]), dx, 1, 4, 2);
    const g = Math.fround(Math.fround(0.9) / 3);
    expect(Array.from(dx)).toEqual([g, 0, g, 2, 0, 0, g, 0]);
  });

  it('max of a channel holding NaN is NaN', () => {
    const y = new Float32Array(1);
    globalMaxPoolForward(Float32Array.from([1, NaN, 3]), y, 1, 3, 1);
    expect(y[0]).toBeNaN();
  });
});

/** A kernel axis and its naive twin for one layer's definition on one axis. */
function axisPair(a: NaiveAxis): CopyAxis {
  if (a.kind === 'pad') return padAxis(a.size, a.before, a.after);
  if (a.kind === 'crop') return cropAxis(a.size, a.before, a.after);
  return repeatAxis(a.size, a.times);
}

describe('spatial copy: ZeroPadding, Cropping, UpSampling', () => {
  const cases: [string, NaiveAxis[]][] = [
    ['ZeroPadding1D (1, 2)', [{ kind: 'pad', size: 4, before: 1, after: 2 }]],
    ['Cropping1D (2, 1)', [{ kind: 'crop', size: 6, before: 2, after: 1 }]],
    ['UpSampling1D 3', [{ kind: 'repeat', size: 3, times: 3 }]],
    [
      'ZeroPadding2D ((1, 0), (2, 1))',
      [
        { kind: 'pad', size: 3, before: 1, after: 0 },
        { kind: 'pad', size: 2, before: 2, after: 1 },
      ],
    ],
    [
      'Cropping2D ((0, 1), (1, 1))',
      [
        { kind: 'crop', size: 4, before: 0, after: 1 },
        { kind: 'crop', size: 5, before: 1, after: 1 },
      ],
    ],
    [
      'UpSampling2D (2, 3)',
      [
        { kind: 'repeat', size: 2, times: 2 },
        { kind: 'repeat', size: 3, times: 3 },
      ],
    ],
  ];
  for (const [label, axes] of cases) {
    it(`${label}: forward vs the naive twin, backward vs finite differences`, () => {
      const [N, C] = [2, 3];
      const rng = new Rng(label.length);
      const inSize = axes.reduce((n, a) => n * a.size, C);
      const x = randomArray(rng, N * inSize, -2, 2);
      const want = naiveReshaping(x, N, axes, C);
      const kernelAxes = axes.map(axisPair);
      const [H, W] = kernelAxes.length === 1 ? [unitAxis, kernelAxes[0]!] : kernelAxes;
      const y = new Float32Array(want.length).fill(99);
      spatialCopyForward(x, y, N, H!, W!, C);
      expectClose(y, want, 0, 0, 'y');
      const dy = randomArray(rng, want.length);
      const dx = new Float32Array(x.length).fill(99);
      spatialCopyBackward(dy, dx, N, H!, W!, C);
      const fd = finiteDifference((p) => naiveReshaping(p, N, axes, C), x, dy);
      expectClose(dx, fd, 1e-5, 1e-6, 'dx');
    });
  }
});

describe('spatial dropout', () => {
  const [N, S, C] = [400, 5, 6];
  for (const rate of [0.2, 0.5]) {
    it(`rate ${rate}: drops whole channels, 1 − rate of them kept (within 5σ), scaled by 1/(1 − rate)`, () => {
      const x = randomArray(new Rng(3), N * S * C, 0.5, 2);
      const y = new Float32Array(x.length);
      const mask = new Float32Array(N * C);
      spatialDropoutForward(x, y, mask, N, S, C, rate, new Rng(9));
      const scale = Math.fround(1 / (1 - rate));
      let kept = 0;
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++) {
          const m = mask[n * C + c]!;
          expect([0, scale]).toContain(m);
          if (m !== 0) kept++;
          for (let s = 0; s < S; s++) {
            const p = (n * S + s) * C + c;
            expect(y[p]).toBe(Math.fround(x[p]! * m));
          }
        }
      const sigma = Math.sqrt((rate * (1 - rate)) / (N * C));
      expect(Math.abs(kept / (N * C) - (1 - rate))).toBeLessThan(5 * sigma);
    });
  }

  it('the same seed gives the same mask; rate 0 keeps everything without drawing', () => {
    const x = randomArray(new Rng(4), 2 * S * C);
    const run = (seed: number, rate: number, rng = new Rng(seed)) => {
      const mask = new Float32Array(2 * C);
      spatialDropoutForward(x, new Float32Array(x.length), mask, 2, S, C, rate, rng);
      return Array.from(mask);
    };
    expect(run(5, 0.5)).toEqual(run(5, 0.5));
    expect(run(5, 0.5)).not.toEqual(run(6, 0.5));
    const rng = new Rng(7);
    expect(run(7, 0, rng)).toEqual(Array.from({ length: 2 * C }, () => 1));
    expect(rng.uniform()).toBe(new Rng(7).uniform());
  });

  it('backward: dx = dy·mask of the channel, vs finite differences of the masked forward', () => {
    const rng = new Rng(11);
    const x = randomArray(rng, 3 * S * C);
    const mask = new Float32Array(3 * C);
    spatialDropoutForward(x, new Float32Array(x.length), mask, 3, S, C, 0.4, new Rng(12));
    const dy = randomArray(rng, x.length);
    const dx = new Float32Array(x.length);
    spatialDropoutBackward(dy, mask, dx, 3, S, C);
    const masked = (p: Float64Array) =>
      Float64Array.from(p, (v, i) => v * mask[Math.floor(i / (S * C)) * C + (i % C)]!);
    expectClose(dx, finiteDifference(masked, x, dy), 1e-5, 1e-6, 'dx');
  });
});

describe('permute', () => {
  const cases: [number[], number[]][] = [
    [
      [3, 4],
      [1, 0],
    ],
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
    [
      [2, 3, 4],
      [0, 2, 1],
    ],
    [[5], [0]],
  ];
  for (const [shape, perm] of cases) {
    it(`shape (${shape}) by (${perm}): forward vs the naive twin, backward vs finite differences`, () => {
      const N = 3;
      const rng = new Rng(shape.length * 10 + perm[0]!);
      const size = shape.reduce((a, b) => a * b, 1);
      const x = randomArray(rng, N * size);
      const index = permutationIndex(shape, perm);
      const y = new Float32Array(x.length);
      permuteForward(x, y, index, N, size);
      expectClose(y, naivePermute(x, N, shape, perm), 0, 0, 'y');
      const dy = randomArray(rng, x.length);
      const dx = new Float32Array(x.length).fill(99);
      permuteBackward(dy, dx, index, N, size);
      const fd = finiteDifference((p) => naivePermute(p, N, shape, perm), x, dy);
      expectClose(dx, fd, 1e-5, 1e-6, 'dx');
    });
  }
});
