/**
 * The emitted module's benchmark (nn emit): the standalone module that `emitModule` writes for a
 * model, against our engine's Model.predict and TF.js (wasm backend, SIMD) on the engine
 * benchmark's predict workloads — W4 (784-128-64-10, batch 1), W5 (the same, batch 1024) and W6
 * (4-8-3, batch 1) — with the module's size for the MNIST MLP and the targets: the
 * emitted module is not slower than the engine on W4, W5 and W6 (and, the aim, faster on W6).
 *
 * The module is emitted in-process from the same engine Model that is timed (same weights),
 * transpiled with ts.transpileModule, written to a temporary .mjs and import()ed; its selfTest()
 * must pass and its outputs must match the engine's before anything is timed.
 *
 * Method (as bench/engine.bench.ts): rounds interleave the engines so that a change in machine
 * load falls on all of them; in each round every cell is warmed up (which calibrates a run to
 * ~runMs) and timed in several runs; a cell's figure is the median of its samples from every
 * round. Run: npm run bench:emit [-- --rounds=N | --quick].
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { loadModel, type Model } from '../src/index.js';
import { loadEmitted, type Emitted } from './emit/load.js';
import { measureSync, median, type Budget, type Runner } from './engine/measure.js';
import {
  cellRecorder,
  fastest,
  markdownTable,
  num,
  pick,
  speedup,
  type Cell,
  type Stat,
} from './engine/report.js';
import { tfjsRunners, tfSink } from './engine/tfjs.js';
import {
  benchData,
  bigBatch,
  mlpSource,
  tinySource,
  workloads,
  type WorkloadId,
} from './engine/workloads.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsArg = args.find((a) => a.startsWith('--rounds='));
const rounds = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : quick ? 1 : 5;
const budget: Budget = quick
  ? { warmupMs: 80, runs: 2, runMs: 60, minCalls: 2 }
  : { warmupMs: 150, runs: 2, runMs: 120, minCalls: 2 };

const ids: readonly WorkloadId[] = ['W4', 'W5', 'W6'];
/** Columns of the table, in order: the module's two calls, our engine, TF.js wasm. */
const engines = ['emitted', 'emitted-into', 'engine', 'tfjs-wasm'] as const;

/** Keeps results alive so V8 cannot drop the work (a Float64Array: no HeapNumber per store). */
const sink = new Float64Array(1);
const keep = (v: number) => {
  sink[0] = sink[0]! + v;
};

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function sync(engine: string, workload: WorkloadId, how: string, fn: () => void): Runner {
  return { engine, workload, how, measure: async (b) => measureSync(fn, b) };
}

/** The emitted module's predict (allocates its output, as Model.predict does) and predictInto. */
function emittedRunners(mlp: Emitted, tiny: Emitted, d: ReturnType<typeof benchData>): Runner[] {
  const out1 = new Float32Array(10);
  const out1024 = new Float32Array(bigBatch * 10);
  const tinyOut = new Float32Array(3);
  return [
    sync('emitted', 'W4', 'predict(Float32Array(784))', () => keep(mlp.predict(d.x1)[0]!)),
    sync('emitted', 'W5', 'predict(Float32Array(1024 × 784))', () =>
      keep(mlp.predict(d.x1024)[0]!),
    ),
    sync('emitted', 'W6', 'predict(Float32Array(4))', () => keep(tiny.predict(d.tinyX1)[0]!)),
    sync('emitted-into', 'W4', 'predictInto(x, out) with out made once', () =>
      keep(mlp.predictInto(d.x1, out1)[0]!),
    ),
    sync('emitted-into', 'W5', 'predictInto(x, out) with out made once', () =>
      keep(mlp.predictInto(d.x1024, out1024)[0]!),
    ),
    sync('emitted-into', 'W6', 'predictInto(x, out) with out made once', () =>
      keep(tiny.predictInto(d.tinyX1, tinyOut)[0]!),
    ),
  ];
}

