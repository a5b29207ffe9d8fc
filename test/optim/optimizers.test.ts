/**
 * The Float32Array optimizers against (1) float64 twins of Keras 3's §4.2 formulas, one line per
 * case, and (2) TF.js's optimizers where TF.js runs the same rule as Keras 3 (plain SGD, momentum
 * at a constant lr, RMSprop without centering, Adagrad at ε = 1e-7, Adamax). TF.js departs from
 * Keras 3 for Adam (ε placement), Adadelta (order), centered RMSprop (ε sign) and momentum under a
 * changing lr: those are checked against the formulas only.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createOptimizer,
  type Named,
  type Optimizer,
  type ParamSlot,
} from '../../src/optim/index.js';
import { createConstraint } from '../../src/optim/constraints.js';
import { rules, runReference, type RefRun, type Vec } from './optimizer-naive.js';

const call = (name: string, args: Record<string, unknown> = {}): Named => ({ call: name, args });

// Two tensors (3 and 2 values), five steps of float32-representable gradients of mixed sign
// and growing size, so every clip mode actually clips and amsgrad's max matters.
const W0: Vec[] = [
  [0.5, -0.3, 0.8],
  [0.1, -0.7],
].map((w) => w.map(Math.fround));
const GRADS: Vec[][] = Array.from({ length: 5 }, (_, k) =>
  W0.map((w, i) =>
    w.map((_, j) => Math.fround(Math.sin(1.3 * (k + 1) + 0.7 * j + 2.1 * i) * (1 + 0.5 * k))),
  ),
);

function params(w0: Vec[]): ParamSlot[] {
  return w0.map((w, i) => ({
    name: `w${i}`,
    value: Float32Array.from(w),
    grad: new Float32Array(w.length),
    shape: [w.length],
    constraint: null,
  }));
}

/** Applies grads[k] for every k; returns the weights. */
function runEngine(opt: Optimizer, ps: ParamSlot[], grads: Vec[][]): Vec[] {
  for (const step of grads) {
    ps.forEach((p, i) => p.grad.set(step[i]!));
    opt.apply(ps);
  }
  return ps.map((p) => Array.from(p.value));
}

function expectClose(actual: Vec[], expected: Vec[], rel: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) =>
    a.forEach((x, j) => {
      const e = expected[i]![j]!;
      const tol = rel * Math.max(Math.abs(e), 0.1);
      if (!(Math.abs(x - e) <= tol))
        throw new Error(`tensor ${i}[${j}]: ${x} vs ${e} (|Δ| ${Math.abs(x - e)} > ${tol})`);
    }),
  );
}

const exponential = (k: number): number => 0.01 * 0.5 ** (k / 2);
const piecewise = (k: number): number => (k <= 1 ? 0.1 : k <= 3 ? 0.05 : 0.01);
const cosine = (k: number): number => 0.01 * 0.5 * (1 + Math.cos((Math.PI * Math.min(k, 4)) / 4));

