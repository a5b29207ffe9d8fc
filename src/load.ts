/**
 * The library's front door: `loadModel(source)` compiles a .nn source and returns a `Model`
 * that trains and predicts on the engine, or throws a ModelError carrying the diagnostics.
 */
import { blockersOf, compile } from './compiler.js';
import type { Diagnostic } from './diagnostics/index.js';
import { Model, type ModelOptions } from './runtime/index.js';

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

/** Compiles `source` and returns its model, or throws a ModelError carrying the diagnostics. */
export function loadModel(source: string, options: LoadOptions = {}): Model {
  const result = compile(source, options.file === undefined ? {} : { file: options.file });
  const checked = result.checked.models;
  const wanted = options.model ? checked.find((m) => m.name === options.model) : checked[0];
  if (!wanted && options.model !== undefined) {
    const names = checked.map((m) => `'${m.name}'`).join(', ') || 'no models';
    throw new ModelError(
      `no model named '${options.model}' in this source; it has ${names}.`,
      result.diagnostics,
    );
  }
  const compiled = result.models.find((m) => m.graph.name === wanted?.name);
  if (!compiled) {
    // Errors, and valid Keras the engine cannot run yet (warnings for `nn check`), stop it
    // here: those in this model or outside every model; a broken sibling does not.
    const errors = blockersOf(result.diagnostics, checked, wanted);
    const first = errors[0];
    throw new ModelError(
      first
        ? `${options.file ?? 'source'}:${first.range.start.line}:${first.range.start.column} ${first.code} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : ''}`
        : 'the source defines no model.',
      result.diagnostics,
    );
  }
  return new Model(compiled, {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
}
