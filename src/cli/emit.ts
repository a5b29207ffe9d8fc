/**
 * `nn emit`: a trained model as a standalone TypeScript (or JavaScript) module. Weights come
 * from --weights, else the file `nn train` wrote beside the .nn file, else the model's inline
 * weights=[…]; without any, it refuses — never a module of untrained weights.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { renderDiagnostic } from '../diagnostics/index.js';
import { emitModule } from '../emit/index.js';
import { LineMap } from '../source/index.js';
import { unwritableReason, writeFileAtomic } from '../runtime/weights-file.js';
import { CliError, defaultWeightsPath, loadChecked } from './engine.js';

export interface EmitCommandOptions {
  model?: string;
  weights?: string;
  /** -o: the module's path; stdout without it. */
  out?: string;
  target?: 'ts' | 'js';
  training?: boolean;
  /** --wasm: the product on the embedded WebAssembly SIMD kernels. */
  wasm?: boolean;
  /** Weights beside the module in this raw float32 file; the module exports createModel(bytes). */
  weightsFile?: string;
}

export function runEmit(
  file: string,
  options: EmitCommandOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const outputs = [
    ...(options.out ? [['the module', options.out]] : []),
    ...(options.out && options.target === 'js'
      ? [['its declarations', declarationsPath(options.out)]]
      : []),
    ...(options.weightsFile ? [['the weights', options.weightsFile]] : []),
  ];
  for (const [what, path] of outputs) {
    const why = unwritableReason(path!);
    if (why) throw new CliError(`cannot write ${what} '${path}': ${why}; nothing was emitted.`);
  }
  const loaded = loadChecked(file, options.model, err);
  const path = options.weights ?? defaultWeightsPath(file, loaded.model.name);
  let weights: Uint8Array | undefined;
  if (options.weights || existsSync(path)) {
    try {
      weights = readFileSync(path);
    } catch (e) {
      throw new CliError(`${path} - error NN6001: Cannot read '${path}': ${(e as Error).message}`);
    }
  }
  const result = emitModule(loaded.source, {
    model: loaded.model.name,
    file: basename(file),
    ...(weights ? { weights, weightsName: path } : {}),
    target: options.target ?? 'ts',
    training: options.training ?? false,
    wasm: options.wasm ?? false,
    ...(options.weightsFile ? { weightsFile: basename(options.weightsFile) } : {}),
  });
  const lines = new LineMap(loaded.source);
  for (const d of result.diagnostics) err(renderDiagnostic(d, lines, file));
  if (result.diagnostics.some((d) => d.severity === 'error')) return 1;
  try {
    if (options.weightsFile) writeFileAtomic(options.weightsFile, result.weights);
    if (!options.out) {
      out(result.code);
      return 0;
    }
    writeFileAtomic(options.out, result.code);
    if (result.declarations) writeFileAtomic(declarationsPath(options.out), result.declarations);
  } catch (e) {
    // Checked above; a disk that fills up or a folder that vanishes since is still the user's.
    throw new CliError(`cannot write the module: ${(e as Error).message}`);
  }
  return 0;
}

/** `model.js` → `model.d.ts` beside it. */
function declarationsPath(out: string): string {
  const name = basename(out).replace(/\.(m?js|ts)$/, '');
  return join(dirname(out), `${name}.d.ts`);
}
