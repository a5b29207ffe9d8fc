/** Source text and positions: the leaf every later stage points back into. */

/** A point in the source: a 0-based UTF-16 offset plus 1-based line and column. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/** A half-open span [start, end) of the source. */
export interface Range {
  start: Position;
  end: Position;
}

/** Maps offsets to lines and columns for one text; built once per parse. */
export class LineMap {
  private readonly lineStarts: number[] = [0];
  /**
   * The 0-based line of the last lookup. Callers mostly ask about nearby offsets in order (the
   * parser builds ranges token by token), so most lookups are answered here without a search.
   */
  private lastLine = 0;

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) this.lineStarts.push(i + 1);
      else if (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) this.lineStarts.push(i + 1);
    }
  }

  /** The position of `offset`, clamped into the text. */
  position(offset: number): Position {
    const at = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(at);
    return { offset: at, line: line + 1, column: at - this.lineStarts[line]! + 1 };
  }

  /** The 0-based line holding offset `at`: the last line looked up, the next one, or a search. */
  private lineOf(at: number): number {
    const starts = this.lineStarts;
    const last = this.lastLine;
    if (starts[last]! <= at) {
      if (last + 1 === starts.length || at < starts[last + 1]!) return last;
      if (last + 2 === starts.length || at < starts[last + 2]!) return (this.lastLine = last + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return (this.lastLine = lo);
  }

  /** The range covering offsets [start, end). */
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** The text of 1-based line `line`, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line] ?? this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$|\r$/, '');
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

/** The smallest range covering both `a` and `b`. */
export function cover(a: Range, b: Range): Range {
  return {
    start: a.start.offset <= b.start.offset ? a.start : b.start,
    end: a.end.offset >= b.end.offset ? a.end : b.end,
  };
}
