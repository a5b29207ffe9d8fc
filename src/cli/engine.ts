/**
 * What `nn train`, `nn evaluate`, `nn predict` and `nn plan` share: reading and checking the
 * .nn file, choosing its model, and reading its CSV the way its loss needs.
 */
import { basename, dirname, join } from 'node:path';
import { catalog, type Args, type CallValue } from '../catalog/index.js';
import {
  engineBlockers,
  type CallBinding,
  type CheckedModel,
  type FitConfig,
} from '../check/index.js';
import { blockersOf, compile, type CompileOptions, type ModelPlans } from '../compiler.js';
import type { CompiledModel } from '../plan/index.js';
import type { TableOptions } from '../data/index.js';
import { escapeControls, renderDiagnostic } from '../diagnostics/index.js';
import { defaultMaxErrors } from './check.js';
import { readSource } from './io.js';
import { PathSandbox, sandboxedDataPath } from './paths.js';
import { unwritableReason, writeFileAtomic } from '../runtime/weights-file.js';

/** A failure to report as one line (and exit 1): bad input, not a bug. */
export class CliError extends Error {}

export interface Loaded {
  file: string;
  model: CheckedModel;
  /** The model as the runtime takes it. */
  compiled: CompiledModel;
  /** Its plans, when asked for. */
  plans: ModelPlans;
  /** The other models of the file. */
  siblings: CheckedModel[];
  /** The file's text and every call the checker bound in it, to locate what it names. */
  source: string;
  bindings: CallBinding[];
}

/** Compiles the file (with the plans asked for); prints its errors and fails when there are any. */
export function loadChecked(
  file: string,
  modelName: string | undefined,
  err: (s: string) => void,
  options: Omit<CompileOptions, 'file'> = {},
): Loaded {
  const read = readSource(file);
  if ('error' in read)
    throw new CliError(`${file} - error NN6001: Cannot read '${file}': ${read.error}`);
  const output = compile(read.text, { ...options, file });
  const result = output.checked;
  const names = result.models.map((m) => `'${m.name}'`).join(', ') || 'no models';
  const model = modelName
    ? result.models.find((m) => m.name === modelName)
    : (result.models.find((m) => m.fit) ?? result.models[0]);
  if (!model && (modelName || engineBlockers(output.diagnostics).length === 0))
    throw new CliError(
      modelName
        ? `${file} - error NN6003: No model named '${modelName}' in this file; it has ${names}.`
        : `${file} - error NN6003: No model in this file.`,
    );
  // Errors, and valid Keras the engine cannot run yet (warnings for `nn check`), stop it here:
  // those inside this model or outside every model (a broken sibling does not), and an
  // internal error met while planning it.
  const blockers = blockersOf(output.diagnostics, result.models, model);
  const compiled = model ? output.models.findIndex((m) => m.graph.name === model.name) : -1;
  if (model && blockers.length === 0 && compiled >= 0)
    return {
      file,
      model,
      compiled: output.models[compiled]!,
      plans: output.plans[compiled]!,
      siblings: result.models.filter((m) => m !== model),
      source: read.text,
      bindings: result.bindings,
    };
  // As nn check does: at most defaultMaxErrors of them, then how many more.
  for (const d of blockers.slice(0, defaultMaxErrors)) err(renderDiagnostic(d, output.lines, file));
  const more = blockers.length - defaultMaxErrors;
  if (more > 0)
    err(`… and ${more} more (nn check ${escapeControls(file)} --max-errors 0 shows them all).\n`);
  const errors = blockers.filter((d) => d.severity === 'error').length;
  const limits = blockers.length - errors;
  const counts = [
    ...(errors ? [`${errors} error${errors === 1 ? '' : 's'}`] : []),
    ...(limits ? [`${limits} thing${limits === 1 ? '' : 's'} the engine cannot run yet`] : []),
  ];
  throw new CliError(
    `${file}${model ? ` (model '${model.name}')` : ''}: ${counts.join(' and ') || 'errors'}; nothing was run.`,
  );
}

/**
 * The fit(…) arguments that say where a model's data is: its own, or for a model without
 * fit(data=…) (e.g. one with fixed weights) those of the one sibling in the file that names data.
 */
export function dataArgs(loaded: Loaded): Args {
  return dataFit(loaded)?.args ?? loaded.model.fit?.args ?? {};
}

/** The fit(…) that names the model's data — its own, or the one sibling's — if any. */
function dataFit(loaded: Loaded): FitConfig | undefined {
  const own = loaded.model.fit;
  if (typeof own?.args['data'] === 'string') return own;
  const named = loaded.siblings.filter((m) => typeof m.fit?.args['data'] === 'string');
  const files = new Set(named.map((m) => m.fit!.args['data']));
  return files.size === 1 ? named[0]!.fit : undefined;
}

/**
 * The data file: --data as given, or the one fit(data=…) names, resolved inside the .nn file's
 * folder (or a folder given with --allow-paths); a located NN6020 when it leads outside.
 */
