/**
 * The `nn` command end to end (a child process, as a user runs it): train → evaluate → predict →
 * plan on a sample, and bad input — a broken CSV, a truncated weights file, a wrong flag — as one
 * located line and exit code 1 or 2, never a stack trace.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nn } from './spawn.js';

const tmp = mkdtempSync(join(tmpdir(), 'nn-cli-'));

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('nn train, evaluate, predict, plan', () => {
  const weights = join(tmp, 'weather.nnw');

  it('trains the weather sample and saves its weights', () => {
    const r = nn(
      'train',
      'samples/weather.nn',
      '--seed',
      '3',
      '--out',
      weights,
      '--plot',
      join(tmp, 'curves.svg'),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^7\/7|1\/1 - \d+s/m);
    expect(r.out).toContain(`Weights saved to ${weights}`);
    expect(readFileSync(join(tmp, 'curves.svg'), 'utf8')).toMatch(/^<svg/);
  }, 60_000);

  it('evaluates and predicts with them', () => {
    const e = nn('evaluate', 'samples/weather.nn', '--weights', weights);
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(/^7 samples - loss: [\d.]+ - accuracy: 1\.0000$/m);
    const p = nn('predict', 'samples/weather.nn', '--weights', weights);
    expect(p.code, p.err).toBe(0);
    const rows = p.out.trim().split('\n');
    expect(rows[0]).toBe('prediction');
    expect(rows.slice(1).map((v) => (Number(v) > 0.5 ? 1 : 0))).toEqual([1, 1, 0, 0, 1, 0, 0]);
  }, 60_000);

  it('prints the plan with its peak memory', () => {
    const r = nn('plan', 'samples/iris.nn', '--training', '--batch', '16');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /^training plan of model 'iris', batch size 16\nmemory: .* = peak [\d.]+ KB/,
    );
    expect(r.out).toContain('softmax_cross_entropy');
  }, 60_000);
});

describe('bad input: one located line, exit 1', () => {
  it('a CSV with a bad cell names the file, line and column', () => {
    const csv = join(tmp, 'bad.csv');
    writeFileSync(csv, 'cloud,wind,rain\n0.8,0.6,1\n0.6,oops,1\n');
    const r = nn('train', 'samples/weather.nn', '--data', csv);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.csv.*line 3.*wind.*oops/s);
    noStack(r.err);
  }, 60_000);

  it('a truncated weights file says so', () => {
    const good = join(tmp, 'w.nnw');
    expect(
      nn('train', 'samples/weather.nn', '--seed', '1', '--epochs', '1', '--out', good).code,
    ).toBe(0);
    const cut = join(tmp, 'cut.nnw');
    const bytes = readFileSync(good);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 3));
    const r = nn('evaluate', 'samples/weather.nn', '--weights', cut);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cut\.nnw: not a valid nnlang weights file: .*truncated/);
    noStack(r.err);
  }, 60_000);

  it('a .nn file with errors prints its diagnostics and runs nothing', () => {
    const file = join(tmp, 'broken.nn');
    writeFileSync(file, 'Input(2) -> Dense(1, sigmoid\ncompile(adam, binary_crossentropy)\n');
    const r = nn('train', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.nn:\d+:\d+ - error NN1003/);
    noStack(r.err);
  }, 60_000);

  it('a wrong flag value is a usage error, exit 2', () => {
    const r = nn('train', 'samples/weather.nn', '--epochs', 'many');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--epochs must be an integer');
    const b = nn('train', 'samples/weather.nn', '--backend', 'gpu');
    expect(b.code).toBe(2);
    expect(b.err).toContain("--backend must be 'js', 'wasm' or 'auto', not 'gpu'.");
  }, 60_000);

  it('trains on the backend --backend names', () => {
    const out = join(tmp, 'weather-wasm.nnw');
    const r = nn('train', 'samples/weather.nn', '--seed', '3', '--backend', 'wasm', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Weights saved to ${out}`);
  }, 60_000);

  it('an optimizer the engine cannot run stops nn train before the first epoch, as check reports it', () => {
    const file = join(tmp, 'ftrl.nn');
    writeFileSync(join(tmp, 'ftrl.csv'), 'a,b,y\n0,1,1\n1,0,0\n');
    writeFileSync(
      file,
      "Input(2) -> Dense(1, sigmoid)\ncompile(Ftrl(), binary_crossentropy)\nfit(data='ftrl.csv', target='y', epochs=30)\n",
    );
    const c = nn('check', file);
    expect(c.out + c.err).toMatch(/ftrl\.nn:2:9 - warning NN2015: 'Ftrl'/);
    const r = nn('train', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ftrl\.nn:2:9 - warning NN2015: 'Ftrl'/);
    expect(r.err).toContain('nothing was run');
    expect(r.out).not.toContain('Epoch');
    noStack(r.err);
  }, 60_000);

  it('a model too big to allocate is refused with the figure and the limit, not a RangeError', () => {
    const file = join(tmp, 'huge.nn');
    writeFileSync(file, 'Input(4) -> Dense(1000000000)\ncompile(adam, mse)\n');
    // nn check warns (it is valid Keras); the engine's commands refuse it before anything runs.
    for (const [command, code] of [
      ['check', 0],
      ['train', 1],
    ] as const) {
      const r = nn(command, file);
      expect(r.code, command).toBe(code);
      expect(r.out + r.err, command).toMatch(
        /huge\.nn:1:13 - warning NN3020: Model 'sequential' needs at least [\d,]+ floats \([\d.]+ GB\) to train, more than the engine's limit of 4,294,967,296 floats \(16\.00 GB\)/,
      );
      expect(r.err, command).not.toContain('Invalid typed array length');
      noStack(r.err);
    }
    expect(nn('train', file).err).toContain('nothing was run');
    // Its summary still prints, with the exact count: 4×10⁹ weights + 10⁹ biases.
    expect(nn('summary', file).out).toContain('5,000,000,000');
  }, 60_000);

  it('nn plan at an absurd batch size prints the plan and says the engine could not allocate it', () => {
    const file = join(tmp, 'big-batch.nn');
    writeFileSync(file, 'Input(4) -> Dense(8, relu) -> Dense(3, softmax)\n');
    const r = nn('plan', file, '--batch', '99999999999');
    expect(r.code).toBe(0);
    expect(r.out).toContain('batch size 99999999999');
    expect(r.err).toMatch(/more than the engine's limit of 4,294,967,296: it cannot run/);
    expect(nn('plan', file, '--batch', '32').err).toBe('');
  }, 60_000);
});

describe('multi-axis inputs read from CSV', () => {
  it('Input(shape=(2, 2, 3)) takes its 12 feature columns in row-major order', () => {
    // Cropping keeps position [1][0]; the Dense picks its channel 2: feature 1·6 + 0·3 + 2 = 8,
    // the column 'f8', in row-major (C) order as Keras reshapes a flat row.
    const dir = mkdtempSync(join(tmpdir(), 'nn-image-'));
    const names = Array.from({ length: 12 }, (_, i) => `f${i}`);
    const rows = [0, 1, 2].map((r) => names.map((_, i) => 100 * r + i));
    writeFileSync(
      join(dir, 'image.csv'),
      [[...names, 'y'], ...rows.map((row) => [...row, row[8]!])].map((r) => r.join(',')).join('\n'),
    );
    const file = join(dir, 'image.nn');
    writeFileSync(
      file,
      "Input(shape=(2, 2, 3)) -> Cropping2D(((1, 0), (0, 1))) -> Flatten()\n  -> Dense(1, weights=[[[0], [0], [1]], [0]])\ncompile(sgd, mse)\nfit(data='image.csv', target='y', epochs=1)\n",
    );
    const p = nn('predict', file);
    expect(p.code, p.err).toBe(0);
    expect(p.out.trim().split('\n')).toEqual(['prediction', '8', '108', '208']);
    const e = nn('evaluate', file);
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(/^3 samples - loss: 0\.0000$/m);
    const t = nn('train', file, '--out', join(dir, 'image.nnw'));
    expect(t.code, t.err).toBe(0);
  }, 60_000);
});

describe('fit(validation_data=…)', () => {
  it('validates on another CSV read as the training one was (classes, columns, scaler)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-validation-'));
    const [header, ...rows] = readFileSync('samples/iris.csv', 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'train.csv'), [header, ...rows.slice(0, 120)].join('\n'));
    // The columns in another order: they are matched by name.
    const names = header!.split(',');
    const order = [4, 2, 0, 3, 1];
    const shuffled = (line: string) => order.map((i) => line.split(',')[i]).join(',');
    writeFileSync(join(dir, 'val.csv'), [header!, ...rows.slice(120)].map(shuffled).join('\n'));
    expect(names[order[0]!]).toBe('species');
    const file = join(dir, 'iris.nn');
    writeFileSync(
      file,
      `Input(4) -> Dense(8, relu, kernel_initializer='he_normal') -> Dense(3, softmax)
compile(adam, categorical_crossentropy, metrics=['accuracy'])
fit(data='train.csv', target='species', scaling='standard', epochs=3, verbose=2, validation_data='val.csv', validation_split=0.5)\n`,
    );
    const t = nn('train', file, '--seed', '1');
    expect(t.code, t.err).toBe(0);
    // validation_data takes the place of validation_split: every row of train.csv trains.
    expect(t.out).toContain('on 120 samples');
    const last = t.out.trim().split('\n').at(-2)!;
    const val = /val_loss: ([\d.]+)/.exec(last);
    expect(val, t.out).not.toBeNull();
    // The last epoch's val_loss is the trained weights' loss on val.csv.
    const e = nn('evaluate', file, '--data', join(dir, 'val.csv'));
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(new RegExp(`^30 samples - loss: ${val![1]!.replace('.', '\\.')}`, 'm'));
  }, 60_000);
});
