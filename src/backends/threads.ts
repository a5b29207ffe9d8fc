/**
 * The `threads` option (issue 12, "Both cores"): workers that run a share of the wasm backend's
 * large forward products over the session's block, a shared WebAssembly.Memory. Each worker
 * instantiates the same kernels over the same memory and waits on a control word; a product
 * above SPLIT_MIN_MACS is cut by rows of C, the workers are woken (Atomics.notify), this thread
 * runs the first rows and joins the others. Each row's arithmetic is the one-thread product's
 * (the cut keeps the 4-row tiles and the packed path, see splitRows), so the outputs are
 * bit-identical whatever the number of threads.
 *
 * Only inference and evaluation plans split (wasm.ts asks for `ctx.mode !== 'training'`): a
 * batch-32 training step's products measured 0.4–1.3× with two threads (a wake-and-join costs
 * 16–40 µs, as much as a whole product there), so training stays on one thread.
 *
 * Nothing waits on a worker that may not answer: a worker boots and attaches in the background
 * (a product runs on one thread until every worker answers for this block), and the join after
 * a split has a deadline, after which this thread computes the missing rows itself and the pool
 * is shut (one thread from then on, with a warning). Workers are Node's worker_threads, started
 * from inline code (`eval`, so a bundle has no extra file to find) and unref'd, so a process that
 * never disposes its model still exits; a collected backend shuts its pool (FinalizationRegistry).
 */
import type { Block, KernelExports } from './wasm-block.js';
import { sharedModuleOf } from './wasm-block.js';

/** The most threads a model may ask for. */
export const MAX_THREADS = 16;

/**
 * Products (M·K·N multiply-adds) from which a split pays: bench/threads.bench.ts measured the
 * break-even (a free second core) between 32×784×128 (3.2M: 0.8–1.3×) and 1024×128×64 (8.4M),
 * and 1.6–2× from 1024×784×128 (103M, W5's first layer) and 512³ on.
 */
export const SPLIT_MIN_MACS = 1 << 23;

/** A product's arguments, as KernelExports.gemm takes them. */
export type Gemm = KernelExports['gemm'];

/** Int32 words per worker in the control buffer (its own 128-byte line). */
const WORDS = 32;
/** Control words: the command, the done flag, the worker's state, the block it runs over, then gemm's 14 arguments. */
const CMD = 0;
const DONE = 1;
const STATE = 2;
const ATTACHED = 3;
const ARGS = 4;
/** Commands. */
const IDLE = 0;
const RUN = 1;
const ATTACH = 2;
const EXIT = 3;
/** States. */
const READY = 1;
const FAILED = -1;
/** How long the first product over a new block waits for a booted worker to attach it. */
const ATTACH_WAIT_MS = 50;
/** Rows of C in one register tile (asm/kernels.ts MR): a cut between tiles keeps each row's arithmetic. */
const MR = 4;

/**
 * The worker's code (CommonJS, run with `eval: true`): drain the blocks attached since the last
 * command, wait for one, run it. Its failures are states in the control words, never a throw
 * nobody sees.
 */
