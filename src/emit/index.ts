/**
 * `emitModule`: a trained model as one standalone TypeScript (or JavaScript) file. The model is
 * compiled (or taken as the engine holds it), its optimized inference plan — and for
 * `training`, its training plan — generated into code with the weights, and the engine's own
 * predictions for a few inputs embedded for the module's selfTest().
 */
import { blockersOf, compile } from '../compiler.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/index.js';
import { Rng } from '../kernels/random.js';
import { PlanError, type Plan } from '../plan/index.js';
import type { StepOf } from '../ir/index.js';
import { InputError, Model } from '../runtime/index.js';
import {
  decodeWeights,
  WeightsFileError,
  type DataInfo,
  type WeightsFile,
} from '../runtime/weights-file.js';
import type { Range } from '../source/index.js';
import { version } from '../version.js';
import type { Target } from './code.js';
import { generateModule, type ModuleExtension } from './module.js';
import { EmitError } from './steps.js';
import { trainingExtension } from './training.js';

export { generateModule, type ModuleInput, type ModuleOutput } from './module.js';
export { identifier, stringLiteral, sha256 } from './literals.js';

export interface EmitOptions {
  /** Which model of the file (default: the one with fit(), else the first). */
  model?: string;
  /** The .nn file's name, for diagnostics and the module's header. */
  file?: string;
  /** Trained weights: a weights file's bytes or its decoded content. Without them, a model whose every weight is inline. */
  weights?: Uint8Array | WeightsFile;
  /** Where the weights came from, for messages (default 'the weights'). */
  weightsName?: string;
  /** 'ts' (default) or 'js' (an ES module with JSDoc types; `declarations` holds its .d.ts). */
  target?: Target;
  /** Also export trainOnBatch() and getWeights(), from the compiled loss and optimizer. */
  training?: boolean;
  /** Keep the weights out of the module: it exports createModel(bytes) for this file's bytes. */
  weightsFile?: string;
  /** The training data's columns, classes and scaling, when the weights did not bring them. */
  data?: DataInfo;
  /** The matrix product on the engine's WebAssembly SIMD kernels, embedded as base64 (`nn emit --wasm`). */
  wasm?: boolean;
  /** Samples in the self-test (default 4). */
  selfTestRows?: number;
}

export interface EmitResult {
  /** The module's text; empty when a diagnostic is an error. */
  code: string;
  /** `target: 'js'`: the .d.ts beside it; else null. */
  declarations: string | null;
  /** The weights as little-endian float32 (the bytes of `weightsFile`). */
  weights: Uint8Array;
  sha256: string;
  diagnostics: Diagnostic[];
}

const nowhere: Range = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};

/** The first line of a range: a whole model underlined would bury the message. */
function firstLine(range: Range, source: string): Range {
  const end = source.indexOf('\n', range.start.offset);
  if (end < 0 || end >= range.end.offset) return range;
  const column = range.start.column + (end - range.start.offset);
  return { start: range.start, end: { line: range.start.line, column, offset: end } };
}

