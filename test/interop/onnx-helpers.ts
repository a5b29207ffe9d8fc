/** Runs exported ONNX bytes with onnxruntime-node on the inputs our predict gets. */
import * as ort from 'onnxruntime-node';
import { toOnnx } from 'nnlang';
import { built, inputsFor, maxDiff, ourPredict } from './helpers.js';

/** onnxruntime's outputs for `xs` (one flat array per model input), in the graph's output order. */
export async function runOnnx(
  bytes: Uint8Array,
  xs: Float32Array[],
  shapes: (number | null)[][],
  rows: number,
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, k) => {
    feeds[name] = new ort.Tensor('float32', xs[k]!, [rows, ...(shapes[k]!.slice(1) as number[])]);
  });
  const out = await session.run(feeds);
  return session.outputNames.map((n) => out[n]!.data as Float32Array);
}

/** Exports a model built with random weights, runs it in onnxruntime and our engine. */
export async function throughOnnx(source: string, name?: string, ids?: number, seed = 7) {
  const { checked, model, weights } = built(source, name, seed, 'js');
  const { bytes } = toOnnx(checked, weights);
  const shapes = checked.inputs.map((i) => i.shape!);
  const rows = 3;
  const xs = inputsFor(shapes, rows, ids);
  const ours = ourPredict(model, xs);
  const theirs = await runOnnx(bytes, xs, shapes, rows);
  return { bytes, ours, theirs, diff: maxDiff(ours, theirs) };
}
