/**
 * The recurrent kernels' test cases (every cell, with and without bias, masks, dropouts,
 * return_sequences, go_backwards, each cell activation) and a runner for one case's forward and
 * backward: test/kernels/recurrent.test.ts checks them against the float64 twin and finite
 * differences, test/backends/wasm-cells.test.ts the wasm cell steps against the JavaScript ones.
 */
import { spatialDropoutBackward } from '../../src/kernels/dropout.js';
import { jsProducts, type Products } from '../../src/kernels/matmul.js';
import type { Rng } from '../../src/kernels/random.js';
import {
  cellActivationNames,
  gateCount,
  recurrentBackward,
  recurrentBiasSize,
  recurrentForward,
  savedGateCount,
  type CellSteps,
  type RecurrentCell,
} from '../../src/kernels/recurrent.js';
import { randomArray } from './naive.js';
import type { NaiveCellActivation, NaiveRecurrentConfig } from './naive-recurrent.js';

export interface Case extends NaiveRecurrentConfig {
  bias: boolean;
  /** return_state: the final states get gradients of their own (dhFinal, dcFinal). */
  states?: boolean;
  /** With states: the output gets no gradient (only a state is read downstream). */
  noOutputGradient?: boolean;
  /** A fixed dropout mask on the inputs, (n, in), the same at every step (as the layer's dropout). */
  inputDropout?: number[];
}

/** x with the dropout mask of each sample and feature applied at every step (or x itself). */
export function dropInputs<X extends ArrayLike<number>>(c: Case, x: X): X | Float64Array {
  const { steps: T, in: I } = c;
  const mask = c.inputDropout;
  if (!mask) return x;
  return Float64Array.from(x, (v, p) => v * mask[Math.floor(p / (T * I)) * I + (p % I)]!);
}

/**
 * Runs a case's forward and backward on random weights and returns its inputs, output and
 * gradients. `place` puts each buffer where the kernels read it (by default where it is; the wasm
 * backend's test copies them into its memory) and `products` are the products and cell steps the
 * kernels run (JavaScript's by default).
 */
