/**
 * The `threads` option (issue 12, "Both cores"): workers that compute chunks of the wasm
 * backend's large forward products over the session's block, a shared WebAssembly.Memory. Each
 * worker instantiates the same kernels over the same memory and waits on a control word; a
 * product above SPLIT_MIN_MACS is cut into chunks of rows of C, the idle workers are woken
 * (Atomics.notify), and every thread, this one included, claims chunks until none is left
 * (threads-worker.ts), so a worker whose core is busy costs at most the chunk it took, not half
 * the product. Each row's arithmetic is the one-thread product's (the cuts keep both builds'
 * register tiles and the packed path, see splitRows), so the outputs are bit-identical whatever
 * the number of threads.
 *
 * Only inference and evaluation plans split (wasm.ts asks for `ctx.mode !== 'training'`): a
 * batch-32 training step's products measured 0.4–1.3× with two threads (a wake-and-join costs
 * 16–40 µs, as much as a whole product there), so training stays on one thread.
 *
 * Nothing waits on a worker that may not answer: a worker boots and attaches in the background
 * (it takes no chunk until it runs over the block), and the wait for chunks other threads took
 * has a deadline, after which this thread computes them itself and the pool is shut (one thread
 * from then on, with a warning). Workers are Node's worker_threads, started from inline code
 * (`eval`, so a bundle has no extra file to find) and unref'd, so a process that never disposes
 * its model still exits; a collected backend shuts its pool (FinalizationRegistry). A worker
 * waits for a command without a timeout: every command (run, attach, exit) notifies it, and
 * its process exiting ends it.
 */
import type { Block, KernelExports } from './wasm-block.js';
import { sharedModuleOf } from './wasm-block.js';
import {
  ARGS,
  ATTACH,
  ATTACHED,
  BLOCK,
  BROKEN,
  CHUNK_DONE,
  CHUNKS,
  CMD,
  COMPLETED,
  controlWords,
  CUTS,
  EXIT,
  FAILED,
  IDLE,
  JOB,
  MAX_CHUNKS,
  NEXT,
  READY,
  RUN,
  STATE,
  workerAt,
  workerSource,
} from './threads-worker.js';

/** The most threads a model may ask for. */
export const MAX_THREADS = 16;

/**
 * Products (M·K·N multiply-adds) from which a split pays: `npm run bench:threads` (issue 12's
 * measurement, a free second core) put the break-even between 32×784×128 (3.2M: 0.4–1.3×) and
 * 1024×128×64 (8.4M), and 1.6–2× from 1024×784×128 (103M, W5's first layer) and 512³ on; with
 * the core busy (load 7–15 on 2 CPUs) products of 8–13M ran at 0.85–1.0×, so the split starts
 * at twice the break-even: a 784→128 layer from 168 rows.
 */
export const SPLIT_MIN_MACS = 1 << 24;

/** A product's arguments, as KernelExports.gemm takes them. */
export type Gemm = KernelExports['gemm'];

/** How long the first product over a new block waits for a booted worker to attach it. */
const ATTACH_WAIT_MS = 50;
/**
 * Rows a cut keeps together: a multiple of both builds' register-tile heights (asm/kernels.ts
 * MR: 4 rows on plain SIMD, 6 on relaxed), so a cut never moves a row from a tile (fused
 * multiply-adds on relaxed) to the row-by-row kernel (multiply then add) and each row's
 * arithmetic is the one-thread product's on either tier.
 */
export const CUT_ROWS = 12;
/** Chunks per thread of a product: small enough to share well when a core is busy, large enough that packing B once per chunk costs little. */
const CHUNKS_PER_THREAD = 4;

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

