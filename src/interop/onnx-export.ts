/**
 * A checked model and its weights → a standard ONNX model (default domain, opset 17) of its
 * inference: one graph input per model input and one output per model output, named as in the
 * model, with a dynamic batch axis ('batch'). Each layer becomes standard ops through its
 * converter (onnx-core, onnx-conv, onnx-recurrent); a layer or argument ONNX cannot hold is a
 * problem at its place in the file, and nothing is written.
 *
 * It starts from the checked model rather than the optimized plan: the plan's steps are the
 * engine's fused kernels (BatchNorm folded into a scale, activations inside Dense), while ONNX
 * has an op per Keras layer, so the layers give the cleaner, standard graph.
 */
import type { CallValue } from '../catalog/index.js';
import type { CheckedModel } from '../check/index.js';
import {
  activationSpec,
  inferShapes,
  inputPort,
  outputMask,
  layerDefs,
  outputNamesOf,
  outputPort,
  type NodeId,
  type Shape,
} from '../layers/index.js';
import { version } from '../version.js';
import { coreConverters, tokenMask } from './onnx-core.js';
import { convConverters } from './onnx-conv.js';
import { OnnxGraph } from './onnx-graph.js';
import { at, dims, type Converter, type OnnxLayer, type Weight } from './onnx-layer.js';
import {
  dataType,
  encodeOnnx,
  onnxIrVersion,
  onnxOpset,
  type OnnxValueInfo,
} from './onnx-proto.js';
import { recurrentConverters } from './onnx-recurrent.js';
import { Problems, type InteropProblem } from './problems.js';
import type { NamedWeights } from './tfjs-export.js';

/** TimeDistributed: the inner layer over (batch·steps, …), regrouped by step after. */
const timeDistributed: Converter = (c, [x]) => {
  const inner = c.layer.args['layer'] as CallValue;
  const convert = converters[inner.call];
  if (!convert) {
    c.problem(`ONNX export has no ${inner.call} inside TimeDistributed.`, 'layer');
    return [x!];
  }
  const [input, output] = [c.layer.inputShapes[0]!, c.layer.outputShape];
  const innerLayer: OnnxLayer = {
    className: inner.call,
    name: c.layer.name,
    args: inner.args,
    inputShapes: [[null, ...input.slice(2)]],
    outputShape: [null, ...output.slice(2)],
    activation: activationSpec(inner.args['activation'] ?? null),
  };
  // Dense acts on the last axis of any rank: no regrouping needed.
  if (inner.call === 'Dense')
    return convert({ ...c, layer: { ...innerLayer, inputShapes: [input], outputShape: output } }, [
      x!,
    ]);
  const flat = c.g.op(
    'Reshape',
    [x!, c.g.ints([-1, ...dims(innerLayer.inputShapes[0]!)])],
    `${at(c)}/steps`,
  );
  const [y] = convert({ ...c, layer: innerLayer }, [flat]);
  return [
    c.g.op('Reshape', [y!, c.g.ints([-1, input[1]!, ...dims(innerLayer.outputShape)])], at(c)),
  ];
};

const converters: Record<string, Converter> = {
  ...coreConverters,
  ...convConverters,
  ...recurrentConverters,
  TimeDistributed: timeDistributed,
};

/** The classes the ONNX export converts (the interop matrix reads it). */
export const onnxLayerClasses: readonly string[] = Object.keys(converters);

/**
 * fit(scaling=…)'s transform of the training data, x' = (x − offset)·scale per column of a row
 * (the inputs' values one after another, as a CSV row holds them), saved with the weights.
 */
export interface InputScaling {
  offset: readonly number[];
  scale: readonly number[];
}

/** A layer's built shapes. */
interface Built {
  outputShape: Shape;
  extraOutputShapes?: Shape[] | undefined;
}

export interface OnnxArtifacts {
  /** The .onnx file's bytes. */
  bytes: Uint8Array;
  warnings: InteropProblem[];
}

