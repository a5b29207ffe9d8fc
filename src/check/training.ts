/**
 * compile() and fit(): bound against `specs/catalog/methods.json`, then the loss and metrics
 * checked against the model's output (units and final activation), as Keras would fail or
 * silently misbehave at training time.
 */
import type * as ast from '../ast/index.js';
import { catalog, isCallValue, type CallValue, type CatalogEntry } from '../catalog/index.js';
import { layerDefs, shapeToString } from '../layers/index.js';
import type { Range } from '../source/index.js';
import type { Binder } from './bind.js';
import { failedArgs } from './failed.js';
import { resolveCompileSpecs } from './resolve.js';
import type { CheckedModel, CompileConfig, FitConfig } from './types.js';

export function checkCompile(call: ast.Call, binder: Binder): CompileConfig {
  const reported = binder.sink.diagnostics.length;
  const b = binder.bind(call, catalog.lookup('method', 'compile')!, 'method');
  const failed = failedArgs(b, binder.sink.diagnostics.slice(reported));
  const loss = isCallValue(b.args['loss']) ? b.args['loss'] : null;
  if (!loss && !('loss' in b.ranges)) binder.sink.report('missingLoss', call.callee.range);
  const optimizer = isCallValue(b.args['optimizer'])
    ? b.args['optimizer']
    : {
        call: 'RMSprop',
        args: binder.defaults(catalog.lookup('optimizer', 'RMSprop')!, 'optimizer'),
      };
  const metrics = Array.isArray(b.args['metrics']) ? b.args['metrics'] : [];
  const specs = resolveCompileSpecs(optimizer, loss, b.ranges, call.callee.range, binder);
  return {
    optimizer,
    loss,
    optimizerSpec: specs.optimizer,
    lossSpec: specs.loss,
    metrics,
    args: b.args,
    range: call.range,
    argRanges: b.ranges,
    failedArgs: failed,
  };
}

export function checkFit(call: ast.Call, binder: Binder): FitConfig {
  const b = binder.bind(call, catalog.lookup('method', 'fit')!, 'method');
  return { args: b.args, range: call.range, argRanges: b.ranges };
}

/** The activation the model's output passes through last, and where it was written. */
export function outputActivation(model: CheckedModel): { name: string; range: Range } | undefined {
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i]!;
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
    if (!def?.passesActivation) return undefined;
  }
  return undefined;
}

/** Loss vs output: what would make training fail or be meaningless. */
export function checkLossFit(model: CheckedModel, compile: CompileConfig, binder: Binder): void {
  const loss = compile.loss;
  const out = model.layers.at(-1)?.outputShape;
  // A loss whose value (or one of its arguments) did not check is not the one to judge.
  if (!loss || !out || compile.failedArgs.has('loss')) return;
  const entry = catalog.lookup('loss', loss.call)!;
  const units = out.at(-1);
  const at = compile.argRanges['loss']!;
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
  const act = outputActivation(model);
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
  const out = model.layers.at(-1)?.outputShape;
  const units = out?.at(-1);
  if (!out || units === null || units === undefined) return;
  const at = compile.argRanges['metrics'];
  for (const m of compile.metrics) {
    if (!isCallValue(m) || !at) continue;
    if (compile.loss) checkMetricTargets(m.call, compile.loss.call, at, binder);
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