/** Our engine's public API, as in bench/engine/ours.ts. */
function engineRunners(mlp: Model, tiny: Model, d: ReturnType<typeof benchData>): Runner[] {
  return [
    sync('engine', 'W4', 'Model.predict(Float32Array(784))', () => keep(mlp.predict(d.x1)[0]!)),
    sync('engine', 'W5', 'Model.predict(x, {batchSize: 1024})', () =>
      keep(mlp.predict(d.x1024, { batchSize: bigBatch })[0]!),
    ),
    sync('engine', 'W6', 'Model.predict(Float32Array(4))', () => keep(tiny.predict(d.tinyX1)[0]!)),
  ];
}

function ratioText(r: number | null): string {
  return r === null ? '–' : `${r.toFixed(r >= 10 ? 1 : 2)}×`;
}

function figureText(id: WorkloadId, cell: Cell | null, stat: Stat): string {
  const w = workloads.find((x) => x.id === id)!;
  if (!cell) return '–';
  const s = stat(cell.samples);
  return w.detail ? `${num(w.figure(s))} (${w.detail(s)})` : num(w.figure(s));
}

/** Figures per engine and the module's speed over the engine and TF.js (> 1: the module is faster). */
function table(cells: readonly Cell[], stat: Stat = median): string {
  const head = [
    '',
    'workload',
    'unit',
    ...engines,
    'emitted/engine',
    'into/engine',
    'emitted/wasm',
    'into/wasm',
  ];
  const rows = ids.map((id) => {
    const w = workloads.find((x) => x.id === id)!;
    const [e, into, engine, wasm] = engines.map((name) => pick(cells, name, id));
    return [
      id,
      w.title,
      w.unit,
      ...engines.map((name) => figureText(id, pick(cells, name, id), stat)),
      ratioText(speedup(e!, engine!, stat)),
      ratioText(speedup(into!, engine!, stat)),
      ratioText(speedup(e!, wasm!, stat)),
      ratioText(speedup(into!, wasm!, stat)),
    ];
  });
  return markdownTable(head, rows);
}

/** The targets: predict() (which allocates its output, like Model.predict) against the engine. */
function targetReport(cells: readonly Cell[]): string {
  const targets: { text: string; id: WorkloadId; engine: string; atLeast: number }[] = [
    { text: 'W4 emitted not slower than engine', id: 'W4', engine: 'engine', atLeast: 1 },
    { text: 'W5 emitted not slower than engine', id: 'W5', engine: 'engine', atLeast: 1 },
    { text: 'W6 emitted not slower than engine', id: 'W6', engine: 'engine', atLeast: 1 },
    { text: 'W6 emitted faster than engine (aim)', id: 'W6', engine: 'engine', atLeast: 1.0001 },
  ];
  let met = 0;
  const lines = targets.map((t) => {
    const r = speedup(pick(cells, 'emitted', t.id), pick(cells, t.engine, t.id), median);
    const best = speedup(pick(cells, 'emitted', t.id), pick(cells, t.engine, t.id), fastest);
    const into = speedup(pick(cells, 'emitted-into', t.id), pick(cells, t.engine, t.id), median);
    const verdict = (x: number | null) => (x === null ? 'n/a' : x >= t.atLeast ? 'met' : 'NOT MET');
    if (r !== null && r >= t.atLeast) met++;
    return `  ${verdict(r).padEnd(7)}  ${t.text.padEnd(36)} ${ratioText(r).padEnd(7)} (fastest runs: ${ratioText(best)}, ${verdict(best)}; predictInto: ${ratioText(into)}, ${verdict(into)})`;
  });
  return [
    `targets (the module's predict vs Model.predict, medians): ${met} of ${targets.length} met`,
    ...lines,
  ].join('\n');
}

/** Per cell: median, fastest and slowest sample, sample count, how the engine was driven. */
function details(cells: readonly Cell[]): string {
  const lines = ['details (per call: median [min … max] over n samples):'];
  const us = (s: number) => `${num(s * 1e6)} µs`;
  for (const id of ids)
    for (const c of cells.filter((x) => x.workload === id))
      lines.push(
        `  ${id} ${c.engine.padEnd(12)} ${us(median(c.samples))} [${us(Math.min(...c.samples))} … ${us(Math.max(...c.samples))}] n=${c.samples.length}  ${c.how}`,
      );
  return lines.join('\n');
}

