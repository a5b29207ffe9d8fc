/** Inputs and targets as the library takes them: row-major Float32Arrays or nested number arrays. */
import { firstNonFinite } from '../kernels/finite.js';

export type ArrayInput = Float32Array | number[] | number[][] | number[][][];

/** What `predict`, `fit` and `evaluate` take for x: one array, or one per input of the model. */
export type ModelInputs = ArrayInput | ArrayInput[];

export class InputError extends Error {}

/** A batch-first matrix: `rows` samples of `cols` values each. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
  /**
   * Set when the values were not checked for NaN and ±Infinity here: predict and evaluate check
   * each batch where they copy it (on the wasm backend with SIMD), and fail as toMatrix would.
   */
  unchecked?: boolean;
}

/**
 * Rows `order[first]`, `order[first + 1]`, … of a row-major data set: a shuffled batch that
 * fit() has the step copy straight into the plan's input buffers (one copy, not a gather into
 * a batch array and then a second copy into the plan).
 */
export interface OrderedRows {
  data: Float32Array;
  order: Int32Array;
  first: number;
}

/**
 * Flattens `x` to rows of `cols` values. A Float32Array or a flat number array is taken as
 * row-major with `cols` per row; nested arrays must be rectangular. `cols` null: taken from
 * the nested array (a flat array is then one value per row). `check` false leaves the check for
 * NaN and ±Infinity to the caller (the matrix says `unchecked`).
 */
export function toMatrix(x: ArrayInput, cols: number | null, what: string, check = true): Matrix {
  if (
    x instanceof Float32Array ||
    (Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number'))
  ) {
    const data = x instanceof Float32Array ? x : Float32Array.from(x as number[]);
    const width = cols ?? 1;
    if (data.length % width !== 0)
      throw new InputError(
        `${what} has ${data.length} values, not a whole number of rows of ${width}.`,
      );
    const rows = data.length / width;
    if (!check) return { data, rows, cols: width, unchecked: true };
    checkFinite(data, what);
    return { data, rows, cols: width };
  }
  if (!Array.isArray(x))
    throw new InputError(`${what} must be a Float32Array or nested arrays of numbers.`);
  const rows = x.length;
  const first = flattenRow(x[0], what, 0);
  const width = first.length;
  if (cols !== null && width !== cols)
    throw new InputError(`${what} has ${width} values per sample; the model expects ${cols}.`);
  const data = new Float32Array(rows * width);
  data.set(first, 0);
  for (let r = 1; r < rows; r++) {
    const row = flattenRow(x[r], what, r);
    if (row.length !== width)
      throw new InputError(`${what}: row ${r} has ${row.length} values, row 0 has ${width}.`);
    data.set(row, r * width);
  }
  if (!check) return { data, rows, cols: width, unchecked: true };
  checkFinite(data, what);
  return { data, rows, cols: width };
}

function flattenRow(row: unknown, what: string, r: number): number[] {
  if (typeof row === 'number') return [row];
  if (!Array.isArray(row)) throw new InputError(`${what}: row ${r} is not an array of numbers.`);
  return (row as unknown[]).flat(Infinity).map((v) => {
    if (typeof v !== 'number')
      throw new InputError(`${what}: row ${r} holds ${JSON.stringify(v)}, not a number.`);
    return v;
  });
}

function checkFinite(data: Float32Array, what: string): void {
  const i = firstNonFinite(data);
  if (i >= 0) throw nonFiniteError(what, data[i]!, i);
}

/** The error for a value that is not finite at index `i` of the data given as `what`. */
export function nonFiniteError(what: string, value: number, i: number): InputError {
  return new InputError(
    `${what} holds ${value} at index ${i}: every value must be a finite number.`,
  );
}

/**
 * The inputs of a model with several, as one matrix: each sample's values of input 0, then
 * input 1, … (the layout CSV files give, columns in order). `x` is one array per input
 * (Keras's list), each with `sizes[k]` values per sample and the same number of samples.
 */
export function joinInputs(
  x: ModelInputs,
  sizes: readonly number[],
  names: readonly string[],
  what = 'x',
): Matrix {
  // One array per input (Keras's list): its elements are arrays of samples, not samples.
  const listed =
    Array.isArray(x) &&
    x.length > 0 &&
    (x as unknown[]).every(
      (el) => el instanceof Float32Array || (Array.isArray(el) && Array.isArray(el[0])),
    );
  if (!listed)
    return toMatrix(
      x as ArrayInput,
      sizes.reduce((a, b) => a + b, 0),
      'x',
    );
  if (x.length !== sizes.length)
    throw new InputError(
      `the model has ${sizes.length} ${what === 'x' ? 'inputs' : 'outputs'} (${names.map((n) => `'${n}'`).join(', ')}), but ${what} holds ${x.length} array${x.length === 1 ? '' : 's'}: give one per input, in that order.`,
    );
  const parts = (x as ArrayInput[]).map((el, k) =>
    toMatrix(el, sizes[k]!, `${what}[${k}] ('${names[k]}')`),
  );
  const rows = parts[0]!.rows;
  parts.forEach((p, k) => {
    if (p.rows !== rows)
      throw new InputError(
        `${what}[${k}] ('${names[k]}') has ${p.rows} samples but ${what}[0] has ${rows}.`,
      );
  });
  const cols = sizes.reduce((a, b) => a + b, 0);
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let at = r * cols;
    parts.forEach((p, k) => {
      const size = sizes[k]!;
      data.set(p.data.subarray(r * size, (r + 1) * size), at);
      at += size;
    });
  }
  return { data, rows, cols };
}
