/**
 * `nn export --format onnx`: the checked model and its trained weights as one .onnx file (with
 * the training data's scaling, when fit() scaled it, so the file takes raw feature rows as
 * `nn predict` does),
 * written to a temporary file and renamed, so a failed export leaves no half-written model.
 */
import type { CheckedModel } from '../check/index.js';
import {
  InteropError,
  toOnnx,
  type InputScaling,
  type InteropProblem,
  type NamedWeights,
} from '../interop/index.js';
import { writeExportFile } from './engine.js';

export interface OnnxExport {
  checked: CheckedModel;
  weights: NamedWeights[];
  /** fit(scaling=…)'s transform, saved with the weights; null when the data was not scaled. */
  scaler: InputScaling | null;
  /** The .nn file, for messages. */
  file: string;
  /** The .onnx file to write. */
  target: string;
}

/** Where messages go; `report` prints problems as the other interop commands do. */
export interface OnnxOutput {
  out: (s: string) => void;
  err: (s: string) => void;
  report: (file: string, problems: InteropProblem[], err: (s: string) => void) => number;
}

export function exportOnnx(
  { checked, weights, scaler, file, target }: OnnxExport,
  { out, err, report }: OnnxOutput,
): number {
  let artifacts;
  try {
    artifacts = toOnnx(checked, weights, file, scaler);
  } catch (e) {
    if (e instanceof InteropError) return report(e.file, e.problems, err);
    throw e;
  }
  report(file, artifacts.warnings, err);
  writeExportFile(target, artifacts.bytes);
  out(
    `wrote ${target} (model '${checked.name}', ONNX opset 17, ${weights.length} weights, ${artifacts.bytes.length} bytes)\n`,
  );
  return 0;
}
