/**
 * The WebAssembly SIMD backend: the session's block lives in a WebAssembly.Memory (wasm-block.ts)
 * and the ops that dominate dense training and inference run there — the Dense product with
 * its bias and relu in the tile's epilogue (other activations after it, wasm-activations.ts),
 * its two transposed products and bias gradient, the same products of a convolution (around the
 * JavaScript im2col and col2im), the activation steps, the recurrent layers' products and cells,
 * the Adam and SGD updates, the fused softmax/sigmoid cross-entropies and the common losses
 * (wasm-losses.ts). Every other op binds to the JavaScript kernels over views of the same
 * memory, so the backend runs every plan the JavaScript backend runs, and grows op by op.
 */
import type { PlanStep } from '../ir/index.js';
import * as k from '../kernels/index.js';
import { col2im, im2col, windowTaps } from '../kernels/conv.js';
import { firstNonFinite } from '../kernels/finite.js';
import type { ActivationSpec } from '../kernels/index.js';
import { jsUpdateKernels, type UpdateKernels } from '../optim/index.js';
import { bindRecurrent, jsBackend } from './js.js';
import { wasmActivationBackward, wasmActivationForward } from './wasm-activations.js';
import type { Backend, BindContext, Run, StepViews } from './types.js';
import { ThreadPool, threadsUnavailable, type Gemm, type PoolOptions } from './threads.js';
import {
  allocateBlock,
  SCRATCH_FLOATS,
  wasmTier,
  type Block,
  type WasmTier,
} from './wasm-block.js';
import { bindWasmLoss } from './wasm-losses.js';

export { wasmTier, type WasmTier } from './wasm-block.js';

/** A block, with its forward products' gemm split over the threads option's workers. */
interface ThreadedBlock extends Block {
  /** gemm, split by rows over the workers when a product pays (inference and evaluation plans). */
  readonly split?: Gemm;
}

/** The block each allocation made, by the memory's buffer its views share. */
type Blocks = WeakMap<ArrayBufferLike, ThreadedBlock>;

/** createWasmBackend's options beyond the build. */
export interface WasmBackendOptions {
  /** Threads for large forward products (threads.ts); the engine must allow them (threadsUnavailable). */
  threads?: number;
  /** The thread pool's test hooks. */
  pool?: PoolOptions;
}

/** The wasm backend, with its thread pool (null on one thread) for tests and the bench. */
export interface WasmBackend extends Backend {
  readonly pool: ThreadPool | null;
}

/**
 * A wasm backend running the given kernel build (default: the best this engine validates).
 * Throws where WebAssembly SIMD is absent: check wasmTier() first, as resolveBackend does; and
 * with `threads` > 1 where threadsUnavailable() gives a reason. Its `dispose` stops the workers.
 */
export function createWasmBackend(
  which: 'relaxed' | 'simd' | undefined = undefined,
  options: WasmBackendOptions = {},
): WasmBackend {
  const chosen = which ?? wasmTier();
  if (chosen === null) throw new Error('WebAssembly SIMD is not available in this engine.');
  if (which !== undefined && wasmTier() === null) {
    throw new Error('WebAssembly SIMD is not available in this engine.');
  }
  const threads = options.threads ?? 1;
  const unavailable = threads > 1 ? threadsUnavailable(chosen) : null;
  if (unavailable) throw new Error(`threads: ${unavailable}.`);
  const blocks: Blocks = new WeakMap();
  let pool: ThreadPool | null = null;
  const backend: WasmBackend = {
    name: chosen === 'relaxed' ? 'wasm-relaxed' : 'wasm',
    get pool() {
      return pool;
    },
    get threads() {
      return pool?.alive ? threads : 1;
    },
    allocate(floats) {
      const { block, data } = allocateBlock(chosen, floats, threads);
      pool?.attach(block);
      blocks.set(data.buffer, pool ? { ...block, split: pool.gemmOver(block) } : block);
      return data;
    },
    bind: (s, views, ctx) => bind(blocks, s, views, ctx),
    firstNonFinite(view, n) {
      const block = blocks.get(view.buffer);
      return block ? block.kernels.firstNonFinite(view.byteOffset, n) : firstNonFinite(view, n);
    },
    dispose: () => pool?.dispose(),
  };
  if (threads > 1) pool = new ThreadPool(threads, backend, options.pool);
  return backend;
}

let shared: Backend | null = null;

/** The wasm backend on the best tier here (one object: blocks are per allocation anyway). */
export function wasmBackend(): Backend {
  return (shared ??= createWasmBackend());
}

/** Whether this engine runs the wasm backend at all. */
export const wasmAvailable = (): boolean => wasmTier() !== null;

