/**
 * `nn export --format tfjs`, checked by TF.js itself: every sample and a model per layer family
 * the engine runs and TF.js has are exported to a folder on disk, loaded back from those files
 * with tf.loadLayersModel, and must predict what we predict (1e-6 of the outputs' scale) on
 * seeded inputs. TF.js applies a weight's constraint when it loads the weight; Keras applies it
 * after every update, so trained weights already satisfy it: the random weights here are drawn
 * inside the constraints used.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, InteropError, shardBytes, toTfjs, writeTfjsFolder } from 'nnlang';
import { layerRules } from '../../src/interop/layer-rules.js';
import {
  built,
  inputsFor,
  loadTfjsFolder,
  maxDiff,
  ourPredict,
  tempDir,
  tfjsPredict,
} from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const samples = new URL('../../samples/', import.meta.url).pathname;

/** One model per family of layers both sides have; `ids` marks a model that reads token ids. */
export const layerModels: { label: string; source: string; ids?: number }[] = [
  {
    label: 'Dense, Activation, regularizers and constraints',
    source: `Input(shape=(5,)) -> Dense(4, activation='tanh', kernel_regularizer=L1L2(l1=0.01, l2=0.02), bias_constraint=MinMaxNorm(0, 5), kernel_constraint=MaxNorm(3)) -> Activation('selu') -> Dense(3, activation='softmax', kernel_initializer=RandomNormal(stddev=0.1))`,
  },
  {
    label: 'activation layers, noise and dropout',
    source: `Input(shape=(5,)) -> Dense(6) -> ReLU(max_value=0.5) -> Dense(6) -> LeakyReLU(0.1) -> Dense(6) -> PReLU() -> Dense(6) -> ELU() -> Dense(6, activation='softplus') -> Softmax() -> GaussianNoise(0.1) -> Dropout(0.2) -> Dense(2, activation='softsign')`,
  },
  {
    label: 'normalization, gelu, mish, silu, relu6',
    source: `Input(shape=(5,)) -> Dense(6, activation='gelu') -> BatchNormalization(momentum=0.9) -> LayerNormalization(epsilon=0.01) -> Dense(4, activation='mish') -> Dense(4, activation='silu') -> Dense(2, activation='relu6')`,
  },
  {
    label: 'Conv2D, padding, cropping, up-sampling, 2D pooling',
    source: `Input(shape=(8, 8, 2)) -> Conv2D(3, 3, padding='same', strides=2, activation='relu') -> ZeroPadding2D(1) -> Cropping2D(((1, 0), (0, 1))) -> UpSampling2D(2) -> MaxPooling2D(2) -> AveragePooling2D(2, padding='same') -> Conv2D(2, (2, 2), dilation_rate=1, activation='sigmoid') -> GlobalAveragePooling2D()`,
  },
  {
    label: 'GlobalMaxPooling2D',
    source: `Input(shape=(4, 4, 2)) -> Conv2D(3, 2) -> GlobalMaxPooling2D()`,
  },
  {
    label: 'Conv1D and 1D pooling',
    source: `Input(shape=(12, 3)) -> Conv1D(4, 3, padding='same', activation='elu') -> MaxPooling1D(2) -> AveragePooling1D(2) -> SpatialDropout1D(0.2) -> Conv1D(2, 2, dilation_rate=2) -> GlobalMaxPooling1D()`,
  },
  {
    label: 'GlobalAveragePooling1D',
    source: `Input(shape=(6, 3)) -> Conv1D(2, 2) -> GlobalAveragePooling1D()`,
  },
  {
    label: 'Reshape, Permute, Flatten, RepeatVector',
    source: `Input(shape=(6,)) -> Reshape((2, 3)) -> Permute((2, 1)) -> Flatten() -> RepeatVector(2) -> Flatten() -> Dense(2)`,
  },
  {
    label: 'SimpleRNN, LSTM, GRU (reset_after=False)',
    source: `Input(shape=(5, 3)) -> SimpleRNN(4, return_sequences=True) -> LSTM(3, return_sequences=True, go_backwards=True) -> GRU(2, reset_after=False)`,
  },
  {
    label: 'TimeDistributed and Bidirectional',
    source: `Input(shape=(5, 3)) -> TimeDistributed(Dense(2)) -> Bidirectional(LSTM(3, return_sequences=True)) -> Bidirectional(GRU(2, reset_after=False), merge_mode='sum')`,
  },
  {
    label: 'Embedding',
    source: `Input(shape=(4,)) -> Embedding(10, 3) -> Flatten() -> Dense(2)`,
    ids: 10,
  },
  {
    label: 'merge layers in a graph with two inputs and two outputs',
    source: `model g {
      a = Input(shape=(4,), name='a')
      b = Input(shape=(4,), name='b')
      h = a -> Dense(4, activation='tanh')
      k = b -> Dense(4)
      s = (h, k) -> Add()
      m = (h, k) -> Multiply()
      v = (s, m) -> Average()
      mx = (s, v) -> Maximum()
      mn = (m, v) -> Minimum()
      (mx, mn) -> Concatenate() -> Dense(2, activation='softmax')
      v -> Dense(1)
    }`,
  },
];

