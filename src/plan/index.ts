/**
 * The execution plan stage: lowering a built model graph to plain-data plans, optimizing them
 * with passes, assigning memory and verifying them. `planModel` is the whole stage in one call.
 */

export * from '../ir/index.js';
export {
  compiledModelOf,
  planCompiled,
  lossForPlan,
  targetSizeOf,
  outputShapeOf,
  type CompiledModel,
  type TrainingSetup,
  type PlanOptions,
} from './compiled.js';
export {
  layoutParams,
  layoutState,
  type ParamEntry,
  type ParamLayout,
  type StateSlot,
} from './params.js';
export { lowerInference, lowerTraining } from './lower.js';
export {
  dropInferenceNoise,
  foldBatchNorm,
  fuseDenseActivation,
  fuseLossGradient,
  passes,
} from './passes.js';
export { assignMemory, firstFit, liveness, type Interval } from './memory.js';
export { verifyPlan } from './verify.js';
export { printPlan } from './print.js';

export { planModel, type PlanRequest } from './pipeline.js';
