/**
 * The ONNX column of the interop matrix. ONNX goes one way: nnlang exports it (`nn export
 * --format onnx`, checked by onnxruntime-node and onnx.checker in onnx-export.test.ts); it does
 * not import it (an ONNX graph is ops, not Keras layers: there is no layer config to read back).
 * Here: every layer the engine runs has an ONNX converter, and a model that onnx-export.test.ts
 * runs through onnxruntime reaches it, so no layer is exported untested.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, onnxLayerClasses, toOnnx } from 'nnlang';
import { nn } from '../cli/spawn.js';
import { built } from './helpers.js';
import { isCallValue } from '../../src/catalog/index.js';
import { layerDefs } from '../../src/layers/index.js';
import { layerModels } from './layer-models.js';
import { onnxModels } from './onnx-models.js';

const engineLayers = Object.keys(layerDefs)
  .filter((name) => layerDefs[name]!.lowering)
  .sort();

/** Every class a model's layers use, wrapped layers (TimeDistributed, Bidirectional) included. */
function classesOf(source: string): string[] {
  return check(source).models.flatMap((m) =>
    m.layers.flatMap((l) => {
      const inner = l.args['layer'];
      return isCallValue(inner) ? [l.className, inner.call] : [l.className];
    }),
  );
}

describe('ONNX in the interop matrix', () => {
  it('is not imported: nn import of an .onnx file exits 1 naming it, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-onnx-matrix-'));
    const b = built('Input(shape=(3,)) -> Dense(2)');
    const file = join(dir, 'm.onnx');
    writeFileSync(file, toOnnx(b.checked, b.weights).bytes);
    const r = nn('import', file, '-o', join(dir, 'm.nn'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${file}: error: `));
    expect(readdirSync(dir)).toEqual(['m.onnx']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a converter for every layer the engine runs', () => {
    expect(engineLayers.filter((c) => !onnxLayerClasses.includes(c))).toEqual([]);
  });

  it('runs every layer the engine runs in a model the onnxruntime tests export', () => {
    const reached = new Set([...layerModels, ...onnxModels].flatMap((m) => classesOf(m.source)));
    expect(engineLayers.filter((c) => !reached.has(c))).toEqual([]);
  });
});
