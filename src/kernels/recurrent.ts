/**
 * Recurrent layers (LSTM, GRU with reset_after=True, SimpleRNN) over a whole sequence, forward
 * and backpropagation through time, as Keras 3's cells compute them. The input projection of
 * every time step is one product (x·kernel over all n·T rows); each step then adds h·U (one
 * product over the batch) and runs the cell elementwise. Every buffer is batch-major, (b, t)
 * rows; what backward needs (the activated gates, the state entering each step, LSTM's cell
 * state) is saved per (b, t) row, so the weight gradients are again single products over all
 * n·T rows. Nothing is allocated: the per-step state and scratch are the caller's buffers.
 */
import { hardSigmoid, sigmoid } from './activation-functions.js';
import { gemm, jsProducts, matmul, matmulTransA, matmulTransB, type Products } from './matmul.js';

export type RecurrentCell = 'lstm' | 'gru' | 'simple_rnn';

/**
 * The activations a cell runs, by code: those whose derivative is a function of their output,
 * so backward needs only the saved activated gates.
 */
export const cellActivationNames = ['linear', 'tanh', 'sigmoid', 'relu', 'hard_sigmoid'] as const;
export type CellActivationName = (typeof cellActivationNames)[number];

/** A recurrent layer's sizes and configuration, activations by their index in cellActivationNames. */
export interface RecurrentDims {
  cell: RecurrentCell;
  steps: number;
  in: number;
  units: number;
  returnSequences: boolean;
  goBackwards: boolean;
  /** With returnSequences: step s's output written at T−1−s (see RecurrentAttrs). */
  reverseSequence?: boolean;
  /** GRU: reset after the recurrent product (Keras 3's default) or before it. */
  resetAfter: boolean;
  /**
   * With a mask: the output at a masked step is zero rather than the carried state (Keras 3's
   * zero_output_for_mask, which Bidirectional sets to return_sequences).
   */
  zeroOutputForMask?: boolean;
  activation: number;
  recurrentActivation: number;
}

/** Gate blocks of the kernels: LSTM [i, f, c, o], GRU [z, r, h], SimpleRNN one. */
export function gateCount(cell: RecurrentCell): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/**
 * Values saved per step and unit: LSTM's four gates, GRU's z, r, h̃ and h·U_h + b_h (r∘h with
 * reset_after=False), SimpleRNN's output.
 */
export function savedGateCount(cell: RecurrentCell): number {
  return cell === 'simple_rnn' ? 1 : 4;
}

/** Elements of the bias: GRU with reset_after=True keeps an input and a recurrent bias, (2, 3u). */
export function recurrentBiasSize(cell: RecurrentCell, units: number, resetAfter = true): number {
  return (cell === 'gru' && resetAfter ? 2 : 1) * gateCount(cell) * units;
}

/** f(v) for a cell activation code. */
export function cellActivate(kind: number, v: number): number {
  switch (kind) {
    case 1:
      return Math.tanh(v);
    case 2:
      return sigmoid(v);
    case 3:
      return v > 0 ? v : 0;
    case 4:
      return hardSigmoid(v);
    default:
      return v;
  }
}

/** f′ at the point where f gave y, from y alone. */
export function cellDerivative(kind: number, y: number): number {
  switch (kind) {
    case 1:
      return 1 - y * y;
    case 2:
      return y * (1 - y);
    case 3:
      return y > 0 ? 1 : 0;
    case 4:
      return y > 0 && y < 1 ? 1 / 6 : 0;
    default:
      return 1;
  }
}

/** The forward pass's buffers: inputs, output, saved values and per-step scratch. */
export interface RecurrentForwardBuffers {
  x: Float32Array;
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array | null;
  /** (n, T, u) with return_sequences (steps in processing order, as Keras), else (n, u). */
  y: Float32Array;
  /** (n·T, G·u): x·kernel for every step. */
  xw: Float32Array;
  /** (n, G·u): h·recurrent_kernel of the current step. */
  rec: Float32Array;
  /** (n·T, saved·u): the activated gates of each step. */
  gates: Float32Array;
  /** (n·T, u): the state entering each step. */
  hPrev: Float32Array;
  /** (n, u): the current state. */
  h: Float32Array;
  /** LSTM: (n·T, u) the cell state after each step, and (n, u) the current one. */
  c: Float32Array | null;
  cStep: Float32Array | null;
  /**
   * (n, T): Keras's mask by time index, 0 where a step is masked (padding): the state is carried
   * through it unchanged; null without a mask.
   */
  mask?: Float32Array | null;
  /**
   * recurrent_dropout: (n, G·u) the state's dropout masks, one per gate block (Keras 3's
   * implementation 1 for LSTM and GRU; SimpleRNN's one), the same at every step, and (n, G·u)
   * scratch for the dropped states each block's recurrent product reads.
   */
  stateMask?: Float32Array | null;
  hDropped?: Float32Array | null;
  /**
   * dropout with recurrent_dropout (LSTM, GRU: implementation 1): (n, G·in) one mask on the
   * inputs per gate block, and (n·T, G·in) the dropped inputs each block's projection reads
   * (kept for backward).
   */
  inputMask?: Float32Array | null;
  xDropped?: Float32Array | null;
}

