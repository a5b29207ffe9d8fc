/**
 * Learning-rate schedules against Keras 3's formulas (keras-reference.md §4.3), evaluated in
 * float64 at steps before, on and after every boundary. CosineDecayRestarts is checked against
 * an explicit walk over the restart periods rather than Keras's closed form.
 */
import { describe, expect, it } from 'vitest';
import { createSchedule, type Named } from '../../src/optim/index.js';

const call = (name: string, args: Record<string, unknown>): Named => ({ call: name, args });
const STEPS = [
  0, 1, 2, 5, 7, 9, 10, 11, 19, 20, 21, 25, 28, 30, 50, 69, 70, 91, 99, 100, 101, 150, 1000,
];

/** SGDR by walking the periods: length L₀ = first, Lᵢ₊₁ = t_mul·Lᵢ; peak lr0·m_mulⁱ. */
function restartsByWalking(
  lr0: number,
  first: number,
  tMul: number,
  mMul: number,
  alpha: number,
  step: number,
): number {
  let start = 0;
  let length = first;
  let i = 0;
  while (step >= start + length) {
    start += length;
    length *= tMul;
    i++;
  }
  const fraction = (step - start) / length;
  return lr0 * ((1 - alpha) * 0.5 * mMul ** i * (1 + Math.cos(Math.PI * fraction)) + alpha);
}

const table: [string, Named, (s: number) => number][] = [
  [
    'ExponentialDecay',
    call('ExponentialDecay', { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5 }),
    (s) => 0.1 * 0.5 ** (s / 10),
  ],
  [
    'ExponentialDecay staircase',
    call('ExponentialDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 10,
      decay_rate: 0.5,
      staircase: true,
    }),
    (s) => 0.1 * 0.5 ** Math.floor(s / 10),
  ],
  [
    'PiecewiseConstantDecay',
    call('PiecewiseConstantDecay', { boundaries: [10, 20], values: [1, 0.5, 0.1] }),
    (s) => (s <= 10 ? 1 : s <= 20 ? 0.5 : 0.1),
  ],
  [
    'CosineDecay',
    call('CosineDecay', { initial_learning_rate: 0.1, decay_steps: 100 }),
    (s) => 0.1 * 0.5 * (1 + Math.cos((Math.PI * Math.min(s, 100)) / 100)),
  ],
  [
    'CosineDecay alpha',
    call('CosineDecay', { initial_learning_rate: 0.1, decay_steps: 100, alpha: 0.1 }),
    (s) => 0.1 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(s, 100)) / 100)) + 0.1),
  ],
  [
    'CosineDecay with warmup',
    call('CosineDecay', {
      initial_learning_rate: 0.0,
      decay_steps: 50,
      warmup_target: 0.1,
      warmup_steps: 20,
    }),
    (s) =>
      s < 20 ? (0.1 * s) / 20 : 0.1 * 0.5 * (1 + Math.cos((Math.PI * Math.min(s - 20, 50)) / 50)),
  ],
  [
    'InverseTimeDecay',
    call('InverseTimeDecay', { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5 }),
    (s) => 0.1 / (1 + (0.5 * s) / 10),
  ],
  [
    'InverseTimeDecay staircase',
    call('InverseTimeDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 10,
      decay_rate: 0.5,
      staircase: true,
    }),
    (s) => 0.1 / (1 + 0.5 * Math.floor(s / 10)),
  ],
  [
    'PolynomialDecay',
    call('PolynomialDecay', { initial_learning_rate: 0.1, decay_steps: 100 }),
    (s) => (0.1 - 0.0001) * (1 - Math.min(s, 100) / 100) + 0.0001,
  ],
  [
    'PolynomialDecay power 2',
    call('PolynomialDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 100,
      end_learning_rate: 0.01,
      power: 2,
    }),
    (s) => 0.09 * (1 - Math.min(s, 100) / 100) ** 2 + 0.01,
  ],
  [
    'PolynomialDecay cycle',
    call('PolynomialDecay', {
      initial_learning_rate: 0.1,
      decay_steps: 20,
      end_learning_rate: 0.01,
      power: 0.5,
      cycle: true,
    }),
    (s) => {
      const horizon = 20 * Math.max(1, Math.ceil(s / 20));
      return 0.09 * (1 - s / horizon) ** 0.5 + 0.01;
    },
  ],
  [
    'CosineDecayRestarts',
    call('CosineDecayRestarts', { initial_learning_rate: 0.1, first_decay_steps: 10 }),
    (s) => restartsByWalking(0.1, 10, 2, 1, 0, s),
  ],
  [
    'CosineDecayRestarts t_mul 1, m_mul 0.5, alpha 0.1',
    call('CosineDecayRestarts', {
      initial_learning_rate: 0.1,
      first_decay_steps: 10,
      t_mul: 1,
      m_mul: 0.5,
      alpha: 0.1,
    }),
    (s) => restartsByWalking(0.1, 10, 1, 0.5, 0.1, s),
  ],
  [
    'CosineDecayRestarts t_mul 3, m_mul 0.9',
    call('CosineDecayRestarts', {
      initial_learning_rate: 0.05,
      first_decay_steps: 7,
      t_mul: 3,
      m_mul: 0.9,
    }),
    (s) => restartsByWalking(0.05, 7, 3, 0.9, 0, s),
  ],
];

describe('learning-rate schedules vs the Keras 3 formulas', () => {
  it.each(table)('%s', (_name, spec, formula) => {
    const schedule = createSchedule(spec);
    for (const step of STEPS) {
      const expected = formula(step);
      // Keras evaluates schedules in float32: a few ulps from the float64 formula.
      expect(Math.abs(schedule(step) - expected), `step ${step}`).toBeLessThanOrEqual(
        2e-6 * Math.max(Math.abs(expected), 1e-3),
      );
    }
  });

  it('snake_case names resolve too', () => {
    expect(
      createSchedule(
        call('exponential_decay', { initial_learning_rate: 0.1, decay_steps: 1, decay_rate: 0.5 }),
      )(2),
    ).toBeCloseTo(0.025, 8);
  });

  const errors: [string, Named, RegExp][] = [
    ['an unknown schedule', call('StepDecay', {}), /Unknown learning-rate schedule 'StepDecay'/],
    [
      'a missing argument',
      call('ExponentialDecay', { initial_learning_rate: 0.1, decay_steps: 10 }),
      /missing required argument 'decay_rate'/,
    ],
    [
      'decay_steps 0',
      call('CosineDecay', { initial_learning_rate: 0.1, decay_steps: 0 }),
      /'decay_steps'.*> 0/,
    ],
    [
      'boundaries and values of the wrong lengths',
      call('PiecewiseConstantDecay', { boundaries: [1, 2], values: [1, 2] }),
      /1 less than/,
    ],
    [
      'an unknown argument',
      call('InverseTimeDecay', {
        initial_learning_rate: 0.1,
        decay_steps: 1,
        decay_rate: 1,
        stair: true,
      }),
      /not recognized: 'stair'/,
    ],
    [
      'a bare name (no initial learning rate)',
      'ExponentialDecay',
      /missing required argument 'initial_learning_rate'/,
    ],
  ];
  it.each(errors)('throws for %s', (_name, spec, message) => {
    expect(() => createSchedule(spec)).toThrow(message);
  });
});
