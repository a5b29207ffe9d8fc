/**
 * The wasm backend: its kernels against the float64 naive twin and the JavaScript update rules
 * (plain SIMD, and relaxed SIMD where this engine validates it — under Node 20, in
 * vitest.config.ts's 'relaxed-simd' project, which runs Node with the flag), the committed
 * binary against its AssemblyScript source, and whole sessions on it against jsBackend —
 * through memory growth and the ops it leaves to the JavaScript kernels.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTO_WASM_WEIGHTS, loadModel } from 'nnlang';
import { createWasmBackend, jsBackend, wasmTier } from '../../src/backends/index.js';
import { wasmProducts, wasmUpdateKernels } from '../../src/backends/wasm.js';
import { jsProducts } from '../../src/kernels/matmul.js';
import { Rng } from '../../src/kernels/random.js';
import { adamStepSize, jsUpdateKernels } from '../../src/optim/index.js';
import { expectClose, naiveMatmul, naiveMatmulAbs, randomArray } from '../kernels/naive.js';
import { relaxedPass, testTiers } from '../conformance/backends.js';
import { layout } from './wasm-layout.js';

const tier = wasmTier();
/** Both builds where relaxed SIMD validates; the relaxed one only in the relaxed pass. */
const tiers = testTiers();
/** The tests that do not depend on the build run once, outside the relaxed pass. */
const once = tier !== null && !relaxedPass;

/**
 * [M, K, N]: one row, tile multiples, ragged edges on both sides, long K (several K blocks of
 * the packed path, which takes M ≥ 8), empty. The relaxed build's 6-row tiles: 6 and 12 rows,
 * a 6-row tile then a 4-row one (10), then rows left over (5: one 4-row tile and a row; 9, 17).
 */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 784, 128],
  [4, 8, 8],
  [3, 5, 7],
  [5, 9, 8],
  [9, 13, 19],
  [10, 40, 24],
  [17, 300, 16],
  [33, 1, 65],
  [6, 300, 37],
  [12, 600, 20],
  [8, 0, 8],
  [2, 0, 3],
  [0, 5, 3],
];

/** Float32 sums over K carry up to ~K ulps of Σ|a||b| (the JavaScript kernel sums in float64). */
const REL = 1e-5;

