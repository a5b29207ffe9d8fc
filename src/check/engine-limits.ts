/**
 * Valid Keras that nnlang's engine cannot run yet, found at check time: each is a warning with
 * the one code for "the engine cannot run this yet" (NN2015), so `nn check` and `nn summary`
 * accept valid Keras while every command that runs the engine refuses it before it starts.
 * Layers declare their own limits (LayerDef.engineLimit); losses' and metrics' are a table here.
 */
import { catalog, type Value } from '../catalog/index.js';
import { messages, type Diagnostic } from '../diagnostics/index.js';
import {
  layerDefs,
  maskingLayers,
  modelOutputShape,
  outputMask,
  shapeToString,
} from '../layers/index.js';
import type { Binder, BoundCall } from './bind.js';
import { writtenRange } from './call-rules.js';
import type { CheckedLayer, CheckedModel } from './types.js';

/** The codes that stop the engine even though they are warnings: valid Keras it cannot run yet. */
export const engineLimitCodes: ReadonlySet<string> = new Set([
  messages.unsupported.code,
  messages.memoryLimit.code,
]);

/** What stops `nn train` / `nn plan` / `loadModel`: every error, and every engine limit. */
export function engineBlockers(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error' || engineLimitCodes.has(d.code));
}

/** One argument value the engine cannot run: `runs` says which values it can. */
interface ArgLimit {
  kind: BoundCall['kind'];
  /** Canonical entry names; absent for every entry of the kind. */
  entries?: readonly string[];
  arg: string;
  runs: (value: Value, rank: number | undefined) => boolean;
  why: string;
}

const float32 = (v: Value) => v === null || v === 'float32';

/** The engine's argument limits, from the throw sites of src/plan, src/kernels and src/metrics. */
const argLimits: readonly ArgLimit[] = [
  {
    kind: 'loss',
    arg: 'axis',
    runs: (v) => v === -1 || v === null,
    why: 'the engine computes losses over the last axis only (axis=-1).',
  },
  { kind: 'loss', arg: 'dtype', runs: float32, why: "the engine computes in 'float32' only." },
  {
    kind: 'metric',
    arg: 'axis',
    runs: (v) => v === -1 || v === null,
    why: 'the engine computes metrics over the last axis only (axis=-1).',
  },
  {
    kind: 'metric',
    entries: ['precision', 'recall'],
    arg: 'thresholds',
    runs: (v) => !Array.isArray(v) || v.length === 1,
    why: 'the engine logs one value per metric, so it takes one threshold.',
  },
  ...['multi_label', 'num_labels', 'label_weights'].map((arg): ArgLimit => ({
    kind: 'metric',
    entries: ['auc'],
    arg,
    runs: (v) => v === null || v === false,
    why: 'the engine computes one AUC over all labels.',
  })),
  {
    kind: 'metric',
    entries: ['r2_score'],
    arg: 'class_aggregation',
    runs: (v) => v !== null,
    why: 'the engine logs one value per metric, so it needs an aggregation.',
  },
  {
    kind: 'metric',
    entries: ['binary_accuracy'],
    arg: 'threshold',
    runs: (v) => typeof v === 'number' && v > 0 && v < 1,
    why: 'the engine takes a threshold strictly between 0 and 1.',
  },
  { kind: 'metric', arg: 'dtype', runs: float32, why: "the engine computes in 'float32' only." },
];