/**
 * The cell steps a backend runs itself (the wasm backend's SIMD gate math over its memory), beside
 * its products; recurrentForward and recurrentBackward run the JavaScript step for any it leaves
 * out. Same arguments as lstmStep, lstmStepBackward, gruStep, gruStepBackward, simpleStep and
 * simpleStepBackward.
 */
export interface CellSteps {
  lstm?: (d: RecurrentDims, f: RecurrentForwardBuffers, n: number, t: number) => void;
  lstmBackward?: (
    d: RecurrentDims,
    g: RecurrentBackwardBuffers,
    n: number,
    s: number,
    t: number,
  ) => void;
  gru?: (d: RecurrentDims, f: RecurrentForwardBuffers, n: number, t: number) => void;
  gruBackward?: (d: RecurrentDims, g: RecurrentBackwardBuffers, n: number, t: number) => void;
  simple?: (d: RecurrentDims, f: RecurrentForwardBuffers, n: number, t: number) => void;
  simpleBackward?: (d: RecurrentDims, g: RecurrentBackwardBuffers, n: number, t: number) => void;
  /** GRU reset_after=False's U_h gradient after the loop, as addCandidateKernelGrad. */
  gruCandidateKernelGrad?: (g: RecurrentBackwardBuffers, rows: number, U: number) => void;
}

/** The time index step s reads: s, or T−1−s with go_backwards. */
function timeOf(d: RecurrentDims, s: number): number {
  return d.goBackwards ? d.steps - 1 - s : s;
}

/**
 * `p`: the products for the input projection and each step's recurrent one (JavaScript's by
 * default), and the backend's own cell steps, if any.
 */
export function recurrentForward(
  d: RecurrentDims,
  f: RecurrentForwardBuffers,
  n: number,
  p: Products & CellSteps = jsProducts,
): void {
  const { steps: T, in: I, units: U } = d;
  const GU = gateCount(d.cell) * U;
  if (f.inputMask) {
    dropRows(f.x, f.inputMask, f.xDropped!, n, T, I, (GU / U) * I);
    blockProducts(f.xDropped!, f.kernel, f.xw, n * T, I, U, GU);
  } else p.matmul(f.x, f.kernel, f.xw, n * T, I, GU, false);
  f.h.fill(0, 0, n * U);
  if (f.cStep) f.cStep.fill(0, 0, n * U);
  for (let s = 0; s < T; s++) {
    const t = timeOf(d, s);
    for (let b = 0; b < n; b++) {
      const src = b * U;
      const dst = (b * T + t) * U;
      for (let j = 0; j < U; j++) f.hPrev[dst + j] = f.h[src + j]!;
    }
    // The state starts at zero: its product is exactly zero.
    if (s === 0) f.rec.fill(0, 0, n * GU);
    else if (f.stateMask)
      droppedProduct(f.h, f.stateMask, f.hDropped!, f.recurrentKernel, f.rec, n, U, GU);
    else p.matmul(f.h, f.recurrentKernel, f.rec, n, U, GU, false);
    if (d.cell === 'lstm') (p.lstm ?? lstmStep)(d, f, n, t);
    else if (d.cell === 'gru') (p.gru ?? gruStep)(d, f, n, t);
    else (p.simple ?? simpleStep)(d, f, n, t);
    if (f.mask) carryMaskedState(d, f, n, s, t);
    if (d.returnSequences) {
      const zero = f.mask && d.zeroOutputForMask ? f.mask : null;
      for (let b = 0; b < n; b++) {
        const src = b * U;
        const dst = (b * T + (d.reverseSequence ? T - 1 - s : s)) * U;
        if (zero && zero[b * T + t] === 0) f.y.fill(0, dst, dst + U);
        else for (let j = 0; j < U; j++) f.y[dst + j] = f.h[src + j]!;
      }
    }
  }
  if (!d.returnSequences) for (let i = 0; i < n * U; i++) f.y[i] = f.h[i]!;
}

/**
 * recurrent_dropout's product: h_tm1 * rec_dp_mask[g] times gate block g of the recurrent kernel
 * (Keras's SimpleRNNCell, and LSTMCell/GRUCell in implementation 1, whose h_tm1_i … each read
 * their own mask). One block is one blocked product; several are a product per block over its
 * columns, as the blocks' left factors differ.
 */
