/**
 * Issue 3's engine benchmark: our Float32Array engine against TF.js ('cpu', pure JavaScript,
 * and 'wasm', SIMD) on eight workloads — training steps of a 784-128-64-10 MLP (W1, W2), epochs
 * of an iris-sized 4-8-3 model (W3), predict latency and throughput (W4–W6), and a 512³ matrix
 * product (W7; W7r: the same on the relaxed SIMD build, in a child `node
 * --experimental-wasm-relaxed-simd` where this Node needs the flag) and training steps of issue
 * 10's MNIST CNN (W8) — with the issues' targets beside the numbers.
 *
 * Method: the run is split into rounds; in each round every cell (engine × workload) is warmed
 * up (which also calibrates a run to ~runMs) and then timed in several runs. Rounds interleave
 * the engines so that a change in machine load falls on all of them; a cell's figure is the
 * median of its samples from every round. Run: npm run bench:engine [-- --rounds=N | --quick |
 * --only=W8,W9] (--only runs just the listed workloads; API: the API's overhead over the raw step).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import type { Budget } from './engine/measure.js';
import { apiOverhead } from './engine/overhead.js';
import { ourRunners, sink } from './engine/ours.js';
import { cellRecorder, details, fastest, table, targetReport } from './engine/report.js';
import { tfjsRunners, tfSink } from './engine/tfjs.js';
import { benchData } from './engine/workloads.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsArg = args.find((a) => a.startsWith('--rounds='));
// --only=W8,W1: just these workloads (the others are skipped, not measured).
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const selected = <T extends { workload: string }>(runners: T[]): T[] =>
  only ? runners.filter((r) => only.has(r.workload)) : runners;
const rounds = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : quick ? 1 : 5;
const budget: Budget = quick
  ? { warmupMs: 80, runs: 2, runMs: 60, minCalls: 2 }
  : { warmupMs: 150, runs: 2, runMs: 120, minCalls: 2 };

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Which wasm binary the backend loads in Node: it looks beside its own dist/ entry point. */
function wasmBinary(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  const name = `tfjs-backend-wasm${threads && simd ? '-threaded-simd' : simd ? '-simd' : ''}.wasm`;
  const path = join(dirname(entry), name);
  return `simd=${simd} threads=${threads}, ${name} ${existsSync(path) ? 'found' : 'MISSING'} in ${dirname(entry)}`;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  // TF.js's production mode: its documented fast setting (in 4.22 it only silences warnings,
  // among them the banner suggesting tfjs-node, which is not a peer here).
  tf.enableProdMode();
  await tf.setBackend('wasm');
  await tf.ready();
  console.log('engine benchmark (issue 3)');
  console.log(
    `  node ${process.version} (V8 ${process.versions.v8}), ${cpus.length} × ${cpus[0]?.model ?? '?'}`,
  );
  console.log(
    `  tfjs ${tf.version.tfjs} (tfjs-core ${tf.version['tfjs-core']}, tfjs-layers ${tf.version['tfjs-layers']}, tfjs-backend-cpu ${tf.version['tfjs-backend-cpu']}), tfjs-backend-wasm ${version_wasm}: ${wasmBinary()}; prod mode`,
  );
  console.log(`  load average at start: ${load()}`);
  if (quick)
    console.log('  --quick: a smoke run; TF.js is not fully warmed up, so do not quote it');
  console.log(
    `  ${rounds} round(s); per cell per round: warm-up ≥ ${budget.warmupMs} ms (×3 in round 1), ${budget.runs} runs of ~${budget.runMs} ms\n`,
  );

  const data = benchData(7);
  const { cells, record } = cellRecorder();
  const t0 = performance.now();
  for (let round = 0; round < rounds; round++) {
    // The first round warms up longer: TF.js builds its training functions on first use.
    const b = round === 0 ? { ...budget, warmupMs: budget.warmupMs * 3 } : budget;
    for (const r of selected(ourRunners(data))) await record(r, b);
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const { runners, dispose } = tfjsRunners(`tfjs-${backend}`, data);
      for (const r of selected(runners)) await record(r, b);
      dispose();
    }
    console.log(
      `  round ${round + 1}/${rounds} done at ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${load()}`,
    );
  }

  const all = [...cells.values()];
  console.log(`\nmedians (ratios: how many times faster our public API is; > 1 = we are faster)\n`);
  console.log(table(all));
  console.log(`\nfastest runs (less sensitive to other processes on the machine)\n`);
  console.log(table(all, fastest));
  console.log(`\n${targetReport(all)}\n`);
  console.log(details(all));
  // The API's own cost (issue 12), ours only: --only=API runs just this.
  if (!only || only.has('API')) console.log(`\n${apiOverhead(quick ? 5 : 4 * rounds + 1)}`);
  console.log(
    `\n  load average at end: ${load()}; total ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  // Results feed these sinks so no work can be optimized away; print them so they are used.
  if (!Number.isFinite(sink[0]! + tfSink[0]!))
    console.log(`  (a result was not finite: ${sink[0]} ${tfSink[0]})`);
}

await main();
