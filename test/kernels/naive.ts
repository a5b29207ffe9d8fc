/**
 * Slow, obviously-correct float64 twins of the kernels in src/kernels (matmul, activations,
 * normalization, PReLU), written straight from the formulas without the kernels' tricks (no
 * tiling, sort-based sparsemax, series/continued-fraction erf), plus the test helpers that
 * compare against them: seeded random inputs, central finite differences, and a closeness check.
 */
import { expect } from 'vitest';
import { Rng } from '../../src/kernels/random.js';

// ---------------------------------------------------------------- matmul

/** c = op(a)·op(b) in float64, where op transposes when asked; a is [M,K] ([K,M] if transA), b is [K,N] ([N,K] if transB). */
export function naiveMatmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  transA = false,
  transB = false,
): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? a[k * M + i]! : a[i * K + k]!;
        const bv = transB ? b[j * K + k]! : b[k * N + j]!;
        s += av * bv;
      }
      c[i * N + j] = s;
    }
  }
  return c;
}

/** Σ_k |op(a)[i,k]|·|op(b)[k,j]| per output: the scale a float rounding error is measured against. */
export function naiveMatmulAbs(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  transA = false,
  transB = false,
): Float64Array {
  return naiveMatmul(Array.from(a, Math.abs), Array.from(b, Math.abs), M, K, N, transA, transB);
}

// ---------------------------------------------------------------- special functions

/** erf(z) in float64: the all-positive series 2/√π·e^{−z²}·Σ 2ⁿz^{2n+1}/(2n+1)!! below 1.5, a continued fraction for erfc above. */
export function naiveErf(z: number): number {
  if (z < 0) return -naiveErf(-z);
  if (z >= 1.5) return 1 - naiveErfc(z);
  let term = z;
  let sum = z;
  for (let n = 1; Math.abs(term) > 1e-17 * sum; n++) {
    term *= (2 * z * z) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
}

/** erfc(z) in float64: Laplace's continued fraction e^{−z²}/√π · 1/(z + ½/(z + 1/(z + 3/2/(z + …)))) for z ≥ 1.5. */
export function naiveErfc(z: number): number {
  if (z < 1.5) return 1 - naiveErf(z);
  let f = z;
  for (let k = 300; k >= 1; k--) f = z + k / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

// ---------------------------------------------------------------- activations

/** The keyword arguments of an activation, as Keras spells them (a test-side copy, independent of resolveActivation). */
export interface NaiveActivationArgs {
  negative_slope?: number;
  max_value?: number | null;
  threshold?: number;
  default_value?: number;
  alpha?: number;
  b?: number;
  approximate?: boolean;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
/** Keras's softplus is logaddexp(x, 0) = max(x, 0) + log(1 + e^−|x|). */
const softplus = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const clip = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/** One element of an elementwise activation, in float64, straight from Keras 3's definition. */
export function naiveElementwise(name: string, args: NaiveActivationArgs, v: number): number {
  switch (name) {
    case 'linear':
      return v;
    case 'relu':
      return naiveRelu(v, args.negative_slope ?? 0, args.max_value ?? null, args.threshold ?? 0);
    case 'relu6':
      return clip(v, 0, 6);
    case 'sigmoid':
      return sigmoid(v);
    case 'hard_sigmoid':
      return clip(v / 6 + 0.5, 0, 1);
    case 'hard_silu':
    case 'hard_swish':
      return (v * clip(v + 3, 0, 6)) / 6;
    case 'tanh':
      return Math.tanh(v);
    case 'elu':
      return v >= 0 ? v : (args.alpha ?? 1) * (Math.exp(v) - 1);
    case 'selu': {
      const alpha = 1.6732632423543772;
      const scale = 1.0507009873554805;
      return scale * (v >= 0 ? v : alpha * (Math.exp(v) - 1));
    }
    case 'softplus':
      return softplus(v);
    case 'softsign':
      return v / (1 + Math.abs(v));
    case 'silu':
    case 'swish':
      return v * sigmoid(v);
    case 'gelu':
      return args.approximate === true
        ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))
        : v < 0
          ? 0.5 * v * naiveErfc(-v / Math.SQRT2)
          : 0.5 * v * (1 + naiveErf(v / Math.SQRT2));
    case 'exponential':
      return Math.exp(v);
    case 'mish':
      return v * Math.tanh(softplus(v));
    case 'leaky_relu':
      return v >= 0 ? v : (args.negative_slope ?? 0.2) * v;
    case 'celu': {
      const alpha = args.alpha ?? 1;
      return Math.max(v, 0) + alpha * (Math.exp(Math.min(v, 0) / alpha) - 1);
    }
    case 'hard_shrink':
      return Math.abs(v) > (args.threshold ?? 0.5) ? v : 0;
    case 'hard_tanh':
      return clip(v, -1, 1);
    case 'log_sigmoid':
      return -softplus(-v);
    case 'soft_shrink': {
      const t = args.threshold ?? 0.5;
      return v > t ? v - t : v < -t ? v + t : 0;
    }
    case 'sparse_plus':
      return v <= -1 ? 0 : v < 1 ? ((v + 1) * (v + 1)) / 4 : v;
    case 'sparse_sigmoid':
      return v <= -1 ? 0 : v >= 1 ? 1 : 0.5 * (v + 1);
    case 'squareplus':
      return (v + Math.sqrt(v * v + (args.b ?? 4))) / 2;
    case 'tanh_shrink':
      return v - Math.tanh(v);
    case 'threshold':
      return v > args.threshold! ? v : args.default_value!;
    case 'step':
      return v > 0 ? 1 : 0;
    default:
      throw new Error(`no naive twin for '${name}'`);
  }
}

/** Keras's ReLU.static_call, transcribed branch by branch. */
function naiveRelu(v: number, slope: number, maxValue: number | null, threshold: number): number {
  if (slope !== 0 && maxValue === null && threshold === 0) return v >= 0 ? v : slope * v;
  const negativePart = threshold !== 0 ? Math.max(-v + threshold, 0) : Math.max(-v, 0);
  let out: number;
  let clipMax = maxValue !== null;
  if (threshold !== 0) out = v * (v > threshold ? 1 : 0);
  else if (maxValue === 6) {
    out = clip(v, 0, 6);
    clipMax = false;
  } else out = Math.max(v, 0);
  if (clipMax) out = clip(out, 0, maxValue!);
  return slope !== 0 ? out - slope * negativePart : out;
}

/** An activation over x: [rows, cols] in float64 (softmax, log_softmax, sparsemax per row). */
export function naiveActivation(
  name: string,
  args: NaiveActivationArgs,
  x: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, j) => x[r * cols + j]!);
    let out: number[];
    if (name === 'softmax') {
      const e = row.map((v) => Math.exp(v - Math.max(...row)));
      const s = e.reduce((p, q) => p + q, 0);
      out = e.map((v) => v / s);
    } else if (name === 'log_softmax') {
      const m = Math.max(...row);
      const lse = Math.log(row.reduce((p, v) => p + Math.exp(v - m), 0));
      out = row.map((v) => v - m - lse);
    } else if (name === 'sparsemax') {
      out = naiveSparsemax(row);
    } else {
      out = row.map((v) => naiveElementwise(name, args, v));
    }
    y.set(out, r * cols);
  }
  return y;
}

