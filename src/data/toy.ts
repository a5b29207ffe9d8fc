/**
 * TensorFlow Playground's 2-D classification data sets (its src/dataset.ts and the shuffle and
 * split of its playground.ts), seeded: XOR, circle, two Gaussian clusters and two interleaved
 * spirals, with the noise slider's 0…50 as the Playground reads it (noise / 100). The labels are
 * 0/1 where the Playground has −1/+1, so they train with binary_crossentropy; `x` is one
 * [x, y] array per sample, which `fit` takes (and builds an unbuilt model from).
 */

export type ToyKind = 'xor' | 'circle' | 'gaussian' | 'spiral';

export const toyKinds: readonly ToyKind[] = ['xor', 'circle', 'gaussian', 'spiral'];

export interface ToyOptions {
  /** Points in all: half in each class (the first class takes the odd one). */
  samples: number;
  /** TensorFlow Playground's noise slider, 0…50. */
  noise: number;
  /** The same seed, the same points. */
  seed: number;
}

export interface ToyData {
  /** One [x, y] per sample. */
  x: number[][];
  /** 0 or 1 per sample. */
  y: number[];
}

/** Larger data sets are refused: the generators keep every point as a small array. */
export const MAX_TOY_SAMPLES = 1_000_000;

/** A TensorFlow Playground data set, shuffled as the Playground shuffles it before splitting. */
export function toyData(kind: ToyKind, options: ToyOptions): ToyData {
  checkOptions(kind, options);
  const random = seeded(options.seed);
  const points: Point[] = [];
  generators[kind](points, options.samples, options.noise / 100, random);
  shuffle(points, random);
  return { x: points.map((p) => [p.x, p.y]), y: points.map((p) => p.label) };
}

/**
 * Shuffles (by `seed`) and splits: the first ⌊n·ratio⌋ samples train, the rest test, as
 * TensorFlow Playground's "ratio of training to test data" splits.
 */
export function trainTestSplit(
  data: ToyData,
  ratio: number,
  seed: number,
): { train: ToyData; test: ToyData } {
  if (!(typeof ratio === 'number' && ratio >= 0 && ratio <= 1))
    throw new RangeError(`trainTestSplit: ratio must be a number in [0, 1], not ${ratio}.`);
  if (data.x.length !== data.y.length)
    throw new RangeError(
      `trainTestSplit: x has ${data.x.length} samples but y has ${data.y.length}.`,
    );
  const order = data.x.map((_, i) => i);
  shuffle(order, seeded(seed));
  const at = Math.floor(order.length * ratio);
  const pick = (rows: number[]): ToyData => ({
    x: rows.map((r) => data.x[r]!),
    y: rows.map((r) => data.y[r]!),
  });
  return { train: pick(order.slice(0, at)), test: pick(order.slice(at)) };
}

interface Point {
  x: number;
  y: number;
  label: number;
}

type Random = () => number;
type Generator = (out: Point[], samples: number, noise: number, random: Random) => void;

const uniform = (random: Random, a: number, b: number): number => random() * (b - a) + a;

/** Playground's normalRandom: the polar Box–Muller method, scaled by √variance. */
function normal(random: Random, mean: number, variance: number): number {
  let v1: number;
  let v2: number;
  let s: number;
  do {
    v1 = 2 * random() - 1;
    v2 = 2 * random() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s > 1 || s === 0);
  return mean + Math.sqrt(variance) * Math.sqrt((-2 * Math.log(s)) / s) * v1;
}

/** Samples per class: the first takes ⌈n/2⌉, so `samples` points come out in all. */
const halves = (samples: number): [number, number] => [
  Math.ceil(samples / 2),
  Math.floor(samples / 2),
];

const generators: Record<ToyKind, Generator> = {
  /** Uniform in ±5, pushed 0.3 away from the axes; the label is the sign of x·y of the noisy point. */
  xor(out, samples, noise, random) {
    const padding = 0.3;
    for (let i = 0; i < samples; i++) {
      let x = uniform(random, -5, 5);
      x += x > 0 ? padding : -padding;
      let y = uniform(random, -5, 5);
      y += y > 0 ? padding : -padding;
      const nx = uniform(random, -5, 5) * noise;
      const ny = uniform(random, -5, 5) * noise;
      out.push({ x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : 0 });
    }
  },
  /** Radius 5: one class inside 2.5, the other in the ring 3.5…5; labelled by the noisy point. */
  circle(out, samples, noise, random) {
    const radius = 5;
    const ring = (count: number, from: number, to: number) => {
      for (let i = 0; i < count; i++) {
        const r = uniform(random, from, to);
        const angle = uniform(random, 0, 2 * Math.PI);
        const x = r * Math.sin(angle);
        const y = r * Math.cos(angle);
        const nx = uniform(random, -radius, radius) * noise;
        const ny = uniform(random, -radius, radius) * noise;
        out.push({ x, y, label: Math.hypot(x + nx, y + ny) < radius * 0.5 ? 1 : 0 });
      }
    };
    const [inside, outside] = halves(samples);
    ring(inside, 0, radius * 0.5);
    ring(outside, radius * 0.7, radius);
  },
  /** Clusters at (2, 2) (label 1) and (−2, −2) (label 0); variance 0.5 at no noise, 4 at 50. */
  gaussian(out, samples, noise, random) {
    const variance = 0.5 + (noise / 0.5) * 3.5;
    const cluster = (count: number, c: number, label: number) => {
      for (let i = 0; i < count; i++)
        out.push({ x: normal(random, c, variance), y: normal(random, c, variance), label });
    };
    const [positive, negative] = halves(samples);
    cluster(positive, 2, 1);
    cluster(negative, -2, 0);
  },
  /** Two arms of 1.75 turns out to radius 5, the second turned by π; noise moves each point up to ±noise. */
  spiral(out, samples, noise, random) {
    const n = samples / 2;
    const arm = (count: number, delta: number, label: number) => {
      for (let i = 0; i < count; i++) {
        const r = (i / n) * 5;
        const t = ((1.75 * i) / n) * 2 * Math.PI + delta;
        const x = r * Math.sin(t) + uniform(random, -1, 1) * noise;
        const y = r * Math.cos(t) + uniform(random, -1, 1) * noise;
        out.push({ x, y, label });
      }
    };
    const [positive, negative] = halves(samples);
    arm(positive, 0, 1);
    arm(negative, Math.PI, 0);
  },
};

function checkOptions(kind: string, options: ToyOptions): void {
  if (!(toyKinds as readonly string[]).includes(kind))
    throw new RangeError(
      `toyData: unknown kind '${kind}'; the kinds are ${toyKinds.map((k) => `'${k}'`).join(', ')}.`,
    );
  const { samples, noise, seed } = options;
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= MAX_TOY_SAMPLES))
    throw new RangeError(
      `toyData: samples must be an integer in [1, ${MAX_TOY_SAMPLES}], not ${samples}.`,
    );
  if (!(typeof noise === 'number' && noise >= 0 && noise <= 50))
    throw new RangeError(`toyData: noise must be a number in [0, 50], not ${noise}.`);
  if (!Number.isFinite(seed)) throw new RangeError(`toyData: seed must be a number, not ${seed}.`);
}

/**
 * A small seeded generator (mulberry32): this folder imports nothing, so not the engine's Rng;
 * the points need only be reproducible by seed, not to continue the engine's stream.
 */
function seeded(seed: number): Random {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[], random: Random): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}
