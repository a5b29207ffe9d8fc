/**
 * compile() and fit(): bound against `specs/catalog/methods.json`, then the loss and metrics
 * checked against the model's output (units and final activation), as Keras would fail or
 * silently misbehave at training time.
 */
import type * as ast from '../ast/index.js';
import {
  catalog,
  isCallValue,
  type CallValue,
  type CatalogEntry,
  type Value,
} from '../catalog/index.js';
import {
  layerDefs,
  modelOutputShape,
  nodeShape,
  outputPort,
  shapeToString,
  type NodeId,
  type Shape,
} from '../layers/index.js';
import type { Range } from '../source/index.js';
import type { Binder } from './bind.js';
import { failedArgs } from './failed.js';
import { resolveCompileSpecs, resolveLossSpec } from './resolve.js';
import type { CheckedModel, CompileConfig, FitConfig } from './types.js';

export function checkCompile(call: ast.Call, binder: Binder, model: CheckedModel): CompileConfig {
  const reported = binder.sink.diagnostics.length;
  const b = binder.bind(call, catalog.lookup('method', 'compile')!, 'method');
  const failed = failedArgs(b, binder.sink.diagnostics.slice(reported));
  const outputs = model.outputs.length;
  const written = b.args['loss'];
  const listed = Array.isArray(written) ? written.filter(isCallValue) : null;
  const loss = listed ? (listed[0] ?? null) : isCallValue(written) ? written : null;
  if (!loss && !('loss' in b.ranges)) binder.sink.report('missingLoss', call.callee.range);
  if (listed && Array.isArray(written) && written.length !== outputs && !failed.has('loss'))
    binder.sink.report('lossCount', b.ranges['loss']!, {
      found: String(written.length),
      model: model.name,
      outputs: String(outputs),
    });
  const optimizer = isCallValue(b.args['optimizer'])
    ? b.args['optimizer']
    : {
        call: 'RMSprop',
        args: binder.defaults(catalog.lookup('optimizer', 'RMSprop')!, 'optimizer'),
      };
  const outputMetrics = metricsPerOutput(b.args['metrics'], b.ranges['metrics'], model, binder);
  const specs = resolveCompileSpecs(optimizer, loss, b.ranges, call.callee.range, binder);
  // Keras applies one loss to every output; a list gives each output its own.
  const losses = (listed ?? (loss ? model.outputs.map(() => loss) : [])).map((l, k) => ({
    loss: l,
    lossSpec: k === 0 || l === loss ? specs.loss : resolveLossSpec(l, b.ranges['loss']!, binder),
  }));
  return {
    optimizer,
    loss,
    losses,
    lossWeights: lossWeights(b.args['loss_weights'], b.ranges['loss_weights'], model, binder),
    optimizerSpec: specs.optimizer,
    lossSpec: specs.loss,
    metrics: outputMetrics.flat(),
    outputMetrics,
    args: b.args,
    range: call.range,
    argRanges: b.ranges,
    failedArgs: failed,
  };
}

/**
 * compile(metrics=…) as Keras 3's CompileMetrics reads it: with one output every metric (lists
 * flattened) is that output's; with several, one entry per output in order — a metric, a list
 * of metrics, or None — each logged as `<output>_<metric>`.
 */
function metricsPerOutput(
  value: Value | undefined,
  at: Range | undefined,
  model: CheckedModel,
  binder: Binder,
): CallValue[][] {
  const outputs = Math.max(1, model.outputs.length);
  if (!Array.isArray(value) || !at) return Array.from({ length: outputs }, () => []);
  const metricsOf = (entry: Value): CallValue[] =>
    Array.isArray(entry) ? entry.filter(isCallValue) : isCallValue(entry) ? [entry] : [];
  if (outputs === 1) {
    if (value.some((entry) => entry === null))
      binder.sink.report('wrongType', at, {
        arg: 'metrics',
        callee: 'compile',
        expected: "a list of metrics such as ['accuracy']",
        found: 'None',
      });
    return [value.flatMap(metricsOf)];
  }
  if (value.length !== outputs) {
    binder.sink.report('metricsCount', at, {
      found: String(value.length),
      model: model.name,
      outputs: String(outputs),
      example: `[${['accuracy', ...Array.from({ length: outputs - 1 }, () => 'None')].map((m) => (m === 'None' ? m : `['${m}']`)).join(', ')}]`,
    });
    return Array.from({ length: outputs }, () => []);
  }
  return value.map(metricsOf);
}

