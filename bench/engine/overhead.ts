/**
 * What the public API costs over the raw step (issue 12: "the API must not eat the kernels'
 * gains"): on the MNIST MLP over the same 2,048 rows in batches of 32, per backend, fit() for
 * one epoch against a loop of trainOnBatch on the same batches, and predict() and evaluate()
 * against a loop over their bound plan (copy a batch in, run, read the output or loss). The aim
 * is a ratio ≥ 0.95 everywhere. The two sides of a pair alternate call by call and are timed
 * in CPU time (process.cpuUsage), so other processes on a shared machine blur them less.
 */
import { loadModel, type BackendName, type Model } from '../../src/index.js';
import { median } from './measure.js';
import { features, mlpSource, oneHot } from './workloads.js';
import { Rng } from '../../src/kernels/random.js';
import { keep } from './ours.js';

const rows = 2048;
const batch = 32;
const inSize = 784;
const classes = 10;

interface Pair {
  what: string;
  api: () => void;
  raw: () => void;
}

/** The three pairs on one model. */
function pairs(model: Model, x: Float32Array, y: Float32Array): Pair[] {
  const xs = Array.from({ length: rows / batch }, (_, b) =>
    x.subarray(b * batch * inSize, (b + 1) * batch * inSize),
  );
  const ys = Array.from({ length: rows / batch }, (_, b) =>
    y.subarray(b * batch * classes, (b + 1) * batch * classes),
  );
  const infer = model.plan('inference', batch);
  const inferIn = infer.view(infer.plan.inputs[0]!);
  const inferOut = infer.view(infer.plan.outputs[0]!);
  const out = new Float32Array(rows * classes);
  const evaluation = model.plan('evaluation', batch);
  const evalIn = evaluation.view(evaluation.plan.inputs[0]!);
  const evalY = evaluation.view(evaluation.plan.targets[0]!);
  const evalLoss = evaluation.view(evaluation.plan.loss!);
  return [
    {
      what: 'fit(x, y, {epochs: 1, batchSize: 32}) / trainOnBatch loop',
      api: () => keep(model.fit(x, y, { epochs: 1, batchSize: batch }).epoch.length),
      raw: () => {
        for (let b = 0; b < xs.length; b++) keep(model.trainOnBatch(xs[b]!, ys[b]!));
      },
    },
    {
      what: 'predict(x) / inference plan loop',
      api: () => keep(model.predict(x)[0]!),
      raw: () => {
        for (let b = 0; b < xs.length; b++) {
          inferIn.set(xs[b]!);
          infer.run(batch);
          out.set(inferOut, b * batch * classes);
        }
        keep(out[0]!);
      },
    },
    {
      what: 'evaluate(x, y) / evaluation plan loop',
      api: () => keep(model.evaluate(x, y) as number),
      raw: () => {
        let sum = 0;
        for (let b = 0; b < xs.length; b++) {
          evalIn.set(xs[b]!);
          evalY.set(ys[b]!);
          evaluation.run(batch);
          sum += evalLoss[0]!;
        }
        keep(sum);
      },
    },
  ];
}

/** CPU milliseconds of one call. */
function cpuMs(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

/** Measures every pair on each backend (`calls` alternating calls a side) and prints the API/raw speed ratios. */
export function apiOverhead(calls: number): string {
  const rng = new Rng(11);
  const x = features(rng, rows, inSize);
  const y = oneHot(rng, rows, classes);
  const lines = [
    `API over the raw step (MNIST MLP, ${rows} rows, batch ${batch}; CPU time; speed ratio, 1 = no overhead, aim ≥ 0.95)`,
  ];
  for (const backend of ['wasm', 'js'] as BackendName[]) {
    const model = loadModel(mlpSource, { seed: 1, backend });
    for (const p of pairs(model, x, y)) {
      p.raw();
      p.api();
      const api: number[] = [];
      const raw: number[] = [];
      for (let r = 0; r < calls; r++) {
        raw.push(cpuMs(p.raw));
        api.push(cpuMs(p.api));
      }
      const [a, w] = [median(api), median(raw)];
      const rate = (ms: number) => Math.round((rows / ms) * 1000).toLocaleString('en-US');
      lines.push(
        `  ${model.backendName!.padEnd(13)} ${p.what.padEnd(58)} ${(w / a).toFixed(3)}  (${rate(a)} vs ${rate(w)} samples/s)`,
      );
    }
  }
  return lines.join('\n');
}
