/**
 * createOptimizer: a resolved OptimizerSpec (optimizer-spec.ts) → an Optimizer. Names, aliases,
 * defaults and validation all live in resolveOptimizer; this only switches on className.
 */
import type { Named } from './named.js';
import type { BaseOptions, Optimizer, OptimizerSlot } from './optimizer.js';
import { resolveOptimizer, type OptimizerSpec } from './optimizer-spec.js';
import { createSchedule } from './schedules.js';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, SGD } from './update-rules.js';

/** The optimizer of a resolved spec (a Named value such as 'adam' is resolved first). */
export function createOptimizer(spec: OptimizerSpec | Named): Optimizer {
  const s = typeof spec === 'string' || 'call' in spec ? resolveOptimizer(spec) : spec;
  const base = baseOptions(s);
  switch (s.className) {
    case 'SGD':
      return new SGD(base, s.momentum, s.nesterov);
    case 'RMSprop':
      return new RMSprop(base, s.rho, s.momentum, s.epsilon, s.centered);
    case 'Adagrad':
      return new Adagrad(base, s.initialAccumulatorValue, s.epsilon);
    case 'Adadelta':
      return new Adadelta(base, s.rho, s.epsilon);
    case 'Adam':
      return new Adam(base, s.beta1, s.beta2, s.epsilon, s.amsgrad);
    case 'AdamW':
      return new AdamW(base, s.beta1, s.beta2, s.epsilon, s.amsgrad);
    case 'Adamax':
      return new Adamax(base, s.beta1, s.beta2, s.epsilon);
    case 'Nadam':
      return new Nadam(base, s.beta1, s.beta2, s.epsilon);
  }
}

/**
 * Every Float32 state slot the optimizer of `spec` keeps for weights of these sizes, in the
 * order variables() lists them after iteration and learning_rate: the views build() accepts.
 */
export function optimizerSlots(
  spec: OptimizerSpec,
  weightSizes: readonly number[],
): OptimizerSlot[] {
  return createOptimizer(spec).slotLayout(weightSizes);
}

/** The base step's options of a spec, its schedule (if any) made a function. */
function baseOptions(s: OptimizerSpec): BaseOptions {
  return {
    learningRate:
      typeof s.learningRate === 'number' ? s.learningRate : createSchedule(s.learningRate),
    weightDecay: s.weightDecay,
    clipnorm: s.clipnorm,
    clipvalue: s.clipvalue,
    globalClipnorm: s.globalClipnorm,
    useEma: s.useEma,
    emaMomentum: s.emaMomentum,
    emaOverwriteFrequency: s.emaOverwriteFrequency,
    gradientAccumulationSteps: s.gradientAccumulationSteps,
  };
}
export { optimizerNames } from './optimizer-spec.js';
