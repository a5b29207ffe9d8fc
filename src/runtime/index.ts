/**
 * The engine's library surface: `loadModel(source)` checks a .nn source and returns a Model
 * that trains and predicts on the typed-array kernels.
 */
import { engineBlockers } from '../check/index.js';
import { check } from '../compiler.js';
import type { Diagnostic } from '../diagnostics/index.js';
import { Model, type ModelOptions } from './model.js';

export { Model, type ModelOptions } from './model.js';
export type { FitOptions, History, Logs } from './fit.js';
export {
  EarlyStopping,
  ReduceLROnPlateau,
  TerminateOnNaN,
  ModelCheckpoint,
  callbacksFrom,
  type Callback,
} from './callbacks.js';
export { InputError, type ArrayInput } from './arrays.js';

/** A .nn source that does not check: the error carries every diagnostic. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(message);
  }
}

export interface LoadOptions extends ModelOptions {
  /** Which model of the file (default: the first). */
  model?: string;
  /** The file name, for diagnostics. */
  file?: string;
}

/** Checks `source` and returns its model, or throws a ModelError carrying the diagnostics. */
export function loadModel(source: string, options: LoadOptions = {}): Model {
  const result = check(source, options.file);
  // Errors, and valid Keras the engine cannot run yet (warnings for `nn check`), stop it here.
  const errors = engineBlockers(result.diagnostics);
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new ModelError(
      `${options.file ?? 'source'}:${first.range.start.line}:${first.range.start.column} ${first.code} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : ''}`,
      result.diagnostics,
    );
  }
  const checked = options.model
    ? result.models.find((m) => m.name === options.model)
    : result.models[0];
  if (!checked) {
    const names = result.models.map((m) => `'${m.name}'`).join(', ') || 'no models';
    throw new ModelError(
      `no model named '${options.model ?? ''}' in this source; it has ${names}.`,
      result.diagnostics,
    );
  }
  return new Model(checked, options.seed === undefined ? {} : { seed: options.seed });
}
