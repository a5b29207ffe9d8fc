/**
 * The wasm backend's cell steps (asm/kernels.ts lstmCell, gruCell; asm/cells.ts simpleRnnCell,
 * gruResetBeforeCell, and their backwards) against the JavaScript cell steps they replace, on
 * every case of the recurrent kernels' test (masks, dropouts, go_backwards, each activation) and
 * on wider layers (several four-lane vectors and a tail): the same forward and backward run twice,
 * the products JavaScript's both times, so only the cells differ.
 */
import { describe, expect, it } from 'vitest';
import { wasmTier } from '../../src/backends/index.js';
import { wasmCells } from '../../src/backends/wasm.js';
import { allocateBlock } from '../../src/backends/wasm-block.js';
import { jsProducts } from '../../src/kernels/matmul.js';
import { Rng } from '../../src/kernels/random.js';
import { cases, run, type Case } from '../kernels/recurrent-cases.js';
import { expectClose } from '../kernels/naive.js';

const tier = wasmTier();
const tiers = (['simd', 'relaxed'] as const).filter((t) => t === 'simd' || tier === 'relaxed');

/** A bump allocator over a fresh block: each array copied in at the next 16-byte boundary. */
function placer(which: 'simd' | 'relaxed', floats: number) {
  const { block, data } = allocateBlock(which, floats);
  let at = 0;
  const place = (a: Float32Array): Float32Array => {
    const view = data.subarray(at, at + a.length);
    if (view.length < a.length) throw new Error('test block too small');
    view.set(a);
    at += Math.ceil(a.length / 4) * 4;
    return view;
  };
  return { block, place };
}

/** Wider layers than the kernel test's 5 units: several vectors, with and without a tail. */
function wide(): [string, Case][] {
  const base = {
    n: 4,
    steps: 6,
    in: 7,
    bias: true,
    returnSequences: true,
    goBackwards: false,
    resetAfter: true,
    activation: 'tanh' as const,
    recurrentActivation: 'sigmoid' as const,
  };
  return [
    ['simple_rnn, 8 units', { ...base, cell: 'simple_rnn', units: 8 }],
    [
      'simple_rnn, 11 units, go_backwards',
      { ...base, cell: 'simple_rnn', units: 11, goBackwards: true },
    ],
    ['gru reset_after=False, 8 units', { ...base, cell: 'gru', units: 8, resetAfter: false }],
    [
      'gru reset_after=False, 11 units, no bias, go_backwards',
      { ...base, cell: 'gru', units: 11, resetAfter: false, bias: false, goBackwards: true },
    ],
    // 21 units: reset_after=False's sixteen-column blocks, then four, then one.
    [
      'gru reset_after=False, 21 units, relu, go_backwards',
      { ...base, cell: 'gru', units: 21, resetAfter: false, activation: 'relu', goBackwards: true },
    ],
    ['gru, 9 units', { ...base, cell: 'gru', units: 9 }],
    ['lstm, 9 units', { ...base, cell: 'lstm', units: 9 }],
  ];
}

// Measured: at most 5.0e-7 of each array's largest magnitude (plain SIMD), output and gradients.
describe.skipIf(tier === null)('the wasm cell steps vs the JavaScript ones', () => {
  for (const which of tiers) {
    for (const [name, c] of [...cases(), ...wide()]) {
      it(`${which}: ${name}`, () => {
        const seed = name.length * 31 + 7;
        const want = run(c, new Rng(seed));
        const { block, place } = placer(which, 1 << 16);
        const got = run(c, new Rng(seed), place, { ...jsProducts, ...wasmCells(block) });
        for (const key of ['y', 'dx', 'dKernel', 'dRecurrentKernel', 'dBias'] as const) {
          const [a, e] = [got[key], want[key]];
          if (!a || !e) {
            expect(a).toBe(e);
            continue;
          }
          let scale = 0;
          for (const v of e) scale = Math.max(scale, Math.abs(v));
          expectClose(a, e, 1e-6, 1e-6 * scale, `${key}`);
        }
      });
    }
  }
});
