/**
 * Weight constraints as plain data: resolveConstraint turns a Keras name or call into a
 * ConstraintSpec with Keras's defaults, axes in one canonical form (a list, or null for all).
 */
import { ArgReader, foldName, splitNamed, type Named } from './named.js';
import { SpecError } from './spec-error.js';

/** keras.constraints.MaxNorm: norms over `axis` clipped to max_value. */
export interface MaxNormSpec {
  readonly className: 'MaxNorm';
  readonly maxValue: number;
  /** The reduced axes (negative counts from the end); null reduces over every axis. */
  readonly axis: readonly number[] | null;
}

/** keras.constraints.UnitNorm: norms over `axis` set to 1. */
export interface UnitNormSpec {
  readonly className: 'UnitNorm';
  readonly axis: readonly number[] | null;
}

/** keras.constraints.MinMaxNorm: norms moved towards [min_value, max_value] at `rate`. */
export interface MinMaxNormSpec {
  readonly className: 'MinMaxNorm';
  readonly minValue: number;
  readonly maxValue: number;
  readonly rate: number;
  readonly axis: readonly number[] | null;
}

/** keras.constraints.NonNeg: negative weights set to 0. */
export interface NonNegSpec {
  readonly className: 'NonNeg';
}

/** A resolved Keras 3 weight constraint (JSON-serializable). */
export type ConstraintSpec = MaxNormSpec | UnitNormSpec | MinMaxNormSpec | NonNegSpec;

/** The constraint a Keras name or call denotes, or null for none; throws SpecError when invalid. */
export function resolveConstraint(named: Named | null | undefined): ConstraintSpec | null {
  if (named === null || named === undefined) return null;
  const { name, args } = splitNamed(named);
  let spec: ConstraintSpec;
  let reader: ArgReader;
  switch (foldName(name)) {
    case 'maxnorm':
      reader = new ArgReader('MaxNorm', args);
      spec = {
        className: 'MaxNorm',
        maxValue: reader.number('max_value', 2),
        axis: reader.axes('axis', 0),
      };
      break;
    case 'unitnorm':
      reader = new ArgReader('UnitNorm', args);
      spec = { className: 'UnitNorm', axis: reader.axes('axis', 0) };
      break;
    case 'minmaxnorm':
      reader = new ArgReader('MinMaxNorm', args);
      spec = {
        className: 'MinMaxNorm',
        minValue: reader.number('min_value', 0),
        maxValue: reader.number('max_value', 1),
        rate: reader.number('rate', 1),
        axis: reader.axes('axis', 0),
      };
      break;
    case 'nonneg':
      reader = new ArgReader('NonNeg', args);
      spec = { className: 'NonNeg' };
      break;
    default:
      throw new SpecError(
        `Unknown constraint '${name}'. Known constraints: MaxNorm, NonNeg, UnitNorm, MinMaxNorm.`,
      );
  }
  reader.done();
  return spec;
}
