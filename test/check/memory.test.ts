/**
 * Memory: the checker refuses a model the engine's one Float32Array cannot hold (NN3020, with
 * the figure and the limit), its figure is a lower bound of what the engine allocates, and an
 * allocation that still fails at run time is the user's InputError, never a RangeError.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, compile, InputError, jsBackend, loadModel } from 'nnlang';
import { engineMaxFloats, memoryNeed } from '../../src/check/index.js';
import { layerDefs } from '../../src/layers/index.js';
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

describe('the dropout masks of a training plan', () => {
  // Dropout, SpatialDropout1D, recurrent dropout per gate (implementation 1) and SimpleRNN's.
  const source = readFileSync(
    new URL('../fixtures/plan/dropout-masks.nn', import.meta.url),
    'utf8',
  );
  const masks = /(mask|_dropped)$/;

  it('are in the figure, which stays a lower bound of the plan', () => {
    const model = check(source).models[0]!;
    const need = memoryNeed(model);
    const plan = compile(source, { plans: ['training'], batchSize: need.batchSize }).plans[0]!
      .training!;
    expect(need.activations).toBeLessThanOrEqual(plan.workSize);
    // Per sample, every mask the forward pass draws and what it drops, but SimpleRNN's dropped
    // inputs: they take its input's place, which the figure counts already.
    const drawn = plan.buffers
      .filter((b) => b.role === 'activation' && masks.test(b.name))
      .filter((b) => !/simple_rnn\/x_dropped$/.test(b.name))
      .reduce((n, b) => n + b.size, 0);
    const counted = model.layers.reduce(
      (n, l) => n + (layerDefs[l.className]?.dropoutWorkspace?.(l.inputShape!, l.args) ?? 0),
      0,
    );
    expect(counted).toBe(drawn);
    expect(counted).toBe(4 + (2 * 20 + 7 * 16) + 30 + 2 * 5 + 2 * 6);
  });

  it('are not counted at inference, where no plan draws them', () => {
    const layers = source.replace(/^compile\(.*$/m, '');
    const need = memoryNeed(check(layers).models[0]!);
    const plan = compile(layers, { plans: ['inference'], batchSize: need.batchSize }).plans[0]!
      .inference!;
    expect(plan.buffers.some((b) => masks.test(b.name))).toBe(false);
    expect(need.activations).toBeLessThanOrEqual(plan.workSize);
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
    // 1,000 rows: a plan is never built for more rows than the data has.
    const rows = new Float32Array(1000 * 4).fill(1);
    expect(() => model.predict(rows, { batchSize: 1000 })).toThrow(
      /needs [\d,]+ floats \(.*\) of memory for its inference plan at batch size 1000, more than can be allocated here \(Array buffer allocation failed\)/,
    );
  });
});
