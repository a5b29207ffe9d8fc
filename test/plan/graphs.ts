/**
 * Hand-built model graphs for the plan's graph paths (fan-out, fan-in, Add), which the .nn
 * syntax cannot write yet. Each Dense is the checker's own layer for `Input(n) -> Dense(…)`,
 * renamed and rewired; each Add gets its shape from Add's own shape rule. Beside them, a plain
 * float64 interpreter of Dense and Add graphs: the hand computation the plans are checked against.
 */
import { expect } from 'vitest';
import { compile, type CompiledModel } from 'nnlang';
import {
  isShapeError,
  layerDefs,
  type GraphLayer,
  type ModelGraph,
  type NodeId,
  type Shape,
} from '../../src/layers/index.js';
import type { ParamLayout } from '../../src/plan/index.js';

const templates = new Map<string, GraphLayer>();

/** Layer 0 of a checked one-layer model: every field as the checker fills it. */
function checkedLayer(source: string): GraphLayer {
  let layer = templates.get(source);
  if (!layer) {
    const result = compile(source);
    expect(
      result.diagnostics.filter((d) => d.severity === 'error'),
      source,
    ).toEqual([]);
    layer = result.models[0]!.graph.layers[0]!;
    templates.set(source, layer);
  }
  return layer;
}

const noSpecs: GraphLayer['specs'] = {
  activation: null,
  initializers: {},
  regularizers: {},
  constraints: {},
  activityRegularizer: null,
};

/** Builds a graph of one input `x` node by node; layers get the names given. */
export class GraphBuilder {
  readonly layers: GraphLayer[] = [];
  private readonly ids = new Map<string, NodeId>([['x', -1]]);

  constructor(readonly inputSize: number) {}

  shape(node: string): Shape {
    const id = this.id(node);
    return id < 0 ? [null, this.inputSize] : this.layers[id]!.outputShape!;
  }

  /** `Dense(units, activation, …extra)` reading `input`. */
  dense(name: string, input: string, units: number, activation: string, extra = ''): this {
    const inShape = this.shape(input);
    const template = checkedLayer(`Input(${inShape[1]}) -> Dense(${units}, ${activation}${extra})`);
    return this.push({ ...template, name, inputs: [this.id(input)], inputShape: inShape });
  }

  /** `Add()` of `inputs`, shaped by Add's own rule. */
  add(name: string, ...inputs: string[]): this {
    const shapes = inputs.map((i) => this.shape(i));
    const out = layerDefs['Add']!.outputShape(shapes, {});
    if (isShapeError(out)) throw new Error(out.error);
    return this.push({
      id: 0,
      className: 'Add',
      name,
      args: {},
      inputs: inputs.map((i) => this.id(i)),
      inputShape: shapes[0]!,
      outputShape: out,
      weights: [],
      specs: noSpecs,
    });
  }

  build(output: string): ModelGraph {
    return {
      name: 'graph',
      functional: true,
      inputs: [{ name: 'input_layer', shape: [null, this.inputSize] }],
      inputShape: [null, this.inputSize],
      layers: this.layers,
      outputs: [this.id(output)],
    };
  }

  private id(node: string): NodeId {
    const id = this.ids.get(node);
    if (id === undefined) throw new Error(`no node '${node}'`);
    return id;
  }

  private push(layer: GraphLayer): this {
    const id = this.layers.length;
    this.layers.push({ ...layer, id });
    this.ids.set(layer.name, id);
    return this;
  }
}

/** A compiled model of `graph` trained with mse and plain SGD at `learningRate` (0: gradients only). */
export function compiledOf(graph: ModelGraph, learningRate: number): CompiledModel {
  const setup = compile('Input(1) -> Dense(1)\ncompile(SGD(learning_rate=0.1), mse)').models[0]!
    .training!;
  return {
    graph,
    training: { ...setup, optimizer: { ...setup.optimizer, learningRate } },
    fit: {},
  };
}

const activations: Record<string, (z: number) => number> = {
  linear: (z) => z,
  tanh: Math.tanh,
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
};

/**
 * The graph's output for `n` rows of `x`, in float64: y = act(x·kernel + bias) per Dense
 * (kernel row-major [in, units], as Keras stores it), elementwise sums per Add.
 */
export function referenceForward(
  graph: ModelGraph,
  layout: ParamLayout,
  params: Float32Array,
  x: Float32Array,
  n: number,
): Float64Array {
  const values = new Map<NodeId, Float64Array>([
    [-1, Float64Array.from(x.subarray(0, n * graph.inputShape![1]!))],
  ]);
  const weight = (layer: string, name: string) => {
    const e = layout.entries.find((e) => e.layer === layer && e.name === name)!;
    return params.subarray(e.offset, e.offset + e.size);
  };
  for (const layer of graph.layers) {
    const ins = layer.inputs.map((id) => values.get(id)!);
    if (layer.className === 'Add') {
      const y = new Float64Array(ins[0]!.length);
      for (const v of ins) for (let i = 0; i < y.length; i++) y[i] = y[i]! + v[i]!;
      values.set(layer.id, y);
      continue;
    }
    expect(layer.className).toBe('Dense');
    const units = layer.args['units'] as number;
    const inDim = layer.inputShape![1]!;
    const kernel = weight(layer.name, 'kernel');
    const bias = weight(layer.name, 'bias');
    const act = activations[layer.specs.activation?.name ?? 'linear']!;
    const y = new Float64Array(n * units);
    for (let r = 0; r < n; r++)
      for (let o = 0; o < units; o++) {
        let z = bias[o]!;
        for (let i = 0; i < inDim; i++) z += ins[0]![r * inDim + i]! * kernel[i * units + o]!;
        y[r * units + o] = act(z);
      }
    values.set(layer.id, y);
  }
  return values.get(graph.outputs[0]!)!;
}
