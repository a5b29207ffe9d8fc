/**
 * nn emit's modules against the engine: for every sample and for random models over every
 * layer, activation and fused pattern the engine runs, the module is type-checked by the
 * TypeScript compiler (strict), laid out as Prettier would, run, and its predictions compared
 * with the engine’s on batches of 1, 7 and 64 — for both targets. The engine runs on the
 * JavaScript backend, whose kernels the modules mirror operation for operation. NN_EMIT_RUNS and
 * NN_FUZZ_SEED choose how many random models and which.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { catalog, emitModule, loadModel, type Model } from 'nnlang';
import { describe, expect, it } from 'vitest';
import { modelSource } from '../check/fuzz-models.js';
import {
  importModule,
  prettierDiff,
  strictOptions,
  typeErrors,
  writeFiles,
  type Emitted,
} from './compile.js';

const root = new URL('../../', import.meta.url).pathname;
const seed = Number(process.env['NN_FUZZ_SEED'] ?? 20261203);
const runs = Number(process.env['NN_EMIT_RUNS'] ?? 110);

/** A deterministic stream of normal-ish values. */
function randomInputs(n: number, s: number): Float32Array {
  let state = s >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32;
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const w = state / 2 ** 32;
    out[i] = Math.sqrt(-2 * Math.log(u + 1e-12)) * Math.cos(2 * Math.PI * w) * 2;
  }
  return out;
}

/** Fails with the first disagreement: |a − b| ≤ tol·max(1, |b|), NaN equal to NaN, same argmax per row. */
function expectClose(got: Float32Array, want: Float32Array, units: number, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const [a, b] = [got[i]!, want[i]!];
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))))
      expect.fail(`output ${i}: module ${a}, engine ${b}`);
  }
  if (units < 2) return;
  for (let r = 0; r < want.length / units; r++) {
    const row = (v: Float32Array) => Array.from(v.subarray(r * units, (r + 1) * units));
    const [g, w] = [row(got), row(want)];
    const best = w.indexOf(Math.max(...w));
    const sorted = [...w].sort((a, b) => b - a);
    // A near-tie in the engine's own output may fall either way at float precision.
    if (sorted[0]! - sorted[1]! <= tol * Math.max(1, Math.abs(sorted[0]!))) continue;
    expect(g.indexOf(Math.max(...g)), `argmax of row ${r}`).toBe(best);
  }
}

interface Case {
  name: string;
  model: Model;
  /** The vocabulary of a model that reads token ids (Embedding first): inputs are ids below it. */
  vocabulary?: number;
}

/** Random normals as token ids in [0, vocabulary). */
function tokenIds(x: Float32Array, vocabulary: number): Float32Array {
  return x.map((v) => Math.floor(Math.abs(v) * 1000) % vocabulary);
}