/** `threads − 1` workers that compute chunks of products over the blocks attached to them. */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly arg: Uint32Array;
  private workers: NodeWorker[] = [];
  private generation = 0;
  /** The last generation whose attachment a product waited for (once per block, not per product). */
  private waited = 0;
  private job = 0;
  /** Per worker: 1 when the job being posted wakes it. */
  private readonly picked: Uint8Array;
  private failed = false;
  private readonly joinTimeoutMs: number;
  private readonly minMacs: number;
  private readonly warn: (message: string) => void;
  /** Products shared so far, and the chunks of them the workers computed (tests and the bench check that they ran). */
  splits = 0;
  workerChunks = 0;

  /** Starts the workers (in the background: nothing here waits for them); `owner` shuts them when collected. */
  constructor(
    readonly threads: number,
    owner: object,
    options: PoolOptions = {},
  ) {
    const control = new SharedArrayBuffer(controlWords(threads) * 4);
    this.ctl = new Int32Array(control);
    this.arg = new Uint32Array(control);
    this.picked = new Uint8Array(threads);
    this.joinTimeoutMs = options.joinTimeoutMs ?? 2000;
    this.minMacs = options.minMacs ?? SPLIT_MIN_MACS;
    this.warn = options.warn ?? ((m) => console.warn(`nnlang: ${m}`));
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
        // never answers is one whose chunks this thread computes.
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

  /** Points every worker at a new block; until one has instantiated the kernels over it, it takes no chunk. */
  attach(block: Block): void {
    if (this.failed) return;
    const generation = ++this.generation;
    for (let p = 1; p < this.threads; p++) {
      const { module, memory } = block;
      const panel = block.panels[p]!;
      this.workers[p - 1]!.postMessage({ module, memory, generation, panel });
      Atomics.compareExchange(this.ctl, workerAt(p) + CMD, IDLE, ATTACH);
      Atomics.notify(this.ctl, workerAt(p) + CMD);
    }
  }

  /**
   * Blocks until every worker runs over the last attached block, at most `ms` milliseconds;
   * whether they do. Tests and the bench use it: the library never waits for a worker to boot.
   */
  waitReady(ms: number): boolean {
    const end = performance.now() + ms;
    for (let p = 1; p < this.threads; p++) {
      const at = workerAt(p) + ATTACHED;
      for (let seen = Atomics.load(this.ctl, at); seen !== this.generation;) {
        const left = end - performance.now();
        if (this.failed || left <= 0) return false;
        Atomics.wait(this.ctl, at, seen, Math.min(left, 5));
        seen = Atomics.load(this.ctl, at);
      }
    }
    return !this.failed;
  }

  /** The block's gemm, shared with the workers when a product is large enough and one is ready. */
  gemmOver(block: Block): Gemm {
    const generation = this.generation;
    const one = block.kernels.gemm;
    // Plain loops over explicit arguments: a split allocates nothing.
    return (a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu, panel) => {
      const chunks = M * K * N >= this.minMacs ? this.post(generation, M) : 0;
      if (chunks < 2) return one(a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu, panel);
      const { ctl, arg } = this;
      arg[ARGS] = a;
      arg[ARGS + 1] = sai;
      arg[ARGS + 2] = sak;
      arg[ARGS + 3] = b;
      arg[ARGS + 4] = ldb;
      arg[ARGS + 5] = c;
      arg[ARGS + 6] = z;
      arg[ARGS + 7] = bias;
      arg[ARGS + 8] = M;
      arg[ARGS + 9] = K;
      arg[ARGS + 10] = N;
      arg[ARGS + 11] = accumulate;
      arg[ARGS + 12] = relu;
      this.wake();
      const t0 = performance.now();
      let mine = 0;
      for (let i = this.claim(); i >= 0; i = this.claim(), mine++) chunk(one, i, ctl, arg, panel);
      const deadline = t0 + this.joinTimeoutMs + 20 * (performance.now() - t0);
      if (!this.join(chunks, deadline)) {
        this.fail('a worker did not finish its share of a product in time');
        for (let i = 0; i < chunks; i++)
          if (Atomics.load(ctl, CHUNK_DONE + i) === 0) chunk(one, i, ctl, arg, panel);
      }
      this.splits++;
      this.workerChunks += chunks - mine;
    };
  }

  /** Stops the workers; products run on this thread from then on. */
  dispose(): void {
    if (this.failed && this.workers.length === 0) return;
    this.failed = true;
    for (let p = 1; p < this.threads; p++) {
      Atomics.store(this.ctl, workerAt(p) + CMD, EXIT);
      Atomics.notify(this.ctl, workerAt(p) + CMD);
    }
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    collected.unregister(this);
  }

  /**
   * Opens a job of M rows over the block of `generation` when a worker is idle over it: its
   * chunks' cuts written, NEXT opened for the new job number; the chunk count, or 0 (one thread).
   */
  private post(generation: number, M: number): number {
    if (this.failed || generation !== this.generation) return 0;
    let idle = 0;
    for (let p = 1; p < this.threads; p++) {
      this.picked[p] = this.idle(p, generation) ? 1 : 0;
      idle += this.picked[p]!;
    }
    const tiles = Math.floor(M / CUT_ROWS);
    const chunks = Math.min(MAX_CHUNKS, (idle + 1) * CHUNKS_PER_THREAD, Math.floor(tiles / 2));
    if (idle === 0 || chunks < 2) return 0;
    const { ctl, arg } = this;
    this.job = (this.job + 1) & 0xffffff;
    // NEXT first: a late worker of the last job can claim nothing from here on.
    Atomics.store(ctl, NEXT, this.job << 8);
    for (let i = 0; i <= chunks; i++) arg[CUTS + i] = splitRows(M, chunks, i);
    for (let i = 0; i < chunks; i++) ctl[CHUNK_DONE + i] = 0;
    arg[CHUNKS] = chunks;
    arg[BLOCK] = generation;
    Atomics.store(ctl, COMPLETED, 0);
    return chunks;
  }

  /**
   * Publishes the job (its arguments are written) and wakes the workers post() picked: over
   * this block, idle or with an attach not yet acknowledged (a worker takes the attached blocks
   * before any command).
   */
  private wake(): void {
    const ctl = this.ctl;
    Atomics.store(ctl, JOB, this.job);
    for (let p = 1; p < this.threads; p++) {
      if (this.picked[p] === 0) continue;
      const at = workerAt(p) + CMD;
      const was = Atomics.load(ctl, at);
      const free = was === IDLE || was === ATTACH;
      if (free && Atomics.compareExchange(ctl, at, was, RUN) === was) Atomics.notify(ctl, at);
    }
  }

  /** Claims the job's next chunk for this thread: its index, or −1 when every chunk is taken. */
  private claim(): number {
    const ctl = this.ctl;
    const chunks = this.arg[CHUNKS]!;
    for (;;) {
      const next = Atomics.load(ctl, NEXT);
      const i = next & 255;
      if (i >= chunks) return -1;
      if (Atomics.compareExchange(ctl, NEXT, next, next + 1) === next) return i;
    }
  }

  /** Waits until every chunk is computed, or a worker broke, or `end` passed; whether all were. */
  private join(chunks: number, end: number): boolean {
    const ctl = this.ctl;
    for (let done = Atomics.load(ctl, COMPLETED); done < chunks;) {
      const left = end - performance.now();
      if (left <= 0 || Atomics.load(ctl, BROKEN) !== 0) return false;
      Atomics.wait(ctl, COMPLETED, done, Math.min(left, 50));
      done = Atomics.load(ctl, COMPLETED);
    }
    return true;
  }

  /** Whether worker p may take a job now: over this block, idle (or acknowledging an attach), not failed. */
  private idle(p: number, generation: number): boolean {
    const at = workerAt(p);
    if (Atomics.load(this.ctl, at + STATE) === FAILED) {
      this.fail('a worker could not run the kernels');
      return false;
    }
    const cmd = Atomics.load(this.ctl, at + CMD);
    return this.attached(at, generation) && (cmd === IDLE || cmd === ATTACH);
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

  /** Shuts the pool after a failure, once, with a warning: products run on this thread from then on. */
  private fail(reason: string): void {
    if (this.failed) return;
    this.warn(`${reason}; the model runs on one thread from now on.`);
    this.dispose();
  }
}

/**
 * Computes chunk i of the posted job with `run` (its arguments and cuts read back from the
 * control words, as a worker reads them; `panel` this thread's), and counts it done.
 */
function chunk(run: Gemm, i: number, ctl: Int32Array, arg: Uint32Array, panel: number): void {
  const r0 = arg[CUTS + i]!;
  const rows = arg[CUTS + i + 1]! - r0;
  const sai = arg[ARGS + 1]!;
  const N = arg[ARGS + 10]!;
  const rowBytes = r0 * N * 4;
  const z = arg[ARGS + 6]!;
  run(
    arg[ARGS]! + r0 * sai * 4,
    sai,
    arg[ARGS + 2]!,
    arg[ARGS + 3]!,
    arg[ARGS + 4]!,
    arg[ARGS + 5]! + rowBytes,
    z && z + rowBytes,
    arg[ARGS + 7]!,
    rows,
    arg[ARGS + 9]!,
    N,
    arg[ARGS + 11]!,
    arg[ARGS + 12]!,
    panel,
  );
  Atomics.store(ctl, CHUNK_DONE + i, 1);
  Atomics.add(ctl, COMPLETED, 1);
}

/**
 * The first row of chunk `p` of `parts` over M rows: whole groups of CUT_ROWS rows, spread
 * evenly, the rows past the last group in the last chunk. Every chunk keeps at least two groups
 * (the caller's `parts` ≤ groups / 2), so each has the 8 rows gemm's packed path needs exactly
 * when the whole product does, and every row is computed by the same instructions in the same
 * order as on one thread.
 */
export function splitRows(M: number, parts: number, p: number): number {
  if (p >= parts) return M;
  const tiles = Math.floor(M / CUT_ROWS);
  return Math.floor((p * tiles) / parts) * CUT_ROWS;
}