/** Exports a built model to a folder and loads it in TF.js from those files. */
async function roundTripThroughTfjs(source: string, name?: string, ids?: number) {
  const { checked, model, weights } = built(source, name);
  const artifacts = toTfjs(checked, weights);
  const dir = join(tempDir(), 'tfjs');
  writeTfjsFolder(dir, artifacts);
  const loaded = await loadTfjsFolder(dir);
  const shapes = checked.inputs.map((i) => i.shape!);
  const rows = 3;
  const xs = inputsFor(shapes, rows, ids);
  return {
    dir,
    artifacts,
    ours: ourPredict(model, xs),
    theirs: tfjsPredict(loaded, xs, shapes, rows),
  };
}

describe('every sample exported loads in TF.js and predicts the same', () => {
  const files = readdirSync(samples).filter((f) => f.endsWith('.nn'));
  const cases = files.flatMap((f) => {
    const source = readFileSync(join(samples, f), 'utf8');
    return check(source).models.map((m) => ({ label: `${f} ${m.name}`, source, name: m.name }));
  });

  it.each(cases.filter((c) => c.name !== 'xor_step'))('$label', async ({ source, name }) => {
    const { ours, theirs, dir, artifacts } = await roundTripThroughTfjs(source, name);
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-6);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    for (const s of artifacts.shards)
      expect(statSync(join(dir, s.path)).size).toBeLessThanOrEqual(shardBytes);
  });

  it("xor_step's step activation is named: TF.js has no such function", () => {
    const source = readFileSync(join(samples, 'xor.nn'), 'utf8');
    const { checked, weights } = built(source, 'xor_step');
    expect(() => toTfjs(checked, weights)).toThrow(InteropError);
    try {
      toTfjs(checked, weights);
    } catch (e) {
      expect((e as InteropError).problems.map((p) => p.path)).toEqual([
        "layers[0] (Dense 'dense').activation",
        "layers[1] (Dense 'dense_1').activation",
      ]);
    }
  });
});

describe('every layer family both sides run', () => {
  it.each(layerModels)('$label', async ({ source, ids }) => {
    const { ours, theirs } = await roundTripThroughTfjs(source, undefined, ids);
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-6);
  });

  it('the models above reach every layer of the TF.js rules', () => {
    const used = new Set(
      layerModels.flatMap(({ source }) =>
        [...source.matchAll(/([A-Z][A-Za-z0-9]+)\(/g)].map((m) => m[1]!),
      ),
    );
    expect(Object.keys(layerRules).filter((l) => !used.has(l))).toEqual([]);
  });
});

describe('the written folder', () => {
  it('splits weights into 4 MiB shards named as TF.js names them, in manifest order', async () => {
    const { dir, artifacts, ours, theirs } = await roundTripThroughTfjs(
      'Input(shape=(1100,)) -> Dense(1000) -> Dense(3)',
    );
    expect(artifacts.shards.map((s) => s.path)).toEqual([
      'group1-shard1of2.bin',
      'group1-shard2of2.bin',
    ]);
    expect(statSync(join(dir, 'group1-shard1of2.bin')).size).toBe(shardBytes);
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-6);
  });

  it('carries compile() as TF.js training config, which TF.js compiles', async () => {
    const { dir } = await roundTripThroughTfjs(
      `Input(shape=(3,)) -> Dense(2, activation='softmax')
       compile(RMSprop(learning_rate=0.01, rho=0.8), 'categorical_crossentropy', metrics=['accuracy'])`,
    );
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.trainingConfig).toEqual({
      loss: 'categorical_crossentropy',
      metrics: ['accuracy'],
      optimizer_config: {
        class_name: 'RMSProp',
        config: { learningRate: 0.01, decay: 0.8, momentum: 0, epsilon: 1e-7, centered: false },
      },
    });
    const loaded = await loadTfjsFolder(dir);
    expect(loaded.optimizer.getClassName()).toBe('RMSProp');
  });

  it('replaces an earlier export whole, and leaves no temporary folder', async () => {
    const { checked, weights } = built('Input(shape=(2,)) -> Dense(1)');
    const parent = tempDir();
    const dir = join(parent, 'out');
    writeTfjsFolder(dir, toTfjs(checked, weights));
    writeTfjsFolder(dir, toTfjs(checked, weights));
    expect(readdirSync(parent)).toEqual(['out']);
    expect(readdirSync(dir).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
  });
});
