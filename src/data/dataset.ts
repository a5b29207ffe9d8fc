/**
 * A training table: a CSV file with a header → float32 features x and targets y in the
 * encoding the loss needs, for `nn train`, `nn evaluate` and `nn predict`. Every problem in
 * the file is a DataError that names the file, the line (1-based, the header is line 1 when it
 * is the first line) and the column; the first rows with problems are listed together.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { extname } from 'node:path';
import {
  DataError,
  ProblemList,
  describeBadCell,
  looksNumeric,
  parseCell,
  scanCsv,
  quoteValue,
} from './csv.js';
import { applyScaler, checkScaler, fitScaler, type Scaler } from './scaler.js';
import { encodeTargetCell, planTarget, type TargetEncoding, type TargetPlan } from './target.js';

/** How to read a table: which column is the target, how to encode it, which columns are features. */
export interface TableOptions {
  /** The target column's name, or its 0-based index (negative counts from the end); default: the last column. */
  target?: string | number;
  /**
   * What the loss needs (the catalog's loss `target`). 'auto' (Keras's 'crossentropy') and
   * undefined for a label column mean 'binary' for a one-unit model, 'sparse' otherwise;
   * undefined for a numeric column means 'regression'.
   */
  encoding?: TargetEncoding | 'auto';
  /** The model's output units, checked against the class count. */
  outputUnits?: number;
  /** A fixed class order (from training) for evaluate and predict; unknown labels are errors. */
  classes?: string[];
  /** The feature columns in order (from training); default: every column but the target. */
  features?: string[];
  /** Fit a scaler on these rows; ignored when `scaler` is given. */
  scaling?: 'none' | 'standard' | 'minmax';
  /** Training's scaler, to transform these rows the same way. */
  scaler?: Scaler;
  /** False for predict: no target column is read (a column named like `target` is left out). */
  hasTarget?: boolean;
}

/** A table ready for the engine: x:[rows, features.length] and y:[rows, yCols], row-major float32. */
export interface Table {
  x: Float32Array;
  y: Float32Array | null;
  rows: number;
  features: string[];
  targetName: string | null;
  /** The class names in output-unit order when the target held labels (or `classes` was given). */
  classes: string[] | null;
  /** Columns of y (0 when there is no target). */
  yCols: number;
  scaler: Scaler | null;
}

/** The most floats one array of a table may hold (x or y). */
export const MAX_TABLE_FLOATS = 2 ** 31;

/** Reads a table from a file (UTF-8, optional BOM; tab-separated when named .tsv or .tab; gunzipped when named .gz). */
export function readTable(path: string, options: TableOptions): Table {
  let bytes: Buffer;
  try {
    // A .gz file (e.g. data.csv.gz) is read through gunzip: large samples ship compressed.
    // The bytes are parsed as they are: no copy of the file as a string.
    bytes = path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path);
  } catch (err) {
    throw new DataError(`${path}: cannot read the file: ${readFailure(err)}.`, path);
  }
  return parseTable(bytes, path.replace(/\.gz$/, ''), options);
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ERR_STRING_TOO_LONG') return 'it is too large to read as text';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
    return 'it is not a valid gzip file (truncated or corrupt?)';
  return (err as Error).message;
}

/** Parses a table from CSV text (or its UTF-8 bytes); `file` names it in error messages and chooses the delimiter. */
export function parseTable(text: string | Uint8Array, file: string, options: TableOptions): Table {
  const ext = extname(file).toLowerCase();
  const hasTarget = options.hasTarget ?? true;
  // One pass over the text: each row's features go straight into x, its target cell is kept
  // (interned) for planTarget; no row is kept as strings.
  const state: { rows: Rows | null } = { rows: null };
  let header: string[] = [];
  let headerLine = 0;
  scanCsv(text, file, ext === '.tsv' || ext === '.tab' ? '\t' : ',', (record, line) => {
    if (headerLine === 0) {
      headerLine = line;
      header = checkHeader(record, line, file);
      return;
    }
    if (state.rows === null) {
      const targetIndex = hasTarget ? resolveTarget(header, options.target, file) : -1;
      const featureIndex = resolveFeatures(header, options, targetIndex, file);
      state.rows = new Rows(header, featureIndex, targetIndex, rowBound(text), file);
    }
    state.rows.add(record, line);
  });
  const rowsRead = state.rows;
  if (rowsRead === null) {
    const message = `${file}: there are no data rows after the header (line ${headerLine}).`;
    throw new DataError(message, file, headerLine);
  }
  const { rows, featureIndex, targetIndex } = rowsRead;
  const target =
    targetIndex >= 0
      ? planTarget(rowsRead.targetCells(), header[targetIndex]!, file, options)
      : null;
  const cols = featureIndex.length;
  const x = rowsRead.features();
  const y = target ? allocate(rows, target.yCols, file, 'targets') : null;
  rowsRead.finish(target && y ? { plan: target, y } : null);
  const scaler = scale(x, rows, cols, options, file);
  return {
    x,
    y,
    rows,
    features: featureIndex.map((i) => header[i]!),
    targetName: target ? target.name : null,
    classes: target ? target.classes : (options.classes ?? null),
    yCols: target ? target.yCols : 0,
    scaler,
  };
}