function droppedProduct(
  h: Float32Array,
  mask: Float32Array,
  dropped: Float32Array,
  rk: Float32Array,
  rec: Float32Array,
  n: number,
  U: number,
  GU: number,
): void {
  for (let b = 0, p = 0; b < n; b++)
    for (let g = 0; g < GU; g += U)
      for (let k = 0; k < U; k++, p++) dropped[p] = h[b * U + k]! * mask[p]!;
  if (GU === U) return matmul(dropped, rk, rec, n, U, GU, false);
  blockProducts(dropped, rk, rec, n, U, U, GU);
}

/**
 * out[r, gU+j] = Σ_k a[r, gK+k]·w[k, gU+j] for every gate block g: each block's own left factor,
 * a:(rows, G·K), w:(K, G·U).
 */
function blockProducts(
  a: Float32Array,
  w: Float32Array,
  out: Float32Array,
  rows: number,
  K: number,
  U: number,
  GU: number,
): void {
  const GK = (GU / U) * K;
  // Block g: out[:, gU…] = a[:, gK…] (rows × K, row stride GK) · w[:, gU…] (K × U, row stride GU).
  for (let g = 0, gk = 0; g < GU; g += U, gk += K)
    gemm(a, gk, GK, 1, w, g, GU, 1, out, g, GU, rows, K, U, false);
}

/**
 * Keras 3's backend.rnn at a masked step: the new state is the previous one (h from h_prev, and
 * LSTM's cell state from the step before, zero at the first). The cell ran for every row; its
 * gates at a masked row are finite and unread, as backward zeroes that row's gradients.
 */
function carryMaskedState(
  d: RecurrentDims,
  f: RecurrentForwardBuffers,
  n: number,
  s: number,
  t: number,
): void {
  const { steps: T, units: U } = d;
  const mask = f.mask!;
  const tPrev = d.goBackwards ? t + 1 : t - 1;
  for (let b = 0; b < n; b++) {
    if (mask[b * T + t] !== 0) continue;
    const so = (b * T + t) * U;
    for (let j = 0; j < U; j++) f.h[b * U + j] = f.hPrev[so + j]!;
    if (!f.c) continue;
    const po = (b * T + tPrev) * U;
    for (let j = 0; j < U; j++) {
      const cv = s > 0 ? f.c[po + j]! : 0;
      f.cStep![b * U + j] = cv;
      f.c[so + j] = cv;
    }
  }
}

/** Keras 3's LSTMCell: z = x·W + h·U + b in blocks [i, f, c, o]; c′ = f·c + i·act(z_c); h′ = o·act(c′). */
export function lstmStep(d: RecurrentDims, f: RecurrentForwardBuffers, n: number, t: number): void {
  const { steps: T, units: U, activation: act, recurrentActivation: ract } = d;
  const { xw, rec, bias, gates, h, c, cStep } = f;
  const GU = 4 * U;
  for (let b = 0; b < n; b++) {
    const xo = (b * T + t) * GU;
    const ro = b * GU;
    const so = (b * T + t) * U;
    for (let j = 0; j < U; j++) {
      let zi = xw[xo + j]! + rec[ro + j]!;
      let zf = xw[xo + U + j]! + rec[ro + U + j]!;
      let zc = xw[xo + 2 * U + j]! + rec[ro + 2 * U + j]!;
      let zo = xw[xo + 3 * U + j]! + rec[ro + 3 * U + j]!;
      if (bias) {
        zi += bias[j]!;
        zf += bias[U + j]!;
        zc += bias[2 * U + j]!;
        zo += bias[3 * U + j]!;
      }
      const i = Math.fround(cellActivate(ract, zi));
      const fg = Math.fround(cellActivate(ract, zf));
      const g = Math.fround(cellActivate(act, zc));
      const o = Math.fround(cellActivate(ract, zo));
      const cv = Math.fround(fg * cStep![b * U + j]! + i * g);
      gates[xo + j] = i;
      gates[xo + U + j] = fg;
      gates[xo + 2 * U + j] = g;
      gates[xo + 3 * U + j] = o;
      cStep![b * U + j] = cv;
      c![so + j] = cv;
      h[b * U + j] = o * cellActivate(act, cv);
    }
  }
}

/**
 * Keras 3's GRUCell with reset_after=True: x·W + b_in and h·U + b_rec in blocks [z, r, h];
 * z, r = σ(x_z + r_z), σ(x_r + r_r); h̃ = act(x_h + r·r_h); h′ = z·h + (1 − z)·h̃.
 */
