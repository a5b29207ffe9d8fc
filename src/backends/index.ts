/** Kernel backends behind one seam, and binding plans to a session's memory. */
export type { Backend, BindContext, Run, StepViews } from './types.js';
export { DataError } from './types.js';
export { jsBackend } from './js.js';
export { Memory, BoundPlan, AllocationError } from './bind.js';
export {
  wasmBackend,
  createWasmBackend,
  wasmAvailable,
  wasmTier,
  type WasmTier,
  type WasmBackend,
} from './wasm.js';
export { ThreadPool, threadsUnavailable, MAX_THREADS, SPLIT_MIN_MACS } from './threads.js';
export { selectBackend, backendNames, AUTO_WASM_WEIGHTS, type BackendName } from './select.js';
