/**
 * Float64 twins of the embedding and recurrent kernels, written straight from Keras 3's cell
 * formulas one sample and one time step at a time (no fused products, no saved gates).
 */
import type { RecurrentCell } from '../../src/kernels/recurrent.js';

export type NaiveCellActivation = 'linear' | 'tanh' | 'sigmoid' | 'relu' | 'hard_sigmoid';

function act(name: NaiveCellActivation, v: number): number {
  switch (name) {
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'relu':
      return Math.max(0, v);
    case 'hard_sigmoid':
      return Math.min(1, Math.max(0, v / 6 + 0.5));
    default:
      return v;
  }
}

/** y[i] = table[trunc(ids[i])]. */
export function naiveEmbedding(
  ids: ArrayLike<number>,
  table: ArrayLike<number>,
  count: number,
  dim: number,
): Float64Array {
  const y = new Float64Array(count * dim);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < dim; j++) y[i * dim + j] = table[Math.trunc(ids[i]!) * dim + j]!;
  return y;
}

export interface NaiveRecurrentConfig {
  cell: RecurrentCell;
  n: number;
  steps: number;
  in: number;
  units: number;
  returnSequences: boolean;
  goBackwards: boolean;
  /** With returnSequences: step s's output at T−1−s (Bidirectional's backward copy). */
  reverseSequence?: boolean;
  /** GRU: reset after the recurrent product (bias (2, 3u)) or before it (bias (3u)). */
  resetAfter: boolean;
  activation: NaiveCellActivation;
  recurrentActivation: NaiveCellActivation;
  /** (n, T) by time index, 0 at a masked step: Keras's backend.rnn keeps the state there. */
  mask?: ArrayLike<number>;
  /** With a mask: a masked step outputs zeros instead of the kept state. */
  zeroOutputForMask?: boolean;
  /**
   * recurrent_dropout: (n, G·u) one mask on the state per gate block (Keras 3's implementation 1
   * for LSTM and GRU, SimpleRNN's single mask), applied before that block's recurrent product.
   */
  stateDropout?: ArrayLike<number>;
  /** Implementation 1's dropout on the inputs: (n, G·in) one mask per gate block. */
  gateInputDropout?: ArrayLike<number>;
}

/** Σ_k v[k]·m[k, col] for m:(rows of width `width`). */
function dot(v: ArrayLike<number>, m: ArrayLike<number>, K: number, width: number, col: number) {
  let s = 0;
  for (let k = 0; k < K; k++) s += v[k]! * m[k * width + col]!;
  return s;
}

/**
 * The layer's output for x:(n, T, in), kernel:(in, G·u), recurrent:(u, G·u), bias or null; with
 * `states`, followed by the final states as return_state gives them: h (n, u), then LSTM's c.
 */
export function naiveRecurrent(
  c: NaiveRecurrentConfig,
  x: ArrayLike<number>,
  kernel: ArrayLike<number>,
  recurrent: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  states = false,
): Float64Array {
  const { n, steps: T, in: I, units: U } = c;
  const G = c.cell === 'lstm' ? 4 : c.cell === 'gru' ? 3 : 1;
  const W = G * U;
  const ySize = n * (c.returnSequences ? T : 1) * U;
  const stateCount = states ? (c.cell === 'lstm' ? 2 : 1) : 0;
  const y = new Float64Array(ySize + stateCount * n * U);
  const b = (k: number) => (bias ? bias[k]! : 0);
  for (let s0 = 0; s0 < n; s0++) {
    let h = new Float64Array(U);
    let cell = new Float64Array(U);
    for (let s = 0; s < T; s++) {
      const t = c.goBackwards ? T - 1 - s : s;
      const xt = Array.from({ length: I }, (_, k) => x[(s0 * T + t) * I + k]!);
      const inDrop = c.gateInputDropout;
      const xg = Array.from({ length: G }, (_, g) =>
        inDrop ? xt.map((v, k) => v * inDrop[s0 * G * I + g * I + k]!) : xt,
      );
      const xw = (col: number) => dot(xg[Math.floor(col / U)]!, kernel, I, W, col);
      const drop = c.stateDropout;
      const hd = Array.from({ length: G }, (_, g) =>
        drop ? h.map((v, k) => v * drop[s0 * W + g * U + k]!) : h,
      );
      const hu = (col: number) => dot(hd[Math.floor(col / U)]!, recurrent, U, W, col);
      const next = new Float64Array(U);
      const nextCell = new Float64Array(U);
      for (let j = 0; j < U; j++) {
        if (c.cell === 'lstm') {
          const z = (g: number) => xw(g * U + j) + hu(g * U + j) + b(g * U + j);
          const i = act(c.recurrentActivation, z(0));
          const f = act(c.recurrentActivation, z(1));
          const g = act(c.activation, z(2));
          const o = act(c.recurrentActivation, z(3));
          nextCell[j] = f * cell[j]! + i * g;
          next[j] = o * act(c.activation, nextCell[j]!);
        } else if (c.cell === 'gru' && !c.resetAfter) {
          const z = act(c.recurrentActivation, xw(j) + b(j) + hu(j));
          const r = (k: number) => act(c.recurrentActivation, xw(U + k) + b(U + k) + hu(U + k));
          let reset = 0;
          for (let k = 0; k < U; k++) reset += r(k) * hd[2]![k]! * recurrent[k * W + 2 * U + j]!;
          const hh = act(c.activation, xw(2 * U + j) + b(2 * U + j) + reset);
          next[j] = z * h[j]! + (1 - z) * hh;
        } else if (c.cell === 'gru') {
          const xz = xw(j) + b(j);
          const xr = xw(U + j) + b(U + j);
          const xh = xw(2 * U + j) + b(2 * U + j);
          const rz = hu(j) + b(W + j);
          const rr = hu(U + j) + b(W + U + j);
          const rh = hu(2 * U + j) + b(W + 2 * U + j);
          const z = act(c.recurrentActivation, xz + rz);
          const r = act(c.recurrentActivation, xr + rr);
          const hh = act(c.activation, xh + r * rh);
          next[j] = z * h[j]! + (1 - z) * hh;
        } else {
          next[j] = act(c.activation, xw(j) + b(j) + hu(j));
        }
      }
      // Keras 3's backend.rnn: new states where the mask is set, the old ones elsewhere; the
      // output likewise, or zeros with zero_output_for_mask.
      const kept = c.mask !== undefined && c.mask[s0 * T + t] === 0;
      if (!kept) {
        h = next;
        cell = nextCell;
      }
      if (c.returnSequences)
        for (let j = 0; j < U; j++)
          y[(s0 * T + (c.reverseSequence ? T - 1 - s : s)) * U + j] =
            kept && c.zeroOutputForMask ? 0 : h[j]!;
    }
    if (!c.returnSequences) for (let j = 0; j < U; j++) y[s0 * U + j] = h[j]!;
    for (let j = 0; j < U && stateCount > 0; j++) y[ySize + s0 * U + j] = h[j]!;
    for (let j = 0; j < U && stateCount > 1; j++) y[ySize + (n + s0) * U + j] = cell[j]!;
  }
  return y;
}