describe.skipIf(tier === null)('wasm kernels vs the float64 naive twin', () => {
  for (const which of tiers) {
    for (const [M, K, N] of SHAPES) {
      for (const packed of [false, true])
        it(`${which}: gemm, its transposes, bias and relu, M=${M} K=${K} N=${N}${packed ? ', packed B panels' : ''}`, () => {
          const rng = new Rng(M * 1000 + K * 10 + N);
          const a = randomArray(rng, M * K);
          const b = randomArray(rng, K * N);
          const bias = randomArray(rng, N);
          const guard = 5;
          const c0 = randomArray(rng, M * N + guard);
          const { block, views, addr } = layout(which, [a, b, bias, c0, c0, c0]);
          const [, , , c, z, acc] = views as [
            Float32Array,
            Float32Array,
            Float32Array,
            Float32Array,
            Float32Array,
            Float32Array,
          ];
          const [pa, pb, pbias, pc, pz, pacc] = addr as [
            number,
            number,
            number,
            number,
            number,
            number,
          ];
          const kern = block.kernels;
          const panel = packed ? block.panel : 0;
          const product = naiveMatmul(a, b, M, K, N);
          const scale = naiveMatmulAbs(a, b, M, K, N).map((v, i) => v + Math.abs(bias[i % N]!));

          // y = relu(a·b + bias) with the pre-activation in z.
          kern.gemm(pa, K, 1, pb, N, pc, pz, pbias, M, K, N, 0, 1, panel);
          const pre = product.map((v, i) => v + bias[i % N]!);
          expectClose(z.subarray(0, M * N), pre, REL, 1e-7, 'z', scale);
          expectClose(
            c.subarray(0, M * N),
            pre.map((v) => (v > 0 ? v : 0)),
            REL,
            1e-7,
            'relu',
            scale,
          );
          expect(Array.from(c.subarray(M * N)), 'guard past c').toEqual(
            Array.from(c0.subarray(M * N)),
          );

          // Accumulating, no bias: acc += a·b.
          kern.gemm(pa, K, 1, pb, N, pacc, 0, 0, M, K, N, 1, 0, panel);
          const accScale = naiveMatmulAbs(a, b, M, K, N).map((v, i) => v + Math.abs(c0[i]!));
          expectClose(
            acc.subarray(0, M * N),
            product.map((v, i) => v + c0[i]!),
            REL,
            1e-7,
            'acc',
            accScale,
          );

          // aᵀ·b with a stored [K,M] (dW = xᵀ·dz): the same data read as [K, M].
          kern.gemm(pa, 1, M, pb, N, pc, 0, 0, M, K, N, 0, 0, panel);
          // a holds M·K floats; read as aᵀ it is [K,M] stored, the product is [M,N] over K.
          const transA = naiveMatmul(a, b, M, K, N, true);
          expectClose(
            c.subarray(0, M * N),
            transA,
            REL,
            1e-7,
            'transA',
            naiveMatmulAbs(a, b, M, K, N, true),
          );

          // a·bᵀ with b stored [N,K] (dx = dz·Wᵀ), packed in K blocks of 3 rows to cross blocks.
          kern.gemmTransB(pa, pb, pc, M, K, N, block.scratch, 3, 0, panel);
          const transB = naiveMatmul(a, b, M, K, N, false, true);
          expectClose(
            c.subarray(0, M * N),
            transB,
            REL,
            1e-7,
            'transB',
            naiveMatmulAbs(a, b, M, K, N, false, true),
          );
          expect(Array.from(c.subarray(M * N)), 'guard past c').toEqual(
            Array.from(c0.subarray(M * N)),
          );
        });
    }

    it(`${which}: biasGrad sums the rows`, () => {
      const rng = new Rng(7);
      for (const [rows, cols] of [
        [1, 1],
        [5, 7],
        [32, 128],
        [0, 4],
      ] as const) {
        const dy = randomArray(rng, rows * cols);
        const db0 = randomArray(rng, cols);
        const { block, views, addr } = layout(which, [dy, db0, db0]);
        block.kernels.biasGrad(addr[0]!, addr[1]!, rows, cols, 0);
        block.kernels.biasGrad(addr[0]!, addr[2]!, rows, cols, 1);
        const sums = Array.from({ length: cols }, (_, c) => {
          let s = 0;
          for (let r = 0; r < rows; r++) s += dy[r * cols + c]!;
          return s;
        });
        expectClose(views[1]!, sums, 1e-6, 1e-6, 'db');
        expectClose(
          views[2]!,
          sums.map((s, c) => s + db0[c]!),
          1e-6,
          1e-6,
          'db accumulated',
        );
      }
    });

    it(`${which}: Adam and SGD match the JavaScript update rules`, () => {
      const rng = new Rng(3);
      const n = 37;
      const [w, g, m, v, h] = [0, 1, 2, 3, 4].map(() =>
        randomArray(rng, n, 0, 1),
      ) as Float32Array[];
      for (const amsgrad of [false, true]) {
        const block = layout(which, [w!, g!, m!, v!, h!]);
        const [bw, bg, bm, bv, bh] = block.views as Float32Array[];
        const [jw, jm, jv, jh] = [w!, m!, v!, h!].map((a) => Float32Array.from(a));
        for (let t = 1; t <= 3; t++) {
          const alpha = adamStepSize(0.01, 0.9, 0.999, t);
          const kernels = wasmUpdateKernels(block.block);
          kernels.adamUpdate(bw!, bg!, bm!, bv!, amsgrad ? bh! : null, alpha, 0.9, 0.999, 1e-7);
          jsUpdateKernels.adamUpdate(
            jw!,
            g!,
            jm!,
            jv!,
            amsgrad ? jh! : null,
            alpha,
            0.9,
            0.999,
            1e-7,
          );
        }
        expectClose(bw!, jw!, 1e-6, 1e-7, `adam w amsgrad=${amsgrad}`);
        expectClose(bm!, jm!, 1e-6, 1e-7, 'adam m');
        expectClose(bv!, jv!, 1e-6, 1e-7, 'adam v');
        if (amsgrad) expectClose(bh!, jh!, 1e-6, 1e-7, 'adam vHat');
      }
      for (const [momentum, nesterov] of [
        [0, false],
        [0.9, false],
        [0.9, true],
      ] as const) {
        const block = layout(which, [w!, g!, m!]);
        const [bw, bg, bm] = block.views as Float32Array[];
        const [jw, jm] = [Float32Array.from(w!), Float32Array.from(m!)];
        const kernels = wasmUpdateKernels(block.block);
        for (let t = 0; t < 3; t++) {
          kernels.sgdUpdate(bw!, bg!, momentum ? bm! : null, 0.05, momentum, nesterov);
          jsUpdateKernels.sgdUpdate(jw, g!, momentum ? jm : null, 0.05, momentum, nesterov);
        }
        expectClose(bw!, jw, 1e-6, 1e-7, `sgd w momentum=${momentum} nesterov=${nesterov}`);
        if (momentum) expectClose(bm!, jm, 1e-6, 1e-7, 'sgd m');
      }
    });
  }
});

