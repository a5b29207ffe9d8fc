/**
 * Training-time numerics shared by every model: Keras 3's optimizers, learning-rate schedules,
 * gradient clipping, weight regularizers and constraints. Resolvers turn checked call values
 * into plain-data specs; factories build runtime objects from specs.
 */
export { type Named, splitNamed, foldName, ArgReader } from './named.js';
export { SpecError } from './spec-error.js';
export {
  type Optimizer,
  type ParamSlot,
  type BaseOptions,
  type OptimizerSlot,
  type SlotGroup,
  BaseOptimizer,
} from './optimizer.js';
export {
  type OptimizerSpec,
  type BaseOptimizerSpec,
  type SGDSpec,
  type RMSpropSpec,
  type AdagradSpec,
  type AdadeltaSpec,
  type AdamSpec,
  type AdamaxSpec,
  resolveOptimizer,
  optimizerNames,
} from './optimizer-spec.js';
export { createOptimizer, optimizerSlots } from './optimizers.js';
export { SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam } from './update-rules.js';
export {
  sgdUpdate,
  rmspropUpdate,
  adagradUpdate,
  adadeltaUpdate,
  adamStepSize,
  adamUpdate,
  adamaxUpdate,
  nadamAdvance,
  nadamUpdate,
  jsUpdateKernels,
  type UpdateKernels,
} from './update-kernels.js';
export {
  weightDecayUpdate,
  accumulateGradient,
  averageAccumulated,
  emaUpdate,
} from './step-kernels.js';
export {
  type ScheduleSpec,
  type ExponentialDecaySpec,
  type PiecewiseConstantDecaySpec,
  type CosineDecaySpec,
  type InverseTimeDecaySpec,
  type PolynomialDecaySpec,
  type CosineDecayRestartsSpec,
  resolveSchedule,
  isScheduleName,
} from './schedule-spec.js';
export { type Schedule, createSchedule } from './schedules.js';
export {
  sumOfSquares,
  l2Norm,
  clipByNorm,
  globalNorm,
  globalClipScale,
  scaleInPlace,
  clipByValue,
} from './clip.js';
export { type RegularizerSpec, resolveRegularizer } from './regularizer-spec.js';
export { type Regularizer, createRegularizer } from './regularizers.js';
export {
  type ConstraintSpec,
  type MaxNormSpec,
  type UnitNormSpec,
  type MinMaxNormSpec,
  type NonNegSpec,
  resolveConstraint,
} from './constraint-spec.js';
export { type Constraint, createConstraint } from './constraints.js';
