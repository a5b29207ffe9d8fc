/**
 * Which backend runs a model: the one asked for by name, or — 'auto', the default — by size.
 * Small models stay on JavaScript, where a step is a handful of tiny loops and a call into
 * WebAssembly buys nothing (W3 and W6 of the benchmark); from AUTO_WASM_WEIGHTS weights on,
 * the products dominate and the wasm backend wins. Without WebAssembly SIMD every name means
 * JavaScript. The threads option is an upper bound: a model on JavaScript runs on one thread,
 * as does one where the engine cannot run workers (with a warning, once per reason).
 */
import { jsBackend } from './js.js';
import { threadsUnavailable } from './threads.js';
import type { Backend } from './types.js';
import { createWasmBackend, wasmAvailable, wasmBackend, wasmTier } from './wasm.js';

/** A backend by name, as `loadModel(source, { backend })` and `nn train --backend` take it. */
export type BackendName = 'js' | 'wasm' | 'auto';
export const backendNames: readonly BackendName[] = ['js', 'wasm', 'auto'];

/**
 * Weights from which 'auto' picks wasm. The MLP of the benchmark (109k) is far above it; a
 * 4-8-3 model (67) and the iris samples far below; at 64×64 Dense layers (≈ 4k weights) the
 * products of a batch-32 step already cost several times a call's overhead.
 */
export const AUTO_WASM_WEIGHTS = 4096;

/** The backend for a choice and a model of `weights` weights, on up to `threads` threads. */
export function selectBackend(
  choice: Backend | BackendName,
  weights: number,
  threads = 1,
): Backend {
  if (typeof choice !== 'string') return choice;
  if (choice === 'js' || !wasmAvailable()) return jsBackend;
  if (choice === 'wasm' || weights >= AUTO_WASM_WEIGHTS) return threadedWasm(threads);
  return jsBackend;
}

const warned = new Set<string>();

/**
 * The wasm backend on `threads` threads: its own backend (its own workers, stopped by
 * dispose); the shared one-thread backend where one is asked for or the engine cannot run
 * workers (saying why, once per reason).
 */
function threadedWasm(threads: number): Backend {
  if (threads <= 1) return wasmBackend();
  const reason = threadsUnavailable(wasmTier()!);
  if (reason === null) return createWasmBackend(undefined, { threads });
  if (!warned.has(reason))
    console.warn(`nnlang: threads: ${threads} runs on one thread: ${reason}.`);
  warned.add(reason);
  return wasmBackend();
}
