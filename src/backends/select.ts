/**
 * Which backend runs a model: the one asked for by name, or — 'auto', the default — by size.
 * Small models stay on JavaScript, where a step is a handful of tiny loops and a call into
 * WebAssembly buys nothing (W3 and W6 of the benchmark); from AUTO_WASM_WEIGHTS weights on,
 * the products dominate and the wasm backend wins. Without WebAssembly SIMD every name means
 * JavaScript.
 */
import { jsBackend } from './js.js';
import type { Backend } from './types.js';
import { wasmAvailable, wasmBackend } from './wasm.js';

/** A backend by name, as `loadModel(source, { backend })` and `nn train --backend` take it. */
export type BackendName = 'js' | 'wasm' | 'auto';
export const backendNames: readonly BackendName[] = ['js', 'wasm', 'auto'];

/**
 * Weights from which 'auto' picks wasm. The MLP of the benchmark (109k) is far above it; a
 * 4-8-3 model (67) and the iris samples far below; at 64×64 Dense layers (≈ 4k weights) the
 * products of a batch-32 step already cost several times a call's overhead.
 */
export const AUTO_WASM_WEIGHTS = 4096;

/** The backend for a choice and a model of `weights` weights. */
export function selectBackend(choice: Backend | BackendName, weights: number): Backend {
  if (typeof choice !== 'string') return choice;
  if (choice === 'js' || !wasmAvailable()) return jsBackend;
  if (choice === 'wasm' || weights >= AUTO_WASM_WEIGHTS) return wasmBackend();
  return jsBackend;
}
