import { describe, expect, it } from 'vitest';
import { addBias, biasGrad, matmul, matmulTransA, matmulTransB } from '../../src/kernels/matmul.js';
import { Rng } from '../../src/kernels/random.js';
import { expectClose, naiveMatmul, naiveMatmulAbs, randomArray } from './naive.js';

/** [M, K, N]: tiny, Dense-shaped, not multiples of the 4×4 tile, K beyond one 256-long K block, and empty. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 4, 8],
  [4, 8, 3],
  [3, 5, 7],
  [8, 16, 4],
  [9, 13, 11],
  [33, 1, 65],
  [5, 300, 6],
  [6, 600, 9],
  [2, 0, 3],
  [0, 5, 3],
];

const KERNELS = [
  { name: 'matmul', kernel: matmul, transA: false, transB: false },
  { name: 'matmulTransA', kernel: matmulTransA, transA: true, transB: false },
  { name: 'matmulTransB', kernel: matmulTransB, transA: false, transB: true },
] as const;

/** Slack past the end of c, which the kernels must leave alone (c may be the front of a larger buffer). */
const GUARD = 5;

describe('matmul kernels vs the float64 naive twin', () => {
  for (const { name, kernel, transA, transB } of KERNELS) {
    for (const [M, K, N] of SHAPES) {
      for (const accumulate of [false, true]) {
        it(`${name} M=${M} K=${K} N=${N} accumulate=${accumulate}`, () => {
          const rng = new Rng(M * 1000 + K * 10 + N);
          const a = randomArray(rng, M * K);
          const b = randomArray(rng, K * N);
          const c = randomArray(rng, M * N + GUARD);
          const before = Float32Array.from(c);
          kernel(a, b, c, M, K, N, accumulate);
          const product = naiveMatmul(a, b, M, K, N, transA, transB);
          const expected = product.map((v, i) => (accumulate ? v + before[i]! : v));
          // Error bound: float32 rounding of a sum scales with Σ|a||b| (plus |c| when accumulating).
          const scale = naiveMatmulAbs(a, b, M, K, N, transA, transB).map(
            (v, i) => v + (accumulate ? Math.abs(before[i]!) : 0),
          );
          expectClose(c.subarray(0, M * N), expected, 1e-6, 1e-7, name, scale);
          expect(Array.from(c.subarray(M * N)), 'guard past c').toEqual(
            Array.from(before.subarray(M * N)),
          );
        });
      }
    }
  }

  it('matmul on exactly representable integers is exact', () => {
    // [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]].
    const c = new Float32Array(4);
    matmul(
      Float32Array.of(1, 2, 3, 4, 5, 6),
      Float32Array.of(7, 8, 9, 10, 11, 12),
      c,
      2,
      3,
      2,
      false,
    );
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });
});

describe('bias kernels', () => {
  const cases: [number, number][] = [
    [1, 1],
    [1, 8],
    [7, 3],
    [32, 10],
  ];
  for (const [rows, cols] of cases) {
    it(`addBias rows=${rows} cols=${cols}`, () => {
      const rng = new Rng(rows * 31 + cols);
      const y = randomArray(rng, rows * cols);
      const b = randomArray(rng, cols);
      const expected = Array.from(y, (v, i) => v + b[i % cols]!);
      addBias(y, b, rows, cols);
      expectClose(y, expected, 1e-7, 0, 'addBias');
    });
    for (const accumulate of [false, true]) {
      it(`biasGrad rows=${rows} cols=${cols} accumulate=${accumulate}`, () => {
        const rng = new Rng(rows * 37 + cols);
        const dy = randomArray(rng, rows * cols);
        const db = randomArray(rng, cols + GUARD);
        const before = Float32Array.from(db);
        biasGrad(dy, db, rows, cols, accumulate);
        const expected = Array.from({ length: cols }, (_, c) => {
          let s = accumulate ? before[c]! : 0;
          for (let r = 0; r < rows; r++) s += dy[r * cols + c]!;
          return s;
        });
        expectClose(db.subarray(0, cols), expected, 1e-6, 1e-6, 'biasGrad');
        expect(Array.from(db.subarray(cols))).toEqual(Array.from(before.subarray(cols)));
      });
    }
  }
});
