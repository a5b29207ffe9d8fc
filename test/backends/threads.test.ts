/**
 * The threads option (src/backends/threads.ts): predict and evaluate with products split over a
 * worker are bit-identical to one thread (an MLP and a CNN; batches that do not divide into the
 * kernels' 4-row tiles, one row, none), training never splits, bad values are clear errors, and
 * a worker that cannot start, or never finishes, leaves a correct model on one thread — never a
 * hang. A process that never disposes its model exits.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError, loadModel, type Model } from 'nnlang';
import {
  createWasmBackend,
  MAX_THREADS,
  SPLIT_MIN_MACS,
  threadsUnavailable,
  wasmTier,
  type WasmBackend,
} from '../../src/backends/index.js';
import { CUT_ROWS, splitRows } from '../../src/backends/threads.js';
import { workerSource } from '../../src/backends/threads-worker.js';
import type { PoolOptions } from '../../src/backends/threads.js';

const tier = wasmTier();
const runs = tier !== null && threadsUnavailable(tier) === null;

const mlp =
  'Input(784) -> Dense(128, relu) -> Dense(64, tanh) -> Dense(10, softmax)\ncompile(adam, categorical_crossentropy)\n';
const cnn = `Input(shape=(16, 16, 3))
  -> Conv2D(32, 3, activation='relu', padding='same')
  -> Conv2D(16, 3, activation='sigmoid')
  -> Flatten() -> Dense(10, softmax)
compile(adam, categorical_crossentropy)
`;

/** Deterministic inputs in [−1, 1]. */
const inputs = (n: number) => new Float32Array(n).map((_, i) => Math.sin(i * 0.37));

/** The same model (seed 1) on one thread and on a two-thread wasm backend. */
function pair(source: string, pool: PoolOptions = {}) {
  const one = loadModel(source, { seed: 1, backend: 'wasm' });
  const backend = createWasmBackend(undefined, { threads: 2, pool });
  const two = loadModel(source, { seed: 1, backend });
  return { one, two, backend };
}

/**
 * Runs `use` once (binding its plans: the block grows, and the worker follows it while products
 * run), waits for the worker, runs it again; both runs' results must be `same`.
 */
function warmed<T>(backend: WasmBackend, use: () => T, same: (a: T, b: T) => void): T {
  const first = use();
  expect(backend.pool!.waitReady(30_000)).toBe(true);
  const second = use();
  same(first, second);
  return second;
}

const sameAll = (a: Float32Array[], b: Float32Array[]) =>
  a.forEach((x, i) => expectSameBits(x, b[i]!));

/** Bit for bit, NaN included. */
function expectSameBits(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength)).toEqual(
    Buffer.from(want.buffer, want.byteOffset, want.byteLength),
  );
}

