/**
 * `nn export --format onnx`: the checked model and its trained weights as one .onnx file (with
 * the training data's scaling, when fit() scaled it, so the file takes raw feature rows as
 * `nn predict` does),
 * written to a temporary file and renamed, so a failed export leaves no half-written model.
 */
import type { CheckedModel } from '../check/index.js';
import { InteropError, toOnnx, type InputScaling, type NamedWeights } from '../interop/index.js';
import { unwritableReason, writeFileAtomic } from '../runtime/weights-file.js';
import { CliError } from './engine.js';
import { report } from './interop.js';

export function exportOnnx(
  checked: CheckedModel,
  weights: NamedWeights[],
  scaler: InputScaling | null,
  file: string,
  target: string,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  let artifacts;
  try {
    artifacts = toOnnx(checked, weights, file, scaler);
  } catch (e) {
    if (e instanceof InteropError) return report(e.file, e.problems, err);
    throw e;
  }
  report(file, artifacts.warnings, err);
  const why = unwritableReason(target);
  if (why) throw new CliError(`cannot write '${target}': ${why}; nothing was exported.`);
  try {
    writeFileAtomic(target, artifacts.bytes);
  } catch (e) {
    throw new CliError(`cannot write '${target}': ${(e as Error).message}; nothing was exported.`);
  }
  out(
    `wrote ${target} (model '${checked.name}', ONNX opset 17, ${weights.length} weights, ${artifacts.bytes.length} bytes)\n`,
  );
  return 0;
}
