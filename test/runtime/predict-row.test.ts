/**
 * predict() on one sample given as a Float32Array takes a path of its own (no matrix, no batch
 * loop; on the JavaScript backend a fused one-row Dense kernel): the same numbers bit for bit as
 * the same row predicted among others, the same checks and errors, and a fresh array per call.
 */
import { describe, expect, it } from 'vitest';
import { loadModel, wasmTier, type BackendName } from 'nnlang';

const backends: BackendName[] = ['js', ...(wasmTier() === null ? [] : ['wasm' as const])];
const sources = {
  tiny: 'Input(4) -> Dense(8, relu) -> Dense(3, softmax)\ncompile(adam, categorical_crossentropy)\n',
  // A batch norm folded into the Dense before it by a prepare step, and dropout (training only).
  folded:
    "Input(4) -> Dense(8) -> BatchNormalization() -> Activation('relu') -> Dropout(0.5) -> Dense(3, softmax)\ncompile(adam, categorical_crossentropy)\n",
};

const rows = 5;
const x = new Float32Array(rows * 4).map((_, i) => Math.sin(i * 1.7) * 3);
const y = new Float32Array(rows * 3).map((_, i) => (i % 3 === i % 2 ? 1 : 0));

describe.each(backends)('predict on one row (%s)', (backend) => {
  it.each(Object.keys(sources))(
    '%s: the same bits as the rows predicted together, after training too',
    (name) => {
      const m = loadModel(sources[name as keyof typeof sources], { seed: 3, backend });
      for (let round = 0; round < 3; round++) {
        // One row at a time first: after a training step, the row path itself must prepare.
        const ones = Array.from({ length: rows }, (_, r) => m.predict(x.slice(r * 4, r * 4 + 4)));
        const small = Array.from({ length: rows }, (_, r) =>
          m.predict(x.slice(r * 4, r * 4 + 4), { batchSize: 1 }),
        );
        const all = m.predict(x);
        for (let r = 0; r < rows; r++) {
          const expected = Array.from(all.subarray(r * 3, r * 3 + 3));
          expect(Array.from(ones[r]!), `round ${round}, row ${r}`).toEqual(expected);
          expect(Array.from(small[r]!), `round ${round}, row ${r}, batchSize 1`).toEqual(expected);
        }
        m.trainOnBatch(x, y); // new weights: the prepared buffers must follow
      }
    },
  );

  it('returns a fresh array per call, which the next call leaves alone', () => {
    const m = loadModel(sources.tiny, { seed: 3, backend });
    const row = x.slice(0, 4);
    const first = m.predict(row);
    const kept = Array.from(first);
    const second = m.predict(x.slice(4, 8));
    expect(second).not.toBe(first);
    expect(Array.from(first)).toEqual(kept);
    first.fill(7);
    expect(Array.from(m.predict(row))).toEqual(kept);
  });

  it.each([
    [NaN, 0],
    [Infinity, 2],
    [-Infinity, 3],
  ])('names %s at index %i, as for many rows', (value, index) => {
    const m = loadModel(sources.tiny, { seed: 3, backend });
    const bad = x.slice(0, 4);
    bad[index] = value;
    const message = `x holds ${value} at index ${index}: every value must be a finite number.`;
    expect(() => m.predict(bad)).toThrow(message);
    expect(() => m.predict(bad, { batchSize: 1 })).toThrow(message);
    // The bad row left nothing behind: the next good row predicts as before.
    expect(Array.from(m.predict(x.slice(0, 4)))).toEqual(Array.from(m.predict(x).subarray(0, 3)));
  });

  it('still checks the options and the length', () => {
    const m = loadModel(sources.tiny, { seed: 3, backend });
    const row = x.slice(0, 4);
    expect(() => m.predict(row, { batch: 1 } as object)).toThrow("predict: unknown option 'batch'");
    expect(() => m.predict(row, { batchSize: 0 })).toThrow('batchSize must be an integer ≥ 1');
    expect(() => m.predict(x.slice(0, 3))).toThrow(
      'x has 3 values, not a whole number of rows of 4.',
    );
  });
});
