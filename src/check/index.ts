/**
 * The checker: names, arguments, shapes and training setup over every model of a file,
 * producing typed models and diagnostics. It reads the AST and the catalog; it never throws
 * on user input.
 */
import type * as ast from '../ast/index.js';
import type { DiagnosticSink } from '../diagnostics/index.js';
import { modelInput } from '../layers/index.js';
import { checkAdvice } from './advice.js';
import { Binder, type BoundCall } from './bind.js';
import { checkCallRules, checkClassIds } from './call-rules.js';
import { checkEngineLimits } from './engine-limits.js';
import { checkMemory } from './memory.js';
import { reportRejected } from './resolve.js';
import { checkWeightArguments } from './weight-rules.js';
import { checkLayers, layerCallsOf, type LayerCalls } from './layers.js';
import { collectModels, type ModelSource } from './models.js';
import { checkCompile, checkFit, checkLossFit, checkMetrics } from './training.js';
import type { CallBinding, CheckedModel } from './types.js';

export * from './types.js';
export { engineBlockers, engineLimitCodes } from './engine-limits.js';
export { engineMaxFloats, memoryNeed, type MemoryNeed } from './memory.js';
export { outputActivation } from './training.js';
export { defaultModelName } from './models.js';

/** Checks every model of a parsed program, reporting into `sink`; `bindings` receives every bound call. */
export function checkProgram(
  program: ast.Program,
  sink: DiagnosticSink,
  bindings: CallBinding[] = [],
): CheckedModel[] {
  const models = collectModels(program, sink).map((source) => {
    const binder = new Binder(sink, source.scope);
    const model = checkModel(source, binder);
    for (const call of binder.calls) bindings.push(bindingOf(call));
    return model;
  });
  // Once, at the end: models may come out of source order (the default model is collected first).
  bindings.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return models;
}

/** A bound call as plain data for the language server. */
function bindingOf(b: BoundCall): CallBinding {
  const args = Object.keys(b.ranges).map((param) => {
    const keywordRange = b.keywordRanges[param];
    return { param, valueRange: b.ranges[param]!, ...(keywordRange ? { keywordRange } : {}) };
  });
  args.sort((x, y) => x.valueRange.start.offset - y.valueRange.start.offset);
  return {
    range: b.callRange,
    calleeRange: b.calleeRange,
    kind: b.kind,
    entry: b.entry.name,
    args,
  };
}

function checkModel(source: ModelSource, binder: Binder): CheckedModel {
  const calls: LayerCalls = { calls: [] };
  const model: CheckedModel = {
    name: source.name,
    range: source.range,
    inputShape: null,
    layers: [],
    outputs: [],
  };
  let compileCall: ast.Call | undefined;
  let fitCall: ast.Call | undefined;
  let layersAfterCall = false;
  for (const s of source.statements) {
    if (s.kind !== 'ExpressionStatement') continue;
    const e = s.expression;
    const method =
      e.kind === 'Call' && (e.callee.name === 'compile' || e.callee.name === 'fit') ? e : undefined;
    if (method) {
      const earlier = method.callee.name === 'compile' ? compileCall : fitCall;
      if (earlier)
        binder.sink.report(
          'duplicateCall',
          method.callee.range,
          { model: source.name, call: method.callee.name },
          { related: [{ range: earlier.callee.range, message: 'first call here' }] },
        );
      else if (method.callee.name === 'compile') compileCall = method;
      else fitCall = method;
    } else if (e.kind === 'Chain' || e.kind === 'Call') {
      const after = compileCall ?? fitCall;
      if (after && !layersAfterCall)
        binder.sink.report('compileBeforeLayers', after.callee.range, { call: after.callee.name });
      layersAfterCall ||= after !== undefined;
      const found = layerCallsOf(
        e.kind === 'Chain' ? e.steps : [e],
        binder,
        calls.calls.length === 0 && !calls.input,
      );
      calls.input ??= found.input;
      calls.calls.push(...found.calls);
    } else if (e.kind !== 'Error') {
      binder.sink.report('misplacedStatement', e.range, {
        what: 'A value on its own does nothing: name it (x = …) or use it in a layer.',
      });
    }
  }
  const { layers, inputShape, inputWritten } = checkLayers(calls, binder);
  model.layers = layers;
  for (const layer of layers) checkWeightArguments(layer, binder);
  model.inputShape = inputShape;
  model.outputs = layers.length > 0 ? [layers.length - 1] : [modelInput(0)];
  if (layers.length === 0 && calls.calls.length === 0)
    binder.sink.report('emptyModel', source.nameRange, { model: source.name });
  else if (!inputShape && !inputWritten)
    binder.sink.report('noInputShape', source.nameRange, { model: source.name });
  if (compileCall) model.compile = checkCompile(compileCall, binder);
  if (fitCall) model.fit = checkFit(fitCall, binder);
  if (fitCall && !compileCall)
    binder.sink.report('fitWithoutCompile', fitCall.callee.range, {
      model: source.name,
      loss: 'categorical_crossentropy',
    });
  if (model.compile) {
    checkLossFit(model, model.compile, binder);
    checkMetrics(model, model.compile, binder);
  }
  checkAdvice(model, binder);
  // Across arguments: Keras's own rules, then what the engine cannot run yet.
  checkCallRules(binder.calls, binder);
  checkClassIds(binder.calls, model.layers.at(-1)?.outputShape?.at(-1), binder);
  checkEngineLimits(model, binder.calls, binder);
  checkMemory(model, binder);
  reportRejected(binder);
  return model;
}
