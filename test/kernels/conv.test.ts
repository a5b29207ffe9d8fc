/**
 * Convolution and pooling kernels against their float64 twins (test/kernels/naive-conv.ts) and
 * every backward against finite differences, over valid, same and causal padding, strides,
 * dilation, and windows that overhang the input.
 */
import { describe, expect, it } from 'vitest';
import {
  convBackward,
  convForward,
  padBefore,
  windowOutput,
  windowTaps,
  type Padding,
  type WindowGeometry,
} from '../../src/kernels/conv.js';
import {
  avgPoolBackward,
  avgPoolForward,
  maxPoolBackward,
  maxPoolForward,
} from '../../src/kernels/pooling.js';
import { resolveActivation } from '../../src/kernels/index.js';
import { Rng } from '../../src/kernels/random.js';
import { naiveConv, naivePool } from './naive-conv.js';
import { expectClose, finiteDifference, naiveMatmulAbs, randomArray } from './naive.js';

/** The geometry of an h × w × c input under a kh × kw window, as the layers compute it. */
function geometry(
  [h, w, c]: [number, number, number],
  [kh, kw]: [number, number],
  [sh, sw]: [number, number],
  [dh, dw]: [number, number],
  padding: Padding,
): WindowGeometry {
  return {
    h,
    w,
    c,
    oh: windowOutput(h, kh, sh, dh, padding === 'causal' ? 'valid' : padding),
    ow: windowOutput(w, kw, sw, dw, padding),
    kh,
    kw,
    sh,
    sw,
    dh,
    dw,
    top: padBefore(h, kh, sh, dh, padding === 'causal' ? 'valid' : padding),
    left: padBefore(w, kw, sw, dw, padding),
  };
}

/** [what, geometry, filters, groups]. */
const convCases: [string, WindowGeometry, number, number][] = [
  ['3×3 valid', geometry([6, 5, 3], [3, 3], [1, 1], [1, 1], 'valid'), 4, 1],
  ['3×3 same, stride 2', geometry([7, 6, 2], [3, 3], [2, 2], [1, 1], 'same'), 5, 1],
  ['2×4 same, dilation 2', geometry([6, 7, 2], [2, 4], [1, 1], [2, 2], 'same'), 3, 1],
  [
    '5×5 same on a 3×4 input (the window overhangs both sides)',
    geometry([3, 4, 2], [5, 5], [1, 2], [1, 1], 'same'),
    2,
    1,
  ],
  [
    '1-D causal, dilation 2 (height 1)',
    geometry([1, 9, 3], [1, 3], [1, 1], [1, 2], 'causal'),
    4,
    1,
  ],
  ['1×1 pointwise', geometry([4, 4, 5], [1, 1], [1, 1], [1, 1], 'valid'), 6, 1],
  ['groups=2, 3×3 valid', geometry([6, 5, 4], [3, 3], [1, 1], [1, 1], 'valid'), 6, 2],
  ['groups=3, 2×2 same, stride 2', geometry([5, 6, 6], [2, 2], [2, 2], [1, 1], 'same'), 9, 3],
  [
    'depthwise (groups = channels), multiplier 2, 3×3 same',
    geometry([5, 4, 3], [3, 3], [1, 1], [1, 1], 'same'),
    6,
    3,
  ],
  [
    'depthwise, multiplier 2, 288 rows (dkernel sums past a 256-row block)',
    geometry([12, 12, 3], [3, 3], [1, 1], [1, 1], 'same'),
    6,
    3,
  ],
  [
    '1-D depthwise, dilation 2, 17 channels',
    geometry([1, 8, 17], [1, 3], [1, 1], [1, 2], 'same'),
    17,
    17,
  ],
];

