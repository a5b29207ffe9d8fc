/**
 * `nn export --format tfjs` and `nn import`: a trained model to TF.js's layers format (a folder
 * with model.json and weight shards) and back — or a Keras `to_json()` config in. Weights for
 * export come as for `nn emit`: --weights, else the file `nn train` wrote, else inline weights;
 * without any it refuses rather than export untrained weights.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  importKeras,
  InteropError,
  readTfjsFolder,
  toTfjs,
  writeTfjsFolder,
  type ImportResult,
  type InteropProblem,
} from '../interop/index.js';
import { exportKeras, readKerasFile } from './keras.js';
import { Model } from '../runtime/index.js';
import { unwritableReason, writeFileAtomic, writeWeightsFile } from '../runtime/weights-file.js';
import { CliError, defaultWeightsPath, loadChecked } from './engine.js';
import { exportOnnx } from './onnx.js';
import { allWeightsInline } from './predict.js';

export interface ExportOptions {
  model?: string;
  weights?: string;
  format: string;
  /** -o: the folder to write. */
  out?: string;
}

/** The export formats (an unknown one is a usage error, checked with the other flags). */
export const exportFormats = ['tfjs', 'keras', 'onnx'];

export function runExport(
  file: string,
  options: ExportOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number | Promise<number> {
  if (!options.out)
    throw new CliError(
      options.format === 'tfjs'
        ? 'name the folder to write with -o DIR.'
        : `name the file to write with -o model.${options.format}.`,
    );
  const loaded = loadChecked(file, options.model, err);
  const model = new Model(loaded.compiled, { seed: 0 });
  const path = options.weights ?? defaultWeightsPath(file, loaded.model.name);
  const saved = options.weights || existsSync(path) ? model.loadWeights(path) : null;
  if (!saved && allWeightsInline(loaded)) model.build(loaded.compiled.graph.inputShape!);
  else if (!saved)
    throw new CliError(
      `no weights for model '${loaded.model.name}': train it first (nn train ${file}) or name them with --weights; nothing was exported.`,
    );
  const values = model.getWeights();
  const weights = model.weightSpecs().map((w, i) => ({ ...w, values: values[i]! }));
  // A sequential model whose data fixed its input: the built shape is the one TF.js needs.
  const checked =
    loaded.model.inputs.length === 1 && loaded.model.inputs[0]!.shape === null && model.inputShape
      ? { ...loaded.model, inputs: [{ ...loaded.model.inputs[0]!, shape: model.inputShape }] }
      : loaded.model;
  if (options.format === 'onnx')
    return exportOnnx(
      { checked, weights, scaler: saved?.data?.scaler ?? null, file, target: options.out },
      { out, err, report },
    );
  const scaler = saved?.data?.scaler;
  // TF.js and Keras hold no per-feature scaling nnlang can write (TF.js has no Normalization
  // layer): say so, rather than let a user feed raw rows to a model trained on scaled ones.
  if (scaler)
    report(
      file,
      [
        {
          path: '',
          severity: 'warning',
          message: `model '${loaded.model.name}' was trained on features scaled by fit(scaling='${scaler.kind}'), which the ${options.format === 'keras' ? 'Keras archive' : 'TF.js model'} does not hold: it takes scaled rows x' = (x − offset)·scale, with the offsets and scales of ${path} (nn predict and --format onnx apply them themselves).`,
        },
      ],
      err,
    );
  if (options.format === 'keras')
    return exportKeras(file, checked, weights, options.out, out, (f, p) => report(f, p, err));
  let artifacts;
  try {
    artifacts = toTfjs(checked, weights, file);
  } catch (e) {
    if (e instanceof InteropError) return report(e.file, e.problems, err);
    throw e;
  }
  report(file, artifacts.warnings, err);
  try {
    writeTfjsFolder(options.out, artifacts);
  } catch (e) {
    throw new CliError(
      `cannot write '${options.out}': ${(e as Error).message}; nothing was exported.`,
    );
  }
  out(
    `wrote ${join(options.out, 'model.json')} and ${artifacts.shards.length} weight shard${artifacts.shards.length === 1 ? '' : 's'} (model '${loaded.model.name}', ${weights.length} weights)\n`,
  );
  return 0;
}

export interface ImportOptions {
  /** -o: the .nn file to write (default: beside model.json, named after it). */
  out?: string;
}

export function runImport(
  file: string,
  options: ImportOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number | Promise<number> {
  if (/\.keras$/i.test(file))
    return readKerasFile(file).then(
      (result) => writeImport(file, result, options, out, err),
      (e: unknown) => {
        if (e instanceof InteropError) return report(e.file, e.problems, err);
        throw e;
      },
    );
  let result;
  try {
    result = importKeras(readTfjsFolder(file));
  } catch (e) {
    if (e instanceof InteropError) return report(e.file, e.problems, err);
    throw e;
  }
  return writeImport(file, result, options, out, err);
}

/** Writes an imported model's .nn file and weights (beside the file read, unless -o). */
function writeImport(
  file: string,
  result: ImportResult,
  options: ImportOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const target =
    options.out ?? join(dirname(file), `${basename(file).replace(/\.(json|keras)$/i, '')}.nn`);
  report(file, result.warnings, err);
  const weightsPath = defaultWeightsPath(target, result.model);
  for (const p of result.weights ? [target, weightsPath] : [target]) {
    const why = unwritableReason(p);
    if (why) throw new CliError(`cannot write '${p}': ${why}; nothing was imported.`);
  }
  try {
    if (result.weights)
      writeWeightsFile(weightsPath, { model: result.model, weights: result.weights });
    writeFileAtomic(target, result.source);
  } catch (e) {
    throw new CliError(`cannot write the imported model: ${(e as Error).message}`);
  }
  out(
    result.weights
      ? `wrote ${target} (model '${result.model}') and its weights ${weightsPath}\n`
      : `wrote ${target} (model '${result.model}'; the file holds no weights)\n`,
  );
  return 0;
}

/** Prints each problem as `file: path: message`; 1 when any is an error. */
function report(file: string, problems: InteropProblem[], err: (s: string) => void): number {
  for (const p of problems)
    err(`${file}: ${p.severity}: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
  return problems.some((p) => p.severity === 'error') ? 1 : 0;
}
