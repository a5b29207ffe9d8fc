/** `nn summary <file> [--model NAME]`: Keras 3's summary() of one model of a file. */
import { check } from '../compiler.js';
import { hasErrors, renderDiagnostic } from '../diagnostics/index.js';
import { renderSummary, summaryInputOf } from '../summary/index.js';
import { readSource } from './io.js';

export interface SummaryCliOptions {
  model?: string;
  lineLength?: number;
  /** Terminal width when printing to a terminal; Keras assumes 80 otherwise. */
  columns?: number;
}

export function runSummary(
  file: string,
  options: SummaryCliOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const read = readSource(file);
  if ('error' in read) {
    err(`${file} - error NN6001: Cannot read '${file}': ${read.error}\n`);
    return 1;
  }
  const result = check(read.text, file);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (hasErrors(result.diagnostics)) {
    for (const d of errors) err(renderDiagnostic(d, result.lines, file));
    return 1;
  }
  const model = options.model
    ? result.models.find((m) => m.name === options.model)
    : result.models[0];
  if (!model) {
    const names = result.models.map((m) => `'${m.name}'`).join(', ') || 'no models';
    err(
      `${file} - error NN6003: No model named '${options.model ?? ''}' in this file; it has ${names}.\n`,
    );
    return 1;
  }
  const summaryOptions: Parameters<typeof renderSummary>[1] = {};
  if (options.lineLength !== undefined) summaryOptions.lineLength = options.lineLength;
  if (options.columns !== undefined) summaryOptions.columns = options.columns;
  out(renderSummary(summaryInputOf(model), summaryOptions));
  return 0;
}