const cases: { name: string; spec: Named; run: RefRun }[] = [
  { name: 'SGD', spec: call('SGD', { learning_rate: 0.1 }), run: { lr: 0.1, rule: rules.sgd(0) } },
  {
    name: "'sgd' string, Keras defaults (lr 0.01)",
    spec: 'sgd',
    run: { lr: 0.01, rule: rules.sgd(0) },
  },
  {
    name: 'SGD momentum',
    spec: call('SGD', { learning_rate: 0.05, momentum: 0.9 }),
    run: { lr: 0.05, rule: rules.sgd(0.9) },
  },
  {
    name: 'SGD nesterov',
    spec: call('SGD', { learning_rate: 0.05, momentum: 0.9, nesterov: true }),
    run: { lr: 0.05, rule: rules.sgd(0.9, true) },
  },
  {
    name: 'SGD weight_decay (decoupled)',
    spec: call('SGD', { learning_rate: 0.1, weight_decay: 0.2 }),
    run: { lr: 0.1, weightDecay: 0.2, rule: rules.sgd(0) },
  },
  {
    name: 'SGD momentum, global_clipnorm',
    spec: call('SGD', { learning_rate: 0.05, momentum: 0.5, global_clipnorm: 1.5 }),
    run: { lr: 0.05, clip: { kind: 'global', c: 1.5 }, rule: rules.sgd(0.5) },
  },
  {
    name: 'SGD, PiecewiseConstantDecay',
    spec: call('SGD', {
      learning_rate: call('PiecewiseConstantDecay', {
        boundaries: [1, 3],
        values: [0.1, 0.05, 0.01],
      }),
    }),
    run: { lr: piecewise, rule: rules.sgd(0) },
  },
  {
    name: 'RMSprop',
    spec: call('RMSprop', { learning_rate: 0.01 }),
    run: { lr: 0.01, rule: rules.rmsprop(0.9, 0, 1e-7, false) },
  },
  {
    name: "'rmsprop' string, Keras defaults",
    spec: 'rmsprop',
    run: { lr: 0.001, rule: rules.rmsprop(0.9, 0, 1e-7, false) },
  },
  {
    name: 'RMSprop centered (Keras ε sign; TF.js differs)',
    spec: call('RMSprop', { learning_rate: 0.01, centered: true }),
    run: { lr: 0.01, rule: rules.rmsprop(0.9, 0, 1e-7, true) },
  },
  {
    name: 'RMSprop momentum',
    spec: call('RMSprop', { learning_rate: 0.01, momentum: 0.5 }),
    run: { lr: 0.01, rule: rules.rmsprop(0.9, 0.5, 1e-7, false) },
  },
  {
    name: 'RMSprop centered momentum rho 0.8',
    spec: call('RMSprop', { learning_rate: 0.01, rho: 0.8, momentum: 0.5, centered: true }),
    run: { lr: 0.01, rule: rules.rmsprop(0.8, 0.5, 1e-7, true) },
  },
  {
    name: 'RMSprop clipvalue',
    spec: call('RMSprop', { learning_rate: 0.01, clipvalue: 0.5 }),
    run: { lr: 0.01, clip: { kind: 'value', c: 0.5 }, rule: rules.rmsprop(0.9, 0, 1e-7, false) },
  },
  {
    name: 'Adagrad',
    spec: call('Adagrad', { learning_rate: 0.1 }),
    run: { lr: 0.1, rule: rules.adagrad(0.1, 1e-7) },
  },
  {
    name: 'Adagrad initial_accumulator_value, epsilon',
    spec: call('Adagrad', { learning_rate: 0.1, initial_accumulator_value: 0.5, epsilon: 1e-3 }),
    run: { lr: 0.1, rule: rules.adagrad(0.5, 1e-3) },
  },
  {
    name: 'Adadelta (Keras order; TF.js differs)',
    spec: call('Adadelta', { learning_rate: 1.0 }),
    run: { lr: 1.0, rule: rules.adadelta(0.95, 1e-7) },
  },
  {
    name: 'Adadelta rho 0.9, epsilon 1e-3',
    spec: call('Adadelta', { learning_rate: 1.0, rho: 0.9, epsilon: 1e-3 }),
    run: { lr: 1.0, rule: rules.adadelta(0.9, 1e-3) },
  },
  {
    name: 'Adam (ε-hat form; TF.js differs)',
    spec: call('Adam', { learning_rate: 0.01 }),
    run: { lr: 0.01, rule: rules.adam(0.9, 0.999, 1e-7) },
  },
  {
    name: "'adam' string, Keras defaults",
    spec: 'adam',
    run: { lr: 0.001, rule: rules.adam(0.9, 0.999, 1e-7) },
  },
  {
    name: 'Adam amsgrad beta_2 0.5',
    spec: call('Adam', { learning_rate: 0.01, beta_2: 0.5, amsgrad: true }),
    run: { lr: 0.01, rule: rules.adam(0.9, 0.5, 1e-7, true) },
  },
  {
    name: 'Adam epsilon 0.1',
    spec: call('Adam', { learning_rate: 0.01, beta_1: 0.8, epsilon: 0.1 }),
    run: { lr: 0.01, rule: rules.adam(0.8, 0.999, 0.1) },
  },
  {
    name: 'Adam clipnorm',
    spec: call('Adam', { learning_rate: 0.01, clipnorm: 1.0 }),
    run: { lr: 0.01, clip: { kind: 'norm', c: 1 }, rule: rules.adam(0.9, 0.999, 1e-7) },
  },
  {
    name: 'Adam, ExponentialDecay',
    spec: call('Adam', {
      learning_rate: call('ExponentialDecay', {
        initial_learning_rate: 0.01,
        decay_steps: 2,
        decay_rate: 0.5,
      }),
    }),
    run: { lr: exponential, rule: rules.adam(0.9, 0.999, 1e-7) },
  },
  {
    name: 'Adamax',
    spec: call('Adamax', { learning_rate: 0.01 }),
    run: { lr: 0.01, rule: rules.adamax(0.9, 0.999, 1e-7) },
  },
  {
    name: 'Adamax beta_2 0.5',
    spec: call('Adamax', { learning_rate: 0.01, beta_1: 0.7, beta_2: 0.5 }),
    run: { lr: 0.01, rule: rules.adamax(0.7, 0.5, 1e-7) },
  },
  {
    name: 'Nadam',
    spec: call('Nadam', { learning_rate: 0.01 }),
    run: { lr: 0.01, rule: rules.nadam(0.9, 0.999, 1e-7) },
  },
  {
    name: 'Nadam beta_1 0.8, global_clipnorm',
    spec: call('Nadam', { learning_rate: 0.01, beta_1: 0.8, global_clipnorm: 2 }),
    run: { lr: 0.01, clip: { kind: 'global', c: 2 }, rule: rules.nadam(0.8, 0.999, 1e-7) },
  },
  {
    name: 'AdamW (weight_decay default 0.004)',
    spec: call('AdamW', { learning_rate: 0.01 }),
    run: { lr: 0.01, weightDecay: 0.004, rule: rules.adam(0.9, 0.999, 1e-7) },
  },
  {
    name: 'AdamW weight_decay 0.5, amsgrad',
    spec: call('AdamW', { learning_rate: 0.01, weight_decay: 0.5, beta_2: 0.5, amsgrad: true }),
    run: { lr: 0.01, weightDecay: 0.5, rule: rules.adam(0.9, 0.5, 1e-7, true) },
  },
  {
    name: 'AdamW, CosineDecay (decay uses the scheduled lr)',
    spec: call('AdamW', {
      learning_rate: call('CosineDecay', { initial_learning_rate: 0.01, decay_steps: 4 }),
      weight_decay: 0.5,
    }),
    run: { lr: cosine, weightDecay: 0.5, rule: rules.adam(0.9, 0.999, 1e-7) },
  },
];