/** compile(loss_weights=[…]): a finite number per output, or null when not written (all 1). */
function lossWeights(
  value: Value | undefined,
  at: Range | undefined,
  model: CheckedModel,
  binder: Binder,
): number[] | null {
  if (value === null || value === undefined || !at) return null;
  const outputs = model.outputs.length;
  const list = Array.isArray(value) ? value : [value];
  const why = !list.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? 'each must be a number.'
    : list.length !== outputs
      ? `found ${list.length}.`
      : undefined;
  if (why) {
    binder.sink.report('invalidLossWeights', at, {
      model: model.name,
      outputs: String(outputs),
      why,
    });
    return null;
  }
  return list as number[];
}

export function checkFit(call: ast.Call, binder: Binder): FitConfig {
  const b = binder.bind(call, catalog.lookup('method', 'fit')!, 'method');
  // nnlang's own argument: one column of the CSV, by name or 0-based index.
  const target = b.args['target'];
  if (
    target !== null &&
    target !== undefined &&
    typeof target !== 'string' &&
    typeof target !== 'number'
  ) {
    binder.sink.report('invalidArgumentValue', b.ranges['target']!, {
      arg: 'target',
      callee: 'fit',
      why: "names one column of the CSV, by name ('species') or 0-based index; the file trains a model with one output.",
    });
    delete b.args['target'];
  }
  return { args: b.args, range: call.range, argRanges: b.ranges };
}

/**
 * The activation an output (the first, by default) passes through last, and where it was
 * written: found walking back from the output through layers that pass it on (Dropout).
 */
export function outputActivation(
  model: CheckedModel,
  output: NodeId | undefined = model.outputs[0],
): { name: string; range: Range } | undefined {
  for (let id = output; id !== undefined && id >= 0;) {
    const layer = model.layers[id];
    if (!layer) return undefined;
    const def = layerDefs[layer.className];
    // An activation written but not resolved is unknown, not the default 'linear'.
    if (def?.activationArg && layer.failedArgs.has(def.activationArg)) return undefined;
    const v = def?.activation?.(layer.args);
    if (v !== undefined) {
      const name =
        v === null ? 'linear' : typeof v === 'string' ? v : isCallValue(v) ? v.call : 'linear';
      const at = def?.activationArg ? layer.argRanges[def.activationArg] : undefined;
      return { name, range: at ?? layer.range };
    }
    if (!def?.passesActivation || layer.inputs.length !== 1) return undefined;
    id = layer.inputs[0];
  }
  return undefined;
}

/** Loss vs output, for each output and its loss: what would make training fail or be meaningless. */
export function checkLossFit(model: CheckedModel, compile: CompileConfig, binder: Binder): void {
  // A loss whose value (or one of its arguments) did not check is not the one to judge.
  if (compile.failedArgs.has('loss') || compile.losses.length !== model.outputs.length) return;
  compile.losses.forEach(({ loss }, k) => {
    const id = model.outputs[k]!;
    const port = outputPort(model, k);
    const out = nodeShape(model, id, port);
    // A returned state (port > 0) passes through no activation the advice could name.
    const at = port === 0 ? id : undefined;
    if (out) checkOneLoss(model, at, out, loss, compile.argRanges['loss']!, binder);
  });
}

function checkOneLoss(
  model: CheckedModel,
  id: NodeId | undefined,
  out: Shape,
  loss: CallValue,
  at: Range,
  binder: Binder,
): void {
  const entry = catalog.lookup('loss', loss.call)!;
  const units = out.at(-1);
  const shape = shapeToString(out);
  const target = entry['target'];
  if (units === 1 && target === 'one_hot') {
    binder.sink.report(
      'lossMismatch',
      at,
      {
        loss: entry.name,
        shape,
        why: 'with one unit the softmax cross-entropy is always 0, so nothing is learned.',
      },
      { hint: "For two classes use one sigmoid unit with 'binary_crossentropy'." },
    );
  } else if (units === 1 && target === 'sparse') {
    binder.sink.report(
      'lossMismatch',
      at,
      { loss: entry.name, shape, why: 'it needs one output unit per class.' },
      { hint: "For two classes use one sigmoid unit with 'binary_crossentropy'." },
    );
  }
  const act = id === undefined ? undefined : outputActivation(model, id);
  if (!act || units === null || units === undefined) return;
  checkLossActivation(entry, loss, act.name, units, at, binder);
}

