/**
 * What cannot cross is named, never dropped: each layer, argument or setting by its path in the
 * file, all of them at once; corrupt inputs (not JSON, a shard cut short, a manifest that does
 * not match its shards, NaN weights, hostile names and paths) are errors naming the file. The
 * CLI exits 1 and writes nothing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  importKeras,
  InteropError,
  readTfjsFolder,
  toTfjs,
  writeTfjsFolder,
  type InteropProblem,
} from 'nnlang';
import { nn } from '../cli/spawn.js';
import { built, importAndPredict, tempDir, writeTinyModel } from './helpers.js';

/** An export of `source` on disk, for the tests to damage. */
function exported(source: string): string {
  const b = built(source);
  const dir = join(tempDir(), 'tfjs');
  writeTfjsFolder(dir, toTfjs(b.checked, b.weights));
  return join(dir, 'model.json');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Edit = (json: any) => void;

function edited(file: string, edit: Edit): string {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** The problems importing `file` reports (the test fails when it imports). */
function importProblems(file: string): InteropProblem[] {
  try {
    importKeras(readTfjsFolder(file));
  } catch (e) {
    if (!(e instanceof InteropError)) throw e;
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    return e.problems.filter((p) => p.severity === 'error');
  }
  throw new Error(`${file} imported`);
}

function exportProblems(source: string): InteropProblem[] {
  const b = built(source);
  try {
    toTfjs(b.checked, b.weights);
  } catch (e) {
    if (!(e instanceof InteropError)) throw e;
    return e.problems.filter((p) => p.severity === 'error');
  }
  throw new Error('exported');
}

const mlp = `model m {
  Input(shape=(4,)) -> Dense(3, activation='relu') -> Dense(2, activation='softmax')
  compile('adam', 'categorical_crossentropy')
}`;

describe('import: what nnlang cannot represent, by JSON path', () => {
  it('a layer, a constraint, an unknown argument and an activation, all at once', () => {
    const file = edited(exported(mlp), (j) => {
      const [first, second] = j.modelTopology.config.layers;
      first.config.kernel_constraint = { class_name: 'RadialConstraint', config: {} };
      first.config.shiny = true;
      second.config.activation = 'hard_sigmoid';
      j.modelTopology.config.layers.push({ class_name: 'Masking', config: { mask_value: 0 } });
    });
    expect(importProblems(file).map((p) => p.path)).toEqual([
      'modelTopology.config.layers[0].config.kernel_constraint.class_name',
      'modelTopology.config.layers[0].config.shiny',
      'modelTopology.config.layers[1].config.activation',
      'modelTopology.config.layers[2].class_name',
    ]);
  });

  it("TF.js's hard_sigmoid (0.2x + 0.5) is not Keras 3's", () => {
    const file = edited(exported(mlp), (j) => {
      j.modelTopology.config.layers[0].config.activation = 'hard_sigmoid';
    });
    expect(importProblems(file)[0]!.message).toContain('x/6 + 0.5');
  });

  it('a shared layer (called twice) in a functional model', () => {
    const file = edited(
      exported(`model g {
        x = Input(shape=(2,), name='x')
        h = x -> Dense(2)
        (h, x) -> Add()
      }`),
      (j) => {
        j.modelTopology.config.layers[1].inbound_nodes.push([['x', 0, 0, {}]]);
      },
    );
    const [p] = importProblems(file);
    expect(p!.path).toBe('modelTopology.config.layers[1].inbound_nodes');
    expect(p!.message).toContain('shared layer');
  });

  it('a dtype other than float32', () => {
    const file = edited(exported(mlp), (j) => {
      j.modelTopology.config.layers[1].config.dtype = 'float16';
    });
    expect(importProblems(file).map((p) => p.path)).toEqual([
      'modelTopology.config.layers[1].config.dtype',
    ]);
  });

  it('quantized weights', () => {
    const file = edited(exported(mlp), (j) => {
      j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 };
    });
    expect(importProblems(file).map((p) => p.path)).toContain(
      'weightsManifest[0].weights[0].quantization',
    );
  });
});

describe('import: what the checker refuses, at the layer it refuses', () => {
  it('a shape that does not fit is named by the JSON path of its layer', () => {
    const file = join(tempDir(), 'model.json');
    writeFileSync(
      file,
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          name: 's',
          layers: [
            { class_name: 'Dense', config: { name: 'd', units: 3, batch_input_shape: [null, 4] } },
            { class_name: 'Conv1D', config: { name: 'c', filters: 2, kernel_size: 2 } },
          ],
        },
        keras_version: '2.12.0',
      }),
    );
    const [p] = importProblems(file);
    expect(p!.path).toBe('config.layers[1]');
    expect(p!.message).toMatch(/^NN3001 'Conv1D' cannot take an input of shape \(None, 3\)/);
  });
});

