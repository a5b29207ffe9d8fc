import { describe, expect, it } from 'vitest';
import { allFinite, copyFinite, firstNonFinite } from '../../src/kernels/finite.js';

describe('firstNonFinite on short and long arrays (a float loop below 32 values, the bits above)', () => {
  for (const n of [1, 4, 31, 32, 33, 100]) {
    it(`n=${n}: every position of NaN, ±Infinity; finite extremes pass`, () => {
      const data = new Float32Array(n).map((_, i) => (i % 2 ? -1 : 1) * [3.4e38, 1e-45, 0][i % 3]!);
      expect(firstNonFinite(data)).toBe(-1);
      expect(allFinite(data)).toBe(true);
      for (const bad of [NaN, Infinity, -Infinity])
        for (let at = 0; at < n; at++) {
          const copy = data.slice();
          copy[at] = bad;
          if (at + 1 < n) copy[n - 1] = NaN; // a later bad value: the first is named
          expect(firstNonFinite(copy), `${bad} at ${at}`).toBe(at);
          expect(firstNonFinite(copy, at), `before ${at}`).toBe(-1);
        }
    });
  }
});

describe('copyFinite', () => {
  it('copies n values (no more) and says whether all were finite', () => {
    const src = Float32Array.of(1, -0, 3.4e38, -1e-45, 7);
    for (const bad of [null, NaN, Infinity, -Infinity])
      for (let at = 0; at < 4; at++) {
        const s = src.slice();
        if (bad !== null) s[at] = bad;
        const dst = new Float32Array(6).fill(9);
        expect(copyFinite(s, dst, 4), `${bad} at ${at}`).toBe(bad === null);
        expect(Array.from(dst)).toEqual([...Array.from(s.subarray(0, 4)), 9, 9]);
      }
  });
});
