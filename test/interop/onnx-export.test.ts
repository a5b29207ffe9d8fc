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
import { runOnnx, throughOnnx } from './onnx-helpers.js';
import { nn } from '../cli/spawn.js';

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
  it.each(onnxModels)('$label', async ({ label, source, ids }) => {
    await expectSame(label, source, undefined, ids);
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

  it('pools globally over the channels-first output of a convolution, with no transpose back', () => {
    const b = built(`Input(shape=(6, 6, 2)) -> Conv2D(3, 3) -> GlobalMaxPooling2D() -> Dense(1)`);
    const ops = decodeOnnx(toOnnx(b.checked, b.weights).bytes).graph.node.map((n) => n.op_type);
    expect(ops).toEqual(['Transpose', 'Conv', 'ReduceMax', 'Gemm']);
  });

  it('writes GELU through Erf (the Gelu op needs opset 20) and drops Dropout', () => {
    const b = built(`Input(shape=(3,)) -> Dense(2, activation='gelu') -> Dropout(0.5)`);
    const ops = decodeOnnx(toOnnx(b.checked, b.weights).bytes).graph.node.map((n) => n.op_type);
    expect(ops).toEqual(['Gemm', 'Mul', 'Erf', 'Mul', 'Add', 'Mul']);
  });
});

describe('what ONNX cannot hold', () => {
  it('a Keras mask reaching a recurrent layer is named at its line, and nothing is produced', () => {
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
        path: "line 2, LSTM 'lstm'",
        message:
          "ONNX's LSTM op skips only the padding at the end of a sequence (sequence_lens), where a Keras mask may hide any step: export the model with Embedding(mask_zero=False).",
        severity: 'error',
      },
    ]);
  });
});

/** A folder with m.nn (these lines) and, when given, data.csv. */
function project(lines: string[], csv?: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nn-onnx-cli-'));
  const file = join(dir, 'm.nn');
  writeFileSync(file, [...lines, ''].join('\n'));
  if (csv) writeFileSync(join(dir, 'data.csv'), csv);
  return { dir, file };
}

/** The last column of what nn predict prints for `data`, one number per row. */
function predicted(file: string, data: string): number[] {
  return nn('predict', file, '--data', data)
    .out.trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',').at(-1)));
}

describe('nn export --format onnx', () => {
  it('writes a file onnxruntime runs to what nn predict prints', async () => {
    const { dir, file } = project(
      [
        "Input(2) -> Dense(2, activation='tanh', weights=[[[1, -2], [0.5, 3]], [0.1, -0.2]])",
        "  -> Dense(1, activation='sigmoid', weights=[[[1.5], [-1]], [0.3]])",
      ],
      'a,b\n0.5,-1\n2,0.25\n-1,-1\n',
    );
    const target = join(dir, 'm.onnx');
    const r = nn('export', file, '--format', 'onnx', '-o', target);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^wrote .*m\.onnx \(model 'sequential', ONNX opset 17, 4 weights, \d+ bytes\)\n$/,
    );
    expect(readdirSync(dir).sort()).toEqual(['data.csv', 'm.nn', 'm.onnx']);
    const x = Float32Array.from([0.5, -1, 2, 0.25, -1, -1]);
    const [y] = await runOnnx(readFileSync(target), [x], [[null, 2]], 3);
    const rows = predicted(file, join(dir, 'data.csv'));
    expect(rows).toHaveLength(3);
    rows.forEach((v, i) => expect(y![i]).toBeCloseTo(v, 5));
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("applies fit(scaling=…)'s transform inside, so the file takes raw rows as nn predict does; builds a model its data shaped", async () => {
    const { dir, file } = project(
      [
        "Dense(3, activation='tanh') -> Dense(1)   # no Input: the data fixes it",
        "compile('sgd', 'mse')",
        "fit(data='data.csv', target='y', scaling='standard', epochs=2, batch_size=2)",
      ],
      'a,b,y\n50,-10,1\n200,25,0\n-100,-10,1\n10,5,0\n',
    );
    expect(nn('train', file, '--seed', '1', '--quiet').code).toBe(0);
    const target = join(dir, 'm.onnx');
    expect(nn('export', file, '--format', 'onnx', '-o', target).code).toBe(0);
    const x = Float32Array.from([50, -10, 200, 25, -100, -10, 10, 5]);
    const [y] = await runOnnx(readFileSync(target), [x], [[null, 2]], 4);
    const rows = predicted(file, join(dir, 'data.csv'));
    expect(rows).toHaveLength(4);
    rows.forEach((v, i) => expect(y![i]).toBeCloseTo(v, 5));
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('names what ONNX cannot hold, exits 1 and writes nothing', () => {
    const { dir, file } = project([
      'Input(shape=(2,)) -> Embedding(3, 1, mask_zero=True, weights=[[[0.1], [0.2], [0.3]]])',
      '  -> GRU(1, reset_after=False, weights=[[[1, 2, 3]], [[1, 2, 3]], [0, 0, 0]])',
    ]);
    const r = nn('export', file, '--format', 'onnx', '-o', join(dir, 'm.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `${file}: error: line 2, GRU 'gru': ONNX's GRU op skips only the padding at the end of a sequence (sequence_lens), where a Keras mask may hide any step: export the model with Embedding(mask_zero=False).\n`,
    );
    expect(readdirSync(dir)).toEqual(['m.nn']);
    rmSync(dir, { recursive: true, force: true });
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
  expect(out.split('\n').filter(Boolean)).toHaveLength(files.length);
});
