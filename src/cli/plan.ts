/** `nn plan <file> [--training] [--batch N]`: the model's execution plan, readable, with its peak memory. */
import { Model } from '../runtime/index.js';
import { printPlan } from '../plan/index.js';
import { CliError, loadChecked } from './engine.js';

export interface PlanCliOptions {
  model?: string;
  training?: boolean;
  batch?: number;
}

export function runPlan(
  file: string,
  options: PlanCliOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const { model: checked } = loadChecked(file, options.model, err);
  const model = new Model(checked, { seed: 0 });
  if (!model.built)
    throw new CliError(
      `model '${checked.name}' has no input shape, so its plan depends on the data: give it Input(shape=…) to see the plan.`,
    );
  const bound = model.plan(options.training ? 'training' : 'inference', options.batch ?? 32);
  const optimizerBytes = options.training ? model.optimizer.variableCount() * 4 : 0;
  out(printPlan(bound.plan, checked.name, optimizerBytes));
  return 0;
}
