/**
 * `nn export --format tfjs`, checked by TF.js itself: every sample and a model per layer family
 * the engine runs and TF.js has are exported to a folder on disk, loaded back from those files
 * with tf.loadLayersModel, and must predict what we predict (1e-6 of the outputs' scale) on
 * seeded inputs. TF.js applies a weight's constraint when it loads the weight; Keras applies it
 * after every update, so trained weights already satisfy it: the random weights here are drawn
 * inside the constraints used.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, InteropError, shardBytes, toTfjs, writeTfjsFolder } from 'nnlang';
import { layerRules } from '../../src/interop/layer-rules.js';
import { layerModels } from './layer-models.js';
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

/** Exports a built model to a folder and loads it in TF.js from those files. */
async function roundTripThroughTfjs(
  source: string,
  name?: string,
  ids?: number,
  backend: 'js' | 'wasm' | 'auto' = 'auto',
) {
  const { checked, model, weights } = built(source, name, 7, backend);
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
  // The JavaScript backend sums in float64; the wasm one (chosen for this size) in float32
  // SIMD lanes, which over 1,100 terms differ from TF.js's float32 sums by ~1e-6 of the scale,
  // the conformance tests' 1e-5 bound.
  it.each([
    ['js', 1e-6],
    ['wasm', 1e-5],
  ] as const)(
    'splits weights into 4 MiB shards named as TF.js names them (the %s backend predicts within %s)',
    async (backend, tolerance) => {
      const { dir, artifacts, ours, theirs } = await roundTripThroughTfjs(
        'Input(shape=(1100,)) -> Dense(1000) -> Dense(3)',
        undefined,
        undefined,
        backend,
      );
      expect(artifacts.shards.map((s) => s.path)).toEqual([
        'group1-shard1of2.bin',
        'group1-shard2of2.bin',
      ]);
      expect(statSync(join(dir, 'group1-shard1of2.bin')).size).toBe(shardBytes);
      expect(maxDiff(ours, theirs)).toBeLessThan(tolerance);
    },
  );

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

  it('refuses a folder that holds anything but an export, and leaves it as it was', () => {
    const { checked, weights } = built('Input(shape=(2,)) -> Dense(1)');
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    expect(() => writeTfjsFolder(dir, toTfjs(checked, weights))).toThrow(
      /holds files that are not an export \(notes\.txt\)/,
    );
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });
});
