/**
 * The first step of the commands that read a model without running it (summary, diagram): the
 * file read and checked, its errors printed as `nn check` prints them, and the model picked.
 */
import { check } from '../compiler.js';
import type { CheckedModel } from '../check/index.js';
import { hasErrors, renderDiagnostic } from '../diagnostics/index.js';
import { readSource } from './io.js';

/** The model named `name` (default the first) of a file that checks, or null after printing why not. */
export function checkedModel(
  file: string,
  name: string | undefined,
  err: (s: string) => void,
): CheckedModel | null {
  const read = readSource(file);
  if ('error' in read) {
    err(`${file} - error NN6001: Cannot read '${file}': ${read.error}\n`);
    return null;
  }
  const result = check(read.text, file);
  if (hasErrors(result.diagnostics)) {
    for (const d of result.diagnostics)
      if (d.severity === 'error') err(renderDiagnostic(d, result.lines, file));
    return null;
  }
  const model = name ? result.models.find((m) => m.name === name) : result.models[0];
  if (!model) {
    const names = result.models.map((m) => `'${m.name}'`).join(', ') || 'no models';
    err(`${file} - error NN6003: No model named '${name ?? ''}' in this file; it has ${names}.\n`);
    return null;
  }
  return model;
}