export function gruStep(d: RecurrentDims, f: RecurrentForwardBuffers, n: number, t: number): void {
  if (!d.resetAfter) return gruResetBeforeStep(d, f, n, t);
  const { steps: T, units: U, activation: act, recurrentActivation: ract } = d;
  const { xw, rec, bias, gates, h } = f;
  const GU = 3 * U;
  for (let b = 0; b < n; b++) {
    const xo = (b * T + t) * GU;
    const ro = b * GU;
    const go = (b * T + t) * 4 * U;
    for (let j = 0; j < U; j++) {
      let xz = xw[xo + j]!;
      let xr = xw[xo + U + j]!;
      let xh = xw[xo + 2 * U + j]!;
      let rz = rec[ro + j]!;
      let rr = rec[ro + U + j]!;
      let rh = rec[ro + 2 * U + j]!;
      if (bias) {
        xz += bias[j]!;
        xr += bias[U + j]!;
        xh += bias[2 * U + j]!;
        rz += bias[GU + j]!;
        rr += bias[GU + U + j]!;
        rh += bias[GU + 2 * U + j]!;
      }
      const z = Math.fround(cellActivate(ract, xz + rz));
      const r = Math.fround(cellActivate(ract, xr + rr));
      const hh = Math.fround(cellActivate(act, xh + r * rh));
      gates[go + j] = z;
      gates[go + U + j] = r;
      gates[go + 2 * U + j] = hh;
      gates[go + 3 * U + j] = rh;
      h[b * U + j] = z * h[b * U + j]! + (1 - z) * hh;
    }
  }
}

/**
 * Keras 3's GRUCell with reset_after=False: z and r as above (one bias), then
 * h̃ = act(x_h + b_h + (r∘h)·U_h); the product of h's own block of U is left unused.
 */
function gruResetBeforeStep(
  d: RecurrentDims,
  f: RecurrentForwardBuffers,
  n: number,
  t: number,
): void {
  const { steps: T, units: U, activation: act, recurrentActivation: ract } = d;
  const { xw, rec, bias, gates, h, recurrentKernel: rk } = f;
  const GU = 3 * U;
  const drop = f.stateMask ?? null;
  for (let b = 0; b < n; b++) {
    const xo = (b * T + t) * GU;
    const ro = b * GU;
    const go = (b * T + t) * 4 * U;
    for (let j = 0; j < U; j++) {
      const xz = bias ? xw[xo + j]! + bias[j]! : xw[xo + j]!;
      const xr = bias ? xw[xo + U + j]! + bias[U + j]! : xw[xo + U + j]!;
      const z = Math.fround(cellActivate(ract, xz + rec[ro + j]!));
      const r = Math.fround(cellActivate(ract, xr + rec[ro + U + j]!));
      gates[go + j] = z;
      gates[go + U + j] = r;
      // recurrent_dropout: the reset gate multiplies h_tm1_h, the state under the third mask.
      const hh = drop ? h[b * U + j]! * drop[ro + 2 * U + j]! : h[b * U + j]!;
      gates[go + 3 * U + j] = r * hh;
    }
    for (let j = 0; j < U; j++) {
      let s = 0;
      for (let k = 0; k < U; k++) s += gates[go + 3 * U + k]! * rk[k * GU + 2 * U + j]!;
      const xh = bias ? xw[xo + 2 * U + j]! + bias[2 * U + j]! : xw[xo + 2 * U + j]!;
      const hh = Math.fround(cellActivate(act, xh + s));
      const z = gates[go + j]!;
      gates[go + 2 * U + j] = hh;
      h[b * U + j] = z * h[b * U + j]! + (1 - z) * hh;
    }
  }
}

/** Keras 3's SimpleRNNCell: h′ = act(x·W + b + h·U). */
export function simpleStep(
  d: RecurrentDims,
  f: RecurrentForwardBuffers,
  n: number,
  t: number,
): void {
  const { steps: T, units: U, activation: act } = d;
  const { xw, rec, bias, gates, h } = f;
  for (let b = 0; b < n; b++) {
    const xo = (b * T + t) * U;
    for (let j = 0; j < U; j++) {
      const pre = (bias ? xw[xo + j]! + bias[j]! : xw[xo + j]!) + rec[b * U + j]!;
      const v = Math.fround(cellActivate(act, pre));
      gates[xo + j] = v;
      h[b * U + j] = v;
    }
  }
}