function valueInfo(name: string, shape: Shape): OnnxValueInfo {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: dataType.float,
        shape: {
          dim: shape.map((d, i) =>
            i === 0 || d === null ? { dim_param: i === 0 ? 'batch' : `d${i}` } : { dim_value: d },
          ),
        },
      },
    },
  };
}

/** Where a layer stands in the .nn file, for problems: `line 3, Conv2D 'conv2d'`. */
function layerPath(model: CheckedModel, k: number): string {
  const l = model.layers[k]!;
  return `line ${l.range.start.line}, ${l.className} '${l.name}'`;
}

/**
 * The ONNX model of `model` with `weights` (get_weights() order), taking raw rows when
 * `scaling` is given. Throws an InteropError naming every layer or argument ONNX cannot hold.
 */
export function toOnnx(
  model: CheckedModel,
  weights: NamedWeights[],
  file = model.name,
  scaling: InputScaling | null = null,
): OnnxArtifacts {
  const problems = new Problems();
  checkInputs(model, weights, scaling, problems);
  problems.throwIfFailed(file);
  const shapeOf = builtShapes(model, problems);
  problems.throwIfFailed(file);
  const g = new OnnxGraph();
  const inputs = model.inputs.map((i) => g.reserve(i.name));
  const outputNames = modelOutputNames(model);
  for (const name of outputNames) g.reserve(name);
  const scaled = scaling ? scaleInputs(g, model, inputs, scaling) : inputs;
  const values = new Map<NodeId, string[]>(scaled.map((name, k) => [-1 - k, [name]]));
  // Keras's mask on each node's first output (masking.ts says which layers pass it on).
  const masks = new Map<NodeId, string | null>();
  for (const [k, l] of model.layers.entries()) {
    const xs = l.inputs.map((id, i) => values.get(id)![inputPort(l, i)]!);
    const layer: OnnxLayer = {
      className: l.className,
      name: l.name,
      args: l.args,
      inputShapes: l.inputs.map((id, i) => shapeOf(id, inputPort(l, i))),
      outputShape: shapeOf(l.id, 0),
      activation: l.specs.activation ?? activationSpec(null),
    };
    const own = weights.filter((w) => w.layer === l.name);
    const first = l.inputs[0]!;
    const mask = first >= 0 && inputPort(l, 0) === 0 ? (masks.get(first) ?? null) : null;
    const path = layerPath(model, k);
    values.set(l.id, convertLayer(g, layer, xs, mask, own, path, problems) ?? xs);
    const passes = outputMask(l.className, l.args, mask !== null) === true;
    masks.set(
      l.id,
      l.className === 'Embedding'
        ? passes
          ? tokenMask(g, xs[0]!, l.name)
          : null
        : passes
          ? mask
          : null,
    );
  }
  problems.throwIfFailed(file);
  g.finish(
    model.outputs.map((id, k) => ({
      value: values.get(id)![outputPort(model, k)]!,
      name: outputNames[k]!,
    })),
    inputs,
  );
  const bytes = encodeOnnx({
    ir_version: onnxIrVersion,
    producer_name: 'nnlang',
    producer_version: version,
    opset_import: [{ domain: '', version: onnxOpset }],
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: model.inputs.map((i) => valueInfo(i.name, i.shape!)),
      output: model.outputs.map((id, k) =>
        valueInfo(outputNames[k]!, shapeOf(id, outputPort(model, k))),
      ),
    },
  });
  return { bytes, warnings: problems.list };
}