/**
 * The rows of a table as they stream in: features parsed into a preallocated x, target cells
 * kept interned, problems noted per row; `finish` encodes the targets and reports every
 * problem of every row in line order, as one DataError listing the first of them.
 */
class Rows {
  rows = 0;
  private x: Float32Array;
  private lines: Int32Array;
  /** Per row: 0 good, 1 a bad feature cell, 2 the wrong number of values (no target read). */
  private flags: Uint8Array;
  private readonly cells: string[] = [];
  private readonly interned = new Map<string, string>();
  /** The problems of the first rows with feature or width problems, enough to list them. */
  private readonly details = new Map<number, { column: string | undefined; text: string }[]>();

  constructor(
    private readonly header: string[],
    readonly featureIndex: number[],
    readonly targetIndex: number,
    capacity: number,
    private readonly file: string,
  ) {
    this.x = allocate(capacity, featureIndex.length, file, 'features');
    this.lines = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  add(record: string[], line: number): void {
    const r = this.rows++;
    if (r >= this.lines.length) this.grow();
    this.lines[r] = line;
    const { header, featureIndex } = this;
    if (record.length !== header.length) {
      const values = `${record.length} ${record.length === 1 ? 'value' : 'values'}`;
      this.problem(r, 2, undefined, `${values}, but the header has ${header.length} columns`);
      if (this.targetIndex >= 0) this.cells.push('');
      return;
    }
    const cols = featureIndex.length;
    for (let j = 0; j < cols; j++) {
      const column = featureIndex[j]!;
      const cell = record[column]!;
      const v = parseCell(cell);
      if (Number.isNaN(v))
        this.problem(r, 1, header[column], describeBadCell(header[column]!, cell));
      else this.x[r * cols + j] = v;
    }
    if (this.targetIndex >= 0) {
      const cell = record[this.targetIndex]!;
      let kept = this.interned.get(cell);
      if (kept === undefined) {
        kept = cell;
        if (this.interned.size < 65536) this.interned.set(cell, cell);
      }
      this.cells.push(kept);
    }
  }

  /** The target cells of the rows that have the header's width (the others are reported anyway). */
  targetCells(): string[] {
    if (!this.flags.subarray(0, this.rows).includes(2)) return this.cells;
    return this.cells.filter((_, r) => this.flags[r] !== 2);
  }

  /** x:[rows, features], exactly as long as the rows read. */
  features(): Float32Array {
    const n = this.rows * this.featureIndex.length;
    return n === this.x.length ? this.x : this.x.slice(0, n);
  }

  /** Encodes the targets into y and throws the rows' problems, if any, in line order. */
  finish(target: { plan: TargetPlan; y: Float32Array } | null): void {
    const problems = new ProblemList();
    for (let r = 0; r < this.rows; r++) {
      const flag = this.flags[r]!;
      const line = this.lines[r]!;
      if (flag !== 0) {
        // Rows past the listed ones are only counted: any text will do.
        for (const p of this.details.get(r) ?? [{ column: undefined, text: '' }])
          problems.add(line, p.column, p.text);
        if (flag === 2) continue;
      }
      if (target) {
        const problem = encodeTargetCell(target.plan, this.cells[r]!, target.y, r);
        if (problem !== null) problems.add(line, target.plan.name, problem);
      }
    }
    problems.throwIfAny(this.file);
  }

  private problem(r: number, flag: 1 | 2, column: string | undefined, text: string): void {
    this.flags[r] = flag;
    let list = this.details.get(r);
    if (list === undefined) {
      if (this.details.size > MAX_DETAILED_ROWS) return;
      list = [];
      this.details.set(r, list);
    }
    list.push({ column, text });
  }

  /** More rows than the text's line count promised cannot happen; grown anyway, to be safe. */
  private grow(): void {
    const capacity = Math.max(16, this.lines.length * 2);
    const x = allocate(capacity, this.featureIndex.length, this.file, 'features');
    x.set(this.x);
    this.x = x;
    const lines = new Int32Array(capacity);
    lines.set(this.lines);
    this.lines = lines;
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
  }
}

/** Rows whose problems are kept in full: more than a DataError lists. */
const MAX_DETAILED_ROWS = 16;

/** At most how many data rows the text holds: its lines, less the header's. */
function rowBound(text: string | Uint8Array): number {
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let lines = 0;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (c === 10 || (c === 13 && at(i + 1) !== 10)) lines++;
  }
  const last = at(text.length - 1);
  if (text.length > 0 && last !== 10 && last !== 13) lines++;
  return Math.max(1, lines - 1);
}

