/**
 * The rows of a training table as they stream in from the CSV: features straight into a
 * preallocated Float32Array, target cells as ids of the distinct cells, problems noted per row
 * (see dataset.ts).
 */
import { DataError, ProblemList, describeBadCell, parseCell } from './csv.js';
import { fieldText, plainNumber, type Fields } from './plain.js';
import { encodeTargetCell, type TargetColumn, type TargetPlan } from './target.js';

/** The most floats one array of a table may hold (x or y). */
export const MAX_TABLE_FLOATS = 2 ** 31;

/**
 * The rows of a table as they stream in: features parsed into a preallocated x, target cells
 * kept as ids (one int per row), problems noted per row; `finish` encodes the targets and reports every
 * problem of every row in line order, as one DataError listing the first of them.
 */
export class Rows {
  rows = 0;
  private x: Float32Array;
  private lines: Int32Array;
  /** Per row: 0 good, 1 a bad feature cell, 2 the wrong number of values (no target read). */
  private flags: Uint8Array;
  /** Per row: the index in `values` of its target cell (-1 for a row of the wrong width). */
  private targets: Int32Array;
  /** The target cells seen, each once while there are few of them (a repeat after that is harmless). */
  private readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Ids of ASCII target cells by a hash of their bytes, for addFields. */
  private readonly byHash = new Map<number, number>();
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
    this.targets = new Int32Array(targetIndex >= 0 ? capacity : 0);
  }

  /** Adds a record of text cells, read by csv-parse, that starts on `line`. */
  add(record: string[], line: number): void {
    const r = this.start(record.length, line);
    if (r < 0) return;
    const { header, featureIndex } = this;
    const cols = featureIndex.length;
    for (let j = 0; j < cols; j++) {
      const column = featureIndex[j]!;
      const cell = record[column]!;
      const v = parseCell(cell);
      if (Number.isNaN(v))
        this.problem(r, 1, header[column], describeBadCell(header[column]!, cell));
      else this.x[r * cols + j] = v;
    }
    if (this.targetIndex >= 0) this.targets[r] = this.idOf(record[this.targetIndex]!);
  }

  /** Adds a record given as byte ranges (plain.ts), exactly as `add` would its cells as text. */
  addFields(fields: Fields, line: number): void {
    const r = this.start(fields.count, line);
    if (r < 0) return;
    const { header, featureIndex } = this;
    const cols = featureIndex.length;
    for (let j = 0; j < cols; j++) {
      const column = featureIndex[j]!;
      let v = plainNumber(fields, column);
      if (Number.isNaN(v)) {
        const cell = fieldText(fields, column);
        v = parseCell(cell);
        if (Number.isNaN(v)) {
          this.problem(r, 1, header[column], describeBadCell(header[column]!, cell));
          continue;
        }
      }
      this.x[r * cols + j] = v;
    }
    if (this.targetIndex >= 0) this.targets[r] = this.idOfBytes(fields, this.targetIndex);
  }

  /** Starts row r for a record of `width` cells: its index, or -1 when its width is wrong (noted). */
  private start(width: number, line: number): number {
    const r = this.rows++;
    if (r >= this.lines.length) this.grow();
    this.lines[r] = line;
    if (width !== this.header.length) {
      const values = `${width} ${width === 1 ? 'value' : 'values'}`;
      this.problem(r, 2, undefined, `${values}, but the header has ${this.header.length} columns`);
      if (this.targetIndex >= 0) this.targets[r] = -1;
      return -1;
    }
    return r;
  }

  /** The id of a target cell, a new one when it is new or there are too many to look up. */
  private idOf(cell: string): number {
    let id = this.ids.get(cell);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(cell);
      if (this.ids.size < MAX_LOOKED_UP) this.ids.set(cell, id);
    }
    return id;
  }

  /** idOf field i, found by a hash of its bytes among the ASCII cells seen before (no string made then). */
  private idOfBytes(fields: Fields, i: number): number {
    const { buf } = fields;
    const s = fields.starts[i]!;
    const e = fields.ends[i]!;
    let hash = 0x811c9dc5;
    for (let p = s; p < e; p++) hash = Math.imul(hash ^ buf[p]!, 0x01000193);
    const seen = this.byHash.get(hash);
    if (seen !== undefined) {
      const text = this.values[seen]!;
      let same = text.length === e - s;
      for (let p = s; p < e && same; p++) same = text.charCodeAt(p - s) === buf[p];
      if (same) return seen;
    }
    const cell = fieldText(fields, i);
    const id = this.idOf(cell);
    if (this.byHash.size < MAX_LOOKED_UP && /^[\x00-\x7f]*$/.test(cell)) this.byHash.set(hash, id);
    return id;
  }

  /** The target cells of the rows that have the header's width (the others are reported anyway). */
  targetColumn(): TargetColumn {
    const counts = new Float64Array(this.values.length);
    for (let r = 0; r < this.rows; r++) {
      const id = this.targets[r]!;
      if (id >= 0) counts[id]!++;
    }
    return { values: this.values, counts };
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
        const cell = this.values[this.targets[r]!]!;
        const problem = encodeTargetCell(target.plan, cell, target.y, r);
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
    if (this.targetIndex >= 0) {
      const targets = new Int32Array(capacity);
      targets.set(this.targets);
      this.targets = targets;
    }
  }
}

/** How many distinct target cells are looked up; past that, each new cell is simply kept. */
const MAX_LOOKED_UP = 65536;

/** Rows whose problems are kept in full: more than a DataError lists. */
const MAX_DETAILED_ROWS = 16;

/** At most how many data rows the text holds: its lines, less the header's. */
export function rowBound(text: string | Uint8Array): number {
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

/** A zeroed float32 array of rows × cols, or a DataError when that is more than a table may hold. */
export function allocate(rows: number, cols: number, file: string, what: string): Float32Array {
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