describe.skipIf(tier === null)('the wasm backend', () => {
  it.runIf(once)('applies the JavaScript rule to arrays outside its memory', () => {
    const { block } = layout('simd', [new Float32Array(4)]);
    const kernels = wasmUpdateKernels(block);
    const w = Float32Array.of(1, 2, 3);
    const g = Float32Array.of(0.5, -1, 2);
    kernels.sgdUpdate(w, g, null, 0.1, 0, false);
    expect(Array.from(w)).toEqual([0.95, 2.1, 2.8].map(Math.fround));
  });

  // Dense layers with a fused relu, another activation (tanh: the JavaScript activation after
  // the wasm product), no bias, and Dropout and BatchNormalization run by the JavaScript kernels
  // over the wasm memory; Adam with amsgrad and a clipnorm around the wasm update.
  const source = `
Input(12) -> Dense(16, relu) -> Dense(9, tanh, use_bias=False) -> BatchNormalization() -> Dropout(0.2) -> Dense(3, softmax)
compile(Adam(learning_rate=0.01, amsgrad=True, clipnorm=1.0), categorical_crossentropy)
`;

  function data(rows: number, seed: number) {
    const rng = new Rng(seed);
    const x = Float32Array.from({ length: rows * 12 }, () => rng.normal());
    const y = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) y[r * 3 + rng.below(3)] = 1;
    return { x, y };
  }

  for (const which of tiers) {
    it(`${which}: trains and predicts as jsBackend, through memory growth`, () => {
      const js = loadModel(source, { seed: 5, backend: jsBackend });
      const wasm = loadModel(source, { seed: 5, backend: createWasmBackend(which) });
      const { x, y } = data(40, 9);
      // Predict first (a block with no gradients), then train at batch 8 and 40: the block
      // grows twice and every bound plan and the optimizer move to the new memory.
      expectClose(wasm.predict(x), js.predict(x), 1e-5, 1e-6, 'first predict');
      for (const batch of [8, 40]) {
        const a = js.fit(x, y, { epochs: 2, batchSize: batch, shuffle: false });
        const b = wasm.fit(x, y, { epochs: 2, batchSize: batch, shuffle: false });
        expectClose(b.history['loss']!, a.history['loss']!, 1e-5, 1e-6, `loss at batch ${batch}`);
      }
      expectClose(wasm.predict(x), js.predict(x), 1e-4, 1e-5, 'predict after training');
      js.getWeights().forEach((w, i) =>
        expectClose(wasm.getWeights()[i]!, w, 1e-4, 1e-5, `weight ${i}`),
      );
    });

    // The recurrent cells' gate math on wasm: every cell activation (a polynomial e^x for tanh and
    // sigmoid), 6 units (a 4-lane vector and a 2-unit tail), go_backwards, return_sequences and
    // mask_zero's mask (the JavaScript carry between the wasm cell steps).
    it(`${which}: LSTM, GRU and SimpleRNN cells (the gate math on wasm) as jsBackend, every cell activation`, () => {
      // What follows the embedding; a returned sequence goes on through a second layer. The
      // tolerances are the dense test's: float32 sums in the products (not the cells) move
      // Adam's steps on near-zero gradients by ~1e-6.
      const variants = [
        'LSTM(6)',
        'LSTM(6, activation=relu, recurrent_activation=hard_sigmoid, go_backwards=True)',
        'LSTM(6, activation=sigmoid, recurrent_activation=tanh, use_bias=False)',
        'LSTM(6, activation=linear, recurrent_activation=relu, return_sequences=True) -> LSTM(5)',
        'LSTM(7, activation=hard_sigmoid, recurrent_activation=linear, return_sequences=True, go_backwards=True) -> LSTM(4)',
        'GRU(6)',
        'GRU(6, activation=relu, recurrent_activation=hard_sigmoid, go_backwards=True)',
        'GRU(7, activation=sigmoid, use_bias=False, return_sequences=True) -> GRU(4, recurrent_activation=tanh)',
        // reset_after=False and SimpleRNN: asm/cells.ts.
        'GRU(5, reset_after=False)',
        'GRU(6, reset_after=False, activation=relu, go_backwards=True, return_sequences=True) -> GRU(5, reset_after=False)',
        'SimpleRNN(6)',
        'SimpleRNN(7, activation=sigmoid, go_backwards=True, return_sequences=True) -> SimpleRNN(4, activation=relu)',
      ];
      for (const v of variants) {
        const lstm = `
Input(5) -> Embedding(7, 3, mask_zero=True) -> ${v} -> Dense(3, softmax)
compile(Adam(learning_rate=0.02), categorical_crossentropy)
`;
        const js = loadModel(lstm, { seed: 3, backend: jsBackend });
        const wasm = loadModel(lstm, { seed: 3, backend: createWasmBackend(which) });
        const rng = new Rng(6);
        // Token ids; the zeros are masked steps.
        const x = Float32Array.from({ length: 8 * 5 }, () => rng.below(7));
        const y = new Float32Array(8 * 3);
        for (let r = 0; r < 8; r++) y[r * 3 + rng.below(3)] = 1;
        const a = js.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false });
        const b = wasm.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false });
        expectClose(b.history['loss']!, a.history['loss']!, 1e-5, 1e-6, `loss: ${v}`);
        expectClose(wasm.predict(x), js.predict(x), 1e-4, 1e-5, `predict: ${v}`);
        js.getWeights().forEach((w, i) =>
          expectClose(wasm.getWeights()[i]!, w, 1e-4, 1e-5, `weight ${i}: ${v}`),
        );
      }
    });

    it(`${which}: convolutions (im2col in JavaScript, the products on wasm) as jsBackend`, () => {
      const cnn = `
Input(shape=(7, 6, 2)) -> Conv2D(5, 3, activation=relu) -> Conv2D(4, 2, strides=2, padding='same', activation=tanh) -> Conv2D(3, 1, use_bias=False) -> Flatten() -> Dense(3, softmax)
compile(SGD(learning_rate=0.1, momentum=0.9), categorical_crossentropy)
`;
      const js = loadModel(cnn, { seed: 2, backend: jsBackend });
      const wasm = loadModel(cnn, { seed: 2, backend: createWasmBackend(which) });
      const rng = new Rng(4);
      const x = Float32Array.from({ length: 10 * 84 }, () => rng.normal());
      const y = new Float32Array(10 * 3);
      for (let r = 0; r < 10; r++) y[r * 3 + rng.below(3)] = 1;
      const a = js.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false });
      const b = wasm.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false });
      expectClose(b.history['loss']!, a.history['loss']!, 1e-5, 1e-6, 'loss');
      expectClose(wasm.predict(x), js.predict(x), 1e-4, 1e-5, 'predict');
      js.getWeights().forEach((w, i) =>
        expectClose(wasm.getWeights()[i]!, w, 1e-4, 1e-5, `weight ${i}`),
      );
    });
  }
});

