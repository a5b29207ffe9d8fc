/**
 * The workloads of the engine benchmark (issue 3's seven, and issue 10's LSTM, W9), their data and how one call of each is
 * reported. Every engine does the same work per call (one training step, one epoch, one
 * predict call or one matrix product), so a speed ratio is the inverse ratio of seconds per call.
 */
import { Rng } from '../../src/kernels/random.js';

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6' | 'W7' | 'W7r' | 'W8' | 'W9';

export interface Workload {
  id: WorkloadId;
  title: string;
  /** The headline figure's unit (as in the peer table): higher is better unless `lowerIsBetter`. */
  unit: string;
  lowerIsBetter: boolean;
  /** The headline figure from seconds per call. */
  figure: (secondsPerCall: number) => number;
  /** A second figure shown beside the headline (e.g. ms per step), or null. */
  detail: ((secondsPerCall: number) => string) | null;
  /**
   * The workload whose TF.js cells are this one's peers, where ours runs the same work two
   * ways (W7r: W7's product on the relaxed SIMD build; TF.js has one way, measured once).
   */
  peers?: WorkloadId;
}

/** The MLP of W1, W2, W4, W5 in .nn. */
export const mlpSource =
  'Input(784) -> Dense(128, relu) -> Dense(64, relu) -> Dense(10, softmax)\n' +
  'compile(adam, categorical_crossentropy)\n';

/** The iris-sized model of W3 and W6 in .nn. */
export const tinySource =
  'Input(4) -> Dense(8, relu) -> Dense(3, softmax)\ncompile(adam, categorical_crossentropy)\n';

/** W8's MNIST CNN in .nn (issue 10): two convolution + max-pooling stages, then the classifier. */
export const cnnSource =
  'Input(shape=(28, 28, 1)) -> Conv2D(32, 3, activation=relu) -> MaxPooling2D() -> Conv2D(64, 3, activation=relu)\n' +
  '  -> MaxPooling2D() -> Flatten() -> Dense(10, softmax)\n' +
  'compile(adam, categorical_crossentropy)\n';

/** Samples in W3's data set and its batch size: 150 samples in batches of 16 = 10 steps per epoch. */
export const tinySamples = 150;
export const tinyBatch = 16;
/** Side of W7's square matrix product. */
export const gemmSize = 512;
/** Batch size of W5. */
export const bigBatch = 1024;

// --- W9: a recurrent layer (issue 10) ---
/** W9's model: LSTM(64) over 50 steps of 32 features, then a softmax over 10 classes. */
export const lstmSource =
  'Input(shape=(50, 32)) -> LSTM(64) -> Dense(10, softmax)\n' +
  'compile(adam, categorical_crossentropy)\n';
export const lstmSteps = 50;
export const lstmFeatures = 32;
export const lstmUnits = 64;
export const lstmBatch = 32;
// --- end of W9 ---

/** W7 (and W7r, the same product on our relaxed SIMD build). */
function gemmWorkload(id: WorkloadId, tier: string): Workload {
  return {
    id,
    title: `matmul ${gemmSize}³ (ours: ${tier} SIMD)`,
    unit: 'GFLOP/s',
    lowerIsBetter: false,
    figure: (s) => (2 * gemmSize ** 3) / s / 1e9,
    detail: (s) => `${(s * 1e3).toFixed(1)} ms/call`,
  };
}

const ms = (s: number) => `${(s * 1e3).toFixed(s < 1e-3 ? 3 : 2)} ms/step`;

export const workloads: readonly Workload[] = [
  {
    id: 'W1',
    title: 'train 784-128-64-10, batch 32',
    unit: 'samples/s',
    lowerIsBetter: false,
    figure: (s) => 32 / s,
    detail: ms,
  },
  {
    id: 'W2',
    title: 'train 784-128-64-10, batch 128',
    unit: 'samples/s',
    lowerIsBetter: false,
    figure: (s) => 128 / s,
    detail: ms,
  },
  {
    id: 'W3',
    title: 'train 4-8-3, batch 16, 150 samples',
    unit: 'epochs/s',
    lowerIsBetter: false,
    figure: (s) => 1 / s,
    detail: (s) => `${((s * 1e6) / 10).toFixed(1)} µs/step`,
  },
  {
    id: 'W4',
    title: 'predict 784-128-64-10, batch 1',
    unit: 'µs/call',
    lowerIsBetter: true,
    figure: (s) => s * 1e6,
    detail: null,
  },
  {
    id: 'W5',
    title: 'predict 784-128-64-10, batch 1024',
    unit: 'samples/s',
    lowerIsBetter: false,
    figure: (s) => bigBatch / s,
    detail: (s) => `${(s * 1e3).toFixed(2)} ms/call`,
  },
  {
    id: 'W6',
    title: 'predict 4-8-3, batch 1',
    unit: 'µs/call',
    lowerIsBetter: true,
    figure: (s) => s * 1e6,
    detail: null,
  },
  gemmWorkload('W7', 'plain'),
  { ...gemmWorkload('W7r', 'relaxed'), peers: 'W7' },
  {
    id: 'W8',
    title: 'train MNIST CNN (conv 32, pool, conv 64, pool, dense 10), batch 32',
    unit: 'samples/s',
    lowerIsBetter: false,
    figure: (s) => 32 / s,
    detail: ms,
  },
  {
    id: 'W9',
    title: `train LSTM(${lstmUnits}), ${lstmSteps} steps × ${lstmFeatures}, batch ${lstmBatch}`,
    unit: 'samples/s',
    lowerIsBetter: false,
    figure: (s) => lstmBatch / s,
    detail: ms,
  },
];

/** Uniform values in [0, 1) from a seeded generator: `rows` samples of `cols` features. */
export function features(rng: Rng, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform();
  return out;
}

/** One-hot targets of random classes: `rows` samples of `classes` values. */
export function oneHot(rng: Rng, rows: number, classes: number): Float32Array {
  const out = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) out[r * classes + rng.below(classes)] = 1;
  return out;
}

/** Standard-normal values, for the matrix product's operands. */
export function normals(rng: Rng, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.normal();
  return out;
}

/** The same data for every engine: one set per workload, from one seed. */
export interface BenchData {
  x32: Float32Array;
  y32: Float32Array;
  x128: Float32Array;
  y128: Float32Array;
  tinyX: Float32Array;
  tinyY: Float32Array;
  x1: Float32Array;
  x1024: Float32Array;
  tinyX1: Float32Array;
  gemmA: Float32Array;
  gemmB: Float32Array;
  /** W9: a batch of sequences and its one-hot targets. */
  seqX: Float32Array;
  seqY: Float32Array;
}

export function benchData(seed: number): BenchData {
  const rng = new Rng(seed);
  return {
    x32: features(rng, 32, 784),
    y32: oneHot(rng, 32, 10),
    x128: features(rng, 128, 784),
    y128: oneHot(rng, 128, 10),
    tinyX: features(rng, tinySamples, 4),
    tinyY: oneHot(rng, tinySamples, 3),
    x1: features(rng, 1, 784),
    x1024: features(rng, bigBatch, 784),
    tinyX1: features(rng, 1, 4),
    gemmA: normals(rng, gemmSize * gemmSize),
    gemmB: normals(rng, gemmSize * gemmSize),
    seqX: features(rng, lstmBatch, lstmSteps * lstmFeatures),
    seqY: oneHot(rng, lstmBatch, 10),
  };
}