describe('optimizers vs float64 twins of the Keras 3 formulas', () => {
  it.each(cases)('$name', ({ spec, run }) => {
    const expected = runReference(run, W0, GRADS).weights;
    expectClose(runEngine(createOptimizer(spec), params(W0), GRADS), expected, 1e-6);
  });

  it('the amsgrad cases exercise v̂ > v (they differ from plain Adam)', () => {
    const plain = runReference({ lr: 0.01, rule: rules.adam(0.9, 0.5, 1e-7) }, W0, GRADS).weights;
    const ams = runReference(
      { lr: 0.01, rule: rules.adam(0.9, 0.5, 1e-7, true) },
      W0,
      GRADS,
    ).weights;
    expect(
      Math.abs(plain[0]![0]! - ams[0]![0]!) + Math.abs(plain[1]![1]! - ams[1]![1]!),
    ).toBeGreaterThan(1e-4);
  });

  it('every clip case actually clips', () => {
    for (const clip of [
      { kind: 'norm', c: 1 },
      { kind: 'global', c: 1.5 },
      { kind: 'value', c: 0.5 },
    ] as const) {
      const clipped = runReference({ lr: 0.1, clip, rule: rules.sgd(0) }, W0, GRADS).weights;
      const free = runReference({ lr: 0.1, rule: rules.sgd(0) }, W0, GRADS).weights;
      expect(Math.abs(clipped[0]![0]! - free[0]![0]!)).toBeGreaterThan(1e-3);
    }
  });
});

