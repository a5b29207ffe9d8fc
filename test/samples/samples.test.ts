/**
 * Every sample trains with `nn train samples/<name>.nn` and nothing else, and reaches what the
 * issue asks: iris ≥ 95% on its held-out fifth, MNIST ≥ 90% on its test set, XOR and the
 * weather table solved, the line fitted, the waves' frequencies told apart by an LSTM. Runs the CLI's own functions on temporary outputs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvaluate, runPredict } from '../../src/cli/predict.js';
import { runTrain } from '../../src/cli/train.js';

const samples = new URL('../../samples/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'nn-samples-'));

function train(
  name: string,
  seed: number,
  extra: { model?: string } = {},
): { out: string; weights: string } {
  let out = '';
  const weights = join(tmp, `${name}-${extra.model ?? ''}.nnw`);
  const code = runTrain(
    join(samples, `${name}.nn`),
    { seed, out: weights, ...extra },
    { write: (s: string) => (out += s) },
    (s) => (out += s),
  );
  expect(code, out).toBe(0);
  return { out, weights };
}

function evaluate(
  name: string,
  weights: string,
  data?: string,
  model?: string,
): Record<string, number> {
  let out = '';
  const code = runEvaluate(
    join(samples, `${name}.nn`),
    { weights, ...(data ? { data } : {}), ...(model ? { model } : {}) },
    (s) => (out += s),
    (s) => (out += s),
  );
  expect(code, out).toBe(0);
  return Object.fromEntries(
    [...out.matchAll(/(\w+): ([\d.]+)/g)].map((m) => [m[1]!, Number(m[2])]),
  );
}

describe('samples train with nn train and nothing else', () => {
  it('iris: ≥ 95% accuracy on the held-out fifth', () => {
    const { weights } = train('iris', 1);
    const lines = readFileSync(join(samples, 'iris.csv'), 'utf8').trim().split('\n');
    const heldOut = join(tmp, 'iris-held-out.csv');
    writeFileSync(heldOut, [lines[0], ...lines.slice(1 + 120)].join('\n') + '\n');
    expect(evaluate('iris', weights, heldOut)['accuracy']).toBeGreaterThanOrEqual(0.95);
  });

  it('iris-residual (a graph with a residual block): ≥ 95% on the held-out fifth', () => {
    const { weights } = train('iris-residual', 1);
    const lines = readFileSync(join(samples, 'iris.csv'), 'utf8').trim().split('\n');
    const heldOut = join(tmp, 'iris-residual-held-out.csv');
    writeFileSync(heldOut, [lines[0], ...lines.slice(1 + 120)].join('\n') + '\n');
    expect(evaluate('iris-residual', weights, heldOut)['accuracy']).toBeGreaterThanOrEqual(0.95);
  });

  it('mnist: ≥ 90% accuracy on the test digits', () => {
    const { weights } = train('mnist', 1);
    expect(
      evaluate('mnist', weights, join(samples, 'mnist-test.csv.gz'))['accuracy'],
    ).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('waves: the LSTM tells the three frequencies apart, ≥ 95% on the test waves', () => {
    const { weights } = train('waves', 1);
    const test = join(samples, 'waves-test.csv');
    expect(evaluate('waves', weights, test)['accuracy']).toBeGreaterThanOrEqual(0.95);
  });

  it('xor: the sigmoid network solves XOR', () => {
    const { weights } = train('xor', 3, { model: 'xor' });
    expect(evaluate('xor', weights, undefined, 'xor')['accuracy']).toBe(1);
  });

  it('xor: the trainable network converges for each of 20 seeds', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { weights } = train('xor', seed, { model: 'xor' });
      expect(evaluate('xor', weights, undefined, 'xor')['accuracy'], `seed ${seed}`).toBe(1);
    }
  }, 60_000);

  it('xor_step: the fixed network predicts with no weights file', () => {
    let csv = '';
    const code = runPredict(
      join(samples, 'xor.nn'),
      { model: 'xor_step' },
      (s) => (csv += s),
      (s) => (csv += s),
    );
    expect(code, csv).toBe(0);
    expect(csv).toBe('prediction\n0\n1\n1\n0\n');
  });

  it('weather: 100% accuracy (V6)', () => {
    const { weights } = train('weather', 3);
    expect(evaluate('weather', weights)['accuracy']).toBe(1);
  });

  it('line: the slope approaches the least-squares fit of y = w·x', () => {
    const { weights } = train('line', 1);
    let csv = '';
    runPredict(
      join(samples, 'line.nn'),
      { weights },
      (s) => (csv += s),
      () => undefined,
    );
    const xs = [0, 1, 2, 3, 4, 5];
    const ys = [0, 0.8, 2.2, 2.3, 4.3, 4.9];
    const w = xs.reduce((a, x, i) => a + x * ys[i]!, 0) / xs.reduce((a, x) => a + x * x, 0);
    const predicted = csv.trim().split('\n').slice(1).map(Number);
    predicted.forEach((p, i) => expect(p).toBeCloseTo(w * xs[i]!, 3));
  });
});
