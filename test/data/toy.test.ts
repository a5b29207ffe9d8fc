/**
 * TensorFlow Playground's toy data sets: reproducible by seed, balanced, the sizes asked for,
 * the geometry of each generator at no noise (its labels follow from the points), noise that
 * flips labels as the Playground's does, the split, and bad options refused.
 */
import { describe, expect, it } from 'vitest';
import { toyData, toyKinds, trainTestSplit, type ToyKind } from '../../src/index.js';
import { loadModel } from '../../src/load.js';

const ones = (y: number[]) => y.filter((v) => v === 1).length;

describe('toyData', () => {
  it.each(toyKinds)('%s: the same seed gives the same points, another seed others', (kind) => {
    const a = toyData(kind, { samples: 200, noise: 10, seed: 7 });
    const b = toyData(kind, { samples: 200, noise: 10, seed: 7 });
    const c = toyData(kind, { samples: 200, noise: 10, seed: 8 });
    expect(b).toEqual(a);
    expect(c.x).not.toEqual(a.x);
  });

  it.each(toyKinds)('%s: the size asked for, two features, labels 0/1', (kind) => {
    for (const samples of [1, 7, 500]) {
      const d = toyData(kind, { samples, noise: 0, seed: 1 });
      expect(d.x.length).toBe(samples);
      expect(d.y.length).toBe(samples);
      expect(d.x.every((p) => p.length === 2 && p.every(Number.isFinite))).toBe(true);
      expect(d.y.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });

  it.each<[ToyKind, number, number]>([
    // Circle, Gaussian and spiral make half of each class; XOR's four quadrants are uniform.
    ['circle', 250, 250],
    ['gaussian', 250, 250],
    ['spiral', 250, 250],
  ])('%s: balanced classes', (kind, positives, negatives) => {
    const d = toyData(kind, { samples: 500, noise: 0, seed: 3 });
    expect(ones(d.y)).toBe(positives);
    expect(d.y.length - ones(d.y)).toBe(negatives);
  });

  it('xor: close to balanced, labelled by the sign of x·y, 0.3 away from the axes', () => {
    const d = toyData('xor', { samples: 2000, noise: 0, seed: 3 });
    expect(Math.abs(ones(d.y) - 1000)).toBeLessThan(100);
    d.x.forEach(([x, y], i) => {
      expect(d.y[i]).toBe(x! * y! >= 0 ? 1 : 0);
      expect(Math.min(Math.abs(x!), Math.abs(y!))).toBeGreaterThanOrEqual(0.3);
      expect(Math.max(Math.abs(x!), Math.abs(y!))).toBeLessThanOrEqual(5.3);
    });
  });

  it('circle: label 1 inside radius 2.5, label 0 in the ring 3.5…5', () => {
    const d = toyData('circle', { samples: 500, noise: 0, seed: 3 });
    d.x.forEach(([x, y], i) => {
      const r = Math.hypot(x!, y!);
      if (d.y[i] === 1) expect(r).toBeLessThan(2.5);
      else expect(r >= 3.5 - 1e-9 && r <= 5 + 1e-9).toBe(true);
    });
  });

  it('gaussian: clusters at (2, 2) and (−2, −2) with variance 0.5 at no noise, 4 at 50', () => {
    for (const [noise, variance] of [
      [0, 0.5],
      [50, 4],
    ] as const) {
      const d = toyData('gaussian', { samples: 20000, noise, seed: 5 });
      const xs = d.x.filter((_, i) => d.y[i] === 1).map((p) => p[0]!);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
      expect(mean).toBeCloseTo(2, 1);
      expect(Math.abs(v - variance) / variance).toBeLessThan(0.05);
    }
  });

  it('spiral: radius up to 5, the two arms half a turn apart', () => {
    const d = toyData('spiral', { samples: 400, noise: 0, seed: 3 });
    expect(d.x.every(([x, y]) => Math.hypot(x!, y!) <= 5)).toBe(true);
    // Each arm's point at step i has its mirror (−x, −y) in the other arm.
    const key = ([x, y]: number[]) => `${x!.toFixed(6)},${y!.toFixed(6)}`;
    const zero = new Set(d.x.filter((_, i) => d.y[i] === 0).map(key));
    const mirrored = d.x.filter((_, i) => d.y[i] === 1).map(([x, y]) => key([-x!, -y!]));
    expect(mirrored.filter((k) => zero.has(k)).length).toBeGreaterThan(190);
  });

  it('noise flips labels near the boundary, as the Playground labels the noisy point', () => {
    const clean = toyData('xor', { samples: 2000, noise: 0, seed: 4 });
    const noisy = toyData('xor', { samples: 2000, noise: 50, seed: 4 });
    const wrong = (d: typeof clean) =>
      d.x.filter(([x, y], i) => (x! * y! >= 0 ? 1 : 0) !== d.y[i]).length;
    expect(wrong(clean)).toBe(0);
    expect(wrong(noisy)).toBeGreaterThan(200);
  });

  it('refuses bad options with a message that names them', () => {
    expect(() => toyData('moons' as ToyKind, { samples: 10, noise: 0, seed: 1 })).toThrow(
      /unknown kind 'moons'/,
    );
    expect(() => toyData('xor', { samples: 0, noise: 0, seed: 1 })).toThrow(/samples/);
    expect(() => toyData('xor', { samples: 1e9, noise: 0, seed: 1 })).toThrow(/samples/);
    expect(() => toyData('xor', { samples: 10, noise: 51, seed: 1 })).toThrow(/noise/);
    expect(() => toyData('xor', { samples: 10, noise: 0, seed: NaN })).toThrow(/seed/);
  });
});

describe('trainTestSplit', () => {
  it('splits ⌊n·ratio⌋ / the rest, every sample once, reproducibly', () => {
    const d = toyData('circle', { samples: 101, noise: 0, seed: 2 });
    const { train, test } = trainTestSplit(d, 0.5, 9);
    expect(train.x.length).toBe(50);
    expect(test.x.length).toBe(51);
    const key = (p: number[]) => p.join();
    const all = [...train.x, ...test.x].map(key).sort();
    expect(all).toEqual(d.x.map(key).sort());
    // Each point keeps its label.
    const label = new Map(d.x.map((p, i) => [key(p), d.y[i]]));
    train.x.forEach((p, i) => expect(train.y[i]).toBe(label.get(key(p))));
    expect(trainTestSplit(d, 0.5, 9)).toEqual({ train, test });
    expect(() => trainTestSplit(d, 1.5, 9)).toThrow(/ratio/);
  });
});

it('a small MLP learns XOR from it (what the playground trains)', () => {
  const { train, test } = trainTestSplit(
    toyData('xor', { samples: 400, noise: 0, seed: 1 }),
    0.5,
    1,
  );
  const model = loadModel(
    `Input(2) -> Dense(8, tanh) -> Dense(1, sigmoid); compile(Adam(learning_rate=0.03), binary_crossentropy, metrics=[accuracy])`,
    { seed: 1 },
  );
  model.fit(train.x, train.y, { epochs: 60, batchSize: 10 });
  const [, accuracy] = model.evaluate(test.x, test.y) as number[];
  expect(accuracy).toBeGreaterThan(0.9);
});