describe('optimizers vs TF.js where TF.js is the Keras 3 rule', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  let uid = 0;
  function runTfjs(make: () => tf.Optimizer): Vec[] {
    const vars = W0.map((w, i) => tf.variable(tf.tensor1d(w), true, `optim_test_${uid++}_${i}`));
    const opt = make();
    for (const step of GRADS) {
      tf.tidy(() =>
        opt.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor1d(step[i]!)]))),
      );
    }
    const out = vars.map((v) => Array.from(v.dataSync()));
    vars.forEach((v) => v.dispose());
    opt.dispose();
    return out;
  }
  const tfCases: { name: string; spec: Named; make: () => tf.Optimizer }[] = [
    {
      name: 'SGD = tf.train.sgd',
      spec: call('SGD', { learning_rate: 0.1 }),
      make: () => tf.train.sgd(0.1),
    },
    {
      name: 'SGD momentum = tf.train.momentum (constant lr)',
      spec: call('SGD', { learning_rate: 0.05, momentum: 0.9 }),
      make: () => tf.train.momentum(0.05, 0.9),
    },
    {
      name: 'SGD nesterov = tf.train.momentum(useNesterov)',
      spec: call('SGD', { learning_rate: 0.05, momentum: 0.9, nesterov: true }),
      make: () => tf.train.momentum(0.05, 0.9, true),
    },
    {
      name: 'RMSprop = tf.train.rmsprop',
      spec: call('RMSprop', { learning_rate: 0.01 }),
      make: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7),
    },
    {
      name: 'RMSprop momentum = tf.train.rmsprop(momentum)',
      spec: call('RMSprop', { learning_rate: 0.01, momentum: 0.5 }),
      make: () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7),
    },
    {
      name: 'Adagrad = tf.train.adagrad (ε 1e-7 inside the sqrt)',
      spec: call('Adagrad', { learning_rate: 0.1 }),
      make: () => tf.train.adagrad(0.1, 0.1),
    },
    {
      name: 'Adamax = tf.train.adamax',
      spec: call('Adamax', { learning_rate: 0.01 }),
      make: () => tf.train.adamax(0.01, 0.9, 0.999, 1e-7, 0),
    },
  ];
  it.each(tfCases)('$name', ({ spec, make }) => {
    expectClose(runEngine(createOptimizer(spec), params(W0), GRADS), runTfjs(make), 1e-5);
  });
});