describe('convolution', () => {
  it('Keras §1.3 output sizes and TensorFlow same padding', () => {
    expect(windowOutput(28, 3, 1, 1, 'valid')).toBe(26);
    expect(windowOutput(7, 3, 2, 1, 'same')).toBe(4);
    expect(windowOutput(10, 3, 1, 3, 'valid')).toBe(4);
    expect(windowOutput(2, 5, 1, 1, 'valid')).toBeLessThanOrEqual(0);
    // total = (4−1)·2 + 3 − 7 = 2 → 1 before; an odd total puts the extra cell after.
    expect(padBefore(7, 3, 2, 1, 'same')).toBe(1);
    expect(padBefore(6, 4, 1, 1, 'same')).toBe(1);
    expect(padBefore(9, 3, 1, 2, 'causal')).toBe(4);
  });

  for (const [what, g, filters, groups] of convCases) {
    it(`forward, dx, dkernel and dbias vs the naive twin and finite differences: ${what}`, () => {
      const n = 2;
      const rng = new Rng(filters * 31 + g.kw);
      const taps = windowTaps(g);
      const kTaps = taps / groups;
      const rows = n * g.oh * g.ow;
      const x = randomArray(rng, n * g.h * g.w * g.c);
      const kernel = randomArray(rng, kTaps * filters);
      const bias = randomArray(rng, filters);
      const col = new Float32Array(rows * taps);
      const y = new Float32Array(rows * filters);
      convForward(x, kernel, bias, col, y, y, null, g, filters, groups, n);
      const want = naiveConv(x, kernel, bias, g, filters, n, groups);
      expectClose(y, want, 1e-6, 1e-6, 'y');

      const dz = randomArray(rng, rows * filters);
      const dx = Float32Array.from({ length: x.length }, () => 99);
      const dKernel = new Float32Array(kernel.length);
      const dBias = new Float32Array(filters);
      const dcol = new Float32Array(col.length);
      convBackward(col, kernel, dz, dx, dKernel, dBias, dcol, g, filters, groups, n);
      const fd = (p: Float64Array, which: 0 | 1 | 2) =>
        naiveConv(
          which === 0 ? p : x,
          which === 1 ? p : kernel,
          which === 2 ? p : bias,
          g,
          filters,
          n,
          groups,
        );
      expectClose(
        dx,
        finiteDifference((p) => fd(p, 0), x, dz),
        1e-4,
        1e-5,
        'dx',
      );
      expectClose(
        dKernel,
        finiteDifference((p) => fd(p, 1), kernel, dz),
        1e-4,
        1e-5,
        'dkernel',
      );
      expectClose(
        dBias,
        finiteDifference((p) => fd(p, 2), bias, dz),
        1e-4,
        1e-5,
        'dbias',
      );
    });
  }

  it('a grouped convolution is the ungrouped one per group, outputs concatenated', () => {
    const [groups, filters, n] = [3, 6, 2];
    const g = geometry([5, 4, 6], [3, 2], [1, 1], [1, 1], 'same');
    const [cg, fg] = [g.c / groups, filters / groups];
    const rng = new Rng(17);
    const x = randomArray(rng, n * g.h * g.w * g.c);
    const kernel = randomArray(rng, (windowTaps(g) / groups) * filters);
    const rows = n * g.oh * g.ow;
    const y = new Float32Array(rows * filters);
    const col = new Float32Array(rows * windowTaps(g));
    convForward(x, kernel, null, col, y, y, null, g, filters, groups, n);
    const gg = { ...g, c: cg };
    for (let grp = 0; grp < groups; grp++) {
      // The group's input channels and the kernel's columns, as separate tensors.
      const xs = Float32Array.from({ length: x.length / groups }, (_, i) => {
        const cell = Math.floor(i / cg);
        return x[cell * g.c + grp * cg + (i % cg)]!;
      });
      const ks = Float32Array.from({ length: kernel.length / groups }, (_, i) => {
        const row = Math.floor(i / fg);
        return kernel[row * filters + grp * fg + (i % fg)]!;
      });
      const ys = new Float32Array(rows * fg);
      convForward(
        xs,
        ks,
        null,
        new Float32Array(rows * windowTaps(gg)),
        ys,
        ys,
        null,
        gg,
        fg,
        1,
        n,
      );
      const got = Array.from({ length: rows * fg }, (_, i) => {
        return y[Math.floor(i / fg) * filters + grp * fg + (i % fg)]!;
      });
      expectClose(got, ys, 1e-6, 1e-6, `group ${grp}`);
    }
  });

  it('fuses the activation: z keeps the pre-activation, y = relu(z)', () => {
    const g = convCases[1]![1];
    const filters = 5;
    const n = 3;
    const rng = new Rng(5);
    const x = randomArray(rng, n * g.h * g.w * g.c);
    const kernel = randomArray(rng, windowTaps(g) * filters);
    const rows = n * g.oh * g.ow;
    const col = new Float32Array(rows * windowTaps(g));
    const [z, y] = [new Float32Array(rows * filters), new Float32Array(rows * filters)];
    convForward(x, kernel, null, col, z, y, resolveActivation('relu'), g, filters, 1, n);
    const want = naiveConv(x, kernel, null, g, filters, n);
    const scale = naiveMatmulAbs(col, kernel, rows, windowTaps(g), filters);
    expectClose(z, want, 1e-6, 1e-7, 'z', scale);
    expectClose(
      y,
      Array.from(z, (v) => Math.max(v, 0)),
      0,
      0,
      'y',
    );
  });
});

