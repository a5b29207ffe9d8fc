/**
 * What `nn train`, `nn evaluate`, `nn predict` and `nn plan` share: reading and checking the
 * .nn file, choosing its model, and reading its CSV the way its loss needs.
 */
import { basename, dirname, join } from 'node:path';
import { catalog, type CallValue } from '../catalog/index.js';
import { engineBlockers, type CheckedModel } from '../check/index.js';
import { compile, type CompileOptions, type ModelPlans } from '../compiler.js';
import type { CompiledModel } from '../plan/index.js';
import type { TableOptions } from '../data/index.js';
import { renderDiagnostic } from '../diagnostics/index.js';
import { readSource } from './io.js';
import { PathSandbox, sandboxedDataPath } from './paths.js';

/** A failure to report as one line (and exit 1): bad input, not a bug. */
export class CliError extends Error {}

export interface Loaded {
  file: string;
  model: CheckedModel;
  /** The model as the runtime takes it. */
  compiled: CompiledModel;
  /** Its plans, when asked for. */
  plans: ModelPlans;
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
  // Errors, and valid Keras the engine cannot run yet (warnings for `nn check`), stop it here.
  const blockers = engineBlockers(output.diagnostics);
  if (blockers.length > 0) {
    for (const d of blockers) err(renderDiagnostic(d, output.lines, file));
    const errors = blockers.filter((d) => d.severity === 'error').length;
    const limits = blockers.length - errors;
    const counts = [
      ...(errors ? [`${errors} error${errors === 1 ? '' : 's'}`] : []),
      ...(limits ? [`${limits} thing${limits === 1 ? '' : 's'} the engine cannot run yet`] : []),
    ];
    throw new CliError(`${file}: ${counts.join(' and ')}; nothing was run.`);
  }
  const model = modelName
    ? result.models.find((m) => m.name === modelName)
    : (result.models.find((m) => m.fit) ?? result.models[0]);
  if (!model) {
    const names = result.models.map((m) => `'${m.name}'`).join(', ') || 'no models';
    throw new CliError(
      `${file} - error NN6003: No model named '${modelName ?? ''}' in this file; it has ${names}.`,
    );
  }
  const index = result.models.indexOf(model);
  return { file, model, compiled: output.models[index]!, plans: output.plans[index]! };
}

/**
 * The data file: --data as given, or the one fit(data=…) names, resolved inside the .nn file's
 * folder (or a folder given with --allow-paths); a located NN6020 when it leads outside.
 */
export function dataPath(
  loaded: Loaded,
  override: string | undefined,
  allowPaths: readonly string[] = [],
): string {
  if (override) return override;
  const named = loaded.model.fit?.args['data'];
  if (typeof named !== 'string')
    throw new CliError(
      `model '${loaded.model.name}' names no data: add fit(data='file.csv', target='column') or pass --data.`,
    );
  const at = loaded.model.fit!.argRanges['data'] ?? loaded.model.fit!.range;
  const result = sandboxedDataPath(new PathSandbox(loaded.file, allowPaths), named, at);
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

export function outputUnits(model: CheckedModel): number | undefined {
  const shape = model.layers.at(-1)?.outputShape;
  const units = shape?.at(-1);
  return typeof units === 'number' ? units : undefined;
}

/** Where `nn train` saves a model's weights by default: `<file>.<model>.nnw` beside the .nn file. */
export function defaultWeightsPath(file: string, model: string): string {
  return join(dirname(file), `${basename(file, '.nn')}.${model}.nnw`);
}