describe('the training loop around the update rule', () => {
  it('a learning rate set mid-run (ReduceLROnPlateau) enters the Keras-form velocity', () => {
    const opt = createOptimizer(call('SGD', { learning_rate: 0.1, momentum: 0.9 }));
    const ps = params(W0);
    runEngine(opt, ps, GRADS.slice(0, 2));
    opt.learningRate = 0.02;
    expect(opt.learningRate).toBe(Math.fround(0.02));
    const got = runEngine(opt, ps, GRADS.slice(2));
    const expected = runReference(
      { lr: (k) => (k < 2 ? 0.1 : 0.02), rule: rules.sgd(0.9) },
      W0,
      GRADS,
    ).weights;
    expectClose(got, expected, 1e-6);
  });

  it('constraints project after the update (NonNeg, MaxNorm over axis 0)', () => {
    const ps = params(W0);
    ps[0]!.constraint = createConstraint('NonNeg');
    ps[1]!.constraint = createConstraint(call('MaxNorm', { max_value: 0.5 }));
    const got = runEngine(createOptimizer(call('SGD', { learning_rate: 0.1 })), ps, GRADS);
    const w = W0.map((t) => [...t]);
    for (const step of GRADS) {
      w.forEach((t, i) => t.forEach((x, j) => (t[j] = x - 0.1 * step[i]![j]!)));
      w[0] = w[0]!.map((x) => Math.max(x, 0));
      const n = Math.hypot(...w[1]!);
      w[1] = w[1]!.map((x) => (x * Math.min(n, 0.5)) / (1e-7 + n));
    }
    expectClose(got, w, 1e-6);
  });

  it('gradient_accumulation_steps=2 updates every second batch with the mean gradient, t counting updates', () => {
    const got = runEngine(
      createOptimizer(call('Adam', { learning_rate: 0.01, gradient_accumulation_steps: 2 })),
      params(W0),
      GRADS.slice(0, 4),
    );
    const means = [0, 2].map((k) =>
      GRADS[k]!.map((g, i) => g.map((x, j) => (x + GRADS[k + 1]![i]![j]!) / 2)),
    );
    expectClose(
      got,
      runReference({ lr: 0.01, rule: rules.adam(0.9, 0.999, 1e-7) }, W0, means).weights,
      1e-6,
    );
  });

  it('use_ema keeps a moving average (m = 0 on the first step), overwrites every n steps, and finalize() copies it', () => {
    const opt = createOptimizer(
      call('SGD', {
        learning_rate: 0.1,
        use_ema: true,
        ema_momentum: 0.5,
        ema_overwrite_frequency: 3,
      }),
    );
    const ps = params(W0);
    const w = W0.map((t) => [...t]);
    let avg: Vec[] = [];
    GRADS.forEach((step, k) => {
      w.forEach((t, i) => t.forEach((x, j) => (t[j] = x - 0.1 * step[i]![j]!)));
      const m = k === 0 ? 0 : 0.5;
      avg = w.map((t, i) => t.map((x, j) => m * (k === 0 ? 0 : avg[i]![j]!) + (1 - m) * x));
      if ((k + 1) % 3 === 0) avg.forEach((a, i) => (w[i] = [...a]));
      ps.forEach((p, i) => p.grad.set(step[i]!));
      opt.apply(ps);
      expectClose(
        ps.map((p) => Array.from(p.value)),
        w,
        1e-6,
      );
    });
    opt.finalize(ps);
    expectClose(
      ps.map((p) => Array.from(p.value)),
      avg,
      1e-6,
    );
  });

  it('schedules see iterations 0, 1, 2, … and learningRate reports the next step’s value', () => {
    const opt = createOptimizer(
      call('SGD', {
        learning_rate: call('ExponentialDecay', {
          initial_learning_rate: 0.01,
          decay_steps: 2,
          decay_rate: 0.5,
        }),
      }),
    );
    expect(opt.hasSchedule).toBe(true);
    expect(opt.learningRate).toBeCloseTo(exponential(0), 9);
    runEngine(opt, params(W0), GRADS.slice(0, 3));
    expect(opt.iterations).toBe(3);
    expect(opt.learningRate).toBeCloseTo(exponential(3), 9);
    expect(() => (opt.learningRate = 0.1)).toThrow(/schedule/);
  });

  it('learning_rate is stored as float32, as Keras stores it in a float32 variable', () => {
    const opt = createOptimizer(call('Adam', { learning_rate: 0.001 }));
    expect(opt.learningRate).toBe(Math.fround(0.001));
    expect(opt.learningRate).toBe(0.0010000000474974513);
  });
});

