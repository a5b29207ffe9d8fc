/**
 * The tf.model() of a graph case, built from the case's statements (not from our checker's
 * reading of them, so a graph our checker gets wrong shows as a mismatch): tf.input per
 * input, each statement's layers applied in turn to its result or tuple of results, every
 * unassigned statement an output. Layers get the names Keras 3 would give them, so that our
 * weights and summary rows can be matched to TF.js's by name and their order compared.
 */
import * as tf from '@tensorflow/tfjs';
import { kerasNames, named, outputLosses, type GraphCase } from './graph-spec.js';
import { numArg, type KerasCall } from './spec.js';
import { layersFor } from './tfjs-model.js';

export interface TfjsGraph {
  model: tf.LayersModel;
  /** The Keras 3 formulas standing in for TF.js layers (empty: TF.js's layers throughout). */
  formulas: string[];
  /** TF.js layers beyond one per Keras layer (an activation formula after a Dense): summary rows Keras lacks. */
  extraLayers: number;
  /** Per output: the activation left out for a loss from the logits ('sigmoid', 'softmax'), else null. */
  outputActivations: (string | null)[];
}

/**
 * Cross-entropies Keras 3 on TensorFlow computes from the logits of the output's activation
 * (backend/tensorflow/nn.py reads the output's _keras_logits), as our engine does; TF.js
 * computes them from clipped probabilities, which parts ways where the outputs saturate —
 * as random graphs' products of results make them. Per loss: the activation, and the loss
 * key (tfjs-losses.ts) taking the logits.
 */
export const FROM_LOGITS: Readonly<Record<string, { activation: string; loss: string }>> = {
  binary_crossentropy: { activation: 'sigmoid', loss: 'bce_logits' },
  categorical_crossentropy: { activation: 'softmax', loss: 'cce_logits' },
};

const LOGITS_FORMULA =
  'cross-entropy from the output’s logits as Keras 3 on TensorFlow (TF.js: from clipped probabilities)';

/** Keras 3's Subtract (merging/subtract.py: inputs[0] − inputs[1]), which TF.js lacks. */
class Subtract extends tf.layers.Layer {
  static readonly className = 'Subtract';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = inputs as tf.Tensor[];
    return tf.sub(a!, b!);
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return (shape as tf.Shape[])[0]!;
  }
}

const SUBTRACT_FORMULA = 'Subtract, absent from TF.js: Keras 3’s inputs[0] − inputs[1]';

/** TF.js's layer for the calls only graphs use: merges, and reshapes to reach other axes. */
function graphLayer(l: KerasCall, formulas: string[]): tf.layers.Layer | null {
  switch (l.call) {
    case 'Add':
      return tf.layers.add();
    case 'Subtract':
      formulas.push(SUBTRACT_FORMULA);
      return new Subtract({});
    case 'Multiply':
      return tf.layers.multiply();
    case 'Average':
      return tf.layers.average();
    case 'Maximum':
      return tf.layers.maximum();
    case 'Minimum':
      return tf.layers.minimum();
    case 'Concatenate':
      return tf.layers.concatenate({ axis: numArg(l, 'axis', -1) });
    case 'Reshape':
      return tf.layers.reshape({
        targetShape: ((l.positional![0] as KerasCall).positional ?? []).map(Number),
      });
    case 'Flatten':
      return tf.layers.flatten();
    default:
      return null;
  }
}

/**
 * The case's model; with `logits`, an output Dense whose activation a FROM_LOGITS loss takes
 * the logits of is built linear (the caller applies the activation to predictions).
 */
