/**
 * Keras 3's weight regularizers (keras/src/regularizers/regularizers.py): a penalty added to
 * the loss and its gradient added to the weight's gradient. Keras's L2 has no ½.
 */
import { ArgReader, foldName, splitNamed, type Named } from './named.js';

/** A penalty on a weight tensor and its gradient. */
export interface Regularizer {
  readonly className: string;
  /** The penalty for the first `length` values of w (accumulated in float64). */
  penalty(w: Float32Array, length?: number): number;
  /** grad += scale·∂penalty/∂w over the first `length` values (accumulates; sign(0) = 0 for L1). */
  addGradient(w: Float32Array, grad: Float32Array, length?: number, scale?: number): void;
}

/** The regularizer a spec names, or null for null; throws for unknown names or invalid args. */
export function createRegularizer(spec: Named | null | undefined): Regularizer | null {
  if (spec === null || spec === undefined) return null;
  const { name, args } = splitNamed(spec);
  let l1 = 0;
  let l2 = 0;
  let className: string;
  let reader: ArgReader;
  switch (foldName(name)) {
    case 'l1':
      reader = new ArgReader((className = 'L1'), args);
      l1 = strength(reader, 'l1', 0.01);
      break;
    case 'l2':
      reader = new ArgReader((className = 'L2'), args);
      l2 = strength(reader, 'l2', 0.01);
      break;
    case 'l1l2':
      reader = new ArgReader((className = 'L1L2'), args);
      l1 = strength(reader, 'l1', 0);
      l2 = strength(reader, 'l2', 0);
      break;
    case 'orthogonalregularizer':
      throw new Error(
        `The regularizer 'OrthogonalRegularizer' is not supported by the training engine yet; use L1, L2 or L1L2.`,
      );
    default:
      throw new Error(`Unknown regularizer '${name}'. Known regularizers: L1, L2, L1L2.`);
  }
  reader.done();
  return new L1L2(className, l1, l2);
}

/** Keras's validate_float_arg: a finite, non-negative number. */
function strength(a: ArgReader, key: string, fallback: number): number {
  const v = a.number(key, fallback);
  if (v < 0) throw a.invalid(key, `must be a non-negative float, found ${v}.`);
  return v;
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
