/**
 * Keras 3 `.keras` archives: compile() as compile_config, the weights file's group paths as
 * Keras 3's saving_lib walks a model, the archive read by an independent reader (Debian's h5py
 * and Python's zipfile), corrupt archives refused with the file and what is wrong, and the
 * commands. The round trip over every sample and layer is matrix-keras.test.ts.
 */
import { strToU8, unzipSync, zipSync } from 'fflate';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  importKerasArchive,
  InteropError,
  toKerasArchive,
  type CheckedModel,
  type NamedWeights,
} from 'nnlang';
import { writeH5 } from '../../src/interop/keras-h5.js';
import { kerasLayout, varsPath } from '../../src/interop/keras-layout.js';
import { nn } from '../cli/spawn.js';
import { python } from '../python.js';
import { layerModels } from './layer-models.js';
import { built, importAndPredict, tempDir, writeTinyModel } from './helpers.js';

describe('compile() crosses as Keras 3 compile_config', () => {
  it('a schedule, a loss with arguments, metrics', async () => {
    const { checked, weights } = built(
      `Input(shape=(4,)) -> Dense(1)\ncompile(Adam(learning_rate=ExponentialDecay(0.001, 250, 0.9), clipnorm=1.0), BinaryCrossentropy(from_logits=True), metrics=['accuracy'])`,
    );
    const archive = await toKerasArchive(checked, weights);
    const config = archive.config['compile_config'] as Record<string, unknown>;
    expect(config['loss']).toEqual({
      module: 'keras.losses',
      class_name: 'BinaryCrossentropy',
      config: expect.objectContaining({ from_logits: true, label_smoothing: 0 }),
      registered_name: null,
    });
    expect(config['optimizer']).toMatchObject({
      class_name: 'Adam',
      config: {
        name: 'adam',
        clipnorm: 1,
        learning_rate: {
          module: 'keras.optimizers.schedules',
          class_name: 'ExponentialDecay',
          config: { initial_learning_rate: 0.001, decay_steps: 250, decay_rate: 0.9 },
        },
      },
    });
    const back = await importKerasArchive(archive.bytes, 'm.keras');
    expect(back.source).toBe(
      [
        'model sequential {',
        '  Input(shape=(4,)) -> Dense(1)',
        '  compile(',
        '    Adam(',
        '      learning_rate=ExponentialDecay(initial_learning_rate=0.001, decay_steps=250, decay_rate=0.9),',
        '      clipnorm=1,',
        '    ),',
        '    binary_crossentropy(from_logits=True),',
        "    metrics=['accuracy'],",
        '  )',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe("the weights file's layout is saving_lib's", () => {
  it('Sequential: snake-cased class keys made unique, an RNN cell, Bidirectional, a wrapper, BatchNormalization', () => {
    const { checked } = built(
      `Input(shape=(5, 3)) -> TimeDistributed(Dense(2)) -> Bidirectional(LSTM(3, return_sequences=True)) -> LSTM(2) -> Dropout(0.1) -> BatchNormalization() -> Dense(2) -> Dense(1)`,
    );
    const layout = kerasLayout(checked);
    expect(layout.groups.map((g) => `${varsPath(g.path)} ${g.name}`)).toEqual([
      'vars sequential',
      'layers/time_distributed/vars time_distributed',
      'layers/time_distributed/layer/vars dense',
      'layers/bidirectional/vars bidirectional',
      'layers/bidirectional/backward_layer/vars backward_lstm',
      'layers/bidirectional/backward_layer/cell/vars lstm_cell',
      'layers/bidirectional/forward_layer/vars forward_lstm',
      'layers/bidirectional/forward_layer/cell/vars lstm_cell',
      'layers/lstm/vars lstm_1',
      'layers/lstm/cell/vars lstm_cell',
      'layers/dropout/vars dropout',
      'layers/batch_normalization/vars batch_normalization',
      // The wrapped Dense took the name 'dense': keys count classes in the list, not names.
      'layers/dense/vars dense_1',
      'layers/dense_1/vars dense_2',
    ]);
    expect(layout.placements.map((p) => `${p.path} ${p.layer}/${p.name}`)).toEqual([
      'layers/time_distributed/layer/vars/0 time_distributed/kernel',
      'layers/time_distributed/layer/vars/1 time_distributed/bias',
      'layers/bidirectional/backward_layer/cell/vars/0 bidirectional/backward_lstm/kernel',
      'layers/bidirectional/backward_layer/cell/vars/1 bidirectional/backward_lstm/recurrent_kernel',
      'layers/bidirectional/backward_layer/cell/vars/2 bidirectional/backward_lstm/bias',
      'layers/bidirectional/forward_layer/cell/vars/0 bidirectional/forward_lstm/kernel',
      'layers/bidirectional/forward_layer/cell/vars/1 bidirectional/forward_lstm/recurrent_kernel',
      'layers/bidirectional/forward_layer/cell/vars/2 bidirectional/forward_lstm/bias',
      'layers/lstm/cell/vars/0 lstm_1/kernel',
      'layers/lstm/cell/vars/1 lstm_1/recurrent_kernel',
      'layers/lstm/cell/vars/2 lstm_1/bias',
      'layers/batch_normalization/vars/0 batch_normalization/gamma',
      'layers/batch_normalization/vars/1 batch_normalization/beta',
      'layers/batch_normalization/vars/2 batch_normalization/moving_mean',
      'layers/batch_normalization/vars/3 batch_normalization/moving_variance',
      'layers/dense/vars/0 dense_1/kernel',
      'layers/dense/vars/1 dense_1/bias',
      'layers/dense_1/vars/0 dense_2/kernel',
      'layers/dense_1/vars/1 dense_2/bias',
    ]);
  });

  it("Functional: the InputLayers are in the model's layers", () => {
    const { checked } = built(
      `model g {\n a = Input(shape=(3,), name='a')\n b = Input(shape=(3,), name='b')\n (a, b) -> Add() -> Dense(1)\n}`,
    );
    expect(kerasLayout(checked).groups.map((g) => `${varsPath(g.path)} ${g.name}`)).toEqual([
      'vars g',
      'layers/input_layer/vars a',
      'layers/input_layer_1/vars b',
      'layers/add/vars add',
      'layers/dense/vars dense',
    ]);
  });
});

const py = python(['h5py', 'numpy'], 'test/interop/keras-archive.test.ts');

/** Lists a .keras archive with Python's zipfile and h5py: members, every group and dataset. */
const listArchive = `
import sys, json, io, zipfile, h5py
z = zipfile.ZipFile(sys.argv[1])
out = {"members": [[i.filename, i.compress_type] for i in z.infolist()],
       "metadata": json.loads(z.read("metadata.json")), "config": json.loads(z.read("config.json")),
       "groups": {}, "datasets": {}}
with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out["datasets"][name] = {"shape": list(obj.shape), "dtype": str(obj.dtype), "values": obj[()].ravel().tolist()}
        else:
            out["groups"][name] = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in obj.attrs.items()}
    f.visititems(visit)
print(json.dumps(out))
`;

describe.skipIf(!py)('the archive read by Python: zipfile and h5py', () => {
  it.each(layerModels.slice(8))('$label', async ({ source }) => {
    const { checked, weights } = built(source);
    const archive = await toKerasArchive(
      checked,
      weights,
      'm.nn',
      new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    );
    const file = join(tempDir(), 'model.keras');
    writeFileSync(file, archive.bytes);
    const read = JSON.parse(py!.run(listArchive, [file])) as {
      members: [string, number][];
      metadata: Record<string, string>;
      config: unknown;
      groups: Record<string, Record<string, string>>;
      datasets: Record<string, { shape: number[]; dtype: string; values: number[] }>;
    };
    // Keras writes these three, in this order, stored (ZIP_STORED = 0).
    expect(read.members).toEqual([
      ['metadata.json', 0],
      ['config.json', 0],
      ['model.weights.h5', 0],
    ]);
    expect(read.metadata).toEqual({ keras_version: '3.16.0', date_saved: '2026-01-02@03:04:05' });
    expect(read.config).toEqual(archive.config);
    const layout = kerasLayout(checked);
    for (const g of layout.groups) expect(read.groups[varsPath(g.path)]).toEqual({ name: g.name });
    const byName = new Map(weights.map((w) => [`${w.layer}/${w.name}`, w]));
    expect(Object.keys(read.datasets).sort()).toEqual(layout.placements.map((p) => p.path).sort());
    for (const p of layout.placements) {
      const d = read.datasets[p.path]!;
      const w = byName.get(`${p.layer}/${p.name}`)!;
      expect(d.dtype).toBe('float32');
      expect(d.shape).toEqual(w.shape);
      expect(d.values).toEqual(Array.from(w.values));
    }
  });
});

describe('corrupt archives: an error naming the file and what is wrong', () => {
  const source = `Input(shape=(3,)) -> Dense(2) -> Dense(1)`;

  async function archive(): Promise<{
    bytes: Uint8Array;
    checked: CheckedModel;
    weights: NamedWeights[];
  }> {
    const { checked, weights } = built(source);
    return { ...(await toKerasArchive(checked, weights)), checked, weights };
  }

  async function problemsOf(bytes: Uint8Array): Promise<string> {
    const e = await importKerasArchive(bytes, 'bad.keras').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InteropError);
    return (e as InteropError).message;
  }

  /** The archive with members replaced. */
  function replaced(bytes: Uint8Array, members: Record<string, Uint8Array>): Uint8Array {
    return zipSync({ ...unzipSync(bytes), ...members }, { level: 0 });
  }

  it('a zip cut short', async () => {
    const { bytes } = await archive();
    expect(await problemsOf(bytes.subarray(0, bytes.length - 100))).toMatch(
      /^bad\.keras: it is not a readable zip archive .*cut short or corrupt/,
    );
  });

  it('config.json that is not JSON', async () => {
    const { bytes } = await archive();
    expect(await problemsOf(replaced(bytes, { 'config.json': strToU8('{"module": ') }))).toMatch(
      /^bad\.keras: config\.json: it is not JSON/,
    );
  });

  it('no model.weights.h5', async () => {
    const { bytes } = await archive();
    const members = unzipSync(bytes);
    delete members['model.weights.h5'];
    expect(await problemsOf(zipSync(members))).toBe(
      'bad.keras: model.weights.h5: the archive has no model.weights.h5.',
    );
  });

  it('model.weights.h5 that is not HDF5', async () => {
    const { bytes } = await archive();
    expect(
      await problemsOf(replaced(bytes, { 'model.weights.h5': strToU8('not hdf5 at all') })),
    ).toBe('bad.keras: model.weights.h5: it is not an HDF5 file (no HDF5 signature at its start).');
  });

  /** The archive's h5 rewritten with `edit` applied to its datasets. */
  async function withDatasets(
    edit: (d: { path: string; shape: number[]; values: Float32Array }[]) => typeof d,
  ): Promise<Uint8Array> {
    const { bytes, checked, weights } = await archive();
    const layout = kerasLayout(checked);
    const datasets = layout.placements.map((p, i) => ({
      path: p.path,
      shape: weights[i]!.shape,
      values: weights[i]!.values,
    }));
    const groups = layout.groups.map((g) => ({ path: varsPath(g.path), attrs: { name: g.name } }));
    return replaced(bytes, { 'model.weights.h5': await writeH5(groups, edit(datasets)) });
  }

  it('a missing dataset', async () => {
    const bytes = await withDatasets((d) => d.filter((x) => x.path !== 'layers/dense_1/vars/1'));
    expect(await problemsOf(bytes)).toBe(
      "bad.keras: model.weights.h5: layers/dense_1/vars/1: there is no dataset here for weight 'dense_1/bias' (shape [1]).",
    );
  });

  it('a dataset of the wrong shape, and one that belongs to no weight', async () => {
    const bytes = await withDatasets((d) => [
      ...d.map((x) =>
        x.path === 'layers/dense/vars/0' ? { ...x, shape: [2, 3], values: new Float32Array(6) } : x,
      ),
      { path: 'layers/dense/vars/2', shape: [1], values: new Float32Array(1) },
    ]);
    expect(await problemsOf(bytes)).toBe(
      [
        "bad.keras: model.weights.h5: layers/dense/vars/0: weight 'dense/kernel' (shape [3,2]) has shape [2,3] in the file.",
        "bad.keras: model.weights.h5: layers/dense/vars/2: belongs to no weight of layer 'dense' in nnlang's model.",
      ].join('\n'),
    );
  });

  it('a weight that is not finite', async () => {
    const bytes = await withDatasets((d) =>
      d.map((x) =>
        x.path === 'layers/dense/vars/1' ? { ...x, values: Float32Array.of(0, Number.NaN) } : x,
      ),
    );
    expect(await problemsOf(bytes)).toBe(
      "bad.keras: model.weights.h5: layers/dense/vars/1: weight 'dense/bias' (shape [2]) holds NaN at index 1.",
    );
  });
});

describe('nn export --format keras and nn import model.keras', () => {
  it('the same predictions as the original; a corrupt archive exits 1 and writes nothing', () => {
    const dir = tempDir();
    const file = writeTinyModel(dir);
    const target = join(dir, 'm.keras');
    const exported = nn('export', file, '--format', 'keras', '-o', target);
    expect(exported.err).toBe('');
    expect(exported.out).toBe(`wrote ${target} (model 'm', 4 weights, Keras 3 archive)\n`);
    const { imported, original, back } = importAndPredict(nn, dir, file, target);
    expect(imported).toBe(
      `wrote ${join(dir, 'back.nn')} (model 'm') and its weights ${join(dir, 'back.m.nnw')}\n`,
    );
    expect(original.code).toBe(0);
    expect(back.err).toBe('');
    expect(back.out).toBe(original.out);

    const cut = join(dir, 'cut.keras');
    writeFileSync(cut, readFileSync(target).subarray(0, 200));
    const refused = nn('import', cut);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^.*cut\.keras: error: it is not a readable zip archive/);
    expect(existsSync(join(dir, 'cut.nn'))).toBe(false);
  }, 120_000);
});

describe("config.json follows Keras's order of a functional model's layers", () => {
  it('an InputLayer by depth among the layers; input_layers in the inputs’ order', async () => {
    const { checked, weights } = built(
      `model late {\n a = Input(shape=(2,), name='a')\n b = Input(shape=(3,), name='b')\n h = b -> Dense(2) -> Dense(2)\n (a, h) -> Concatenate() -> Dense(1)\n}`,
    );
    const { config } = await toKerasArchive(checked, weights);
    const inner = config['config'] as { layers: { name: string }[]; input_layers: unknown };
    expect(inner.layers.map((l) => l.name)).toEqual([
      'b',
      'dense',
      'a',
      'dense_1',
      'concatenate',
      'dense_2',
    ]);
    expect(inner.input_layers).toEqual([
      ['a', 0, 0],
      ['b', 0, 0],
    ]);
    expect(
      kerasLayout(checked)
        .groups.slice(1, 3)
        .map((g) => `${g.path} ${g.name}`),
    ).toEqual(['layers/input_layer b', 'layers/dense dense']);
  });
});

/** Writes a .keras archive with Python: zipfile, and h5py at the paths Keras 3 uses. */
const writeArchive = `
import sys, json, zipfile, io, h5py, numpy as np
spec = json.loads(sys.stdin.read())
buf = io.BytesIO()
with h5py.File(buf, "w") as f:
    for path, name in spec["groups"]:
        f.require_group(path).attrs["name"] = name
    rng = np.random.default_rng(3)
    for path, shape in spec["datasets"]:
        f[path] = rng.uniform(-1, 1, shape).astype("float32")
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("metadata.json", json.dumps({"keras_version": "3.16.0", "date_saved": "2026-01-01@00:00:00"}))
    z.writestr("config.json", spec["config"])
    z.writestr("model.weights.h5", buf.getvalue())
with h5py.File(io.BytesIO(zipfile.ZipFile(sys.argv[1]).read("model.weights.h5")), "r") as f:
    print(json.dumps({p: f[p][()].ravel().tolist() for p, _ in spec["datasets"]}))
`;

describe.skipIf(!py)('an archive Python wrote (h5py, zipfile) around a Keras 3 config', () => {
  it('nn import reads its weights from their Keras paths', async () => {
    const config = readFileSync(new URL('keras/keras3-functional.json', import.meta.url), 'utf8');
    const expected = readFileSync(new URL('keras/keras3-functional.nn', import.meta.url), 'utf8');
    const { checked } = built(expected);
    const layout = kerasLayout(checked);
    const shapes = new Map(
      checked.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, w.shape])),
    );
    const file = join(tempDir(), 'residual.keras');
    const written = JSON.parse(
      py!.run(
        writeArchive,
        [file],
        JSON.stringify({
          config,
          groups: layout.groups.map((g) => [varsPath(g.path), g.name]),
          datasets: layout.placements.map((p) => [p.path, shapes.get(`${p.layer}/${p.name}`)]),
        }),
      ),
    ) as Record<string, number[]>;
    expect(layout.placements.map((p) => p.path)).toEqual([
      'layers/lstm/cell/vars/0',
      'layers/lstm/cell/vars/1',
      'layers/lstm/cell/vars/2',
      'layers/dense/vars/0',
      'layers/dense/vars/1',
      'layers/layer_normalization/vars/0',
      'layers/layer_normalization/vars/1',
      'layers/dense_1/vars/0',
    ]);
    const result = await importKerasArchive(new Uint8Array(readFileSync(file)), file);
    expect(result.source).toBe(expected);
    const byName = new Map(result.weights!.map((w) => [`${w.layer}/${w.name}`, w.values]));
    for (const p of layout.placements)
      expect(Array.from(byName.get(`${p.layer}/${p.name}`)!)).toEqual(written[p.path]);
  });
});

describe("Bidirectional as Keras 3's get_config writes it", () => {
  it('layer is the forward copy, backward_layer the backward one; both read back as the wrapped layer', async () => {
    const { checked, weights } = built(
      `Input(shape=(5, 3)) -> Bidirectional(LSTM(3, return_sequences=True, name='enc'))`,
    );
    const archive = await toKerasArchive(checked, weights);
    const layers = (archive.config['config'] as { layers: { config: Record<string, unknown> }[] })
      .layers;
    const config = layers[1]!.config as Record<string, { config: Record<string, unknown> }>;
    expect(config['layer']!.config).toMatchObject({ name: 'forward_enc', go_backwards: false });
    expect(config['backward_layer']!.config).toMatchObject({
      name: 'backward_enc',
      go_backwards: true,
    });
    const back = await importKerasArchive(archive.bytes, 'm.keras');
    expect(back.source).toContain("Bidirectional(LSTM(3, return_sequences=True, name='enc'))");
  });

  it('a wrapped layer running backwards is refused: Keras 3 runs both copies backwards', async () => {
    const { checked, weights } = built(
      `Input(shape=(5, 3)) -> Bidirectional(GRU(2, go_backwards=True))`,
    );
    const e = await toKerasArchive(checked, weights).catch((x: unknown) => x);
    expect((e as InteropError).problems.map((p) => p.path)).toEqual([
      "layers[0] (Bidirectional 'bidirectional').layer.go_backwards",
    ]);
  });
});

describe('nn export --format keras of what Keras 3 cannot hold', () => {
  it('names it with its place, exits 1 and writes nothing', () => {
    const dir = tempDir();
    const target = join(dir, 'xor.keras');
    const r = nn(
      'export',
      new URL('../../samples/xor.nn', import.meta.url).pathname,
      '--model',
      'xor_step',
      '--format',
      'keras',
      '-o',
      target,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "error: layers[0] (Dense 'dense').activation: Keras 3 has no activation 'step' (an nnlang extension).",
    );
    expect(existsSync(target)).toBe(false);
  }, 60_000);
});