/** The largest difference between two outputs (the module must compute what the engine does). */
function maxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  tf.enableProdMode();
  await tf.setBackend('wasm');
  await tf.ready();
  console.log('emitted module benchmark (nn emit)');
  console.log(
    `  node ${process.version} (V8 ${process.versions.v8}), ${cpus.length} × ${cpus[0]?.model ?? '?'}`,
  );
  console.log(
    `  tfjs ${tf.version.tfjs}, tfjs-backend-wasm ${version_wasm} (simd=${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads=${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}); prod mode`,
  );
  console.log(`  load average at start: ${load()}`);
  if (quick)
    console.log('  --quick: a smoke run; TF.js is not fully warmed up, so do not quote it');
  console.log(
    `  ${rounds} round(s); per cell per round: warm-up ≥ ${budget.warmupMs} ms (×3 in round 1), ${budget.runs} runs of ~${budget.runMs} ms`,
  );

  const data = benchData(7);
  const mlp = loadModel(mlpSource, { seed: 1 });
  const tiny = loadModel(tinySource, { seed: 1 });
  const emittedMlp = await loadEmitted(mlp, 'mlp');
  const emittedTiny = await loadEmitted(tiny, 'tiny');
  const diffs = [
    maxDiff(
      emittedMlp.module.predict(data.x1024),
      mlp.predict(data.x1024, { batchSize: bigBatch }),
    ),
    maxDiff(emittedTiny.module.predict(data.tinyX1), tiny.predict(data.tinyX1)),
  ];
  console.log(
    `  modules emitted, transpiled and imported; selfTest ok; max |module − engine| on the bench inputs: ${diffs.map((d) => d.toExponential(1)).join(' (MLP), ')} (4-8-3)`,
  );
  const { tsBytes, tsGzipBytes, jsBytes } = emittedMlp.size;
  console.log(
    `  MNIST MLP (784-128-64-10, ${mlp.weightValues().length.toLocaleString('en-US')} params) module size: ${tsBytes.toLocaleString('en-US')} bytes of TypeScript, ${tsGzipBytes.toLocaleString('en-US')} gzipped (level 9); ${jsBytes.toLocaleString('en-US')} bytes transpiled to JavaScript`,
  );
  console.log(
    `  4-8-3 module size: ${emittedTiny.size.tsBytes.toLocaleString('en-US')} bytes of TypeScript, ${emittedTiny.size.tsGzipBytes.toLocaleString('en-US')} gzipped\n`,
  );
  if (diffs.some((d) => !(d <= 1e-5)))
    throw new Error('the emitted module disagrees with the engine');

  const { cells, record } = cellRecorder();
  const t0 = performance.now();
  for (let round = 0; round < rounds; round++) {
    const b = round === 0 ? { ...budget, warmupMs: budget.warmupMs * 3 } : budget;
    for (const r of emittedRunners(emittedMlp.module, emittedTiny.module, data)) await record(r, b);
    for (const r of engineRunners(mlp, tiny, data)) await record(r, b);
    const { runners, dispose } = tfjsRunners('tfjs-wasm', data);
    for (const r of runners.filter((x) => ids.includes(x.workload))) await record(r, b);
    dispose();
    console.log(
      `  round ${round + 1}/${rounds} done at ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${load()}`,
    );
  }

  const all = [...cells.values()];
  console.log(
    `\nmedians (emitted = the module's predict(), into = its predictInto(); ratios: how many times faster the module is, > 1 = faster)\n`,
  );
  console.log(table(all));
  console.log(`\nfastest runs (less sensitive to other processes on the machine)\n`);
  console.log(table(all, fastest));
  console.log(`\n${targetReport(all)}\n`);
  console.log(details(all));
  console.log(
    `\n  load average at end: ${load()}; total ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (!Number.isFinite(sink[0]! + tfSink[0]!))
    console.log(`  (a result was not finite: ${sink[0]} ${tfSink[0]})`);
}

await main();
