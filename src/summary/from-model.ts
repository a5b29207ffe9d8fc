import {
  exactProduct,
  functionalOrder,
  inputIndex,
  inputPort,
  type GraphLayer,
  type ModelGraph,
  type NodeId,
} from '../layers/index.js';
import type { SummaryInput, SummaryRow } from './render.js';

/**
 * The summary table of a model. A sequential model lists every layer but its input; a
 * functional one lists its InputLayers too, in Keras's layer order, and when it is not a single
 * chain, which layers feed each (`dense[0][0]`: the layer, its node, its output).
 */
export function summaryInputOf(model: ModelGraph): SummaryInput {
  let trainableParams = 0n;
  let nonTrainableParams = 0n;
  const layerRows = model.layers.map((layer): SummaryRow => {
    const { trainable, nonTrainable } = exactCounts(layer);
    trainableParams += trainable;
    nonTrainableParams += nonTrainable;
    const built = layer.outputShape !== null;
    return {
      name: layer.name,
      className: layer.className,
      outputShape: layer.outputShape ?? [],
      ...(layer.extraOutputShapes ? { extraOutputShapes: layer.extraOutputShapes } : {}),
      params: built ? plain(trainable + nonTrainable) : ('unbuilt' as const),
      // Keras's `layer[node][tensor]`: the tensor is which of the layer's outputs is read.
      connectedTo: layer.inputs
        .map((id, k) => `${nodeName(model, id)}[0][${inputPort(layer, k)}]`)
        .join(', '),
    };
  });
  const graph = model.functional && !isChain(model);
  const rows = model.functional
    ? functionalOrder(model.layers, model.inputs.length, model.outputs).map((id) =>
        id >= 0
          ? layerRows[id]!
          : {
              name: nodeName(model, id),
              className: 'InputLayer',
              outputShape: model.inputs[inputIndex(id)]?.shape ?? [],
              params: 0,
              connectedTo: '-',
            },
      )
    : layerRows;
  return {
    modelName: model.name,
    ...(graph ? { graph } : {}),
    rows,
    trainableParams: plain(trainableParams),
    nonTrainableParams: plain(nonTrainableParams),
  };
}

/** paramCounts in exact integers: a float product of huge shapes loses digits past 2^53. */
function exactCounts(layer: GraphLayer): { trainable: bigint; nonTrainable: bigint } {
  let trainable = 0n;
  let nonTrainable = 0n;
  for (const w of layer.weights) {
    if (w.trainable) trainable += exactProduct(w.shape);
    else nonTrainable += exactProduct(w.shape);
  }
  return { trainable, nonTrainable };
}

/** A number while it is exact, else the bigint. */
function plain(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function nodeName(model: ModelGraph, id: NodeId): string {
  return id < 0 ? (model.inputs[inputIndex(id)]?.name ?? 'input_layer') : model.layers[id]!.name;
}

/**
 * Keras's "sequential-like" test for a functional model: one input, one output, and every layer
 * reading exactly the node before it (one node per depth, none with several inputs).
 */
function isChain(model: ModelGraph): boolean {
  return (
    model.inputs.length === 1 &&
    model.outputs.length === 1 &&
    model.outputs[0] === model.layers.length - 1 &&
    model.layers.every((l, i) => l.inputs.length === 1 && l.inputs[0] === (i === 0 ? -1 : i - 1))
  );
}