/** Emits a model for both targets, checks them, runs them against the engine. */
async function checkCase(
  { name, model, vocabulary }: Case,
  options: { prettier: boolean },
): Promise<string[]> {
  const ts = emitModule(model);
  expect(ts.diagnostics, name).toEqual([]);
  const js = emitModule(model, { target: 'js' });
  expect(js.diagnostics, name).toEqual([]);
  // Prettier takes seconds over reuters' 10 MB of base64; its layout is the same as a small model's.
  if (options.prettier && model.weightValues().length < 200_000) {
    expect(await prettierDiff(ts.code), `${name}: prettier`).toBeNull();
    expect(await prettierDiff(js.code, 'babel'), `${name}: prettier (js)`).toBeNull();
    expect(await prettierDiff(js.declarations!), `${name}: prettier (d.ts)`).toBeNull();
  }
  // A model reading token ids (Embedding on its input) is fed ids below its vocabulary.
  const first = model.compiled.graph.layers[0];
  const vocab =
    vocabulary ??
    (first?.className === 'Embedding' && first.inputs[0]! < 0
      ? (first.args['input_dim'] as number)
      : undefined);
  // Each input's sample shape: a graph model's Inputs, else the (possibly data-built) one.
  const inputs = model.compiled.graph.inputs;
  const shapes =
    inputs.length === 1 ? [model.inputShape!.slice(1)] : inputs.map((i) => i.shape!.slice(1));
  const sizes = shapes.map((s) => s.reduce<number>((a, b) => a * (b ?? 1), 1));
  const outputs = model.compiled.graph.outputs.length;
  // Each batch and the engine's answer to it, computed once for both targets: the engine's
  // inference is pure, and on the JavaScript backend it is most of a large model's time.
  const batches = [1, 7, 64].map((batch) => {
    // One array per input (Keras's list) for several inputs.
    const xs = sizes.map((f, k) => randomInputs(batch * f, batch * 7919 + f + 31 * k));
    const one = vocab ? tokenIds(xs[0]!, vocab) : xs[0]!;
    const x = xs.length === 1 ? one : xs;
    // Several outputs: one array per output (Keras's list), as the engine's predictOutputs.
    return { batch, x, want: model.predictOutputs(x) };
  });
  for (const [code, typescript] of [
    [ts.code, true],
    [js.code, false],
  ] as const) {
    const module = await importModule<Emitted>(code, typescript);
    expect(module.selfTest().ok, `${name}: selfTest`).toBe(true);
    expect(module.inputShapes, `${name}: inputShapes`).toEqual(shapes);
    if (inputs.length > 1) expect(module.inputNames).toEqual(inputs.map((i) => i.name));
    else expect(module.inputShape).toEqual(shapes[0]);
    if (outputs > 1) expect(module.outputNames?.length).toBe(outputs);
    else expect(module.outputShape).toEqual(module.outputShapes[0]);
    for (const { batch, x, want } of batches) {
      const got = module.predict(x);
      const gots = outputs === 1 ? [got] : (got as unknown as Float32Array[]);
      expect(gots.length).toBe(want.length);
      expect(module.outputShapes.map((s) => s.reduce((a, b) => a * b, 1))).toEqual(
        want.map((w) => w.length / batch),
      );
      want.forEach((w, k) => expectClose(gots[k]!, w, module.outputShapes[k]!.at(-1) ?? 1, 1e-6));
      if (outputs > 1) {
        // predictInto fills the caller's arrays, one per output.
        const into = want.map((w) => new Float32Array(w.length + 1));
        const fill = module.predictInto as unknown as (x: unknown, out: Float32Array[]) => unknown;
        expect(fill(x, into)).toBe(into);
        want.forEach((w, k) => expectClose(into[k]!.subarray(0, w.length), w, 1, 0));
      }
    }
  }
  const paths = writeFiles({ 'model.ts': ts.code, 'model.d.ts': js.declarations! });
  // The JavaScript module's JSDoc types, checked as a checkJs project checks them.
  const script = writeFiles({ 'model.js': js.code });
  return [paths['model.ts']!, paths['model.d.ts']!, script['model.js']!];
}

function samples(): Case[] {
  const dir = join(root, 'samples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.nn'))
    .flatMap((f) => {
      const source = readFileSync(join(dir, f), 'utf8');
      const names = [...source.matchAll(/^model (\w+)/gm)].map((m) => m[1]!);
      return (names.length ? names : [undefined]).map((m) => ({
        name: `${f}${m ? `:${m}` : ''}`,
        model: loadModel(source, {
          seed: 7,
          file: join(dir, f),
          backend: 'js',
          ...(m ? { model: m } : {}),
        }),
      }));
    });
}

