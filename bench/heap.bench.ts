/**
 * Shows that a training step allocates nothing, and that the memory a plan allocates is the
 * peak memory `printPlan` reports. Run: npm run bench:heap (node --expose-gc --import tsx).
 *
 * Allocation per step is measured in chunks: heapUsed and arrayBuffers are read before and
 * after a chunk of steps with no forced GC in between; chunks during which a GC ran (heapUsed
 * went down) are skipped, the cost of reading the counters is calibrated and subtracted, and the
 * median chunk gives bytes allocated per step. Retained bytes per step compare heapUsed after
 * gc() before and after the whole run. GCs during the run are counted with a PerformanceObserver.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { loadModel, printPlan, type Model } from '../src/index.js';
import { planBytes } from '../src/plan/index.js';
import { readableSize } from '../src/summary/render.js';
import { benchData, mlpSource, tinyBatch, tinySource } from './engine/workloads.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error(
    'heap.bench needs the gc() hook: run it with node --expose-gc --import tsx bench/heap.bench.ts',
  );
  process.exit(1);
}
const fullGc = () => {
  gc();
  gc();
};

const chunk = 100;

/** Bytes that reading the two counters allocates itself (measured the same way, with no work). */
function counterCost(): { heap: number; buffers: number } {
  const heap: number[] = [];
  for (let i = 0; i < 200; i++) {
    const a = process.memoryUsage();
    const b = process.memoryUsage();
    if (b.heapUsed >= a.heapUsed) heap.push(b.heapUsed - a.heapUsed);
  }
  return { heap: median(heap), buffers: 0 };
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface Allocation {
  label: string;
  steps: number;
  heapPerStep: number;
  buffersPerStep: number;
  retainedPerStep: number;
  chunksUsed: number;
  gcs: string;
}

/** Runs `step` `steps` times after a warm-up and reports what it allocates and retains per step. */
async function allocation(
  label: string,
  steps: number,
  warmup: number,
  step: () => void,
): Promise<Allocation> {
  for (let i = 0; i < warmup; i++) step();
  const cost = counterCost();
  const kinds = new Map<string, number>();
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const name =
        kind === constants.NODE_PERFORMANCE_GC_MINOR
          ? 'scavenge'
          : kind === constants.NODE_PERFORMANCE_GC_MAJOR
            ? 'mark-compact'
            : kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL
              ? 'incremental'
              : 'other';
      kinds.set(name, (kinds.get(name) ?? 0) + 1);
    }
  });
  fullGc();
  const before = process.memoryUsage();
  observer.observe({ entryTypes: ['gc'] });
  const heap: number[] = [];
  const buffers: number[] = [];
  for (let done = 0; done < steps; done += chunk) {
    const a = process.memoryUsage();
    for (let i = 0; i < chunk; i++) step();
    const b = process.memoryUsage();
    if (b.heapUsed >= a.heapUsed && b.arrayBuffers >= a.arrayBuffers) {
      heap.push(Math.max(0, b.heapUsed - a.heapUsed - cost.heap) / chunk);
      buffers.push((b.arrayBuffers - a.arrayBuffers) / chunk);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries arrive asynchronously
  observer.disconnect();
  fullGc();
  const after = process.memoryUsage();
  const gcs = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  return {
    label,
    steps,
    heapPerStep: median(heap),
    buffersPerStep: median(buffers),
    retainedPerStep:
      (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / steps,
    chunksUsed: heap.length,
    gcs,
  };
}

/**
 * Checks that what a bound training plan allocates is what planBytes/printPlan report: one
 * block per model, the parameter arena (weights, gradients, optimizer state; padded to 16
 * bytes) then the work arena.
 */
function arenaReport(name: string, model: Model, batch: number): string[] {
  const buffersBefore = (fullGc(), process.memoryUsage().arrayBuffers);
  const bound = model.plan('training', batch);
  const buffersAfter = process.memoryUsage().arrayBuffers;
  const bytes = planBytes(bound.plan);
  const text = printPlan(bound.plan, name);
  const memoryLine = text.split('\n').find((l) => l.startsWith('memory:')) ?? '';
  const allocated = bound.view(bound.plan.inputs[0]!).buffer.byteLength;
  const expected = Math.ceil(bytes.params / 16) * 16 + bytes.work;
  const ok = (b: boolean) => (b ? 'ok' : 'MISMATCH');
  return [
    `  ${name}, training plan at batch ${batch}:`,
    `    printPlan: ${memoryLine}`,
    `    one block of ${allocated} B = ${readableSize(allocated)}: parameters ${bytes.params} B (padded to 16) + work ${bytes.work} B: ${ok(allocated === expected)}` +
      ` (arrayBuffers grew ${buffersAfter - buffersBefore} B while binding the plan)`,
  ];
}

function row(a: Allocation): string {
  const b = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} B`);
  return `  ${a.label.padEnd(46)} ${String(a.steps).padStart(6)}  ${b(a.heapPerStep).padStart(9)}  ${b(a.buffersPerStep).padStart(9)}  ${b(a.retainedPerStep).padStart(9)}  ${String(a.chunksUsed).padStart(3)}/${a.steps / chunk}  ${a.gcs}`;
}

async function main(): Promise<void> {
  const d = benchData(7);
  const tiny = loadModel(tinySource, { seed: 1 });
  const mlp = loadModel(mlpSource, { seed: 1 });
  // Bind the training plans first, so the arrays they allocate are measured as they are made.
  console.log('arenas: what a bound plan allocates vs what printPlan reports as peak memory');
  for (const line of [...arenaReport('tiny', tiny, tinyBatch), ...arenaReport('mlp', mlp, 32)])
    console.log(line);
  console.log('');

  const tinyX = d.tinyX.subarray(0, tinyBatch * 4);
  const tinyY = d.tinyY.subarray(0, tinyBatch * 3);
  const tinyTrain = tiny.plan('training', tinyBatch);
  tinyTrain.view(tinyTrain.plan.inputs[0]!).set(tinyX);
  tinyTrain.view(tinyTrain.plan.targets[0]!).set(tinyY);
  const tinyInfer = tiny.plan('inference', 1);
  const tinyIn = tinyInfer.view(tinyInfer.plan.inputs[0]!);
  // A Float64Array: storing a double into a captured `let` would itself allocate a HeapNumber.
  const sink = new Float64Array(1);
  const keep = (v: number): void => {
    sink[0] = sink[0]! + v;
  };

  console.log(
    `heap benchmark, node ${process.version}; per step: heap = heapUsed growth, buffers = ArrayBuffer growth (no GC inside a chunk of ${chunk}), retained = growth after gc() over the whole run\n`,
  );
  console.log(
    `  ${'path'.padEnd(46)} ${'steps'.padStart(6)}  ${'heap'.padStart(9)}  ${'buffers'.padStart(9)}  ${'retained'.padStart(9)}  chunks  GCs during the run`,
  );
  const runs: [string, number, number, () => void][] = [
    [
      '4-8-3 raw step (Model.step, batch 16)',
      10_000,
      2_000,
      () => keep(tiny.step(tinyX, tinyY, tinyBatch, null, tinyBatch)),
    ],
    [
      '4-8-3 training plan alone (BoundPlan.run(16))',
      10_000,
      2_000,
      () => tinyTrain.run(tinyBatch),
    ],
    [
      '784-128-64-10 raw step (Model.step, batch 32)',
      1_000,
      200,
      () => keep(mlp.step(d.x32, d.y32, 32, null, 32)),
    ],
    [
      '4-8-3 public trainOnBatch (batch 16)',
      10_000,
      2_000,
      () => keep(tiny.trainOnBatch(tinyX, tinyY)),
    ],
    [
      '784-128-64-10 public trainOnBatch (batch 32)',
      1_000,
      200,
      () => keep(mlp.trainOnBatch(d.x32, d.y32)),
    ],
    [
      '4-8-3 inference plan run (batch 1)',
      10_000,
      2_000,
      () => {
        tinyIn.set(d.tinyX1);
        tinyInfer.run(1);
        keep(tinyInfer.view(tinyInfer.plan.outputs[0]!)[0]!);
      },
    ],
    [
      '4-8-3 public predict (batch 1, new output array)',
      10_000,
      2_000,
      () => keep(tiny.predict(d.tinyX1)[0]!),
    ],
  ];
  const results: Allocation[] = [];
  for (const [label, steps, warmup, step] of runs) {
    results.push(await allocation(label, steps, warmup, step));
    console.log(row(results.at(-1)!));
  }
  // The claim under test: the raw training step (Model.step) allocates nothing. Below one
  // HeapNumber (16 B) per step counts as nothing; retained bytes show whether anything leaks.
  const raw = results.filter((r) => r.label.includes('raw step'));
  const free = raw.every((r) => r.heapPerStep < 16 && r.buffersPerStep === 0);
  const leaks = results.some((r) => r.retainedPerStep >= 16);
  console.log(
    `\nverdict: the raw training step ${free ? 'allocates nothing' : `ALLOCATES (${raw.map((r) => `${r.heapPerStep.toFixed(0)} B`).join(', ')} per step)`}; ` +
      `${leaks ? 'something is RETAINED across steps' : 'nothing is retained across steps (no leak)'}.`,
  );
  if (!Number.isFinite(sink[0]!)) console.log(`  (a loss was not finite: ${sink[0]})`);
}

await main();
