/**
 * The round-trip matrix, Keras 3 `.keras` column: every sample and a model reaching every layer
 * the engine runs go `.nn → .keras → .nn` (the archive's bytes, as `nn export --format keras`
 * writes them, read back as `nn import` reads them): the same text again, and the same
 * predictions as the original model (1e-6 of the outputs' scale).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  catalog,
  check,
  importKerasArchive,
  InteropError,
  toKerasArchive,
  type CheckedModel,
  type ImportResult,
  type NamedWeights,
} from 'nnlang';
import { isCallValue } from '../../src/catalog/index.js';
import { layerModels } from './layer-models.js';
import { built, inputsFor, maxDiff, modelOf, ourPredict } from './helpers.js';

const samples = new URL('../../samples/', import.meta.url).pathname;

/** Models for the layers Keras 3 has and TF.js lacks (layer-models.ts holds the others), and Keras's graph order. */
const kerasOnlyModels: { label: string; source: string }[] = [
  {
    label: 'depthwise and separable 2D convolutions, SpatialDropout2D, UnitNormalization',
    source: `Input(shape=(8, 8, 2)) -> DepthwiseConv2D(3, depth_multiplier=2, padding='same') -> SeparableConv2D(3, 3, activation='relu') -> SpatialDropout2D(0.2) -> UnitNormalization() -> GlobalAveragePooling2D()`,
  },
  {
    label: '1D padding, cropping, up-sampling, depthwise and separable convolutions',
    source: `Input(shape=(10, 3)) -> ZeroPadding1D(2) -> Cropping1D((1, 2)) -> UpSampling1D(2) -> DepthwiseConv1D(3) -> SeparableConv1D(2, 3) -> Flatten() -> Dense(1)`,
  },
  {
    label: 'Subtract, and GRU with reset_after=True (Keras 3’s default)',
    source: `model sub {
      a = Input(shape=(4, 3), name='a')
      b = Input(shape=(4, 3), name='b')
      (a, b) -> Subtract() -> GRU(2)
    }`,
  },
  {
    // Keras lists the InputLayers by depth among the layers: 'b' comes before 'a' there.
    label: 'a graph whose second input lies deeper than its first',
    source: `model late {
      a = Input(shape=(2,), name='a')
      b = Input(shape=(3,), name='b')
      h = b -> Dense(2) -> Dense(2)
      (a, h) -> Concatenate() -> Dense(1)
    }`,
  },
];

const cases: { label: string; source: string; name?: string; ids?: number }[] = [
  ...layerModels,
  ...kerasOnlyModels,
  ...readdirSync(samples)
    .filter((f) => f.endsWith('.nn'))
    .flatMap((f) => {
      const source = readFileSync(join(samples, f), 'utf8');
      return check(source)
        .models.filter((m) => m.name !== 'xor_step')
        .map((m) => ({ label: `${f} ${m.name}`, source, name: m.name }));
    }),
];

async function through(checked: CheckedModel, weights: NamedWeights[]): Promise<ImportResult> {
  const { bytes } = await toKerasArchive(checked, weights);
  return importKerasArchive(bytes, 'model.keras');
}

describe('.nn → .keras → .nn: the same text again, and the same predictions', () => {
  it.each(cases)('$label', async ({ source, name, ids }) => {
    const b = built(source, name);
    const first = await through(b.checked, b.weights);
    const again = await through(check(first.source).models[0]!, first.weights!);
    expect(again.source).toBe(first.source);
    const xs = inputsFor(
      b.checked.inputs.map((i) => i.shape!),
      3,
      ids,
    );
    const original = ourPredict(b.model, xs);
    expect(maxDiff(ourPredict(modelOf(first), xs), original)).toBeLessThan(1e-6);
    expect(maxDiff(ourPredict(modelOf(again), xs), original)).toBeLessThan(1e-6);
    expect(first.warnings).toEqual([]);
  });

  it('every layer the engine runs is in a model above', () => {
    const used = new Set<string>();
    for (const c of cases)
      for (const m of check(c.source).models)
        for (const l of m.layers) {
          used.add(l.className);
          const inner = l.args['layer'];
          if (isCallValue(inner)) used.add(inner.call);
        }
    const engine = catalog
      .entries('layer')
      .filter((e) => !e.unsupported && e.name !== 'Input' && e.name !== 'InputLayer')
      .map((e) => e.name);
    expect(engine.filter((n) => !used.has(n))).toEqual([]);
  });

  it("xor_step's step activation is named: Keras 3 has no such function", async () => {
    const { checked, weights } = built(readFileSync(join(samples, 'xor.nn'), 'utf8'), 'xor_step');
    const e = await toKerasArchive(checked, weights).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InteropError);
    expect((e as InteropError).problems.map((p) => p.path)).toEqual([
      "layers[0] (Dense 'dense').activation",
      "layers[1] (Dense 'dense_1').activation",
    ]);
  });
});
