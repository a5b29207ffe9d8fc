/**
 * The plain-data specs: Keras defaults filled in, SpecError naming the argument to blame
 * (including Keras's one-clip rule), and optimizer state placed in caller-provided views.
 */
import { describe, expect, it } from 'vitest';
import { resolveInitializer } from '../../src/init/index.js';
import {
  createOptimizer,
  optimizerSlots,
  resolveConstraint,
  resolveOptimizer,
  resolveRegularizer,
  resolveSchedule,
  SpecError,
  type Named,
  type OptimizerSpec,
  type ParamSlot,
} from '../../src/optim/index.js';
import { optimizerCases, runOptimizer } from './spec-cases.js';
import { GOLDEN } from './spec-golden.js';

const call = (name: string, args: Record<string, unknown> = {}): Named => ({ call: name, args });

describe('resolved specs carry every Keras default', () => {
  it("'adam' → Adam with Keras 3's constructor defaults", () => {
    expect(resolveOptimizer('adam')).toEqual({
      className: 'Adam',
      learningRate: 0.001,
      weightDecay: null,
      clipnorm: null,
      clipvalue: null,
      globalClipnorm: null,
      useEma: false,
      emaMomentum: 0.99,
      emaOverwriteFrequency: null,
      lossScaleFactor: null,
      gradientAccumulationSteps: null,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      amsgrad: false,
    });
  });

  it('a schedule learning rate becomes a nested ScheduleSpec', () => {
    const spec = resolveOptimizer(
      call('SGD', {
        learning_rate: call('ExponentialDecay', {
          initial_learning_rate: 0.1,
          decay_steps: 10,
          decay_rate: 0.5,
        }),
      }),
    );
    expect(spec.learningRate).toEqual({
      className: 'ExponentialDecay',
      initialLearningRate: 0.1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: false,
    });
  });

  it('AdamW defaults weight_decay to 0.004; names fold to the class name', () => {
    expect(resolveOptimizer('adam_w').weightDecay).toBe(0.004);
    expect(resolveOptimizer('ADAMW').className).toBe('AdamW');
  });

  it('regularizer, constraint and initializer specs', () => {
    expect(resolveRegularizer('l2')).toEqual({ className: 'L2', l1: 0, l2: 0.01 });
    expect(resolveConstraint('max_norm')).toEqual({ className: 'MaxNorm', maxValue: 2, axis: [0] });
    expect(resolveConstraint(call('UnitNorm', { axis: null }))).toEqual({
      className: 'UnitNorm',
      axis: null,
    });
    expect(resolveInitializer('uniform')).toEqual({
      className: 'RandomUniform',
      minval: -0.05,
      maxval: 0.05,
      seed: null,
    });
    expect(resolveInitializer(call('he_normal', { seed: 3 }))).toEqual({
      className: 'HeNormal',
      seed: 3,
    });
    expect(resolveInitializer(call('VarianceScaling', { distribution: 'Normal' }))).toEqual({
      className: 'VarianceScaling',
      scale: 1,
      mode: 'fan_in',
      distribution: 'truncated_normal',
      seed: null,
    });
  });

  it('Keras treats gradient_accumulation_steps=0 and ema_overwrite_frequency=0 as unset', () => {
    const spec = resolveOptimizer(
      call('SGD', { gradient_accumulation_steps: 0, use_ema: true, ema_overwrite_frequency: 0 }),
    );
    expect(spec.gradientAccumulationSteps).toBeNull();
    expect(spec.emaOverwriteFrequency).toBeNull();
  });
});

