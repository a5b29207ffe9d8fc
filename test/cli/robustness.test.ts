/**
 * The `nn` command on a learner's ordinary mistakes (issue 7): a CSV of the wrong width, a
 * broken sibling model, unwritable outputs, a diverging training, CSV output that needs quoting.
 * Each is one clear line and exit 1, never an internal error, and never lost work.
 */
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { commandHelp } from '../../src/cli/help.js';
import { CliError } from '../../src/cli/engine.js';
import { runPredict, type ApplyOptions } from '../../src/cli/predict.js';
import { runTrain, type TrainOptions } from '../../src/cli/train.js';
import { DataError } from '../../src/data/index.js';
import { saveWithFallback } from '../../src/cli/save.js';
import { loadModel, ModelError } from '../../src/index.js';
import { temporaryPath, writeFileAtomic } from '../../src/runtime/weights-file.js';
import { nn, root } from './spawn.js';

const tmp = mkdtempSync(join(tmpdir(), 'nn-robust-'));
copyFileSync(join(root, 'samples/xor.csv'), join(tmp, 'xor.csv'));

/**
 * `nn train` / `nn predict` in this process (a child process costs seconds): the output, and
 * the exit code main.ts gives — 1 for a CliError or DataError, which it prints as one line.
 */
function inProcess(
  command: 'train' | 'predict',
  nnFile: string,
  options: TrainOptions & ApplyOptions,
): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const write = (s: string) => (out += s);
  const fail = (s: string) => (err += s);
  try {
    const code =
      command === 'train'
        ? runTrain(nnFile, options, { write }, fail)
        : runPredict(nnFile, options, write, fail);
    return { code, out, err };
  } catch (e) {
    if (e instanceof CliError || e instanceof DataError)
      return { code: 1, out, err: err + e.message };
    throw e;
  }
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
    const r = inProcess('train', nnFile, { model: 'good' });
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain('takes 3 features per sample (Input(3))');
    expect(r.err).toMatch(/has 2 feature columns: 'a', 'b'/);
    expect(r.err).not.toContain('samples but');
  }, 30_000);
});

