/**
 * The threads option's control words and its workers' code (threads.ts runs the pool). One
 * SharedArrayBuffer of Int32 words, apart from the block: a product's job (its gemm arguments,
 * its chunks' first rows, the next chunk to claim, how many are done), then one line per worker
 * (its command, state, and the block it runs over).
 *
 * A job is claimed chunk by chunk: each thread, this one included, takes the next chunk with a
 * compareExchange on NEXT, whose high bits carry the job's number, so a worker that wakes late
 * (its core was busy) finds the chunks taken or the job gone and claims nothing. The thread that
 * asked waits only for chunks another thread claimed: a busy second core costs one chunk of
 * waiting at most, not half the product.
 */

/** Words of the job. */
export const JOB = 0;
/** (job number << 8) | next chunk to claim. */
export const NEXT = 1;
/** Chunks finished. */
export const COMPLETED = 2;
/** Set by a worker whose kernels threw (the asking thread then computes the missing chunks). */
export const BROKEN = 3;
/** gemm's first 13 arguments (a, sai, sak, b, ldb, c, z, bias, M, K, N, accumulate, relu; each thread has its panel). */
export const ARGS = 4;
/**
 * The block the job's addresses are in (its attach generation): a worker over another block — one
 * that woke late, before taking the new block's message — claims nothing.
 */
export const BLOCK = ARGS + 13;
/** The job's chunk count. */
export const CHUNKS = ARGS + 14;
/** The first row of each chunk, and M after the last. */
export const CUTS = 20;
/** The most chunks of one product. */
export const MAX_CHUNKS = 32;
/** Per chunk: 1 once computed. */
export const CHUNK_DONE = CUTS + MAX_CHUNKS + 1;
/** Where worker p's line starts (p ≥ 1), and its words. */
export const workerAt = (p: number): number => 128 + 32 * p;
export const CMD = 0;
export const STATE = 1;
export const ATTACHED = 2;
/** The control buffer's size in words for `threads` threads. */
export const controlWords = (threads: number): number => workerAt(threads);
/** Commands. */
export const IDLE = 0;
export const RUN = 1;
export const ATTACH = 2;
export const EXIT = 3;
/** A worker's states. */
export const READY = 1;
export const FAILED = -1;

/**
 * The worker's code (CommonJS, run with `eval: true`): wait for a command, take the blocks
 * attached since the last one, and for a job claim and compute its chunks until none is left. Its
 * failures are words in the control buffer, never a throw nobody sees.
 */
export const workerSource = `
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const ctl = new Int32Array(workerData.control);
const arg = new Uint32Array(workerData.control);
const me = ${workerAt(0)} + ${workerAt(1) - workerAt(0)} * workerData.index;
let kernels = null;
let panel = 0;
let generation = 0;
function share() {
  const job = Atomics.load(ctl, ${JOB});
  const a = arg[${ARGS}], sai = arg[${ARGS + 1}], sak = arg[${ARGS + 2}], b = arg[${ARGS + 3}];
  const ldb = arg[${ARGS + 4}], c = arg[${ARGS + 5}], z = arg[${ARGS + 6}], bias = arg[${ARGS + 7}];
  const K = arg[${ARGS + 9}], N = arg[${ARGS + 10}], acc = arg[${ARGS + 11}], relu = arg[${ARGS + 12}];
  const chunks = arg[${CHUNKS}], block = arg[${BLOCK}];
  if (Atomics.load(ctl, ${JOB}) !== job || block !== generation) return;
  for (;;) {
    const next = Atomics.load(ctl, ${NEXT});
    const i = next & 255;
    if (next >>> 8 !== (job & 0xffffff) || i >= chunks) return;
    if (Atomics.compareExchange(ctl, ${NEXT}, next, next + 1) !== next) continue;
    const r0 = arg[${CUTS} + i], rows = arg[${CUTS} + i + 1] - r0;
    kernels.gemm(a + r0 * sai * 4, sai, sak, b, ldb, c + r0 * N * 4, z && z + r0 * N * 4, bias, rows, K, N, acc, relu, panel);
    Atomics.store(ctl, ${CHUNK_DONE} + i, 1);
    Atomics.add(ctl, ${COMPLETED}, 1);
    Atomics.notify(ctl, ${COMPLETED});
  }
}
function attach() {
  for (let m; (m = receiveMessageOnPort(parentPort)); ) {
    try {
      const { module, memory } = m.message;
      kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
      panel = m.message.panel;
      generation = m.message.generation;
      Atomics.store(ctl, me + ${ATTACHED}, generation);
      Atomics.notify(ctl, me + ${ATTACHED});
    } catch {
      Atomics.store(ctl, me + ${STATE}, ${FAILED});
    }
  }
}
Atomics.store(ctl, me + ${STATE}, ${READY});
Atomics.notify(ctl, me + ${STATE});
for (;;) {
  // The blocks attached while it ran a job (the attach command found it busy), and before
  // the command it wakes for: a job may follow an attach at once.
  attach();
  Atomics.wait(ctl, me + ${CMD}, ${IDLE});
  attach();
  const cmd = Atomics.load(ctl, me + ${CMD});
  if (cmd === ${EXIT}) break;
  if (cmd === ${RUN}) {
    try {
      share();
    } catch {
      Atomics.store(ctl, me + ${STATE}, ${FAILED});
      Atomics.store(ctl, ${BROKEN}, 1);
      Atomics.notify(ctl, ${COMPLETED});
    }
  }
  Atomics.compareExchange(ctl, me + ${CMD}, cmd, ${IDLE});
}
`;
