/**
 * Issue 12's "Both cores": where does a second thread pay for the wasm backend's products? The
 * shipped pool (src/backends/threads.ts) over a shared block, each product timed on one thread
 * and split over two, on W7's 512³, the MNIST MLP's products at predict batch 1,024 (W5) and at
 * training batch 32 (W1), and a sweep of the first layer's rows for the break-even that
 * SPLIT_MIN_MACS encodes. Wall time (two threads share the work, so CPU time would hide the
 * gain), medians of 7 runs alternating one and two threads; the load average is printed, as a busy second core erases the gain.
 * Each split result is checked bit-identical to the one-thread product. Run: npm run bench:threads
 */
import os from 'node:os';
import { ThreadPool, SPLIT_MIN_MACS, threadsUnavailable, wasmTier } from '../src/backends/index.js';
import { allocateBlock } from '../src/backends/wasm-block.js';

const tier = wasmTier();
const unavailable = tier === null ? 'no WebAssembly SIMD' : threadsUnavailable(tier);
if (tier === null || unavailable !== null) {
  console.log(`threads bench: not here (${unavailable})`);
  process.exit(0);
}

/** Products to time: name, M, K, N, relu, A stored transposed ([K, M], as dW = xᵀ·dz reads it). */
const shapes: [string, number, number, number, 0 | 1, boolean][] = [
  ['W7 512³', 512, 512, 512, 0, false],
  ['W5 Dense(128): 1024×784 · 784×128', 1024, 784, 128, 1, false],
  ['W5 Dense(64): 1024×128 · 128×64', 1024, 128, 64, 1, false],
  ['W5 Dense(10): 1024×64 · 64×10', 1024, 64, 10, 0, false],
  ['W1 Dense(128): 32×784 · 784×128', 32, 784, 128, 1, false],
  ['W1 dW of Dense(128): (32×784)ᵀ · 32×128', 784, 32, 128, 0, true],
  ['W1 Dense(64): 32×128 · 128×64', 32, 128, 64, 1, false],
  ...[64, 96, 128, 256, 512].map((M): [string, number, number, number, 0 | 1, boolean] => [
    `sweep: ${M}×784 · 784×128`,
    M,
    784,
    128,
    1,
    false,
  ]),
];

const floats = (M: number, K: number, N: number) => M * K + K * N + M * N + N;
const largest = Math.max(...shapes.map(([, M, K, N]) => floats(M, K, N)));
const { block, data } = allocateBlock(tier, largest + 64, 2);
// Every product splits here (the sweep finds where that pays); the shipped rule is printed beside.
const pool = new ThreadPool(2, block, { minMacs: 0 });
pool.attach(block);
if (!pool.waitReady(30_000)) throw new Error('the worker did not start within 30 s');
const split = pool.gemmOver(block);
const one = block.kernels.gemm;

/**
 * Wall µs per call of two functions: each calibrated to ≥ 20 ms a run, then 7 runs of each in
 * alternation (a change in the machine's load falls on both), the medians.
 */
function timePair(f1: () => void, f2: () => void): [number, number] {
  const calls = (fn: () => void) => {
    for (let n = 1; ; n *= 2) {
      const t = performance.now();
      for (let i = 0; i < n; i++) fn();
      if (performance.now() - t > 20) return n;
    }
  };
  const [n1, n2] = [calls(f1), calls(f2)];
  const runs: [number[], number[]] = [[], []];
  const run = (fn: () => void, n: number, into: number[]) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    into.push(((performance.now() - t) / n) * 1000);
  };
  for (let r = 0; r < 7; r++) {
    run(f1, n1, runs[0]);
    run(f2, n2, runs[1]);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[3]!;
  return [median(runs[0]), median(runs[1])];
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(
  `a second thread for the wasm products (${tier}; ${os.cpus().length} CPUs; load ${load()}); the library splits from M·K·N ≥ ${SPLIT_MIN_MACS.toLocaleString('en-US')}`,
);
for (const [name, M, K, N, relu, transA] of shapes) {
  // A, B, C, bias back to back in the block, filled with fixed values.
  const at = (f: number) => data.byteOffset + f * 4;
  const [a, b, c, bias] = [at(0), at(M * K), at(M * K + K * N), at(M * K + K * N + M * N)];
  for (let i = 0; i < M * K; i++) data[i] = Math.sin(i);
  for (let i = 0; i < K * N; i++) data[M * K + i] = Math.cos(i);
  const [sai, sak] = transA ? [1, M] : [K, 1];
  const product = (gemm: typeof one) => () =>
    gemm(a, sai, sak, b, N, c, 0, bias, M, K, N, 0, relu, block.panel);
  const cAt = M * K + K * N;
  product(one)();
  const want = data.slice(cAt, cAt + M * N);
  data.fill(0, cAt, cAt + M * N);
  const splits = pool.splits;
  product(split)();
  if (pool.splits === splits) throw new Error(`${name}: the product did not split`);
  for (let i = 0; i < M * N; i++)
    if (!Object.is(data[cAt + i], want[i])) throw new Error(`${name}: the split differs at ${i}`);
  const [chunks0, splits0] = [pool.workerChunks, pool.splits];
  const [t1, t2] = timePair(product(one), product(split));
  const share = (pool.workerChunks - chunks0) / (pool.splits - splits0);
  const gflops = (t: number) => ((2 * M * K * N) / t / 1e3).toFixed(1);
  const shipped = M * K * N >= SPLIT_MIN_MACS ? 'splits' : 'one thread';
  console.log(
    `  ${name.padEnd(42)} 1 thread ${t1.toFixed(1).padStart(8)} µs (${gflops(t1)} GFLOP/s)   2 threads ${t2.toFixed(1).padStart(8)} µs (${gflops(t2)})   ${(t1 / t2).toFixed(2)}×   (worker: ${share.toFixed(1)} chunks a product; library: ${shipped})`,
  );
}
// Sharing's fixed cost: a product too small for the worker to take a chunk before this thread
// has taken them all (posting the job, waking the worker, claiming the chunks).
const at = data.byteOffset;
const tiny = (gemm: typeof one) => () =>
  gemm(at, 1, 16, at, 8, at + 4096, 0, 0, 16, 1, 8, 0, 0, block.panel);
const [tinyOne, tinySplit] = timePair(tiny(one), tiny(split));
console.log(
  `  sharing's fixed cost (a 16×1·1×8 product): ${(tinySplit - tinyOne).toFixed(1)} µs (${tinyOne.toFixed(1)} → ${tinySplit.toFixed(1)} µs)`,
);
console.log(`  load at end ${load()}`);
pool.dispose();
