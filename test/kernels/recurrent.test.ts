/**
 * The embedding and recurrent kernels against their float64 twins, and every gradient against
 * finite differences of the twin: LSTM, GRU and SimpleRNN, with and without bias,
 * return_sequences and go_backwards, and each cell activation.
 */
import { describe, expect, it } from 'vitest';
import { spatialDropoutBackward } from '../../src/kernels/dropout.js';
import { embeddingBackward, embeddingForward, tokenMask } from '../../src/kernels/embedding.js';
import { Rng } from '../../src/kernels/random.js';
import {
  cellActivationNames,
  gateCount,
  recurrentBackward,
  recurrentBiasSize,
  recurrentForward,
  savedGateCount,
  type RecurrentCell,
} from '../../src/kernels/recurrent.js';
import { expectClose, finiteDifference, randomArray } from './naive.js';
import {
  naiveEmbedding,
  naiveRecurrent,
  type NaiveCellActivation,
  type NaiveRecurrentConfig,
} from './naive-recurrent.js';

describe('embedding', () => {
  it('gathers rows by truncated id, and scatter-adds the gradient (repeated ids add up)', () => {
    const rng = new Rng(4);
    const [vocab, dim, count] = [7, 3, 10];
    const table = randomArray(rng, vocab * dim);
    const ids = Float32Array.from([0, 6, 3.9, 3, 1, 1, 0.2, 5, 2, 6]);
    const y = new Float32Array(count * dim);
    expect(embeddingForward(ids, table, y, count, vocab, dim)).toBe(-1);
    expectClose(y, naiveEmbedding(ids, table, count, dim), 0, 0, 'y');
    const dy = randomArray(rng, count * dim);
    const dTable = new Float32Array(vocab * dim).fill(99);
    embeddingBackward(ids, dy, dTable, count, vocab, dim);
    const fd = finiteDifference((p) => naiveEmbedding(ids, p, count, dim), table, dy);
    expectClose(dTable, fd, 1e-5, 1e-6, 'dtable');
  });

  it("mask_zero's mask is 1 where an id is not 0 (Keras's not_equal(inputs, 0))", () => {
    const ids = Float32Array.from([0, 3, 0.5, 0, 7, -0]);
    const mask = new Float32Array(6).fill(99);
    tokenMask(ids, mask, 6);
    expect(Array.from(mask)).toEqual([0, 1, 1, 0, 1, 0]);
  });

  it('reports the first id outside the vocabulary (negative, too large, NaN)', () => {
    const table = new Float32Array(4 * 2);
    const y = new Float32Array(3 * 2);
    for (const [ids, at] of [
      [[0, 4, 1], 1],
      [[1, 2, -1], 2],
      [[Number.NaN, 0, 0], 0],
      [[3.99, -0.5, 0], -1], // truncation toward zero: 3 and 0
    ] as const)
      expect(embeddingForward(Float32Array.from(ids), table, y, 3, 4, 2)).toBe(at);
  });
});

interface Case extends NaiveRecurrentConfig {
  bias: boolean;
  /** return_state: the final states get gradients of their own (dhFinal, dcFinal). */
  states?: boolean;
  /** With states: the output gets no gradient (only a state is read downstream). */
  noOutputGradient?: boolean;
  /** A fixed dropout mask on the inputs, (n, in), the same at every step (as the layer's dropout). */
  inputDropout?: number[];
}

/** x with the dropout mask of each sample and feature applied at every step (or x itself). */
function dropInputs<X extends ArrayLike<number>>(c: Case, x: X): X | Float64Array {
  const { steps: T, in: I } = c;
  const mask = c.inputDropout;
  if (!mask) return x;
  return Float64Array.from(x, (v, p) => v * mask[Math.floor(p / (T * I)) * I + (p % I)]!);
}

