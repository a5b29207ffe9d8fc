/** Gradient clipping against Keras's formulas (keras-reference.md §4.1 step 2), in float64. */
import { describe, expect, it } from 'vitest';
import {
  clipByNorm,
  clipByValue,
  globalClipScale,
  globalNorm,
  l2Norm,
  scaleInPlace,
} from '../../src/optim/index.js';

const close = (a: ArrayLike<number>, b: number[], rel = 1e-6): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++)
    expect(Math.abs((a[i] as number) - b[i]!)).toBeLessThanOrEqual(
      rel * Math.max(Math.abs(b[i]!), 1e-6),
    );
};

describe('clipByNorm: g·c/max(‖g‖, c)', () => {
  const table: [string, number[], number][] = [
    ['above the clip (3-4-12 triangle, norm 13)', [3, -4, 12], 1.3],
    ['below the clip: unchanged', [0.1, -0.2], 5],
    ['exactly at the clip', [0.6, 0.8], 1],
    ['all zeros stay zeros', [0, 0, 0], 1],
  ];
  it.each(table)('%s', (_name, g, c) => {
    const buf = Float32Array.from(g);
    clipByNorm(buf, c);
    const n = Math.hypot(...g);
    close(
      buf,
      g.map((x) => (x * c) / Math.max(n, c)),
    );
    expect(l2Norm(buf)).toBeLessThanOrEqual(c * (1 + 1e-6));
  });
});

describe('global_clipnorm: every tensor scaled by c·min(1/‖g‖_global, 1/c)', () => {
  it('scales all tensors by clip/global norm when above the clip', () => {
    const gs = [Float32Array.of(3, 4), Float32Array.of(12)];
    const n = globalNorm(gs);
    expect(n).toBeCloseTo(13, 6);
    const s = globalClipScale(n, 6.5);
    expect(s).toBeCloseTo(0.5, 9);
    gs.forEach((g) => scaleInPlace(g, s));
    close(gs[0]!, [1.5, 2]);
    close(gs[1]!, [6]);
  });
  it('leaves gradients alone below the clip', () => {
    expect(globalClipScale(0.5, 1)).toBe(1);
  });
  it('turns a non-finite norm into NaN (as Keras does)', () => {
    expect(globalClipScale(Infinity, 1)).toBeNaN();
    expect(globalClipScale(Number.NaN, 1)).toBeNaN();
  });
});

describe('clipByValue: clip(g, −v, v)', () => {
  it('clamps each element', () => {
    const g = Float32Array.of(-3, -0.5, 0, 0.25, 2);
    clipByValue(g, 1);
    close(g, [-1, -0.5, 0, 0.25, 1]);
  });
});
