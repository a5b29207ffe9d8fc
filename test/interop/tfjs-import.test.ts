/**
 * `nn import` of models built, trained and saved by TF.js itself (sequential and functional),
 * written to disk as tfjs-node's file handler writes them: the imported .nn with its weights
 * predicts what TF.js predicts, and .nn → TF.js → .nn gives the same text and predictions.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatSource, importKeras, readTfjsFolder, toTfjs, writeTfjsFolder } from 'nnlang';
import { layerModels } from './layer-models.js';
import {
  built,
  inputsFor,
  maxDiff,
  modelOf,
  ourPredict,
  savedByTfjs,
  tempDir,
  tfjsPredict,
  writeTfjsSave,
} from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Trains a TF.js model two epochs on seeded data, saves it, and imports the saved files. */
async function trainSaveImport(m: tf.LayersModel, shapes: number[][], outputs: number[]) {
  const rows = 8;
  const xs = inputsFor(shapes, rows);
  const x = xs.map((v, k) => tf.tensor(v, [rows, ...shapes[k]!.slice(1)]));
  const y = outputs.map((units) =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: rows }, (_, i) => i % units),
        'int32',
      ),
      units,
    ),
  );
  await m.fit(x.length === 1 ? x[0]! : x, y.length === 1 ? y[0]! : y, {
    epochs: 2,
    batchSize: 4,
    verbose: 0,
  });
  const file = writeTfjsSave(await savedByTfjs(m));
  const result = importKeras(readTfjsFolder(file));
  return { result, xs, rows, file };
}

