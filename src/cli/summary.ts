/** `nn summary <file> [--model NAME]`: Keras 3's summary() of one model of a file. */
import { renderSummary, summaryInputOf } from '../summary/index.js';
import { checkedModel } from './checked.js';

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
  const model = checkedModel(file, options.model, err);
  if (!model) return 1;
  const summaryOptions: Parameters<typeof renderSummary>[1] = {};
  if (options.lineLength !== undefined) summaryOptions.lineLength = options.lineLength;
  if (options.columns !== undefined) summaryOptions.columns = options.columns;
  out(renderSummary(summaryInputOf(model), summaryOptions));
  return 0;
}