describe('SpecError names the argument to blame', () => {
  const cases: [string, () => unknown, string | undefined, RegExp][] = [
    [
      'a non-numeric beta_1',
      () => resolveOptimizer(call('Adam', { beta_1: 'big' })),
      'beta_1',
      /beta_1/,
    ],
    [
      'SGD momentum > 1',
      () => resolveOptimizer(call('SGD', { momentum: 1.5 })),
      'momentum',
      /momentum/,
    ],
    ['an unknown argument', () => resolveOptimizer(call('Adam', { lr: 0.1 })), 'lr', /'lr'/],
    [
      'AdamW weight_decay=None',
      () => resolveOptimizer(call('AdamW', { weight_decay: null })),
      'weight_decay',
      /None/,
    ],
    [
      'ema_momentum out of range',
      () => resolveOptimizer(call('SGD', { use_ema: true, ema_momentum: 2 })),
      'ema_momentum',
      /\[0, 1\]/,
    ],
    [
      'a bad nested schedule (blamed on learning_rate, message names decay_steps)',
      () =>
        resolveOptimizer(
          call('SGD', {
            learning_rate: call('CosineDecay', { initial_learning_rate: 1, decay_steps: 0 }),
          }),
        ),
      'learning_rate',
      /decay_steps/,
    ],
    [
      'a missing schedule argument',
      () =>
        resolveSchedule(call('ExponentialDecay', { initial_learning_rate: 0.1, decay_steps: 1 })),
      'decay_rate',
      /missing required argument 'decay_rate'/,
    ],
    ['a negative l2', () => resolveRegularizer(call('L2', { l2: -1 })), 'l2', /non-negative/],
    ['a fractional axis', () => resolveConstraint(call('MaxNorm', { axis: 0.5 })), 'axis', /axis/],
    [
      'a fractional seed',
      () => resolveInitializer(call('HeNormal', { seed: 1.5 })),
      'seed',
      /seed/,
    ],
    [
      'a bad fan mode',
      () => resolveInitializer(call('VarianceScaling', { mode: 'x' })),
      'mode',
      /mode/,
    ],
    ['an unknown optimizer (no argument)', () => resolveOptimizer('adamm'), undefined, /adamm/],
    [
      'an unknown initializer (no argument)',
      () => resolveInitializer('xavier'),
      undefined,
      /xavier/,
    ],
  ];
  it.each(cases)('%s', (_name, run, arg, message) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toBeInstanceOf(Error);
    expect((error as SpecError).arg).toBe(arg);
    expect((error as SpecError).message).toMatch(message);
  });

  // Keras 3 base_optimizer.py: "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be
  // set." None is unset; any number (0 included) is set.
  const clips: [Record<string, unknown>, string][] = [
    [{ clipnorm: 1, clipvalue: 1 }, 'clipvalue'],
    [{ clipnorm: 1, global_clipnorm: 1 }, 'global_clipnorm'],
    [{ clipvalue: 0, global_clipnorm: 2 }, 'global_clipnorm'],
    [{ clipnorm: 1, clipvalue: 2, global_clipnorm: 3 }, 'clipvalue'],
  ];
  it.each(clips)('only one clip argument: %j blames %s', (args, arg) => {
    let error: unknown;
    try {
      resolveOptimizer(call('Adam', args));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).arg).toBe(arg);
    expect((error as SpecError).message).toMatch(
      /only one of 'clipnorm', 'clipvalue' and 'global_clipnorm' can be set\. Received: clipnorm=/,
    );
  });

  it('one clip argument with the others None is fine', () => {
    expect(resolveOptimizer(call('Adam', { clipnorm: 1, clipvalue: null })).clipnorm).toBe(1);
  });
});

const W_SIZES = [3, 2];

function params(): ParamSlot[] {
  return W_SIZES.map((n, i) => ({
    name: `w${i}`,
    value: Float32Array.from({ length: n }, (_, j) => 0.1 * (j + 1) * (i ? -1 : 1)),
    grad: new Float32Array(n),
    shape: [n],
    constraint: null,
  }));
}

