/**
 * The checker: names, arguments, shapes and training setup over every model of a file,
 * producing typed models and diagnostics. It reads the AST and the catalog; it never throws
 * on user input.
 */
import type * as ast from '../ast/index.js';
import type { DiagnosticSink } from '../diagnostics/index.js';
import { modelInput, modelOutputShape } from '../layers/index.js';
import { checkAdvice } from './advice.js';
import { Binder, type BoundCall } from './bind.js';
import { checkCallRules, checkClassIds } from './call-rules.js';
import { checkEngineLimits } from './engine-limits.js';
import { checkMemory } from './memory.js';
import { reportRejected } from './resolve.js';
import { checkWeightArguments } from './weight-rules.js';
import { checkLayers, layerCallsOf, type LayerCalls } from './layers.js';
import { checkGraph, isGraph } from './graph.js';
import { collectModels, defaultGraphName, defaultModelName, type ModelSource } from './models.js';
import { checkCompile, checkFit, checkLossFit, checkMetrics } from './training.js';
import type { CallBinding, CheckedModel, ResultName } from './types.js';

export * from './types.js';
export { engineBlockers, engineLimitCodes } from './engine-limits.js';
export { engineMaxFloats, memoryNeed, type MemoryNeed } from './memory.js';
export { outputActivation } from './training.js';
export { defaultModelName, defaultGraphName } from './models.js';

/**
 * Checks every model of a parsed program, reporting into `sink`; `bindings` receives every
 * bound call, `results` every result a graph model names.
 */
export function checkProgram(
  program: ast.Program,
  sink: DiagnosticSink,
  bindings: CallBinding[] = [],
  results: ResultName[] = [],
): CheckedModel[] {
  const models = collectModels(program, sink).map((source) => {
    const binder = new Binder(sink, source.scope);
    const model = checkModel(source, binder, results);
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

function checkModel(source: ModelSource, binder: Binder, results: ResultName[]): CheckedModel {
  const graph = isGraph(source.statements);
  const model: CheckedModel = {
    name: source.name === defaultModelName && graph ? defaultGraphName : source.name,
    range: source.range,
    functional: graph,
    inputs: [],
    inputShape: null,
    layers: [],
    outputs: [],
  };
  const { compileCall, fitCall } = graph
    ? graphLayers(source, binder, model, results)
    : sequentialLayers(source, binder, model);
  for (const layer of model.layers) checkWeightArguments(layer, binder);
  if (compileCall) model.compile = checkCompile(compileCall, binder, model);
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
  const first = (model.outputs[0] ?? -1) >= 0 ? modelOutputShape(model, 0) : undefined;
  checkClassIds(binder.calls, first?.at(-1), binder);
  checkEngineLimits(model, binder.calls, binder);
  checkMemory(model, binder);
  reportRejected(binder);
  return model;
}

/** compile(…) and fit(…) of a model, each at most once. */
interface ModelCalls {
  compileCall?: ast.Call;
  fitCall?: ast.Call;
}

/** Records a compile or fit call, reporting a second one; false when `e` is neither. */
function methodCall(
  e: ast.Expression,
  calls: ModelCalls,
  source: ModelSource,
  binder: Binder,
): boolean {
  if (e.kind !== 'Call' || (e.callee.name !== 'compile' && e.callee.name !== 'fit')) return false;
  const key = e.callee.name === 'compile' ? 'compileCall' : 'fitCall';
  const earlier = calls[key];
  if (earlier)
    binder.sink.report(
      'duplicateCall',
      e.callee.range,
      { model: source.name, call: e.callee.name },
      { related: [{ range: earlier.callee.range, message: 'first call here' }] },
    );
  else calls[key] = e;
  return true;
}

/** A graph model: named results, merges, several inputs and outputs. */
function graphLayers(
  source: ModelSource,
  binder: Binder,
  model: CheckedModel,
  results: ResultName[],
): ModelCalls {
  const calls: ModelCalls = {};
  for (const s of source.statements)
    if (s.kind === 'ExpressionStatement') methodCall(s.expression, calls, source, binder);
  const g = checkGraph(source.statements, binder, model.name, source.nameRange);
  model.layers = g.layers;
  model.inputs = g.inputs.map(({ name, shape }) => ({ name, shape }));
  model.inputShape = g.inputs[0]?.shape ?? null;
  model.outputs = g.outputs;
  if (g.outputPorts) model.outputPorts = g.outputPorts;
  results.push(...g.names);
  return calls;
}

/** A sequential model: chains of layers appended in order, like Keras's model.add(). */
function sequentialLayers(source: ModelSource, binder: Binder, model: CheckedModel): ModelCalls {
  const calls: ModelCalls = {};
  const layerCalls: LayerCalls = { calls: [] };
  let layersAfterCall = false;
  for (const s of source.statements) {
    if (s.kind !== 'ExpressionStatement') continue;
    const e = s.expression;
    if (methodCall(e, calls, source, binder)) continue;
    if (e.kind === 'Chain' || e.kind === 'Call') {
      const after = calls.compileCall ?? calls.fitCall;
      if (after && !layersAfterCall)
        binder.sink.report('compileBeforeLayers', after.callee.range, { call: after.callee.name });
      layersAfterCall ||= after !== undefined;
      const found = layerCallsOf(
        e.kind === 'Chain' ? e.steps : [e],
        binder,
        layerCalls.calls.length === 0 && !layerCalls.input,
      );
      layerCalls.input ??= found.input;
      layerCalls.calls.push(...found.calls);
    } else if (e.kind !== 'Error') {
      binder.sink.report('misplacedStatement', e.range, {
        what: 'A value on its own does nothing: name it (x = …) or use it in a layer.',
      });
    }
  }
  const { layers, inputShape, inputWritten } = checkLayers(layerCalls, binder);
  model.layers = layers;
  model.inputShape = inputShape;
  model.inputs = [{ name: 'input_layer', shape: inputShape }];
  model.outputs = layers.length > 0 ? [layers.length - 1] : [modelInput(0)];
  if (layers.length === 0 && layerCalls.calls.length === 0)
    binder.sink.report('emptyModel', source.nameRange, { model: source.name });
  else if (!inputShape && !inputWritten)
    binder.sink.report('noInputShape', source.nameRange, { model: source.name });
  return calls;
}
