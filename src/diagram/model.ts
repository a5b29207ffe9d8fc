/**
 * What a diagram shows, as plain data: one node per layer and per model input (Keras 3 draws
 * inputs as `InputLayer` boxes), and the graph's edges. Only `diagramOf` reads a `ModelGraph`;
 * everything after it (layout, drawing) works on a `DiagramModel`, so a change in the graph's
 * shape touches this one function.
 */
import { layerDefs, type ModelGraph, type NodeId, type Shape } from '../layers/index.js';

/** A box of the diagram: a layer, or a model input. */
export interface DiagramNode {
  /** Unique within the diagram: `input_0`, `layer_3`. */
  id: string;
  /** Keras's layer name (user input: may hold any text). */
  name: string;
  className: string;
  /** One per input, batch first; null where unknown (the data fixes the model's input). Empty for inputs. */
  inputShapes: (Shape | null)[];
  outputShape: Shape | null;
  /** The activation's name for layers that hold one (Keras's `layer.activation`), else null. */
  activation: string | null;
}

/** An arrow from the node that produces a value to a node that reads it. */
export interface DiagramEdge {
  from: string;
  to: string;
}

/** A model as a picture's content: nodes in topological order and edges between them. */
export interface DiagramModel {
  name: string;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

/** Keras 3 names inputs `input_layer`, `input_layer_1`, …. */
function inputName(k: number): string {
  return k === 0 ? 'input_layer' : `input_layer_${k}`;
}

/** The diagram of a model's graph; model inputs are the negative node ids its layers read. */
export function diagramOf(model: ModelGraph): DiagramModel {
  let inputCount = 0;
  for (const layer of model.layers)
    for (const id of layer.inputs) if (id < 0) inputCount = Math.max(inputCount, -id);
  if (model.inputShape !== null) inputCount = Math.max(inputCount, 1);
  // The graph keeps the first input's shape; another input's is the input shape of a layer
  // that reads it first.
  const inputShapes: (Shape | null)[] = Array.from({ length: inputCount }, (_, k) =>
    k === 0
      ? model.inputShape
      : (model.layers.find((l) => l.inputs[0] === -1 - k)?.inputShape ?? null),
  );
  const nodeId = (id: NodeId) => (id < 0 ? `input_${-1 - id}` : `layer_${id}`);
  const shapeOf = (id: NodeId) =>
    id < 0 ? (inputShapes[-1 - id] ?? null) : (model.layers[id]?.outputShape ?? null);
  const nodes: DiagramNode[] = inputShapes.map((shape, k) => ({
    id: `input_${k}`,
    name: inputName(k),
    className: 'InputLayer',
    inputShapes: [],
    outputShape: shape,
    activation: null,
  }));
  const edges: DiagramEdge[] = [];
  for (const [i, layer] of model.layers.entries()) {
    const holdsActivation = layerDefs[layer.className]?.activationArg === 'activation';
    nodes.push({
      id: nodeId(i),
      name: layer.name,
      className: layer.className,
      inputShapes: layer.inputs.map(shapeOf),
      outputShape: layer.outputShape,
      activation: holdsActivation ? (layer.specs.activation?.name ?? 'linear') : null,
    });
    // One arrow per producer, as Keras draws `Add()(x, x)`.
    for (const from of new Set(layer.inputs.map(nodeId))) edges.push({ from, to: nodeId(i) });
  }
  return { name: model.name, nodes, edges };
}
