/**
 * A low-memory reader for the common CSV file: comma-separated, no quotes, no control
 * characters, no blanks around a cell, one kind of line ending (LF or CRLF), optional BOM. It
 * reads the file in chunks and hands each record over as byte offsets into the chunk, so no
 * string or array is made per record. Anything else makes it give up (return false) before
 * the file's end, and the caller reads the file again with csv-parse (csv.ts), whose rules
 * this reader follows exactly for the files it accepts.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** How much of the file is read at a time (a longer record grows the buffer). */
const CHUNK = 1 << 20;

/** One record as byte ranges of `buf`: field i is `buf[starts[i], ends[i])`. */
export interface Fields {
  buf: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  count: number;
}

/** What the plain reader hands its records to: the header as text, then each data record as bytes. */
export interface PlainSink {
  header(record: string[], line: number): void;
  row(fields: Fields, line: number): void;
}

/** Calls `each` with successive chunks of the file (a view of a reused buffer), or returns false if it cannot be read. */
function eachChunk(path: string, each: (chunk: Buffer) => void): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return true;
      each(buf.subarray(0, n));
    }
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** rowBound (rows.ts) of the whole file, counted chunk by chunk; null if the file cannot be read. */
export function fileRowBound(path: string): number | null {
  let lines = 0;
  let size = 0;
  let pendingCr = false;
  let last = -1;
  const ok = eachChunk(path, (chunk) => {
    size += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (pendingCr && c !== 10) lines++;
      pendingCr = c === 13;
      if (c === 10) lines++;
    }
    last = chunk[chunk.length - 1]!;
  });
  if (!ok) return null;
  if (pendingCr) lines++;
  if (size > 0 && last !== 10 && last !== 13) lines++;
  return Math.max(1, lines - 1);
}

/**
 * Reads the file's records into `sink` if the file is plain; returns false as soon as it is not
 * (or cannot be read, or holds no data row), leaving the rest to csv-parse. A DataError thrown
 * by the sink is thrown as is: the records before it were plain, so csv-parse would throw it too.
 */
export function scanPlainCsv(path: string, sink: PlainSink): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    return scan(fd, sink);
  } finally {
    closeSync(fd);
  }
}

/** The tokenizer: see scanPlainCsv. */
function scan(fd: number, sink: PlainSink): boolean {
  let buf = Buffer.allocUnsafe(CHUNK);
  let filled = 0;
  let eof = false;
  let first = true;
  let crlf: boolean | null = null;
  let line = 1;
  let records = 0;
  const fields: Fields = { buf, starts: new Int32Array(64), ends: new Int32Array(64), count: 0 };
  for (;;) {
    if (!eof) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
        fields.buf = buf;
      }
      let n: number;
      try {
        n = readSync(fd, buf, filled, buf.length - filled, null);
      } catch {
        return false;
      }
      if (n === 0) eof = true;
      filled += n;
    }
    let pos = 0;
    if (first) {
      if (filled < 3 && !eof) continue;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      first = false;
    }
    // Every complete record in buf[pos, filled): one ending in LF, or the last one at the end.
    for (;;) {
      let end = buf.indexOf(10, pos);
      if (end < 0 || end >= filled) {
        if (!eof || pos >= filled) break;
        end = filled;
      }
      let stop = end;
      if (end < filled) {
        const cr = end > pos && buf[end - 1] === 13;
        if (crlf === null) crlf = cr;
        else if (crlf !== cr) return false;
        if (cr) stop--;
      }
      if (stop > pos) {
        if (!split(buf, pos, stop, fields)) return false;
        records++;
        if (records === 1) sink.header(headerCells(fields), line);
        else sink.row(fields, line);
      }
      line++;
      pos = end + 1;
    }
    if (eof) return records > 1;
    buf.copyWithin(0, pos, filled);
    filled -= pos;
  }
}

/** Splits buf[start, stop) at commas into `fields`; false if the record is not plain. */
function split(buf: Buffer, start: number, stop: number, fields: Fields): boolean {
  let count = 0;
  let s = start;
  for (let i = start; i <= stop; i++) {
    const c = i < stop ? buf[i]! : 44;
    if (c === 44) {
      // csv-parse trims blanks (and more) around a cell: leave any such cell to it.
      if (i > s && (edgy(buf[s]!) || edgy(buf[i - 1]!))) return false;
      if (count === fields.starts.length) {
        const starts = new Int32Array(count * 2);
        starts.set(fields.starts);
        fields.starts = starts;
        const ends = new Int32Array(count * 2);
        ends.set(fields.ends);
        fields.ends = ends;
      }
      fields.starts[count] = s;
      fields.ends[count] = i;
      count++;
      s = i + 1;
    } else if (c < 32 || c === 34) return false;
  }
  fields.count = count;
  return true;
}

/** Whether a byte at a cell's edge might be trimmed by csv-parse: a blank, a control or a non-ASCII byte. */
function edgy(c: number): boolean {
  return c <= 32 || c >= 127;
}

function headerCells(fields: Fields): string[] {
  const cells: string[] = [];
  for (let i = 0; i < fields.count; i++) cells.push(fieldText(fields, i));
  return cells;
}

/** Field i of the record as text (UTF-8, as csv-parse decodes it). */
export function fieldText(fields: Fields, i: number): string {
  return fields.buf.toString('utf8', fields.starts[i], fields.ends[i]);
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Field i as a number if it is a plain decimal (optional sign, digits, optional point, at most
 * 15 significant digits, no exponent), exactly Number(text); NaN otherwise, for the caller to
 * decide from the text. With an integer below 2^53 and an exact power of ten, one division is
 * correctly rounded, as Number() is.
 */
export function plainNumber(fields: Fields, i: number): number {
  const buf = fields.buf;
  const e = fields.ends[i]!;
  let p = fields.starts[i]!;
  let negative = false;
  if (p < e && (buf[p] === 45 || buf[p] === 43)) negative = buf[p++] === 45;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let point = false;
  let sawDigit = false;
  for (; p < e; p++) {
    const c = buf[p]!;
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (point) fraction++;
      if (mantissa === 0 && c === 48) continue;
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && !point) point = true;
    else return Number.NaN;
  }
  if (!sawDigit || digits > 15 || fraction > 22) return Number.NaN;
  const v = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
  return negative ? -v : v;
}