/** Emits a model from .nn source, or from a trained engine Model, as a standalone module. */
export function emitModule(source: string | Model, options: EmitOptions = {}): EmitResult {
  const failed = (diagnostics: Diagnostic[]): EmitResult => ({
    code: '',
    declarations: null,
    weights: new Uint8Array(0),
    sha256: '',
    diagnostics,
  });
  let model: Model;
  let range = nowhere;
  let layerRanges = new Map<string, Range>();
  let data: DataInfo | undefined = options.data;
  const warnings: Diagnostic[] = [];
  if (typeof source === 'string') {
    const output = compile(source, { ...(options.file ? { file: options.file } : {}) });
    const checked = output.checked;
    const chosen = options.model
      ? checked.models.find((m) => m.name === options.model)
      : (checked.models.find((m) => m.fit) ?? checked.models[0]);
    if (!chosen) {
      const names = checked.models.map((m) => `'${m.name}'`).join(', ') || 'no models';
      const errors = output.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0 && !options.model) return failed(errors);
      return failed([
        makeDiagnostic('noSuchModel', nowhere, { name: options.model ?? '', models: names }),
      ]);
    }
    const blockers = blockersOf(output.diagnostics, checked.models, chosen);
    if (blockers.length > 0) return failed(blockers);
    range = firstLine(chosen.range, source);
    layerRanges = new Map(chosen.layers.map((l) => [l.name, l.range]));
    const compiled = output.models.find((m) => m.graph.name === chosen.name);
    if (!compiled) return failed(output.diagnostics.filter((d) => d.severity === 'error'));
    // The module's kernels are the JavaScript backend's, operation for operation: its
    // selfTest outputs come from that backend.
    model = new Model(compiled, { seed: 0, backend: 'js' });
    const what = options.weightsName ?? 'the weights';
    if (options.weights) {
      try {
        const saved =
          options.weights instanceof Uint8Array
            ? decodeWeights(options.weights, what)
            : options.weights;
        model.applyWeights(saved, what);
        data = { ...saved.data, ...options.data };
      } catch (e) {
        if (e instanceof WeightsFileError || e instanceof InputError)
          return failed([makeDiagnostic('weightsDoNotFit', range, { why: e.message })]);
        throw e;
      }
    } else {
      const inline = chosen.layers.every(
        (l) => l.weights.length === 0 || (l.initialWeights?.length ?? 0) >= l.weights.length,
      );
      if (!inline || !chosen.inputShape) {
        const why = !chosen.inputShape
          ? 'its input shape comes from the training data'
          : 'no weights file was given and not every weight is written inline';
        return failed([makeDiagnostic('noTrainedWeights', range, { model: chosen.name, why })]);
      }
    }
  } else {
    model = source;
    if (!model.built)
      return failed([
        makeDiagnostic('noTrainedWeights', nowhere, {
          model: model.name,
          why: 'it is not built (train it or give it an input shape first)',
        }),
      ]);
  }

  try {
    const inference = model.plan('inference', 1).plan;
    const extensions: ModuleExtension[] = [];
    if (options.training) {
      if (!model.loss())
        return failed([
          makeDiagnostic('cannotEmit', range, {
            why: `model '${model.name}' has no compile(optimizer, loss) to train with.`,
          }),
        ]);
      const training: Plan = model.plan('training', 1).plan;
      extensions.push(trainingExtension(training, model));
    }
    // The plan's input buffers are the built model's inputs, in order (one per Input).
    const names = model.compiled.graph.inputs.map((i) => i.name);
    const inputs = inference.inputs.map((id, k) => ({
      name: names[k] ?? `input_${k}`,
      shape: inference.buffers[id]!.shape.slice(1).map((d) => d ?? 1),
    }));
    // Outputs likewise: the plan's output buffers, named after the layers they come from.
    const graph = model.compiled.graph;
    const outputs = inference.outputs.map((id, k) => {
      const node = graph.outputs[k]!;
      const name = node < 0 ? graph.inputs[-1 - node]!.name : graph.layers[node]!.name;
      return { name, shape: inference.buffers[id]!.shape.slice(1).map((d) => d ?? 1) };
    });
    const rows = options.selfTestRows ?? 4;
    const rng = new Rng(0x5e1f7e57);
    // Each input's samples, one input's block after another (as the module's selfTest reads them).
    const blocks = inputs.map((i, k) => {
      const block = new Float32Array(rows * i.shape.reduce((a, b) => a * b, 1));
      // An input that feeds token ids (Embedding) is tested on ids of its vocabulary.
      const tokens = inference.steps.find(
        (s): s is StepOf<'embedding'> =>
          s.op === 'embedding' && s.inputs[0] === inference.inputs[k],
      );
      for (let j = 0; j < block.length; j++)
        block[j] = tokens ? rng.below(tokens.attrs.vocab) : rng.normal();
      return block;
    });
    const input = new Float32Array(blocks.reduce((a, b) => a + b.length, 0));
    blocks.reduce((at, b) => (input.set(b, at), at + b.length), 0);
    // Each output's samples, one output's block after another.
    const predicted = model.predictOutputs(blocks.length === 1 ? blocks[0]! : blocks);
    const output = new Float32Array(predicted.reduce((a, b) => a + b.length, 0));
    predicted.reduce((at, b) => (output.set(b, at), at + b.length), 0);
    const scaler = data?.scaler ?? null;
    const result = generateModule({
      model: model.name,
      file: options.file ?? null,
      version,
      summary: model.summary({ lineLength: 76 }),
      plan: inference,
      weights: Float32Array.from(model.weightValues()),
      weightSpecs: model.weightSpecs(),
      inputs,
      outputs,
      features: data?.features ?? null,
      classes: data?.classes ?? null,
      scaler,
      selfTest: { rows, input, output },
      target: options.target ?? 'ts',
      weightsFile: options.weightsFile ?? null,
      wasm: options.wasm ?? false,
      extensions,
    });
    return {
      code: result.code,
      declarations: result.declarations,
      weights: result.weightBytes,
      sha256: result.sha256,
      diagnostics: warnings,
    };
  } catch (e) {
    if (e instanceof EmitError)
      return failed([
        makeDiagnostic('cannotEmit', layerRanges.get(e.layer) ?? range, { why: e.message }),
      ]);
    if (e instanceof PlanError || e instanceof InputError)
      return failed([makeDiagnostic('cannotEmit', range, { why: e.message })]);
    throw e;
  }
}
