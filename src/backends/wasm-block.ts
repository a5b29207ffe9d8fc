/**
 * The wasm backend's memory: each block the runtime allocates is one WebAssembly.Memory with
 * its own instance of the kernels. A block never grows in place — growing a WebAssembly.Memory
 * detaches every view of it, and the runtime's Memory holds views (BoundPlan, the optimizer's
 * state) — so a session that needs more memory gets a new block, copies its parameters over and
 * rebinds, exactly as with the JavaScript backend; the old block is collected with its views.
 */
import {
  relaxedKernels,
  relaxedSharedKernels,
  simdKernels,
  simdSharedKernels,
} from './wasm-binary.js';

/** Byte offset of the float block in its memory: address 0 stays the kernels' "no buffer". */
const BASE = 64;
/** Floats of scratch after the block, for packing a product's transposed operand. */
export const SCRATCH_FLOATS = 1 << 16;
/** Floats of the panel buffer after it: one K block × 8 columns of B (asm/kernels.ts KC × NR). */
export const PANEL_FLOATS = 256 * 8;
const PAGE = 65536;

/** The kernels' exports; addresses are byte offsets in the block's memory, flags 0 or 1. */
export interface KernelExports {
  gemm(
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
  ): void;
  gemmTransB(
    a: number,
    b: number,
    c: number,
    M: number,
    K: number,
    N: number,
    scratch: number,
    kc: number,
    accumulate: number,
    panel: number,
  ): void;
  biasGrad(dy: number, db: number, rows: number, cols: number, accumulate: number): void;
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    vHat: number,
    n: number,
    alpha: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    eps: number,
  ): void;
  sgd(w: number, g: number, m: number, n: number, lr: number, mu: number, nesterov: number): void;
  /** Index of the first NaN or ±Infinity of n floats at p, or −1. */
  firstNonFinite(p: number, n: number): number;
  /** Keras 3's LSTMCell at time index t over n samples (src/kernels/recurrent.ts lstmStep). */
  lstmCell(
    xw: number,
    rec: number,
    bias: number,
    gates: number,
    cStep: number,
    c: number,
    h: number,
    n: number,
    T: number,
    t: number,
    U: number,
    act: number,
    ract: number,
  ): void;
  /** Its backward (recurrent.ts lstmStepBackward); first: the step has no previous cell state. */
  lstmCellBackward(
    gates: number,
    c: number,
    dh: number,
    dc: number,
    dGates: number,
    dStep: number,
    n: number,
    T: number,
    t: number,
    tPrev: number,
    first: number,
    U: number,
    act: number,
    ract: number,
  ): void;
  /** Keras 3's GRUCell (reset_after=True) at time index t (recurrent.ts gruStep). */
  gruCell(
    xw: number,
    rec: number,
    bias: number,
    gates: number,
    h: number,
    n: number,
    T: number,
    t: number,
    U: number,
    act: number,
    ract: number,
  ): void;
  /** Its backward (recurrent.ts gruStepBackward). */
  gruCellBackward(
    gates: number,
    hPrev: number,
    dh: number,
    dGates: number,
    dRec: number,
    dStep: number,
    n: number,
    T: number,
    t: number,
    U: number,
    act: number,
    ract: number,
  ): void;
  /** Keras 3's SimpleRNNCell at time index t (recurrent.ts simpleStep; asm/cells.ts). */
  simpleRnnCell(
    xw: number,
    rec: number,
    bias: number,
    gates: number,
    h: number,
    n: number,
    T: number,
    t: number,
    U: number,
    act: number,
  ): void;
  /** Its backward (recurrent.ts simpleStepBackward). */
  simpleRnnCellBackward(
    gates: number,
    dh: number,
    dGates: number,
    dStep: number,
    n: number,
    T: number,
    t: number,
    U: number,
    act: number,
  ): void;
  /** Keras 3's GRUCell with reset_after=False (recurrent.ts gruStep); drop: the state masks or 0. */
  gruResetBeforeCell(
    xw: number,
    rec: number,
    bias: number,
    gates: number,
    h: number,
    rk: number,
    drop: number,
    n: number,
    T: number,
    t: number,
    U: number,
    act: number,
    ract: number,
  ): void;
  /** Its backward (recurrent.ts gruStepBackward). */
  gruResetBeforeCellBackward(
    gates: number,
    hPrev: number,
    dh: number,
    dGates: number,
    dRec: number,
    dStep: number,
    rk: number,
    drop: number,
    n: number,
    T: number,
    t: number,
    U: number,
    act: number,
    ract: number,
  ): void;
  /** y = f(x) over n floats, f by its wasm-activations.ts kind with parameters a, b. */
  activationForward(kind: number, x: number, y: number, n: number, a: number, b: number): void;
  /** dx = dy·f′ over n floats from the forward's input x and output y. */
  activationBackward(
    kind: number,
    x: number,
    y: number,
    dy: number,
    dx: number,
    n: number,
    a: number,
    b: number,
  ): void;
  /** softmax over each row of x [rows, cols] into y (asm/activations.ts). */
  activationSoftmax(x: number, y: number, rows: number, cols: number): void;
  /** Its backward from the output y: dx = y·(dy − Σ dy·y) per row. */
  activationSoftmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /** A cell activation (by its cellActivationNames code) of n floats at p into q. */
  cellActivation(kind: number, p: number, q: number, n: number): void;
  /** The fused softmax cross-entropy (asm/losses.ts; wasm-losses.ts binds the three loss kernels): −1, or a kept row whose sparse target is out of range. */
  softmaxCrossEntropy(
    logits: number,
    probs: number,
    yTrue: number,
    mask: number,
    loss: number,
    dLogits: number,
    rows: number,
    cols: number,
    labelSmoothing: number,
    sparse: number,
  ): number;
  /** The fused sigmoid binary cross-entropy. */
  sigmoidCrossEntropy(
    logits: number,
    probs: number,
    yTrue: number,
    mask: number,
    loss: number,
    dLogits: number,
    rows: number,
    cols: number,
    labelSmoothing: number,
  ): void;
  /** The `loss` step for a wasm-losses.ts lossKinds loss: −1, or a counted row whose sparse target is out of range. */
  lossStep(
    kind: number,
    yPred: number,
    yTrue: number,
    mask: number,
    loss: number,
    grad: number,
    rows: number,
    cols: number,
    reduction: number,
    labelSmoothing: number,
    delta: number,
    ignore: number,
    ignoreClass: number,
  ): number;
  /** 96·iters flops of independent multiply-adds on registers: bench:matmul's SIMD peak. */
  simdPeak(iters: number): number;
}