/** Every activation fused into a Dense and as a layer, every normalization, folding, both matmul paths. */
function patterns(): Case[] {
  const activations = catalog
    .entries('activation')
    .filter((e) => !e.unsupported)
    .map((e) => (e.name === 'threshold' ? 'threshold' : e.name));
  const act = (a: string) => (a === 'threshold' ? "Activation('linear')" : `Activation('${a}')`);
  const sources: [string, string][] = [
    ...activations
      .filter((a) => a !== 'threshold')
      .map((a): [string, string] => [
        `Dense(…, ${a}) and Activation(${a})`,
        `Input(6) -> Dense(5, ${a}) -> Dense(7) -> ${act(a)}`,
      ]),
    [
      'relu with arguments',
      'Input(6) -> Dense(9) -> ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2) -> LeakyReLU(0.3) -> ELU(0.7) -> Softmax()',
    ],
    [
      'gelu approximate',
      "Input(6) -> Dense(9, activation=keras.activations.gelu) -> Activation('gelu')",
    ],
    [
      'BatchNormalization folded into Dense',
      'Input(5) -> Dense(12) -> BatchNormalization() -> Dense(3, softmax)',
    ],
    [
      'BatchNormalization unfolded',
      'Input(5) -> BatchNormalization(center=False) -> Dense(8, relu) -> BatchNormalization(scale=False) -> Dense(2)',
    ],
    [
      'LayerNormalization and UnitNormalization',
      'Input(shape=(3, 6)) -> LayerNormalization() -> Dense(4) -> UnitNormalization() -> Flatten() -> Dense(2, sigmoid)',
    ],
    [
      'PReLU with shared axes',
      'Input(shape=(4, 6)) -> PReLU(shared_axes=[1]) -> Dense(5) -> PReLU() -> Reshape((20,)) -> Dense(3)',
    ],
    [
      'Dropout and GaussianNoise vanish',
      'Input(8) -> Dropout(0.5) -> Dense(8, tanh) -> GaussianNoise(0.3) -> Dense(2, softmax)',
    ],
    [
      'TimeDistributed',
      'Input(shape=(4, 3)) -> TimeDistributed(Dense(5, relu)) -> TimeDistributed(LayerNormalization()) -> TimeDistributed(Dense(2)) -> Flatten() -> Dense(2)',
    ],
    [
      'Permute',
      'Input(shape=(2, 3, 4)) -> Permute((3, 1, 2)) -> Dense(2, tanh) -> Permute((2, 1, 3)) -> Flatten() -> Dense(2)',
    ],
    [
      'SpatialDropout vanishes',
      'Input(shape=(3, 4)) -> SpatialDropout1D(0.5) -> Dense(4, tanh) -> Reshape((3, 2, 2)) -> SpatialDropout2D(0.3) -> Flatten() -> Dense(2)',
    ],
    [
      'large Dense: tiles and K blocks of 256',
      'Input(300) -> Dense(37, relu) -> Dense(130, selu) -> Dense(10, log_softmax)',
    ],
    [
      'global pooling, 1D and 2D, with keepdims',
      'Input(shape=(3, 4, 2)) -> Dense(5, relu) -> GlobalMaxPooling2D(keepdims=True) -> Reshape((1, 5)) -> GlobalAveragePooling1D() -> Dense(3)',
    ],
    [
      'global pooling over steps',
      'Input(shape=(6, 3)) -> Dense(4, tanh) -> GlobalAveragePooling1D(keepdims=True) -> Flatten() -> Dense(4) -> Reshape((2, 2)) -> GlobalMaxPooling1D() -> Dense(2)',
    ],
    [
      'padding, cropping, upsampling and RepeatVector copy values',
      'Input(shape=(4, 5, 2)) -> ZeroPadding2D(((1, 0), (2, 1))) -> Cropping2D((1, 2)) -> UpSampling2D((2, 1)) -> Dense(3, tanh) -> GlobalMaxPooling2D() -> RepeatVector(3) -> ZeroPadding1D((0, 2)) -> Cropping1D(1) -> UpSampling1D(2) -> Flatten() -> Dense(2)',
    ],
    [
      'Conv2D and 2-D pooling: same and valid, strides, dilation, no bias',
      "Input(shape=(9, 8, 2)) -> Conv2D(4, 3, padding='same', activation='relu') -> MaxPooling2D() -> Conv2D(5, (2, 3), strides=(2, 1), use_bias=False) -> AveragePooling2D(2, padding='same') -> Conv2D(3, 2, dilation_rate=2, padding='same', activation=softmax) -> MaxPooling2D(3, strides=1, padding='same') -> Flatten() -> Dense(3, softmax)",
    ],
    [
      'Conv1D and 1-D pooling: causal, dilation, same',
      "Input(shape=(12, 3)) -> Conv1D(4, 3, padding='causal', dilation_rate=2, activation='tanh') -> MaxPooling1D(3, strides=2, padding='same') -> Conv1D(6, 2, activation=selu) -> AveragePooling1D(2) -> Flatten() -> Dense(2)",
    ],
    [
      'grouped, depthwise and separable convolutions, 2-D and 1-D',
      "Input(shape=(7, 6, 4)) -> Conv2D(6, 3, padding='same', groups=2, activation='relu') -> DepthwiseConv2D(2, depth_multiplier=2, strides=2) -> SeparableConv2D(3, (2, 1), padding='same', activation=tanh) -> Reshape((9, 3)) -> DepthwiseConv1D(3, dilation_rate=2, padding='same', use_bias=False) -> SeparableConv1D(4, 2, depth_multiplier=3, use_bias=False) -> Conv1D(4, 2, groups=4) -> Flatten() -> Dense(2)",
    ],
    [
      'Dense without bias',
      'Input(40) -> Dense(33, use_bias=False) -> Dense(3, use_bias=False, activation=sparsemax)',
    ],
  ];
  return sources.map(([name, source]) => ({
    name,
    model: loadModel(source.replace('keras.activations.gelu', 'gelu'), { seed: 3, backend: 'js' }),
  }));
}

