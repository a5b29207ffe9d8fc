/**
 * What a diagram shows, as plain data: one node per layer and per model input (Keras 3 draws
 * inputs as `InputLayer` boxes), and the graph's edges. Only `diagramOf` reads a `ModelGraph`;
 * everything after it (layout, drawing) works on a `DiagramModel`, so a change in the graph's
 * shape touches this one function.
 */
import {
  layerDefs,
  modelInput,
  inputPort,
  nodeShape,
  type ModelGraph,
  type NodeId,
  type Shape,
} from '../layers/index.js';

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
  /** The shapes of its outputs after the first, when it has several (return_state). */
  extraOutputShapes?: Shape[];
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

/** The diagram of a model's graph; model inputs are the negative node ids its layers read. */
export function diagramOf(model: ModelGraph): DiagramModel {
  const nodeId = (id: NodeId) => (id < 0 ? `input_${-1 - id}` : `layer_${id}`);
  const nodes: DiagramNode[] = model.inputs.map((input, k) => ({
    id: nodeId(modelInput(k)),
    name: input.name,
    className: 'InputLayer',
    inputShapes: [],
    outputShape: input.shape,
    activation: null,
  }));
  const edges: DiagramEdge[] = [];
  for (const [i, layer] of model.layers.entries()) {
    const holdsActivation = layerDefs[layer.className]?.activationArg === 'activation';
    nodes.push({
      id: nodeId(i),
      name: layer.name,
      className: layer.className,
      inputShapes: layer.inputs.map((id, k) => nodeShape(model, id, inputPort(layer, k))),
      outputShape: layer.outputShape,
      ...(layer.extraOutputShapes ? { extraOutputShapes: layer.extraOutputShapes } : {}),
      activation: holdsActivation ? (layer.specs.activation?.name ?? 'linear') : null,
    });
    // One arrow per producer, as Keras draws `Add()(x, x)`.
    for (const from of new Set(layer.inputs.map(nodeId))) edges.push({ from, to: nodeId(i) });
  }
  return { name: model.name, nodes, edges };
}
