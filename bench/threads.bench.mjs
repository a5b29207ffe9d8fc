/**
 * Issue 12's "Both cores" measurement: does a second thread over a shared WebAssembly.Memory
 * pay for the wasm backend's products? The kernels (asm/kernels.ts) are built here with a
 * shared memory (asm/build.mjs compile(…, shared): the shipped builds import an unshared one),
 * one worker instantiates them over the same memory, and each product is split by rows of C:
 * the worker runs the lower part (its own panel buffer) while this thread runs the upper one,
 * woken and joined through Atomics on a control word. Shapes: W7's 512³, the MNIST MLP's
 * products at predict batch 1,024 (W5) and at training batch 32 (W1: forward, and dW = xᵀ·dz
 * split by its 784 rows). Wall time (two threads share the work, so CPU time would hide the
 * gain), median of 7 runs; the load average is printed, as a busy second core erases the gain.
 * Each split result is checked equal to the one-thread product. Run: node bench/threads.bench.mjs
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import os from 'node:os';

/** Control words (Int32, at byte 0, below the first buffer): 0 go, 1 done, 2… the gemm arguments. */
const GO = 0;
const DONE = 1;
const ARGS = 2;

if (!isMainThread) {
  const { module, memory } = workerData;
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(memory.buffer, 0, 16);
  parentPort.postMessage('ready');
  for (;;) {
    Atomics.wait(ctl, GO, 0);
    const [a, sai, sak, b, ldb, c, bias, M, K, N, relu, panel] = ctl.slice(ARGS, ARGS + 12);
    k.gemm(a, sai, sak, b, ldb, c, 0, bias, M, K, N, 0, relu, panel);
    Atomics.store(ctl, GO, 0);
    Atomics.store(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
} else {
  const { compile } = await import('../asm/build.mjs');
  const module = new WebAssembly.Module(await compile(false, true));
  const memory = new WebAssembly.Memory({ initial: 2048, maximum: 65536, shared: true });
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const worker = new Worker(new URL(import.meta.url), { workerData: { module, memory } });
  await new Promise((resolve) => worker.once('message', resolve));
  const ctl = new Int32Array(memory.buffer, 0, 16);
  const f32 = new Float32Array(memory.buffer);
  let top = 64;
  const alloc = (floats) => {
    const at = top;
    top += Math.ceil(floats / 16) * 64;
    return at;
  };
  const panels = [alloc(2048), alloc(2048)];

  /** C = A·B (+ bias, relu) on one thread, and split by rows over two. `transA`: A stored [K, M]. */
  function product(M, K, N, relu, transA) {
    const [a, b, c, bias] = [alloc(M * K), alloc(K * N), alloc(M * N), alloc(N)];
    for (let i = 0; i < M * K; i++) f32[a / 4 + i] = Math.sin(i);
    for (let i = 0; i < K * N; i++) f32[b / 4 + i] = Math.cos(i);
    const [sai, sak] = transA ? [1, M] : [K, 1];
    const run = (row, rows, panel) =>
      k.gemm(
        a + row * sai * 4,
        sai,
        sak,
        b,
        N,
        c + row * N * 4,
        0,
        bias,
        rows,
        K,
        N,
        0,
        relu,
        panel,
      );
    const one = () => run(0, M, panels[0]);
    const two = () => {
      const m0 = Math.max(4, Math.round(M / 8) * 4);
      ctl.set(
        [a + m0 * sai * 4, sai, sak, b, N, c + m0 * N * 4, bias, M - m0, K, N, relu, panels[1]],
        ARGS,
      );
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, GO, 1);
      Atomics.notify(ctl, GO);
      run(0, m0, panels[0]);
      while (Atomics.load(ctl, DONE) === 0) Atomics.wait(ctl, DONE, 0, 1);
    };
    return { one, two, c: c / 4, size: M * N };
  }

  /** Wall µs per call: calibrated to ≥ 20 ms a run, median of 7 runs. */
  function time(fn) {
    let n = 1;
    for (;;) {
      const t = performance.now();
      for (let i = 0; i < n; i++) fn();
      if (performance.now() - t > 20) break;
      n *= 2;
    }
    const runs = [];
    for (let r = 0; r < 7; r++) {
      const t = performance.now();
      for (let i = 0; i < n; i++) fn();
      runs.push(((performance.now() - t) / n) * 1000);
    }
    return runs.sort((x, y) => x - y)[3];
  }

  const shapes = [
    ['W7 512³', 512, 512, 512, 0, false],
    ['W5 Dense(128): 1024×784 · 784×128', 1024, 784, 128, 1, false],
    ['W5 Dense(64): 1024×128 · 128×64', 1024, 128, 64, 1, false],
    ['W1 Dense(128): 32×784 · 784×128', 32, 784, 128, 1, false],
    ['W1 dW of Dense(128): (32×784)ᵀ · 32×128', 784, 32, 128, 0, true],
    ['W1 Dense(64): 32×128 · 128×64', 32, 128, 64, 1, false],
  ];
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`a second thread for the wasm products (${os.cpus().length} CPUs; load ${load()})`);
  for (const [name, M, K, N, relu, transA] of shapes) {
    const p = product(M, K, N, relu, transA);
    p.one();
    const want = f32.slice(p.c, p.c + p.size);
    f32.fill(0, p.c, p.c + p.size);
    p.two();
    for (let i = 0; i < p.size; i++)
      if (f32[p.c + i] !== want[i]) throw new Error(`${name}: the split product differs at ${i}`);
    const [t1, t2] = [time(p.one), time(p.two)];
    const gflops = (t) => ((2 * M * K * N) / t / 1e3).toFixed(1);
    console.log(
      `  ${name.padEnd(42)} 1 thread ${t1.toFixed(1).padStart(8)} µs (${gflops(t1)} GFLOP/s)   2 threads ${t2.toFixed(1).padStart(8)} µs (${gflops(t2)})   ${(t1 / t2).toFixed(2)}×`,
    );
  }
  const empty = product(8, 1, 8, 0, false);
  console.log(
    `  a wake-and-join round trip (an 8×1·1×8 product split): ${time(empty.two).toFixed(1)} µs`,
  );
  console.log(`  load at end ${load()}`);
  await worker.terminate();
}
