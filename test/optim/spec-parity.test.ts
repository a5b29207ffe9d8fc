/**
 * Resolve → create reproduces, bit for bit, what the factories produced before specs existed
 * (GOLDEN: fingerprints taken from the pre-spec code at 5cb0510 with spec-cases.ts), for the
 * Named path, the spec path and a spec that went through JSON.
 */
import { describe, expect, it } from 'vitest';
import { createInitializer, resolveInitializer } from '../../src/init/index.js';
import {
  createConstraint,
  createOptimizer,
  createRegularizer,
  createSchedule,
  resolveConstraint,
  resolveOptimizer,
  resolveRegularizer,
  resolveSchedule,
} from '../../src/optim/index.js';
import {
  constraintCases,
  initializerCases,
  optimizerCases,
  regularizerCases,
  runConstraint,
  runInitializer,
  runOptimizer,
  runRegularizer,
  runSchedule,
  scheduleCases,
} from './spec-cases.js';

const viaJson = <T>(spec: T): T => JSON.parse(JSON.stringify(spec)) as T;

const GOLDEN = {
  optimizer: {
    SGD: 'fdf4a58c',
    sgd: '714997e4',
    'SGD momentum': 'adb48b88',
    'SGD nesterov': '7a326e50',
    'SGD weight_decay': 'a49ff1a8',
    'SGD global_clipnorm': '64f5c95c',
    'SGD piecewise': '8f651048',
    RMSprop: '2d1b620c',
    rmsprop: '5971aa38',
    'RMSprop centered': '29ead7d4',
    'RMSprop momentum': '7838316c',
    'RMSprop centered momentum': '9a8b073c',
    'RMSprop clipvalue': '1da89240',
    Adagrad: 'e5e0c698',
    'Adagrad init eps': '8637ba38',
    Adadelta: 'e829ef7c',
    'Adadelta rho eps': 'c51cc8f4',
    Adam: '3b989250',
    adam: 'a0b76f10',
    'Adam amsgrad': '5828ad54',
    'Adam epsilon': '8773488c',
    'Adam clipnorm': 'fb24cf84',
    'Adam schedule': 'f8ced7d4',
    Adamax: 'f64bf42c',
    'Adamax betas': '49dc09f4',
    Nadam: '66e875d8',
    'Nadam clip': '8522bc10',
    AdamW: '7d90855c',
    'AdamW amsgrad': 'd8933364',
    'AdamW cosine': '58af2248',
    'Adam accumulation': '82678e6c',
    'SGD ema': '00e90ca4',
    'Nadam ema accumulation': 'c4fbd318',
  },
  schedule: {
    Exponential: 'd9f7716f',
    'Exponential staircase': '62fb8d83',
    Piecewise: '8bff68f5',
    Cosine: 'dbfb2491',
    'Cosine alpha': '98aaef6f',
    'Cosine warmup': '296f74b8',
    InverseTime: '51c0d006',
    'InverseTime staircase': 'e64e2eb9',
    Polynomial: '906916cc',
    'Polynomial power': 'acf044ba',
    'Polynomial cycle': 'a86445ff',
    Restarts: '6000f2a1',
    'Restarts t_mul 1': '5d670e7c',
    'Restarts t_mul 3': 'dbe6aa59',
  },
  regularizer: {
    l1: 'b2670ded',
    l2: '55f6cf4f',
    L1L2: 'ec22c4e5',
    l1_l2: 'ec22c4e5',
    'L1(0.3)': '52a2ec7f',
    'L2(0.2)': '6e6cc49b',
    'L1L2(0.1, 0.05)': '36c6f4e9',
    'l1l2(l2=0.5)': 'ce0a97c1',
  },
  constraint: {
    max_norm: 'd5e767f1',
    'MaxNorm axis 1': '7f1b565d',
    'MaxNorm axis -1': '206b5209',
    'MaxNorm conv': '36fc1f8d',
    'MaxNorm bias': '859239ea',
    unit_norm: '9ccabb31',
    'UnitNorm axes': 'c90a18d7',
    min_max_norm: '9ccabb31',
    'MinMaxNorm rate': 'b970ceb6',
    'MinMaxNorm None': 'd26f27f7',
    non_neg: '696eb1b7',
  },
  initializer: {
    glorot_uniform: 'cf2c93fb',
    glorot_normal: '444d5626',
    he_uniform: '68c8a0bb',
    he_normal: '19e3bdaa',
    lecun_uniform: 'dc95470c',
    lecun_normal: 'cbf9163a',
    random_normal: 'd4e97847',
    uniform: '7dc4f166',
    truncated_normal: 'd4e97847',
    zeros: '25e26bc5',
    one: 'a08648c5',
    constant: '25e26bc5',
    identity: 'ff08a845',
    orthogonal: '31dc408e',
    OrthogonalInitializer: '31dc408e',
    'he_normal conv': '3487b5f4',
    'VarianceScaling fan_out': 'a3224c66',
    'VarianceScaling fan_avg': '7e17b840',
    'variance_scaling normal': '06c0da61',
    RandomNormal: 'dfbfce73',
    RandomUniform: 'c605e01c',
    TruncatedNormal: 'f5151d34',
    'GlorotUniform seed': 'a8a70d45',
    'RandomNormal seed': '2db3bfa5',
    Constant: '32d7a585',
    'Identity gain': '576ce4c5',
    'Orthogonal gain': '62e50a4d',
    'Orthogonal seed': '27281e61',
  },
};

