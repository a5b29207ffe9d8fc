/**
 * The service's one position convention, and the one place that converts to and from it.
 *
 * The service speaks LSP's convention: 0-based `line` and 0-based `character` counted in UTF-16
 * code units (what JavaScript string indices count), so `nn lsp` passes positions through and a
 * browser editor converts once. Inside, everything works on offsets into the text; the rest of
 * the compiler's ranges (1-based `line`/`column` plus `offset`, src/source) are converted here.
 * Line breaks are `\n`, `\r\n` and a lone `\r`, as for LSP and the compiler's `LineMap`.
 */
import type { Range as SourceRange } from '../source/index.js';

/** A point in a document: 0-based line and 0-based UTF-16 character, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

/** A half-open span [start, end) of a document. */
export interface Range {
  start: Position;
  end: Position;
}

/** Replace `range` by `newText`. */
export interface TextEdit {
  range: Range;
  newText: string;
}

/** Offsets ↔ positions for one text. Positions out of the text are clamped into it. */
export class PositionIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The offset of `p`, clamped: a line past the end is the end, a character past the line's end is its end. */
  offset(p: Position): number {
    const line = Number.isFinite(p.line) ? Math.floor(p.line) : 0;
    if (line < 0) return 0;
    if (line >= this.starts.length) return this.text.length;
    const start = this.starts[line]!;
    const end = this.lineEnd(line);
    const ch = Number.isFinite(p.character) ? Math.floor(p.character) : 0;
    return Math.max(start, Math.min(start + Math.max(0, ch), end));
  }

  /** The position of `offset`, clamped into the text. */
  position(offset: number): Position {
    const at = Math.max(0, Math.min(Number.isFinite(offset) ? offset : 0, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: at - this.starts[lo]! };
  }

  /** The range of offsets [start, end). */
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** A compiler range (1-based line/column + offset) in the service's convention. */
  fromSource(r: SourceRange): Range {
    return this.range(r.start.offset, r.end.offset);
  }

  /** The offset where 0-based `line` starts (clamped). */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))]!;
  }

  /** The offset where 0-based `line` ends, before its line break. */
  lineEnd(line: number): number {
    const next = this.starts[line + 1];
    if (next === undefined) return this.text.length;
    let end = next;
    if (this.text.charCodeAt(end - 1) === 10) end--;
    if (this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }
}

/** Whether offset span [aStart, aEnd] touches [bStart, bEnd] (an empty span at a boundary does). */
export function touches(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  return aStart <= bEnd && bStart <= aEnd;
}

/** Applies non-overlapping edits to `text` (positions in `text`), for tests and clients. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const index = new PositionIndex(text);
  const spans = edits
    .map((e) => ({
      start: index.offset(e.range.start),
      end: index.offset(e.range.end),
      text: e.newText,
    }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}
