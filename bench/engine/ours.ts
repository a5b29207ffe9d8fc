/**
 * Our engine on the seven workloads, twice: through the public API (trainOnBatch, fit, predict:
 * the numbers that count) and through the lower-level path (Model.step on laid-out arrays, a
 * BoundPlan's input view / run / output view), which shows how much the API's conversions cost.
 */
import { loadModel, wasmTier, type BackendName, type Model } from '../../src/index.js';
import { allocateBlock } from '../../src/backends/wasm-block.js';
import { matmul } from '../../src/kernels/matmul.js';
import { inRelaxedChild, relaxedFlag } from '../relaxed-child.js';
import { measureSync, type Runner, type Samples } from './measure.js';
import {
  bigBatch,
  cnnSource,
  gemmSize,
  lstmSource,
  mlpSource,
  tinyBatch,
  tinySource,
  type BenchData,
  type WorkloadId,
} from './workloads.js';

/**
 * Keeps results alive so V8 cannot drop the work that produced them. A Float64Array, not a
 * `let`: storing a double into a closure or module variable allocates a HeapNumber each time.
 */
export const sink = new Float64Array(1);

/** Adds a result to the sink. */
export function keep(v: number): void {
  sink[0] = sink[0]! + v;
}

function sync(engine: string, workload: WorkloadId, how: string, fn: () => void): Runner {
  return { engine, workload, how, measure: async (budget) => measureSync(fn, budget) };
}

/**
 * The public API runners on the default backend choice ('ours': wasm for the MLP, CNN and LSTM
 * where WebAssembly SIMD is there, JavaScript for the 4-8-3 model) and forced to the JavaScript
 * backend ('ours-js': the engine before the wasm backend, for before/after ratios in one run),
 * W5 with `threads: 2` ('ours-2t': its own row in the table), and the lower-level runners
 * ('ours-raw', default backend).
 */
export function ourRunners(d: BenchData): Runner[] {
  const mlp32 = loadModel(mlpSource, { seed: 1 });
  const mlp128 = loadModel(mlpSource, { seed: 1 });
  const tiny = loadModel(tinySource, { seed: 1 });
  const mlpInfer = loadModel(mlpSource, { seed: 1 });
  const tinyInfer = loadModel(tinySource, { seed: 1 });
  const tinyBatches = batchesOf(d.tinyX, d.tinyY, 4, 3, tinyBatch);
  // W5 with a worker thread for the large products (the threads option; one thread where the
  // engine cannot run workers, as its label then says).
  const mlpThreads = loadModel(mlpSource, { seed: 1, threads: 2 });

  return [
    ...apiRunners('ours', 'auto', d),
    ...apiRunners('ours-js', 'js', d),
    wasmGemmRunner(d),
    ...[relaxedGemmRunner(d)].filter((r) => r !== null),
    sync('ours-js', 'W7', 'matmul() from src/kernels/matmul.ts', jsGemm(d)),
    sync('ours-raw', 'W1', 'Model.step(x, y, 32, null, 32)', () => {
      keep(mlp32.step(d.x32, d.y32, 32, null, 32));
    }),
    sync('ours-raw', 'W2', 'Model.step(x, y, 128, null, 128)', () => {
      keep(mlp128.step(d.x128, d.y128, 128, null, 128));
    }),
    sync('ours-raw', 'W3', '10 × Model.step on fixed batches (no shuffle)', () => {
      for (const b of tinyBatches) keep(tiny.step(b.x, b.y, b.n, null, tinyBatch));
    }),
    sync(
      'ours-2t',
      'W5',
      `predict(x, {batchSize: 1024}), loadModel(…, {threads: 2}): ${mlpThreads.threads} thread(s)`,
      () => {
        keep(mlpThreads.predict(d.x1024, { batchSize: bigBatch })[0]!);
      },
    ),
    planRunner(mlpInfer, 'W4', d.x1, 1),
    planRunner(mlpInfer, 'W5', d.x1024, bigBatch),
    planRunner(tinyInfer, 'W6', d.tinyX1, 1),
  ];
}

