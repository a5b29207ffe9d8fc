/**
 * `nn emit --target keras|pytorch`: a trained model as a Python module for bigger machines.
 * Weights come as for the TypeScript module (--weights, else the file nn train wrote, else the
 * model's inline weights); a layer, argument or compile() setting the target cannot write is
 * an NN6031 diagnostic at its place in the .nn file, and nothing is written.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { makeDiagnostic, renderDiagnostic } from '../diagnostics/index.js';
import { kerasModule, torchModule, type PythonProblem } from '../interop/python.js';
import type { CheckedModel } from '../check/index.js';
import { LineMap, type Range } from '../source/index.js';
import { Model } from '../runtime/index.js';
import { unwritableReason, writeFileAtomic, type DataInfo } from '../runtime/weights-file.js';
import { version } from '../version.js';
import { CliError, defaultWeightsPath, loadChecked } from './engine.js';
import { allWeightsInline } from './predict.js';

export interface PythonEmitOptions {
  model?: string;
  weights?: string;
  out?: string;
  target: 'keras' | 'pytorch';
}

export function runPythonEmit(
  file: string,
  options: PythonEmitOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  if (options.out) {
    const why = unwritableReason(options.out);
    if (why)
      throw new CliError(`cannot write the module '${options.out}': ${why}; nothing was emitted.`);
  }
  const loaded = loadChecked(file, options.model, err);
  const model = new Model(loaded.compiled, { seed: 0 });
  const path = options.weights ?? defaultWeightsPath(file, loaded.model.name);
  let data: DataInfo | null = null;
  if (options.weights || existsSync(path)) data = model.loadWeights(path).data ?? null;
  else if (allWeightsInline(loaded)) model.build(loaded.compiled.graph.inputShape!);
  else
    throw new CliError(
      `no weights for model '${loaded.model.name}': train it first (nn train ${file}) or name them with --weights; nothing was emitted.`,
    );
  const values = model.getWeights();
  const weights = model.weightSpecs().map((w, i) => ({ ...w, values: values[i]! }));
  // A sequential model whose data fixed its input: the built shape is the module's.
  const checked: CheckedModel =
    loaded.model.inputs.length === 1 && loaded.model.inputs[0]!.shape === null && model.inputShape
      ? { ...loaded.model, inputs: [{ ...loaded.model.inputs[0]!, shape: model.inputShape }] }
      : loaded.model;
  const input = { model: checked, weights, data, file: basename(file), version };
  const result = options.target === 'keras' ? kerasModule(input) : torchModule(input);
  if (result.problems.length > 0) {
    const lines = new LineMap(loaded.source);
    for (const p of result.problems)
      err(
        renderDiagnostic(
          makeDiagnostic('cannotEmit', rangeOf(checked, p), { why: p.message }),
          lines,
          file,
        ),
      );
    return 1;
  }
  if (!options.out) {
    out(result.code);
    return 0;
  }
  try {
    writeFileAtomic(options.out, result.code);
  } catch (e) {
    throw new CliError(`cannot write the module: ${(e as Error).message}`);
  }
  return 0;
}

/** The smallest culprit: the argument of the layer (or of compile()), else the whole call. */
function rangeOf(model: CheckedModel, p: PythonProblem): Range {
  if (p.layer === null) {
    const c = model.compile;
    return (p.arg && c?.argRanges[p.arg]) || c?.range || model.range;
  }
  const layer = model.layers.find((l) => l.name === p.layer);
  if (!layer) return model.range;
  return (p.arg && layer.argRanges[p.arg]) || layer.range;
}
