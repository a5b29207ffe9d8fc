/**
 * `nn emit --wasm`: the generated module runs its matrix products on the engine's WebAssembly
 * SIMD kernels, embedded as base64, behind the option (plain TypeScript stays the default). Its
 * selfTest passes against the engine, its outputs agree with the TypeScript module's within the
 * selfTest's 1e-5, it type-checks strictly and is laid out as Prettier lays it out, for both
 * targets; with --training it still trains (the operands are copied per product, so updated
 * weights are what the kernels see).
 */
import { emitModule, loadModel, wasmTier } from 'nnlang';
import { describe, expect, it } from 'vitest';
import { importModule, prettierDiff, typeErrors, writeFiles, type Emitted } from './compile.js';

const source = `Input(40) -> Dense(64, relu) -> Dense(32, tanh) -> Dense(5, softmax)
compile(adam, categorical_crossentropy)
`;

/** Seeded values in [-2, 2). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

describe.skipIf(wasmTier() === null)('nn emit --wasm', () => {
  const model = loadModel(source, { seed: 5 });

  it('embeds the kernels only behind the option', () => {
    expect(emitModule(model).code).not.toContain('WASM_KERNELS');
    const wasm = emitModule(model, { wasm: true });
    expect(wasm.diagnostics).toEqual([]);
    expect(wasm.code).toContain('const WASM_KERNELS =');
    expect(wasm.code).toContain('function matmulJs(');
  });

  it.each(['ts', 'js'] as const)(
    'passes its selfTest and agrees with the TypeScript module (%s)',
    async (target) => {
      const plain = emitModule(model, { target });
      const wasm = emitModule(model, { target, wasm: true });
      const typescript = target === 'ts';
      expect(await prettierDiff(wasm.code, typescript ? 'typescript' : 'babel')).toBeNull();
      if (typescript)
        expect(typeErrors(Object.values(writeFiles({ 'model.ts': wasm.code })))).toEqual([]);
      const a = await importModule<Emitted>(plain.code, typescript);
      const b = await importModule<Emitted>(wasm.code, typescript);
      expect(b.selfTest().ok).toBe(true);
      for (const batch of [1, 3, 64]) {
        const x = values(batch * 40, batch);
        const want = a.predict(x) as Float32Array;
        const got = b.predict(x) as Float32Array;
        for (let i = 0; i < want.length; i++)
          expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(
            1e-5 * Math.max(1, Math.abs(want[i]!)),
          );
        // Another prediction in the same module: no state carried over between products.
        expect(b.predict(x)).toEqual(got);
      }
    },
  );

  it('trains with --training: the products see the updated weights', async () => {
    const plain = emitModule(model, { training: true });
    const wasm = emitModule(model, { training: true, wasm: true });
    type Trainable = Emitted & { trainOnBatch(x: Float32Array, y: Float32Array): number };
    const a = await importModule<Trainable>(plain.code, true);
    const b = await importModule<Trainable>(wasm.code, true);
    const x = values(16 * 40, 7);
    const y = new Float32Array(16 * 5).map((_, i) => (i % 5 === (i / 5) % 3 ? 1 : 0));
    for (let step = 0; step < 3; step++) {
      const [la, lb] = [a.trainOnBatch(x, y), b.trainOnBatch(x, y)];
      expect(Math.abs(la - lb)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(la)));
    }
    const [pa, pb] = [a.predict(x) as Float32Array, b.predict(x) as Float32Array];
    for (let i = 0; i < pa.length; i++) expect(Math.abs(pb[i]! - pa[i]!)).toBeLessThanOrEqual(1e-4);
  });
});
