/**
 * W7r in a child Node with relaxed SIMD enabled (bench/relaxed-child.ts; spawned by
 * bench/engine/ours.ts where this Node needs the flag): measures W7's product on the relaxed
 * build with the budget given as JSON and prints {"samples": […]} (seconds per call).
 */
import { wasmTier } from '../../src/index.js';
import type { Budget } from './measure.js';
import { wasmGemmRunner } from './ours.js';
import { benchData } from './workloads.js';

if (wasmTier() !== 'relaxed') throw new Error('relaxed SIMD does not validate in this engine');
const budget = JSON.parse(process.argv[2] ?? '') as Budget;
const runner = wasmGemmRunner(benchData(7), 'relaxed');
// A fresh engine each round: the first round's longer warm-up, so the kernel is tiered up.
await runner.measure({ ...budget, runs: 0, warmupMs: 2 * budget.warmupMs });
console.log(JSON.stringify({ samples: await runner.measure(budget) }));
