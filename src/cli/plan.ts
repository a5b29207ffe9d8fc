/** `nn plan <file> [--training] [--batch N]`: the model's execution plan, readable, with its peak memory. */
import { engineMaxFloats } from '../check/index.js';
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
  const mode = options.training ? 'training' : 'inference';
  // Compiling lowers and optimizes the plan; no weights are allocated to print it.
  const loaded = loadChecked(file, options.model, err, {
    plans: [mode],
    batchSize: options.batch ?? 32,
  });
  const { model } = loaded;
  if (!model.inputShape)
    throw new CliError(
      `model '${model.name}' has no input shape, so its plan depends on the data: give it Input(shape=…) to see the plan.`,
    );
  const plan = loaded.plans[mode];
  if (!plan)
    throw new CliError(
      `model '${model.name}' has no loss: add compile(optimizer, loss) to see its training plan.`,
    );
  out(printPlan(plan, model.name));
  // A plan is data, so any batch size has one; say when the engine could not allocate it.
  const floats = plan.paramSize + plan.workSize;
  if (floats > engineMaxFloats)
    err(
      `nn plan: this plan needs ${floats.toLocaleString('en-US')} floats, more than the engine's limit of ${engineMaxFloats.toLocaleString('en-US')}: it cannot run at batch size ${plan.batchSize}.\n`,
    );
  return 0;
}