describe('import: hostile nesting', () => {
  it('wrappers nested without end are refused at the second level', () => {
    type J = Parameters<typeof importKeras>[0]['json'];
    let inner: J = { class_name: 'Dense', config: { units: 2 } };
    for (let i = 0; i < 20_000; i++)
      inner = { class_name: 'TimeDistributed', config: { layer: inner } };
    const first = { class_name: 'Dense', config: { units: 2, batch_input_shape: [null, 3] } };
    const json: J = { class_name: 'Sequential', config: { layers: [first, inner] } };
    expect(() => importKeras({ file: 'deep.json', json, groups: [] })).toThrow(
      'deep.json: config.layers[1].config.layer.config.layer: a wrapper inside a wrapper',
    );
  });
});

describe('import: corrupt files', () => {
  it('model.json that is not JSON', () => {
    const file = exported(mlp);
    writeFileSync(file, '{"modelTopology": ');
    expect(importProblems(file)[0]!.message).toContain('not JSON');
  });

  it('a weight shard cut short', () => {
    const file = exported(mlp);
    const shard = join(file, '..', 'group1-shard1of1.bin');
    writeFileSync(shard, readFileSync(shard).subarray(0, 50));
    const [p] = importProblems(file);
    expect(p!.message).toContain('cut short');
    expect(p!.path).toBe('weightsManifest[0].weights[1]');
  });

  it('a missing shard', () => {
    const file = edited(exported(mlp), (j) => {
      j.weightsManifest[0].paths = ['group1-shard1of2.bin'];
    });
    expect(importProblems(file)[0]!.message).toContain('cannot read the weight shard');
  });

  it('a manifest that does not match its shards or its layers', () => {
    const file = edited(exported(mlp), (j) => {
      j.weightsManifest[0].weights.pop();
      j.weightsManifest[0].weights[0].shape = [3, 4];
    });
    expect(importProblems(file).map((p) => p.message)).toEqual([
      expect.stringContaining('do not belong together'),
      expect.stringContaining('has shape [3,4], but the layer needs [4,3]'),
      expect.stringContaining("no weight 'dense_1/bias'"),
    ]);
  });

  it('NaN weights', () => {
    const file = exported(mlp);
    const shard = join(file, '..', 'group1-shard1of1.bin');
    const bytes = readFileSync(shard);
    bytes.writeFloatLE(NaN, 8);
    writeFileSync(shard, bytes);
    const [p] = importProblems(file);
    expect(p!.message).toBe("weight 'dense/kernel' holds NaN at index 2.");
  });

  it('hostile names and shard paths', () => {
    const names = edited(exported(mlp), (j) => {
      j.modelTopology.config.layers[0].config.name = "../x'\n";
    });
    expect(importProblems(names).map((p) => p.path)).toEqual([
      'modelTopology.config.layers[0].config.name',
    ]);
    for (const path of ['../model.json', '/etc/passwd', 'a/b.bin', 'C:\\x.bin']) {
      const file = edited(exported(mlp), (j) => {
        j.weightsManifest[0].paths = [path];
      });
      const [p] = importProblems(file);
      expect(p!.path).toBe('weightsManifest[0].paths[0]');
      expect(p!.message).toContain('not a plain file name');
    }
  });
});

describe('export: what TF.js cannot represent', () => {
  it('layers TF.js lacks and values it computes otherwise, each named', () => {
    const problems = exportProblems(`model g {
      a = Input(shape=(4,), name='a')
      b = Input(shape=(4,), name='b')
      (a, b) -> Subtract() -> UnitNormalization() -> ReLU(negative_slope=0.1) -> Dense(2, activation='hard_sigmoid')
    }`);
    expect(problems.map((p) => p.path)).toEqual([
      "layers[0] (Subtract 'subtract')",
      "layers[1] (UnitNormalization 'unit_normalization')",
      "layers[2] (ReLU 're_lu').negative_slope",
      "layers[3] (Dense 'dense').activation",
    ]);
  });

  it("GRU's reset_after=True (Keras 3's default) and a compile() TF.js cannot load", () => {
    const problems = exportProblems(`Input(shape=(3, 2)) -> GRU(2)
      compile(Nadam(), Huber())`);
    expect(problems.map((p) => p.path)).toEqual([
      "layers[0] (GRU 'gru').reset_after",
      'compile.optimizer',
      'compile.loss',
    ]);
  });

  it('optimizer arguments TF.js lacks are warnings: kept for nnlang, ignored by TF.js', () => {
    const b = built(`Input(shape=(3,)) -> Dense(1)
      compile(Adam(learning_rate=0.01, clipnorm=1.0), 'mse')`);
    const { warnings, modelJson } = toTfjs(b.checked, b.weights);
    expect(warnings.map((w) => w.path)).toEqual(['compile.optimizer.clipnorm']);
    expect(modelJson['trainingConfig']).toMatchObject({
      optimizer_config: { class_name: 'Adam', config: { learningRate: 0.01, clipnorm: 1 } },
    });
  });

  it('a learning-rate schedule is a warning: TF.js, which has none, gets its initial rate', () => {
    const b = built(`Input(shape=(3,)) -> Dense(1)
      compile(Adam(learning_rate=ExponentialDecay(0.002, 250, 0.9)), 'mse')`);
    const { warnings, modelJson } = toTfjs(b.checked, b.weights);
    expect(warnings.map((w) => w.path)).toEqual(['compile.optimizer.learning_rate']);
    expect(warnings[0]!.message).toContain('ExponentialDecay is written as its initial rate 0.002');
    expect(modelJson['trainingConfig']).toMatchObject({
      optimizer_config: { class_name: 'Adam', config: { learningRate: 0.002 } },
    });
  });
});