/** Sparsemax by Martins & Astudillo's Algorithm 1: sort descending, k = max{j : 1 + j·z₍ⱼ₎ > Σ_{i≤j} z₍ᵢ₎}, τ = (Σ_{i≤k} z₍ᵢ₎ − 1)/k. */
export function naiveSparsemax(z: readonly number[]): number[] {
  const sorted = [...z].sort((p, q) => q - p);
  let cumsum = 0;
  let k = 0;
  let sumK = 0;
  sorted.forEach((v, i) => {
    cumsum += v;
    if (1 + (i + 1) * v > cumsum) {
      k = i + 1;
      sumK = cumsum;
    }
  });
  const tau = (sumK - 1) / k;
  return z.map((v) => Math.max(v - tau, 0));
}

// ---------------------------------------------------------------- normalization and PReLU

/** Per-column (BatchNormalization) or per-row (LayerNormalization) mean and biased variance of x: [rows, C]. */
export function naiveMoments(
  x: ArrayLike<number>,
  rows: number,
  C: number,
  perRow: boolean,
): { mean: number[]; variance: number[] } {
  const groups = perRow ? rows : C;
  const size = perRow ? C : rows;
  const at = (g: number, i: number): number => (perRow ? x[g * C + i]! : x[i * C + g]!);
  const mean: number[] = [];
  const variance: number[] = [];
  for (let g = 0; g < groups; g++) {
    let s = 0;
    for (let i = 0; i < size; i++) s += at(g, i);
    const m = s / size;
    let q = 0;
    for (let i = 0; i < size; i++) q += (at(g, i) - m) ** 2;
    mean.push(m);
    variance.push(q / size);
  }
  return { mean, variance };
}

