/**
 * "No user input may produce NN9001": random valid-looking models from the catalog go through
 * check → loadModel → one training step → predict → evaluate (and a few through `nn plan`).
 * A model the checker passes (engine limits counted as errors) must run; anything the engine
 * refuses must be refused as ModelError or InputError, never as an internal error.
 * NN_FUZZ_SEED and NN_FUZZ_RUNS choose the seed and the number of models.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog, check, InputError, loadModel, ModelError, type Model } from 'nnlang';
import { engineBlockers } from '../../src/check/index.js';
import { CliError } from '../../src/cli/engine.js';
import { runPlan } from '../../src/cli/plan.js';
import { layerDefs } from '../../src/layers/index.js';
import { PlanError } from '../../src/plan/index.js';
import { modelSource } from './fuzz-models.js';

const seed = Number(process.env['NN_FUZZ_SEED'] ?? 20240601);
const runs = Number(process.env['NN_FUZZ_RUNS'] ?? 400);
const tmp = mkdtempSync(join(tmpdir(), 'nn-fuzz-'));

/** Deterministic data for a model: inputs in [0, 1), targets a loss accepts. */
function dataFor(model: Model, rng: () => number, rows: number): { x: number[]; y: number[] } {
  const inSize = (model.inputShape ?? []).slice(1).reduce((a: number, d) => a * (d ?? 1), 1);
  const outSize = (model.outputShape ?? []).slice(1).reduce((a: number, d) => a * (d ?? 1), 1);
  const x = Array.from({ length: rows * inSize }, () => rng());
  const perRow = model.targetSize();
  const classes = model.outputShape?.at(-1) ?? 1;
  // Fewer targets than outputs: class indices (sparse losses), else 0/1 per output.
  const y = Array.from({ length: rows * perRow }, () =>
    perRow < outSize ? Math.floor(rng() * classes) : rng() < 0.5 ? 0 : 1,
  );
  return { x, y };
}

/** What a refusal may be: a located ModelError, or an InputError about the data. */
function expectUserError(e: unknown, source: string): void {
  const message = e instanceof Error ? e.message : String(e);
  const where = `${message}\n--- source ---\n${source}`;
  expect(message, where).not.toMatch(/NN9001|internal/i);
  if (e instanceof ModelError) expect(message, where).toMatch(/:\d+:\d+ NN\d{4} /);
  else expect(e instanceof InputError, `not a user error: ${where}`).toBe(true);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('no internal error from a valid-looking model', () => {
  it('every runnable catalog layer has a shape rule and a lowering', () => {
    const missing = catalog
      .entries('layer')
      .filter(
        (e) => !e.unsupported && !['Input', 'InputLayer', 'Add', 'Concatenate'].includes(e.name),
      )
      .filter((e) => !layerDefs[e.name]?.lowering)
      .map((e) => e.name);
    expect(missing).toEqual([]);
  });

  it('check → loadModel → trainOnBatch → predict → evaluate', () => {
    let ran = 0;
    fc.assert(
      fc.property(modelSource, fc.integer({ min: 0, max: 2 ** 30 }), (source, dataSeed) => {
        const result = check(source, 'fuzz.nn');
        for (const d of result.diagnostics)
          expect(d.code, `${d.message}\n${source}`).not.toBe('NN9001');
        const runnable = engineBlockers(result.diagnostics).length === 0;
        let model: Model;
        try {
          model = loadModel(source, { seed: dataSeed, file: 'fuzz.nn' });
        } catch (e) {
          expect(runnable, `checked clean but loadModel threw: ${String(e)}\n${source}`).toBe(
            false,
          );
          expectUserError(e, source);
          return;
        }
        expect(runnable, `loadModel accepted a model with blockers\n${source}`).toBe(true);
        const { x, y } = dataFor(model, lcg(dataSeed), 4);
        try {
          model.trainOnBatch(x, y);
          model.predict(x);
          model.evaluate(x, y);
          // The file's fit(...) callbacks run too: two short epochs.
          model.fit(x, y, { epochs: 2, batchSize: 2 });
          ran++;
        } catch (e) {
          expectUserError(e, source);
        }
      }),
      { seed, numRuns: runs },
    );
    if (process.env['NN_FUZZ_VERBOSE']) console.log(`${ran} of ${runs} models trained`);
    expect(ran).toBeGreaterThan(runs / 10);
  }, 60_000);

  it('nn plan --training of a crossentropy model plans the categorical loss the data will most likely pick', () => {
    const file = join(tmp, 'crossentropy.nn');
    writeFileSync(file, 'Input(4) -> Dense(3, softmax)\ncompile(adam, crossentropy)\n');
    const out: string[] = [];
    const code = runPlan(
      file,
      { training: true },
      (s) => out.push(s),
      () => undefined,
    );
    expect(code).toBe(0);
    expect(out.join('')).toContain('softmax_cross_entropy');
  });

  it('nn plan --training never ends in an internal error', () => {
    const samples = fc.sample(modelSource, { seed, numRuns: 16 });
    samples.forEach((source, i) => {
      const file = join(tmp, `fuzz-${i}.nn`);
      writeFileSync(file, source);
      const lines: string[] = [];
      let code: number;
      try {
        code = runPlan(
          file,
          { training: true },
          () => undefined,
          (s) => lines.push(s),
        );
      } catch (e) {
        // As src/cli/main.ts: these end in exit 1, anything else in exit 70 (NN9001).
        const user = [CliError, InputError, PlanError].some((c) => e instanceof c);
        expect(user, `exit 70: ${String(e)}\n${source}`).toBe(true);
        code = 1;
      }
      expect(code).not.toBe(70);
      for (const l of lines) expect(l).not.toMatch(/NN9001/);
    });
  });
});
