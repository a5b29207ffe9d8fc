/**
 * The target column → the array the loss needs. Labels (any non-numeric column) become class
 * indices in sorted order, like sklearn's LabelEncoder (np.unique): 'setosa' < 'versicolor' <
 * 'virginica' whatever order the rows come in, so the class of an output unit does not depend
 * on how the file is shuffled. Planning (pass one: kind, classes, width) is separate from
 * encoding (pass two: one cell at a time), so every row's problem is found in line order.
 */
import { DataError, describeBadCell, parseCell, looksNumeric, quoteValue } from './csv.js';

/** What the loss needs from the target: one-hot rows, class indices, 0/1 values or real values. */
export type TargetEncoding = 'one_hot' | 'sparse' | 'binary' | 'regression';

/** How the target column is turned into y. */
export interface TargetPlan {
  name: string;
  encoding: TargetEncoding;
  /** The class names in unit order when the column holds labels; null for numbers. */
  classes: string[] | null;
  /** Class index of each label (labels only). */
  index: Map<string, number> | null;
  /** Number of classes for 'sparse' and 'one_hot' (valid indices are 0 … classCount − 1); 1 otherwise. */
  classCount: number;
  /** Columns of y: classCount for 'one_hot', 1 otherwise. */
  yCols: number;
}

/** A target column as its cells and how many rows hold each (a cell may be listed more than once). */
export interface TargetColumn {
  values: readonly string[];
  counts: ArrayLike<number>;
}

/** What planTarget needs to know besides the cells. */
export interface TargetRequest {
  encoding?: TargetEncoding | 'auto';
  outputUnits?: number;
  classes?: string[];
}

/** Decides the encoding and the classes from the whole target column; throws DataError for table-level mismatches. */
export function planTarget(
  column: TargetColumn,
  name: string,
  file: string,
  request: TargetRequest,
): TargetPlan {
  const fail = (message: string): never => {
    throw new DataError(`${file}: ${message}`, file, undefined, name);
  };
  const cells = column.values.filter((_, i) => column.counts[i]! > 0);
  const words = cells.filter((c) => c !== '' && !looksNumeric(c));
  let total = 0;
  let wordCount = 0;
  column.values.forEach((c, i) => {
    total += column.counts[i]!;
    if (c !== '' && !looksNumeric(c)) wordCount += column.counts[i]!;
  });
  if (request.encoding === 'regression' && wordCount * 2 > total) {
    fail(
      `column '${name}' holds labels (${listClasses(sortedUnique(words))}), not numbers, so it cannot be a regression target; for classes use categorical_crossentropy or sparse_categorical_crossentropy.`,
    );
  }
  const labels =
    request.encoding !== 'regression' && (request.classes !== undefined || words.length > 0);
  if (labels) {
    const classes = request.classes ? checkedClasses(request.classes, fail) : sortedUnique(cells);
    const encoding = resolveEncoding(
      request.encoding,
      request.outputUnits ?? (classes.length === 2 ? 1 : classes.length),
    );
    checkLabelClasses(
      name,
      classes,
      encoding,
      request.outputUnits,
      request.classes !== undefined,
      fail,
    );
    const index = new Map(classes.map((c, i) => [c, i] as const));
    const classCount = encoding === 'binary' ? 1 : classes.length;
    return {
      name,
      encoding,
      classes,
      index,
      classCount,
      yCols: encoding === 'one_hot' ? classes.length : 1,
    };
  }
  if (request.encoding === undefined) {
    return numericPlan(name, 'regression', 1, request.outputUnits, fail);
  }
  let largest = 0;
  for (const cell of cells) {
    const v = parseCell(cell);
    if (v > largest) largest = v;
  }
  const inferred = Math.floor(largest) + 1;
  const encoding = resolveEncoding(
    request.encoding,
    request.outputUnits ?? (inferred <= 2 ? 1 : inferred),
  );
  const classCount =
    encoding === 'sparse' || encoding === 'one_hot' ? (request.outputUnits ?? inferred) : 1;
  return numericPlan(name, encoding, classCount, request.outputUnits, fail);
}

/** Keras's rule for 'crossentropy' (one target column): binary when the model has one output unit, else sparse. */
function resolveEncoding(
  requested: TargetEncoding | 'auto' | undefined,
  units: number,
): TargetEncoding {
  if (requested !== undefined && requested !== 'auto') return requested;
  return units === 1 ? 'binary' : 'sparse';
}

