/**
 * Valid Keras the engine cannot run yet is a warning for `nn check`, but stops every command
 * that runs the engine (`nn plan` through loadChecked, and the library's loadModel) before
 * anything runs, located, with its code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, loadModel, ModelError } from 'nnlang';
import { CliError } from '../../src/cli/engine.js';
import { runPlan } from '../../src/cli/plan.js';

const source = 'Input((3, 4)) -> LayerNormalization(rms_scaling=True)\ncompile(adam, mse)\n';

describe('engine limits stop the engine', () => {
  it('are warnings for nn check', () => {
    const codes = check(source).diagnostics.map((d) => `${d.severity} ${d.code}`);
    expect(codes).toContain('warning NN2015');
    expect(codes.some((c) => c.startsWith('error'))).toBe(false);
  });

  it('stop loadModel with a located ModelError', () => {
    expect(() => loadModel(source, { file: 'm.nn' })).toThrow(ModelError);
    expect(() => loadModel(source, { file: 'm.nn' })).toThrow(/^m\.nn:1:37 NN2015 /);
  });

  it('stop nn plan with a code frame, before anything runs', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nn-blockers-')), 'm.nn');
    writeFileSync(file, source);
    const err: string[] = [];
    expect(() =>
      runPlan(
        file,
        { training: true },
        () => undefined,
        (s) => err.push(s),
      ),
    ).toThrow(CliError);
    expect(err.join('\n')).toMatch(
      /m\.nn:1:37 - warning NN2015: 'LayerNormalization\(rms_scaling=True\)'/,
    );
    expect(err.join('\n')).toContain('rms_scaling=True');
  });
});
