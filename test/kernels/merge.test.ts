/**
 * The merge kernels against float64 twins written from Keras's definitions, and their
 * gradients against central finite differences of the twins.
 */
import { describe, expect, it } from 'vitest';
import {
  concatBackward,
  concatForward,
  mergeBackward,
  mergeForward,
  type MergeMode,
} from '../../src/kernels/merge.js';
import { Rng } from '../../src/kernels/random.js';
import { expectClose, finiteDifference, randomArray } from './naive.js';

/** Keras's fold `out = op(out, x_i)` in float64. */
function naiveMerge(mode: MergeMode, xs: ArrayLike<number>[], length: number): Float64Array {
  const y = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    let v = xs[0]![i]!;
    for (const x of xs.slice(1)) {
      const w = x[i]!;
      v =
        mode === 'subtract'
          ? v - w
          : mode === 'multiply'
            ? v * w
            : mode === 'average'
              ? v + w
              : mode === 'maximum'
                ? Math.max(v, w)
                : Math.min(v, w);
    }
    y[i] = mode === 'average' ? v / xs.length : v;
  }
  return y;
}

const modes: MergeMode[] = ['subtract', 'multiply', 'average', 'maximum', 'minimum'];

describe.each(modes)('merge %s', (mode) => {
  const count = mode === 'subtract' ? 2 : 3;
  const length = 40;
  const rng = new Rng(7);
  const xs = Array.from({ length: count }, () => randomArray(rng, length, -2, 2));
  const w = randomArray(rng, length);

  it('computes what the float64 fold does', () => {
    const y = new Float32Array(length);
    mergeForward(mode, xs, y, length);
    expectClose(y, naiveMerge(mode, xs, length), 1e-6, 1e-6, mode);
  });

  it('sends each input the gradient finite differences find', () => {
    const dxs = xs.map(() => new Float32Array(length));
    mergeBackward(mode, xs, Float32Array.from(w), dxs, length);
    xs.forEach((x, k) => {
      const numeric = finiteDifference(
        (p) =>
          naiveMerge(
            mode,
            xs.map((other, j) => (j === k ? p : other)),
            length,
          ),
        x,
        w,
      );
      expectClose(dxs[k]!, numeric, 1e-4, 1e-5, `d input ${k}`);
    });
  });

  it('leaves out the inputs that need no gradient', () => {
    const dx1 = new Float32Array(length);
    mergeBackward(
      mode,
      xs,
      Float32Array.from(w),
      [null, dx1, ...xs.slice(2).map(() => null)],
      length,
    );
    expect(dx1.some((v) => v !== 0)).toBe(true);
  });
});

describe('maximum and minimum with ties', () => {
  it('send the gradient to the first input holding the extreme, as TensorFlow does', () => {
    const a = Float32Array.of(1, 2);
    const b = Float32Array.of(1, 2);
    for (const mode of ['maximum', 'minimum'] as const) {
      const [da, db] = [new Float32Array(2), new Float32Array(2)];
      mergeBackward(mode, [a, b], Float32Array.of(3, 4), [da, db], 2);
      expect([...da, ...db]).toEqual([3, 4, 0, 0]);
    }
  });
});

describe('concatenate', () => {
  // Two samples of (2, 3) and (2, 1) joined on the last axis: outer = 2 rows per sample.
  const a = Float32Array.from({ length: 12 }, (_, i) => i);
  const b = Float32Array.from({ length: 4 }, (_, i) => 100 + i);
  it('interleaves each input block by block', () => {
    const y = new Float32Array(16);
    concatForward([a, b], y, 4, [3, 1]);
    expect([...y]).toEqual([0, 1, 2, 100, 3, 4, 5, 101, 6, 7, 8, 102, 9, 10, 11, 103]);
  });
  it('splits the gradient back, and is its own adjoint', () => {
    const dy = Float32Array.from({ length: 16 }, (_, i) => i * 0.5);
    const [da, db] = [new Float32Array(12), new Float32Array(4)];
    concatBackward(dy, [da, db], 4, [3, 1]);
    const y = new Float32Array(16);
    concatForward([da, db], y, 4, [3, 1]);
    expect([...y]).toEqual([...dy]);
    concatBackward(dy, [null, db], 4, [3, 1]);
    expect([...db]).toEqual([1.5, 3.5, 5.5, 7.5]);
  });
});
