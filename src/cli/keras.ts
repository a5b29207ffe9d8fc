/**
 * `nn export --format keras` and `nn import model.keras`: Keras 3's `.keras` archive, written
 * to a temporary file and renamed into place (never half-written), and read into a .nn file
 * and its weights like any other import (`interop.ts` writes those).
 */
import type { CheckedModel } from '../check/index.js';
import {
  importKerasArchive,
  readModelFile,
  InteropError,
  toKerasArchive,
  type ImportResult,
  type InteropProblem,
  type NamedWeights,
} from '../interop/index.js';
import { writeExportFile } from './engine.js';

/** Writes `checked` with `weights` as a .keras archive at `target`; 1 after a problem. */
export async function exportKeras(
  file: string,
  checked: CheckedModel,
  weights: NamedWeights[],
  target: string,
  out: (s: string) => void,
  report: (file: string, problems: InteropProblem[]) => number,
): Promise<number> {
  let artifacts;
  try {
    artifacts = await toKerasArchive(checked, weights, file);
  } catch (e) {
    if (e instanceof InteropError) return report(e.file, e.problems);
    throw e;
  }
  report(file, artifacts.warnings);
  writeExportFile(target, artifacts.bytes);
  out(`wrote ${target} (model '${checked.name}', ${weights.length} weights, Keras 3 archive)\n`);
  return 0;
}

/** Reads a .keras archive; an unreadable file is an InteropError naming it. */
export async function readKerasFile(file: string): Promise<ImportResult> {
  return importKerasArchive(readModelFile(file), file);
}
