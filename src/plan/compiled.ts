/**
 * What the compiler hands the runtime for one model: its graph and its training setup. The
 * runtime reads nothing else of the checker's output, so it runs the same whether the model
 * came from a .nn file, a saved format, or code.
 */
import { catalog, type Args, type CallValue, type Value } from '../catalog/index.js';
import type { CheckedModel } from '../check/index.js';
import { PlanError, type OptimizerSpec, type Plan } from '../ir/index.js';
import { resolveLoss, type LossSpec } from '../kernels/index.js';
import { nodeShape, outputPort, sampleSize, type ModelGraph, type Shape } from '../layers/index.js';
import { planModel, type PlanRequest } from './pipeline.js';
import { layoutParams } from './params.js';

export interface TrainingSetup {
  optimizer: OptimizerSpec;
  /** The loss as the catalog names it; 'crossentropy' is resolved by the data's shapes, as Keras does. */
  loss: CallValue | null;
  /** The loss resolved by the checker; null for 'crossentropy', which the data resolves. */
  lossSpec: LossSpec | null;
  /**
   * The compiled metrics, one list per output; each is resolved by its output's and targets'
   * shapes, as Keras resolves 'accuracy'.
   */
  metrics: CallValue[][];
  /**
   * One loss per output (the first is `loss` / `lossSpec`): a list in compile(), or the one
   * loss for every output, as Keras applies it.
   */
  losses: { loss: CallValue; lossSpec: LossSpec | null }[];
  /** compile(loss_weights=…): one per output, 1 each by default. */
  lossWeights: number[];
}

export interface CompiledModel {
  graph: ModelGraph;
  /** compile(…): null when the file has none. */
  training: TrainingSetup | null;
  /** fit(…)'s arguments, the defaults of the library's fit(). */
  fit: Args;
}

/** A checked model as the runtime takes it. */
export function compiledModelOf(model: CheckedModel): CompiledModel {
  const graph: ModelGraph = {
    name: model.name,
    functional: model.functional,
    inputs: model.inputs,
    inputShape: model.inputShape,
    layers: model.layers,
    outputs: model.outputs,
    ...(model.outputPorts ? { outputPorts: model.outputPorts } : {}),
  };
  const compile = model.compile;
  if (compile && !compile.optimizerSpec)
    throw new PlanError(
      `internal: model '${model.name}' has an optimizer the checker did not resolve.`,
    );
  const training =
    compile && compile.optimizerSpec
      ? {
          optimizer: compile.optimizerSpec,
          loss: compile.loss,
          lossSpec: compile.lossSpec,
          metrics: compile.outputMetrics,
          losses: compile.losses,
          lossWeights: compile.lossWeights ?? model.outputs.map(() => 1),
        }
      : null;
  return { graph, training, fit: model.fit?.args ?? {} };
}

/** Targets per sample the loss takes: one class index for sparse losses, else the output's size. */
export function targetSizeOf(loss: CallValue | null, outputSize: number): number {
  return loss && catalog.lookup('loss', loss.call)?.['target'] === 'sparse' ? 1 : outputSize;
}

/**
 * The loss a training plan computes. 'crossentropy' is Keras's by-the-data choice; before any
 * data it is binary for one output unit and categorical otherwise (sparse targets switch it).
 */
export function lossForPlan(loss: CallValue, outputUnits: number): CallValue {
  if (catalog.lookup('loss', loss.call)?.['target'] !== 'auto') return loss;
  const call = outputUnits === 1 ? 'binary_crossentropy' : 'categorical_crossentropy';
  const entry = catalog.lookup('loss', call)!;
  const args = Object.fromEntries(
    entry.args.filter((a) => a.name in loss.args).map((a) => [a.name, loss.args[a.name]!]),
  );
  return { call, args };
}

export interface PlanOptions {
  mode: Plan['mode'];
  batchSize: number;
  /** The loss when the data resolved it (loss='crossentropy'); else the compiled one. */
  loss?: CallValue;
  optimize?: boolean;
  /** Training: a plan for fit's health figures (PlanRequest.observe). */
  observe?: boolean;
  onPass?: (name: string, plan: Plan) => void;
}

/** The plan of a compiled model whose graph is built: lowered, optimized, laid out, verified. */
export function planCompiled(
  compiled: CompiledModel,
  graph: ModelGraph,
  options: PlanOptions,
): Plan {
  const params = layoutParams(graph.layers);
  let withLoss: PlanRequest['evaluation'];
  const setup = compiled.training;
  if (options.mode !== 'inference') {
    if (!setup?.loss)
      throw new PlanError(
        `model '${graph.name}' has no loss: add compile(optimizer, loss) to ${options.mode === 'training' ? 'train' : 'evaluate'} it.`,
      );
    const losses = graph.outputs.map((id, k) => {
      const output = nodeShape(graph, id, outputPort(graph, k));
      if (!output) throw new PlanError(`model '${graph.name}' is not built.`);
      const written = setup.losses[k] ?? { loss: setup.loss!, lossSpec: setup.lossSpec };
      const given = k === 0 ? options.loss : undefined;
      const loss = given ?? lossForPlan(written.loss, output.at(-1) ?? 1);
      // The checker's spec, unless the data (or, before any, the output) chose a crossentropy.
      const spec =
        loss === written.loss && written.lossSpec
          ? written.lossSpec
          : resolveLoss(loss.call, loss.args);
      return {
        loss: spec,
        targetSize: targetSizeOf(loss, sampleSize(output)),
        weight: setup.lossWeights[k] ?? 1,
      };
    });
    withLoss = { losses };
  }
  return planModel({
    graph,
    params,
    batchSize: options.batchSize,
    ...(withLoss && options.mode === 'training'
      ? { training: { ...withLoss, optimizer: setup!.optimizer } }
      : {}),
    ...(withLoss && options.mode === 'evaluation' ? { evaluation: withLoss } : {}),
    ...(options.optimize === undefined ? {} : { optimize: options.optimize }),
    ...(options.onPass ? { onPass: options.onPass } : {}),
    ...(options.observe ? { observe: true } : {}),
  });
}

/** The shape of a built graph's (first) output. */
export function outputShapeOf(graph: ModelGraph): Shape {
  const id = graph.outputs[0]!;
  const shape = id < 0 ? graph.inputShape : graph.layers[id]!.outputShape;
  if (!shape) throw new PlanError(`model '${graph.name}' is not built.`);
  return shape;
}
