/**
 * Seeded random initial weights and batches for a conformance case: the same numbers go to
 * both engines. Weights are drawn by role (kernel, bias, gamma, …) so that every parameter
 * is non-trivial (no zero biases, BatchNormalization's moving statistics away from 0 and 1).
 */
import { Rng } from '../../src/kernels/random.js';
import type { TargetKind } from './spec.js';

/** A weight as our engine's weightSpecs() lists it. */
export interface WeightSpec {
  layer: string;
  name: string;
  shape: number[];
}

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.uniform();

/** Initial values for every weight, in getWeights() order. */
export function initialWeights(specs: readonly WeightSpec[], rng: Rng): Float32Array[] {
  return specs.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(size);
    // A Glorot-uniform-like range, a little wider so that activations leave their linear part.
    const limit = shape.length === 2 ? 1.3 * Math.sqrt(6 / (shape[0]! + shape[1]!)) : 0;
    for (let i = 0; i < size; i++) {
      switch (name) {
        case 'kernel':
          out[i] = uniform(rng, -limit, limit);
          break;
        case 'gamma':
          out[i] = uniform(rng, 0.7, 1.3);
          break;
        case 'moving_mean':
          out[i] = uniform(rng, -0.3, 0.3);
          break;
        case 'moving_variance':
          out[i] = uniform(rng, 0.5, 1.5);
          break;
        case 'alpha':
          out[i] = uniform(rng, 0.05, 0.4);
          break;
        default: // bias, beta
          out[i] = uniform(rng, -0.3, 0.3);
      }
    }
    return out;
  });
}

/** One batch for both engines: our targets, and TF.js's (one-hot where the loss needs it). */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  yTfjs: Float32Array;
  rows: number;
}

/**
 * `steps` batches of `rows` samples: inputs N(0, 1), targets of `kind` for `units` outputs.
 * Sparse targets are one class index per sample; `oneHotForTfjs` gives TF.js one-hot rows.
 */
export function makeBatches(
  rng: Rng,
  o: {
    steps: number;
    rows: number;
    inputs: number;
    units: number;
    kind: TargetKind;
    oneHotForTfjs: boolean;
    /** Token ids below this instead of N(0, 1) values. */
    tokens?: number;
    /** Target rows per sample (a per-step output's steps): each row draws `units / rowsPerSample`. */
    rowsPerSample?: number;
  },
): Batch[] {
  const per = o.rowsPerSample ?? 1;
  const tokens = o.tokens;
  return Array.from({ length: Math.max(o.steps, 1) }, () => {
    const x = Float32Array.from({ length: o.rows * o.inputs }, () =>
      tokens ? rng.below(tokens) : rng.normal(),
    );
    const y =
      per === 1
        ? targets(rng, o.kind, o.rows, o.units)
        : targets(rng, o.kind, o.rows * per, o.units / per);
    const yTfjs = o.kind === 'sparse' && o.oneHotForTfjs ? oneHot(y, o.units) : y;
    return { x, y, yTfjs, rows: o.rows };
  });
}

function targets(rng: Rng, kind: TargetKind, rows: number, units: number): Float32Array {
  if (kind === 'sparse') return Float32Array.from({ length: rows }, () => rng.below(units));
  const y = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) {
    const row = y.subarray(r * units, (r + 1) * units);
    switch (kind) {
      case 'regression':
        row.forEach((_, j) => (row[j] = rng.normal()));
        break;
      case 'away_from_zero':
        row.forEach((_, j) => (row[j] = (rng.uniform() < 0.5 ? -1 : 1) * uniform(rng, 0.5, 2)));
        break;
      case 'positive':
        row.forEach((_, j) => (row[j] = uniform(rng, 0, 3)));
        break;
      case 'counts':
        row.forEach((_, j) => (row[j] = rng.below(5)));
        break;
      case 'binary':
        row.forEach((_, j) => (row[j] = rng.below(2)));
        break;
      case 'signs':
        row.forEach((_, j) => (row[j] = rng.below(2) * 2 - 1));
        break;
      case 'one_hot':
        row[rng.below(units)] = 1;
        break;
      case 'distribution': {
        row.forEach((_, j) => (row[j] = uniform(rng, 0.1, 1)));
        const total = row.reduce((a, b) => a + b, 0);
        row.forEach((v, j) => (row[j] = v / total));
        break;
      }
    }
  }
  return y;
}

/** Class indices → one-hot rows. */
function oneHot(indices: Float32Array, units: number): Float32Array {
  const out = new Float32Array(indices.length * units);
  indices.forEach((c, r) => (out[r * units + c] = 1));
  return out;
}

/** Batches joined into one data set (for predict, evaluate and fit). */
export function joinBatches(batches: readonly Batch[]): Batch {
  const cat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
    return out;
  };
  return {
    x: cat(batches.map((b) => b.x)),
    y: cat(batches.map((b) => b.y)),
    yTfjs: cat(batches.map((b) => b.yTfjs)),
    rows: batches.reduce((n, b) => n + b.rows, 0),
  };
}
