/**
 * The emitted module as a user runs it: emitModule(model) → TypeScript text → plain JavaScript
 * (ts.transpileModule, ES2022/ESNext, as any bundler would strip the types) → a temporary .mjs
 * file → import(). What the benchmark then calls is exactly the file `nn emit` would write.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { emitModule } from '../../src/emit/index.js';
import type { Model } from '../../src/index.js';

/** The exports of an emitted module that the benchmark uses. */
export interface Emitted {
  predict(x: Float32Array): Float32Array;
  predictInto(x: Float32Array, out: Float32Array): Float32Array;
  selfTest(): { ok: boolean; maxAbsError: number };
  inputShape: readonly number[];
  outputShape: readonly number[];
}

/** Sizes of the emitted TypeScript text. */
export interface EmittedSize {
  tsBytes: number;
  tsGzipBytes: number;
  jsBytes: number;
}

const dir = mkdtempSync(join(tmpdir(), 'nn-emit-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** TypeScript → JavaScript, types stripped, modules kept as ES modules. */
export function transpile(code: string): string {
  return ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
}

/** Emits `model`, loads the module, and checks its selfTest() before any timing. */
export async function loadEmitted(
  model: Model,
  name: string,
): Promise<{ module: Emitted; size: EmittedSize }> {
  const result = emitModule(model);
  if (!result.code)
    throw new Error(`emitModule failed: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  const js = transpile(result.code);
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  const module = (await import(pathToFileURL(file).href)) as Emitted;
  const check = module.selfTest();
  if (!check.ok)
    throw new Error(`${name}: the emitted module's selfTest failed (${check.maxAbsError})`);
  return {
    module,
    size: {
      tsBytes: Buffer.byteLength(result.code),
      tsGzipBytes: gzipSync(result.code, { level: 9 }).length,
      jsBytes: Buffer.byteLength(js),
    },
  };
}
