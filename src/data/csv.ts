/**
 * CSV text → header and records of text cells, each record with the line it starts on, and
 * the error type of the data stage. The parsing itself is csv-parse's; this file only adds
 * line numbers, blank-line handling and messages that point at the culprit. (readTable reads
 * plain files in chunks with plain.ts instead, to the same effect.)
 */
import { parse } from 'csv-parse/sync';

/** A problem in a data file: the message is complete and meant to be shown as is. */
export class DataError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** A CSV file as text: the header's cells and every data record, with 1-based line numbers. */
export interface CsvText {
  header: string[];
  headerLine: number;
  records: string[][];
  /** `lines[i]` is the line on which `records[i]` starts, counting the header's line. */
  lines: number[];
}

/** How many rows with problems one error message lists before summing up the rest. */
const MAX_LISTED_ROWS = 10;

/** How many problems of one row its entry spells out before counting the rest. */
const MAX_PROBLEMS_PER_ROW = 3;

interface RowProblems {
  line: number;
  column: string | undefined;
  texts: string[];
  more: number;
}

/** Collects the problems found row by row (in line order), so one error can list the first few. */
export class ProblemList {
  private readonly listed: RowProblems[] = [];
  private rows = 0;
  private lastLine = -1;

  /** Records a problem; problems on the same line as the previous one join its entry. */
  add(line: number, column: string | undefined, text: string): void {
    if (line !== this.lastLine) {
      this.lastLine = line;
      this.rows++;
      if (this.listed.length < MAX_LISTED_ROWS) {
        this.listed.push({ line, column, texts: [text], more: 0 });
      }
      return;
    }
    const last = this.listed[this.listed.length - 1];
    if (!last || last.line !== line) return;
    if (last.texts.length < MAX_PROBLEMS_PER_ROW) last.texts.push(text);
    else last.more++;
  }

  /** The number of rows with at least one problem. */
  get count(): number {
    return this.rows;
  }

  /** Throws one DataError listing the first rows with problems, if there are any. */
  throwIfAny(file: string): void {
    const first = this.listed[0];
    if (!first) return;
    if (this.rows === 1) {
      const message = `${file}, line ${first.line}: ${describeRow(first)}`;
      throw new DataError(message, file, first.line, first.column);
    }
    const lines = this.listed.map((p) => `  line ${p.line}: ${describeRow(p)}`);
    const rest = this.rows - this.listed.length;
    if (rest > 0) lines.push(`  … and ${rest} more ${rest === 1 ? 'row' : 'rows'}`);
    const message = `${file}: ${this.rows} rows cannot be used:\n${lines.join('\n')}`;
    throw new DataError(message, file, first.line, first.column);
  }
}