/** The header's names: every name present and distinct, and the line not a row of numbers. */
function checkHeader(header: string[], headerLine: number, file: string): string[] {
  const fail = (message: string): never => {
    throw new DataError(`${file}, line ${headerLine}: ${message}`, file, headerLine);
  };
  if (header.every(looksNumeric)) {
    fail(
      `the first line must name the columns, but it holds numbers (${header.slice(0, 5).join(',')}${header.length > 5 ? ',…' : ''}); add a header line such as 'x1,x2,y'.`,
    );
  }
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') fail(`column ${i + 1} of the header has no name.`);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      fail(
        `the column name ${quoteValue(name)} appears twice (columns ${earlier + 1} and ${i + 1}).`,
      );
    }
    seen.set(name, i);
  });
  return header;
}

/** The target's column index from its name or (possibly negative) index. */
function resolveTarget(
  header: string[],
  target: string | number | undefined,
  file: string,
): number {
  if (target === undefined) return header.length - 1;
  if (typeof target === 'number') {
    const index = target < 0 ? header.length + target : target;
    if (!Number.isInteger(target) || index < 0 || index >= header.length) {
      throw new DataError(
        `${file}: there is no column ${target}: the file has ${header.length} columns (0 to ${header.length - 1}).`,
        file,
      );
    }
    return index;
  }
  const index = header.indexOf(target);
  if (index < 0) {
    throw new DataError(`${file}: ${noColumnMessage(header, target)}`, file, undefined, target);
  }
  return index;
}

function noColumnMessage(header: string[], name: string): string {
  const near = header.find((h) => h.toLowerCase() === name.toLowerCase());
  const hint = near === undefined ? '' : ` Did you mean ${quoteValue(near)}?`;
  return `there is no column named ${quoteValue(name)}; the columns are ${header.map(quoteValue).join(', ')}.${hint}`;
}

/** The feature columns' indices: the named ones in order, or every column but the target. */
function resolveFeatures(
  header: string[],
  options: TableOptions,
  targetIndex: number,
  file: string,
): number[] {
  const named = options.features;
  if (named) {
    const missing = named.filter((n) => !header.includes(n));
    if (missing.length > 0) {
      const which =
        missing.length === 1
          ? `the feature column ${quoteValue(missing[0]!)} is missing`
          : `the feature columns ${missing.map(quoteValue).join(', ')} are missing`;
      throw new DataError(
        `${file}: ${which}; the columns are ${header.map(quoteValue).join(', ')}.`,
        file,
        undefined,
        missing[0],
      );
    }
    const twice = named.find((n, i) => named.indexOf(n) !== i);
    if (twice !== undefined) {
      throw new DataError(
        `${file}: the feature column ${quoteValue(twice)} is listed twice.`,
        file,
        undefined,
        twice,
      );
    }
    const indices = named.map((n) => header.indexOf(n));
    if (targetIndex >= 0 && indices.includes(targetIndex)) {
      throw new DataError(
        `${file}: column ${quoteValue(header[targetIndex]!)} is the target, so it cannot also be a feature.`,
        file,
        undefined,
        header[targetIndex],
      );
    }
    if (indices.length === 0) {
      throw new DataError(`${file}: the list of feature columns is empty.`, file);
    }
    return indices;
  }
  const skip =
    targetIndex >= 0
      ? targetIndex
      : typeof options.target === 'string'
        ? header.indexOf(options.target)
        : -1;
  const indices = header.map((_, i) => i).filter((i) => i !== skip);
  if (indices.length === 0) {
    const only = quoteValue(header[skip]!);
    throw new DataError(
      `${file}: there are no feature columns: the only column is the target ${only}.`,
      file,
    );
  }
  return indices;
}

/** A zeroed float32 array of rows × cols, or a DataError when that is more than a table may hold. */
function allocate(rows: number, cols: number, file: string, what: string): Float32Array {
  const n = rows * cols;
  if (n > MAX_TABLE_FLOATS) {
    throw new DataError(
      `${file}: ${rows} rows × ${cols} columns of ${what} is ${n.toExponential(2)} floats, more than the ${MAX_TABLE_FLOATS} a table can hold.`,
      file,
    );
  }
  try {
    return new Float32Array(n);
  } catch {
    throw new DataError(
      `${file}: not enough memory for ${rows} rows × ${cols} columns of ${what}.`,
      file,
    );
  }
}

/** Scales x in place with training's scaler or a newly fitted one, and returns the scaler used. */
function scale(
  x: Float32Array,
  rows: number,
  cols: number,
  options: TableOptions,
  file: string,
): Scaler | null {
  if (options.scaler) {
    checkScaler(options.scaler, cols, file);
    applyScaler(options.scaler, x, rows, cols);
    return options.scaler;
  }
  if (!options.scaling || options.scaling === 'none') return null;
  const scaler = fitScaler(options.scaling, x, rows, cols);
  applyScaler(scaler, x, rows, cols);
  return scaler;
}