/** One allocation: the memory, the kernels bound to it, and where its scratch starts. */
export interface Block {
  readonly memory: WasmMemory;
  readonly kernels: KernelExports;
  /** Byte address of the scratch area (SCRATCH_FLOATS floats). */
  readonly scratch: number;
  /** Byte address of the panel buffer (PANEL_FLOATS floats). */
  readonly panel: number;
  /**
   * Byte addresses of one panel buffer per thread, this thread's (`panel`) first: a shared
   * block (the threads option) holds one more after it per worker, which packs its own panels.
   */
  readonly panels: readonly number[];
  /** The compiled kernels this block's instance runs (a worker instantiates the same over it). */
  readonly module: object;
}

/** Which kernels this engine can run: relaxed SIMD, plain SIMD, or none (no WebAssembly SIMD). */
export type WasmTier = 'relaxed' | 'simd' | null;

/**
 * The part of the WebAssembly API used here, typed locally: the project compiles without the
 * DOM library that declares it, and an engine without WebAssembly simply lacks the global.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: KernelExports };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
// Read without a cast: under the DOM library (the playground's page) the global's declared
// type and this local one differ, and a cast between them does not compile.
const wasm: WasmApi | undefined = Reflect.get(globalThis as object, 'WebAssembly');

const decode = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** The V8 flag that enables relaxed SIMD in Node 20 (Node ≥ 22 and Chromium have it by default). */
export const relaxedSimdFlag = '--experimental-wasm-relaxed-simd';

let tier: WasmTier | undefined;
const modules = new Map<'relaxed' | 'simd', object>();

/**
 * The best tier the running engine validates, found once: the relaxed build where relaxed SIMD
 * is there (Node 20 needs --experimental-wasm-relaxed-simd), else the plain SIMD build, else
 * none — validating the SIMD module itself is the feature test.
 */
export function wasmTier(): WasmTier {
  if (tier !== undefined) return tier;
  tier = null;
  if (!wasm) return tier;
  for (const [name, b64] of [
    ['relaxed', relaxedKernels],
    ['simd', simdKernels],
  ] as const) {
    const bytes = decode(b64);
    if (wasm.validate(bytes)) {
      modules.set(name, new wasm.Module(bytes));
      tier ??= name;
    }
  }
  return tier;
}

/** The compiled module of a tier (wasmTier() must have found it). */
function moduleOf(which: 'relaxed' | 'simd'): object {
  wasmTier();
  const module = modules.get(which);
  if (!module) throw new Error(`internal: WebAssembly ${which} kernels are not available here.`);
  return module;
}

const sharedModules = new Map<'relaxed' | 'simd', object | null>();

/**
 * The tier's build over a shared memory, compiled once; null where the engine does not
 * validate it (no threads proposal): the threads option then runs on one thread.
 */
export function sharedModuleOf(which: 'relaxed' | 'simd'): object | null {
  if (!sharedModules.has(which)) {
    const bytes = decode(which === 'relaxed' ? relaxedSharedKernels : simdSharedKernels);
    sharedModules.set(which, wasm?.validate(bytes) ? new wasm.Module(bytes) : null);
  }
  return sharedModules.get(which)!;
}

/**
 * Allocates `floats` float32 values in a fresh memory with its own kernel instance; a too large
 * request throws the RangeError the runtime reports as an AllocationError. `threads` > 1: the
 * memory is shared (its maximum its size: it never grows) and runs the shared build, with a
 * panel buffer per thread (sharedModuleOf(which) must have found that build).
 */
export function allocateBlock(
  which: 'relaxed' | 'simd',
  floats: number,
  threads = 1,
): { block: Block; data: Float32Array } {
  const scratch = BASE + Math.ceil((floats * 4) / 16) * 16;
  const bytes = scratch + (SCRATCH_FLOATS + threads * PANEL_FLOATS) * 4;
  const pages = Math.ceil(bytes / PAGE);
  if (!Number.isSafeInteger(pages) || pages > 65536) {
    throw new RangeError(`a WebAssembly memory holds at most 4 GiB (${pages} pages asked)`);
  }
  const shared = threads > 1;
  const module = shared ? sharedModuleOf(which) : moduleOf(which);
  if (!module) throw new Error(`internal: the shared ${which} kernels are not available here.`);
  const memory = new wasm!.Memory(
    shared ? { initial: pages, maximum: pages, shared } : { initial: pages },
  );
  const instance = new wasm!.Instance(module, { env: { memory } });
  const first = scratch + SCRATCH_FLOATS * 4;
  const panels = Array.from({ length: threads }, (_, i) => first + i * PANEL_FLOATS * 4);
  const block: Block = { memory, kernels: instance.exports, scratch, panel: first, panels, module };
  return { block, data: new Float32Array(memory.buffer, BASE, floats) };
}