/** A view's byte address in `block`, or −1 when it is not in that block's memory. */
function addressIn(block: Block, view: Float32Array | null): number {
  if (view === null) return 0;
  return view.buffer === block.memory.buffer ? view.byteOffset : -1;
}

/** The addresses of these views in one block (0 for null), or null when any lies elsewhere. */
function addresses(
  block: Block | undefined,
  views: readonly (Float32Array | null)[],
): number[] | null {
  if (!block) return null;
  const out = views.map((v) => addressIn(block, v));
  return out.includes(-1) ? null : out;
}

/** The block the step's first non-empty view lives in. */
function blockOf(blocks: Blocks, views: StepViews): Block | undefined {
  for (const v of [...views.inputs, ...views.outputs]) {
    if (v && v.length > 0) return blocks.get(v.buffer);
  }
  return undefined;
}

/** Plain relu (no slope, threshold or cap): what the tile's epilogue applies. */
const plainRelu = (a: ActivationSpec): boolean =>
  a.name === 'relu' && a.slope === 0 && a.threshold === 0 && a.maxValue === Infinity;

function bind(blocks: Blocks, s: PlanStep, views: StepViews, ctx: BindContext): Run {
  const block = blockOf(blocks, views);
  const run = block ? bindWasm(block, s, views, ctx) : null;
  return run ?? jsBackend.bind(s, views, ctx);
}

/** The step on the wasm kernels, or null for an op (or a view) they do not take. */
function bindWasm(
  block: ThreadedBlock,
  s: PlanStep,
  views: StepViews,
  ctx: BindContext,
): Run | null {
  const input = (i: number) => views.inputs[i] ?? null;
  const output = (i: number) => views.outputs[i] ?? null;
  // The forward products split over the threads option's workers outside training (threads.ts).
  const gemm = (ctx.mode !== 'training' && block.split) || block.kernels.gemm;
  switch (s.op) {
    case 'dense': {
      const { rows: perSample, in: inDim, units, activation } = s.attrs;
      const product = forwardProduct(block, gemm, {
        x: input(0),
        kernel: input(1),
        bias: s.attrs.bias ? input(2) : null,
        y: output(0)!,
        z: output(1),
        inDim,
        units,
        activation,
      });
      return product && ((n) => product(n * perSample));
    }
    case 'dense_backward': {
      const { rows: perSample, in: inDim, units } = s.attrs;
      const [x, kernel, dz] = [input(0), input(1), input(2)];
      const [dx, dKernel, dBias] = [output(0), output(1), output(2)];
      const g = { x, kernel, dz, dx, dKernel, dBias, inDim, units };
      const product = backwardProduct(block, g);
      return product && ((n) => product(n * perSample));
    }
    case 'conv': {
      // im2col in JavaScript, then the product (bias and relu fused) on wasm. Grouped and
      // depthwise convolutions (one product per group, or direct loops) stay on JavaScript.
      const g = s.attrs;
      if (g.groups !== 1) return null;
      const [x, col] = [input(0)!, output(1)!];
      const product = forwardProduct(block, gemm, {
        x: col,
        kernel: input(1),
        bias: g.bias ? input(2) : null,
        y: output(0)!,
        z: output(2),
        inDim: windowTaps(g),
        units: g.filters,
        activation: g.activation,
      });
      return (
        product &&
        ((n) => {
          im2col(x, col, g, 1, n);
          product(n * g.oh * g.ow);
        })
      );
    }
    case 'conv_backward': {
      // The products on wasm, then col2im of dcol into dx in JavaScript.
      const g = s.attrs;
      if (g.groups !== 1) return null;
      const [dx, dcol] = [output(0), output(3)];
      const product = backwardProduct(block, {
        x: input(0),
        kernel: input(1),
        dz: input(2),
        dx: dx && dcol,
        dKernel: output(1),
        dBias: output(2),
        inDim: windowTaps(g),
        units: g.filters,
      });
      return (
        product &&
        ((n) => {
          product(n * g.oh * g.ow);
          if (dx && dcol) col2im(dcol, dx, g, 1, n);
        })
      );
    }
    case 'activation': {
      const { rows: perSample, cols, activation } = s.attrs;
      const p = addresses(block, [input(0), output(0)]);
      const run = p && wasmActivationForward(block.kernels, activation, p[0]!, p[1]!, cols);
      return run && ((n) => run(n * perSample));
    }
    case 'activation_backward': {
      const { rows: perSample, cols, activation } = s.attrs;
      const p = addresses(block, [input(0), input(1), input(2), output(0)]);
      const [x = 0, y = 0, dy = 0, dx = 0] = p ?? [];
      const run = p && wasmActivationBackward(block.kernels, activation, x, y, dy, dx, cols);
      return run && ((n) => run(n * perSample));
    }
    case 'recurrent':
    case 'recurrent_backward':
      // The products (the input projection, each step's recurrent one, the weights' gradients)
      // and every cell's gate math on wasm: LSTM, GRU (both reset_after forms, with
      // reset_after=False's U_h gradient) and SimpleRNN. The JavaScript driver around them keeps
      // the masks' carries, dropout's masked products and the sequence bookkeeping.
      return bindRecurrent(s, views, { ...wasmProducts(block), ...wasmCells(block) });
    case 'loss':
    case 'softmax_cross_entropy':
    case 'sigmoid_cross_entropy': {
      // The fused cross-entropies and the common losses (wasm-losses.ts says which).
      const at = addresses(block, [...views.inputs, ...views.outputs]);
      return at && bindWasmLoss(block, s, at, views, ctx);
    }
    case 'optimizer': {
      // The JavaScript step (clipping, decay, schedules, constraints) around wasm updates.
      if (ctx.optimizer) ctx.optimizer.kernels = wasmUpdateKernels(block);
      return null;
    }
    default:
      return null;
  }
}

