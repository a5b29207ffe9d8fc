/**
 * What the interop tests share: a model from .nn source with random (seeded) weights, TF.js
 * models loaded from an exported folder exactly as written on disk, and inputs for both.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compile, Model, type CheckedModel, type ImportResult, type NamedWeights } from 'nnlang';
import { Rng } from '../../src/kernels/random.js';

export interface Built {
  checked: CheckedModel;
  model: Model;
  weights: NamedWeights[];
}

/**
 * The model of `source` (its first, or `name`) built, with every weight drawn at random so
 * that biases, moving statistics and PReLU slopes are not trivially 0 or 1.
 */
export function built(
  source: string,
  name?: string,
  seed = 7,
  backend: 'js' | 'wasm' | 'auto' = 'auto',
): Built {
  const out = compile(source);
  const checked = name
    ? out.checked.models.find((m) => m.name === name)!
    : out.checked.models.find((m) => out.models.some((c) => c.graph.name === m.name))!;
  const compiled = out.models.find((c) => c.graph.name === checked.name);
  if (!compiled)
    throw new Error(
      `model '${checked.name}' does not compile: ${JSON.stringify(out.diagnostics.map((d) => d.message))}`,
    );
  const model = new Model(compiled, { seed, backend });
  model.build(checked.inputs[0]!.shape!);
  const rng = new Rng(seed);
  const specs = model.weightSpecs();
  const values = specs.map((s, i) => {
    const init = model.getWeights()[i]!;
    if (s.name === 'embeddings') return init;
    return init.map(() =>
      s.name.includes('variance') ? 0.5 + rng.uniform() : rng.uniform() * 2 - 1,
    );
  });
  model.setWeights(values);
  const weights = specs.map((s, i) => ({ ...s, values: values[i]! }));
  return { checked, model, weights };
}

/** Loads an exported folder into TF.js, reading model.json and its shards from disk. */
export async function loadTfjsFolder(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const parts = (json.weightsManifest as { paths: string[] }[]).flatMap((g) =>
    g.paths.map((p) => readFileSync(join(dir, p))),
  );
  const all = Buffer.concat(parts);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      ...(json.trainingConfig ? { trainingConfig: json.trainingConfig } : {}),
    }),
  );
}

/**
 * Writes TF.js's save artifacts as tfjs-node's file handler does: model.json with the
 * manifest and one `weights.bin` beside it. Returns model.json's path.
 */
export function writeTfjsSave(artifacts: tf.io.ModelArtifacts, dir = tempDir()): string {
  const data = artifacts.weightData as ArrayBuffer;
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(data));
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  const file = join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** What TF.js's `model.save` hands its IO handler (weights and optimizer state included). */
export async function savedByTfjs(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return saved!;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nn-interop-'));
}

/** Seeded inputs for each model input: floats in [-1, 1], or token ids below `ids` where given. */
export function inputsFor(shapes: (number | null)[][], rows: number, ids?: number): Float32Array[] {
  const rng = new Rng(11);
  return shapes.map((s) => {
    const n = rows * s.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
    return Float32Array.from({ length: n }, () =>
      ids ? Math.floor(rng.uniform() * ids) : rng.uniform() * 2 - 1,
    );
  });
}

/** TF.js's predictions for the same inputs, one flat array per output. */
export function tfjsPredict(
  m: tf.LayersModel,
  xs: Float32Array[],
  shapes: (number | null)[][],
  rows: number,
): Float32Array[] {
  const tensors = xs.map((x, k) => tf.tensor(x, [rows, ...(shapes[k]!.slice(1) as number[])]));
  const out = m.predict(tensors.length === 1 ? tensors[0]! : tensors);
  return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
}

/** Our predictions, one flat array per output. */
export function ourPredict(model: Model, xs: Float32Array[]): Float32Array[] {
  const input = xs.length === 1 ? xs[0]! : xs;
  return model.predictOutputs(input as never);
}

/**
 * The largest difference between two lists of arrays of the same sizes, relative to the
 * outputs' scale (at least 1): float32 sums in another order differ by ~1e-7 of their size.
 */
export function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  expectSameSizes(a, b);
  let d = 0;
  let scale = 1;
  a.forEach((x, k) =>
    x.forEach((v, i) => {
      d = Math.max(d, Math.abs(v - b[k]![i]!));
      scale = Math.max(scale, Math.abs(v));
    }),
  );
  return d / scale;
}

function expectSameSizes(a: Float32Array[], b: Float32Array[]): void {
  const sizes = (l: Float32Array[]) => l.map((x) => x.length).join();
  if (sizes(a) !== sizes(b)) throw new Error(`outputs differ in size: ${sizes(a)} vs ${sizes(b)}`);
}

/** An imported model with its weights set, ready to predict. */
export function modelOf(result: ImportResult): Model {
  const out = compile(result.source);
  const compiled = out.models[0];
  if (!compiled) throw new Error(out.diagnostics.map((d) => d.message).join('\n'));
  const model = new Model(compiled, { seed: 0 });
  model.build(compiled.graph.inputShape!);
  model.setWeights(result.weights!.map((w) => w.values));
  return model;
}

/**
 * A small trained-looking model for the commands' tests, with its weights inline and a CSV to
 * predict: `dir/m.nn` and `dir/data.csv`. Returns the .nn file's path.
 */
export function writeTinyModel(dir: string): string {
  writeFileSync(join(dir, 'data.csv'), 'a,b\n0.5,-1\n2,0.25\n-1,-1\n');
  const file = join(dir, 'm.nn');
  writeFileSync(
    file,
    [
      'model m {',
      "  Input(2) -> Dense(2, activation='tanh', weights=[[[1, -2], [0.5, 3]], [0.1, -0.2]])",
      "    -> Dense(1, activation='sigmoid', weights=[[[1.5], [-1]], [0.3]])",
      "  compile('adam', 'binary_crossentropy')",
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * `nn import` of an exported model into `dir/back.nn`, then `nn predict` of the original and of
 * the import on the tiny model's CSV: the import's output and both predictions.
 */
export function importAndPredict(
  nn: (...args: string[]) => { code: number; out: string; err: string },
  dir: string,
  file: string,
  exported: string,
): {
  imported: string;
  original: { code: number; out: string };
  back: { err: string; out: string };
} {
  const imported = nn('import', exported, '-o', join(dir, 'back.nn'));
  const data = join(dir, 'data.csv');
  return {
    imported: imported.out,
    original: nn('predict', file, '--data', data),
    back: nn('predict', join(dir, 'back.nn'), '--data', data),
  };
}

export { dirname };
