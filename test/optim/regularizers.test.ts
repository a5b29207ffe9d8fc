/**
 * Regularizers against Keras's penalties (keras-reference.md §6: L2 has no ½) and their
 * gradients against central differences. Weights and the step h are dyadic, so w ± h is exact
 * in float32 and the penalty (accumulated in float64) gives an exact difference quotient.
 */
import { describe, expect, it } from 'vitest';
import { createRegularizer, type Named } from '../../src/optim/index.js';

const call = (name: string, args: Record<string, unknown>): Named => ({ call: name, args });
const W = [0.5, -0.25, 1.125, -2, 0.0625, 0.75];
const f32 = Math.fround;

const table: [string, Named, number, number][] = [
  ["'l1' (l1 = 0.01)", 'l1', 0.01, 0],
  ["'l2' (l2 = 0.01)", 'l2', 0, 0.01],
  ["'L1L2' (defaults 0, 0)", 'L1L2', 0, 0],
  ["'l1_l2' string", 'l1_l2', 0, 0],
  ['L1(0.3)', call('L1', { l1: 0.3 }), 0.3, 0],
  ['L2(0.2)', call('L2', { l2: 0.2 }), 0, 0.2],
  ['L1L2(l1=0.1, l2=0.05)', call('L1L2', { l1: 0.1, l2: 0.05 }), 0.1, 0.05],
  ['l1l2(l2=0.5)', call('l1l2', { l2: 0.5 }), 0, 0.5],
];

describe('regularizers: penalty l1·Σ|w| + l2·Σw² and its gradient', () => {
  it.each(table)('%s', (_name, spec, l1, l2) => {
    const r = createRegularizer(spec)!;
    const w = Float32Array.from(W);
    const penalty =
      f32(l1) * W.reduce((s, x) => s + Math.abs(x), 0) + f32(l2) * W.reduce((s, x) => s + x * x, 0);
    expect(r.penalty(w)).toBeCloseTo(penalty, 12);
    const grad = Float32Array.from(W.map(() => 1)); // accumulates onto what is there
    r.addGradient(w, grad);
    W.forEach((x, i) =>
      expect(grad[i]).toBeCloseTo(f32(1 + f32(l1) * Math.sign(x) + 2 * f32(l2) * x), 6),
    );
  });

  it.each(table.filter(([, , l1, l2]) => l1 + l2 > 0))(
    '%s: gradient = central difference of the penalty',
    (_name, spec) => {
      const r = createRegularizer(spec)!;
      const w = Float32Array.from(W);
      const h = 1 / 1024; // every |w| > h: L1 is linear on [w − h, w + h]
      const grad = new Float32Array(W.length);
      r.addGradient(w, grad);
      W.forEach((x, i) => {
        w[i] = x + h;
        const up = r.penalty(w);
        w[i] = x - h;
        const down = r.penalty(w);
        w[i] = x;
        expect(Math.abs((up - down) / (2 * h) - grad[i]!)).toBeLessThan(1e-7);
      });
    },
  );

  it('L1 uses sign(0) = 0', () => {
    const grad = new Float32Array(2);
    createRegularizer('l1')!.addGradient(Float32Array.of(0, -0), grad);
    expect(Array.from(grad)).toEqual([0, 0]);
  });

  it('null means no regularizer', () => {
    expect(createRegularizer(null)).toBeNull();
  });

  const errors: [string, Named, RegExp][] = [
    ['an unknown name', 'l3', /Unknown regularizer 'l3'/],
    ['a negative factor', call('L2', { l2: -1 }), /non-negative/],
    ['an unknown argument', call('L1', { l2: 0.1 }), /not recognized: 'l2'/],
    ['OrthogonalRegularizer (not in the engine)', 'OrthogonalRegularizer', /not supported/],
  ];
  it.each(errors)('throws for %s', (_name, spec, message) => {
    expect(() => createRegularizer(spec)).toThrow(message);
  });
});