describe('the CLI', () => {
  it('nn export names what cannot cross, exits 1 and writes nothing', () => {
    const dir = tempDir();
    const file = join(dir, 'm.nn');
    writeFileSync(
      file,
      "Input(shape=(2,)) -> Dense(1, activation='hard_sigmoid', weights=[[[1], [2]], [0]])\n",
    );
    const r = nn('export', file, '--format', 'tfjs', '-o', join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: error: layers[0] (Dense 'dense').activation:`);
    expect(readdirSync(dir)).toEqual(['m.nn']);
  });

  it('nn import of a corrupt model.json exits 1 and writes nothing', () => {
    const file = exported(mlp);
    writeFileSync(file, 'not json');
    const out = join(tempDir(), 'm.nn');
    const r = nn('import', file, '-o', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: error: it is not JSON`);
    expect(existsSync(out)).toBe(false);
  });

  it('nn export with an unknown --format is a usage error (exit 2), before anything is read', () => {
    const r = nn('export', join(tempDir(), 'absent.nn'), '--format', 'kera', '-o', 'x.keras');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--format must be one of tfjs, keras, onnx, not 'kera'.");
  });

  it('nn import of a missing model.json or .keras file says so in words, exit 1', () => {
    const dir = tempDir();
    for (const name of ['gone.json', 'gone.keras']) {
      const r = nn('import', join(dir, name));
      expect(r.code).toBe(1);
      expect(r.err).toBe(`${join(dir, name)}: error: cannot read it: no such file\n`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the CLI round trip', () => {
  it('nn export, nn import, nn predict: the same predictions as the original', () => {
    const dir = tempDir();
    const file = writeTinyModel(dir);
    const exported = nn('export', file, '--format', 'tfjs', '-o', join(dir, 'tfjs'));
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const { imported, original, back } = importAndPredict(
      nn,
      dir,
      file,
      join(dir, 'tfjs', 'model.json'),
    );
    expect(imported).toBe(
      `wrote ${join(dir, 'back.nn')} (model 'm') and its weights ${join(dir, 'back.m.nnw')}\n`,
    );
    expect(original.code).toBe(0);
    expect(back.err).toBe('');
    expect(back.out).toBe(original.out);
  }, 120_000);
});

describe('a model trained on scaled features', () => {
  it('exports to TF.js and Keras with a warning that the model takes the scaled rows', () => {
    const dir = tempDir();
    const samples = new URL('../../samples/', import.meta.url).pathname;
    for (const f of ['iris.nn', 'iris.csv'])
      writeFileSync(join(dir, f), readFileSync(join(samples, f)));
    const file = join(dir, 'iris.nn');
    expect(nn('train', file, '--epochs', '1', '--quiet').code).toBe(0);
    for (const [format, out] of [
      ['tfjs', join(dir, 'tfjs')],
      ['keras', join(dir, 'iris.keras')],
    ] as const) {
      const r = nn('export', file, '--format', format, '-o', out);
      expect(r.code).toBe(0);
      expect(r.err).toContain(
        `${file}: warning: model 'iris' was trained on features scaled by fit(scaling='standard')`,
      );
      expect(r.err).toContain(`with the offsets and scales of ${join(dir, 'iris.iris.nnw')}`);
    }
    const onnx = nn('export', file, '--format', 'onnx', '-o', join(dir, 'iris.onnx'));
    expect(onnx.err).toBe('');
  }, 120_000);
});
