/**
 * Memory: the checker refuses a model the engine's one Float32Array cannot hold (NN3020, with
 * the figure and the limit), its figure is a lower bound of what the engine allocates, and an
 * allocation that still fails at run time is the user's InputError, never a RangeError.
 */
import { describe, expect, it } from 'vitest';
import { check, compile, InputError, jsBackend, loadModel } from 'nnlang';
import { engineMaxFloats, memoryNeed } from '../../src/check/index.js';
import type { Backend } from '../../src/backends/index.js';

const codes = (source: string) => check(source).diagnostics.map((d) => `${d.severity} ${d.code}`);

describe('NN3020: more memory than the engine can allocate', () => {
  it.each([
    ['Input(4) -> Dense(1000000000)\ncompile(adam, mse)\n'],
    ['Input(1000000000) -> Dense(1)\ncompile(adam, mse)\n'],
    ["Input(4) -> Dense(100000, 'relu', kernel_initializer='he_normal') -> Dense(100000)\n"],
  ])('%s', (source) => {
    expect(codes(source)).toEqual(['warning NN3020']);
    const message = check(source).diagnostics[0]!.message;
    expect(message).toContain(`limit of 4,294,967,296 floats (16.00 GB)`);
    expect(() => loadModel(source)).toThrow(/NN3020/);
  });

  it("is V8's longest Float32Array in Node 20", () => {
    expect(engineMaxFloats).toBe(2 ** 32);
    expect(() => new Float32Array(engineMaxFloats + 1)).toThrow(RangeError);
  });

  it('counts the optimizer state and the batch size from fit()', () => {
    const source = 'Input(10) -> Dense(5)\ncompile(adam, mse)\nfit(batch_size=8)\n';
    const need = memoryNeed(check(source).models[0]!);
    expect(need).toEqual({
      weights: 55,
      gradients: 55,
      optimizerState: 110,
      activations: 8 * 15,
      batchSize: 8,
      training: true,
    });
  });

  it('is a lower bound of what the engine lays out', () => {
    const layers =
      "Input(64) -> Dense(128, 'relu', kernel_initializer='he_normal') -> Dropout(0.5) -> Dense(10, softmax)\n";
    const trained = `${layers}compile(adam, categorical_crossentropy)\n`;
    const cases = [
      ['inference', layers],
      ['training', trained],
    ] as const;
    for (const [mode, source] of cases) {
      const need = memoryNeed(check(source).models[0]!);
      const plan = compile(source, { plans: [mode] }).plans[0]![mode]!;
      const total = need.weights + need.gradients + need.optimizerState + need.activations;
      expect(total - need.optimizerState, mode).toBeLessThanOrEqual(plan.paramSize + plan.workSize);
      expect(need.activations, mode).toBeLessThanOrEqual(plan.workSize);
    }
  });
});

describe('an allocation that fails at run time', () => {
  it('is a located InputError, not a RangeError', () => {
    // The input size comes from the data, so the checker could not know it.
    const model = loadModel('Dense(1000000000)\n', { file: 'm.nn' });
    expect(() => model.build([null, 4])).toThrow(InputError);
    expect(() => model.build([null, 4])).toThrow(
      /model 'sequential' needs 5,000,000,000 floats \(18\.63 GB\) of memory for its weights/,
    );
  });

  it('names the plan and batch size when the work arena cannot be allocated', () => {
    const refusing: Backend = {
      ...jsBackend,
      allocate: (floats) => {
        if (floats > 1000) throw new RangeError('Array buffer allocation failed');
        return new Float32Array(floats);
      },
    };
    const model = loadModel('Input(4) -> Dense(8)\n', { backend: refusing });
    expect(() => model.predict([[1, 2, 3, 4]], { batchSize: 1000 })).toThrow(
      /needs [\d,]+ floats \(.*\) of memory for its inference plan at batch size 1000, more than can be allocated here \(Array buffer allocation failed\)/,
    );
  });
});
