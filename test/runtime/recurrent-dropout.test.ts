/**
 * Keras 3's dropout on a recurrent layer's inputs (DropoutRNNCell, recurrent_dropout=0): one
 * mask per batch and feature, the same at every time step, inverted scaling, in training only.
 * Bidirectional's copies each draw their own. SimpleRNN's recurrent_dropout masks the state.
 */
import { compile, loadModel, planCompiled, type Plan } from 'nnlang';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backends/index.js';
import { Rng } from '../../src/kernels/random.js';

function plan(source: string, training: boolean): Plan {
  const model = compile(source, { file: 'm.nn' }).models[0]!;
  return planCompiled(model, model.graph, {
    mode: training ? 'training' : 'inference',
    batchSize: 4,
  });
}

const ops = (p: Plan) => p.steps.map((s) => `${s.op} ${s.layer}`);
const source = (layer: string) =>
  `Input(shape=(5, 3)) -> ${layer} -> Dense(2)\ncompile(sgd, mse)\n`;

describe('recurrent dropout', () => {
  it('drops the inputs once per batch in training, before the step, and masks their gradient', () => {
    // A Dense before it, so that the gradient reaches the layer's input.
    const training = plan(source('Dense(3) -> LSTM(4, dropout=0.3)'), true);
    expect(ops(training)).toContain('spatial_dropout lstm');
    expect(ops(training)).toContain('spatial_dropout_backward lstm');
    const step = training.steps.find((s) => s.op === 'recurrent')!;
    expect(training.buffers[step.inputs[0]!]!.name).toBe('lstm/x_dropped');
    const drop = training.steps.find((s) => s.op === 'spatial_dropout')!;
    expect(drop.attrs).toMatchObject({ rate: 0.3, steps: 5, channels: 3 });
  });

  it('leaves inference alone, and rate 0 (or 1, which Keras skips) trains as no dropout', () => {
    expect(ops(plan(source('GRU(4, dropout=0.3)'), false))).not.toContain('spatial_dropout gru');
    for (const rate of ['0.0', '1.0'])
      expect(ops(plan(source(`GRU(4, dropout=${rate})`), true))).toEqual(
        ops(plan(source('GRU(4)'), true)),
      );
    const x = Array.from({ length: 6 }, (_, i) =>
      Array.from({ length: 15 }, (_, j) => (i - j) / 9),
    );
    const y = Array.from({ length: 6 }, (_, i) => [i / 6, 1 - i / 6]);
    const train = (layer: string) => {
      const m = loadModel(source(layer), { seed: 3 });
      m.fit(x, y, { epochs: 2, batchSize: 3, shuffle: false });
      return m.weightValues();
    };
    expect(train('SimpleRNN(4, dropout=0.0)')).toEqual(train('SimpleRNN(4)'));
  });

  it('uses one mask per sample and feature at every time step, scaled by 1/(1 − rate)', () => {
    const p = plan(source('LSTM(4, dropout=0.5)'), true);
    const drop = p.steps.find((s) => s.op === 'spatial_dropout')!;
    const [n, T, I] = [4, 5, 3];
    const x = Float32Array.from({ length: n * T * I }, (_, i) => 1 + i);
    const y = new Float32Array(n * T * I);
    const mask = new Float32Array(n * I);
    const run = jsBackend.bind(drop, { inputs: [x], outputs: [y, mask] }, { rng: new Rng(9) });
    run(n);
    expect(new Set(mask)).toEqual(new Set([0, 2]));
    for (let b = 0; b < n; b++)
      for (let t = 0; t < T; t++)
        for (let i = 0; i < I; i++) {
          const at = (b * T + t) * I + i;
          expect(y[at]).toBe(x[at]! * mask[b * I + i]!);
        }
  });

  it("SimpleRNN's recurrent_dropout: one mask on the state per batch, read forward and backward", () => {
    const training = plan(source('Dense(3) -> SimpleRNN(4, recurrent_dropout=0.25)'), true);
    const draw = training.steps.find((s) => s.op === 'dropout_mask')!;
    expect(draw.attrs).toMatchObject({ rate: 0.25, size: 4 });
    const mask = draw.outputs[0]!;
    for (const op of ['recurrent', 'recurrent_backward'])
      expect(training.steps.find((s) => s.op === op)!.inputs).toContain(mask);
    expect(ops(plan(source('SimpleRNN(4, recurrent_dropout=0.25)'), false))).not.toContain(
      'dropout_mask simple_rnn',
    );
  });

  it("Bidirectional's copies each draw their own mask", () => {
    const p = plan(source('Bidirectional(GRU(3, dropout=0.2))'), true);
    expect(p.steps.filter((s) => s.op === 'spatial_dropout').map((s) => s.layer)).toEqual([
      'bidirectional/forward_gru',
      'bidirectional/backward_gru',
    ]);
  });
});