describe('optimizer variables in Keras order', () => {
  const sizes = (o: Optimizer): number[] => o.variables().map((v) => v.length);
  const table: [string, Named, number[]][] = [
    ['SGD: iteration, learning_rate only', 'SGD', [1, 1]],
    ['SGD momentum: + momentum per weight', call('SGD', { momentum: 0.9 }), [1, 1, 3, 2]],
    [
      'RMSprop centered momentum: velocities, momentums, average gradients (grouped)',
      call('RMSprop', { momentum: 0.5, centered: true }),
      [1, 1, 3, 2, 3, 2, 3, 2],
    ],
    ['Adagrad: accumulators', 'Adagrad', [1, 1, 3, 2]],
    ['Adadelta: accumulated grad and delta, interleaved', 'Adadelta', [1, 1, 3, 3, 2, 2]],
    ['Adam: m, v interleaved', 'Adam', [1, 1, 3, 3, 2, 2]],
    [
      'Adam amsgrad: + velocity hats after',
      call('Adam', { amsgrad: true }),
      [1, 1, 3, 3, 2, 2, 3, 2],
    ],
    ['Adamax: m, u interleaved', 'Adamax', [1, 1, 3, 3, 2, 2]],
    ['Nadam: m, v interleaved, then u_product', 'Nadam', [1, 1, 3, 3, 2, 2, 1]],
    [
      'Adam with a schedule: no learning_rate variable',
      call('Adam', {
        learning_rate: call('InverseTimeDecay', {
          initial_learning_rate: 0.1,
          decay_steps: 1,
          decay_rate: 0.5,
        }),
      }),
      [1, 3, 3, 2, 2],
    ],
    [
      'use_ema + accumulation: averages and accumulators interleaved first',
      call('SGD', { use_ema: true, gradient_accumulation_steps: 2 }),
      [1, 1, 3, 3, 2, 2],
    ],
  ];
  it.each(table)('%s', (_name, spec, expected) => {
    const opt = createOptimizer(spec);
    expect(opt.variableCount()).toBe(opt.hasSchedule ? 1 : 2);
    opt.build(params(W0));
    expect(sizes(opt)).toEqual(expected);
    expect(opt.variableCount()).toBe(expected.reduce((a, b) => a + b, 0));
  });

  it('Adam’s slots hold m and v of the reference after the run', () => {
    const opt = createOptimizer(call('Adam', { learning_rate: 0.01 }));
    runEngine(opt, params(W0), GRADS);
    const { states } = runReference({ lr: 0.01, rule: rules.adam(0.9, 0.999, 1e-7) }, W0, GRADS);
    const [iteration, lr, m0, v0, m1, v1] = opt.variables().map((v) => Array.from(v));
    expect(iteration).toEqual([5]);
    expect(lr).toEqual([Math.fround(0.01)]);
    expectClose(
      [m0!, v0!, m1!, v1!],
      [states[0]!['m']!, states[0]!['v']!, states[1]!['m']!, states[1]!['v']!],
      1e-5,
    );
  });

  it('setVariables restores a run mid-way (Nadam, including its u_product)', () => {
    const a = createOptimizer(call('Nadam', { learning_rate: 0.01 }));
    const pa = params(W0);
    runEngine(a, pa, GRADS.slice(0, 2));
    const saved = a.variables().map((v) => Float32Array.from(v));
    const weights = pa.map((p) => Float32Array.from(p.value));
    const expected = runEngine(a, pa, GRADS.slice(2));
    const b = createOptimizer(call('Nadam', { learning_rate: 0.5 }));
    const pb = params(W0);
    pb.forEach((p, i) => p.value.set(weights[i]!));
    b.build(pb);
    b.setVariables(saved);
    expect(b.iterations).toBe(2);
    expect(b.learningRate).toBe(Math.fround(0.01));
    expect(runEngine(b, pb, GRADS.slice(2))).toEqual(expected);
  });
});

