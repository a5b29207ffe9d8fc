/**
 * Feature scaling: hand-computed values for small columns, sklearn's definitions (population
 * standard deviation) checked on iris against a float64 twin computed from the CSV text, and
 * reuse of a saved scaler at evaluation time.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError, parseTable, type Scaler } from '../../src/data/index.js';

const text = 'a,b,y\n1,10,0\n2,10,1\n3,10,0\n6,10,1\n';
const column = (x: Float32Array, cols: number, j: number) =>
  Array.from(x).filter((_, i) => i % cols === j);

describe('fitting on the rows', () => {
  it.each<[string, 'standard' | 'minmax', Scaler, number[]]>([
    // a: mean 3, variance (4 + 1 + 0 + 9)/4 = 3.5; b is constant: scale 1, so it only shifts to 0.
    [
      'standard',
      'standard',
      { kind: 'standard', offset: [3, 10], scale: [1 / Math.sqrt(3.5), 1] },
      [-2, -1, 0, 3].map((d) => d / Math.sqrt(3.5)),
    ],
    // a: min 1, max 6 → (a − 1)/5.
    ['minmax', 'minmax', { kind: 'minmax', offset: [1, 10], scale: [0.2, 1] }, [0, 0.2, 0.4, 1]],
  ])('%s', (_, scaling, scaler, a) => {
    const t = parseTable(text, 's.csv', { scaling });
    expect(t.scaler!.kind).toBe(scaler.kind);
    t.scaler!.offset.forEach((v, j) => expect(v).toBeCloseTo(scaler.offset[j]!, 12));
    t.scaler!.scale.forEach((v, j) => expect(v).toBeCloseTo(scaler.scale[j]!, 12));
    column(t.x, 2, 0).forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 6));
    expect(column(t.x, 2, 1)).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(JSON.stringify(t.scaler))).toEqual(t.scaler);
  });

  it.each([['none' as const], [undefined]])('scaling %s leaves x alone', (scaling) => {
    const t = parseTable(text, 's.csv', scaling ? { scaling } : {});
    expect([t.scaler, column(t.x, 2, 0)]).toEqual([null, [1, 2, 3, 6]]);
  });

  it('iris: mean and population std per column match a float64 twin read from the text (sklearn StandardScaler)', () => {
    const csv = readFileSync(
      fileURLToPath(new URL('../../samples/iris.csv', import.meta.url)),
      'utf8',
    );
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 4).map(Number));
    const t = parseTable(csv, 'iris.csv', { target: 'species', scaling: 'standard' });
    for (let j = 0; j < 4; j++) {
      const values = rows.map((r) => r[j]!);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      expect(Math.abs(t.scaler!.offset[j]! - mean) / mean).toBeLessThan(1e-6);
      expect(Math.abs(1 / t.scaler!.scale[j]! - std) / std).toBeLessThan(1e-6);
      const scaled = column(t.x, 4, j);
      expect(Math.abs(scaled.reduce((s, v) => s + v, 0) / scaled.length)).toBeLessThan(1e-6);
      expect(Math.sqrt(scaled.reduce((s, v) => s + v * v, 0) / scaled.length)).toBeCloseTo(1, 5);
    }
  });
});

describe("reusing training's scaler", () => {
  const saved: Scaler = { kind: 'standard', offset: [3, 10], scale: [0.5, 2] };

  it('transforms new rows with the saved numbers (and wins over `scaling`)', () => {
    const t = parseTable('a,b,y\n5,11,0\n1,10,1\n', 'e.csv', { scaler: saved, scaling: 'minmax' });
    expect(Array.from(t.x)).toEqual([1, 2, -1, 0]);
    expect(t.scaler).toBe(saved);
  });

  it.each<[string, Scaler, string]>([
    [
      'a different feature count',
      { kind: 'standard', offset: [0, 0, 0], scale: [1, 1, 1] },
      'e.csv: the saved feature scaling is for 3 features, but the table has 2.',
    ],
    [
      'a non-finite scale',
      { kind: 'minmax', offset: [0, 0], scale: [1, Number.NaN] },
      'e.csv: the saved feature scaling is malformed (it needs a kind and finite offsets and scales).',
    ],
    [
      'an unknown kind',
      { kind: 'robust' as 'minmax', offset: [0, 0], scale: [1, 1] },
      'e.csv: the saved feature scaling is malformed (it needs a kind and finite offsets and scales).',
    ],
  ])('rejects %s', (_, scaler, message) => {
    expect(() => parseTable(text, 'e.csv', { scaler })).toThrow(new DataError(message, 'e.csv'));
  });
});
