/**
 * Weight regularizers as plain data: resolveRegularizer turns a Keras name or call into a
 * RegularizerSpec with Keras's defaults and checks, so createRegularizer never reads names.
 */
import { ArgReader, foldName, splitNamed, type Named } from './named.js';
import { SpecError } from './spec-error.js';

/** A resolved keras.regularizers L1, L2 or L1L2: penalty l1·Σ|w| + l2·Σw² (the other factor 0). */
export interface RegularizerSpec {
  readonly className: 'L1' | 'L2' | 'L1L2';
  readonly l1: number;
  readonly l2: number;
}

/** The regularizer a Keras name or call denotes, or null for none; throws SpecError when invalid. */
export function resolveRegularizer(named: Named | null | undefined): RegularizerSpec | null {
  if (named === null || named === undefined) return null;
  const { name, args } = splitNamed(named);
  let spec: RegularizerSpec;
  let reader: ArgReader;
  switch (foldName(name)) {
    case 'l1':
      reader = new ArgReader('L1', args);
      spec = { className: 'L1', l1: strength(reader, 'l1', 0.01), l2: 0 };
      break;
    case 'l2':
      reader = new ArgReader('L2', args);
      spec = { className: 'L2', l1: 0, l2: strength(reader, 'l2', 0.01) };
      break;
    case 'l1l2':
      reader = new ArgReader('L1L2', args);
      spec = { className: 'L1L2', l1: strength(reader, 'l1', 0), l2: strength(reader, 'l2', 0) };
      break;
    case 'orthogonalregularizer':
      throw new SpecError(
        `The regularizer 'OrthogonalRegularizer' is not supported by the training engine yet; use L1, L2 or L1L2.`,
      );
    default:
      throw new SpecError(`Unknown regularizer '${name}'. Known regularizers: L1, L2, L1L2.`);
  }
  reader.done();
  return spec;
}

/** Keras's validate_float_arg: a finite, non-negative number. */
function strength(a: ArgReader, key: string, fallback: number): number {
  const v = a.number(key, fallback);
  if (v < 0) throw a.invalid(key, `must be a non-negative float, found ${v}.`);
  return v;
}
