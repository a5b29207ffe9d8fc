/**
 * `nn emit --target keras|pytorch` as a user runs it: after `nn train`, the PyTorch module
 * answers the CSV's rows as `nn predict` does (the training's scaling and classes travel with
 * it) and keeps training from the CSV; the settings the first PyTorch target refused are
 * written.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nn, root } from '../cli/spawn.js';
import { python } from '../python.js';

const py = python(['torch', 'numpy'], 'test/emit/python-cli.test.ts');
const run = py ? it : it.skip;

/** Predicts the CSV at argv[2] with the module at argv[1], as nn predict's probabilities. */
const predictCsv = `
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("m", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
x, _ = m.read_csv(sys.argv[2], m.TARGET, m.FEATURES, m.CLASSES)
x = (x - np.array(m.SCALER[0], dtype=np.float32)) * np.array(m.SCALER[1], dtype=np.float32)
for row in m.build().predict(x):
    print(",".join(repr(float(v)) for v in row))
`;

describe('nn emit --target pytorch after nn train', () => {
  run(
    'predicts the CSV as nn predict does, and trains on from it',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'nn-emit-py-'));
      for (const f of ['iris.nn', 'iris.csv']) copyFileSync(join(root, 'samples', f), join(dir, f));
      const file = join(dir, 'iris.nn');
      expect(nn('train', file, '--seed', '3', '--epochs', '5', '--quiet').code).toBe(0);
      const module = join(dir, 'iris_torch.py');
      const emitted = nn('emit', file, '--target', 'pytorch', '-o', module);
      expect(emitted.err).toBe('');
      expect(emitted.code).toBe(0);
      const predicted = nn('predict', file);
      expect(predicted.code).toBe(0);
      const ours = predicted.out
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(1).map(Number));
      const theirs = py!
        .run(predictCsv, [module, join(dir, 'iris.csv')])
        .trim()
        .split('\n')
        .map((l) => l.split(',').map(Number));
      expect(theirs.length).toBe(ours.length);
      theirs.forEach((row, r) => row.forEach((v, j) => expect(v).toBeCloseTo(ours[r]![j]!, 5)));

      const out = join(dir, 'more.npz');
      const trained = py!.run(
        `import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")`,
        [module, join(dir, 'iris.csv'), '--epochs', '2', '--out', out],
      );
      // iris.nn holds out 20% (fit(validation_split=0.2)), as Keras does.
      expect(trained).toMatch(/^epoch 1\/2 - loss: \d+\.\d+ - val_loss: \d+\.\d+\nepoch 2\/2 /);
      expect(existsSync(out)).toBe(true);
    },
    120_000,
  );
});

describe('nn emit --target keras', () => {
  run('writes a module Python parses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-emit-keras-'));
    copyFileSync(join(root, 'samples', 'xor.nn'), join(dir, 'xor.nn'));
    const module = join(dir, 'xor_keras.py');
    const r = nn(
      'emit',
      join(dir, 'xor.nn'),
      '--model',
      'xor_step',
      '--target',
      'keras',
      '-o',
      module,
    );
    expect(r.code).toBe(0);
    expect(
      py!.run('import ast, sys; ast.parse(open(sys.argv[1]).read()); print("ok")', [module]),
    ).toBe('ok\n');
  });
});

describe('what a Python target cannot write', () => {
  // Every layer, activation, loss, schedule and optimizer setting the engine runs is written
  // now, so NN6031 is checked on torchModule itself (python-torch.test.ts); these are the
  // settings the first PyTorch target refused here.
  it('writes what the first PyTorch target refused: sparsemax, reduction=None, use_ema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-emit-py-'));
    const file = join(dir, 'm.nn');
    writeFileSync(
      file,
      [
        "Input(shape=(2,)) -> Dense(2, activation='sparsemax', weights=[[[1, 0], [0, 1]], [0, 0]])",
        'compile(Nadam(use_ema=True), MeanSquaredError(reduction=None))',
        '',
      ].join('\n'),
    );
    const module = join(dir, 'm.py');
    const r = nn('emit', file, '--target', 'pytorch', '-o', module);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const code = readFileSync(module, 'utf8');
    expect(code).toContain('activation("sparsemax")');
    expect(code).toContain('loss_function("mean_squared_error", reduction="none")');
    expect(code).toContain('use_ema=True');
  });

  it('names an unknown target among the four', () => {
    const r = nn('emit', join(root, 'samples', 'xor.nn'), '--target', 'jax');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("--target must be 'ts', 'js', 'keras' or 'pytorch', not 'jax'.");
  });
});
