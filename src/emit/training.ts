/**
 * `--training`: trainOnBatch() and getWeights() in the generated module, from the training plan.
 */
import type { Plan } from '../ir/index.js';
import type { Model } from '../runtime/index.js';
import type { ModuleExtension } from './module.js';
import { EmitError } from './steps.js';

export function trainingExtension(plan: Plan, model: Model): ModuleExtension {
  void plan;
  throw new EmitError(`training code for model '${model.name}' is not written yet.`, '');
}
