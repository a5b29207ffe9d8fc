/**
 * `nn train --health`: the report after each epoch as a table and warnings, checked against a
 * fixture (a deep sigmoid stack on XOR behind a ReLU layer whose biases keep it off: dead
 * ReLUs, and a gradient that shrinks layer by layer), in-process and through the command.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../src/cli/train.js';
import { expectGolden } from '../golden.js';
import { nn } from './spawn.js';

const tmp = mkdtempSync(join(tmpdir(), 'nn-health-'));
const fixture = 'test/fixtures/health/deep.nn';

describe('nn train --health', () => {
  it('prints the table and the warnings after each epoch', () => {
    const out = join(tmp, 'deep.nnw');
    let text = '';
    const code = runTrain(
      fixture,
      { seed: 1, backend: 'js', health: true, out },
      { write: (s: string) => (text += s) },
      (s) => (text += s),
    );
    expect(code, text).toBe(0);
    expectGolden('test/fixtures/health/deep.expected', text.replace(out, '<out>'));
  });

  it('is a flag of the command, and prints nothing of it without', () => {
    const out = join(tmp, 'spawned.nnw');
    const r = nn('train', fixture, '--seed', '1', '--backend', 'js', '--health', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Training health, epoch 2:$/m);
    expect(r.out).toMatch(/^ {2}warning dead_relu \(dense\): 100% of its ReLU units/m);
    const plain = nn('train', fixture, '--seed', '1', '--backend', 'js', '--out', out);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).not.toContain('Training health');
  }, 60_000);
});