/** BatchNormalization forward in float64 with the given per-channel mean and variance (batch or moving). */
export function naiveBatchNorm(
  x: ArrayLike<number>,
  gamma: ArrayLike<number> | null,
  beta: ArrayLike<number> | null,
  mean: readonly number[],
  variance: readonly number[],
  rows: number,
  C: number,
  epsilon: number,
): Float64Array {
  const y = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      const xhat = (x[r * C + c]! - mean[c]!) / Math.sqrt(variance[c]! + epsilon);
      y[r * C + c] = (gamma === null ? 1 : gamma[c]!) * xhat + (beta === null ? 0 : beta[c]!);
    }
  }
  return y;
}

/** BatchNormalization in training, in float64: normalized with the batch's own (biased) moments. */
export function naiveBatchNormTrain(
  x: ArrayLike<number>,
  gamma: ArrayLike<number> | null,
  beta: ArrayLike<number> | null,
  rows: number,
  C: number,
  epsilon: number,
): Float64Array {
  const { mean, variance } = naiveMoments(x, rows, C, false);
  return naiveBatchNorm(x, gamma, beta, mean, variance, rows, C, epsilon);
}

/** LayerNormalization in float64 (Keras 3 ops.layer_normalization, incl. the rms_scaling form that uses the centered variance). */
export function naiveLayerNorm(
  x: ArrayLike<number>,
  gamma: ArrayLike<number> | null,
  beta: ArrayLike<number> | null,
  rows: number,
  C: number,
  epsilon: number,
  rmsScaling = false,
): Float64Array {
  const { mean, variance } = naiveMoments(x, rows, C, true);
  const y = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < C; c++) {
      const v = x[r * C + c]!;
      const inv = 1 / Math.sqrt(variance[r]! + epsilon);
      const g = gamma === null ? 1 : gamma[c]!;
      y[r * C + c] = rmsScaling
        ? v * inv * g
        : (v - mean[r]!) * inv * g + (beta === null ? 0 : beta[c]!);
    }
  }
  return y;
}

/** UnitNormalization in float64: x / max(‖x‖₂, 1e-12) per row. */
export function naiveUnitNorm(x: ArrayLike<number>, rows: number, C: number): Float64Array {
  const y = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += x[r * C + c]! ** 2;
    const norm = Math.max(Math.sqrt(s), 1e-12);
    for (let c = 0; c < C; c++) y[r * C + c] = x[r * C + c]! / norm;
  }
  return y;
}

/** PReLU in float64: relu(x) − alpha·relu(−x), alpha looked up through the index map. */
export function naivePrelu(
  x: ArrayLike<number>,
  alpha: ArrayLike<number>,
  alphaIndex: ArrayLike<number>,
  rows: number,
  featureSize: number,
): Float64Array {
  const y = new Float64Array(rows * featureSize);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < featureSize; f++) {
      const v = x[r * featureSize + f]!;
      y[r * featureSize + f] = Math.max(v, 0) - alpha[alphaIndex[f]!]! * Math.max(-v, 0);
    }
  }
  return y;
}

// ---------------------------------------------------------------- helpers

/** n values from a seeded Rng, uniform in [lo, hi), as a Float32Array. */
export function randomArray(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/**
 * The gradient of Σ w·F(p) with respect to p by central differences in float64 (step h·max(1, |pᵢ|)).
 * The differences are taken output by output before the weighted sum, so outputs that pᵢ does not
 * touch cancel exactly instead of drowning the difference (e.g. e³⁰ next to e⁻⁶).
 */
export function finiteDifference(
  F: (p: Float64Array) => ArrayLike<number>,
  p: ArrayLike<number>,
  w: ArrayLike<number>,
  h = 1e-6,
): Float64Array {
  const base = Float64Array.from(p);
  const grad = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const step = h * Math.max(1, Math.abs(base[i]!));
    const orig = base[i]!;
    base[i] = orig + step;
    const up = Array.from(F(base));
    base[i] = orig - step;
    const down = F(base);
    base[i] = orig;
    let s = 0;
    for (let j = 0; j < up.length; j++) s += w[j]! * (up[j]! - down[j]!);
    grad[i] = s / (2 * step);
  }
  return grad;
}

