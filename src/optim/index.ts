/**
 * Training-time numerics shared by every model: Keras 3's optimizers, learning-rate schedules,
 * gradient clipping, weight regularizers and constraints, built from checked call values.
 */
export { type Named, splitNamed, foldName, ArgReader } from './named.js';
export { type Optimizer, type ParamSlot, type BaseOptions, BaseOptimizer } from './optimizer.js';
export { createOptimizer, optimizerNames } from './optimizers.js';
export { SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam } from './update-rules.js';
export { type Schedule, createSchedule, isScheduleName } from './schedules.js';
export {
  sumOfSquares,
  l2Norm,
  clipByNorm,
  globalNorm,
  globalClipScale,
  scaleInPlace,
  clipByValue,
} from './clip.js';
export { type Regularizer, createRegularizer } from './regularizers.js';
export { type Constraint, createConstraint } from './constraints.js';