/** A product layer's forward: y = act(x·W + b) with x [rows, inDim], W [inDim, units]. */
interface ForwardProduct {
  x: Float32Array | null;
  kernel: Float32Array | null;
  bias: Float32Array | null;
  y: Float32Array;
  /** The pre-activation, when training keeps it. */
  z: Float32Array | null;
  inDim: number;
  units: number;
  activation: ActivationSpec | null | undefined;
}

/**
 * Runs a product layer's forward for a number of rows on wasm (`gemm`: the block's, or the one
 * split over threads): linear and plain relu in the tile's epilogue; tanh, sigmoid, softmax and
 * the others wasm-activations.ts takes on wasm after it, the rest in JavaScript. Null when a
 * view lies outside the block.
 */
function forwardProduct(
  block: Block,
  gemm: Gemm,
  p: ForwardProduct,
): ((rows: number) => void) | null {
  const { kernels: kern, panel } = block;
  const { inDim, units, y, z } = p;
  const at = addresses(block, [p.x, p.kernel, p.bias, y, z]);
  if (!at) return null;
  const [px, pk, pb, py, pz] = at as [number, number, number, number, number];
  const act = p.activation && p.activation.name !== 'linear' ? p.activation : null;
  if (act === null || plainRelu(act)) {
    // Fused: y = relu(x·W + b), the pre-activation kept in z when training needs it.
    const relu = act ? 1 : 0;
    const c = act ? py : pz || py;
    const keep = act ? pz : 0;
    return (rows) => gemm(px, inDim, 1, pk, units, c, keep, pb, rows, inDim, units, 0, relu, panel);
  }
  const pre = z ?? y;
  const pPre = pz || py;
  const activate =
    wasmActivationForward(kern, act, pPre, py, units) ??
    ((rows: number) => k.activationForward(act, pre, y, rows, units));
  return (rows) => {
    gemm(px, inDim, 1, pk, units, pPre, 0, pb, rows, inDim, units, 0, 0, panel);
    activate(rows);
  };
}

/** A product layer's backward from dz: dW = xᵀ·dz, db = Σ dz, dx = dz·Wᵀ; null outputs are skipped. */
interface BackwardProduct {
  x: Float32Array | null;
  kernel: Float32Array | null;
  dz: Float32Array | null;
  dx: Float32Array | null;
  dKernel: Float32Array | null;
  dBias: Float32Array | null;
  inDim: number;
  units: number;
}

/** Runs a product layer's backward for a number of rows on wasm; null when a view lies outside the block. */
function backwardProduct(block: Block, p: BackwardProduct): ((rows: number) => void) | null {
  const { kernels: kern, panel, scratch } = block;
  const { inDim, units } = p;
  const at = addresses(block, [p.x, p.kernel, p.dz, p.dx, p.dKernel, p.dBias]);
  if (!at || inDim > SCRATCH_FLOATS) return null;
  const [px, pk, pdz, pdx, pdk, pdb] = at as [number, number, number, number, number, number];
  const kc = Math.max(1, Math.floor(SCRATCH_FLOATS / Math.max(inDim, 1)));
  return (rows) => {
    if (pdk) kern.gemm(px, 1, inDim, pdz, units, pdk, 0, 0, inDim, rows, units, 0, 0, panel);
    if (pdb) kern.biasGrad(pdz, pdb, rows, units, 0);
    if (pdx) kern.gemmTransB(pdz, pk, pdx, rows, units, inDim, scratch, kc, 0, panel);
  };
}

