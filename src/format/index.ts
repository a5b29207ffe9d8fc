/**
 * The `.nn` formatter: one printer for `nn fmt`, the language server and the Prettier plugin.
 * It refuses a file with syntax errors (returning them) rather than guess, keeps every comment in
 * its order, and checks its own output: the text re-parses to the same AST with the same
 * comments, or the file is refused with an internal error instead of being mangled.
 */
import type * as ast from '../ast/index.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/index.js';
import { LineMap, type Range } from '../source/index.js';
import { parseSource } from '../syntax/index.js';
import { Printer, type PrintComment, type PrintOptions } from './print.js';

export { printNode, quote, defaultPrintWidth, type PrintOptions } from './print.js';

export type FormatOptions = PrintOptions;

/** The formatted text, or why the file was not formatted (its syntax errors). */
export type FormatResult = { text: string; changed: boolean } | { error: Diagnostic[] };

/** A replacement of the source's offsets [start, end) by `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  range: Range;
  newText: string;
}

export type RangeFormatResult = { edits: TextEdit[] } | { error: Diagnostic[] };

interface Formatted {
  text: string;
  printer: Printer;
  marks: Map<number, number>;
  lines: LineMap;
}

function run(source: string, options: FormatOptions): Formatted | { error: Diagnostic[] } {
  const bom = source.startsWith('\ufeff') ? '\ufeff' : '';
  const parsed = parseSource(source);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { error: errors };
  const lines = parsed.lines;
  if (hasErrorNode(parsed.ast))
    return { error: [internal(lines, 'the parser left an error node without reporting it')] };
  const comments: PrintComment[] = parsed.comments.map((c) => ({
    text: c.text.replace(/\s+$/, ''),
    offset: c.offset,
    line: c.range.start.line,
  }));
  const printer = new Printer(source, comments);
  const printed = printer.print(parsed.ast, options);
  const eol = /\r\n/.test(source) ? '\r\n' : '\n';
  const text = bom + (eol === '\n' ? printed.text : printed.text.replace(/\n/g, eol));
  const marks = new Map(
    [...printed.marks].map(([id, at]) => [
      id,
      bom.length + lineBreaksBefore(printed.text, at, eol) + at,
    ]),
  );
  // The guarantee: the same AST and the same comments, or no formatting at all.
  const again = parseSource(text);
  const same =
    !again.diagnostics.some((d) => d.severity === 'error') &&
    sameAst(again.ast, parsed.ast) &&
    again.comments.map((c) => c.text.replace(/\s+$/, '')).join('\n') ===
      comments.map((c) => c.text).join('\n');
  if (!same)
    return {
      error: [internal(lines, 'the formatted text would not read back as the same program')],
    };
  return { text, printer, marks, lines };
}

/** Extra characters a CRLF output has before output offset `at` of the LF text. */
function lineBreaksBefore(text: string, at: number, eol: string): number {
  if (eol === '\n') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function internal(lines: LineMap, why: string): Diagnostic {
  return makeDiagnostic('internalError', lines.range(0, 0), { why: `nn fmt: ${why}` });
}

/** Formats a whole `.nn` source. */
export function formatSource(source: string, options: FormatOptions = {}): FormatResult {
  const r = run(source, options);
  if ('error' in r) return r;
  return { text: r.text, changed: r.text !== source };
}

/**
 * Formats the statements on the lines that `range` (source offsets) touches, each whole, with
 * the comments above them: a statement of a model block on its own, a model block whole when
 * the range touches its header or its `}`.
 * Returns the edit (none when they are formatted already). The file must parse without error.
 */
export function formatRange(
  source: string,
  range: { start: number; end: number },
  options: FormatOptions = {},
): RangeFormatResult {
  const r = run(source, options);
  if ('error' in r) return r;
  const touched = r.printer.spans.filter((span) => touches(span.statement, range, source));
  // Drop the statements of a block that is itself touched: the block covers them.
  const kept = touched
    .filter(
      (span) =>
        !touched.some(
          (other) =>
            other !== span &&
            other.statement.kind === 'Model' &&
            other.statement.range.start.offset <= span.statement.range.start.offset &&
            span.statement.range.end.offset <= other.statement.range.end.offset,
        ),
    )
    .sort((a, b) => a.sourceStart - b.sourceStart);
  if (!kept.length) return { edits: [] };
  const first = kept[0]!;
  const last = kept[kept.length - 1]!;
  let srcStart = first.sourceStart;
  let outStart = r.marks.get(first.startMark)!;
  // From the line's start on both sides when the statement starts its line: that fixes its
  // indentation too.
  if (source.slice(lineStart(source, srcStart), srcStart).trim() === '') {
    srcStart = lineStart(source, srcStart);
    outStart = lineStart(r.text, outStart);
  }
  const srcEnd = last.sourceEnd;
  const outEnd = r.marks.get(last.endMark)!;
  const newText = r.text.slice(outStart, outEnd);
  if (source.slice(srcStart, srcEnd) === newText) return { edits: [] };
  return {
    edits: [{ start: srcStart, end: srcEnd, range: r.lines.range(srcStart, srcEnd), newText }],
  };
}

function touches(s: ast.Statement, range: { start: number; end: number }, source: string): boolean {
  const start = lineStart(source, s.range.start.offset);
  const end = lineEnd(source, s.range.end.offset);
  if (range.end < start || range.start > end) return false;
  if (s.kind !== 'Model' || !s.body.length) return true;
  // A block is touched as a whole only through its header line or its closing line.
  const headerEnd = lineEnd(source, s.name.range.end.offset);
  const closeStart = lineStart(source, s.range.end.offset - 1);
  return range.start <= headerEnd || range.end >= closeStart;
}

function lineStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function lineEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

function hasErrorNode(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasErrorNode);
  if (node && typeof node === 'object') {
    if ((node as { kind?: string }).kind === 'Error') return true;
    return Object.entries(node).some(([k, v]) => k !== 'range' && hasErrorNode(v));
  }
  return false;
}

/** Whether two ASTs are equal, ranges aside: what formatting must preserve. */
function sameAst(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => k !== 'range');
  const kb = Object.keys(b).filter((k) => k !== 'range');
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => k in b && sameAst((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