describe('resolve → create is bit-identical to the pre-spec factories', () => {
  it.each(optimizerCases)('optimizer %s', (name, named) => {
    const spec = resolveOptimizer(named);
    const golden = GOLDEN.optimizer[name as keyof typeof GOLDEN.optimizer];
    expect(runOptimizer(createOptimizer(named))).toBe(golden);
    expect(runOptimizer(createOptimizer(spec))).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runOptimizer(createOptimizer(viaJson(spec)))).toBe(golden);
  });

  it.each(scheduleCases)('schedule %s', (name, named) => {
    const spec = resolveSchedule(named);
    const golden = GOLDEN.schedule[name as keyof typeof GOLDEN.schedule];
    expect(runSchedule(createSchedule(named))).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runSchedule(createSchedule(viaJson(spec)))).toBe(golden);
  });

  it.each(regularizerCases)('regularizer %s', (name, named) => {
    const spec = resolveRegularizer(named);
    const golden = GOLDEN.regularizer[name as keyof typeof GOLDEN.regularizer];
    expect(runRegularizer(createRegularizer(named)!)).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runRegularizer(createRegularizer(viaJson(spec))!)).toBe(golden);
  });

  it.each(constraintCases)('constraint %s', (name, named, shape) => {
    const spec = resolveConstraint(named);
    const golden = GOLDEN.constraint[name as keyof typeof GOLDEN.constraint];
    expect(runConstraint(createConstraint(named)!, shape)).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runConstraint(createConstraint(viaJson(spec))!, shape)).toBe(golden);
  });

  it.each(initializerCases)('initializer %s', (name, named, shape) => {
    const spec = resolveInitializer(named);
    const golden = GOLDEN.initializer[name as keyof typeof GOLDEN.initializer];
    expect(runInitializer(createInitializer(named), shape)).toBe(golden);
    expect(viaJson(spec)).toEqual(spec);
    expect(runInitializer(createInitializer(viaJson(spec)), shape)).toBe(golden);
  });

  it('null regularizer and constraint specs create nothing', () => {
    expect(resolveRegularizer(null)).toBeNull();
    expect(resolveConstraint(undefined)).toBeNull();
    expect(createRegularizer(resolveRegularizer(null))).toBeNull();
    expect(createConstraint(resolveConstraint(null))).toBeNull();
  });
});
