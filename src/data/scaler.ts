/**
 * Feature scaling fitted on the training rows and saved with the weights, so evaluate and
 * predict transform their inputs exactly as training did: x' = (x − offset)·scale per column.
 */
import { DataError } from './csv.js';

/** A per-column affine transform x' = (x − offset)·scale; plain JSON, saved with the weights. */
export interface Scaler {
  kind: 'standard' | 'minmax';
  offset: number[];
  scale: number[];
}

/**
 * Fits a scaler on x:[rows, cols] (row-major) in float64. 'standard' is sklearn's
 * StandardScaler (mean, population standard deviation); 'minmax' maps each column's minimum to
 * 0 and maximum to 1. A constant column gets scale 1, so it only shifts to 0.
 */
export function fitScaler(
  kind: Scaler['kind'],
  x: Float32Array,
  rows: number,
  cols: number,
): Scaler {
  const offset = new Array<number>(cols).fill(0);
  const scale = new Array<number>(cols).fill(1);
  for (let j = 0; j < cols; j++) {
    if (kind === 'standard') {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += x[i * cols + j]!;
      const mean = sum / rows;
      let squares = 0;
      for (let i = 0; i < rows; i++) {
        const d = x[i * cols + j]! - mean;
        squares += d * d;
      }
      offset[j] = mean;
      scale[j] = reciprocalOrOne(Math.sqrt(squares / rows));
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < rows; i++) {
        const v = x[i * cols + j]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      offset[j] = rows > 0 ? min : 0;
      scale[j] = rows > 0 ? reciprocalOrOne(max - min) : 1;
    }
  }
  return { kind, offset, scale };
}

/** 1/d, or 1 when d is 0 (a constant column) or so small that 1/d overflows. */
function reciprocalOrOne(d: number): number {
  const r = 1 / d;
  return d > 0 && Number.isFinite(r) ? r : 1;
}

/** Applies the scaler to x:[rows, cols] in place (computed in float64, stored as float32). */
export function applyScaler(scaler: Scaler, x: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++)
      x[base + j] = (x[base + j]! - scaler.offset[j]!) * scaler.scale[j]!;
  }
}

/** Checks a scaler loaded from a file against the table's feature count; throws DataError if it cannot apply. */
export function checkScaler(scaler: Scaler, cols: number, file: string): void {
  const ok =
    (scaler.kind === 'standard' || scaler.kind === 'minmax') &&
    Array.isArray(scaler.offset) &&
    Array.isArray(scaler.scale) &&
    scaler.offset.every(Number.isFinite) &&
    scaler.scale.every(Number.isFinite);
  if (!ok) {
    const message = `${file}: the saved feature scaling is malformed (it needs a kind and finite offsets and scales).`;
    throw new DataError(message, file);
  }
  if (scaler.offset.length !== cols || scaler.scale.length !== cols) {
    throw new DataError(
      `${file}: the saved feature scaling is for ${scaler.offset.length} features, but the table has ${cols}.`,
      file,
    );
  }
}