function describeRow(row: RowProblems): string {
  const more =
    row.more > 0
      ? `; and ${row.more} more ${row.more === 1 ? 'problem' : 'problems'} on this line`
      : '';
  return row.texts.join('; ') + more;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A cell value quoted for a message: single quotes, control characters escaped, long values cut. */
export function quoteValue(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 37)}…` : value;
  const escaped = shown.replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `'${escaped}'`;
}

/** What csv-parse passes `on_record` about the record (its typings leave the options loose). */
interface CsvRecordInfo {
  bytes: number;
}

/**
 * Splits CSV text (comma- or tab-separated, any line ending, optional BOM) into header and
 * records, all held in memory; `scanCsv` streams them instead.
 */
export function parseCsv(text: string, file: string, delimiter = ','): CsvText {
  let header: string[] = [];
  let headerLine = 0;
  const records: string[][] = [];
  const lines: number[] = [];
  scanCsv(text, file, delimiter, (record, line) => {
    if (headerLine === 0) {
      header = record;
      headerLine = line;
    } else {
      records.push(record);
      lines.push(line);
    }
  });
  return { header, headerLine, records, lines };
}

/**
 * Streams CSV (text, or its UTF-8 bytes as read from the file) record by record to `onRecord` —
 * the header first — with the 1-based line each record starts on, keeping none of them. Lines
 * are found from each record's end offset in bytes, not from csv-parse's line counter, which
 * counts a CRLF inside quotes as two lines. A DataError thrown by `onRecord` is thrown as is.
 */
export function scanCsv(
  input: string | Uint8Array,
  file: string,
  delimiter: string,
  onRecord: (record: string[], line: number) => void,
): void {
  // Plain bytes rather than Node's Buffer, so the reader also runs in a browser (the
  // playground): csv-parse takes the text as given, the cursor below walks its UTF-8 bytes.
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  // The cursor walks the bytes once, in step with csv-parse, counting the line breaks before it.
  let at = 0;
  let breaks = 0;
  let records = 0;
  const onEach = (record: string[], info: CsvRecordInfo): null => {
    const last = info.bytes - 1;
    for (; at < last && at < bytes.length; at++) {
      const c = bytes[at];
      if (c === 10 || (c === 13 && bytes[at + 1] !== 10)) breaks++;
    }
    records++;
    onRecord(record, breaks + 1 - lineBreaksIn(record));
    return null;
  };
  try {
    parse(input, {
      bom: true,
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      on_record: onEach,
    });
  } catch (err) {
    if (err instanceof DataError) throw err;
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    throw csvSyntaxError(err, text, file, delimiter);
  }
  if (records === 0) {
    throw new DataError(
      `${file}: the file is empty; expected a header line naming the columns, then one line per sample.`,
      file,
    );
  }
}

/** The number of line breaks inside a record's quoted fields (a record ends on its start line plus these). */
function lineBreaksIn(record: string[]): number {
  let breaks = 0;
  for (const cell of record) {
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10) breaks++;
      else if (c === 13 && cell.charCodeAt(i + 1) !== 10) breaks++;
    }
  }
  return breaks;
}

/** csv-parse's error, rephrased with the line where the bad record starts. */
function csvSyntaxError(err: unknown, text: string, file: string, delimiter: string): DataError {
  const e = err as { code?: string; lines?: number; message?: string };
  const line = typeof e.lines === 'number' ? e.lines : undefined;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED': {
      const start = unclosedQuoteLine(text, delimiter);
      return new DataError(
        `${file}, line ${start}: a quoted value is never closed (the file ends inside the quotes).`,
        file,
        start,
      );
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new DataError(
        `${file}, line ${line ?? '?'}: text after a closing quote; a quoted value must be followed by a comma or the end of the line.`,
        file,
        line,
      );
    default:
      return new DataError(
        `${file}${line ? `, line ${line}` : ''}: not a readable CSV file: ${e.message ?? String(err)}`,
        file,
        line,
      );
  }
}

/** The line of the quote still open at the end of the text: quotes open only at a field's start. */
function unclosedQuoteLine(text: string, delimiter: string): number {
  const sep = delimiter.charCodeAt(0);
  let line = 1;
  let open = 0;
  let inQuotes = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === 34) inQuotes = false;
    } else if (c === 34 && fieldStart) {
      inQuotes = true;
      open = line;
    } else if (c === sep || c === 10 || c === 13) {
      fieldStart = true;
    } else if (c !== 32 && c !== 9) {
      fieldStart = false;
    }
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return open || line;
}

/** A decimal number as written in CSV files: optional sign, digits with an optional point, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** The cell's number if it is a finite decimal that fits a float32, otherwise NaN (see describeBadCell). */
export function parseCell(cell: string): number {
  if (!DECIMAL.test(cell)) return Number.NaN;
  const value = Number(cell);
  return Number.isFinite(Math.fround(value)) ? value : Number.NaN;
}

/** Whether a cell reads as a number, finite or not: such a column is numeric, not a column of labels. */
export function looksNumeric(cell: string): boolean {
  return DECIMAL.test(cell) || NON_FINITE.test(cell);
}

/** Why parseCell rejected a cell, as the end of a sentence that starts with the column. */
export function describeBadCell(column: string, cell: string): string {
  if (cell === '') return `column '${column}' is empty`;
  const why = NON_FINITE.test(cell)
    ? 'is not a finite number'
    : DECIMAL.test(cell)
      ? 'is too large for a 32-bit float'
      : 'is not a number';
  return `column '${column}': ${quoteValue(cell)} ${why}`;
}