/**
 * Graph models: several inputs (named, and long enough names that the Inputs tuple breaks), a
 * residual fan-out, every merge layer, Concatenate on another axis.
 */
function graphs(): Case[] {
  const two = (merge: string) =>
    `x = Input(5)\n(x -> Dense(5), x -> Dense(5, tanh)) -> ${merge} -> Dense(2)`;
  const three = (merge: string) =>
    `x = Input(5)\n(x -> Dense(5), x -> Dense(5, tanh), x) -> ${merge} -> Dense(3, softmax)`;
  const sources: [string, string][] = [
    [
      'two inputs into Concatenate',
      "a = Input(shape=(3,), name='a')\nb = Input(shape=(2,), name='b')\n(a -> Dense(4, relu), b -> Dense(4, relu)) -> Concatenate() -> Dense(1, sigmoid)",
    ],
    [
      'residual: a fan-out summed by Add',
      'x = Input(6)\nh = x -> Dense(6, relu) -> Dense(6)\n(x, h) -> Add() -> Dense(3, softmax)',
    ],
    ['Subtract', two('Subtract()')],
    ...['Add', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate'].map(
      (m): [string, string] => [`${m} of three`, three(`${m}()`)],
    ),
    [
      'Concatenate on the rows axis, inputs of two dimensions',
      "a = Input(shape=(2, 3), name='rows_a')\nb = Input(shape=(4, 3), name='rows_b')\n(a, b -> Dense(3)) -> Concatenate(axis=1) -> Flatten() -> Dense(2)",
    ],
    [
      'two outputs from a shared trunk',
      'x = Input(4)\nh = x -> Dense(8, relu)\nh -> Dense(3, softmax)\nh -> Dense(1, sigmoid)',
    ],
    [
      'two inputs, three outputs, one of them an input passed through a merge',
      [
        "a = Input(shape=(2, 3), name='a')",
        "b = Input(shape=(3,), name='b')",
        'f = a -> Flatten() -> Dense(3, tanh)',
        '(f, b) -> Add() -> Dense(2)',
        'f -> Dense(4, softmax)',
        '(b, f) -> Concatenate()',
      ].join('\n'),
    ],
    [
      'return_state and merge_mode=None: LSTM and Bidirectional states and directions, a state as an output',
      [
        'x = Input(shape=(5, 3))',
        'out, h, c = x -> LSTM(4, return_state=True)',
        'seq, fs, bs = x -> Bidirectional(GRU(2, return_sequences=True, return_state=True))',
        '(out, h, fs) -> Concatenate() -> Dense(2, softmax)',
        'seq -> Flatten() -> Dense(1)',
        'c',
        'bs',
        'f2, b2 = x -> Bidirectional(SimpleRNN(2, return_sequences=True), merge_mode=None)',
        '(f2, b2) -> Subtract() -> Flatten() -> Dense(1)',
      ].join('\n'),
    ],
    [
      'three inputs with long names',
      [
        "first = Input(shape=(4,), name='first_input_with_a_long_name')",
        "second = Input(shape=(2,), name='second_input_with_a_long_name')",
        "third = Input(shape=(3,), name='third input, not an identifier')",
        '(first, second -> Dense(4), third -> Dense(4, relu)) -> Maximum() -> Dense(2, softmax)',
      ].join('\n'),
    ],
  ];
  return sources.map(([name, source]) => ({
    name,
    model: loadModel(source + '\n', { seed: 5, backend: 'js' }),
  }));
}