export function buildTfjsGraph(c: GraphCase, o: { logits?: boolean } = {}): TfjsGraph {
  const losses = outputLosses(c);
  const outputActivations: (string | null)[] = [];
  const names = kerasNames(c);
  const formulas: string[] = [];
  const results = new Map<string, tf.SymbolicTensor>();
  const inputs = c.inputs.map((input, k) => {
    const t = tf.input({ shape: input.shape, name: names.inputs[k]! });
    results.set(input.id, t);
    return t;
  });
  const outputs: tf.SymbolicTensor[] = [];
  let extraLayers = 0;
  c.statements.forEach((s, si) => {
    const read = s.from.map((id) => {
      const t = results.get(id);
      if (!t) throw new Error(`statement ${si + 1} reads '${id}' before it is named`);
      return t;
    });
    let x: tf.SymbolicTensor | tf.SymbolicTensor[] = read.length === 1 ? read[0]! : read;
    const logits = o.logits && !named(s) ? FROM_LOGITS[losses[outputs.length]!] : undefined;
    let left: string | null = null;
    s.layers.forEach((given, li) => {
      let call = given;
      const head = li === s.layers.length - 1 && given.call === 'Dense';
      if (head && logits && given.args?.['activation'] === logits.activation) {
        call = { ...given, args: { ...given.args, activation: 'linear' } };
        left = logits.activation;
        formulas.push(LOGITS_FORMULA);
      }
      const own = graphLayer(call, formulas);
      const layers = own ? [own] : layersFor(call, formulas, new Map());
      extraLayers += layers.length - 1;
      // Keras's name on the layer the call makes (an activation formula may follow it).
      layers[0]!.name = names.layers[si]![li]!;
      for (const layer of layers) x = layer.apply(x) as tf.SymbolicTensor;
    });
    if (s.targets) {
      // A layer with several outputs (return_state) returns them as a list: one name each.
      const xs = [x].flat();
      if (xs.length !== s.targets.length)
        throw new Error(`statement ${si + 1}: ${xs.length} outputs for ${s.targets.length} names`);
      s.targets.forEach((name, i) => results.set(name, xs[i]!));
      return;
    }
    if (Array.isArray(x)) throw new Error(`statement ${si + 1} leaves a tuple`);
    if (s.target) results.set(s.target, x);
    else {
      outputs.push(x);
      outputActivations.push(left);
    }
  });
  return {
    model: tf.model({ inputs, outputs }),
    formulas: [...new Set(formulas)],
    extraLayers,
    outputActivations,
  };
}

/** A weight as our weightSpecs() lists it. */
interface Spec {
  layer: string;
  name: string;
  shape: number[];
}

/** TF.js's variable for each of our weights, matched by layer name and checked by weight name and shape. */
export function tfjsVariables(model: tf.LayersModel, specs: readonly Spec[]): tf.LayerVariable[] {
  const position = new Map<string, number>();
  return specs.map((s) => {
    const j = position.get(s.layer) ?? 0;
    position.set(s.layer, j + 1);
    const v = model.getLayer(s.layer).weights[j];
    // A Bidirectional copy's weight: TF.js names the copy `forward_lstm_LSTM6`, Keras `forward_lstm`.
    const [copy, own] = s.name.includes('/') ? s.name.split('/') : [undefined, s.name];
    const matches =
      v !== undefined &&
      v.originalName.endsWith(`/${own}`) &&
      (copy === undefined || v.originalName.includes(`/${copy}`));
    if (!v || !matches)
      throw new Error(
        `${s.layer}/${s.name}: TF.js's weight ${j} is ${v?.originalName ?? 'missing'}`,
      );
    if (JSON.stringify(v.shape) !== JSON.stringify(s.shape))
      throw new Error(
        `${s.layer}/${s.name}: TF.js shape ${JSON.stringify(v.shape)}, ours ${JSON.stringify(s.shape)}`,
      );
    return v;
  });
}

/** The names of TF.js's layers that hold weights, in model.layers order (Keras's getWeights order). */
export function weightedLayers(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
}

/** The Keras 3 class each conformance stand-in layer computes. */
const standsFor: Readonly<Record<string, string>> = { ConformanceKeras3Gru: 'GRU' };

/**
 * TF.js's model.layers as Keras 3's summary rows: `name (Class)`, the output shape, the
 * parameter count and the Connected to cell (`dense[0][0], dense_1[0][0]`; `-` for inputs).
 */
export function tfjsSummaryRows(model: tf.LayersModel): string[][] {
  return model.layers.map((layer) => {
    const node = layer.inboundNodes[0]!;
    const connected = node.inboundLayers.length
      ? node.inboundLayers
          .map((from, i) => `${from.name}[${node.nodeIndices[i]}][${node.tensorIndices[i]}]`)
          .join(', ')
      : '-';
    const tuple = (shape: (number | null)[]) =>
      `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
    // Several outputs (return_state): Keras 3 prints the flat list of their shapes.
    const shapes = layer.outputShape as (number | null)[] | (number | null)[][];
    const several = Array.isArray(shapes[0]);
    // The stand-ins for Keras 3 layers TF.js lacks print as the layer they stand for.
    const className = standsFor[layer.getClassName()] ?? layer.getClassName();
    return [
      `${layer.name} (${className})`,
      several
        ? `[${(shapes as (number | null)[][]).map(tuple).join(', ')}]`
        : tuple(shapes as (number | null)[]),
      String(layer.countParams()),
      connected,
    ];
  });
}

/**
 * Keras 3's test for a "sequential-like" model, whose summary has no Connected to column
 * (utils/summary_utils.py): no depth with two nodes, no node with several inputs. (Its shared
 * layer clause never applies here: the cases share no layer.)
 */
export function sequentialLike(model: tf.LayersModel): boolean {
  return Object.values(model.nodesByDepth).every(
    (nodes) => nodes.length <= 1 && (nodes[0]?.inputTensors.length ?? 0) <= 1,
  );
}