const poolCases: [string, WindowGeometry][] = [
  ['2×2 valid', geometry([6, 4, 3], [2, 2], [2, 2], [1, 1], 'valid')],
  [
    '3×3 stride 2 valid (overlapping windows)',
    geometry([7, 7, 2], [3, 3], [2, 2], [1, 1], 'valid'),
  ],
  [
    '3×3 same, stride 2 (edge windows partly padding)',
    geometry([5, 6, 2], [3, 3], [2, 2], [1, 1], 'same'),
  ],
  ['2×3 same, stride 1', geometry([4, 5, 3], [2, 3], [1, 1], [1, 1], 'same')],
  ['1-D, pool 3, stride 2 (height 1)', geometry([1, 9, 4], [1, 3], [1, 2], [1, 1], 'valid')],
];

describe('pooling', () => {
  for (const [what, g] of poolCases) {
    it(`max and average pooling vs the naive twin and finite differences: ${what}`, () => {
      const n = 2;
      const rng = new Rng(g.w * 7 + g.kh);
      // Distinct values, so no window has a tie for its maximum and the differences are clean.
      const x = randomArray(rng, n * g.h * g.w * g.c, -3, 3);
      const outSize = n * g.oh * g.ow * g.c;
      const dy = randomArray(rng, outSize);

      const y = new Float32Array(outSize);
      const argmax = new Float32Array(outSize);
      maxPoolForward(x, y, argmax, g, n);
      expectClose(y, naivePool(x, g, n, 'max'), 0, 0, 'max y');
      const dx = Float32Array.from({ length: x.length }, () => 99);
      maxPoolBackward(dy, argmax, dx, g, n);
      expectClose(
        dx,
        finiteDifference((p) => naivePool(p, g, n, 'max'), x, dy),
        1e-5,
        1e-6,
        'max dx',
      );

      avgPoolForward(x, y, g, n);
      expectClose(y, naivePool(x, g, n, 'avg'), 1e-6, 1e-7, 'avg y');
      avgPoolBackward(dy, dx, g, n);
      expectClose(
        dx,
        finiteDifference((p) => naivePool(p, g, n, 'avg'), x, dy),
        1e-5,
        1e-6,
        'avg dx',
      );
    });
  }

  it('a tie goes to the first maximum in window order, as TensorFlow routes its gradient', () => {
    const g = geometry([2, 2, 1], [2, 2], [2, 2], [1, 1], 'valid');
    const x = Float32Array.of(1, 5, 5, 2);
    const [y, argmax, dx] = [new Float32Array(1), new Float32Array(1), new Float32Array(4)];
    maxPoolForward(x, y, argmax, g, 1);
    maxPoolBackward(Float32Array.of(1), argmax, dx, g, 1);
    expect(Array.from(dx)).toEqual([0, 1, 0, 0]);
  });
});
