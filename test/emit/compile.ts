/**
 * Test helpers for generated modules: type-check them with the TypeScript compiler (strict and
 * then some, as a user's project may be), check Prettier's layout, and run them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';

/** The strictest options a user's project is likely to have. */
export const strictOptions: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
  noEmit: true,
  skipLibCheck: true,
};

const dir = mkdtempSync(join(tmpdir(), 'nn-emit-'));
let counter = 0;

/** Writes files into a fresh folder; returns their paths. */
export function writeFiles(files: Record<string, string | Uint8Array>): Record<string, string> {
  const folder = join(dir, String(counter++));
  mkdirSync(folder);
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(folder, name);
    writeFileSync(paths[name]!, text);
  }
  return paths;
}

/** Type errors of a set of files checked as one program, each as `file(line): message`. */
export function typeErrors(files: readonly string[], options = strictOptions): string[] {
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName}(${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})`
      : '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** The first line where Prettier (its defaults, no config) would lay the code out differently. */
export async function prettierDiff(code: string, parser = 'typescript'): Promise<string | null> {
  const formatted = await prettier.format(code, { parser });
  if (formatted === code) return null;
  const a = code.split('\n');
  const b = formatted.split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  return `line ${i + 1}:\n  emitted:  ${a[i]}\n  prettier: ${b[i]}`;
}

/**
 * Imports a generated module: TypeScript is transpiled (types stripped), JavaScript runs as is.
 * Node itself loads it, as a user's program would: the `.generated.mjs` name is external to
 * Vitest (vitest.config.ts), whose own pipeline read, transformed and compiled a module's
 * megabytes of weights again.
 */
export async function importModule<T>(code: string, typescript = true): Promise<T> {
  const js = typescript
    ? ts.transpileModule(code, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).outputText
    : code;
  const { 'module.generated.mjs': path } = writeFiles({ 'module.generated.mjs': js });
  return (await import(pathToFileURL(path!).href)) as T;
}

/** One input's batch, as a generated module takes it. */
export type Input = Float32Array | readonly number[] | readonly (readonly number[])[];

/** What every generated module exports; a model with several inputs takes one array per input. */
export interface Emitted {
  /** A model with several outputs returns one array per output instead (Float32Array[]). */
  predict(x: Input | readonly Input[]): Float32Array;
  predictInto(
    x: Float32Array | readonly number[] | readonly Input[],
    out: Float32Array,
  ): Float32Array;
  selfTest(): { ok: boolean; maxAbsError: number };
  createModel(weights: ArrayBuffer | Uint8Array): Omit<Emitted, 'createModel'>;
  classify?(x: readonly (readonly number[])[] | readonly Input[]): string[];
  /** Single-input models only. */
  inputShape: readonly number[];
  inputShapes: readonly (readonly number[])[];
  /** Models with several inputs only. */
  inputNames?: readonly string[];
  /** Single-output models only. */
  outputShape: readonly number[];
  outputShapes: readonly (readonly number[])[];
  /** Models with several outputs only. */
  outputNames?: readonly string[];
  featureNames?: readonly string[];
  classNames?: readonly string[];
}
