/**
 * The backends the conformance suite runs on: the JavaScript reference backend, and the wasm
 * backend where this engine has WebAssembly SIMD — every case on its best tier (the one users
 * get: relaxed SIMD on Node ≥ 22 and Chromium, plain SIMD on Node 20; the wasm pass adds about
 * half the suite's time, ~16 s on this machine), and the cases whose products the tiers compute
 * differently (TIER_GROUPS) on the other tier. Only the product kernels (gemm, gemmTransB) differ
 * between the tiers: the relaxed build fuses their multiply-adds (f32x4.relaxed_madd) and tiles
 * them 6 rows high; every other kernel is the same code.
 */
import { createWasmBackend, jsBackend, wasmTier, type Backend } from '../../src/backends/index.js';
import { relaxedSimdFlag } from '../../src/backends/wasm-block.js';

/**
 * Whether this test process is the relaxed pass: vitest.config.ts's 'relaxed-simd' project
 * runs the tier-dependent files again under Node 20 with the flag, and there only the relaxed
 * tier runs (the default project ran everything else).
 */
export const relaxedPass = process.execArgv.includes(relaxedSimdFlag);

/** The kernel builds this process tests: plain SIMD (not in the relaxed pass), relaxed where it validates. */
export function testTiers(): ('simd' | 'relaxed')[] {
  const tier = wasmTier();
  if (tier === null) return [];
  if (relaxedPass) return tier === 'relaxed' ? ['relaxed'] : [];
  return tier === 'relaxed' ? ['relaxed', 'simd'] : ['simd'];
}

/**
 * The groups of test/conformance/cases.ts the second tier runs: every Dense, convolution
 * (grouped and depthwise too) and recurrent layer with their backward products, and every
 * optimizer's update over gradients from the products (~half the cases; the activation, loss
 * and regularizer groups reach the products only through a Dense layer these already cover).
 */
export const TIER_GROUPS: readonly string[] = ['layers', 'sequences', 'optimizers'];

export interface TestBackend {
  name: string;
  backend: Backend;
  /** The case groups it runs; null: all. */
  groups: readonly string[] | null;
}

export function testBackends(): TestBackend[] {
  const tiers = testTiers();
  const wasm = (tier: 'simd' | 'relaxed', groups: readonly string[] | null): TestBackend => ({
    name: tier === 'simd' ? 'wasm' : 'wasm-relaxed',
    backend: createWasmBackend(tier),
    groups,
  });
  if (relaxedPass) return tiers.map((t) => wasm(t, TIER_GROUPS));
  return [
    { name: 'js', backend: jsBackend, groups: null },
    ...tiers.map((t, i) => wasm(t, i === 0 ? null : TIER_GROUPS)),
  ];
}

/** The cases a test backend runs. */
export function casesFor<C extends { group: string }>(b: TestBackend, cases: readonly C[]): C[] {
  const groups = b.groups;
  return groups ? cases.filter((c) => groups.includes(c.group)) : [...cases];
}