export function run(
  c: Case,
  rng: Rng,
  place: (a: Float32Array) => Float32Array = (a) => a,
  products: Products & CellSteps = jsProducts,
) {
  const { n, steps: T, in: I, units: U, cell } = c;
  const GU = gateCount(cell) * U;
  const x = randomArray(rng, n * T * I, -1, 1);
  const kernel = place(randomArray(rng, I * GU, -0.6, 0.6));
  const recurrent = place(randomArray(rng, U * GU, -0.6, 0.6));
  const bias = c.bias
    ? place(randomArray(rng, recurrentBiasSize(cell, U, c.resetAfter), -0.5, 0.5))
    : null;
  const ySize = n * (c.returnSequences ? T : 1) * U;
  const lstm = cell === 'lstm';
  const dims = {
    ...c,
    activation: cellActivationNames.indexOf(c.activation),
    recurrentActivation: cellActivationNames.indexOf(c.recurrentActivation),
  };
  const saved = {
    y: place(new Float32Array(ySize)),
    xw: place(new Float32Array(n * T * GU)),
    rec: place(new Float32Array(n * GU)),
    gates: place(new Float32Array(n * T * savedGateCount(cell) * U)),
    hPrev: place(new Float32Array(n * T * U)),
    h: place(new Float32Array(n * U)),
    c: lstm ? place(new Float32Array(n * T * U)) : null,
    cStep: lstm ? place(new Float32Array(n * U)) : null,
  };
  const mask = c.mask ? place(Float32Array.from(c.mask)) : null;
  const stateMask = c.stateDropout ? place(Float32Array.from(c.stateDropout)) : null;
  const inputMask = c.gateInputDropout ? place(Float32Array.from(c.gateInputDropout)) : null;
  const xDropped = inputMask ? place(new Float32Array(n * T * (GU / U) * I).fill(99)) : null;
  const stateDropout = {
    stateMask,
    hDropped: stateMask ? place(new Float32Array(n * GU).fill(99)) : null,
    inputMask,
    xDropped,
  };
  // The step reads the dropped inputs; their gradient is masked again on the way back.
  const xd = place(Float32Array.from(dropInputs(c, x)));
  recurrentForward(
    dims,
    { x: xd, kernel, recurrentKernel: recurrent, bias, ...saved, mask, ...stateDropout },
    n,
    products,
  );
  // The weights of the finite differences: the output's, then each final state's (return_state).
  const stateCount = c.states ? (lstm ? 2 : 1) : 0;
  const dy = randomArray(rng, ySize + stateCount * n * U);
  if (c.noOutputGradient) dy.fill(0, 0, ySize);
  const dFinal = (k: number) => (k < stateCount ? dy.subarray(ySize + k * n * U) : null);
  const grads = {
    dx: place(new Float32Array(x.length).fill(99)),
    dKernel: place(new Float32Array(kernel.length).fill(99)),
    dRecurrentKernel: place(new Float32Array(recurrent.length).fill(99)),
    dBias: bias ? place(new Float32Array(bias.length).fill(99)) : null,
  };
  recurrentBackward(
    dims,
    {
      x: xd,
      kernel,
      recurrentKernel: recurrent,
      gates: saved.gates,
      hPrev: saved.hPrev,
      c: saved.c,
      dy: c.noOutputGradient ? null : dy.subarray(0, ySize),
      dhFinal: dFinal(0),
      dcFinal: dFinal(1),
      ...grads,
      dGates: place(new Float32Array(n * T * GU)),
      dRec: cell === 'gru' ? place(new Float32Array(n * T * GU)) : null,
      dStep: place(new Float32Array(n * GU)),
      dh: place(new Float32Array(n * U)),
      dc: lstm ? place(new Float32Array(n * U)) : null,
      mask,
      carry: mask ? place(new Float32Array(n * (lstm ? 2 : 1) * U).fill(99)) : null,
      stateMask,
      hPrevDropped: stateMask ? place(new Float32Array(n * T * GU).fill(99)) : null,
      inputMask,
      xDropped,
    },
    n,
    products,
  );
  if (c.inputDropout) {
    const dxd = Float32Array.from(grads.dx);
    spatialDropoutBackward(dxd, Float32Array.from(c.inputDropout), grads.dx, n, T, I);
  }
  const y = new Float32Array(ySize + stateCount * n * U);
  y.set(saved.y);
  if (stateCount > 0) y.set(saved.h, ySize);
  if (stateCount > 1) y.set(saved.cStep!, ySize + n * U);
  return { x, kernel, recurrent, bias, dy, y, ...grads };
}

const cellKinds: RecurrentCell[] = ['lstm', 'gru', 'simple_rnn'];
const base = { n: 3, steps: 4, in: 3, units: 5 };

