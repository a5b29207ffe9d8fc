/**
 * predict, evaluate, trainOnBatch and fit check their features for NaN and ±Infinity batch by batch, where each
 * batch was copied (on wasm with the SIMD kernel), instead of in a pass of their own: the error
 * is toMatrix's, naming the value and its index in x, on every backend.
 */
import { describe, expect, it } from 'vitest';
import { firstNonFinite } from '../../src/kernels/finite.js';
import { loadModel, wasmTier, type BackendName } from 'nnlang';

const source = 'Input(3) -> Dense(2, softmax)\ncompile(adam, categorical_crossentropy)\n';
const backends: BackendName[] = ['js', ...(wasmTier() === null ? [] : ['wasm' as const])];

describe.each(backends)('the finiteness check of predict and evaluate on %s', (backend) => {
  const rows = 70; // three batches of 32: the bad value lies in the third
  const x = new Float32Array(rows * 3).map((_, i) => (i % 7) / 7);
  const y = new Float32Array(rows * 2).map((_, i) => i % 2);

  it.each([
    [NaN, 200],
    [Infinity, 65],
    [-Infinity, 0],
    [NaN, rows * 3 - 1],
  ])('names %s at index %i', (value, index) => {
    const m = loadModel(source, { seed: 1, backend });
    const bad = x.slice();
    bad[index] = value;
    const message = `x holds ${value} at index ${index}: every value must be a finite number.`;
    expect(() => m.predict(bad)).toThrow(message);
    expect(() => m.evaluate(bad, y)).toThrow(message);
    expect(() => m.predict(bad, { batchSize: 1 })).toThrow(message);
    // trainOnBatch checks before its step runs: the weights stay as they were.
    const before = m.getWeights();
    expect(() => m.trainOnBatch(bad, y)).toThrow(message);
    expect(m.getWeights()).toEqual(before);
    // fit checks every row before its first step (staged through the training plan).
    expect(() => m.fit(bad, y, { epochs: 1, batchSize: 16 })).toThrow(message);
    expect(() => m.fit(bad, y, { epochs: 1, validationSplit: 0.5 })).toThrow(message);
    expect(m.getWeights()).toEqual(before);
  });

  it('passes finite data, the largest float32 included', () => {
    const m = loadModel(source, { seed: 1, backend });
    const big = x.slice();
    big[5] = 3.4028234663852886e38;
    big[6] = -3.4028234663852886e38;
    expect(m.predict(big).every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(m.evaluate(x, y) as number)).toBe(true);
  });
});

describe('firstNonFinite (JavaScript)', () => {
  it('finds the first NaN or ±Infinity within the first n values', () => {
    const v = new Float32Array([1, -0, 3.4e38, 5e-45, Infinity, NaN]);
    expect(firstNonFinite(v)).toBe(4);
    expect(firstNonFinite(v, 4)).toBe(-1);
    expect(firstNonFinite(v.subarray(5))).toBe(0);
    expect(firstNonFinite(new Float32Array(0))).toBe(-1);
  });
});