/** The backward pass's buffers: what forward saved, dy, the gradients and per-step scratch. */
export interface RecurrentBackwardBuffers {
  x: Float32Array;
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  gates: Float32Array;
  hPrev: Float32Array;
  c: Float32Array | null;
  /** The output's gradient; null when only the final states get one (return_state). */
  dy: Float32Array | null;
  /**
   * (n, u): the gradients of the final state h_T and LSTM's c_T when the layer returns them
   * (return_state): they start the carried gradients at the last step; null: zero.
   */
  dhFinal: Float32Array | null;
  dcFinal: Float32Array | null;
  dx: Float32Array | null;
  dKernel: Float32Array | null;
  dRecurrentKernel: Float32Array | null;
  dBias: Float32Array | null;
  /** (n·T, G·u): the gradient of each step's pre-activations, input side. */
  dGates: Float32Array;
  /** GRU: (n·T, G·u) the recurrent side (r·dh̃ for the candidate); the others use dGates. */
  dRec: Float32Array | null;
  /** (n, G·u): the current step's recurrent-side gradient. */
  dStep: Float32Array;
  /** (n, u): the gradient reaching the state, and LSTM's cell state. */
  dh: Float32Array;
  dc: Float32Array | null;
  /** (n, T): the forward's mask, or null. */
  mask?: Float32Array | null;
  /** With a mask: (n, u), LSTM (n, 2u): a masked row's dh (and dc) kept across its step. */
  carry?: Float32Array | null;
  /** recurrent_dropout: the forward's state masks (n, G·u), and (n·T, G·u) scratch for h_prev dropped. */
  stateMask?: Float32Array | null;
  hPrevDropped?: Float32Array | null;
  /** Implementation 1's input masks (n, G·in) and the forward's dropped inputs (n·T, G·in). */
  inputMask?: Float32Array | null;
  xDropped?: Float32Array | null;
}

/**
 * `p`: the products of the state's gradient and the weights' (JavaScript's by default), and the
 * backend's own cell steps, if any.
 */
export function recurrentBackward(
  d: RecurrentDims,
  g: RecurrentBackwardBuffers,
  n: number,
  p: Products & CellSteps = jsProducts,
): void {
  const { steps: T, in: I, units: U } = d;
  const GU = gateCount(d.cell) * U;
  startCarry(g.dh, g.dhFinal, n * U);
  if (g.dc) startCarry(g.dc, g.dcFinal, n * U);
  const dy = g.dy;
  const mask = g.mask ?? null;
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOf(d, s);
    if (dy && d.returnSequences) {
      // A zeroed output (zero_output_for_mask) does not depend on the state: no gradient.
      const zero = mask && d.zeroOutputForMask ? mask : null;
      for (let b = 0; b < n; b++) {
        if (zero && zero[b * T + t] === 0) continue;
        const src = (b * T + (d.reverseSequence ? T - 1 - s : s)) * U;
        for (let j = 0; j < U; j++) g.dh[b * U + j] = g.dh[b * U + j]! + dy[src + j]!;
      }
    } else if (dy && s === T - 1) {
      for (let i = 0; i < n * U; i++) g.dh[i] = g.dh[i]! + dy[i]!;
    }
    if (mask) keepMaskedGradients(d, g, n, t, 'save');
    if (d.cell === 'lstm') (p.lstmBackward ?? lstmStepBackward)(d, g, n, s, t);
    else if (d.cell === 'gru') (p.gruBackward ?? gruStepBackward)(d, g, n, t);
    else (p.simpleBackward ?? simpleStepBackward)(d, g, n, t);
    if (mask) clearMaskedGates(d, g, n, t);
    // The state entering the first step is the zero state: nothing flows further back.
    if (s > 0) {
      if (g.stateMask && GU > U) {
        const { dStep, recurrentKernel: rk, stateMask, dh } = g;
        // h_prev_dropped is written after the steps: until then it holds the blocks' products.
        maskedStateGradient(dStep, rk, stateMask, dh, g.hPrevDropped!, n, U, GU, d.cell === 'gru');
      } else {
        p.matmulTransB(g.dStep, g.recurrentKernel, g.dh, n, GU, U, d.cell === 'gru');
        // SimpleRNN's recurrent_dropout: the product read the dropped state (dh has no other term).
        if (g.stateMask) for (let i = 0; i < n * U; i++) g.dh[i] = g.dh[i]! * g.stateMask[i]!;
      }
    }
    if (mask) keepMaskedGradients(d, g, n, t, 'restore');
  }
  const rows = n * T;
  const inputMask = g.inputMask ?? null;
  if (g.dKernel) {
    if (inputMask) blockGradients(g.xDropped!, g.dGates, g.dKernel, rows, I, U, GU);
    else p.matmulTransA(g.x, g.dGates, g.dKernel, I, rows, GU, false);
  }
  if (g.dRecurrentKernel) {
    const dRec = g.dRec ?? g.dGates;
    // The states each block's product read: h_prev of every (b, t) row times the block's mask.
    if (g.stateMask) dropRows(g.hPrev, g.stateMask, g.hPrevDropped!, n, T, U, GU);
    if (g.stateMask && GU > U)
      blockGradients(g.hPrevDropped!, dRec, g.dRecurrentKernel, rows, U, U, GU);
    else {
      const hPrev = g.stateMask ? g.hPrevDropped! : g.hPrev;
      p.matmulTransA(hPrev, dRec, g.dRecurrentKernel, U, rows, GU, false);
    }
    if (d.cell === 'gru' && !d.resetAfter)
      (p.gruCandidateKernelGrad ?? addCandidateKernelGrad)(g, rows, U);
  }
  if (g.dBias) {
    columnSums(g.dGates, g.dBias, 0, rows, GU);
    if (g.dRec && d.resetAfter) columnSums(g.dRec, g.dBias, GU, rows, GU);
  }
  if (g.dx) {
    if (inputMask)
      maskedBlockGradient(g.dGates, g.kernel, inputMask, g.dx, rows, T, I, U, GU, false);
    else p.matmulTransB(g.dGates, g.kernel, g.dx, rows, GU, I, false);
  }
}

