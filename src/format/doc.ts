/**
 * A small Wadler-style document printer (the idea behind Prettier's): a group is printed on one
 * line when it fits in the width, else its lines break. A hard line breaks every group around
 * it; a line suffix (a trailing comment) is held back until the next line break.
 */

export type Doc = string | Doc[] | Group | Indent | Line | IfBreak | LineSuffix | Mark;

export interface Group {
  t: 'group';
  doc: Doc;
}
export interface Indent {
  t: 'indent';
  doc: Doc;
}
export interface Line {
  t: 'line';
  /** A soft line prints nothing when flat; a plain line prints a space. */
  soft: boolean;
  /** A hard line always breaks, and so breaks every group that holds it. */
  hard: boolean;
}
export interface IfBreak {
  t: 'ifBreak';
  broken: Doc;
  flat: Doc;
}
export interface LineSuffix {
  t: 'lineSuffix';
  doc: string;
}
/** Records the output offset where it is printed (range formatting maps statements with it). */
export interface Mark {
  t: 'mark';
  id: number;
}

export const line: Line = { t: 'line', soft: false, hard: false };
export const softline: Line = { t: 'line', soft: true, hard: false };
export const hardline: Line = { t: 'line', soft: false, hard: true };
export const group = (doc: Doc): Group => ({ t: 'group', doc });
export const indent = (doc: Doc): Indent => ({ t: 'indent', doc });
export const ifBreak = (broken: Doc, flat: Doc = ''): IfBreak => ({ t: 'ifBreak', broken, flat });
export const lineSuffix = (doc: string): LineSuffix => ({ t: 'lineSuffix', doc });
export const mark = (id: number): Mark => ({ t: 'mark', id });

export function join(separator: Doc, docs: Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(separator);
    out.push(d);
  });
  return out;
}

/** Whether a doc holds a hard line (or a line suffix, which must end its line). */
function hasHardBreak(doc: Doc, memo: WeakMap<object, boolean>): boolean {
  if (typeof doc === 'string') return false;
  const known = memo.get(doc);
  if (known !== undefined) return known;
  let result: boolean;
  if (Array.isArray(doc)) result = doc.some((d) => hasHardBreak(d, memo));
  else
    switch (doc.t) {
      case 'group':
      case 'indent':
        result = hasHardBreak(doc.doc, memo);
        break;
      case 'ifBreak':
        result = hasHardBreak(doc.broken, memo);
        break;
      case 'line':
        result = doc.hard;
        break;
      case 'lineSuffix':
        result = true;
        break;
      case 'mark':
        result = false;
    }
  memo.set(doc, result);
  return result;
}

type Mode = 'flat' | 'break';
interface Command {
  indent: number;
  mode: Mode;
  doc: Doc;
}

/** Prints `doc` in `width` columns; `marks` receives the output offset of each mark. */
export function printDoc(doc: Doc, width: number, marks?: Map<number, number>): string {
  const memo = new WeakMap<object, boolean>();
  const out: string[] = [];
  let column = 0;
  let length = 0;
  let suffixes: string[] = [];
  const emit = (s: string) => {
    out.push(s);
    column += s.length;
    length += s.length;
  };
  const newline = (indentation: number) => {
    if (suffixes.length) {
      for (const s of suffixes) emit(s);
      suffixes = [];
    }
    // No trailing spaces: drop what the last pieces ended with.
    while (out.length && /[ \t]$/.test(out[out.length - 1]!)) {
      const last = out.pop()!;
      const trimmed = last.replace(/[ \t]+$/, '');
      length -= last.length - trimmed.length;
      if (trimmed) {
        out.push(trimmed);
        break;
      }
    }
    out.push('\n' + ' '.repeat(indentation));
    length += 1 + indentation;
    column = indentation;
  };
  const stack: Command[] = [{ indent: 0, mode: 'break', doc }];
  while (stack.length) {
    const { indent: ind, mode, doc: d } = stack.pop()!;
    if (typeof d === 'string') {
      emit(d);
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push({ indent: ind, mode, doc: d[i]! });
      continue;
    }
    switch (d.t) {
      case 'group': {
        const flat =
          mode === 'flat' ||
          (!hasHardBreak(d.doc, memo) && fits(d.doc, stack, width - column, memo));
        stack.push({ indent: ind, mode: flat ? 'flat' : 'break', doc: d.doc });
        break;
      }
      case 'indent':
        stack.push({ indent: ind + 2, mode, doc: d.doc });
        break;
      case 'ifBreak':
        stack.push({ indent: ind, mode, doc: mode === 'break' ? d.broken : d.flat });
        break;
      case 'line':
        if (mode === 'flat' && !d.hard) emit(d.soft ? '' : ' ');
        else newline(ind);
        break;
      case 'lineSuffix':
        suffixes.push(d.doc);
        break;
      case 'mark':
        marks?.set(d.id, length);
        break;
    }
  }
  for (const s of suffixes) emit(s);
  return out.join('');
}

/**
 * Whether `doc`, flat, and what follows it up to the next possible line break fit in `room`
 * columns. A line suffix does not count: a trailing comment may overhang.
 */
function fits(doc: Doc, rest: Command[], room: number, memo: WeakMap<object, boolean>): boolean {
  const todo: { mode: Mode; doc: Doc }[] = [{ mode: 'flat', doc }];
  let restIndex = rest.length;
  while (room >= 0) {
    let next = todo.pop();
    if (!next) {
      if (restIndex === 0) return true;
      const r = rest[--restIndex]!;
      next = { mode: r.mode, doc: r.doc };
    }
    const { mode, doc: d } = next;
    if (typeof d === 'string') {
      room -= d.length;
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) todo.push({ mode, doc: d[i]! });
      continue;
    }
    switch (d.t) {
      case 'group':
        todo.push({
          mode: mode === 'break' && hasHardBreak(d.doc, memo) ? 'break' : mode,
          doc: d.doc,
        });
        break;
      case 'indent':
        todo.push({ mode, doc: d.doc });
        break;
      case 'ifBreak':
        todo.push({ mode, doc: mode === 'break' ? d.broken : d.flat });
        break;
      case 'line':
        if (mode === 'break' || d.hard) return true;
        room -= d.soft ? 0 : 1;
        break;
      case 'lineSuffix':
      case 'mark':
        break;
    }
  }
  return false;
}
