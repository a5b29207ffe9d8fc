/**
 * Keras 3's weight regularizers (keras/src/regularizers/regularizers.py): a penalty added to
 * the loss and its gradient added to the weight's gradient. Keras's L2 has no ½.
 */
import type { Named } from './named.js';
import { resolveRegularizer, type RegularizerSpec } from './regularizer-spec.js';

/** A penalty on a weight tensor and its gradient. */
export interface Regularizer {
  readonly className: string;
  /** The penalty for the first `length` values of w (accumulated in float64). */
  penalty(w: Float32Array, length?: number): number;
  /** grad += scale·∂penalty/∂w over the first `length` values (accumulates; sign(0) = 0 for L1). */
  addGradient(w: Float32Array, grad: Float32Array, length?: number, scale?: number): void;
}

/** The regularizer of a resolved spec, or null for null (a Named value is resolved first). */
export function createRegularizer(
  spec: RegularizerSpec | Named | null | undefined,
): Regularizer | null {
  if (spec === null || spec === undefined) return null;
  const s = typeof spec === 'string' || 'call' in spec ? resolveRegularizer(spec) : spec;
  return s === null ? null : new L1L2(s.className, s.l1, s.l2);
}

/** l1·Σ|w| + l2·Σw² (L1 and L2 are the cases with the other factor 0). */
class L1L2 implements Regularizer {
  private readonly l1: number;
  private readonly l2: number;

  constructor(
    readonly className: string,
    l1: number,
    l2: number,
  ) {
    this.l1 = Math.fround(l1);
    this.l2 = Math.fround(l2);
  }

  penalty(w: Float32Array, length = w.length): number {
    let abs = 0;
    let sq = 0;
    for (let i = 0; i < length; i++) {
      const v = w[i] as number;
      abs += Math.abs(v);
      sq += v * v;
    }
    return this.l1 * abs + this.l2 * sq;
  }

  addGradient(w: Float32Array, grad: Float32Array, length = w.length, scale = 1): void {
    const l1 = this.l1 * scale;
    const twoL2 = 2 * this.l2 * scale;
    for (let i = 0; i < length; i++) {
      const v = w[i] as number;
      const sign = v > 0 ? 1 : v < 0 ? -1 : 0;
      grad[i] = (grad[i] as number) + l1 * sign + twoL2 * v;
    }
  }
}
