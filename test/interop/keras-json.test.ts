/**
 * Keras `model.to_json()` configs through the same importer: fixtures written by hand from Keras
 * 3's documented format (keras-reference.md §10.1: `batch_shape`, DTypePolicy objects,
 * `module`/`registered_name`, nested initializer configs, `inbound_nodes` as call arguments,
 * `compile_config`) and tf.keras 2's (§10.2: `batch_input_shape`, `[[name, 0, 0, {}]]` nodes).
 * Each imports to the golden .nn beside it, which compiles; a tf.keras 2 config with a TF.js
 * converter's weights folder imports with its weights.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importKeras, InteropError, loadModel, readTfjsFolder, toTfjs } from 'nnlang';
import { expectGolden } from '../golden.js';
import { built, inputsFor, maxDiff, ourPredict, tempDir } from './helpers.js';

const dir = new URL('./keras/', import.meta.url).pathname;
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.includes('custom'));

function importFile(file: string) {
  return importKeras(readTfjsFolder(file));
}

describe('Keras model configs', () => {
  it.each(fixtures)('%s', (name) => {
    const result = importFile(join(dir, name));
    expect(result.weights).toBeNull();
    expectGolden(join(dir, name.replace(/\.json$/, '.nn')), result.source);
    expect(() => loadModel(result.source)).not.toThrow();
  });

  it('custom objects, a mixed-precision dtype and an argument TF.js and nnlang lack, by path', () => {
    const file = join(dir, 'keras3-custom.json');
    let problems: { path: string; message: string }[] = [];
    try {
      importFile(file);
    } catch (e) {
      if (!(e instanceof InteropError)) throw e;
      problems = e.problems;
    }
    expect(problems.map((p) => p.path)).toEqual([
      'config.layers[1].class_name',
      'config.layers[2].config.dtype',
      'config.layers[2].config.kernel_initializer',
    ]);
    expect(problems[2]!.message).toContain("'MyProject>Fancy' from module 'my_project.init'");
  });
});

describe('layers TF.js lacks, in a Keras config', () => {
  it('Subtract, ZeroPadding1D, Cropping1D, UpSampling1D, SpatialDropout2D, UnitNormalization', () => {
    const layer = (className: string, name: string, config: object, inputs: string[]) => ({
      module: 'keras.layers',
      class_name: className,
      config: { name, trainable: true, dtype: 'float32', ...config },
      registered_name: null,
      name,
      inbound_nodes: [
        {
          args: (inputs.length > 1 ? (x: unknown[]) => [x] : (x: unknown[]) => x)(
            inputs.map((i) => ({
              class_name: '__keras_tensor__',
              config: { shape: null, dtype: 'float32', keras_history: [i, 0, 0] },
            })),
          ),
          kwargs: {},
        },
      ],
    });
    const input = (name: string, shape: number[]) => ({
      module: 'keras.layers',
      class_name: 'InputLayer',
      config: { batch_shape: [null, ...shape], dtype: 'float32', name },
      registered_name: null,
      name,
      inbound_nodes: [],
    });
    const file = join(tempDir(), 'model.json');
    const config = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      config: {
        name: 'lacking',
        trainable: true,
        layers: [
          input('a', [6, 2]),
          input('b', [6, 2]),
          layer('Subtract', 'subtract', {}, ['a', 'b']),
          layer('ZeroPadding1D', 'zero_padding1d', { padding: [1, 1] }, ['subtract']),
          layer('Cropping1D', 'cropping1d', { cropping: [2, 0] }, ['zero_padding1d']),
          layer('UpSampling1D', 'up_sampling1d', { size: 2 }, ['cropping1d']),
          layer('Reshape', 'reshape', { target_shape: [3, 4, 2] }, ['up_sampling1d']),
          layer(
            'SpatialDropout2D',
            'spatial_dropout2d',
            { rate: 0.1, seed: null, data_format: 'channels_last' },
            ['reshape'],
          ),
          layer('UnitNormalization', 'unit_normalization', { axis: [-1] }, ['spatial_dropout2d']),
        ],
        input_layers: [
          ['a', 0, 0],
          ['b', 0, 0],
        ],
        output_layers: [['unit_normalization', 0, 0]],
      },
      registered_name: null,
    };
    writeFileSync(file, JSON.stringify(config));
    const result = importFile(file);
    expect(result.source).toBe(
      [
        'model lacking {',
        "  a = Input(shape=(6, 2), name='a')",
        "  b = Input(shape=(6, 2), name='b')",
        '  (a, b)',
        '    -> Subtract()',
        '    -> ZeroPadding1D(padding=(1, 1))',
        '    -> Cropping1D(cropping=(2, 0))',
        '    -> UpSampling1D()',
        '    -> Reshape((3, 4, 2))',
        '    -> SpatialDropout2D(0.1)',
        '    -> UnitNormalization(axis=[-1])',
        '}',
        '',
      ].join('\n'),
    );
    expect(() => loadModel(result.source)).not.toThrow();
  });
});

describe('a tf.keras 2 config with TF.js converter weights', () => {
  it('imports with its weights and predicts as the model that made them', () => {
    const config = JSON.parse(readFileSync(join(dir, 'tfkeras2-sequential.json'), 'utf8'));
    const source = importFile(join(dir, 'tfkeras2-sequential.json')).source;
    const b = built(source);
    const folder = join(tempDir(), 'converted');
    const artifacts = toTfjs(b.checked, b.weights);
    // As tensorflowjs_converter writes a Keras HDF5 model: the Keras config under
    // model_config, the training config beside it, weights named by their HDF5 paths (`:0`).
    const manifest = artifacts.modelJson['weightsManifest'] as { weights: { name: string }[] }[];
    for (const w of manifest[0]!.weights) w.name += ':0';
    const json = {
      format: 'layers-model',
      generatedBy: 'keras v2.12.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.12.0',
        backend: 'tensorflow',
        model_config: config,
        training_config: {
          loss: 'categorical_crossentropy',
          metrics: ['accuracy'],
          optimizer_config: {
            class_name: 'Adam',
            config: {
              name: 'Adam',
              learning_rate: 0.01,
              decay: 0.0,
              beta_1: 0.9,
              beta_2: 0.999,
              epsilon: 1e-7,
              amsgrad: false,
            },
          },
        },
      },
      weightsManifest: manifest,
    };
    const writeTo = (p: string, data: Uint8Array | string) => writeFileSync(join(folder, p), data);
    mkdirSync(folder);
    writeTo('model.json', JSON.stringify(json));
    for (const s of artifacts.shards) writeTo(s.path, s.bytes);
    const result = importFile(join(folder, 'model.json'));
    expect(result.source).toContain(
      "compile(Adam(learning_rate=0.01), 'categorical_crossentropy', metrics=['accuracy'])",
    );
    const model = loadModel(result.source);
    model.build([null, 8]);
    model.setWeights(result.weights!.map((w) => w.values));
    const xs = inputsFor([[null, 8]], 4);
    expect(maxDiff(ourPredict(model, xs), ourPredict(b.model, xs))).toBe(0);
  });
});
