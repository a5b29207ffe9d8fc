/**
 * A training table: a CSV file with a header → float32 features x and targets y in the
 * encoding the loss needs, for `nn train`, `nn evaluate` and `nn predict`. Every problem in
 * the file is a DataError that names the file, the line (1-based, the header is line 1 when it
 * is the first line) and the column; the first rows with problems are listed together.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { extname } from 'node:path';
import { DataError, looksNumeric, scanCsv, quoteValue } from './csv.js';
import { fileRowBound, scanPlainCsv } from './plain.js';
import { allocate, rowBound, Rows } from './rows.js';
import { applyScaler, checkScaler, fitScaler, type Scaler } from './scaler.js';
import { planTarget, type TargetEncoding } from './target.js';

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

export { MAX_TABLE_FLOATS } from './rows.js';

/** Reads a table from a file (UTF-8, optional BOM; tab-separated when named .tsv or .tab; gunzipped when named .gz). */
export function readTable(path: string, options: TableOptions): Table {
  const plain = path.endsWith('.gz') ? null : readPlainTable(path, options);
  if (plain !== null) return plain;
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
  // One pass over the text: each row's features go straight into x, its target cell is kept
  // as an id for planTarget; no row is kept as strings.
  const reader = new TableReader(file, options, () => rowBound(text));
  scanCsv(text, file, ext === '.tsv' || ext === '.tab' ? '\t' : ',', (record, line) => {
    if (reader.header === null) reader.setHeader(record, line);
    else reader.rows().add(record, line);
  });
  return reader.table();
}

/**
 * The table from a plain comma-separated file (see plain.ts) read in chunks, or null when the
 * file is not plain (or cannot be read): then readTable reads it whole with csv-parse.
 */
function readPlainTable(path: string, options: TableOptions): Table | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return null;
  const bound = fileRowBound(path);
  if (bound === null) return null;
  const reader = new TableReader(path, options, () => bound);
  const plain = scanPlainCsv(path, {
    header: (record, line) => reader.setHeader(record, line),
    row: (fields, line) => reader.rows().addFields(fields, line),
  });
  return plain ? reader.table() : null;
}

/** The state of one table being read: the header, then the rows, then the finished table. */
class TableReader {
  header: string[] | null = null;
  private headerLine = 0;
  private read: Rows | null = null;

  constructor(
    private readonly file: string,
    private readonly options: TableOptions,
    private readonly capacity: () => number,
  ) {}

  /** Checks and keeps the header, read on `line`. */
  setHeader(record: string[], line: number): void {
    this.headerLine = line;
    this.header = checkHeader(record, line, this.file);
  }

  /** The rows, set up at the first data row (on `line`). */
  rows(): Rows {
    if (this.read !== null) return this.read;
    const { file, options } = this;
    const header = this.header!;
    const targetIndex =
      (options.hasTarget ?? true) ? resolveTarget(header, options.target, file) : -1;
    const featureIndex = resolveFeatures(header, options, targetIndex, file);
    this.read = new Rows(header, featureIndex, targetIndex, this.capacity(), file);
    return this.read;
  }

  /** The finished table, once every record is in; throws the rows' problems, if any. */
  table(): Table {
    const { file, options } = this;
    const header = this.header ?? [];
    const rowsRead = this.read;
    if (rowsRead === null) {
      const message = `${file}: there are no data rows after the header (line ${this.headerLine}).`;
      throw new DataError(message, file, this.headerLine);
    }
    const { rows, featureIndex, targetIndex } = rowsRead;
    const target =
      targetIndex >= 0
        ? planTarget(rowsRead.targetColumn(), header[targetIndex]!, file, options)
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