export function dataPath(
  loaded: Loaded,
  override: string | undefined,
  allowPaths: readonly string[] = [],
  arg: 'data' | 'validation_data' = 'data',
): string {
  if (override) return override;
  const named = dataArgs(loaded)[arg];
  if (typeof named !== 'string')
    throw new CliError(
      `model '${loaded.model.name}' names no data: add fit(data='file.csv', target='column') or pass --data.`,
    );
  const fit = dataFit(loaded)!;
  const at = fit.argRanges[arg] ?? fit.range;
  const result = sandboxedDataPath(
    new PathSandbox(loaded.file, allowPaths),
    named,
    at,
    loaded.source,
  );
  if ('error' in result) throw new CliError(result.error);
  return result.path;
}

/** How the loss wants its targets: the catalog's `target` of the compiled loss. */
export function targetEncoding(model: CheckedModel): TableOptions['encoding'] {
  const loss = model.compile?.loss as CallValue | null | undefined;
  const target = loss ? catalog.lookup('loss', loss.call)?.['target'] : undefined;
  return target === 'one_hot' ||
    target === 'sparse' ||
    target === 'binary' ||
    target === 'regression' ||
    target === 'auto'
    ? target
    : undefined;
}

/**
 * CSV files give one target column: a model with several outputs trains, evaluates and
 * predicts through the library (one array per output), which this says instead of guessing.
 */
export function oneOutput(loaded: Loaded, command: string): void {
  const outputs = loaded.compiled.graph.outputs.length;
  if (outputs > 1)
    throw new CliError(
      `model '${loaded.model.name}' has ${outputs} outputs, but a CSV file gives one target column; use the library (fit(x, [y1, y2]), predictOutputs(x)) for it.`,
    );
}

/**
 * fit(scaling=…) for the table, refused for a model whose first layer is Embedding: its
 * feature columns are token ids, which scaling would turn into fractions of no vocabulary.
 */
export function featureScaling(model: CheckedModel, fitArgs: Args): TableOptions['scaling'] {
  const scaling = (fitArgs['scaling'] as TableOptions['scaling'] | undefined) ?? 'none';
  if (scaling !== 'none' && model.layers[0]?.className === 'Embedding')
    throw new CliError(
      `model '${model.name}' starts with Embedding, which reads its columns as token ids: fit(scaling='${scaling}') would turn them into fractions. Remove scaling=… (token columns are read as they are).`,
    );
  return scaling;
}

/** The output units of the model's last layer, when known. */
export function outputUnits(model: CheckedModel): number | undefined {
  const shape = model.layers.at(-1)?.outputShape;
  const units = shape?.at(-1);
  return typeof units === 'number' ? units : undefined;
}

/** Where `nn train` saves a model's weights by default: `<file>.<model>.nnw` beside the .nn file. */
export function defaultWeightsPath(file: string, model: string): string {
  return join(dirname(file), `${basename(file, '.nn')}.${model}.nnw`);
}

/**
 * Fails, naming the columns read and the size expected, when a CSV's feature count differs
 * from the model's input size (a model with an open input takes whatever the data has).
 */
export function checkFeatureCount(loaded: Loaded, features: readonly string[], csv: string): void {
  const { inputs } = loaded.compiled.graph;
  if (inputs.some((i) => !i.shape)) return;
  // Several inputs read the columns in order: each takes as many as its shape holds.
  const sizes = inputs.map((i) => i.shape!.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1));
  const expected = sizes.reduce((a, b) => a + b, 0);
  if (features.length === expected) return;
  const shown = features.length > 12 ? [...features.slice(0, 12), '…'] : features;
  const declared = inputs
    .map(
      (i, k) =>
        `${inputs.length > 1 ? `'${i.name}' ` : ''}Input(${i.shape!.slice(1).join(', ')})${inputs.length > 1 ? ` (${sizes[k]})` : ''}`,
    )
    .join(', ');
  throw new CliError(
    `${csv}: model '${loaded.model.name}' takes ${expected} feature${expected === 1 ? '' : 's'} per sample (${declared}), but the file has ${features.length} feature column${features.length === 1 ? '' : 's'}: ${shown.map((f) => `'${f}'`).join(', ')}. Choose the target with fit(target=…) or fix the model's Input.`,
  );
}

/**
 * Writes one exported file (a .keras archive, an ONNX model) whole or not at all: a target
 * that cannot be written is refused before, and the bytes go to a temporary file renamed over
 * it.
 */
export function writeExportFile(target: string, bytes: Uint8Array): void {
  const why = unwritableReason(target);
  if (why) throw new CliError(`cannot write '${target}': ${why}; nothing was exported.`);
  try {
    writeFileAtomic(target, bytes);
  } catch (e) {
    throw new CliError(`cannot write '${target}': ${(e as Error).message}; nothing was exported.`);
  }
}