/** Embedding and the recurrent cells: every cell, its options and its activations. */
function sequences(): Case[] {
  const sources: [string, string, number?][] = [
    ['Embedding into LSTM', 'Input(7) -> Embedding(30, 6) -> LSTM(5) -> Dense(3, softmax)', 30],
    [
      'LSTM options',
      'Input(shape=(6, 4)) -> LSTM(7, return_sequences=True, go_backwards=True) -> LSTM(3, use_bias=False, unit_forget_bias=False)',
    ],
    [
      'LSTM activations',
      "Input(shape=(5, 3)) -> LSTM(4, activation='relu', recurrent_activation='hard_sigmoid', return_sequences=True) -> Flatten() -> Dense(2)",
    ],
    [
      'GRU',
      'Input(shape=(6, 4)) -> GRU(5, return_sequences=True) -> GRU(4, go_backwards=True, use_bias=False)',
    ],
    [
      'GRU reset_after=False',
      'Input(shape=(5, 3)) -> GRU(4, reset_after=False, return_sequences=True) -> GRU(3, reset_after=False, use_bias=False, go_backwards=True)',
    ],
    [
      'SimpleRNN',
      "Input(shape=(6, 4)) -> SimpleRNN(5, return_sequences=True, activation='relu') -> SimpleRNN(3, activation=None, go_backwards=True)",
    ],
    [
      'Bidirectional',
      "Input(shape=(5, 3)) -> Bidirectional(LSTM(4)) -> RepeatVector(3) -> Bidirectional(GRU(2, go_backwards=True), merge_mode='mul') -> RepeatVector(2) -> Bidirectional(SimpleRNN(3, return_sequences=True), merge_mode='ave') -> Bidirectional(LSTM(2, return_sequences=True, go_backwards=True)) -> Flatten() -> Dense(2)",
    ],
    ['large LSTM: K blocks past 256', 'Input(shape=(3, 300)) -> LSTM(70) -> Dense(2)'],
    [
      "Embedding(mask_zero=True): Keras's mask through every recurrent cell",
      'Input(6) -> Embedding(4, 5, mask_zero=True) -> Dropout(0.1) -> Bidirectional(LSTM(3, return_sequences=True)) -> GRU(3, return_sequences=True, go_backwards=True) -> GRU(3, reset_after=False, return_sequences=True) -> SimpleRNN(2, return_sequences=True) -> GlobalAveragePooling1D() -> Dense(2)',
      4,
    ],
  ];
  return sources.map(([name, source, vocabulary]) => ({
    name,
    model: loadModel(source, { seed: 5, backend: 'js' }),
    ...(vocabulary ? { vocabulary } : {}),
  }));
}