/**
 * The state's gradient through recurrent_dropout's per-gate masks: dh[b, k] (+)= Σ_g mask[b, gU+k]·
 * P_g[b, k], where P_g = dStep[:, gU…] · rk[:, gU…]ᵀ is one blocked product per gate block into
 * `scratch` (G·n·U floats); GRU accumulates onto its direct terms.
 */
function maskedStateGradient(
  dStep: Float32Array,
  rk: Float32Array,
  mask: Float32Array,
  dh: Float32Array,
  scratch: Float32Array,
  n: number,
  U: number,
  GU: number,
  accumulate: boolean,
): void {
  const nU = n * U;
  for (let g = 0, p = 0; g < GU; g += U, p += nU)
    gemm(dStep, g, GU, 1, rk, g, 1, GU, scratch, p, U, n, U, U, false);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < U; k++) {
      let sum = accumulate ? dh[b * U + k]! : 0;
      for (let g = 0, p = 0; g < GU; g += U, p += nU)
        sum += scratch[p + b * U + k]! * mask[b * GU + g + k]!;
      dh[b * U + k] = sum;
    }
}

/** The carried gradient before the last step: the final state's own gradient, or zero. */
function startCarry(carry: Float32Array, final: Float32Array | null, size: number): void {
  if (final) for (let i = 0; i < size; i++) carry[i] = final[i]!;
  else carry.fill(0, 0, size);
}

/**
 * The gradient of a left factor dropped per gate block: out[r, k] (+)= Σ_g mask[r ÷ per, gK+k]·
 * Σ_j d[r, gU+j]·w[k, gU+j], for rows of d:(rows, G·U), w:(K, G·U) and masks by sample
 * (per = rows per sample). The state's gradient (per 1, K = U; GRU accumulates onto its direct
 * terms) and the inputs' (per T, K = in).
 */
function maskedBlockGradient(
  d: Float32Array,
  w: Float32Array,
  mask: Float32Array,
  out: Float32Array,
  rows: number,
  per: number,
  K: number,
  U: number,
  GU: number,
  accumulate: boolean,
): void {
  const GK = (GU / U) * K;
  for (let r = 0; r < rows; r++) {
    const mo = Math.floor(r / per) * GK;
    for (let k = 0; k < K; k++) {
      let sum = accumulate ? out[r * K + k]! : 0;
      for (let g = 0, gk = 0; g < GU; g += U, gk += K) {
        let s = 0;
        for (let j = 0; j < U; j++) s += d[r * GU + g + j]! * w[k * GU + g + j]!;
        sum += s * mask[mo + gk + k]!;
      }
      out[r * K + k] = sum;
    }
  }
}

/**
 * out[k, gU+j] = Σ_r a[r, gK+k]·d[r, gU+j] per gate block g: a kernel's gradient from each
 * block's own dropped left factor, a:(rows, G·K), out:(K, G·U).
 */
function blockGradients(
  a: Float32Array,
  d: Float32Array,
  out: Float32Array,
  rows: number,
  K: number,
  U: number,
  GU: number,
): void {
  const GK = (GU / U) * K;
  // Block g: out[:, gU…] = a[:, gK…]ᵀ (K × rows) · d[:, gU…] (rows × U).
  for (let g = 0, gk = 0; g < GU; g += U, gk += K)
    gemm(a, gk, 1, GK, d, g, GU, 1, out, g, GU, K, rows, U, false);
}

/**
 * x of every (b, t) row times each gate block's mask (n, G·I), into out (n·T, G·I): implementation
 * 1's inputs_i = inputs * dp_mask[0] …, and the dropped states backward reads.
 */
function dropRows(
  x: Float32Array,
  mask: Float32Array,
  out: Float32Array,
  n: number,
  T: number,
  I: number,
  GI: number,
): void {
  for (let b = 0, p = 0; b < n; b++)
    for (let t = 0; t < T; t++)
      for (let m = 0; m < GI; m++, p++) out[p] = x[(b * T + t) * I + (m % I)]! * mask[b * GI + m]!;
}