function numericPlan(
  name: string,
  encoding: TargetEncoding,
  classCount: number,
  units: number | undefined,
  fail: (m: string) => never,
): TargetPlan {
  const needed = encoding === 'sparse' || encoding === 'one_hot' ? classCount : 1;
  if (units !== undefined && units !== needed) {
    fail(
      encoding === 'binary'
        ? binaryUnitsMessage(name, units)
        : `column '${name}' is one value per sample, but the model outputs ${units} units; a regression target from one column needs 1.`,
    );
  }
  return {
    name,
    encoding,
    classes: null,
    index: null,
    classCount,
    yCols: encoding === 'one_hot' ? classCount : 1,
  };
}

function binaryUnitsMessage(name: string, units: number): string {
  return `column '${name}' is a binary target (one 0/1 value per sample), but the model outputs ${units} units; binary_crossentropy needs 1 (e.g. Dense(1, sigmoid)).`;
}

function checkLabelClasses(
  name: string,
  classes: string[],
  encoding: TargetEncoding,
  units: number | undefined,
  fixed: boolean,
  fail: (m: string) => never,
): void {
  const list = listClasses(classes);
  const count = `${classes.length} ${classes.length === 1 ? 'class' : 'classes'} (${list})`;
  if (encoding === 'binary') {
    if (classes.length > 2) {
      fail(
        `column '${name}' has ${count}, but binary_crossentropy needs exactly 2: use categorical_crossentropy (or sparse_categorical_crossentropy) with ${classes.length} output units and softmax.`,
      );
    }
    if (classes.length < 2) {
      fail(`column '${name}' has only ${count}; a binary target needs 2 classes.`);
    }
    if (units !== undefined && units !== 1) fail(binaryUnitsMessage(name, units));
    return;
  }
  if (units !== undefined && units !== classes.length) {
    fail(`column '${name}' has ${count}, but the model outputs ${units} units.`);
  }
  if (classes.length < 2 && !fixed) {
    fail(`column '${name}' has only ${count}; there is nothing to classify.`);
  }
}

function checkedClasses(classes: string[], fail: (m: string) => never): string[] {
  if (classes.length === 0) fail('the list of classes is empty.');
  const seen = new Set<string>();
  for (const c of classes) {
    if (seen.has(c)) fail(`the class ${quoteValue(c)} is listed twice.`);
    seen.add(c);
  }
  return classes;
}

/** The distinct non-empty labels in sorted order (by code point, as NumPy sorts strings). */
function sortedUnique(cells: readonly string[]): string[] {
  const unique = [...new Set(cells)].filter((c) => c !== '');
  return unique.sort(compareCodePoints);
}

/** Orders strings by Unicode code point (JavaScript's default sort compares UTF-16 units instead). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

function listClasses(classes: string[]): string {
  const shown = classes.slice(0, 10).map(quoteValue).join(', ');
  return classes.length > 10 ? `${shown}, … ${classes.length - 10} more` : shown;
}

/**
 * Writes row `row` of y from one target cell, laid out y:[rows, plan.yCols] (one-hot rows are
 * written whole, zeros included). Returns the problem as text, or null when the cell is good.
 */
export function encodeTargetCell(
  plan: TargetPlan,
  cell: string,
  y: Float32Array,
  row: number,
): string | null {
  const name = plan.name;
  if (cell === '') return `column '${name}' is empty`;
  let k: number;
  if (plan.index) {
    const found = plan.index.get(cell);
    if (found === undefined) {
      return `column '${name}': ${quoteValue(cell)} is not one of the classes ${listClasses(plan.classes!)}`;
    }
    k = found;
  } else {
    const v = parseCell(cell);
    if (Number.isNaN(v)) return describeBadCell(name, cell);
    if (plan.encoding === 'regression') {
      y[row] = v;
      return null;
    }
    if (plan.encoding === 'binary') {
      if (v !== 0 && v !== 1) {
        return `column '${name}': ${quoteValue(cell)} is not 0 or 1, as binary_crossentropy needs`;
      }
      y[row] = v;
      return null;
    }
    if (!Number.isInteger(v) || v < 0 || v >= plan.classCount) {
      return `column '${name}': ${quoteValue(cell)} is not a class index (an integer from 0 to ${plan.classCount - 1})`;
    }
    k = v;
  }
  if (plan.encoding === 'one_hot') {
    const base = row * plan.yCols;
    for (let j = 0; j < plan.yCols; j++) y[base + j] = 0;
    y[base + k] = 1;
  } else {
    y[row] = k;
  }
  return null;
}
