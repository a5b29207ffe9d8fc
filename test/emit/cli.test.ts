/**
 * A module emitted from a trained .nn file answers raw rows as `nn predict` answers the CSV
 * they come from: the training's scaling, feature order and class names travel with it.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nn, root } from '../cli/spawn.js';
import { importModule, type Emitted } from './compile.js';

describe('nn emit after nn train', () => {
  it('predicts raw CSV rows as nn predict does, and classifies them by the same names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-emit-train-'));
    for (const f of ['iris.nn', 'iris.csv']) copyFileSync(join(root, 'samples', f), join(dir, f));
    const file = join(dir, 'iris.nn');
    expect(nn('train', file, '--seed', '3', '--quiet').code).toBe(0);
    const emitted = nn('emit', file);
    expect(emitted.code).toBe(0);
    const predicted = nn('predict', file);
    expect(predicted.code).toBe(0);

    const module = await importModule<Emitted>(emitted.out);
    expect(module.selfTest().ok).toBe(true);
    const csv = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
    const header = csv[0]!.split(',');
    expect(module.featureNames).toEqual(header.filter((h) => h !== 'species'));
    const rows = csv.slice(1).map((line) => {
      const cells = line.split(',');
      return module.featureNames!.map((f) => Number(cells[header.indexOf(f)]));
    });
    const lines = predicted.out.trim().split('\n');
    expect(lines[0]).toBe(['predicted', ...module.classNames!.map((c) => `p_${c}`)].join(','));
    const probabilities = module.predict(rows);
    const labels = module.classify!(rows);
    lines.slice(1).forEach((line, r) => {
      const [label, ...ps] = line.split(',');
      expect(labels[r]).toBe(label);
      ps.forEach((p, j) => expect(probabilities[r * ps.length + j]).toBe(Math.fround(Number(p))));
    });
  }, 60_000);
});