function checkLossActivation(
  entry: CatalogEntry,
  loss: CallValue,
  activation: string,
  units: number,
  at: Range,
  binder: Binder,
): void {
  const fromLogits = loss.args['from_logits'] === true;
  const produces = catalog.lookup('activation', activation)?.['output'];
  const report = (why: string, hint: string) =>
    binder.sink.report(
      'lossActivationMismatch',
      at,
      { loss: entry.name, activation, why },
      { hint },
    );
  if (entry['target'] === 'binary' && activation === 'softmax' && units > 1) {
    report(
      `softmax makes the ${units} units compete, but this loss scores each one as an independent yes/no.`,
      "Use 'categorical_crossentropy' for one class per sample, or 'sigmoid' outputs for several labels per sample.",
    );
  } else if (
    (entry['target'] === 'one_hot' || entry['target'] === 'sparse') &&
    !fromLogits &&
    produces === 'probability' &&
    units > 1
  ) {
    report(
      `${activation} scores each of the ${units} units as an independent yes/no, but this loss expects one probability distribution over the classes.`,
      `Use activation='softmax' on the last layer, or 'binary_crossentropy' for several labels per sample.`,
    );
  } else if (
    entry['expectsProbabilities'] &&
    !fromLogits &&
    (produces === 'unbounded' || produces === 'nonnegative' || produces === 'bounded')
  ) {
    const act = entry['target'] === 'binary' ? 'sigmoid' : 'softmax';
    report(
      `this loss expects probabilities, but '${activation}' outputs are not.`,
      `Add activation='${act}' to the last layer, or pass from_logits=True to the loss.`,
    );
  } else if (fromLogits && (produces === 'probability' || produces === 'probabilities')) {
    report(
      'from_logits=True expects raw scores, but the outputs are already probabilities.',
      `Drop '${activation}' from the last layer, or remove from_logits=True.`,
    );
  }
}

/** Metric vs output: Keras resolves 'accuracy' by shapes; flag the ones that cannot fit. */
export function checkMetrics(model: CheckedModel, compile: CompileConfig, binder: Binder): void {
  const at = compile.argRanges['metrics'];
  if (!at) return;
  compile.outputMetrics.forEach((metrics, k) => {
    const id = model.outputs[k];
    const out = id !== undefined && id >= 0 ? modelOutputShape(model, k) : undefined;
    const units = out?.at(-1);
    if (!out || units === null || units === undefined) return;
    const loss = compile.losses[k]?.loss ?? compile.loss;
    for (const m of metrics) {
      if (loss) checkMetricTargets(m.call, loss.call, at, binder);
      if (
        units === 1 &&
        (m.call === 'categorical_accuracy' || m.call === 'top_k_categorical_accuracy')
      ) {
        binder.sink.report(
          'metricMismatch',
          at,
          {
            metric: m.call,
            shape: shapeToString(out),
            why: 'with one unit the arg-max is always 0, so it always reports 1.0.',
          },
          { hint: "Use 'accuracy' or 'binary_accuracy'." },
        );
      }
    }
  });
}

/** Targets are encoded for the loss: one class index (sparse) or one value per unit (else). */
function checkMetricTargets(metric: string, loss: string, at: Range, binder: Binder): void {
  const needs = catalog.lookup('metric', metric)?.['needs'];
  const sparseLoss = catalog.lookup('loss', loss)?.['target'] === 'sparse';
  if (needs === 'auto' || needs === undefined) return;
  const sparseMetric = needs === 'sparse';
  if (sparseLoss === sparseMetric) return;
  binder.sink.report('metricTargetMismatch', at, {
    metric,
    loss,
    needs: sparseMetric ? 'one class index per sample' : 'one target value per output unit',
    takes: sparseLoss ? 'one class index per sample' : 'one target value per output unit',
    hint: sparseLoss
      ? `Use the sparse metric, e.g. 'sparse_${metric.replace(/^sparse_/, '')}', or 'accuracy'.`
      : `Use '${metric.replace(/^sparse_/, '')}', or 'accuracy'.`,
  });
}
