/**
 * Keras 3's progress bar. Number formats are checked against Python 3's own output (each
 * expected string below is what CPython prints for `format(x, spec)`), the line layout against
 * the examples of keras-reference.md §8.2 and keras/src/utils/progbar.py, and the redraw
 * sequence with a fake clock.
 */
import { describe, expect, it } from 'vitest';
import {
  ProgressBar,
  formatEpochLine,
  formatEta,
  formatLogValue,
  formatProgressLine,
  formatStepTime,
  orderLogs,
  pyExponent,
  pyFixed,
} from '../../src/cli/progress.js';

const BAR = '━'.repeat(20);

describe("Python's float formatting", () => {
  it.each<[number, string]>([
    [1e-4, '1.0000e-04'],
    [0, '0.0000e+00'],
    [-0, '-0.0000e+00'],
    [Number.NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [5e-4, '5.0000e-04'],
    [-5e-4, '-5.0000e-04'],
    [1.03125, '1.0312e+00'], // an exact tie: CPython rounds half to even, toExponential would give 1.0313
    [9.99995, '1.0000e+01'],
    [123456.789, '1.2346e+05'],
    [1e-300, '1.0000e-300'],
    [5e-324, '4.9407e-324'],
    [0.001, '1.0000e-03'],
  ])('%s:.4e → %s', (x, text) => {
    expect(pyExponent(x, 4)).toBe(text);
  });

  it.each<[number, string, string]>([
    [0.03125, '0.0312', '0'], // tie → even
    [2.675, '2.6750', '3'],
    [1e21, '1000000000000000000000.0000', '1000000000000000000000'],
    [1e22, '10000000000000000000000.0000', '10000000000000000000000'],
    [0.5, '0.5000', '0'],
    [1.5, '1.5000', '2'],
    [2.5, '2.5000', '2'],
    [-0.00001, '-0.0000', '-0'],
    [0.98845, '0.9885', '1'],
    [12345.678, '12345.6780', '12346'],
    [0.0359, '0.0359', '0'],
    [0.00100001, '0.0010', '0'],
  ])('%s → :.4f %s, :.0f %s', (x, four, zero) => {
    expect([pyFixed(x, 4), pyFixed(x, 0)]).toEqual([four, zero]);
  });

  it.each([Number.NaN, Infinity, -Infinity])('%s:.4f prints as Python does', (x) => {
    expect(pyFixed(x, 4)).toBe(pyExponent(x, 4));
  });
});

describe('pieces of the line', () => {
  it.each<[number, string]>([
    [0.9884, '0.9884'],
    [0.0359, '0.0359'],
    [1e-4, '1.0000e-04'],
    [0.001, '1.0000e-03'], // |v| > 1e-3 is strict
    [0.0010001, '0.0010'],
    [0, '0.0000e+00'],
    [Number.NaN, 'nan'],
    [Infinity, 'inf'],
    [-0.5, '-0.5000'],
    [-2e-4, '-2.0000e-04'],
    [1234.56789, '1234.5679'],
  ])('metric %s → %s', (v, text) => {
    expect(formatLogValue(v)).toBe(text);
  });

  it.each<[number, string]>([
    [0, '0s'],
    [1.4000000000000001, '1s'],
    [59.9, '59s'],
    [60, '60s'],
    [60.5, '1:00'],
    [61.5, '1:01'],
    [3599.9, '59:59'],
    [3600, '60:00'],
    [3600.5, '1:00:00'],
    [3725, '1:02:05'],
    [90061, '25:01:01'],
  ])('ETA %s s → %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });

  it.each<[number, string]>([
    [0, '0s/step'],
    [1.5, '2s/step'],
    [2.5, '2s/step'],
    [0.9995, '1000ms/step'],
    [0.0034, '3ms/step'],
    [0.0025, '2ms/step'], // 2.5 ms: Python rounds half to even
    [0.0015, '2ms/step'],
    [0.2, '200ms/step'],
    [5e-4, '500us/step'],
    [2.5e-6, '2us/step'],
    [5e-7, '0us/step'],
  ])('%s s per step → %s', (seconds, text) => {
    expect(formatStepTime(seconds)).toBe(text);
  });

  it('orders logs as Keras does: sorted, then val_* sorted, then learning_rate from callbacks', () => {
    const logs = { val_loss: 1, learning_rate: 2, loss: 3, val_accuracy: 4, accuracy: 5, auc: 6 };
    expect(orderLogs(logs).map(([k]) => k)).toEqual([
      'accuracy',
      'auc',
      'loss',
      'val_accuracy',
      'val_loss',
      'learning_rate',
    ]);
  });
});

describe('formatProgressLine', () => {
  it.each<[string, Parameters<typeof formatProgressLine>[0], string]>([
    [
      'the reference example: end of an epoch with validation',
      {
        current: 469,
        target: 469,
        final: true,
        elapsed: 2.4,
        timePerStep: 0.0034,
        logs: { val_loss: 0.0675, loss: 0.0359, val_accuracy: 0.981, accuracy: 0.9884 },
      },
      `469/469 ${BAR} 2s 3ms/step - accuracy: 0.9884 - loss: 0.0359 - val_accuracy: 0.9810 - val_loss: 0.0675`,
    ],
    [
      'predict, no logs',
      { current: 1, target: 1, final: true, elapsed: 0.05, timePerStep: 0.05 },
      `1/1 ${BAR} 0s 50ms/step`,
    ],
    [
      'mid-epoch: the count right-aligned to the target, the ETA',
      {
        current: 7,
        target: 469,
        final: false,
        elapsed: 0.5,
        timePerStep: 0.054,
        logs: { loss: 2.302585 },
      },
      `  7/469 ${BAR} 24s 54ms/step - loss: 2.3026`,
    ],
    [
      'a long ETA',
      { current: 1, target: 400, final: false, elapsed: 10, timePerStep: 10 },
      `  1/400 ${BAR} 1:06:30 10s/step`,
    ],
    [
      'a learning rate written by ReduceLROnPlateau',
      {
        current: 5,
        target: 5,
        final: true,
        elapsed: 0.1,
        timePerStep: 0.02,
        logs: { learning_rate: 5e-4, val_loss: 0.25, loss: 0.5 },
      },
      `5/5 ${BAR} 0s 20ms/step - loss: 0.5000 - val_loss: 0.2500 - learning_rate: 5.0000e-04`,
    ],
    [
      'a NaN loss',
      {
        current: 2,
        target: 2,
        final: true,
        elapsed: 1,
        timePerStep: 0.5,
        logs: { loss: Number.NaN },
      },
      `2/2 ${BAR} 1s 500ms/step - loss: nan`,
    ],
  ])('%s', (_, state, line) => {
    expect(formatProgressLine(state)).toBe(line);
  });

  it.each<[string, number, number, string]>([
    // int(20 · 3/10) = 6 green, 14 white; the count and the time are bold.
    [
      'part done',
      3,
      10,
      '\x1b[1m 3/10\x1b[0m \x1b[32m━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━\x1b[0m \x1b[1m1s\x1b[0m 200ms/step - loss: 0.6931',
    ],
    // int(20 · 0/10) = 0: no green segment at all.
    [
      'nothing done',
      0,
      10,
      '\x1b[1m 0/10\x1b[0m \x1b[37m━━━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[1m2s\x1b[0m 200ms/step - loss: 0.6931',
    ],
    // all done: Keras still writes an empty white segment.
    [
      'all done',
      10,
      10,
      '\x1b[1m10/10\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m0s\x1b[0m 200ms/step - loss: 0.6931',
    ],
  ])('colors on a terminal: %s', (_, current, target, line) => {
    expect(
      formatProgressLine({
        current,
        target,
        final: false,
        elapsed: 0.6,
        timePerStep: 0.2,
        logs: { loss: 0.6931 },
        color: true,
      }),
    ).toBe(line);
  });

  it('the once-per-epoch line (verbose=2), where Keras prints negative values in e-notation', () => {
    expect(
      formatEpochLine({
        current: 5,
        target: 5,
        elapsed: 0.3,
        timePerStep: 0.003,
        logs: { loss: 0.6931, accuracy: 0.5 },
      }),
    ).toBe('5/5 - 0s - 3ms/step - accuracy: 0.5000 - loss: 0.6931');
    expect(
      formatEpochLine({
        current: 5,
        target: 5,
        elapsed: 61,
        timePerStep: 12.2,
        logs: { loss: -0.5 },
      }),
    ).toBe('5/5 - 61s - 12s/step - loss: -5.0000e-01');
  });
});

/** A stream that records what is written, and a clock the test moves by hand. */
function harness(isTTY: boolean) {
  const written: string[] = [];
  let now = 0;
  return {
    written,
    stream: { isTTY, write: (s: string) => written.push(s) },
    now: () => now,
    at(ms: number) {
      now = ms;
    },
  };
}

/** Two epochs of three steps, with a throttled update and a line that gets shorter. */
function runTwoEpochs(h: ReturnType<typeof harness>, color?: boolean): void {
  const bar = new ProgressBar(h.stream, {
    steps: 3,
    epochs: 2,
    now: h.now,
    ...(color === undefined ? {} : { color }),
  });
  bar.startEpoch(0);
  h.at(100);
  bar.update(1, { loss: 0.9, accuracy: 0.5 });
  h.at(120);
  bar.update(2, { loss: 0.8, accuracy: 0.5 }); // 20 ms after the last redraw: skipped
  h.at(300);
  bar.update(3, { loss: 0.7, accuracy: 0.6666 });
  h.at(310);
  bar.endEpoch({ accuracy: 0.6666, loss: 0.7, val_accuracy: 1, val_loss: 0.5 }); // final: never skipped
  h.at(1000);
  bar.startEpoch(1);
  h.at(13000);
  bar.update(1, { loss: 0.6 });
  h.at(14000);
  bar.update(2, { loss: 0.5 });
  h.at(15000);
  bar.endEpoch({ loss: 0.45 });
}

describe('ProgressBar', () => {
  it('on a terminal: redraws in place, throttled to 50 ms, pads over a longer line, ends each epoch with a newline', () => {
    const h = harness(true);
    runTwoEpochs(h, false);
    expect(h.written).toEqual([
      'Epoch 1/2\n',
      // step 1 took 100 ms; the ETA is 2 × 0.1 s.
      `\r1/3 ${BAR} 0s 100ms/step - accuracy: 0.5000 - loss: 0.9000`,
      // steps 2–3 took 200 ms after the first: 100 ms per step.
      `\r3/3 ${BAR} 0s 100ms/step - accuracy: 0.6666 - loss: 0.7000`,
      `\r3/3 ${BAR} 0s 105ms/step - accuracy: 0.6666 - loss: 0.7000 - val_accuracy: 1.0000 - val_loss: 0.5000\n`,
      'Epoch 2/2\n',
      `\r1/3 ${BAR} 24s 12s/step - loss: 0.6000`,
      // '24s' → '1s' and '12s/step' → '1s/step': two characters shorter, so two spaces of padding.
      `\r2/3 ${BAR} 1s 1s/step - loss: 0.5000  `,
      `\r3/3 ${BAR} 14s 1s/step - loss: 0.4500\n`,
    ]);
  });

  it('on a terminal, colors by default', () => {
    const h = harness(true);
    runTwoEpochs(h);
    expect(h.written[1]).toBe(
      '\r\x1b[1m1/3\x1b[0m \x1b[32m━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━\x1b[0m \x1b[1m0s\x1b[0m 100ms/step - accuracy: 0.5000 - loss: 0.9000',
    );
  });

  it('elsewhere: one plain line per epoch, with the time per step averaged over the epoch (verbose=2)', () => {
    const h = harness(false);
    runTwoEpochs(h);
    expect(h.written.join('')).toBe(
      [
        'Epoch 1/2',
        '3/3 - 0s - 103ms/step - accuracy: 0.6666 - loss: 0.7000 - val_accuracy: 1.0000 - val_loss: 0.5000',
        'Epoch 2/2',
        '3/3 - 14s - 5s/step - loss: 0.4500',
        '',
      ].join('\n'),
    );
  });

  it('prints no epoch header for a single epoch (evaluate, predict, fit with epochs=1)', () => {
    const h = harness(true);
    const bar = new ProgressBar(h.stream, { steps: 2, now: h.now, color: false });
    bar.startEpoch(0);
    h.at(40);
    bar.update(1);
    h.at(80);
    bar.update(2);
    bar.endEpoch();
    expect(h.written).toEqual([`\r1/2 ${BAR} 0s 40ms/step`, `\r2/2 ${BAR} 0s 40ms/step\n`]);
  });

  it('rejects a non-positive step count', () => {
    expect(() => new ProgressBar({ write: () => undefined }, { steps: 0 })).toThrow(RangeError);
  });
});
