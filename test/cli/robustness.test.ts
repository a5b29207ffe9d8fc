/**
 * The `nn` command on a learner's ordinary mistakes (issue 7): a CSV of the wrong width, a
 * broken sibling model, unwritable outputs, a diverging training, CSV output that needs quoting.
 * Each is one clear line and exit 1, never an internal error, and never lost work.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, ModelError } from '../../src/index.js';

const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'nn-robust-'));
copyFileSync(join(root, 'samples/xor.csv'), join(tmp, 'xor.csv'));

function nn(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args],
    { cwd: root, encoding: 'utf8' },
  );
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const siblings = `model good {
  Input(2) -> Dense(1, sigmoid)
  compile(adam, binary_crossentropy)
  fit(data='xor.csv', target='y', epochs=2)
}
model bad {
  Input(2) -> Dense(1, sofmax)
}
`;

describe('the data and the model disagree', () => {
  it('says a CSV has the wrong number of features, naming its columns and the input size', () => {
    const nnFile = file('wide.nn', siblings.replace('Input(2)', 'Input(3)'));
    const r = nn('train', nnFile, '--model', 'good');
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain('takes 3 features per sample (Input(3))');
    expect(r.err).toMatch(/has 2 feature columns: 'a', 'b'/);
    expect(r.err).not.toContain('samples but');
  }, 30_000);
});

describe('one broken model does not block its siblings', () => {
  const nnFile = file('siblings.nn', siblings);

  it('trains the good model', () => {
    const r = nn('train', nnFile, '--model', 'good', '--out', join(tmp, 'good.nnw'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Weights saved to');
  }, 30_000);

  it("reports the broken model's own error", () => {
    const r = nn('train', nnFile, '--model', 'bad');
    expect(r.code).toBe(1);
    expect(r.err).toContain("Did you mean 'softmax'?");
    expect(r.err).toContain("(model 'bad'): 1 error; nothing was run.");
  }, 30_000);

  it('says there is no such model and lists the names', () => {
    const r = nn('predict', nnFile, '--model', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toContain("No model named 'nope' in this file; it has 'good', 'bad'.");
  }, 30_000);

  it('loadModel behaves the same way', () => {
    expect(loadModel(siblings, { model: 'good' }).name).toBe('good');
    expect(() => loadModel(siblings, { model: 'bad' })).toThrow(/sofmax|softmax/);
    expect(() => loadModel(siblings, { model: 'nope' })).toThrow(
      /no model named 'nope' in this source; it has 'good', 'bad'/,
    );
    expect(() => loadModel(siblings, { model: 'bad' })).toThrow(ModelError);
  });
});