describe('nn emit: modules agree with the engine', () => {
  const typeCheck: string[] = [];

  it('every sample', async () => {
    for (const c of samples()) typeCheck.push(...(await checkCase(c, { prettier: true })));
  }, 120_000);

  it('every activation, normalization and fused pattern', async () => {
    for (const c of patterns()) typeCheck.push(...(await checkCase(c, { prettier: true })));
  }, 120_000);

  it('graph models: several inputs, residuals, every merge layer', async () => {
    for (const c of graphs()) typeCheck.push(...(await checkCase(c, { prettier: true })));
  }, 120_000);

  it('several inputs: the scaling covers the inputs’ columns back to back, classify reads every input', async () => {
    const model = loadModel(
      "a = Input(shape=(2,), name='a')\nb = Input(shape=(3,), name='b')\n(a, b) -> Concatenate() -> Dense(3, softmax)\n",
      { seed: 4, backend: 'js' },
    );
    const offset = [1, -2, 0.5, 3, -1];
    const scale = [0.5, 2, 1.5, 0.25, 4];
    const data = {
      features: ['a0', 'a1', 'b0', 'b1', 'b2'],
      classes: ['x', 'y', 'z'],
      scaler: { kind: 'standard', offset, scale },
    };
    const a = [
      [1, 2],
      [-3, 0.5],
    ];
    const b = [
      [0, 1, 2],
      [4, -1, 0.25],
    ];
    // What the engine sees: each column (x − offset)·scale, input a's columns then b's.
    const scaled = (rows: number[][], at: number) =>
      Float32Array.from(
        rows.flatMap((r) => r.map((v, j) => (Math.fround(v) - offset[at + j]!) * scale[at + j]!)),
      );
    const want = model.predict([scaled(a, 0), scaled(b, 2)]);
    for (const target of ['ts', 'js'] as const) {
      const out = emitModule(model, { target, data });
      expect(out.diagnostics).toEqual([]);
      expect(await prettierDiff(out.code, target === 'ts' ? 'typescript' : 'babel')).toBeNull();
      if (target === 'ts') typeCheck.push(writeFiles({ 'model.ts': out.code })['model.ts']!);
      const module = await importModule<Emitted>(out.code, target === 'ts');
      expect(module.selfTest().ok).toBe(true);
      expect(module.featureNames).toEqual(data.features);
      expectClose(module.predict([a, b]), want, 3, 1e-6);
      expectClose(module.predict([a.flat(), Float32Array.from(b.flat())]), want, 3, 1e-6);
      const best = (r: number) => {
        const row = Array.from(want.subarray(r * 3, r * 3 + 3));
        return data.classes[row.indexOf(Math.max(...row))];
      };
      expect(module.classify!([a, b])).toEqual([best(0), best(1)]);
      // Each input is checked on its own, and named.
      expect(() => module.predict([a])).toThrow(/x holds 1 arrays: give one per input \(a, b\)/);
      expect(() => module.predict([a, b.slice(1)])).toThrow(/x\[1\] has 1 samples, x\[0\] has 2/);
      expect(() => module.predict([a, [1, 2]])).toThrow(
        /x\[1\] \('b'\) has 2 values: not a whole number of samples of 3/,
      );
      expect(() =>
        module.predict([
          a,
          [
            [1, 2],
            [3, 4],
          ],
        ]),
      ).toThrow(/sample 0 of x\[1\] \('b'\) must be an array of 3 numbers/);
    }
  });

  it('Embedding and every recurrent cell', async () => {
    for (const c of sequences()) typeCheck.push(...(await checkCase(c, { prettier: true })));
  }, 120_000);

  it(`${runs} random models (seed ${seed})`, async () => {
    // Many random chains do not fit (layers that need sequences or images after flat ones): draw
    // enough that `runs` of them run.
    const sources = fc.sample(modelSource, { seed, numRuns: runs * 16 });
    let done = 0;
    for (const [i, source] of sources.entries()) {
      if (done >= runs) break;
      let model: Model;
      try {
        model = loadModel(source, { seed: i, backend: 'js' });
      } catch {
        continue; // a model the engine refuses is not the emitter's to run
      }
      if (!model.built) continue;
      const files = await checkCase(
        { name: `random model ${i}:\n${source}`, model },
        { prettier: done % 4 === 0 },
      );
      if (done % 10 === 0) typeCheck.push(...files);
      done++;
    }
    expect(done).toBeGreaterThanOrEqual(Math.min(runs, 100));
  }, 240_000);

  it('type-checks every emitted module with the TypeScript compiler (strict, and the .d.ts of the JS target)', () => {
    expect(typeCheck.length).toBeGreaterThan(0);
    expect(typeErrors(typeCheck.filter((f) => !f.endsWith('.js')))).toEqual([]);
    const scripts = typeCheck.filter((f) => f.endsWith('.js'));
    // JavaScript has no `x[i]!`: its JSDoc holds under strict, without noUncheckedIndexedAccess.
    const checkJs = { ...strictOptions, allowJs: true, checkJs: true };
    delete checkJs.noUncheckedIndexedAccess;
    expect(typeErrors(scripts, checkJs)).toEqual([]);
  }, 120_000);
});