export const workerSource = `
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const at = workerData.index * ${WORDS};
const ctl = new Int32Array(workerData.control, at * 4, ${WORDS});
const arg = new Uint32Array(workerData.control, at * 4, ${WORDS});
let kernels = null;
Atomics.store(ctl, ${STATE}, ${READY});
Atomics.notify(ctl, ${STATE});
for (;;) {
  for (let m; (m = receiveMessageOnPort(parentPort)); ) {
    try {
      const { module, memory, generation } = m.message;
      kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
      Atomics.store(ctl, ${ATTACHED}, generation);
    } catch {
      Atomics.store(ctl, ${STATE}, ${FAILED});
    }
  }
  Atomics.wait(ctl, ${CMD}, ${IDLE});
  const cmd = Atomics.load(ctl, ${CMD});
  if (cmd === ${EXIT}) break;
  if (cmd === ${RUN}) {
    try {
      const a = (i) => arg[${ARGS} + i];
      kernels.gemm(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10), a(11), a(12), a(13));
    } catch {
      Atomics.store(ctl, ${STATE}, ${FAILED});
    }
  }
  Atomics.store(ctl, ${CMD}, ${IDLE});
  if (cmd === ${RUN}) {
    Atomics.store(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;

/** The part of Node's Worker used here. */
interface NodeWorker {
  postMessage(message: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error' | 'exit', listener: (e: unknown) => void): void;
}
type WorkerConstructor = new (
  code: string,
  options: { eval: true; workerData: unknown },
) => NodeWorker;

/** Node's Worker, reached without a static import so that a browser bundle never asks for it. */
function nodeWorker(): WorkerConstructor | null {
  const proc = Reflect.get(globalThis, 'process') as
    { getBuiltinModule?: (id: string) => unknown } | undefined;
  const threads = proc?.getBuiltinModule?.('node:worker_threads') as
    { Worker?: WorkerConstructor } | undefined;
  return threads?.Worker ?? null;
}

/**
 * Why this engine cannot run the threads option, or null when it can: it needs shared memory,
 * Atomics.wait on this thread (a browser page's main thread refuses it), Node's worker_threads
 * (Node 20.16+, for process.getBuiltinModule; browsers' Workers cannot take a message
 * synchronously) and the tier's shared build.
 */
export function threadsUnavailable(tier: 'relaxed' | 'simd'): string | null {
  if (typeof SharedArrayBuffer !== 'function')
    return 'shared memory is not available (a browser page needs cross-origin isolation)';
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return 'this thread may not block on Atomics.wait (a browser main thread)';
  }
  if (!nodeWorker()) return "Node's worker_threads are not available here (Node 20.16+ has them)";
  if (!sharedModuleOf(tier))
    return 'this engine does not validate the kernels over a shared memory (WebAssembly threads)';
  return null;
}

/** Test and bench hooks: the workers' code, the join's deadline, where warnings go, the split size. */
export interface PoolOptions {
  source?: string;
  /** Multiply-adds from which a product splits (default SPLIT_MIN_MACS; the bench sweeps it). */
  minMacs?: number;
  /** The join's deadline beyond twenty times this thread's own share (default 2,000 ms). */
  joinTimeoutMs?: number;
  warn?: (message: string) => void;
}

/** Shuts a collected backend's pool: its workers would otherwise wait for a command forever. */
const collected = new FinalizationRegistry<ThreadPool>((pool) => pool.dispose());

/** `threads − 1` workers that run shares of products over the blocks attached to them. */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly arg: Uint32Array;
  private workers: NodeWorker[] = [];
  private generation = 0;
  /** The last generation whose attachment a product waited for (once per block, not per product). */
  private waited = 0;
  private failed = false;
  private readonly joinTimeoutMs: number;
  private readonly minMacs: number;
  private readonly warn: (message: string) => void;
  /** Per worker p (from 1): gemm's signature, handing the product to that worker. */
  private readonly starters: Gemm[] = [];
  /** Products split so far (tests and the bench check that the workers ran). */
  splits = 0;

  /** Starts the workers (in the background: nothing here waits for them); `owner` shuts them when collected. */
  constructor(
    readonly threads: number,
    owner: object,
    options: PoolOptions = {},
  ) {
    const control = new SharedArrayBuffer(threads * WORDS * 4);
    this.ctl = new Int32Array(control);
    this.arg = new Uint32Array(control);
    this.joinTimeoutMs = options.joinTimeoutMs ?? 2000;
    this.minMacs = options.minMacs ?? SPLIT_MIN_MACS;
    this.warn = options.warn ?? ((m) => console.warn(`nnlang: ${m}`));
    for (let p = 1; p < threads; p++) this.starters[p] = this.starter(p);
    const Worker = nodeWorker();
    try {
      if (!Worker) throw new Error("Node's worker_threads are not available");
      for (let index = 1; index < threads; index++) {
        const worker = new Worker(options.source ?? workerSource, {
          eval: true,
          workerData: { control, index },
        });
        worker.unref();
        // Seen only when this thread returns to its event loop; until then a worker that
        // never answers is a worker whose products this thread computes.
        worker.on('error', (e) => this.fail(`a worker failed (${String(e)})`));
        worker.on('exit', () => this.fail('a worker exited'));
        this.workers.push(worker);
      }
    } catch (e) {
      this.fail(`cannot start a worker (${e instanceof Error ? e.message : String(e)})`);
    }
    collected.register(owner, this, this);
  }

  /** Whether products may still be split (false after a failure or dispose()). */
  get alive(): boolean {
    return !this.failed;
  }

  /** Points every worker at a new block; until they have instantiated the kernels over it, its products run here. */
  attach(block: Block): void {
    if (this.failed) return;
    const generation = ++this.generation;
    for (let i = 1; i < this.threads; i++) {
      this.workers[i - 1]!.postMessage({ module: block.module, memory: block.memory, generation });
      Atomics.compareExchange(this.ctl, i * WORDS + CMD, IDLE, ATTACH);
      Atomics.notify(this.ctl, i * WORDS + CMD);
    }
  }

  /**
   * Blocks until every worker runs over the last attached block, at most `ms` milliseconds;
   * whether they do. Tests and the bench use it: the library never waits for a worker.
   */
  waitReady(ms: number): boolean {
    const end = performance.now() + ms;
    for (let i = 1; i < this.threads; i++) {
      const at = i * WORDS + ATTACHED;
      for (let seen = Atomics.load(this.ctl, at); seen !== this.generation;) {
        const left = end - performance.now();
        if (this.failed || left <= 0) return false;
        Atomics.wait(this.ctl, at, seen, Math.min(left, 5));
        seen = Atomics.load(this.ctl, at);
      }
    }
    return !this.failed;
  }

  /** The block's gemm, split over the workers when a product is large enough and they are ready. */
  gemmOver(block: Block): Gemm {
    const generation = this.generation;
    const one = block.kernels.gemm;
    const { panels } = block;
    // Plain loops over explicit arguments: a split allocates nothing.
    return (a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu, panel) => {
      const parts = M * K * N >= this.minMacs ? this.ready(generation, M) : 1;
      if (parts <= 1) return one(a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu, panel);
      for (let p = 1; p < parts; p++) {
        const start = this.starters[p]!;
        part(
          start,
          p,
          parts,
          a,
          sai,
          sak,
          b,
          ldb,
          c,
          z,
          bias,
          M,
          K,
          N,
          accumulate,
          relu,
          panels[p]!,
        );
      }
      const t0 = performance.now();
      part(one, 0, parts, a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu, panel);
      const deadline = this.joinTimeoutMs + 20 * (performance.now() - t0);
      for (let p = 1; p < parts; p++) {
        if (this.join(p, t0 + deadline)) continue;
        this.fail(
          `a worker did not finish its share of a product within ${Math.round(deadline)} ms`,
        );
        part(one, p, parts, a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu, panel);
      }
      this.splits++;
    };
  }

  /** Stops the workers; products run on this thread from then on. */
  dispose(): void {
    if (this.failed && this.workers.length === 0) return;
    this.failed = true;
    for (let i = 1; i < this.threads; i++) {
      Atomics.store(this.ctl, i * WORDS + CMD, EXIT);
      Atomics.notify(this.ctl, i * WORDS + CMD);
    }
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    collected.unregister(this);
  }

  /** Parts a product of M rows splits into now: 1 unless every worker is idle over this block. */
  private ready(generation: number, M: number): number {
    if (this.failed || generation !== this.generation) return 1;
    const parts = Math.min(this.threads, Math.floor((M - (M % MR)) / (2 * MR)));
    for (let p = 1; p < parts; p++) {
      const at = p * WORDS;
      if (Atomics.load(this.ctl, at + STATE) === FAILED) {
        this.fail('a worker could not run the kernels');
        return 1;
      }
      if (!this.attached(at, generation)) return 1;
      if (Atomics.load(this.ctl, at + CMD) !== IDLE) return 1;
    }
    return parts;
  }

  /**
   * Whether the worker at `at` runs over the block of `generation`. A booted worker attaches a
   * new block within a millisecond or so: the first product over a block waits for that, at
   * most ATTACH_WAIT_MS, so a predict that binds its plan and runs one batch still splits; a
   * worker still booting (tens to hundreds of ms) is not waited for.
   */
  private attached(at: number, generation: number): boolean {
    const seen = Atomics.load(this.ctl, at + ATTACHED);
    if (seen === generation) return true;
    if (Atomics.load(this.ctl, at + STATE) !== READY || this.waited === generation) return false;
    this.waited = generation;
    Atomics.wait(this.ctl, at + ATTACHED, seen, ATTACH_WAIT_MS);
    return Atomics.load(this.ctl, at + ATTACHED) === generation;
  }

  /** A gemm that hands worker p its product (its arguments into the control words) and wakes it. */
  private starter(p: number): Gemm {
    const { ctl, arg } = this;
    const at = p * WORDS;
    return (a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu, panel) => {
      arg[at + ARGS] = a;
      arg[at + ARGS + 1] = sai;
      arg[at + ARGS + 2] = sak;
      arg[at + ARGS + 3] = b;
      arg[at + ARGS + 4] = ldb;
      arg[at + ARGS + 5] = c;
      arg[at + ARGS + 6] = z;
      arg[at + ARGS + 7] = bias;
      arg[at + ARGS + 8] = M;
      arg[at + ARGS + 9] = K;
      arg[at + ARGS + 10] = N;
      arg[at + ARGS + 11] = accumulate;
      arg[at + ARGS + 12] = relu;
      arg[at + ARGS + 13] = panel;
      Atomics.store(ctl, at + DONE, 0);
      Atomics.store(ctl, at + CMD, RUN);
      Atomics.notify(ctl, at + CMD);
    };
  }

  /** Waits for worker p's share until `end` (performance.now() time); whether it finished. */
  private join(p: number, end: number): boolean {
    const at = p * WORDS + DONE;
    while (Atomics.load(this.ctl, at) === 0) {
      const left = end - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.ctl, at, 0, Math.min(left, 50));
    }
    return Atomics.load(this.ctl, p * WORDS + STATE) !== FAILED;
  }

  /** Shuts the pool after a failure, once, with a warning: products run on this thread from then on. */
  private fail(reason: string): void {
    if (this.failed) return;
    this.warn(`${reason}; the model runs on one thread from now on.`);
    this.dispose();
  }
}

/** Runs rows [splitRows(p), splitRows(p + 1)) of a product with `run`. */
function part(
  run: Gemm,
  p: number,
  parts: number,
  a: number,
  sai: number,
  sak: number,
  b: number,
  ldb: number,
  c: number,
  z: number,
  bias: number,
  M: number,
  K: number,
  N: number,
  accumulate: number,
  relu: number,
  panel: number,
): void {
  const r0 = splitRows(M, parts, p);
  const rows = splitRows(M, parts, p + 1) - r0;
  const rowBytes = r0 * N * 4;
  run(
    a + r0 * sai * 4,
    sai,
    sak,
    b,
    ldb,
    c + rowBytes,
    z && z + rowBytes,
    bias,
    rows,
    K,
    N,
    accumulate,
    relu,
    panel,
  );
}

/**
 * The first row of part `p` of `parts` over M rows: whole 4-row tiles, spread evenly, the rows
 * past the last tile in the last part. Every part keeps at least two tiles (the caller's
 * `parts` ≤ M4 / 8), so each takes gemm's packed path exactly when the whole product does and
 * every row is computed by the same instructions in the same order as on one thread.
 */
export function splitRows(M: number, parts: number, p: number): number {
  if (p >= parts) return M;
  const tiles = Math.floor(M / MR);
  return Math.floor((p * tiles) / parts) * MR;
}
