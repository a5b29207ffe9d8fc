/**
 * fit's divergence guard without a copy of every weight per step: a step whose loss is not
 * finite runs only as far as its loss, skips the update, and puts back what its forward pass
 * wrote to the parameters (BatchNormalization's moving statistics).
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from 'nnlang';

const source = `Input(2) -> Dense(4) -> BatchNormalization() -> Dense(1)
compile(SGD(learning_rate=1e30), mse)
`;
const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];

describe('a guarded training step', () => {
  it('whose loss is not finite leaves the weights, moving statistics and optimizer as they were', () => {
    const m = loadModel(source, { seed: 1 });
    m.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false }); // finite steps, then very large weights
    const h = m.fit(x, y, { epochs: 5, batchSize: 2, shuffle: false });
    expect(h.diverged).toBeDefined();
    const after = m.getWeights();
    expect(after.every((w) => w.every(Number.isFinite))).toBe(true);
    // The guard's run is the step itself when the loss is finite: the same weights as unguarded.
    const a = loadModel(source, { seed: 3 });
    const b = loadModel(source, { seed: 3 });
    const xs = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
    const ys = new Float32Array([0, 1, 1, 0]);
    const la = a.step(xs, ys, 4, null, 4, null, true);
    const lb = b.step(xs, ys, 4, null, 4, null, false);
    expect(la).toBe(lb);
    expect(a.getWeights()).toEqual(b.getWeights());
  });

  it('skips the update and undoes the moving statistics its forward pass wrote', () => {
    const m = loadModel(source, { seed: 1 });
    const xs = new Float32Array([0, 0, 0, 1]);
    const ys = new Float32Array([0, 1]);
    expect(Number.isFinite(m.step(xs, ys, 2, null, 2, null, true))).toBe(true);
    const iterations = m.optimizer.iterations;
    const weights = m.weightValues().slice();
    const bad = new Float32Array([NaN, 0]);
    expect(Number.isFinite(m.step(xs, bad, 2, null, 2, null, true))).toBe(false);
    expect(m.optimizer.iterations).toBe(iterations);
    expect(m.weightValues()).toEqual(weights); // BatchNormalization's moving mean and variance too
  });
});
