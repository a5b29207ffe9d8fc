/**
 * The TF.js optimizer for a Keras 3 optimizer call. TF.js's own optimizers where their update
 * is Keras 3's, always constructed with Keras 3's hyper-parameters (TF.js's string defaults
 * differ, §0 of the Keras reference); otherwise the float64 Keras 3 formula of
 * keras-optimizer.ts, with the reason recorded for the test name.
 */
import * as tf from '@tensorflow/tfjs';
import {
  adadeltaRule,
  adagradRule,
  adamaxRule,
  adamRule,
  KerasOptimizer,
  nadamRule,
  rmspropRule,
  sgdRule,
  type KerasOptimizerOptions,
  type UpdateRule,
} from './keras-optimizer.js';
import { boolArg, isTuple, numArg, type KerasCall } from './spec.js';

export interface TfjsOptimizer {
  optimizer: tf.Optimizer;
  /** Set when the optimizer is the Keras 3 formula rather than TF.js's: why. */
  formula?: string;
}

/** Keras 3's defaults per optimizer (optimizers/*.py), for the arguments a case leaves out. */
const DEFAULT_LR: Record<string, number> = {
  SGD: 0.01,
  RMSprop: 0.001,
  Adagrad: 0.001,
  Adadelta: 0.001,
  Adam: 0.001,
  AdamW: 0.001,
  Adamax: 0.001,
  Nadam: 0.001,
};

/** Keras 3's learning-rate schedules used by the cases (learning_rate_schedule.py), float32. */
function schedule(c: KerasCall): (step: number) => number {
  const lr0 = numArg(c, 'initial_learning_rate', NaN);
  const steps = numArg(c, 'decay_steps', NaN);
  switch (c.call) {
    case 'ExponentialDecay': {
      const rate = numArg(c, 'decay_rate', NaN);
      const staircase = boolArg(c, 'staircase', false);
      return (step) =>
        Math.fround(lr0 * rate ** (staircase ? Math.floor(step / steps) : step / steps));
    }
    case 'CosineDecay': {
      const alpha = numArg(c, 'alpha', 0);
      return (step) => {
        const done = Math.min(step, steps) / steps;
        return Math.fround(lr0 * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * done)) + alpha));
      };
    }
    case 'InverseTimeDecay': {
      const rate = numArg(c, 'decay_rate', NaN);
      const staircase = boolArg(c, 'staircase', false);
      return (step) =>
        Math.fround(lr0 / (1 + rate * (staircase ? Math.floor(step / steps) : step / steps)));
    }
    case 'PolynomialDecay': {
      const end = numArg(c, 'end_learning_rate', 0.0001);
      const power = numArg(c, 'power', 1);
      const cycle = boolArg(c, 'cycle', false);
      return (step) => {
        const span = cycle ? steps * (step === 0 ? 1 : Math.ceil(step / steps)) : steps;
        const p = (cycle ? step : Math.min(step, steps)) / span;
        return Math.fround((lr0 - end) * (1 - p) ** power + end);
      };
    }
    default:
      throw new Error(`no formula for the schedule '${c.call}'`);
  }
}

/** The update rule of a Keras 3 optimizer call, with Keras 3's defaults. */
function ruleOf(c: KerasCall): UpdateRule {
  const eps = numArg(c, 'epsilon', 1e-7);
  const b1 = numArg(c, 'beta_1', 0.9);
  const b2 = numArg(c, 'beta_2', 0.999);
  switch (c.call) {
    case 'SGD':
      return sgdRule(numArg(c, 'momentum', 0), boolArg(c, 'nesterov', false));
    case 'RMSprop':
      return rmspropRule(
        numArg(c, 'rho', 0.9),
        numArg(c, 'momentum', 0),
        eps,
        boolArg(c, 'centered', false),
      );
    case 'Adagrad':
      return adagradRule(numArg(c, 'initial_accumulator_value', 0.1), eps);
    case 'Adadelta':
      return adadeltaRule(numArg(c, 'rho', 0.95), eps);
    case 'Adam':
    case 'AdamW':
      return adamRule(b1, b2, eps, boolArg(c, 'amsgrad', false));
    case 'Adamax':
      return adamaxRule(b1, b2, eps);
    case 'Nadam':
      return nadamRule(b1, b2, eps);
    default:
      throw new Error(`no formula for the optimizer '${c.call}'`);
  }
}