/** Models whose workers a test started: stopped after it (not needed to exit, but tidy). */
const disposeAll: Model[] = [];
afterEach(() => {
  for (const m of disposeAll.splice(0)) m.dispose();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('splitRows', () => {
  it("cuts whole groups of CUT_ROWS rows (both tiers' tile heights), at least two per part, the ragged rows in the last part", () => {
    expect(CUT_ROWS % 4).toBe(0);
    expect(CUT_ROWS % 6).toBe(0);
    for (const M of [48, 50, 59, 97, 1030, 4099]) {
      for (let parts = 2; parts <= Math.min(4, Math.floor(M / (2 * CUT_ROWS))); parts++) {
        const cuts = Array.from({ length: parts + 1 }, (_, p) => splitRows(M, parts, p));
        expect(cuts[0]).toBe(0);
        expect(cuts[parts]).toBe(M);
        for (let p = 0; p < parts; p++) {
          expect(cuts[p]! % CUT_ROWS).toBe(0);
          const whole = Math.floor(cuts[p + 1]! / CUT_ROWS) * CUT_ROWS - cuts[p]!;
          expect(whole).toBeGreaterThanOrEqual(2 * CUT_ROWS);
        }
      }
    }
  });
});

describe.skipIf(!runs)('the threads option on the wasm backend', () => {
  it('predict on the MLP: bit-identical to one thread at every batch size, with products split', () => {
    const { one, two, backend } = pair(mlp);
    disposeAll.push(two);
    const x = inputs(1030 * 784);
    // 1030 rows in one batch (1030 = 4·257 + 2: ragged), in batches of 333 (the last of 31
    // rows is too small to split), one row, no rows.
    const cases: [Float32Array, number][] = [
      [x, 333],
      [x, 1030],
      [x.subarray(0, 784), 1],
      [new Float32Array(0), 32],
    ];
    const predictAll = (m: Model) =>
      cases.map(([data, batchSize]) => m.predict(data, { batchSize }));
    const want = predictAll(one);
    const before = backend.pool!.splits;
    const got = warmed(backend, () => predictAll(two), sameAll);
    // 1030·784·128 and 333·784·128 multiply-adds are above the split size (31·784·128 is not).
    expect(1030 * 784 * 128).toBeGreaterThanOrEqual(SPLIT_MIN_MACS);
    expect(backend.pool!.splits).toBeGreaterThan(before);
    expect(backend.pool!.workerChunks).toBeGreaterThan(0);
    got.forEach((g, i) => expectSameBits(g, want[i]!));
    expect(want[3]!.length).toBe(0);
    expect(two.threads).toBe(2);
  }, 60_000);

  it('three threads (two workers claiming chunks) give the same bits too', () => {
    const one = loadModel(mlp, { seed: 1, backend: 'wasm' });
    const backend = createWasmBackend(undefined, { threads: 3 });
    const three = loadModel(mlp, { seed: 1, backend });
    disposeAll.push(three);
    const x = inputs(1030 * 784);
    const want = one.predict(x, { batchSize: 1030 });
    const predict = () => three.predict(x, { batchSize: 1030 });
    expectSameBits(warmed(backend, predict, expectSameBits), want);
    expect(backend.pool!.splits).toBeGreaterThan(0);
  }, 60_000);

  it("predict on a CNN: the second convolution's im2col product splits, bit-identical to one thread", () => {
    const { one, two, backend } = pair(cnn);
    disposeAll.push(two);
    const x = inputs(61 * 16 * 16 * 3);
    const cases = [61, 50, 7];
    const want = cases.map((batchSize) => one.predict(x, { batchSize }));
    const before = backend.pool!.splits;
    const run = () => cases.map((batchSize) => two.predict(x, { batchSize }));
    const got = warmed(backend, run, sameAll);
    expect(backend.pool!.splits).toBeGreaterThan(before);
    got.forEach((g, i) => expectSameBits(g, want[i]!));
  }, 60_000);

  it('evaluate splits and gives the same loss and metrics; a training step never splits', () => {
    const source = mlp.replace(
      'compile(adam, categorical_crossentropy)',
      "compile(adam, categorical_crossentropy, metrics=['accuracy'])",
    );
    const { one, two, backend } = pair(source);
    disposeAll.push(two);
    const rows = 512;
    const x = inputs(rows * 784);
    const y = new Float32Array(rows * 10).map((_, i) => (i % 10 === (i / 10) % 7 ? 1 : 0));
    const want = one.evaluate(x, y, { batchSize: rows });
    const before = backend.pool!.splits;
    const evaluate = () => two.evaluate(x, y, { batchSize: rows });
    expect(warmed(backend, evaluate, (a, b) => expect(a).toEqual(b))).toEqual(want);
    // One product a call is large enough (512·784·128); the worker may still be finishing a
    // job this thread completed alone, so a few calls may run before one is shared.
    for (let i = 0; i < 20 && backend.pool!.splits === before; i++)
      expect(evaluate()).toEqual(want);
    const splits = backend.pool!.splits;
    expect(splits).toBeGreaterThan(before);
    // 256·784·128 multiply-adds would split in a predict.
    expect(one.trainOnBatch(x.subarray(0, 256 * 784), y.subarray(0, 2560))).toBe(
      two.trainOnBatch(x.subarray(0, 256 * 784), y.subarray(0, 2560)),
    );
    expect(backend.pool!.splits).toBe(splits);
    two.getWeights().forEach((w, i) => expectSameBits(w, one.getWeights()[i]!));
  }, 60_000);

  it('dispose() stops the workers: the model goes on, on one thread', () => {
    const model = loadModel(mlp, { seed: 1, threads: 2 });
    expect(model.threads).toBe(2);
    const x = inputs(300 * 784);
    const before = model.predict(x, { batchSize: 300 });
    model.dispose();
    expect(model.threads).toBe(1);
    expectSameBits(model.predict(x, { batchSize: 300 }), before);
  });

  it('a worker that fails to start leaves a correct model on one thread, with a warning', async () => {
    const warn = vi.fn();
    const { one, two, backend } = pair(mlp, { source: 'throw new Error("no worker today")', warn });
    disposeAll.push(two);
    const x = inputs(400 * 784);
    expectSameBits(two.predict(x, { batchSize: 400 }), one.predict(x, { batchSize: 400 }));
    expect(backend.pool!.waitReady(50)).toBe(false);
    // The worker's error reaches this thread through its event loop.
    for (let i = 0; i < 200 && warn.mock.calls.length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('runs on one thread'));
    expect(two.threads).toBe(1);
    expectSameBits(two.predict(x, { batchSize: 400 }), one.predict(x, { batchSize: 400 }));
  }, 30_000);

  it('a worker that never finishes its chunk: the wait gives up, this thread computes it', () => {
    const warn = vi.fn();
    // Claims a chunk, then blocks forever without writing a row or counting it done.
    const source = workerSource.replace(
      'kernels.gemm(',
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); (() => 0)(',
    );
    expect(source).not.toBe(workerSource);
    const { one, two, backend } = pair(mlp, { source, joinTimeoutMs: 100, warn });
    const x = inputs(400 * 784);
    const want = one.predict(x, { batchSize: 400 });
    expectSameBits(two.predict(x, { batchSize: 400 }), want);
    backend.pool!.waitReady(30_000); // false once the worker has hung a first product
    // Until the worker has taken a chunk (its core may be busy: then this thread takes them all).
    for (let i = 0; i < 50 && warn.mock.calls.length === 0; i++)
      expectSameBits(two.predict(x, { batchSize: 400 }), want);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('did not finish its share'));
    expect(two.threads).toBe(1);
    expectSameBits(two.predict(x, { batchSize: 400 }), want);
  }, 60_000);
});

describe('bad threads values', () => {
  it('are clear errors', () => {
    for (const bad of [0, -1, 1.5, MAX_THREADS + 1, '2', NaN])
      expect(() => loadModel(mlp, { threads: bad as number })).toThrow(
        new InputError(
          `threads must be an integer from 1 to ${MAX_THREADS}, not ${typeof bad === 'string' ? `'${bad}'` : bad}.`,
        ),
      );
    expect(() => loadModel(mlp, { threads: 2, backend: 'js' })).toThrow(
      "threads: 2 needs the wasm backend (backend 'wasm' or 'auto'), not 'js'.",
    );
  });

  it('one thread is the default; a model on the JavaScript backend runs on one', () => {
    expect(loadModel(mlp).threads).toBe(1);
    expect(loadModel(mlp, { backend: 'js', threads: 1 }).threads).toBe(1);
    const tiny = loadModel('Input(4) -> Dense(8, relu) -> Dense(3)', { threads: 2 });
    expect([tiny.backendName, tiny.threads]).toEqual(['js', 1]);
  });
});

describe.skipIf(tier === null)('where the engine cannot run workers', () => {
  it('threads: 2 runs on one thread and says why, once', () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const model = loadModel(mlp, { seed: 1, threads: 2 });
    loadModel(mlp, { threads: 3 });
    expect(model.threads).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain(
      'threads: 2 runs on one thread: shared memory is not available',
    );
    vi.unstubAllGlobals();
    expectSameBits(model.predict(inputs(784)), loadModel(mlp, { seed: 1 }).predict(inputs(784)));
  });
});

describe.skipIf(!runs)('a process that never disposes its model', () => {
  it('exits once its work is done (the workers are unref’d)', () => {
    const code = [
      `import { loadModel } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).pathname)};`,
      `const m = loadModel(${JSON.stringify(mlp)}, { threads: 2 });`,
      'const y = m.predict(new Float32Array(300 * 784), { batchSize: 300 });',
      'console.log(m.threads, y.length);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.error).toBeUndefined();
    expect([r.status, r.stdout.trim()]).toEqual([0, '2 3000']);
  }, 70_000);
});
