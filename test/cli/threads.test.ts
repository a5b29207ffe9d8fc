/**
 * `nn predict` and `nn evaluate` with `--threads N` (and `--batch-size N`): the same output as
 * one thread, a process that exits without disposing its model, and bad values as usage errors
 * (exit 2) as for --backend.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from 'nnlang';
import { nn } from './spawn.js';

const source = `Input(300) -> Dense(256, relu) -> Dense(3, softmax)
compile(adam, categorical_crossentropy, metrics=['accuracy'])
fit(target='y')
`;
const rows = 300;
let dir = '';
const files = { nn: '', weights: '', x: '', xy: '' };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nn-threads-'));
  Object.assign(files, {
    nn: join(dir, 'wide.nn'),
    weights: join(dir, 'wide.nnw'),
    x: join(dir, 'x.csv'),
    xy: join(dir, 'xy.csv'),
  });
  writeFileSync(files.nn, source);
  loadModel(source, { seed: 3 }).saveWeights(files.weights);
  const header = Array.from({ length: 300 }, (_, j) => `f${j}`);
  const row = (r: number) => header.map((_, j) => Math.sin(r * 300 + j).toFixed(4));
  const lines = (withY: boolean) =>
    [
      [...header, ...(withY ? ['y'] : [])].join(','),
      ...Array.from({ length: rows }, (_, r) =>
        [...row(r), ...(withY ? ['abc'[r % 3]!] : [])].join(','),
      ),
    ].join('\n') + '\n';
  writeFileSync(files.x, lines(false));
  writeFileSync(files.xy, lines(true));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nn predict and nn evaluate --threads', () => {
  it('print what one thread prints, and exit (nothing disposes the model)', () => {
    const base = ['--weights', files.weights, '--batch-size', String(rows)];
    const predict = (...more: string[]) =>
      nn('predict', files.nn, ...base, '--data', files.x, ...more);
    const one = predict();
    expect(one.code).toBe(0);
    expect(one.out.split('\n')).toHaveLength(rows + 2);
    expect(predict('--threads', '2')).toEqual(one);
    const evaluate = (...more: string[]) =>
      nn('evaluate', files.nn, ...base, '--data', files.xy, ...more);
    const e = evaluate();
    expect([e.code, e.err]).toEqual([0, '']);
    expect(e.out).toMatch(/^300 samples - loss: [\d.]+ - accuracy: [\d.]+\n$/);
    expect(evaluate('--threads', '2')).toEqual(e);
  }, 60_000);

  it('refuse a bad value, or a command that does not take it, as usage errors (exit 2)', () => {
    for (const bad of ['0', 'two', '1.5', '17', '-2']) {
      const r = nn('predict', files.nn, `--threads=${bad}`);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--threads must be an integer from 1 to 16, not '${bad}'.`);
    }
    const train = nn('train', files.nn, '--threads', '2');
    expect(train.code).toBe(2);
    expect(train.err).toContain('--threads applies to predict and evaluate');
  }, 60_000);
});