/** Keras's optimizers.get: a class name, case-insensitively ('adam' is Adam()). */
function canonical(call: KerasCall): KerasCall {
  const name = Object.keys(DEFAULT_LR).find((n) => n.toLowerCase() === call.call.toLowerCase());
  if (!name) throw new Error(`no optimizer '${call.call}' in the conformance table`);
  return { ...call, call: name };
}

/** Why TF.js's own optimizer cannot stand in for this call (null when it can), for test names. */
export function optimizerDeparture(call: KerasCall, constrained: boolean): string | null {
  return departure(canonical(call), constrained);
}

function departure(c: KerasCall, constrained: boolean): string | null {
  const a = c.args ?? {};
  if (typeof a['learning_rate'] === 'object')
    return 'learning-rate schedules are absent from TF.js optimizers';
  if (
    a['clipnorm'] !== undefined ||
    a['clipvalue'] !== undefined ||
    a['global_clipnorm'] !== undefined
  )
    return 'TF.js optimizers do not clip gradients';
  if (a['weight_decay'] !== undefined && c.call !== 'AdamW')
    return 'TF.js optimizers have no decoupled weight decay';
  if (constrained) return 'TF.js training does not apply weight constraints';
  switch (c.call) {
    case 'Adam':
      return boolArg(c, 'amsgrad', false)
        ? 'AMSGrad is absent from TF.js'
        : 'TF.js Adam puts ε outside the bias correction (Keras 3: ε-hat form)';
    case 'AdamW':
      return 'AdamW is absent from TF.js';
    case 'Nadam':
      return 'Nadam is absent from TF.js';
    case 'Adadelta':
      return 'TF.js Adadelta divides by the previous accumulator';
    case 'RMSprop':
      return boolArg(c, 'centered', false)
        ? 'centered RMSprop: TF.js subtracts ε under the root'
        : null;
    case 'Adagrad':
      return numArg(c, 'epsilon', 1e-7) !== 1e-7 ? 'TF.js Adagrad hard-wires ε = 1e-7' : null;
    default:
      return null;
  }
}

/** TF.js's own optimizer for a call whose update TF.js implements as Keras 3 does. */
function nativeOptimizer(c: KerasCall, lr: number): tf.Optimizer {
  const eps = numArg(c, 'epsilon', 1e-7);
  switch (c.call) {
    case 'SGD': {
      const momentum = numArg(c, 'momentum', 0);
      return momentum === 0
        ? tf.train.sgd(lr)
        : tf.train.momentum(lr, momentum, boolArg(c, 'nesterov', false));
    }
    case 'RMSprop':
      return tf.train.rmsprop(lr, numArg(c, 'rho', 0.9), numArg(c, 'momentum', 0), eps, false);
    case 'Adagrad':
      return tf.train.adagrad(lr, numArg(c, 'initial_accumulator_value', 0.1));
    case 'Adamax':
      return tf.train.adamax(lr, numArg(c, 'beta_1', 0.9), numArg(c, 'beta_2', 0.999), eps, 0);
    default:
      throw new Error(`TF.js has no optimizer matching Keras 3's '${c.call}'`);
  }
}

/**
 * The optimizer for a case. `constraints` maps TF.js variable names to their constraint; any
 * constraint forces the formula path, since TF.js's training loop never applies them.
 */
export function tfjsOptimizer(
  call: KerasCall,
  constraints: Map<string, (w: tf.Tensor) => tf.Tensor>,
): TfjsOptimizer {
  const c = canonical(call);
  const lrArg = c.args?.['learning_rate'];
  const lr = typeof lrArg === 'number' ? lrArg : (DEFAULT_LR[c.call] ?? NaN);
  const why = departure(c, constraints.size > 0);
  if (why === null) return { optimizer: nativeOptimizer(c, lr) };
  const opts: KerasOptimizerOptions = {
    rule: ruleOf(c),
    learningRate: typeof lrArg === 'object' && !isTuple(lrArg) ? schedule(lrArg) : lr,
    constraints,
  };
  const a = c.args ?? {};
  if (typeof a['clipnorm'] === 'number') opts.clipnorm = a['clipnorm'];
  if (typeof a['clipvalue'] === 'number') opts.clipvalue = a['clipvalue'];
  if (typeof a['global_clipnorm'] === 'number') opts.globalClipnorm = a['global_clipnorm'];
  const decay = c.call === 'AdamW' ? numArg(c, 'weight_decay', 0.004) : a['weight_decay'];
  if (typeof decay === 'number') opts.weightDecay = decay;
  if (c.call === 'Nadam') opts.nadamBeta1 = numArg(c, 'beta_1', 0.9);
  return { optimizer: new KerasOptimizer(opts), formula: why };
}
