/**
 * Shape inference over a model's graph with the layers' own rules: each node's output shape and
 * weights from its inputs' shapes. The checker runs it once with the declared input shape; a
 * model whose input the data fixes runs the same rules when the data arrives.
 */
import type { Args } from '../catalog/index.js';
import {
  isShapeError,
  type LayerDef,
  type NodeId,
  type Shape,
  type ShapeError,
  type WeightSpec,
} from './types.js';

/** A node of the graph as shape inference reads it. */
export interface ShapeNode {
  className: string;
  args: Args;
  inputs: NodeId[];
  inputPorts?: number[];
}

/** A node's inferred output shape and weights. */
export interface InferredNode {
  outputShape: Shape;
  /** The shapes of its outputs after the first, when it has several. */
  extraOutputShapes?: Shape[];
  weights: WeightSpec[];
}

/** One layer's output shape and weights for its input shapes, or why they do not fit. */
export function buildLayer(def: LayerDef, inputs: Shape[], args: Args): InferredNode | ShapeError {
  const out = def.outputShape(inputs, args);
  if (isShapeError(out)) return out;
  const extra = def.extraOutputShapes?.(inputs, args) ?? [];
  return {
    outputShape: out,
    ...(extra.length > 0 ? { extraOutputShapes: extra } : {}),
    weights: def.weights?.(inputs, args) ?? [],
  };
}

/** The names of a layer's outputs: one ('output') unless its arguments give it several. */
export function outputNamesOf(def: LayerDef | undefined, args: Args): string[] {
  const names = def?.outputNames?.(args);
  return names && names.length > 0 ? names : ['output'];
}

/**
 * Every node's shapes, in order (nodes are topologically sorted; a negative id is a model
 * input, see `modelInput`), or the first node that cannot take its inputs.
 */
export function inferShapes(
  nodes: readonly ShapeNode[],
  modelInputs: readonly Shape[],
  defs: Readonly<Record<string, LayerDef>>,
): InferredNode[] | { node: number; error: ShapeError; inputs: Shape[] } {
  const built: InferredNode[] = [];
  for (const [i, node] of nodes.entries()) {
    const inputs = node.inputs.map((id, k) => {
      if (id < 0) return modelInputs[inputIndex(id)]!;
      const port = node.inputPorts?.[k] ?? 0;
      return port === 0 ? built[id]!.outputShape : built[id]!.extraOutputShapes![port - 1]!;
    });
    const def = defs[node.className];
    const result = def
      ? buildLayer(def, inputs, node.args)
      : { error: `the engine cannot run ${node.className} layers yet.` };
    if ('error' in result) return { node: i, error: result, inputs };
    built.push(result);
  }
  return built;
}

/** The node id of model input `k`: inputs are -1, -2, …; layers are their index. */
export function modelInput(k: number): NodeId {
  return -1 - k;
}

/** Which model input a negative node id is. */
export function inputIndex(id: NodeId): number {
  return -1 - id;
}

/**
 * The nodes of a graph (model inputs as negative ids, then layers) in the order of Keras's
 * `Functional.layers`, which its summary and `get_weights()` follow: by depth — the longest
 * path to an output — deepest first, ties broken by the order a depth-first walk from the
 * outputs meets them (keras/src/ops/function.py, `map_graph`). Inputs no output reaches come
 * last, as Keras gives them depth 0.
 */
export function functionalOrder(
  layers: readonly { inputs: readonly NodeId[] }[],
  inputCount: number,
  outputs: readonly NodeId[],
): NodeId[] {
  const index = new Map<NodeId, number>();
  const postOrder: NodeId[] = [];
  const visit = (id: NodeId): void => {
    if (index.has(id)) return;
    index.set(id, index.size);
    if (id >= 0) for (const input of layers[id]!.inputs) visit(input);
    postOrder.push(id);
  };
  for (const id of outputs) visit(id);
  const depth = new Map<NodeId, number>();
  for (const id of [...postOrder].reverse()) {
    const d = depth.get(id) ?? 0;
    depth.set(id, d);
    if (id >= 0)
      for (const input of layers[id]!.inputs)
        depth.set(input, Math.max(depth.get(input) ?? 0, d + 1));
  }
  for (let k = 0; k < inputCount; k++) {
    const id = modelInput(k);
    if (!depth.has(id)) {
      depth.set(id, 0);
      index.set(id, -1);
    }
  }
  return [...depth.keys()].sort(
    (a, b) => depth.get(b)! - depth.get(a)! || index.get(a)! - index.get(b)!,
  );
}
