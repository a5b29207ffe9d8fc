/**
 * Summaries of fixtures/summary/*.nn against golden text, and the lectures' V5 parameter
 * counts against Keras's numbers (seed-vectors.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, renderSummary, summaryInputOf } from 'nnlang';
import { expectGolden } from '../golden.js';

const dir = new URL('../fixtures/summary/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.nn'))
  .sort();

function summaryOf(name: string, columns?: number): string {
  const result = check(readFileSync(new URL(name, dir), 'utf8'), name);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return renderSummary(summaryInputOf(result.models[0]!), columns ? { columns } : {});
}

describe('summary fixtures (76 columns, as Keras prints when not on a terminal)', () => {
  it.each(fixtures)('%s', (name) => {
    expectGolden(new URL(name.replace(/\.nn$/, '.txt'), dir).pathname, summaryOf(name));
  });
});

describe('V5: parameter counts printed by summary()', () => {
  it.each([
    ['v5-softmax-3.nn', ' Total params: 8 (32.00 B)'],
    ['v5-iris.nn', ' Total params: 139 (556.00 B)'],
    ['v5-mnist.nn', ' Total params: 79,510 (310.59 KB)'],
    ['v5-reuters.nn', ' Total params: 2,599,086 (9.91 MB)'],
  ])('%s → %s', (name, total) => {
    expect(summaryOf(name).split('\n')).toContain(total);
  });

  it("matches Keras's own printout of reference example 1 (88 columns)", () => {
    expect(summaryOf('keras-example-1.nn', 92)).toBe(
      [
        'Model: "sequential"',
        '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓',
        '┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃',
        '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩',
        '│ dense (Dense)                        │ (None, 3)                   │               6 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ dense_1 (Dense)                      │ (None, 2)                   │               8 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ dense_2 (Dense)                      │ (None, 1)                   │               3 │',
        '└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘',
        ' Total params: 17 (68.00 B)',
        ' Trainable params: 17 (68.00 B)',
        ' Non-trainable params: 0 (0.00 B)',
        '',
      ].join('\n'),
    );
  });

  it("matches the reference's printout of example 2, a CNN (88 columns)", () => {
    expect(summaryOf('keras-example-2.nn', 92)).toBe(
      [
        'Model: "sequential"',
        '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓',
        '┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃',
        '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩',
        '│ conv2d (Conv2D)                      │ (None, 26, 26, 32)          │             320 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ max_pooling2d (MaxPooling2D)         │ (None, 13, 13, 32)          │               0 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ conv2d_1 (Conv2D)                    │ (None, 11, 11, 64)          │          18,496 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ batch_normalization                  │ (None, 11, 11, 64)          │             256 │',
        '│ (BatchNormalization)                 │                             │                 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ flatten (Flatten)                    │ (None, 7744)                │               0 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ dropout (Dropout)                    │ (None, 7744)                │               0 │',
        '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
        '│ dense (Dense)                        │ (None, 10)                  │          77,450 │',
        '└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘',
        ' Total params: 96,522 (377.04 KB)',
        ' Trainable params: 96,394 (376.54 KB)',
        ' Non-trainable params: 128 (512.00 B)',
        '',
      ].join('\n'),
    );
  });
});

describe('huge counts print as Keras prints them (exact integers, 1024-based sizes)', () => {
  // Too big for the engine (NN3020), but the summary of the checked model is still exact.
  const summary = (source: string) =>
    renderSummary(summaryInputOf(check(source).models[0]!)).split('\n');

  it('past 2^53: every digit, never an exponent', () => {
    const lines = summary('Input(100000000000000) -> Dense(3000000000000)\n');
    expect(lines).toContain(
      ' Total params: 300,000,000,000,003,000,000,000,000 (1065814103640.16 PB)',
    );
    expect(lines).toContain(' Non-trainable params: 0 (0.00 B)');
    expect(lines.join('\n')).not.toMatch(/e\+|\d\.\d,/);
  });

  it('between 2^32 and 2^53: grouped by thousands', () => {
    const lines = summary('Input(3) -> Dense(10000000) -> Dense(300000000)\n');
    expect(lines).toContain(' Trainable params: 3,000,000,340,000,000 (10.66 PB)');
  });
});
