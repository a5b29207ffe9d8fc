/**
 * nn emit's modules against the engine: for every sample and for random models over every
 * layer, activation and fused pattern the engine runs, the module is type-checked by the
 * TypeScript compiler (strict), laid out as Prettier would, run, and its predictions compared
 * with the engine's on batches of 1, 7 and 64 — for both targets. NN_EMIT_RUNS and
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
}

/** Emits a model for both targets, checks them, runs them against the engine. */
async function checkCase({ name, model }: Case, options: { prettier: boolean }): Promise<string[]> {
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
  const features = model.inputShape!.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  const units = model.outputShape!.at(-1) ?? 1;
  for (const [code, typescript] of [
    [ts.code, true],
    [js.code, false],
  ] as const) {
    const module = await importModule<Emitted>(code, typescript);
    expect(module.selfTest().ok, `${name}: selfTest`).toBe(true);
    for (const batch of [1, 7, 64]) {
      const x = randomInputs(batch * features, batch * 7919 + features);
      expectClose(module.predict(x), model.predict(x), units, 1e-6);
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
        model: loadModel(source, { seed: 7, file: join(dir, f), ...(m ? { model: m } : {}) }),
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
      'large Dense: tiles and K blocks of 256',
      'Input(300) -> Dense(37, relu) -> Dense(130, selu) -> Dense(10, log_softmax)',
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
      'Dense without bias',
      'Input(40) -> Dense(33, use_bias=False) -> Dense(3, use_bias=False, activation=sparsemax)',
    ],
  ];
  return sources.map(([name, source]) => ({
    name,
    model: loadModel(source.replace('keras.activations.gelu', 'gelu'), { seed: 3 }),
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

  it(`${runs} random models (seed ${seed})`, async () => {
    // Draws to spare: layers that need an image or a sequence refuse most random inputs.
    const sources = fc.sample(modelSource, { seed, numRuns: runs * 8 });
    let done = 0;
    for (const [i, source] of sources.entries()) {
      if (done >= runs) break;
      let model: Model;
      try {
        model = loadModel(source, { seed: i });
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