/**
 * A masked step passes the state's gradient (and LSTM's cell state's) to the step before
 * unchanged: saved into `carry` before the cell's backward, restored after the carry product.
 */
function keepMaskedGradients(
  d: RecurrentDims,
  g: RecurrentBackwardBuffers,
  n: number,
  t: number,
  way: 'save' | 'restore',
): void {
  const { steps: T, units: U } = d;
  const mask = g.mask!;
  const carry = g.carry!;
  const width = g.dc ? 2 * U : U;
  for (let b = 0; b < n; b++) {
    if (mask[b * T + t] !== 0) continue;
    const o = b * width;
    if (way === 'save') {
      for (let j = 0; j < U; j++) carry[o + j] = g.dh[b * U + j]!;
      if (g.dc) for (let j = 0; j < U; j++) carry[o + U + j] = g.dc[b * U + j]!;
    } else {
      for (let j = 0; j < U; j++) g.dh[b * U + j] = carry[o + j]!;
      if (g.dc) for (let j = 0; j < U; j++) g.dc[b * U + j] = carry[o + U + j]!;
    }
  }
}

/** A masked step's gates had no effect: their gradients (input and recurrent side) are zero. */
function clearMaskedGates(d: RecurrentDims, g: RecurrentBackwardBuffers, n: number, t: number) {
  const { steps: T } = d;
  const GU = gateCount(d.cell) * d.units;
  const mask = g.mask!;
  for (let b = 0; b < n; b++) {
    if (mask[b * T + t] !== 0) continue;
    const o = (b * T + t) * GU;
    g.dGates.fill(0, o, o + GU);
    if (g.dRec) g.dRec.fill(0, o, o + GU);
  }
}

/**
 * GRU with reset_after=False: U_h's gradient is (r∘h)ᵀ·dh̃ over every (b, t) row, added to the
 * h block of dRecurrentKernel (where dRec's zeros left nothing): one strided product, r∘h read
 * transposed from the saved gates' fourth block, dh̃ from dGates' third.
 */
export function addCandidateKernelGrad(g: RecurrentBackwardBuffers, rows: number, U: number): void {
  const GU = 3 * U;
  const d = g.dRecurrentKernel!;
  gemm(g.gates, 3 * U, 1, 4 * U, g.dGates, 2 * U, GU, 1, d, 2 * U, GU, U, rows, U, true);
}

/** out[offset + c] = Σ_r m[r, c] over m:(rows, cols); out is overwritten there. */
function columnSums(
  m: Float32Array,
  out: Float32Array,
  offset: number,
  rows: number,
  cols: number,
): void {
  out.fill(0, offset, offset + cols);
  for (let r = 0, p = 0; r < rows; r++)
    for (let c = 0; c < cols; c++, p++) out[offset + c] = out[offset + c]! + m[p]!;
}

/** Keras 3's LSTMCell backward at time index t (step s of the sequence). */
export function lstmStepBackward(
  d: RecurrentDims,
  g: RecurrentBackwardBuffers,
  n: number,
  s: number,
  t: number,
): void {
  const { steps: T, units: U, activation: act, recurrentActivation: ract } = d;
  const { gates, dGates, dStep, dh } = g;
  const c = g.c!;
  const dc = g.dc!;
  const GU = 4 * U;
  const tPrev = d.goBackwards ? t + 1 : t - 1;
  for (let b = 0; b < n; b++) {
    const go = (b * T + t) * GU;
    const so = (b * T + t) * U;
    const po = (b * T + tPrev) * U;
    const ds = b * GU;
    for (let j = 0; j < U; j++) {
      const i = gates[go + j]!;
      const f = gates[go + U + j]!;
      const gc = gates[go + 2 * U + j]!;
      const o = gates[go + 3 * U + j]!;
      const cv = c[so + j]!;
      const cp = s > 0 ? c[po + j]! : 0;
      const a = cellActivate(act, cv);
      const dhv = dh[b * U + j]!;
      const dct = dc[b * U + j]! + dhv * o * cellDerivative(act, a);
      dc[b * U + j] = dct * f;
      const di = Math.fround(dct * gc * cellDerivative(ract, i));
      const df = Math.fround(dct * cp * cellDerivative(ract, f));
      const dg = Math.fround(dct * i * cellDerivative(act, gc));
      const dO = Math.fround(dhv * a * cellDerivative(ract, o));
      dGates[go + j] = dStep[ds + j] = di;
      dGates[go + U + j] = dStep[ds + U + j] = df;
      dGates[go + 2 * U + j] = dStep[ds + 2 * U + j] = dg;
      dGates[go + 3 * U + j] = dStep[ds + 3 * U + j] = dO;
    }
  }
}