/** Asserts |actual − expected| ≤ abs + rel·|expected| elementwise (scale, if given, replaces |expected|), naming the first offender. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  abs: number,
  what: string,
  scale?: ArrayLike<number>,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const bound = abs + rel * Math.abs(scale === undefined ? e : scale[i]!);
    if (!(Math.abs(a - e) <= bound) && !(Number.isNaN(a) && Number.isNaN(e)) && a !== e) {
      expect.fail(`${what}: element ${i} is ${a}, expected ${e} (tolerance ${bound})`);
    }
  }
}

/** Global average or max pooling in float64: x:[N,S,C] → [N,C]. */
export function naiveGlobalPool(
  x: ArrayLike<number>,
  N: number,
  S: number,
  C: number,
  pool: 'avg' | 'max',
): Float64Array {
  const y = new Float64Array(N * C);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const values = Array.from({ length: S }, (_, s) => x[(n * S + s) * C + c]!);
      y[n * C + c] = pool === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / S;
    }
  return y;
}

/** Keras 3's masked GlobalAveragePooling1D in float64: Σ m·x / Σ m over the steps. */
export function naiveMaskedAvgPool(
  x: ArrayLike<number>,
  mask: ArrayLike<number>,
  N: number,
  S: number,
  C: number,
): Float64Array {
  const y = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    const steps = Array.from({ length: S }, (_, s) => s).filter((s) => mask[n * S + s] !== 0);
    for (let c = 0; c < C; c++)
      y[n * C + c] = steps.reduce((a, s) => a + x[(n * S + s) * C + c]!, 0) / steps.length;
  }
  return y;
}

/** How one axis of a reshaping layer reads its input, by the layer's definition. */
export type NaiveAxis =
  | { kind: 'pad'; size: number; before: number; after: number }
  | { kind: 'crop'; size: number; before: number; after: number }
  | { kind: 'repeat'; size: number; times: number };

function naiveAxisLength(a: NaiveAxis): number {
  if (a.kind === 'pad') return a.before + a.size + a.after;
  if (a.kind === 'crop') return a.size - a.before - a.after;
  return a.size * a.times;
}

/** The input position output o reads on an axis, or null for a padded zero. */
function naiveAxisSource(a: NaiveAxis, o: number): number | null {
  if (a.kind === 'pad') return o < a.before || o >= a.before + a.size ? null : o - a.before;
  if (a.kind === 'crop') return o + a.before;
  return Math.floor(o / a.times);
}

/** ZeroPadding / Cropping / UpSampling over the axes of [N, …axes, C] in float64, per its definition. */
export function naiveReshaping(
  x: ArrayLike<number>,
  N: number,
  axes: NaiveAxis[],
  C: number,
): Float64Array {
  const outLengths = axes.map(naiveAxisLength);
  const inLengths = axes.map((a) => a.size);
  const perOut = outLengths.reduce((a, b) => a * b, 1);
  const perIn = inLengths.reduce((a, b) => a * b, 1);
  const y = new Float64Array(N * perOut * C);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < perOut; o++) {
      // Output coordinates, last axis fastest.
      let rest = o;
      const coords = outLengths.map(() => 0);
      for (let i = axes.length - 1; i >= 0; i--) {
        coords[i] = rest % outLengths[i]!;
        rest = Math.floor(rest / outLengths[i]!);
      }
      const sources = coords.map((c, i) => naiveAxisSource(axes[i]!, c));
      if (sources.some((s) => s === null)) continue;
      const at = sources.reduce((acc: number, s, i) => acc * inLengths[i]! + s!, 0);
      for (let c = 0; c < C; c++) y[(n * perOut + o) * C + c] = x[(n * perIn + at) * C + c]!;
    }
  return y;
}

/** Permute in float64, walking the input: x[n, c…] lands at y[n, c[perm[0]], c[perm[1]], …]. */
export function naivePermute(
  x: ArrayLike<number>,
  N: number,
  shape: readonly number[],
  perm: readonly number[],
): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const outShape = perm.map((p) => shape[p]!);
  const y = new Float64Array(N * size);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < size; i++) {
      let rest = i;
      const coord = shape.map(() => 0);
      for (let a = shape.length - 1; a >= 0; a--) {
        coord[a] = rest % shape[a]!;
        rest = Math.floor(rest / shape[a]!);
      }
      const at = perm.reduce((acc, p, k) => acc * outShape[k]! + coord[p]!, 0);
      y[n * size + at] = x[n * size + i]!;
    }
  return y;
}