/** W1–W6, W8, W9 through the public API on one backend choice. */
function apiRunners(engine: string, backend: BackendName, d: BenchData): Runner[] {
  const load = (source: string) => loadModel(source, { seed: 1, backend });
  const mlp32 = load(mlpSource);
  const mlp128 = load(mlpSource);
  const tiny = load(tinySource);
  const mlpInfer = load(mlpSource);
  const tinyInfer = load(tinySource);
  const cnn = load(cnnSource);
  const lstm = load(lstmSource);
  return [
    sync(engine, 'W1', 'trainOnBatch(Float32Array, Float32Array)', () => {
      keep(mlp32.trainOnBatch(d.x32, d.y32));
    }),
    sync(engine, 'W2', 'trainOnBatch(Float32Array, Float32Array)', () => {
      keep(mlp128.trainOnBatch(d.x128, d.y128));
    }),
    sync(engine, 'W3', 'fit(x, y, {epochs: 1, batchSize: 16}) per epoch (shuffled)', () => {
      keep(tiny.fit(d.tinyX, d.tinyY, { epochs: 1, batchSize: tinyBatch }).epoch.length);
    }),
    sync(engine, 'W4', 'predict(Float32Array(784))', () => {
      keep(mlpInfer.predict(d.x1)[0]!);
    }),
    sync(engine, 'W5', 'predict(x, {batchSize: 1024})', () => {
      keep(mlpInfer.predict(d.x1024, { batchSize: bigBatch })[0]!);
    }),
    sync(engine, 'W6', 'predict(Float32Array(4))', () => {
      keep(tinyInfer.predict(d.tinyX1)[0]!);
    }),
    sync(engine, 'W9', 'trainOnBatch(Float32Array, Float32Array)', () => {
      keep(lstm.trainOnBatch(d.seqX, d.seqY));
    }),
    sync(engine, 'W8', 'trainOnBatch(Float32Array, Float32Array)', () => {
      keep(cnn.trainOnBatch(d.x32, d.y32));
    }),
  ];
}

/** W7 on the JavaScript kernel. */
function jsGemm(d: BenchData): () => void {
  const c = new Float32Array(gemmSize * gemmSize);
  return () => {
    matmul(d.gemmA, d.gemmB, c, gemmSize, gemmSize, gemmSize, false);
    keep(c[0]!);
  };
}

/**
 * W7 on the wasm backend's product kernel of one tier (its operands in one wasm block), or on
 * JS without SIMD. The plain tier runs wherever SIMD does (the relaxed one: wasmTier()).
 */
export function wasmGemmRunner(d: BenchData, which: 'simd' | 'relaxed' = 'simd'): Runner {
  const workload = which === 'simd' ? 'W7' : 'W7r';
  if (wasmTier() === null) {
    return sync('ours', workload, 'matmul() (no WebAssembly SIMD here)', jsGemm(d));
  }
  const n = gemmSize;
  const { block, data } = allocateBlock(which, 3 * n * n);
  data.set(d.gemmA, 0);
  data.set(d.gemmB, n * n);
  const [a, b, c] = [0, 1, 2].map((i) => data.byteOffset + i * n * n * 4) as [
    number,
    number,
    number,
  ];
  return sync('ours', workload, `wasm gemm (${which}) from asm/kernels.ts`, () => {
    block.kernels.gemm(a, n, 1, b, n, c, 0, 0, n, n, n, 0, 0, block.panel);
    keep(data[2 * n * n]!);
  });
}

/** Whether W7r's notice was printed (ourRunners runs once a round). */
let relaxedSkipped = false;

/**
 * W7r: W7 on the relaxed SIMD build — in this process where the engine runs it (Node ≥ 22,
 * Chromium), else in a child Node with the flag (bench/engine/relaxed-w7.ts, spawned each round
 * and warmed up afresh), else no samples and a notice, once.
 */
function relaxedGemmRunner(d: BenchData): Runner | null {
  const tier = wasmTier();
  if (tier === null) return null;
  if (tier === 'relaxed') return wasmGemmRunner(d, 'relaxed');
  return {
    engine: 'ours',
    workload: 'W7r',
    how: `wasm gemm (relaxed) in a child node ${relaxedFlag}`,
    async measure(budget) {
      const child = inRelaxedChild('bench/engine/relaxed-w7.ts', [JSON.stringify(budget)]);
      if (child.ok) return (child.value as { samples: Samples }).samples;
      if (!relaxedSkipped) console.log(`  W7r (relaxed SIMD) skipped: ${child.reason}`);
      relaxedSkipped = true;
      return [];
    },
  };
}

/** Inference through a BoundPlan: copy into the input view, run, read the output view. */
function planRunner(model: Model, workload: WorkloadId, x: Float32Array, batch: number): Runner {
  const bound = model.plan('inference', batch);
  const input = bound.view(bound.plan.inputs[0]!);
  const output = bound.view(bound.plan.outputs[0]!);
  return sync(
    'ours-raw',
    workload,
    `plan('inference', ${batch}): input.set, run(${batch}), output`,
    () => {
      input.set(x);
      bound.run(batch);
      keep(output[0]!);
    },
  );
}

/** A data set cut into consecutive batches of `batch` rows (the last may be shorter). */
export function batchesOf(
  x: Float32Array,
  y: Float32Array,
  inSize: number,
  ySize: number,
  batch: number,
): { x: Float32Array; y: Float32Array; n: number }[] {
  const rows = x.length / inSize;
  const out: { x: Float32Array; y: Float32Array; n: number }[] = [];
  for (let start = 0; start < rows; start += batch) {
    const n = Math.min(batch, rows - start);
    out.push({
      x: x.slice(start * inSize, (start + n) * inSize),
      y: y.slice(start * ySize, (start + n) * ySize),
      n,
    });
  }
  return out;
}
