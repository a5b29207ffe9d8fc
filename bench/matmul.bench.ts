/**
 * A by-hand benchmark of the matmul kernels (not a unit test): `npm run bench:matmul`.
 * Prints GFLOP/s for square and Dense-shaped products, a naive ijk loop for comparison, the wasm
 * backend's kernels on both tiers (plain and relaxed SIMD) with each tier's measured peak, and
 * the per-call time of a 4-8-3 Dense model at batch 1.
 */
import os from 'node:os';
import { addBias, matmul, matmulTransA, matmulTransB } from '../src/kernels/matmul.js';
import { activationForward, resolveActivation } from '../src/kernels/activations.js';
import { wasmTier } from '../src/backends/index.js';
import { allocateBlock, SCRATCH_FLOATS } from '../src/backends/wasm-block.js';
import { inRelaxedChild, relaxedFlag } from './relaxed-child.js';

type Kernel = typeof matmul;

function filled(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 2147483648 - 0.5;
  }
  return out;
}

function naiveIjk(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  M: number,
  K: number,
  N: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k]! * b[k * N + j]!;
      c[i * N + j] = s;
    }
  }
}

/** Seconds of CPU time this process has used: steadier than wall time when other jobs share the cores. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** [wall-clock GFLOP/s, CPU-time GFLOP/s] of one kernel on one shape. */
function gflops(kernel: Kernel, M: number, K: number, N: number): [number, number] {
  const a = filled(M * K, 1);
  const b = filled(K * N, 2);
  const c = new Float32Array(M * N);
  for (let w = 0; w < 3; w++) kernel(a, b, c, M, K, N, false);
  let reps = 0;
  const start = performance.now();
  const cpuStart = cpuSeconds();
  while (performance.now() - start < 1500 || reps < 3) {
    kernel(a, b, c, M, K, N, false);
    reps++;
  }
  const flops = 2 * M * K * N * reps;
  return [
    flops / ((performance.now() - start) / 1000) / 1e9,
    flops / (cpuSeconds() - cpuStart) / 1e9,
  ];
}

const cases: [string, Kernel, number, number, number][] = [
  ['matmul 512³', matmul, 512, 512, 512],
  ['matmulTransA 512³', matmulTransA, 512, 512, 512],
  ['matmulTransB 512³', matmulTransB, 512, 512, 512],
  ['matmul 1024³', matmul, 1024, 1024, 1024],
  ['matmul 128×784×256 (Dense forward)', matmul, 128, 784, 256],
  ['matmulTransA 784×128×256 (dW)', matmulTransA, 784, 128, 256],
  ['matmulTransB 128×256×784 (dx)', matmulTransB, 128, 256, 784],
  ['naive ijk 512³', (a, b, c, M, K, N) => naiveIjk(a, b, c, M, K, N), 512, 512, 512],
];

/** [wall, CPU-time] GFLOP/s of a run of `call` doing `flops` per call, for ≥ 1.5 s. */
function timed(call: () => void, flops: number): [number, number] {
  for (let w = 0; w < 3; w++) call();
  let reps = 0;
  const start = performance.now();
  const cpuStart = cpuSeconds();
  while (performance.now() - start < 1500 || reps < 3) {
    call();
    reps++;
  }
  const total = flops * reps;
  return [
    total / ((performance.now() - start) / 1000) / 1e9,
    total / (cpuSeconds() - cpuStart) / 1e9,
  ];
}

type WasmKind = 'gemm' | 'transA' | 'transB';

/** The wasm backend's kernels on one tier and shape, operands in one block. */
function wasmGflops(
  tier: 'simd' | 'relaxed',
  kind: WasmKind,
  M: number,
  K: number,
  N: number,
): [number, number] {
  const { block, data } = allocateBlock(tier, M * K + K * N + M * N);
  data.set(filled(M * K + K * N, 1));
  const a = data.byteOffset;
  const b = a + M * K * 4;
  const c = b + K * N * 4;
  const kern = block.kernels;
  const kc = Math.max(1, Math.floor(SCRATCH_FLOATS / N));
  const call =
    kind === 'gemm'
      ? () => kern.gemm(a, K, 1, b, N, c, 0, 0, M, K, N, 0, 0, block.panel)
      : kind === 'transA'
        ? () => kern.gemm(a, 1, M, b, N, c, 0, 0, M, K, N, 0, 0, block.panel)
        : () => kern.gemmTransB(a, b, c, M, K, N, block.scratch, kc, 0, block.panel);
  return timed(call, 2 * M * K * N);
}

