/**
 * The backends the conformance suite runs on: the JavaScript reference backend, and the wasm
 * backend where this engine has WebAssembly SIMD (every case on both: the wasm pass adds about
 * half the suite's time, ~16 s on this machine).
 */
import { jsBackend, wasmAvailable, wasmBackend, type Backend } from '../../src/backends/index.js';

export function testBackends(): { name: string; backend: Backend }[] {
  const out = [{ name: 'js', backend: jsBackend }];
  if (wasmAvailable()) out.push({ name: 'wasm', backend: wasmBackend() });
  return out;
}