/** Every cell with and without bias, masks, dropouts, return_sequences, go_backwards, each activation. */
export function cases(): [string, Case][] {
  const out: [string, Case][] = [];
  for (const cell of cellKinds) {
    const simple = cell === 'simple_rnn';
    const c = {
      ...base,
      cell,
      bias: true,
      returnSequences: false,
      goBackwards: false,
      resetAfter: true,
      activation: 'tanh' as NaiveCellActivation,
      recurrentActivation: (simple ? 'tanh' : 'sigmoid') as NaiveCellActivation,
    };
    out.push([`${cell}`, c]);
    out.push([`${cell}, return_state`, { ...c, states: true }]);
    out.push([
      `${cell}, return_state, return_sequences, go_backwards, only the states' gradients`,
      { ...c, states: true, returnSequences: true, goBackwards: true, noOutputGradient: true },
    ]);
    out.push([
      `${cell}, return_sequences, go_backwards`,
      { ...c, returnSequences: true, goBackwards: true },
    ]);
    out.push([`${cell}, no bias, return_sequences`, { ...c, bias: false, returnSequences: true }]);
    out.push([
      `${cell}, return_sequences reversed (Bidirectional's backward copy), go_backwards`,
      { ...c, returnSequences: true, goBackwards: true, reverseSequence: true },
    ]);
    out.push([
      `${cell}, return_sequences reversed, forward`,
      { ...c, returnSequences: true, reverseSequence: true },
    ]);
    // Padding at the end, at both ends, and everywhere (the third sample).
    const mask = [1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
    out.push([`${cell}, masked`, { ...c, mask }]);
    // Dropout on the inputs with a fixed mask (kept ×1/(1 − 0.4), dropped 0) per sample and feature.
    const inputDropout = [0, 2.5, 2.5, 2.5, 0, 2.5, 2.5, 2.5, 0];
    out.push([
      `${cell}, dropout on the inputs, return_sequences`,
      { ...c, inputDropout, returnSequences: true },
    ]);
    out.push([`${cell}, dropout on the inputs, masked`, { ...c, inputDropout, mask }]);
    if (simple) {
      // recurrent_dropout: a fixed mask on the state (×1/(1 − 0.5) or 0) per sample and unit.
      const stateDropout = [2, 0, 2, 2, 0, 0, 2, 2, 2, 2, 2, 0, 2, 0, 2];
      out.push([
        'simple_rnn, recurrent_dropout, return_sequences, go_backwards',
        { ...c, stateDropout, returnSequences: true, goBackwards: true },
      ]);
      out.push([
        'simple_rnn, dropout and recurrent_dropout, masked',
        { ...c, stateDropout, inputDropout, mask },
      ]);
    }
    out.push([
      `${cell}, masked, return_sequences, go_backwards`,
      { ...c, mask, returnSequences: true, goBackwards: true },
    ]);
    out.push([
      `${cell}, masked, zero_output_for_mask, reversed (Bidirectional's copies)`,
      {
        ...c,
        mask,
        returnSequences: true,
        goBackwards: true,
        reverseSequence: true,
        zeroOutputForMask: true,
      },
    ]);
    out.push([
      `${cell}, masked, zero_output_for_mask, forward`,
      { ...c, mask, returnSequences: true, zeroOutputForMask: true },
    ]);
    if (!simple) {
      // recurrent_dropout (implementation 1): a fixed mask per gate block, sample and unit —
      // Keras's rec_dp_mask[0…G−1], each ×1/(1 − 0.5) or 0, drawn independently.
      const G = cell === 'lstm' ? 4 : 3;
      const stateDropout = Array.from({ length: base.n * G * base.units }, (_, i) =>
        (i * 7 + (i >> 2)) % 3 === 0 ? 0 : 2,
      );
      out.push([
        `${cell}, recurrent_dropout per gate, return_sequences, go_backwards`,
        { ...c, stateDropout, returnSequences: true, goBackwards: true },
      ]);
      out.push([`${cell}, recurrent_dropout per gate, masked`, { ...c, stateDropout, mask }]);
      // With recurrent_dropout, dropout on the inputs is one mask per gate block too.
      const gateInputDropout = Array.from({ length: base.n * G * base.in }, (_, i) =>
        (i * 5 + (i >> 1)) % 4 === 0 ? 0 : 2,
      );
      out.push([
        `${cell}, dropout and recurrent_dropout per gate, return_sequences`,
        { ...c, stateDropout, gateInputDropout, returnSequences: true },
      ]);
      out.push([
        `${cell}, dropout per gate (recurrent_dropout=1 drops no state), masked`,
        { ...c, gateInputDropout, mask },
      ]);
      if (cell === 'gru')
        out.push([
          'gru reset_after=False, recurrent_dropout per gate, return_sequences',
          { ...c, resetAfter: false, stateDropout, returnSequences: true },
        ]);
    }
    if (cell === 'gru') {
      const before = { ...c, resetAfter: false };
      out.push([
        'gru reset_after=False, masked, return_sequences',
        { ...before, mask, returnSequences: true },
      ]);
      out.push(['gru reset_after=False', before]);
      out.push([
        'gru reset_after=False, no bias, return_sequences, go_backwards',
        { ...before, bias: false, returnSequences: true, goBackwards: true },
      ]);
      out.push(['gru reset_after=False, relu', { ...before, activation: 'relu' }]);
    }
    for (const a of ['linear', 'sigmoid', 'relu', 'hard_sigmoid'] as const)
      out.push([
        `${cell}, activation ${a}`,
        simple
          ? { ...c, activation: a, recurrentActivation: a }
          : {
              ...c,
              activation: a,
              recurrentActivation: a === 'linear' ? 'hard_sigmoid' : 'sigmoid',
            },
      ]);
  }
  return out;
}
