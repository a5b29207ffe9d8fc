import type { Args, Value } from '../catalog/index.js';

/** A tensor shape as Keras prints it: batch first, `null` for an unknown dimension. */
export type Shape = (number | null)[];

/** One weight a layer creates, in Keras's creation (= getWeights) order. */
export interface WeightSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  /** The initializer value from the layer's arguments (a name or a call). */
  initializer: Value;
}

/** Why an input does not fit a layer; `arg` names the argument to blame, when one is. */
export interface ShapeError {
  error: string;
  arg?: string;
}

/**
 * What the checker needs to know of a layer beyond its catalog entry: its output shape and
 * its weights. One definition per Keras layer; the engine adds its kernels beside it later.
 */
export interface LayerRule {
  outputShape(input: Shape, args: Args): Shape | ShapeError;
  /** Weights for a built layer (input shape known); none when omitted. */
  weights?(input: Shape, args: Args): WeightSpec[];
  /** The argument holding this layer's activation, for advice about activations. */
  activationArg?: string;
  /** Merge layers take several inputs: they need graph syntax. */
  merge?: boolean;
}

export function isShapeError(s: Shape | ShapeError): s is ShapeError {
  return !Array.isArray(s);
}

/** Product of known dims, or null if any is unknown. */
export function sizeOf(dims: Shape): number | null {
  let n = 1;
  for (const d of dims) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

/** Values per sample of a built shape (batch first, every other dimension known). */
export function sampleSize(shape: Shape): number {
  const n = sizeOf(shape.slice(1));
  if (n === null) throw new Error(`internal: the shape ${shapeToString(shape)} is not built.`);
  return n;
}

/** `(None, 3)`: Python's tuple repr, as Keras prints shapes. */
export function shapeToString(shape: Shape): string {
  const items = shape.map((d) => (d === null ? 'None' : String(d)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Normalizes a possibly negative axis against a rank; undefined if out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? rank + axis : axis;
  return a >= 0 && a < rank ? a : undefined;
}
