import { describe, expect, it } from 'vitest';
import { addBias, matmul } from '../../src/kernels/matmul.js';
import { denseRow } from '../../src/kernels/matvec.js';
import { Rng } from '../../src/kernels/random.js';
import { expectClose, naiveMatmul, naiveMatmulAbs, randomArray } from './naive.js';

/** [I, O]: the 4-8-3 model's layers, units not a multiple of four, one K block, several (I > 256), none. */
const SHAPES: [number, number][] = [
  [1, 1],
  [4, 8],
  [8, 3],
  [5, 7],
  [13, 11],
  [256, 6],
  [300, 6],
  [600, 9],
  [0, 3],
];

/** Slack past the end of y, which the kernel must leave alone (y may be the front of a batch buffer). */
const GUARD = 5;

describe('denseRow: one row of a Dense layer', () => {
  for (const [I, O] of SHAPES) {
    for (const withBias of [true, false]) {
      it(`I=${I} O=${O} bias=${withBias}: matmul then addBias bit for bit, and the float64 twin`, () => {
        const rng = new Rng(I * 100 + O);
        const x = randomArray(rng, I);
        const w = randomArray(rng, I * O);
        const b = withBias ? randomArray(rng, O) : null;
        const y = randomArray(rng, O + GUARD);
        const before = Float32Array.from(y);
        denseRow(x, w, b, y, I, O);

        const expected = Float32Array.from(before);
        matmul(x, w, expected, 1, I, O, false);
        if (b) addBias(expected, b, 1, O);
        expect(Array.from(y), 'bits of matmul + addBias').toEqual(Array.from(expected));

        const twin = naiveMatmul(x, w, 1, I, O).map((v, o) => v + (b ? b[o]! : 0));
        const scale = naiveMatmulAbs(x, w, 1, I, O).map((v, o) => v + (b ? Math.abs(b[o]!) : 0));
        expectClose(y.subarray(0, O), twin, 1e-6, 1e-7, 'denseRow', scale);
        expect(Array.from(y.subarray(O)), 'guard past y').toEqual(Array.from(before.subarray(O)));
      });
    }
  }

  it('carries NaN and ±Infinity through as matmul does', () => {
    const x = Float32Array.of(1, NaN, 2, Infinity);
    const w = randomArray(new Rng(3), 4 * 5);
    const b = Float32Array.of(0, 1, 2, 3, 4);
    const y = new Float32Array(5);
    const expected = new Float32Array(5);
    denseRow(x, w, b, y, 4, 5);
    matmul(x, w, expected, 1, 4, 5, false);
    addBias(expected, b, 1, 5);
    expect(Array.from(y)).toEqual(Array.from(expected));
    expect(y.every((v) => Number.isNaN(v))).toBe(true);
  });
});
