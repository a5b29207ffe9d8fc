/**
 * `nn emit --wasm`: the generated module's matrix product on the engine's own WebAssembly SIMD
 * kernels (asm/kernels.ts, the plain-SIMD build), embedded as base64. The module compiles them
 * once when it loads; each product copies its operands into the kernels' memory, runs `gemm`
 * (4×8 f32x4 register tiles, B packed for large K) and copies the result out — so the model's
 * arena stays ordinary Float32Arrays and training (--training) updates weights as before.
 * Where WebAssembly SIMD is absent the module runs the TypeScript product (matmulJs). Sums run
 * in float32, as on the engine's wasm backend: the values match the engine's within the
 * selfTest's 1e-5, not bit for bit.
 */
import { simdKernels } from '../backends/wasm-binary.js';
import type { Fn } from './code.js';
import { matmulFn } from './matmul.js';

/** The TypeScript product under another name: the fallback without WebAssembly SIMD. */
export const matmulJsFn: Fn = { ...matmulFn, name: 'matmulJs' };

/** `matmul` as the steps call it: on the kernels when they loaded, else in TypeScript. */
export const wasmMatmulFn: Fn = {
  name: 'matmul',
  doc: 'c[M,N] = a[M,K]·b[K,N], row-major, on the WebAssembly SIMD kernels where they run.',
  params: matmulFn.params,
  ret: 'void',
  body: ['if (WASM_GEMM) WASM_GEMM(a, b, c, M, K, N);', 'else matmulJs(a, b, c, M, K, N);'],
};

/**
 * Compiles the kernels and returns the product over them, or null without WebAssembly SIMD
 * (validating the module is the feature test). The global is read through Reflect by a
 * computed name, untyped, so that the module needs no DOM typings. Operands go at float 16 on (byte 0 is the kernels' "no
 * buffer"), 16-byte aligned, then the 2,048-float panel gemm packs B into.
 */
export const createWasmGemmFn: Fn = {
  name: 'createWasmGemm',
  doc: 'The product on the embedded WebAssembly SIMD kernels, or null where they cannot run.',
  params: [],
  ret: 'typeof matmulJs | null',
  body: [
    '// A computed name: the untyped global, whether or not the project has DOM typings.',
    'const api = Reflect.get(globalThis, String("WebAssembly"));',
    'if (!api || typeof atob !== "function") return null;',
    'const bytes = Uint8Array.from(atob(WASM_KERNELS), (ch) => ch.charCodeAt(0));',
    'if (!api.validate(bytes)) return null;',
    'const module = new api.Module(bytes);',
    'let memory = new api.Memory({ initial: 1 });',
    'let k = new api.Instance(module, { env: { memory } }).exports;',
    'let floats = new Float32Array(memory.buffer);',
    'return (a, b, c, M, K, N) => {',
    '  const pa = 16;',
    '  const pb = Math.ceil((pa + M * K) / 4) * 4;',
    '  const pc = Math.ceil((pb + K * N) / 4) * 4;',
    '  const panel = Math.ceil((pc + M * N) / 4) * 4;',
    '  if (panel + 2048 > floats.length) {',
    '    const pages = Math.ceil(((panel + 2048) * 4) / 65536);',
    '    memory = new api.Memory({ initial: pages });',
    '    k = new api.Instance(module, { env: { memory } }).exports;',
    '    floats = new Float32Array(memory.buffer);',
    '  }',
    '  floats.set(a.subarray(0, M * K), pa);',
    '  floats.set(b.subarray(0, K * N), pb);',
    '  k.gemm(pa * 4, K, 1, pb * 4, N, pc * 4, 0, 0, M, K, N, 0, 0, panel * 4);',
    '  c.set(floats.subarray(pc, pc + M * N));',
    '};',
  ],
};

/** The module-level constants: the kernels' bytes, then the product over them (in this order). */
export const wasmConstants: Record<string, string[]> = {
  WASM_GEMM: [
    '/** The engine’s WebAssembly SIMD kernels (asm/kernels.ts, plain SIMD), base64. */',
    `const WASM_KERNELS =\n  "${simdKernels}";`,
    '',
    '/** The product on them, compiled once; null where WebAssembly SIMD is absent. */',
    'const WASM_GEMM = createWasmGemm();',
  ],
};

/** The functions the --wasm product brings in besides the TypeScript one. */
export const wasmProductFns: Fn[] = [matmulJsFn, createWasmGemmFn, wasmMatmulFn];
