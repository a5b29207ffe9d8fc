/**
 * What converting one Keras layer to ONNX sees: the graph, the layer (its resolved arguments and
 * every shape), its trained weights, and where to report what ONNX cannot hold. Values between
 * layers are in Keras's layout (batch first, channels last); a converter that needs ONNX's
 * channels-first layout transposes in and out, and the graph folds the pairs that cancel.
 */
import type { Args } from '../catalog/index.js';
import type { Shape } from '../layers/index.js';
import type { Activation } from './onnx-activations.js';
import type { OnnxGraph } from './onnx-graph.js';

export interface OnnxLayer {
  className: string;
  name: string;
  args: Args;
  /** One shape per input, batch first, every other dimension known. */
  inputShapes: Shape[];
  outputShape: Shape;
  activation: Activation;
}

export interface Weight {
  shape: number[];
  values: Float32Array;
}

export interface ConvertContext {
  g: OnnxGraph;
  layer: OnnxLayer;
  /** The layer's weight `name` (kernel, bias, forward_lstm/kernel, …); throws when absent. */
  weight(name: string): Weight;
  /** Whether the layer has weight `name` (use_bias=False layers have no bias). */
  has(name: string): boolean;
  /**
   * Keras's mask on the layer's input ((batch, steps), 1 where a step counts), from an
   * Embedding(mask_zero=True) before it; null when none reaches it.
   */
  mask: string | null;
  /** Reports what cannot be exported, blaming `arg` when one argument is the cause. */
  problem(message: string, arg?: string): void;
}

/** Writes a layer's nodes for its input values; returns its output values (one per output). */
export type Converter = (c: ConvertContext, xs: string[]) => string[];

/** The value names a converter's nodes start with. */
export const at = (c: ConvertContext): string => c.layer.name;

/** Values per known dimension after the batch. */
export function dims(shape: Shape): number[] {
  return shape.slice(1).map((d) => d ?? -1);
}

/** `values` ([d0, d1, …] row-major) transposed by `perm`. */
export function transposeValues(
  values: Float32Array,
  shape: number[],
  perm: number[],
): Float32Array {
  const out = new Float32Array(values.length);
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const stride = new Array<number>(rank);
  stride[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) stride[d] = stride[d + 1]! * shape[d + 1]!;
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += index[d]! * stride[perm[d]!]!;
    out[i] = values[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < outShape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** The channels-first permutation of a channels-last tensor of `rank` (batch first), and back. */
export function toChannelsFirst(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}
export function toChannelsLast(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}