/**
 * The JavaScript kernels' three products over this block's memory: gemm for a·b and aᵀ·b
 * (A read transposed by its strides), gemmTransB (Bᵀ packed into scratch) for a·bᵀ. Views
 * elsewhere, or a too wide a·bᵀ for the scratch, go to the JavaScript products.
 */
export function wasmProducts(block: Block): k.Products {
  const { kernels: kern, panel, scratch } = block;
  const at = (v: Float32Array) => addressIn(block, v);
  return {
    matmul(a, b, c, M, K, N, accumulate) {
      const [pa, pb, pc] = [at(a), at(b), at(c)];
      if (pa < 0 || pb < 0 || pc < 0) return k.matmul(a, b, c, M, K, N, accumulate);
      kern.gemm(pa, K, 1, pb, N, pc, 0, 0, M, K, N, accumulate ? 1 : 0, 0, panel);
    },
    matmulTransA(a, b, c, M, K, N, accumulate) {
      const [pa, pb, pc] = [at(a), at(b), at(c)];
      if (pa < 0 || pb < 0 || pc < 0) return k.matmulTransA(a, b, c, M, K, N, accumulate);
      kern.gemm(pa, 1, M, pb, N, pc, 0, 0, M, K, N, accumulate ? 1 : 0, 0, panel);
    },
    matmulTransB(a, b, c, M, K, N, accumulate) {
      const [pa, pb, pc] = [at(a), at(b), at(c)];
      if (pa < 0 || pb < 0 || pc < 0 || N > SCRATCH_FLOATS)
        return k.matmulTransB(a, b, c, M, K, N, accumulate);
      const kc = Math.max(1, Math.floor(SCRATCH_FLOATS / Math.max(N, 1)));
      kern.gemmTransB(pa, pb, pc, M, K, N, scratch, kc, accumulate ? 1 : 0, panel);
    },
  };
}

/**
 * Every recurrent cell's step on wasm SIMD (asm/kernels.ts lstmCell, gruCell; asm/cells.ts
 * simpleRnnCell, gruResetBeforeCell: sigmoid and tanh from a polynomial e^x, within a few float32
 * ulps of Math's; every cell activation has its four-lane form); a buffer outside the block runs
 * the JavaScript step.
 */