describe.skipIf(relaxedPass)('the committed kernels', () => {
  it('are what asm/build.mjs makes of asm/kernels.ts (run `npm run build:wasm` after editing it)', async () => {
    const script = new URL('../../asm/build.mjs', import.meta.url).href;
    const build = (await import(script)) as { generate(): Promise<string> };
    const committed = readFileSync(
      new URL('../../src/backends/wasm-binary.ts', import.meta.url),
      'utf8',
    );
    expect(await build.generate()).toBe(committed);
  }, 60_000);
});

describe.skipIf(relaxedPass)('choosing the backend', () => {
  const tiny =
    'Input(4) -> Dense(8, relu) -> Dense(3, softmax)\ncompile(adam, categorical_crossentropy)\n';
  const mlp =
    'Input(784) -> Dense(128, relu) -> Dense(10, softmax)\ncompile(adam, categorical_crossentropy)\n';
  const wasmName = tier === 'relaxed' ? 'wasm-relaxed' : tier === 'simd' ? 'wasm' : 'js';

  it('by size by default: a 4-8-3 model stays on JavaScript, an MNIST-sized one runs on wasm', () => {
    expect(loadModel(tiny).backendName).toBe('js');
    expect(loadModel(mlp).backendName).toBe(wasmName);
    expect(AUTO_WASM_WEIGHTS).toBeGreaterThan(4 * 8 + 8 + 8 * 3 + 3);
  });

  it("by name: 'js' and 'wasm' override the size (wasm falls back to JavaScript without SIMD)", () => {
    expect(loadModel(mlp, { backend: 'js' }).backendName).toBe('js');
    expect(loadModel(tiny, { backend: 'wasm' }).backendName).toBe(wasmName);
    expect(loadModel(tiny, { backend: jsBackend }).backendName).toBe('js');
  });

  it('a model without an input shape chooses when it is built', () => {
    const model = loadModel('Dense(64, relu) -> Dense(3)\ncompile(sgd, mse)\n');
    expect(model.backendName).toBe(null);
    model.build([null, 200]);
    expect(model.backendName).toBe(wasmName);
  });
});