function run(c: Case, rng: Rng) {
  const { n, steps: T, in: I, units: U, cell } = c;
  const GU = gateCount(cell) * U;
  const x = randomArray(rng, n * T * I, -1, 1);
  const kernel = randomArray(rng, I * GU, -0.6, 0.6);
  const recurrent = randomArray(rng, U * GU, -0.6, 0.6);
  const bias = c.bias
    ? randomArray(rng, recurrentBiasSize(cell, U, c.resetAfter), -0.5, 0.5)
    : null;
  const ySize = n * (c.returnSequences ? T : 1) * U;
  const lstm = cell === 'lstm';
  const dims = {
    ...c,
    activation: cellActivationNames.indexOf(c.activation),
    recurrentActivation: cellActivationNames.indexOf(c.recurrentActivation),
  };
  const saved = {
    y: new Float32Array(ySize),
    xw: new Float32Array(n * T * GU),
    rec: new Float32Array(n * GU),
    gates: new Float32Array(n * T * savedGateCount(cell) * U),
    hPrev: new Float32Array(n * T * U),
    h: new Float32Array(n * U),
    c: lstm ? new Float32Array(n * T * U) : null,
    cStep: lstm ? new Float32Array(n * U) : null,
  };
  const mask = c.mask ? Float32Array.from(c.mask) : null;
  const stateMask = c.stateDropout ? Float32Array.from(c.stateDropout) : null;
  const inputMask = c.gateInputDropout ? Float32Array.from(c.gateInputDropout) : null;
  const xDropped = inputMask ? new Float32Array(n * T * (GU / U) * I).fill(99) : null;
  const stateDropout = {
    stateMask,
    hDropped: stateMask ? new Float32Array(n * GU).fill(99) : null,
    inputMask,
    xDropped,
  };
  // The step reads the dropped inputs; their gradient is masked again on the way back.
  const xd = Float32Array.from(dropInputs(c, x));
  recurrentForward(
    dims,
    { x: xd, kernel, recurrentKernel: recurrent, bias, ...saved, mask, ...stateDropout },
    n,
  );
  // The weights of the finite differences: the output's, then each final state's (return_state).
  const stateCount = c.states ? (lstm ? 2 : 1) : 0;
  const dy = randomArray(rng, ySize + stateCount * n * U);
  if (c.noOutputGradient) dy.fill(0, 0, ySize);
  const dFinal = (k: number) => (k < stateCount ? dy.subarray(ySize + k * n * U) : null);
  const grads = {
    dx: new Float32Array(x.length).fill(99),
    dKernel: new Float32Array(kernel.length).fill(99),
    dRecurrentKernel: new Float32Array(recurrent.length).fill(99),
    dBias: bias ? new Float32Array(bias.length).fill(99) : null,
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
      dGates: new Float32Array(n * T * GU),
      dRec: cell === 'gru' ? new Float32Array(n * T * GU) : null,
      dStep: new Float32Array(n * GU),
      dh: new Float32Array(n * U),
      dc: lstm ? new Float32Array(n * U) : null,
      mask,
      carry: mask ? new Float32Array(n * (lstm ? 2 : 1) * U).fill(99) : null,
      stateMask,
      hPrevDropped: stateMask ? new Float32Array(n * T * GU).fill(99) : null,
      inputMask,
      xDropped,
    },
    n,
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

const cells: RecurrentCell[] = ['lstm', 'gru', 'simple_rnn'];
const base = { n: 3, steps: 4, in: 3, units: 5 };

function cases(): [string, Case][] {
  const out: [string, Case][] = [];
  for (const cell of cells) {
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

describe('recurrent layers', () => {
  for (const [name, c] of cases()) {
    it(`${name}: forward vs the float64 twin, every gradient vs finite differences`, () => {
      const r = run(c, new Rng(name.length * 31 + 7));
      const y = (
        x: ArrayLike<number>,
        k: ArrayLike<number>,
        u: ArrayLike<number>,
        b: ArrayLike<number> | null,
      ) => naiveRecurrent(c, dropInputs(c, x), k, u, b, c.states);
      expectClose(r.y, y(r.x, r.kernel, r.recurrent, r.bias), 1e-5, 1e-6, 'y');
      const tol = [2e-4, 2e-5] as const;
      expectClose(
        r.dx,
        finiteDifference((p) => y(p, r.kernel, r.recurrent, r.bias), r.x, r.dy),
        ...tol,
        'dx',
      );
      expectClose(
        r.dKernel,
        finiteDifference((p) => y(r.x, p, r.recurrent, r.bias), r.kernel, r.dy),
        ...tol,
        'dkernel',
      );
      expectClose(
        r.dRecurrentKernel,
        finiteDifference((p) => y(r.x, r.kernel, p, r.bias), r.recurrent, r.dy),
        ...tol,
        'drecurrent_kernel',
      );
      if (r.bias)
        expectClose(
          r.dBias!,
          finiteDifference((p) => y(r.x, r.kernel, r.recurrent, p), r.bias, r.dy),
          ...tol,
          'dbias',
        );
    });
  }
});