export function wasmCells(block: Block): k.CellSteps {
  const { kernels: kern, scratch, panel } = block;
  /** The scratch area as floats (the block never grows, so the view stays valid). */
  let scratchView: Float32Array | null = null;
  /** The views' addresses (0 for null), or null when one lies outside the block. */
  const at = (views: (Float32Array | null)[]): number[] | null => addresses(block, views);
  return {
    lstm(d, f, n, t) {
      const p = at([f.xw, f.rec, f.bias, f.gates, f.cStep, f.c, f.h]);
      if (!p || !f.c || !f.cStep) return k.lstmStep(d, f, n, t);
      const [xw = 0, rec = 0, bias = 0, gates = 0, cStep = 0, c = 0, h = 0] = p;
      const { steps, units, activation, recurrentActivation } = d;
      kern.lstmCell(
        xw,
        rec,
        bias,
        gates,
        cStep,
        c,
        h,
        n,
        steps,
        t,
        units,
        activation,
        recurrentActivation,
      );
    },
    gru(d, f, n, t) {
      const p = at([f.xw, f.rec, f.bias, f.gates, f.h, f.recurrentKernel, f.stateMask ?? null]);
      if (!p) return k.gruStep(d, f, n, t);
      const [xw = 0, rec = 0, bias = 0, gates = 0, h = 0, rk = 0, drop = 0] = p;
      const { steps, units, activation: act, recurrentActivation: ract } = d;
      if (d.resetAfter) kern.gruCell(xw, rec, bias, gates, h, n, steps, t, units, act, ract);
      else
        kern.gruResetBeforeCell(xw, rec, bias, gates, h, rk, drop, n, steps, t, units, act, ract);
    },
    gruBackward(d, g, n, t) {
      const p = at([g.gates, g.hPrev, g.dh, g.dGates, g.dRec, g.dStep]);
      const q = at([g.recurrentKernel, g.stateMask ?? null]);
      if (!p || !q || !g.dRec) return k.gruStepBackward(d, g, n, t);
      const [gates = 0, hPrev = 0, dh = 0, dGates = 0, dRec = 0, dStep = 0] = p;
      const { steps, units, activation, recurrentActivation } = d;
      if (!d.resetAfter) {
        const [rk = 0, drop = 0] = q;
        kern.gruResetBeforeCellBackward(
          gates,
          hPrev,
          dh,
          dGates,
          dRec,
          dStep,
          rk,
          drop,
          n,
          steps,
          t,
          units,
          activation,
          recurrentActivation,
        );
        return;
      }
      kern.gruCellBackward(
        gates,
        hPrev,
        dh,
        dGates,
        dRec,
        dStep,
        n,
        steps,
        t,
        units,
        activation,
        recurrentActivation,
      );
    },
    simple(d, f, n, t) {
      const p = at([f.xw, f.rec, f.bias, f.gates, f.h]);
      if (!p) return k.simpleStep(d, f, n, t);
      const [xw = 0, rec = 0, bias = 0, gates = 0, h = 0] = p;
      kern.simpleRnnCell(xw, rec, bias, gates, h, n, d.steps, t, d.units, d.activation);
    },
    simpleBackward(d, g, n, t) {
      const p = at([g.gates, g.dh, g.dGates, g.dStep]);
      if (!p) return k.simpleStepBackward(d, g, n, t);
      const [gates = 0, dh = 0, dGates = 0, dStep = 0] = p;
      kern.simpleRnnCellBackward(gates, dh, dGates, dStep, n, d.steps, t, d.units, d.activation);
    },
    gruCandidateKernelGrad(g, rows, U) {
      // (r∘h)ᵀ·dh̃ by gemm into scratch (r∘h read transposed from the gates' fourth block, dh̃
      // from dGates' third), then added onto the h block of the recurrent kernel's gradient.
      const p = at([g.gates, g.dGates]);
      if (!p || U * U > SCRATCH_FLOATS) return k.addCandidateKernelGrad(g, rows, U);
      const [gates = 0, dGates = 0] = p;
      kern.gemm(
        gates + 12 * U,
        1,
        4 * U,
        dGates + 8 * U,
        3 * U,
        scratch,
        0,
        0,
        U,
        rows,
        U,
        0,
        0,
        panel,
      );
      const d = g.dRecurrentKernel!;
      const sv = (scratchView ??= new Float32Array(block.memory.buffer, scratch, SCRATCH_FLOATS));
      for (let i = 0, GU = 3 * U; i < U; i++)
        for (let j = 0; j < U; j++) d[i * GU + 2 * U + j] = d[i * GU + 2 * U + j]! + sv[i * U + j]!;
    },
    lstmBackward(d, g, n, s, t) {
      const p = at([g.gates, g.c, g.dh, g.dc, g.dGates, g.dStep]);
      if (!p || !g.c || !g.dc) return k.lstmStepBackward(d, g, n, s, t);
      const [gates = 0, c = 0, dh = 0, dc = 0, dGates = 0, dStep = 0] = p;
      const { steps, units, activation, recurrentActivation } = d;
      // The cell state before step s: at the time index before t (after it with go_backwards).
      const tPrev = d.goBackwards ? t + 1 : t - 1;
      const first = s > 0 ? 0 : 1;
      kern.lstmCellBackward(
        gates,
        c,
        dh,
        dc,
        dGates,
        dStep,
        n,
        steps,
        t,
        tPrev,
        first,
        units,
        activation,
        recurrentActivation,
      );
    },
  };
}

const f32 = Math.fround;

/** Adam and SGD over this block's memory; arrays elsewhere go to the JavaScript kernels. */
export function wasmUpdateKernels(block: Block): UpdateKernels {
  const kern = block.kernels;
  const at = (v: Float32Array | null) => addressIn(block, v);
  return {
    adamUpdate(w, g, m, v, vHat, alpha, beta1, beta2, epsilon) {
      const [pw, pg, pm, pv, ph] = [at(w), at(g), at(m), at(v), at(vHat)];
      if (pw < 0 || pg < 0 || pm < 0 || pv < 0 || ph < 0) {
        jsUpdateKernels.adamUpdate(w, g, m, v, vHat, alpha, beta1, beta2, epsilon);
        return;
      }
      kern.adam(pw, pg, pm, pv, ph, w.length, alpha, f32(1 - beta1), f32(1 - beta2), f32(epsilon));
    },
    sgdUpdate(w, g, m, lr, momentum, nesterov) {
      const [pw, pg, pm] = [at(w), at(g), at(m)];
      if (pw < 0 || pg < 0 || pm < 0) {
        jsUpdateKernels.sgdUpdate(w, g, m, lr, momentum, nesterov);
        return;
      }
      kern.sgd(pw, pg, pm, w.length, lr, f32(momentum), nesterov ? 1 : 0);
    },
  };
}
