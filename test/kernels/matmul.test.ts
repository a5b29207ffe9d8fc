import { describe, expect, it } from 'vitest';
import {
  addBias,
  biasGrad,
  gemm,
  matmul,
  matmulTransA,
  matmulTransB,
} from '../../src/kernels/matmul.js';
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

  it('gemm with offsets and a C row stride writes one block of a larger matrix, nothing else', () => {
    // A grouped product's shape: A is columns [3, 3 + K) of a 7-wide matrix, B columns [2, 2 + N)
    // of a 9-wide one, C columns [4, 4 + N) of an 11-wide one; past one K block, edge tiles too.
    const [M, K, N] = [9, 300, 5];
    const rng = new Rng(11);
    const a = randomArray(rng, M * (K + 7));
    const b = randomArray(rng, K * 9);
    const c = randomArray(rng, M * 11);
    const before = Float32Array.from(c);
    gemm(a, 3, K + 7, 1, b, 2, 9, 1, c, 4, 11, M, K, N, false);
    const block = (src: Float32Array, off: number, ld: number, rows: number, cols: number) =>
      Float32Array.from(
        { length: rows * cols },
        (_, i) => src[off + Math.floor(i / cols) * ld + (i % cols)]!,
      );
    const want = naiveMatmul(block(a, 3, K + 7, M, K), block(b, 2, 9, K, N), M, K, N);
    expectClose(block(c, 4, 11, M, N), want, 1e-5, 1e-6, 'block');
    const outside = Array.from(c).filter((v, i) =>
      i % 11 < 4 || i % 11 >= 4 + N ? v !== before[i] : false,
    );
    expect(outside).toEqual([]);
  });

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