describe('optimizer state in caller-provided views', () => {
  it.each(optimizerCases)('%s: optimizerSlots matches variables()', (_name, named) => {
    const spec = resolveOptimizer(named);
    const opt = createOptimizer(spec);
    opt.build(params());
    const head = opt.hasSchedule ? 1 : 2;
    const slots = optimizerSlots(spec, W_SIZES);
    expect(
      opt
        .variables()
        .slice(head)
        .map((v) => v.length),
    ).toEqual(slots.map((s) => s.size));
    expect(opt.slotLayout(W_SIZES)).toEqual(slots);
    for (const s of slots) {
      if (s.weight >= 0) expect(s.size).toBe(W_SIZES[s.weight]);
    }
  });

  it.each(optimizerCases)('%s: build(params, views) runs in the views', (name, named) => {
    const spec: OptimizerSpec = resolveOptimizer(named);
    const slots = optimizerSlots(spec, [3, 2]);
    // One arena, every slot a subarray of it, pre-filled with garbage build() must overwrite.
    const arena = new Float32Array(slots.reduce((n, s) => n + s.size, 0)).fill(123);
    let offset = 0;
    const views = slots.map((s) => arena.subarray(offset, (offset += s.size)));
    const opt = createOptimizer(spec);
    const ps = params();
    opt.build(ps, views);
    const head = opt.hasSchedule ? 1 : 2;
    opt
      .variables()
      .slice(head)
      .forEach((v, k) => expect(v).toBe(views[k]));
    expect(arena.includes(123)).toBe(false);
    const before = Float32Array.from(arena);
    ps.forEach((p) => p.grad.fill(0.25));
    opt.apply(ps);
    if (slots.length > 0) expect(arena).not.toEqual(before);
    // Same numbers as the self-allocating optimizer: the full run matches the golden value.
    const fresh = createOptimizer(spec);
    const built = createOptimizer(spec);
    const arena2 = new Float32Array(arena.length);
    let o2 = 0;
    built.build(
      [
        {
          name: 'w0',
          value: Float32Array.of(0.5, -0.3, 0.8),
          grad: new Float32Array(3),
          shape: [3],
          constraint: null,
        },
        {
          name: 'w1',
          value: Float32Array.of(0.1, -0.7),
          grad: new Float32Array(2),
          shape: [2],
          constraint: null,
        },
      ],
      slots.map((s) => arena2.subarray(o2, (o2 += s.size))),
    );
    const golden = GOLDEN.optimizer[name as keyof typeof GOLDEN.optimizer];
    expect(runOptimizer(fresh)).toBe(golden);
    expect(runOptimizer(built)).toBe(golden);
  });

  it('initial values: Adagrad accumulators at initial_accumulator_value, Nadam u_product 1', () => {
    const adagrad = resolveOptimizer(call('Adagrad', { initial_accumulator_value: 0.5 }));
    const views = optimizerSlots(adagrad, W_SIZES).map((s) => new Float32Array(s.size));
    createOptimizer(adagrad).build(params(), views);
    expect(views.map((v) => Array.from(v))).toEqual([
      [0.5, 0.5, 0.5],
      [0.5, 0.5],
    ]);
    const nadam = resolveOptimizer('nadam');
    const slots = optimizerSlots(nadam, W_SIZES);
    expect(slots.map((s) => `${s.name}:${s.weight}`)).toEqual([
      'momentum:0',
      'velocity:0',
      'momentum:1',
      'velocity:1',
      'u_product:-1',
    ]);
  });

  it('slot names and order follow Keras (EMA and accumulator first, RMSprop grouped)', () => {
    const spec = resolveOptimizer(
      call('RMSprop', {
        momentum: 0.5,
        centered: true,
        use_ema: true,
        gradient_accumulation_steps: 2,
      }),
    );
    expect(optimizerSlots(spec, [4]).map((s) => s.name)).toEqual([
      'average',
      'gradient_accumulator',
      'velocity',
      'momentum',
      'average_gradient',
    ]);
  });

  it('refuses views of the wrong number or length', () => {
    const spec = resolveOptimizer('adam');
    expect(() => createOptimizer(spec).build(params(), [])).toThrow(/4 state slots/);
    const views = optimizerSlots(spec, W_SIZES).map((s) => new Float32Array(s.size + 1));
    expect(() => createOptimizer(spec).build(params(), views)).toThrow(/view has 4/);
  });
});