describe.skipIf(tier === null)('the cell activations on wasm SIMD', () => {
  it('tanh and sigmoid stay within 4e-7 (relative: ~3 float32 ulps) of Math over the whole range; relu is exact', () => {
    const n = 200_003;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -100 + (200 * i) / (n - 1);
    // Where the polynomial and the large-|x| branch meet, tiny values, zeros, overflow, NaN
    // (NaN in, NaN out; relu's 0, as the JavaScript kernel).
    x.set([0.625, -0.625, 0.62499, 1e-8, -1e-30, 0, -0, 88.9, -1000, 1000, NaN], 0);
    const exact: ((v: number) => number)[] = [
      (v) => v,
      Math.tanh,
      (v) => 1 / (1 + Math.exp(-v)),
      (v) => (v > 0 ? v : 0),
      (v) => Math.min(Math.max(v / 6 + 0.5, 0), 1),
    ];
    for (const which of tiers) {
      const { block, views } = layout(which, [x, new Float32Array(n)]);
      const [vx, vy] = views as [Float32Array, Float32Array];
      exact.forEach((f, kind) => {
        block.kernels.cellActivation(kind, vx.byteOffset, vy.byteOffset, n);
        const want = Float32Array.from(x, f);
        // Relative, down to e^−87 (sigmoid's e^x is clamped there: far below any tolerance);
        // hard_sigmoid's v/6 + ½ is rounded twice in float32, once in float64.
        const [rel, abs] =
          kind === 1 || kind === 2 ? [4e-7, 1e-30] : kind === 4 ? [0, 1e-7] : [0, 0];
        expectClose(vy, want, rel, abs, `${which} kind ${kind}`);
      });
    }
  });
});

describe.runIf(once)('wasmProducts: the recurrent layers’ products on wasm', () => {
  it('agree with the JavaScript products (and fall back to them off the block)', () => {
    const [M, K, N] = [7, 33, 20];
    const rng = new Rng(12);
    const a = randomArray(rng, M * K);
    const b = randomArray(rng, K * N);
    const bt = randomArray(rng, N * K);
    const c0 = randomArray(rng, M * N);
    const { block, views } = layout('simd', [a, b, bt, c0, c0]);
    const [va, vb, vbt, vc] = views as [Float32Array, Float32Array, Float32Array, Float32Array];
    const p = wasmProducts(block);
    const cases: [string, (c: Float32Array, acc: boolean, ops: typeof jsProducts) => void][] = [
      ['a·b', (c, acc, ops) => ops.matmul(va, vb, c, M, K, N, acc)],
      ['aᵀ·b', (c, acc, ops) => ops.matmulTransA(va, vb.subarray(0, M * N), c, K, M, N, acc)],
      ['a·bᵀ', (c, acc, ops) => ops.matmulTransB(va, vbt, c, M, K, N, acc)],
    ];
    for (const [what, run] of cases) {
      for (const acc of [false, true]) {
        const size = what === 'aᵀ·b' ? K * N : M * N;
        const want = new Float32Array(size).map((_, i) => c0[i % c0.length]!);
        run(want, acc, jsProducts);
        const got = new Float32Array(size);
        const inBlock = size <= vc.length ? vc : null;
        if (inBlock) {
          inBlock.set(want.map((_, i) => c0[i % c0.length]!).subarray(0, size));
          run(inBlock.subarray(0, size), acc, p);
          got.set(inBlock.subarray(0, size));
        } else {
          got.set(want.map((_, i) => c0[i % c0.length]!));
          run(got, acc, p); // c outside the block: the JavaScript product
        }
        expectClose(got, want, 1e-5, 1e-5, `${what}${acc ? ' +=' : ''}`);
      }
    }
  });
});