/** Keras 3's GRUCell backward at time index t. */
export function gruStepBackward(
  d: RecurrentDims,
  g: RecurrentBackwardBuffers,
  n: number,
  t: number,
): void {
  if (!d.resetAfter) return gruResetBeforeStepBackward(d, g, n, t);
  const { steps: T, units: U, activation: act, recurrentActivation: ract } = d;
  const { gates, hPrev, dGates, dStep, dh } = g;
  const dRec = g.dRec!;
  const GU = 3 * U;
  for (let b = 0; b < n; b++) {
    const go = (b * T + t) * 4 * U;
    const xo = (b * T + t) * GU;
    const ds = b * GU;
    for (let j = 0; j < U; j++) {
      const z = gates[go + j]!;
      const r = gates[go + U + j]!;
      const hh = gates[go + 2 * U + j]!;
      const rh = gates[go + 3 * U + j]!;
      const hp = hPrev[(b * T + t) * U + j]!;
      const dhv = dh[b * U + j]!;
      const dHH = Math.fround(dhv * (1 - z) * cellDerivative(act, hh));
      const dZ = Math.fround(dhv * (hp - hh) * cellDerivative(ract, z));
      const dR = Math.fround(dHH * rh * cellDerivative(ract, r));
      const dRH = Math.fround(dHH * r);
      dGates[xo + j] = dStep[ds + j] = dRec[xo + j] = dZ;
      dGates[xo + U + j] = dStep[ds + U + j] = dRec[xo + U + j] = dR;
      dGates[xo + 2 * U + j] = dHH;
      dStep[ds + 2 * U + j] = dRec[xo + 2 * U + j] = dRH;
      dh[b * U + j] = dhv * z;
    }
  }
}

/**
 * reset_after=False: d(r∘h) = dh̃·U_hᵀ gives r's gradient and a direct part of h's; the h block
 * of the recurrent side is zero (U_h's gradient is added after the loop from r∘h).
 */
function gruResetBeforeStepBackward(
  d: RecurrentDims,
  g: RecurrentBackwardBuffers,
  n: number,
  t: number,
): void {
  const { steps: T, units: U, activation: act, recurrentActivation: ract } = d;
  const { gates, hPrev, dGates, dStep, dh, recurrentKernel: rk } = g;
  const dRec = g.dRec!;
  const GU = 3 * U;
  const drop = g.stateMask ?? null;
  for (let b = 0; b < n; b++) {
    const go = (b * T + t) * 4 * U;
    const xo = (b * T + t) * GU;
    const ds = b * GU;
    for (let j = 0; j < U; j++) {
      const z = gates[go + j]!;
      const hh = gates[go + 2 * U + j]!;
      const hp = hPrev[(b * T + t) * U + j]!;
      const dhv = dh[b * U + j]!;
      const dHH = Math.fround(dhv * (1 - z) * cellDerivative(act, hh));
      const dZ = Math.fround(dhv * (hp - hh) * cellDerivative(ract, z));
      dGates[xo + j] = dStep[ds + j] = dRec[xo + j] = dZ;
      dGates[xo + 2 * U + j] = dHH;
      dStep[ds + 2 * U + j] = dRec[xo + 2 * U + j] = 0;
    }
    for (let k = 0; k < U; k++) {
      let s = 0;
      for (let j = 0; j < U; j++) s += dGates[xo + 2 * U + j]! * rk[k * GU + 2 * U + j]!;
      const r = gates[go + U + k]!;
      // recurrent_dropout: r multiplied h_tm1_h, the state under the third mask.
      const m = drop ? drop[ds + 2 * U + k]! : 1;
      const hp = hPrev[(b * T + t) * U + k]! * m;
      const dR = Math.fround(s * hp * cellDerivative(ract, r));
      dGates[xo + U + k] = dStep[ds + U + k] = dRec[xo + U + k] = dR;
      dh[b * U + k] = dh[b * U + k]! * gates[go + k]! + s * r * m;
    }
  }
}

/** Keras 3's SimpleRNNCell backward at time index t: dh·act′ into dGates and dStep. */
export function simpleStepBackward(
  d: RecurrentDims,
  g: RecurrentBackwardBuffers,
  n: number,
  t: number,
): void {
  const { steps: T, units: U, activation: act } = d;
  const { gates, dGates, dStep, dh } = g;
  for (let b = 0; b < n; b++) {
    const go = (b * T + t) * U;
    for (let j = 0; j < U; j++) {
      const v = Math.fround(dh[b * U + j]! * cellDerivative(act, gates[go + j]!));
      dGates[go + j] = v;
      dStep[b * U + j] = v;
    }
  }
}
