/**
 * `nn export --format onnx`, checked by onnxruntime-node: every sample, every model of
 * layer-models.ts, the ONNX-specific models and seeded random stacks and graphs are exported,
 * run by onnxruntime on seeded inputs, and must predict what our engine predicts (1e-5 of the
 * outputs' scale). Every file written is also checked by ONNX's own checker
 * (`onnx.checker.check_model(full_check=True)`, Debian's python3-onnx) where it is installed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check, InteropError, toOnnx } from 'nnlang';
import { decodeOnnx } from '../../src/interop/onnx-proto.js';
import { python } from '../python.js';
import { built } from './helpers.js';
import { layerModels } from './layer-models.js';
import { onnxModels, randomModel } from './onnx-models.js';
import { throughOnnx } from './onnx-helpers.js';

const samples = new URL('../../samples/', import.meta.url).pathname;
const written = mkdtempSync(join(tmpdir(), 'nn-onnx-'));

/** Runs a model through ONNX, keeps the file for the checker, and compares. */
async function expectSame(label: string, source: string, name?: string, ids?: number) {
  const r = await throughOnnx(source, name, ids);
  writeFileSync(join(written, `${label.replace(/[^A-Za-z0-9]+/g, '_')}.onnx`), r.bytes);
  expect(r.theirs.map((t) => t.length)).toEqual(r.ours.map((o) => o.length));
  expect(r.diff).toBeLessThan(1e-5);
}

describe('every sample exported runs in onnxruntime and predicts the same', () => {
  const cases = readdirSync(samples)
    .filter((f) => f.endsWith('.nn'))
    .flatMap((f) => {
      const source = readFileSync(join(samples, f), 'utf8');
      return check(source).models.map((m) => ({ label: `${f} ${m.name}`, source, name: m.name }));
    });
  it.each(cases)('$label', async ({ label, source, name }) => {
    await expectSame(label, source, name);
  });
});

describe('every layer family the engine runs (layer-models.ts)', () => {
  it.each(layerModels)('$label', async ({ label, source, ids }) => {
    await expectSame(label, source, undefined, ids);
  });
});

describe('what only the ONNX mapping has to get right', () => {
  it.each(onnxModels)('$label', async ({ label, source }) => {
    await expectSame(label, source);
  });
});

describe('seeded random stacks and graphs', () => {
  const seeds = Array.from({ length: 16 }, (_, i) => ({ seed: i + 1, source: randomModel(i + 1) }));
  it.each(seeds)('seed $seed', async ({ seed, source }) => {
    await expectSame(`random ${seed}`, source, source.startsWith('model g') ? 'g' : undefined);
  });
});

describe('the graph', () => {
  it("is opset 17 of the default domain, with the model's names and a dynamic batch axis", () => {
    const b = built(`model m {
      a = Input(shape=(4,), name='features')
      a -> Dense(3, name='scores')
      a -> Dense(1, activation='sigmoid', name='flag')
    }`);
    const m = decodeOnnx(toOnnx(b.checked, b.weights).bytes);
    expect(m.ir_version).toBe(8);
    expect(m.opset_import).toEqual([{ version: 17 }]);
    expect(m.graph.input.map((i) => i.name)).toEqual(['features']);
    expect(m.graph.output.map((o) => o.name)).toEqual(['scores', 'flag']);
    expect(m.graph.input[0]!.type.tensor_type.shape.dim).toEqual([
      { dim_param: 'batch' },
      { dim_value: 4 },
    ]);
    expect(m.graph.node.map((n) => n.op_type)).toEqual(['Gemm', 'Gemm', 'Sigmoid']);
  });

  it('transposes into channels-first once per convolution stack, and back once', () => {
    const b = built(
      `Input(shape=(8, 8, 2)) -> Conv2D(3, 3, activation='relu') -> BatchNormalization() -> MaxPooling2D(2) -> Conv2D(2, 2) -> Flatten() -> Dense(1)`,
    );
    const ops = decodeOnnx(toOnnx(b.checked, b.weights).bytes).graph.node.map((n) => n.op_type);
    expect(ops).toEqual([
      'Transpose',
      'Conv',
      'Relu',
      'BatchNormalization',
      'MaxPool',
      'Conv',
      'Transpose',
      'Flatten',
      'Gemm',
    ]);
  });

  it('writes GELU through Erf (the Gelu op needs opset 20) and drops Dropout', () => {
    const b = built(`Input(shape=(3,)) -> Dense(2, activation='gelu') -> Dropout(0.5)`);
    const ops = decodeOnnx(toOnnx(b.checked, b.weights).bytes).graph.node.map((n) => n.op_type);
    expect(ops).toEqual(['Gemm', 'Mul', 'Erf', 'Mul', 'Add', 'Mul']);
  });
});

describe('what ONNX cannot hold', () => {
  it('a Keras mask is named at its argument and line, and nothing is produced', () => {
    const b = built(`Input(shape=(4,))
      -> Embedding(10, 3, mask_zero=True) -> LSTM(2)`);
    let error: unknown;
    try {
      toOnnx(b.checked, b.weights, 'm.nn');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InteropError);
    expect((error as InteropError).problems).toEqual([
      {
        path: "line 2, Embedding 'embedding', mask_zero",
        message: 'ONNX tensors carry no Keras mask: export the model with mask_zero=False.',
        severity: 'error',
      },
    ]);
  });
});

const py = python(['onnx'], 'test/interop/onnx-export.test.ts');

afterAll(() => {
  if (!py) {
    rmSync(written, { recursive: true, force: true });
    return;
  }
  const files = readdirSync(written).filter((f) => f.endsWith('.onnx'));
  const out = py.run(
    [
      'import onnx, os, sys',
      'for f in sorted(os.listdir(sys.argv[1])):',
      "    if f.endswith('.onnx'):",
      '        onnx.checker.check_model(onnx.load(os.path.join(sys.argv[1], f)), full_check=True)',
      "        print('ok', f)",
    ].join('\n'),
    [written],
  );
  rmSync(written, { recursive: true, force: true });
  expect(out.trim().split('\n')).toHaveLength(files.length);
});