/** Reports every bound call's argument the engine cannot run, and model-level limits. */
export function checkEngineLimits(
  model: CheckedModel,
  calls: readonly BoundCall[],
  binder: Binder,
): void {
  const layers = new Map(model.layers.map((l) => [l.range.start.offset, l]));
  for (const b of calls) {
    const layer = layers.get(b.callRange.start.offset);
    // A layer whose shape rule failed has its error out already; its arguments may be why.
    if (b.kind === 'layer' && layer?.inputShape && !layer.outputShape) continue;
    for (const limit of argLimits) {
      if (limit.kind !== b.kind || !(limit.arg in b.ranges)) continue;
      if (limit.entries && !limit.entries.includes(b.entry.name)) continue;
      const value = b.args[limit.arg];
      if (value === undefined || limit.runs(value, layer?.inputShape?.length)) continue;
      binder.sink.report('unsupported', writtenRange(b, limit.arg)!, {
        name: `${b.entry.name}(${limit.arg}=${show(value)})`,
        why: limit.why,
      });
    }
    // A layer's own limits live in its LayerDef.
    const limit =
      b.kind === 'layer'
        ? layerDefs[b.entry.name]?.engineLimit?.(b.args, layer?.inputShape?.length)
        : undefined;
    if (limit?.arg && limit.arg in b.ranges)
      binder.sink.report('unsupported', writtenRange(b, limit.arg)!, {
        name: `${b.entry.name}(${limit.arg}=${show(b.args[limit.arg]!)})`,
        why: limit.error,
      });
  }
  checkFrozenBatchNorm(model.layers, binder);
  checkSparseTargets(model, binder);
  checkMasks(model, binder);
}

/**
 * Follows Keras's mask from each Embedding(mask_zero=True) through the graph: a layer the engine
 * does not run with a mask is refused where it stands, naming the Embedding the mask comes from.
 * A masked output's loss and metrics run (weighted by the mask, as Keras 3's apply_mask).
 */
function checkMasks(model: CheckedModel, binder: Binder): void {
  const origin = new Map<number, CheckedLayer>();
  for (const layer of model.layers) {
    if (!layer.outputShape) continue;
    const from = layer.inputs.map((id) => origin.get(id)).find((o) => o !== undefined);
    const masked = outputMask(layer.className, layer.args, from !== undefined);
    if (masked === undefined) {
      binder.sink.report('unsupported', layer.range, {
        name: `${layer.className} after ${from!.className}(mask_zero=True)`,
        why: `Keras's mask from '${from!.name}' reaches it, and the engine carries a mask only through ${maskingLayers.join(', ')}.`,
      });
      continue;
    }
    if (masked) origin.set(layer.id, layer.className === 'Embedding' ? layer : from!);
  }
}

/** Sparse losses take one class index per sample; the engine has no per-position targets yet. */
function checkSparseTargets(model: CheckedModel, binder: Binder): void {
  const loss = model.compile?.loss;
  const out = (model.outputs[0] ?? -1) >= 0 ? modelOutputShape(model, 0) : undefined;
  if (!loss || !out || out.length <= 2) return;
  if (catalog.lookup('loss', loss.call)?.['target'] !== 'sparse') return;
  binder.sink.report('unsupported', model.compile!.argRanges['loss'] ?? model.compile!.range, {
    name: `${loss.call} on an output of shape ${shapeToString(out)}`,
    why: 'the engine takes one class index per sample, so the output must be (None, classes).',
  });
}

/** Training through a BatchNormalization(trainable=False) needs a backward pass it lacks yet. */
function checkFrozenBatchNorm(layers: readonly CheckedLayer[], binder: Binder): void {
  let trainableBefore = false;
  for (const layer of layers) {
    const frozen = layer.args['trainable'] === false;
    if (layer.className === 'BatchNormalization' && frozen && trainableBefore)
      binder.sink.report('unsupported', layer.argRanges['trainable'] ?? layer.range, {
        name: 'BatchNormalization(trainable=False)',
        why: 'the engine cannot train the layers before a frozen BatchNormalization yet.',
      });
    trainableBefore ||= !frozen && layerDefs[layer.className]?.weights !== undefined;
  }
}

/** A value as Python writes it. */
function show(v: Value): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(show).join(', ')}${v.length === 1 ? ',' : ''})`;
  if (typeof v === 'number') return String(v);
  return v.call;
}
