/**
 * Nothing from a .nn file or a weights file becomes code: hostile layer, feature and class
 * names reach the module only as string literals and sanitised identifiers, and the module
 * still type-checks, lays out as Prettier would, and gives the names back exactly. The literal
 * helpers are checked against Node's own base64 and SHA-256. A module refuses weights that are
 * not its own and its selfTest() fails when a weight is altered.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitModule, loadModel } from 'nnlang';
import { describe, expect, it } from 'vitest';
import { generateModule } from '../../src/emit/index.js';
import { base64 } from '../../src/bytes/index.js';
import { identifier, sha256, stringLiteral } from '../../src/emit/literals.js';
import type { PlanStep } from '../../src/ir/index.js';
import { nn } from '../cli/spawn.js';
import { importModule, prettierDiff, typeErrors, writeFiles, type Emitted } from './compile.js';

const hostile = [
  '*/ globalThis.pwned = 1; /*',
  '`${globalThis.pwned = 1}`',
  '"); globalThis.pwned = 1; ("',
  "'); globalThis.pwned = 1; ('",
  'line\u2028separator\u2029paragraph',
  'new\nline\r\ttab',
  '\\u0022 backslash \\',
  'lone \ud800 surrogate',
  '</script><!--',
  '',
];

describe('literals', () => {
  it('string literals evaluate back to the same text, whatever it holds', () => {
    for (const text of hostile) expect(new Function(`return ${stringLiteral(text)};`)()).toBe(text);
  });

  it('identifiers are plain, never keywords, never empty', () => {
    for (const name of [...hostile, 'class', 'constructor', '1abc', 'a-b', 'ünï']) {
      const id = identifier(name);
      expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(() => new Function(`let ${id} = 1; return ${id};`)).not.toThrow();
    }
  });

  it('base64 and sha256 agree with Node', () => {
    for (const n of [0, 1, 2, 3, 4, 55, 56, 63, 64, 65, 1000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n) & 255);
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect(sha256(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});

describe('hostile names', () => {
  const layerName = (s: string) =>
    s
      .replace(/\\/g, '\\\\')
      .replace(/'/g, "\\'")
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t');
  const source =
    `model evil {\n  Input(3)\n` +
    hostile
      .filter((h) => h !== '' && !h.includes('\ud800'))
      .map((h, i) => `  -> Dense(${i + 2}, relu, name='${layerName(h)}')\n`)
      .join('') +
    `  -> Dense(${hostile.length}, softmax, name='out')\n}\n`;

  it('reach the module only as data: it type-checks, formats, runs and returns them unchanged', async () => {
    const model = loadModel(source, { seed: 1 });
    const data = { features: hostile.slice(0, 3), classes: hostile, scaler: null };
    for (const target of ['ts', 'js'] as const) {
      const out = emitModule(model, { target, data });
      expect(out.diagnostics).toEqual([]);
      expect(await prettierDiff(out.code, target === 'ts' ? 'typescript' : 'babel')).toBeNull();
      const g = globalThis as { pwned?: number };
      delete g.pwned;
      const module = await importModule<Emitted>(out.code, target === 'ts');
      expect(g.pwned).toBeUndefined();
      expect(module.featureNames).toEqual(hostile.slice(0, 3));
      expect(module.classNames).toEqual(hostile);
      expect(module.selfTest().ok).toBe(true);
      const labels = module.classify!([[1, 2, 3]]);
      expect(hostile).toContain(labels[0]);
      // Exactly the documented exports: nothing a name could have added.
      expect(Object.keys(module).sort()).toEqual(
        [
          'classNames',
          'classify',
          'createModel',
          'featureNames',
          'inputShape',
          'inputShapes',
          'outputShape',
          'outputShapes',
          'predict',
          'predictInto',
          'selfTest',
        ].sort(),
      );
      if (target === 'ts') {
        const { 'model.ts': path } = writeFiles({ 'model.ts': out.code });
        expect(typeErrors([path!])).toEqual([]);
      }
    }
  });
});

describe('hostile input and output names', () => {
  const names = ['a`${(globalThis.pwned = 1)}`', 'b */ (globalThis.pwned = 2); /*', 'c\'"\\'];
  const quoted = (n: string) => `'${n.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const source = [
    `a = Input(shape=(2,), name=${quoted(names[0]!)})`,
    `b = Input(shape=(3,), name=${quoted(names[1]!)})`,
    `h = (a, b -> Dense(2)) -> Add(name=${quoted(names[2]!)})`,
    'h -> Dense(3)',
    'h -> Dense(1)',
    '',
  ].join('\n');

  it('name the inputs and outputs in types, constants and errors, and stay data', async () => {
    const model = loadModel(source, { seed: 3 });
    for (const target of ['ts', 'js'] as const) {
      const out = emitModule(model, { target });
      expect(out.diagnostics).toEqual([]);
      expect(await prettierDiff(out.code, target === 'ts' ? 'typescript' : 'babel')).toBeNull();
      const g = globalThis as { pwned?: number };
      delete g.pwned;
      const module = await importModule<Emitted>(out.code, target === 'ts');
      expect(module.selfTest().ok).toBe(true);
      expect(module.inputNames).toEqual(names.slice(0, 2));
      expect(module.outputNames).toHaveLength(2);
      expect(() => module.predict([[1, 2]])).toThrow(/x holds 1 arrays/);
      expect(() => module.predict([[1], [1, 2, 3]])).toThrow(/x\[0\] \('a`\$\{/);
      expect(g.pwned).toBeUndefined();
      if (target === 'ts') {
        const { 'model.ts': path } = writeFiles({ 'model.ts': out.code });
        expect(typeErrors([path!])).toEqual([]);
      }
    }
  });
});

describe('weights', () => {
  const source = 'Input(4) -> Dense(6, tanh) -> Dense(3, softmax)\n';

  it('selfTest() fails when a weight is altered, and createModel refuses weights of another size', async () => {
    const model = loadModel(source, { seed: 2 });
    const out = emitModule(model, { weightsFile: 'model.bin' });
    expect(out.code).not.toContain('const WEIGHTS');
    const module = await importModule<Emitted>(out.code);
    expect(module.createModel(out.weights).selfTest().ok).toBe(true);
    const altered = out.weights.slice();
    new DataView(altered.buffer).setFloat32(
      8,
      new DataView(altered.buffer).getFloat32(8, true) + 0.5,
      true,
    );
    const result = module.createModel(altered).selfTest();
    expect(result.ok).toBe(false);
    expect(result.maxAbsError).toBeGreaterThan(1e-5);
    expect(() => module.createModel(out.weights.subarray(4))).toThrow(/expected 204 bytes/);
  });

  it('selfTest() passes where the engine itself gives NaN (a negative moving variance), and only there', async () => {
    // VarianceScaling draws from a truncated normal: some moving variances start negative.
    const nan = loadModel(
      'Input(4) -> BatchNormalization(moving_variance_initializer=VarianceScaling(seed=3))\n',
      { seed: 1 },
    );
    const outputs = nan.predict([[1, 2, 3, 4]]);
    expect([...outputs].some(Number.isNaN)).toBe(true);
    const module = await importModule<Emitted>(emitModule(nan).code);
    expect(module.selfTest()).toEqual({ ok: true, maxAbsError: 0 });
  });

  it('predict checks its input and predictInto its output buffer', async () => {
    const model = loadModel(source, { seed: 2 });
    const module = await importModule<Emitted>(emitModule(model).code);
    expect(() => module.predict([1, 2, 3])).toThrow(/not a whole number of samples of 4/);
    expect(() => module.predict([[1, 2, 3]])).toThrow(
      /sample 0 of x must be an array of 4 numbers/,
    );
    expect(() => module.predict([1, 'a', 3, 4] as unknown as number[])).toThrow(
      /x\[1\] is not a number/,
    );
    expect(() => module.predictInto([1, 2, 3, 4], new Float32Array(2))).toThrow(
      /out holds 2 values/,
    );
    expect(module.predict([]).length).toBe(0);
    const flat = module.predict([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(
      Array.from(
        module.predict([
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ]),
      ),
    ).toEqual(Array.from(flat));
  });

  it('a model without trained weights is refused with a located error and a hint, exit 1', () => {
    const out = emitModule('model m {\n  Input(4) -> Dense(3, softmax)\n}\n');
    expect(out.code).toBe('');
    expect(out.diagnostics.map((d) => [d.code, d.range.start.line, d.hint])).toEqual([
      ['NN6030', 1, 'Run nn train first, or pass --weights.'],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'nn-emit-cli-'));
    writeFileSync(join(dir, 'm.nn'), 'model m {\n  Input(4) -> Dense(3, softmax)\n}\n');
    const r = nn('emit', join(dir, 'm.nn'));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/m\.nn:1:1 - error NN6030: Model 'm' has no trained weights/);
    expect(r.err).toMatch(/Run nn train first, or pass --weights/);
  });

  it('nn emit writes the module atomically, a .d.ts beside the JS one, and W.bin with --weights-file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nn-emit-cli-'));
    const file = join(dir, 'xor.nn');
    writeFileSync(file, readFileSync(new URL('../../samples/xor.nn', import.meta.url), 'utf8'));
    writeFileSync(
      join(dir, 'xor.csv'),
      readFileSync(new URL('../../samples/xor.csv', import.meta.url), 'utf8'),
    );
    const js = nn('emit', file, '--model', 'xor_step', '--target', 'js', '-o', join(dir, 'xor.js'));
    expect(js.code).toBe(0);
    expect(readFileSync(join(dir, 'xor.js'), 'utf8')).toMatch(/^\/\/ Generated by nnlang/);
    expect(readFileSync(join(dir, 'xor.d.ts'), 'utf8')).toMatch(/export declare function predict/);
    const bin = nn(
      'emit',
      file,
      '--model',
      'xor_step',
      '--weights-file',
      join(dir, 'xor.bin'),
      '-o',
      join(dir, 'xor.ts'),
    );
    expect(bin.code).toBe(0);
    expect(readFileSync(join(dir, 'xor.bin')).length).toBe(9 * 4);
    expect(readFileSync(join(dir, 'xor.ts'), 'utf8')).toMatch(/export function createModel/);
    const broken = nn('emit', file, '--model', 'xor_step', '--weights', join(dir, 'xor.bin'));
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/NN6032/);
  });
});

describe('an op the emitter cannot write', () => {
  it('is refused, naming the layer and the kernel, never emitted as something else', () => {
    const model = loadModel('Input(4) -> Dense(3)\n', { seed: 1 });
    const plan = model.plan('inference', 1).plan;
    const x = plan.inputs[0]!;
    // Dropout at inference is gone from plans; written in by hand, it has no forward emitter.
    const step: PlanStep = {
      op: 'dropout',
      layer: 'mystery',
      inputs: [x],
      outputs: [x, x],
      attrs: { rate: 0.5, size: 4, seed: null },
    };
    const input = {
      model: model.name,
      file: null,
      version: '0',
      summary: '',
      plan: { ...plan, steps: [step, ...plan.steps] },
      weights: Float32Array.from(model.weightValues()),
      weightSpecs: model.weightSpecs(),
      inputs: [{ name: 'x', shape: [4] }],
      outputs: [{ name: 'dense', shape: [3] }],
      features: null,
      classes: null,
      scaler: null,
      selfTest: { rows: 1, input: new Float32Array(4), output: new Float32Array(3) },
      target: 'ts' as const,
      weightsFile: null,
    };
    expect(() => generateModule(input)).toThrow(
      "layer 'mystery' needs the 'dropout' kernel, which the emitter cannot write yet.",
    );
  });
});
