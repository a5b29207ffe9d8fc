/**
 * Keras 3's weight constraints (keras/src/constraints/constraints.py), applied in place by the
 * optimizer after every update. Norms are taken over `axis` of the weight's shape with
 * keepdims, as `ops.sum(ops.square(w), axis, keepdims=True)` does, and eps = 1e-7.
 */
import { resolveConstraint, type ConstraintSpec } from './constraint-spec.js';
import type { Named } from './named.js';

/** Keras's backend epsilon. */
const EPSILON = 1e-7;

/** A projection applied to a weight after each optimizer step. */
export interface Constraint {
  readonly className: string;
  /** Projects w (row-major, `shape`) in place. */
  apply(w: Float32Array, shape: readonly number[]): void;
}

/** The constraint of a resolved spec, or null for null (a Named value is resolved first). */
export function createConstraint(
  spec: ConstraintSpec | Named | null | undefined,
): Constraint | null {
  if (spec === null || spec === undefined) return null;
  const s = typeof spec === 'string' || 'call' in spec ? resolveConstraint(spec) : spec;
  if (s === null) return null;
  switch (s.className) {
    case 'MaxNorm': {
      const max = s.maxValue;
      return new NormConstraint('MaxNorm', s.axis, (n) => Math.min(Math.max(n, 0), max));
    }
    case 'UnitNorm':
      return new NormConstraint('UnitNorm', s.axis, () => 1);
    case 'MinMaxNorm': {
      const { minValue: min, maxValue: max, rate } = s;
      return new NormConstraint(
        'MinMaxNorm',
        s.axis,
        (n) => rate * Math.min(Math.max(n, min), max) + (1 - rate) * n,
      );
    }
    case 'NonNeg':
      return nonNeg;
  }
}

/** w ← max(w, 0). */
const nonNeg: Constraint = {
  className: 'NonNeg',
  apply(w: Float32Array): void {
    for (let i = 0; i < w.length; i++) if ((w[i] as number) < 0) w[i] = 0;
  },
};

/**
 * w ← w · desired(n) / (eps + n), n = √Σw² over the reduced axes (one n per kept index).
 * Scratch buffers (per-kept-index norms, the index counter) are cached and only grow.
 */
class NormConstraint implements Constraint {
  private norms = new Float64Array(0);
  private counter = new Int32Array(0);
  private keptStride = new Int32Array(0);

  constructor(
    readonly className: string,
    private readonly axes: readonly number[] | null,
    private readonly desired: (norm: number) => number,
  ) {}

  apply(w: Float32Array, shape: readonly number[]): void {
    const keptSize = this.prepare(shape, w.length);
    const norms = this.norms;
    norms.fill(0, 0, keptSize);
    this.sweep(w, shape, false);
    for (let k = 0; k < keptSize; k++) {
      const n = Math.sqrt(norms[k] as number);
      norms[k] = this.desired(n) / (EPSILON + n);
    }
    this.sweep(w, shape, true);
  }

  /** Fills keptStride (0 on reduced axes) and sizes the scratch; returns the number of kept indices. */
  private prepare(shape: readonly number[], size: number): number {
    const rank = shape.length;
    let total = 1;
    for (const d of shape) total *= d;
    if (total !== size) {
      throw new Error(
        `${this.className}: a weight of ${size} values does not have shape [${shape.join(', ')}].`,
      );
    }
    if (this.counter.length < rank) {
      this.counter = new Int32Array(rank);
      this.keptStride = new Int32Array(rank);
    }
    const reduced = this.reducedMask(shape);
    let keptSize = 1;
    for (let d = rank - 1; d >= 0; d--) {
      if (reduced & (1 << d)) this.keptStride[d] = 0;
      else {
        this.keptStride[d] = keptSize;
        keptSize *= shape[d] as number;
      }
    }
    if (this.norms.length < keptSize) this.norms = new Float64Array(keptSize);
    return keptSize;
  }

  /** Bit d set when axis d is reduced over; negative axes count from the end. */
  private reducedMask(shape: readonly number[]): number {
    const rank = shape.length;
    if (this.axes === null) return (1 << rank) - 1;
    let mask = 0;
    for (const a of this.axes) {
      const d = a < 0 ? a + rank : a;
      if (d < 0 || d >= rank) {
        throw new Error(
          `${this.className}: axis ${a} is out of range for a weight of shape [${shape.join(', ')}].`,
        );
      }
      mask |= 1 << d;
    }
    return mask;
  }

  /**
   * One row-major pass over w with an odometer tracking the kept index k of each element:
   * accumulates w² into norms[k], or (scale) multiplies w by norms[k].
   */
  private sweep(w: Float32Array, shape: readonly number[], scale: boolean): void {
    const rank = shape.length;
    const counter = this.counter;
    const stride = this.keptStride;
    const norms = this.norms;
    counter.fill(0, 0, rank);
    let k = 0;
    for (let i = 0; i < w.length; i++) {
      const v = w[i] as number;
      if (scale) w[i] = v * (norms[k] as number);
      else norms[k] = (norms[k] as number) + v * v;
      for (let d = rank - 1; d >= 0; d--) {
        const c = (counter[d] as number) + 1;
        if (c < (shape[d] as number)) {
          counter[d] = c;
          k += stride[d] as number;
          break;
        }
        counter[d] = 0;
        k -= (c - 1) * (stride[d] as number);
      }
    }
  }
}
