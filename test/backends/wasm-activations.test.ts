/**
 * The wasm backend's activations (asm/activations.ts through src/backends/wasm-activations.ts)
 * against the JavaScript kernels they replace, forward and backward, on random values over
 * several ranges plus the edges (zeros, kinks, tiny and huge values, ±Infinity, NaN), in rows
 * with a tail past the four lanes; and the activations that stay on JavaScript.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from 'nnlang';
import { createWasmBackend, jsBackend, wasmTier } from '../../src/backends/index.js';
import {
  wasmActivationBackward,
  wasmActivationForward,
} from '../../src/backends/wasm-activations.js';
import { allocateBlock } from '../../src/backends/wasm-block.js';
import {
  activationBackward,
  activationForward,
  resolveActivation,
} from '../../src/kernels/activations.js';
import { Rng } from '../../src/kernels/random.js';
import { expectClose } from '../kernels/naive.js';

const tier = wasmTier();
const tiers = (['simd', 'relaxed'] as const).filter((t) => t === 'simd' || tier === 'relaxed');

const ROWS = 9;
const COLS = 23;

/** Random values at several scales, with the edges at the front. */
function inputs(rng: Rng, scale: number): Float32Array {
  const x = Float32Array.from({ length: ROWS * COLS }, () => scale * rng.normal());
  const edges = [0, -0, 1e-8, -1e-8, 0.49, -0.51, 3, -3, 6, 1, -1, 30, -30, 100, -100];
  x.set(edges.map((v) => v * (scale > 0.01 ? 1 : 0)));
  // Non-finite values in the last row (softmax makes a row with ±∞ or NaN all NaN, as there).
  x.set([Infinity, -Infinity, NaN], (ROWS - 1) * COLS);
  return x;
}

/** |a − e| over the larger of |e| and `floor`, the worst over the arrays. */
function worstRelative(a: Float32Array, e: Float32Array, floor: number): number {
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(e[i]!) && Number.isNaN(a[i]!)) continue;
    if (a[i] === e[i]) continue;
    worst = Math.max(worst, Math.abs(a[i]! - e[i]!) / Math.max(Math.abs(e[i]!), floor));
  }
  return worst;
}

const activations: [string, Record<string, unknown>?][] = [
  ['tanh'],
  ['sigmoid'],
  ['relu'],
  ['relu', { negative_slope: 0.1 }],
  ['leaky_relu'],
  ['relu6'],
  ['hard_sigmoid'],
  ['elu'],
  ['elu', { alpha: 0.3 }],
  ['selu'],
  ['silu'],
  ['softmax'],
];

/**
 * Allowed: one float32 ulp (1.2e−7 relative; a float64 value within ~1e−15 of a rounding boundary
 * may round the other way). Measured (plain SIMD): identical on every value here, forward and
 * backward, for every activation.
 */
describe.skipIf(tier === null)('wasm activations vs the JavaScript kernels', () => {
  for (const which of tiers)
    for (const [name, args] of activations) {
      it(`${which}: ${name}${args ? ' ' + JSON.stringify(args) : ''}`, () => {
        const spec = resolveActivation(name, args);
        const rng = new Rng(name.length * 13 + 1);
        let worstForward = 0;
        let worstBackward = 0;
        for (const scale of [0.001, 1, 8]) {
          const x = inputs(rng, scale);
          const dy = Float32Array.from(x, () => rng.normal());
          dy[1] = Infinity;
          dy[2] = NaN;
          const size = x.length + 4 * ((x.length + 3) >> 2);
          const { block, data } = allocateBlock(which, 4 * size);
          const [bx, by, bdy, bdx] = [0, 1, 2, 3].map((i) =>
            data.subarray(i * size, i * size + x.length),
          );
          bx!.set(x);
          bdy!.set(dy);
          const forward = wasmActivationForward(
            block.kernels,
            spec,
            bx!.byteOffset,
            by!.byteOffset,
            COLS,
          );
          const backward = wasmActivationBackward(
            block.kernels,
            spec,
            bx!.byteOffset,
            by!.byteOffset,
            bdy!.byteOffset,
            bdx!.byteOffset,
            COLS,
          );
          expect(forward && backward).not.toBeNull();
          const y = new Float32Array(x.length);
          const dx = new Float32Array(x.length);
          activationForward(spec, x, y, ROWS, COLS);
          activationBackward(spec, x, y, dy, dx, ROWS, COLS);
          forward!(ROWS);
          worstForward = Math.max(worstForward, worstRelative(by!, y, 1e-30));
          // The backward from the JavaScript forward's output, so only the backward differs.
          by!.set(y);
          backward!(ROWS);
          worstBackward = Math.max(worstBackward, worstRelative(bdx!, dx, 1e-30));
        }
        expect(worstForward, 'forward').toBeLessThanOrEqual(1.2e-7);
        expect(worstBackward, 'backward').toBeLessThanOrEqual(1.2e-7);
      });
    }
});

describe.skipIf(tier === null)('activations that stay on JavaScript', () => {
  it('are those needing log or erf, and relu with a threshold or max_value', () => {
    const { block } = allocateBlock('simd', 16);
    const cases: [string, Record<string, unknown>?][] = [
      ['softplus'],
      ['gelu'],
      ['gelu', { approximate: true }],
      ['mish'],
      ['log_softmax'],
      ['linear'],
      ['relu', { max_value: 6 }],
      ['relu', { threshold: 0.5 }],
    ];
    for (const [name, args] of cases) {
      const spec = resolveActivation(name, args);
      expect(wasmActivationForward(block.kernels, spec, 64, 128, 4), name).toBeNull();
      expect(wasmActivationBackward(block.kernels, spec, 64, 128, 192, 256, 4), name).toBeNull();
    }
  });
});

describe.skipIf(tier === null)('sessions with wasm activations', () => {
  // The activations after a product (the epilogue) and as Activation layers (the `activation` and
  // `activation_backward` steps), one left on JavaScript (softplus), and softmax under mse (its
  // own backward, not the cross-entropy's fused one).
  const source = `
Input(10) -> Dense(12, sigmoid) -> Activation('elu') -> Dense(9, selu) -> Dense(8, swish) -> Activation('tanh') -> Dense(8, leaky_relu) -> Dense(7, hard_sigmoid) -> Dense(6, softplus) -> Dense(6, relu6) -> Dense(4, softmax)
compile(Adam(learning_rate=0.01), mse)
`;
  for (const which of tiers)
    it(`${which}: train and predict as jsBackend`, () => {
      const js = loadModel(source, { seed: 8, backend: jsBackend });
      const wasm = loadModel(source, { seed: 8, backend: createWasmBackend(which) });
      const rng = new Rng(5);
      const x = Float32Array.from({ length: 24 * 10 }, () => 2 * rng.normal());
      const y = new Float32Array(24 * 4);
      for (let r = 0; r < 24; r++) y[r * 4 + rng.below(4)] = 1;
      expectClose(wasm.predict(x), js.predict(x), 1e-5, 1e-6, 'first predict');
      const a = js.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false });
      const b = wasm.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false });
      expectClose(b.history['loss']!, a.history['loss']!, 1e-5, 1e-6, 'loss');
      expectClose(wasm.predict(x), js.predict(x), 1e-4, 1e-5, 'predict after training');
      js.getWeights().forEach((w, i) =>
        expectClose(wasm.getWeights()[i]!, w, 1e-4, 1e-5, `weight ${i}`),
      );
    });
});
