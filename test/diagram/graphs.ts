/**
 * Graph models built by hand with the layers' own shape rules, until the language writes them:
 * a residual block, a two-input and a two-output model.
 */
import type { Args } from '../../src/catalog/index.js';
import {
  activationSpec,
  inferShapes,
  layerDefs,
  modelInput,
  type GraphLayer,
  type ModelGraph,
  type NodeId,
  type Shape,
} from '../../src/layers/index.js';

/** A layer to build: its class, name, arguments and the nodes it reads. */
export interface LayerSketch {
  className: string;
  name: string;
  args?: Args;
  inputs: NodeId[];
}

/** A model graph with every shape inferred; `inputs` are the model inputs' shapes. */
export function buildGraph(
  name: string,
  inputs: Shape[],
  sketches: LayerSketch[],
  outputs: NodeId[],
): ModelGraph {
  const nodes = sketches.map((s) => ({
    className: s.className,
    args: s.args ?? {},
    inputs: s.inputs,
  }));
  const built = inferShapes(nodes, inputs, layerDefs);
  if (!Array.isArray(built)) throw new Error(`${sketches[built.node]!.name}: ${built.error.error}`);
  const shapeOf = (id: NodeId) => (id < 0 ? inputs[-1 - id]! : built[id]!.outputShape);
  const layers: GraphLayer[] = sketches.map((s, id) => ({
    id,
    className: s.className,
    name: s.name,
    args: s.args ?? {},
    inputs: s.inputs,
    inputShape: shapeOf(s.inputs[0]!),
    outputShape: built[id]!.outputShape,
    weights: built[id]!.weights,
    specs: {
      activation: 'activation' in (s.args ?? {}) ? activationSpec(s.args!['activation']) : null,
      initializers: {},
      regularizers: {},
      constraints: {},
      activityRegularizer: null,
    },
  }));
  return {
    name,
    functional: true,
    inputs: inputs.map((shape, k) => ({
      name: k === 0 ? 'input_layer' : `input_layer_${k}`,
      shape,
    })),
    inputShape: inputs[0] ?? null,
    layers,
    outputs,
  };
}

const x = modelInput(0);
const y = modelInput(1);

/** Input(16) → Dense(16, relu) → Dense(16) → Add with the input → Dense(1, sigmoid). */
export const residual = buildGraph(
  'residual',
  [[null, 16]],
  [
    {
      className: 'Dense',
      name: 'dense',
      args: { units: 16, activation: 'relu', use_bias: true },
      inputs: [x],
    },
    { className: 'Dense', name: 'dense_1', args: { units: 16, use_bias: true }, inputs: [0] },
    { className: 'Add', name: 'add', inputs: [1, x] },
    { className: 'Activation', name: 'activation', args: { activation: 'relu' }, inputs: [2] },
    {
      className: 'Dense',
      name: 'dense_2',
      args: { units: 1, activation: 'sigmoid', use_bias: true },
      inputs: [3],
    },
  ],
  [4],
);

/** Two inputs, a Dense branch each, concatenated, then a Dense head. */
export const twoInputs = buildGraph(
  'two_inputs',
  [
    [null, 8],
    [null, 3],
  ],
  [
    {
      className: 'Dense',
      name: 'numbers',
      args: { units: 16, activation: 'relu', use_bias: true },
      inputs: [x],
    },
    {
      className: 'Dense',
      name: 'flags',
      args: { units: 4, activation: 'relu', use_bias: true },
      inputs: [y],
    },
    { className: 'Concatenate', name: 'concatenate', args: { axis: -1 }, inputs: [0, 1] },
    { className: 'Dense', name: 'head', args: { units: 1, use_bias: true }, inputs: [2] },
  ],
  [3],
);

/** One trunk fanning out to two heads, both outputs. */
export const twoOutputs = buildGraph(
  'two_outputs',
  [[null, 10]],
  [
    {
      className: 'Dense',
      name: 'trunk',
      args: { units: 32, activation: 'relu', use_bias: true },
      inputs: [x],
    },
    { className: 'Dropout', name: 'dropout', args: { rate: 0.2 }, inputs: [0] },
    { className: 'Dense', name: 'price', args: { units: 1, use_bias: true }, inputs: [1] },
    {
      className: 'Dense',
      name: 'category',
      args: { units: 5, activation: 'softmax', use_bias: true },
      inputs: [1],
    },
  ],
  [2, 3],
);