describe('createOptimizer', () => {
  it.each([
    'adam',
    'ADAM',
    'Adam',
    'sgd',
    'rmsprop',
    'RMSprop',
    'adagrad',
    'adadelta',
    'adamax',
    'nadam',
    'adamw',
    'AdamW',
  ])('resolves %s case-insensitively', (name) => {
    expect(createOptimizer(name).className.toLowerCase()).toBe(name.toLowerCase());
  });

  it('accepts the base keyword arguments the checker fills in', () => {
    const opt = createOptimizer(
      call('Adam', {
        learning_rate: 0.001,
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-7,
        amsgrad: false,
        weight_decay: null,
        clipnorm: null,
        clipvalue: null,
        global_clipnorm: null,
        use_ema: false,
        ema_momentum: 0.99,
        ema_overwrite_frequency: null,
        loss_scale_factor: null,
        gradient_accumulation_steps: null,
        name: null,
      }),
    );
    expect(opt.className).toBe('Adam');
  });

  const errors: [string, Named, RegExp][] = [
    ['an unknown name', 'adamm', /Unknown optimizer 'adamm'/],
    ['an optimizer the engine lacks', 'Ftrl', /'Ftrl' is not supported/],
    [
      'two clip arguments',
      call('SGD', { clipnorm: 1, clipvalue: 1 }),
      /only one of 'clipnorm', 'clipvalue' and 'global_clipnorm'/,
    ],
    ['AdamW without weight decay', call('AdamW', { weight_decay: null }), /weight_decay.*None/],
    ['SGD momentum above 1', call('SGD', { momentum: 1.5 }), /momentum/],
    ['an unknown argument', call('Adam', { lr: 0.1 }), /not recognized: 'lr'/],
    ['a non-numeric argument', call('Adam', { beta_1: 'big' }), /'beta_1' must be a finite number/],
    [
      'gradient_accumulation_steps 1',
      call('SGD', { gradient_accumulation_steps: 1 }),
      /gradient_accumulation_steps/,
    ],
    [
      'a bad schedule',
      call('SGD', { learning_rate: call('ExponentialDecay', { initial_learning_rate: 0.1 }) }),
      /missing required argument 'decay_steps'/,
    ],
  ];
  it.each(errors)('throws for %s', (_name, spec, message) => {
    expect(() => createOptimizer(spec)).toThrow(message);
  });
});

describe('seed vector V3: batch gradient descent on a line (SGD lr 0.01)', () => {
  const x = [0, 1, 2, 3, 4, 5];
  const y = [0, 0.8, 2.2, 2.3, 4.3, 4.9];
  // d/dw of Keras's mse = mean((w·x − y)²) over the given samples, in float64.
  const mseGrad = (w: number, idx: number[]): number =>
    idx.reduce((s, i) => s + 2 * (w * x[i]! - y[i]!) * x[i]!, 0) / idx.length;
  function sgdStep(w: number, idx: number[]): number {
    const opt = createOptimizer(call('SGD', { learning_rate: 0.01 }));
    const p: ParamSlot = {
      name: 'kernel',
      value: Float32Array.of(w),
      grad: Float32Array.of(mseGrad(Math.fround(w), idx)),
      shape: [1, 1],
      constraint: null,
    };
    opt.apply([p]);
    return p.value[0]!;
  }
  it('one full-batch step from 0.2 gives 0.34266667', () => {
    expect(Math.abs(sgdStep(0.2, [0, 1, 2, 3, 4, 5]) - 0.34266667)).toBeLessThan(1e-6);
  });
  it('one step on the sample x=2 gives 0.272, then on x=4 gives 0.52896', () => {
    const w1 = sgdStep(0.2, [2]);
    expect(Math.abs(w1 - 0.272)).toBeLessThan(1e-6);
    expect(Math.abs(sgdStep(w1, [4]) - 0.52896)).toBeLessThan(1e-6);
  });
});