/** Known input shapes, finite weights, and a scaling with one entry per input value. */
function checkInputs(
  model: CheckedModel,
  weights: NamedWeights[],
  scaling: InputScaling | null,
  problems: Problems,
): void {
  if (model.inputs.some((i) => i.shape === null || i.shape.slice(1).some((d) => d === null))) {
    problems.error(
      model.name,
      "the model's input shape is not fully known: write Input(shape=…) to export it.",
    );
    return;
  }
  for (const w of weights)
    if (w.values.some((v) => !Number.isFinite(v)))
      problems.error(`weights.${w.layer}/${w.name}`, 'holds a value that is not finite.');
  const columns = model.inputs.reduce((n, i) => n + dims(i.shape!).reduce((a, b) => a * b, 1), 0);
  if (scaling && (scaling.offset.length !== columns || scaling.scale.length !== columns))
    problems.error(
      'weights.data.scaler',
      `the training's scaling has ${scaling.offset.length} columns; the model's inputs take ${columns}.`,
    );
}

/**
 * The shape of output `port` of node `id`, for every node. A sequential model whose data fixed
 * its input shape was checked unbuilt: it is built here from the input shape.
 */
function builtShapes(model: CheckedModel, problems: Problems): (id: NodeId, port: number) => Shape {
  const inferred = model.layers.every((l) => l.outputShape)
    ? model.layers.map((l) => ({
        outputShape: l.outputShape!,
        extraOutputShapes: l.extraOutputShapes,
      }))
    : inferShapes(
        model.layers,
        model.inputs.map((i) => i.shape!),
        layerDefs,
      );
  if (!Array.isArray(inferred))
    problems.error(layerPath(model, inferred.node), inferred.error.error);
  const built = Array.isArray(inferred) ? (inferred as Built[]) : [];
  return (id, port) => {
    if (id < 0) return model.inputs[-1 - id]!.shape!;
    const l = built[id]!;
    return port === 0 ? l.outputShape : l.extraOutputShapes![port - 1]!;
  };
}

/** Each model output's name: its layer's, and the output's own after the first (`lstm/state_h`). */
function modelOutputNames(model: CheckedModel): string[] {
  return model.outputs.map((id, k) => {
    const l = model.layers[id];
    if (!l) return model.inputs[-1 - id]!.name;
    const port = outputPort(model, k);
    return port === 0 ? l.name : `${l.name}/${outputNamesOf(layerDefs[l.className], l.args)[port]}`;
  });
}

/** One layer's nodes; null (reported at `path`) when ONNX export has no converter for it. */
function convertLayer(
  g: OnnxGraph,
  layer: OnnxLayer,
  xs: string[],
  mask: string | null,
  weights: NamedWeights[],
  path: string,
  problems: Problems,
): string[] | null {
  const convert = converters[layer.className];
  if (!convert) {
    problems.error(path, `ONNX export has no ${layer.className} layer.`);
    return null;
  }
  const own = new Map(weights.map((w) => [w.name, w]));
  return convert(
    {
      g,
      layer,
      weight(name: string): Weight {
        const w = own.get(name);
        if (!w) throw new Error(`internal: layer '${layer.name}' has no weight '${name}'.`);
        return w;
      },
      has: (name) => own.has(name),
      mask,
      problem: (message, arg) => problems.error(arg ? `${path}, ${arg}` : path, message),
    },
    xs,
  );
}

/** Each input with the training's scaling applied: (x − offset)·scale, its columns' share. */
function scaleInputs(
  g: OnnxGraph,
  model: CheckedModel,
  inputs: string[],
  scaling: InputScaling,
): string[] {
  let start = 0;
  return inputs.map((x, k) => {
    const shape = dims(model.inputs[k]!.shape!);
    const n = shape.reduce((a, b) => a * b, 1);
    const columns = (v: readonly number[]) => v.slice(start, start + n);
    const offset = g.weight(`${x}/scaling/offset`, shape, columns(scaling.offset));
    const scale = g.weight(`${x}/scaling/scale`, shape, columns(scaling.scale));
    start += n;
    return g.op('Mul', [g.op('Sub', [x, offset], `${x}/scaling`), scale], `${x}/scaled`);
  });
}