/** The MLP's shapes at batch 32 and 128 (and W7's square), forward and transposed. */
const wasmCases: [string, WasmKind, number, number, number][] = [
  ['gemm 512³', 'gemm', 512, 512, 512],
  ['gemm 32×784×128 (Dense 1 forward)', 'gemm', 32, 784, 128],
  ['gemm 128×784×128 (Dense 1 forward)', 'gemm', 128, 784, 128],
  ['gemm 1×784×128 (Dense 1, one row)', 'gemm', 1, 784, 128],
  ['transA 784×32×128 (Dense 1 dW)', 'transA', 784, 32, 128],
  ['transA 784×128×128 (Dense 1 dW)', 'transA', 784, 128, 128],
  ['transB 32×128×64 (Dense 2 dx)', 'transB', 32, 128, 64],
  ['transB 32×64×128 (Dense 2 dx)', 'transB', 32, 64, 128],
  ['transB 128×256×784 (dx)', 'transB', 128, 256, 784],
];
const peakName = '128-bit SIMD peak (12 madd chains)';

/** [wall, CPU-time] GFLOP/s of every wasm case on one tier, then its SIMD peak. */
function wasmFigures(tier: 'simd' | 'relaxed'): [number, number][] {
  const out = wasmCases.map(([, kind, M, K, N]) => wasmGflops(tier, kind, M, K, N));
  const { block } = allocateBlock(tier, 4);
  const iters = 1_000_000;
  out.push(timed(() => block.kernels.simdPeak(iters), 96 * iters));
  return out;
}

/**
 * Both tiers side by side: plain SIMD here, relaxed SIMD here where this engine runs it, else
 * in a child Node with the flag (this script with --relaxed-json: the figures as JSON only).
 */
function wasmReport(): void {
  const tier = wasmTier();
  if (tier === null) {
    console.log('\nwasm kernels: no WebAssembly SIMD in this engine');
    return;
  }
  const simd = wasmFigures('simd');
  let relaxed: [number, number][] | null = null;
  let where = 'in this process';
  if (tier === 'relaxed') relaxed = wasmFigures('relaxed');
  else {
    const child = inRelaxedChild('bench/matmul.bench.ts', ['--relaxed-json']);
    if (child.ok) relaxed = (child.value as { figures: [number, number][] }).figures;
    where = child.ok ? `in a child node ${relaxedFlag}` : `skipped: ${child.reason}`;
  }
  console.log(
    `\nwasm backend kernels, GFLOP/s of CPU time (wall): plain SIMD | relaxed SIMD (${where})`,
  );
  const cell = (f: [number, number] | undefined) =>
    f ? `${f[1].toFixed(2)} (${f[0].toFixed(2)})`.padEnd(15) : '–'.padEnd(15);
  [...wasmCases.map((c) => c[0]), peakName].forEach((name, i) => {
    const ratio = relaxed ? ` ${(relaxed[i]![1] / simd[i]![1]).toFixed(2)}×` : '';
    console.log(`${name.padEnd(40)} ${cell(simd[i])} | ${cell(relaxed?.[i])}${ratio}`);
  });
}

/** The JavaScript kernels on each case. */
function jsReport(): void {
  for (const [name, kernel, M, K, N] of cases) {
    const [wall, cpu] = gflops(kernel, M, K, N);
    console.log(
      `${name.padEnd(40)} ${wall.toFixed(2)} GFLOP/s wall, ${cpu.toFixed(2)} GFLOP/s CPU time`,
    );
  }
}

// A 4-8-3 model at batch 1: relu hidden layer, softmax output.
const x = filled(4, 3);
const w1 = filled(32, 4);
const b1 = filled(8, 5);
const w2 = filled(24, 6);
const b2 = filled(3, 7);
const h = new Float32Array(8);
const y = new Float32Array(3);
const relu = resolveActivation('relu');
const softmax = resolveActivation('softmax');
function predict(): void {
  matmul(x, w1, h, 1, 4, 8, false);
  addBias(h, b1, 1, 8);
  activationForward(relu, h, h, 1, 8);
  matmul(h, w2, y, 1, 8, 3, false);
  addBias(y, b2, 1, 3);
  activationForward(softmax, y, y, 1, 3);
}

/** The per-call time of the 4-8-3 model's predict on the JavaScript kernels. */
function tinyReport(): void {
  for (let i = 0; i < 200_000; i++) predict();
  const calls = 2_000_000;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) predict();
  const perCall = ((performance.now() - t0) * 1000) / calls;
  console.log(`${'4-8-3 predict, batch 1'.padEnd(40)} ${(perCall * 1000).toFixed(0)} ns per call`);
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

if (process.argv.includes('--relaxed-json')) {
  // The child of wasmReport: the relaxed tier's figures, or a failure it reports.
  if (wasmTier() !== 'relaxed') throw new Error('relaxed SIMD does not validate in this engine');
  console.log(JSON.stringify({ figures: wasmFigures('relaxed') }));
} else {
  console.log(`load average at start: ${load()}`);
  jsReport();
  wasmReport();
  tinyReport();
  console.log(`load average at end: ${load()}`);
}