describe('models saved by TF.js', () => {
  it('a sequential classifier: the .nn, its compile() and its predictions', async () => {
    const m = tf.sequential({ name: 'classifier' });
    m.add(
      tf.layers.dense({
        units: 6,
        inputShape: [4],
        activation: 'relu',
        kernelInitializer: 'heNormal',
      }),
    );
    m.add(tf.layers.dropout({ rate: 0.25 }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    m.compile({
      optimizer: tf.train.adam(0.01),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const { result, xs, rows } = await trainSaveImport(m, [[0, 4]], [3]);
    const names = m.layers.map((l) => l.name);
    expect(result.source).toBe(
      [
        'model classifier {',
        '  Input(shape=(4,))',
        `    -> Dense(6, activation='relu', kernel_initializer='he_normal', name='${names[0]}')`,
        `    -> Dropout(0.25, name='${names[1]}')`,
        `    -> Dense(3, activation='softmax', kernel_initializer='glorot_normal', name='${names[2]}')`,
        "  compile(Adam(learning_rate=0.01), 'categorical_crossentropy', metrics=['accuracy'])",
        '}',
        '',
      ].join('\n'),
    );
    expect(formatSource(result.source)).toEqual({ text: result.source, changed: false });
    const theirs = tfjsPredict(m, xs, [[null, 4]], rows);
    expect(maxDiff(ourPredict(modelOf(result), xs), theirs)).toBeLessThan(1e-6);
  });

  it('a sequential recurrent and convolutional model', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv1d({ filters: 4, kernelSize: 2, inputShape: [6, 3], activation: 'tanh' }));
    m.add(tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true }));
    m.add(tf.layers.gru({ units: 3, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const { result, xs, rows } = await trainSaveImport(m, [[0, 6, 3]], [2]);
    expect(result.source).toContain('reset_after=False');
    const theirs = tfjsPredict(m, xs, [[null, 6, 3]], rows);
    expect(maxDiff(ourPredict(modelOf(result), xs), theirs)).toBeLessThan(1e-6);
  });

  it('a functional model with two inputs, a merge and two outputs', async () => {
    const a = tf.input({ shape: [3], name: 'a' });
    const b = tf.input({ shape: [2], name: 'b' });
    const call = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
      layer.apply(x) as tf.SymbolicTensor;
    const dense = (units: number, activation: 'relu' | 'tanh' | 'softmax', name: string) =>
      tf.layers.dense({ units, activation, name });
    const ha = call(dense(4, 'relu', 'ha'), a);
    const hb = call(dense(4, 'tanh', 'hb'), b);
    const joined = call(tf.layers.concatenate({ name: 'joined' }), [ha, hb]);
    const sum = call(tf.layers.add({ name: 'sum' }), [ha, hb]);
    const out1 = call(dense(2, 'softmax', 'out1'), joined);
    const out2 = call(dense(3, 'softmax', 'out2'), sum);
    const m = tf.model({ inputs: [a, b], outputs: [out1, out2], name: 'two_heads' });
    m.compile({
      optimizer: tf.train.rmsprop(0.01),
      loss: ['categoricalCrossentropy', 'categoricalCrossentropy'],
    });
    const { result, xs, rows } = await trainSaveImport(
      m,
      [
        [0, 3],
        [0, 2],
      ],
      [2, 3],
    );
    expect(result.source).toBe(
      [
        'model two_heads {',
        "  a = Input(shape=(3,), name='a')",
        "  b = Input(shape=(2,), name='b')",
        "  ha = a -> Dense(4, activation='relu', kernel_initializer='glorot_normal', name='ha')",
        "  hb = b -> Dense(4, activation='tanh', kernel_initializer='glorot_normal', name='hb')",
        '  (ha, hb)',
        "    -> Concatenate(name='joined')",
        "    -> Dense(2, activation='softmax', kernel_initializer='glorot_normal', name='out1')",
        '  (ha, hb)',
        "    -> Add(name='sum')",
        "    -> Dense(3, activation='softmax', kernel_initializer='glorot_normal', name='out2')",
        "  compile(RMSprop(learning_rate=0.01), ['categorical_crossentropy', 'categorical_crossentropy'])",
        '}',
        '',
      ].join('\n'),
    );
    const theirs = tfjsPredict(
      m,
      xs,
      [
        [null, 3],
        [null, 2],
      ],
      rows,
    );
    expect(maxDiff(ourPredict(modelOf(result), xs), theirs)).toBeLessThan(1e-6);
  });
});

describe('every layer family TF.js saves', () => {
  it('wrappers, recurrent, spatial and activation layers: the same predictions', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [5] }));
    const lstm = tf.layers.lstm({
      units: 2,
      recurrentActivation: 'sigmoid',
      returnSequences: true,
    });
    m.add(tf.layers.bidirectional({ layer: lstm as tf.RNN }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }));
    m.add(tf.layers.simpleRNN({ units: 2 }));
    m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    m.add(tf.layers.reshape({ targetShape: [2, 1, 1] }));
    m.add(tf.layers.zeroPadding2d({ padding: 1 }));
    m.add(tf.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same' }));
    m.add(tf.layers.upSampling2d({}));
    m.add(
      tf.layers.cropping2D({
        cropping: [
          [1, 0],
          [0, 1],
        ],
      }),
    );
    m.add(tf.layers.averagePooling2d({ poolSize: 2 }));
    m.add(tf.layers.globalMaxPooling2d({}));
    m.add(tf.layers.prelu({}));
    m.add(tf.layers.layerNormalization({}));
    m.add(tf.layers.softmax({}));
    const result = importKeras(readTfjsFolder(writeTfjsSave(await savedByTfjs(m))));
    expect(result.source).toContain('Bidirectional(\n      LSTM(');
    const xs = inputsFor([[null, 5]], 4, 10);
    const theirs = tfjsPredict(m, xs, [[null, 5]], 4);
    expect(maxDiff(ourPredict(modelOf(result), xs), theirs)).toBeLessThan(1e-6);
  });

  it("TF.js's default LSTM (recurrent hard_sigmoid, 0.2x + 0.5) is refused, not computed otherwise", async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 2, inputShape: [3, 2] }));
    const file = writeTfjsSave(await savedByTfjs(m));
    expect(() => importKeras(readTfjsFolder(file))).toThrow(
      /recurrent_activation: 'hard_sigmoid' is clip\(0\.2x \+ 0\.5, 0, 1\) in TF\.js/,
    );
  });
});

describe('.nn → TF.js → .nn', () => {
  /** Export a built model, import it: the text, and the imported model, from the files on disk. */
  function through(source: string, name?: string) {
    const b = built(source, name);
    const dir = join(tempDir(), 'tfjs');
    writeTfjsFolder(dir, toTfjs(b.checked, b.weights));
    return { b, result: importKeras(readTfjsFolder(join(dir, 'model.json'))) };
  }

  const cases = [
    ...layerModels,
    {
      label: 'samples/iris-residual.nn',
      source: readFileSync(new URL('../../samples/iris-residual.nn', import.meta.url), 'utf8'),
      ids: undefined,
    },
  ];

  it.each(cases)('$label: the same text again, and the same predictions', ({ source, ids }) => {
    const first = through(source);
    const again = through(first.result.source);
    expect(again.result.source).toBe(first.result.source);
    const shapes = first.b.checked.inputs.map((i) => i.shape!);
    const xs = inputsFor(shapes, 3, ids);
    const original = ourPredict(first.b.model, xs);
    expect(maxDiff(ourPredict(modelOf(first.result), xs), original)).toBe(0);
    expect(maxDiff(ourPredict(modelOf(again.result), xs), original)).toBe(0);
  });
});