describe('one broken model does not block its siblings', () => {
  const nnFile = file('siblings.nn', siblings);

  it('trains the good model', () => {
    const r = inProcess('train', nnFile, { model: 'good', out: join(tmp, 'good.nnw') });
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
    const r = inProcess('predict', nnFile, { model: 'nope' });
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

describe('outputs are checked before training, and a finished training is never lost', () => {
  const nnFile = file('outputs.nn', siblings);

  it('refuses an --out in a missing folder before the first epoch', () => {
    const r = inProcess('train', nnFile, { model: 'good', out: join(tmp, 'missing/w.nnw') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot write --out .*does not exist; nothing was trained/);
    expect(r.out).not.toContain('Epoch');
  }, 30_000);

  it('refuses a ModelCheckpoint path in a missing folder', () => {
    const checkpoint = file(
      'checkpoint.nn',
      siblings.replace(
        'epochs=2)',
        `epochs=2, callbacks=[ModelCheckpoint('${join(tmp, 'nowhere', 'c.nnw')}')])`,
      ),
    );
    const r = inProcess('train', checkpoint, { model: 'good', plot: join(tmp, 'p.svg') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot write ModelCheckpoint .*nowhere.*nothing was trained/);
  }, 30_000);

  it('saves to a fallback beside the .nn file when the write fails after training', () => {
    const written: string[] = [];
    const result = saveWithFallback(
      (path) => {
        if (path.includes('gone')) throw new Error('ENOSPC: no space left on device');
        written.push(path);
      },
      join(tmp, 'gone', 'w.nnw'),
      nnFile,
      'good',
    );
    expect(written).toEqual([join(tmp, 'outputs.good.nnw')]);
    expect('failure' in result && result.failure).toMatch(
      /cannot write the weights to .*gone.*no space left.*saved to .*outputs\.good\.nnw instead/,
    );
  });

  it('removes the temporary file a killed save left behind', () => {
    const target = join(tmp, 'stale.nnw');
    const stale = temporaryPath(target, 2 ** 22 + 12345);
    writeFileSync(stale, 'half a file');
    writeFileAtomic(target, 'whole');
    expect(existsSync(stale)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('whole');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('divergence', () => {
  const diverging = `Input(2) -> Dense(4, relu) -> Dense(1)
compile(SGD(learning_rate=1e30), mse)
fit(data='xor.csv', target='y', epochs=5, batch_size=2)
`;

  it('stops nn train with a clear message and exit 1, saving nothing', () => {
    const out = join(tmp, 'diverged.nnw');
    const r = nn('train', file('diverge.nn', diverging), '--seed', '1', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/training diverged: the loss became (NaN|Infinity) at epoch 1/);
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it('fit reports it in History and keeps the last finite weights, which load again', () => {
    const m = loadModel(diverging, { seed: 1 });
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const before = m.getWeights();
    const h = m.fit(x, [[0], [1], [1], [0]], { epochs: 5, batchSize: 2, shuffle: false });
    expect(h.diverged).toBeDefined();
    expect(Number.isFinite(h.diverged!.loss)).toBe(false);
    const after = m.getWeights();
    expect(after.every((w) => w.every(Number.isFinite))).toBe(true);
    expect(after).not.toEqual(before); // the first step was finite and kept
    const path = join(tmp, 'finite.nnw');
    m.saveWeights(path);
    expect(() => loadModel(diverging, { seed: 2 }).loadWeights(path)).not.toThrow();
  });
});

describe('verbosity, help and exit codes', () => {
  it('honours --quiet and fit(verbose=0|2)', () => {
    const quiet = inProcess('train', file('q.nn', siblings), { model: 'good', quiet: true });
    expect(quiet.code, quiet.err).toBe(0);
    expect(quiet.out).toBe('');
    const silent = inProcess(
      'train',
      file('v0.nn', siblings.replace('epochs=2', 'epochs=2, verbose=0')),
      {},
    );
    expect(silent.code, silent.err).toBe(0);
    expect(silent.out).not.toContain('Epoch');
    expect(silent.out).toContain('Weights saved');
    const lines = inProcess(
      'train',
      file('v2.nn', siblings.replace('epochs=2', 'epochs=2, verbose=2')),
      {},
    );
    expect(lines.out).toMatch(/^Epoch 2\/2\n1\/1 - \d+s - .*loss: /m);
  }, 60_000);

  it('says a clean file is clean in one line', () => {
    const r = nn('check', 'samples/line.nn');
    expect(r.code).toBe(0);
    expect(r.out).toBe('samples/line.nn: no errors or warnings.\n');
  }, 30_000);

  it('gives every subcommand its own --help and documents the exit codes', () => {
    for (const command of ['check', 'summary', 'train', 'evaluate', 'predict', 'plan'])
      expect(commandHelp[command]).toMatch(new RegExp(`^Usage: nn ${command} `));
    const train = nn('train', '--help');
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/^Usage: nn train [\s\S]*--quiet[\s\S]*Exit codes:/);
    const top = nn('--help');
    expect(top.out).toMatch(
      /Exit codes:[\s\S]*0 +success[\s\S]*1 +errors[\s\S]*2 +wrong usage[\s\S]*70 +an internal error/,
    );
  }, 30_000);
});

describe('nn predict --out', () => {
  it('writes RFC 4180 CSV: labels with quotes, commas and newlines are quoted', () => {
    const data = file(
      'labels.csv',
      'a,b,kind\n0,0,"say ""hi"""\n0,1,"one, two"\n1,0,"line\nbreak"\n1,1,"say ""hi"""\n',
    );
    const nnFile = file(
      'labels.nn',
      `Input(2) -> Dense(3, softmax)\ncompile(adam, categorical_crossentropy)\nfit(data='${data}', target='kind', epochs=1)\n`,
    );
    const weights = join(tmp, 'labels.nnw');
    const quiet = { write: () => true };
    expect(runTrain(nnFile, { seed: 1, out: weights, quiet: true }, quiet, () => {})).toBe(0);
    const out = join(tmp, 'predictions.csv');
    expect(
      runPredict(
        nnFile,
        { weights, out },
        () => {},
        () => {},
      ),
    ).toBe(0);
    const text = readFileSync(out, 'utf8');
    const records = parse(text) as string[][];
    expect(records[0]![0]).toBe('predicted');
    expect(new Set(records[0]!.slice(1))).toEqual(
      new Set(['p_say "hi"', 'p_one, two', 'p_line\nbreak']),
    );
    expect(records).toHaveLength(5);
    for (const r of records.slice(1)) {
      expect(r).toHaveLength(4);
      expect(['say "hi"', 'one, two', 'line\nbreak']).toContain(r[0]);
    }
  });
});

describe('divergence behind a ReLU', () => {
  it('finds a weight that overflowed while the loss stayed finite, and restores the epoch start', () => {
    // The first step sends the ReLU layer's weights to -inf; the ReLU then outputs 0, so the
    // loss stays finite (1) and only the end-of-epoch scan sees it.
    const m = loadModel(
      `Input(1) -> Dense(1, relu, weights=[[[1]], [0]]) -> Dense(1, use_bias=False, trainable=False, weights=[[[1]]])
compile(SGD(learning_rate=1e38), mse)`,
      { seed: 1 },
    );
    const h = m.fit([[1], [1]], [[-1], [-1]], { epochs: 3, batchSize: 1, shuffle: false });
    expect(h.diverged).toEqual({ epoch: 0, batch: 1, loss: 2.5 });
    expect(h.epoch).toEqual([]);
    expect(m.getWeights().map((w) => Array.from(w))).toEqual([[1], [0], [1]]);
  });
});
