/**
 * The execution plan: lowering a built model to plain-data plans, optimizing them with
 * passes, verifying them and assigning memory. `planModel` is the whole stage in one call.
 */
import type { CallValue } from '../catalog/index.js';
import type { CheckedLayer } from '../check/index.js';
import { PlanError } from './builder.js';
import { lowerInference, lowerTraining } from './lower.js';
import { assignMemory } from './memory.js';
import type { ParamLayout } from './params.js';
import { passes } from './passes.js';
import { verifyPlan } from './verify.js';
import type { Plan } from './types.js';

export * from './types.js';
export { PlanError } from './builder.js';
export { buildLayers } from './build.js';
export { layoutParams, type ParamEntry, type ParamLayout } from './params.js';
export { lowerInference, lowerTraining } from './lower.js';
export {
  dropInferenceNoise,
  foldBatchNorm,
  fuseDenseActivation,
  fuseLossGradient,
  passes,
} from './passes.js';
export { assignMemory, liveness } from './memory.js';
export { verifyPlan } from './verify.js';
export { printPlan } from './print.js';
export { activationAttr, type ActivationAttr } from './lower-layers.js';

export interface PlanRequest {
  layers: readonly CheckedLayer[];
  inputShape: (number | null)[];
  params: ParamLayout;
  batchSize: number;
  /** A training-step plan when a loss is given, else an inference plan. */
  training?: { loss: CallValue; targetSize: number };
  /** Called after lowering and after each pass (tests verify the plan there). */
  onPass?: (name: string, plan: Plan) => void;
  /** Skip the optimization passes (to compare against the plain lowering). */
  optimize?: boolean;
}

/** Lowers, optimizes and lays out one plan; throws PlanError when the model cannot run. */
export function planModel(req: PlanRequest): Plan {
  const base = {
    layers: req.layers,
    inputShape: req.inputShape,
    params: req.params,
    batchSize: req.batchSize,
  };
  let plan = req.training ? lowerTraining({ ...base, ...req.training }) : lowerInference(base);
  req.onPass?.('lower', plan);
  if (req.optimize !== false) {
    for (const [name, pass] of passes) {
      plan = pass(plan);
      req.onPass?.(name, plan);
    }
  }
  plan = assignMemory(plan);
  req.onPass?.('assign-memory', plan);
  const problems = verifyPlan(plan);
  if (problems.length > 0)
    throw new PlanError(`internal: the plan is inconsistent: ${problems.join('; ')}`);
  return plan;
}
