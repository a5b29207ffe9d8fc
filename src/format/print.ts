/**
 * The `.nn` printer: an AST (and, when formatting a file, its comments) to docs, then text.
 * Re-parsing the output gives the same AST, ranges aside. The rules:
 * - a chain stays on one line when it fits, else each `->` step goes on its own line, indented;
 * - a call, tuple or list stays on one line when it fits, else one argument per line with a
 *   trailing comma;
 * - arguments as written (keyword or positional); numbers as written; strings in single quotes
 *   (double when the text holds a single quote and no double); True / False / None;
 * - one statement per line, blank lines between statements kept (at most one);
 * - comments where they were: on their own line before what follows them, or at the end of the
 *   line of what precedes them (two spaces before the '#').
 */
import type * as ast from '../ast/index.js';
import { childrenOf as astChildren } from '../ast/index.js';
import { LineMap } from '../source/index.js';
import {
  group,
  hardline,
  ifBreak,
  indent,
  join,
  line,
  lineSuffix,
  mark,
  printDoc,
  softline,
  type Doc,
} from './doc.js';

/** A comment as the printer needs it: its text and where it was. */
export interface PrintComment {
  text: string;
  offset: number;
  /** 1-based lines of the comment. */
  line: number;
}

export interface PrintOptions {
  /** The line width the printer aims for (default 100, like the repo's Prettier config). */
  printWidth?: number;
}

export const defaultPrintWidth = 100;

/** Where a statement of a body starts and ends in the output (for range formatting). */
export interface StatementSpan {
  statement: ast.Statement;
  /** Source offsets: the start of its first leading comment, the end of its trailing one. */
  sourceStart: number;
  sourceEnd: number;
  /** Marks: output offsets of the start of its first leading comment / of its end. */
  startMark: number;
  endMark: number;
}

interface Attached {
  leading: PrintComment[];
  trailing: PrintComment[];
}

/**
 * Comment placement: every comment inside a statement is attached to a node of it (trailing
 * when it sits on the line where that node ends, else leading the node after it, else dangling
 * at the end of the list it is in); comments between statements belong to the body.
 */
class Comments {
  readonly attached = new Map<object, Attached>();
  /** Comments after the last element of a call / tuple / list, on their own lines. */
  readonly dangling = new Map<object, PrintComment[]>();

  constructor(private readonly text: string) {}

  private at(node: object): Attached {
    let a = this.attached.get(node);
    if (!a) this.attached.set(node, (a = { leading: [], trailing: [] }));
    return a;
  }

  /** Attaches a comment that lies inside `node`'s range. */
  place(node: ast.Node, c: PrintComment): void {
    const children = childrenOf(node);
    for (const child of children)
      if (child.range.start.offset < c.offset && c.offset < child.range.end.offset)
        return this.place(child, c);
    let prev: ast.Node | undefined;
    let next: ast.Node | undefined;
    for (const child of children) {
      if (child.range.end.offset <= c.offset) prev = child;
      else if (!next && child.range.start.offset >= c.offset) next = child;
    }
    // A comment after `Dense(`, `x =` or `name=` leads what follows.
    if (node.kind === 'Call' && prev === node.callee) prev = undefined;
    if (node.kind === 'Assignment' && prev === node.target) prev = undefined;
    if (node.kind === 'TupleAssignment' && prev === node.targets.at(-1)) prev = undefined;
    if (node.kind === 'Argument' && prev === node.name) prev = undefined;
    if (prev && !/[\r\n]/.test(this.text.slice(prev.range.end.offset, c.offset)))
      this.at(prev).trailing.push(c);
    else if (next) this.at(next).leading.push(c);
    else if (prev && isList(node)) this.pushDangling(node, c);
    else if (prev) this.at(prev).trailing.push(c);
    else if (isList(node)) this.pushDangling(node, c);
    // Inside a leaf (`-  # …` newline `1`): before it.
    else this.at(node).leading.push(c);
  }

  private pushDangling(node: object, c: PrintComment): void {
    const list = this.dangling.get(node) ?? [];
    list.push(c);
    this.dangling.set(node, list);
  }

  get(node: object): Attached | undefined {
    return this.attached.get(node);
  }
}

function isList(node: ast.Node): boolean {
  return node.kind === 'Call' || node.kind === 'Tuple' || node.kind === 'List';
}

/** A node's children in source order; a block's statements aside (bodies place their own comments). */
function childrenOf(node: ast.Node): ast.Node[] {
  return node.kind === 'Program' || node.kind === 'Model' ? [] : astChildren(node);
}

/** Prints a program with its comments; `spans` collects the statements' output marks. */
export class Printer {
  private readonly comments: Comments;
  private nextMark = 0;
  private lines: LineMap | undefined;
  readonly spans: StatementSpan[] = [];

  constructor(
    private readonly text: string,
    private readonly allComments: PrintComment[],
  ) {
    this.comments = new Comments(text);
  }

  print(
    program: ast.Program,
    options: PrintOptions = {},
  ): { text: string; marks: Map<number, number> } {
    const body = this.body(program.body, this.allComments, program.range.end.offset);
    const marks = new Map<number, number>();
    const doc: Doc = body.length ? [body, hardline] : [];
    const text = printDoc(doc, options.printWidth ?? defaultPrintWidth, marks);
    return { text, marks };
  }

  /**
   * A body's statements and the comments among them. `comments` are those inside the body, in
   * order; each goes to the statement it lies in, or stands on its own line.
   */
  private body(statements: ast.Statement[], comments: PrintComment[], end: number): Doc[] {
    type Item = { kind: 'comment'; c: PrintComment } | { kind: 'statement'; s: ast.Statement };
    const items: Item[] = [];
    const inside = new Map<ast.Statement, PrintComment[]>();
    const trailing = new Map<ast.Statement, PrintComment>();
    // A comment between statements ends the line of the one before it, or stands on its own.
    const between = (c: PrintComment) => {
      const last = items[items.length - 1];
      if (
        last?.kind === 'statement' &&
        !trailing.has(last.s) &&
        !/[\r\n]/.test(this.text.slice(last.s.range.end.offset, c.offset))
      )
        trailing.set(last.s, c);
      else items.push({ kind: 'comment', c });
    };
    let i = 0;
    for (const s of statements) {
      while (i < comments.length && comments[i]!.offset < s.range.start.offset)
        between(comments[i++]!);
      const mine: PrintComment[] = [];
      while (i < comments.length && comments[i]!.offset < s.range.end.offset)
        mine.push(comments[i++]!);
      inside.set(s, mine);
      items.push({ kind: 'statement', s });
    }
    for (; i < comments.length && comments[i]!.offset < end; i++) between(comments[i]!);

    const out: Doc[] = [];
    let previousEndLine = -1;
    let pendingStart: number | undefined;
    let pendingSource: number | undefined;
    let previous: Item | undefined;
    let previousStatement: ast.Statement | undefined;
    for (const item of items) {
      const startLine = item.kind === 'comment' ? item.c.line : item.s.range.start.line;
      if (previous) {
        out.push(hardline);
        if (startLine - previousEndLine > 1) out.push(hardline);
      }
      if (item.kind === 'comment') {
        if (pendingStart === undefined) {
          pendingSource = item.c.offset;
          pendingStart = this.nextMark++;
          out.push(mark(pendingStart));
        }
        out.push(item.c.text);
        previousEndLine = item.c.line;
      } else {
        const s = item.s;
        const startMark = pendingStart ?? this.nextMark++;
        if (pendingStart === undefined) out.push(mark(startMark));
        pendingStart = undefined;
        const needsSemicolon =
          previousStatement !== undefined && endsWithName(previousStatement) && startsWithParen(s);
        previousStatement = s;
        out.push(needsSemicolon ? ';' : '', this.statement(s, inside.get(s)!));
        const t = trailing.get(s);
        if (t) out.push('  ', t.text);
        const endMark = this.nextMark++;
        out.push(mark(endMark));
        this.spans.push({
          statement: s,
          sourceStart: pendingSource ?? s.range.start.offset,
          sourceEnd: t ? t.offset + t.text.length : s.range.end.offset,
          startMark,
          endMark,
        });
        pendingSource = undefined;
        previousEndLine = t ? t.line : s.range.end.line;
      }
      previous = item;
    }
    return out;
  }

  /** The 1-based line of a source offset. */
  private lineOf(offset: number): number {
    this.lines ??= new LineMap(this.text);
    return this.lines.position(offset).line;
  }

  private statement(s: ast.Statement, comments: PrintComment[]): Doc {
    if (s.kind === 'Model') return this.model(s, comments);
    for (const c of comments) this.comments.place(s, c);
    return this.node(s);
  }

  private model(m: ast.ModelBlock, comments: PrintComment[]): Doc {
    // Comments in the header (`model # … name {`) move before it; the rest form the body.
    const open = openBrace(this.text, m.name.range.end.offset);
    const header = comments.filter((c) => c.offset < open);
    // A comment on the line of the `{`, before any statement, stays there.
    const braceLine = this.lineOf(open);
    const firstStart = m.body[0]?.range.start.offset ?? m.range.end.offset;
    const onBrace = comments.find(
      (c) => c.offset > open && c.line === braceLine && c.offset < firstStart,
    );
    const body = this.body(
      m.body,
      comments.filter((c) => c.offset > open && c !== onBrace),
      m.range.end.offset,
    );
    const head: Doc[] = header.flatMap((c) => [c.text, hardline]);
    const brace = onBrace ? `{  ${onBrace.text}` : '{';
    if (!body.length)
      return [head, `model ${m.name.name} ${brace}`, onBrace ? [hardline, '}'] : '}'];
    return [head, `model ${m.name.name} ${brace}`, indent([hardline, body]), hardline, '}'];
  }

  /**
   * A node with the comments attached to it. In a list (a chain step, an argument, an element)
   * a trailing comment waits for the line break after the comma; elsewhere it ends the line.
   */
  private node(n: ast.Node, inList = false, withLeading = true): Doc {
    const doc = this.bare(n);
    const attached = this.comments.get(n);
    if (!attached) return doc;
    return [
      withLeading ? this.leading(n, inList) : '',
      doc,
      attached.trailing.map((c) => (inList ? lineSuffix('  ' + c.text) : ['  ', c.text, hardline])),
    ];
  }

  private leading(n: ast.Node, inList: boolean): Doc {
    const attached = this.comments.get(n);
    if (!attached) return '';
    return attached.leading.map((c) => [c.text, inList ? hardline : indent(hardline)]);
  }

  /** An expression (no comments) as a doc. */
  expression(n: ast.Node): Doc {
    return this.node(n);
  }

  private bare(n: ast.Node): Doc {
    switch (n.kind) {
      case 'Program':
        return this.body(n.body, [], n.range.end.offset);
      case 'Model':
        return this.model(n, []);
      case 'Assignment':
        return group([this.node(n.target), ' = ', this.node(n.value)]);
      case 'TupleAssignment':
        // Printed bare (`out, h = …`, as Python's unpacking reads); one name keeps its comma.
        return group([
          join(
            ', ',
            n.targets.map((t) => this.node(t)),
          ),
          n.targets.length === 1 ? ',' : '',
          ' = ',
          this.node(n.value),
        ]);
      case 'ExpressionStatement':
        return this.node(n.expression);
      case 'Argument':
        return n.name ? [this.node(n.name), '=', this.node(n.value)] : this.node(n.value);
      case 'Chain':
        return group([
          this.step(n.steps[0]!, false),
          indent(
            n.steps.slice(1).map((s) => [line, this.leading(s, true), '-> ', this.step(s, true)]),
          ),
        ]);
      case 'Call':
        return [this.node(n.callee), this.list('(', n.args, ')', false, n)];
      case 'Tuple':
        return this.list('(', n.elements, ')', n.elements.length === 1, n);
      case 'List':
        return this.list('[', n.elements, ']', false, n);
      case 'Identifier':
        return n.name;
      case 'Number':
        return n.raw;
      case 'String':
        return quote(n.value);
      case 'Boolean':
        return n.value ? 'True' : 'False';
      case 'None':
        return 'None';
      case 'Error':
        throw new Error('the printer was given an Error node');
    }
  }

  /** A chain step: a chain inside a chain keeps its parentheses. */
  private step(s: ast.Expression, afterArrow: boolean): Doc {
    const doc = this.node(s, true, !afterArrow);
    return s.kind === 'Chain' ? ['(', doc, ')'] : doc;
  }

  private list(
    open: string,
    items: ast.Node[],
    close: string,
    oneTuple: boolean,
    owner: ast.Node,
  ): Doc {
    const dangling = this.comments.dangling.get(owner) ?? [];
    if (!items.length && !dangling.length) return open + close;
    const docs = items.map((it) => this.node(it, true));
    const tail: Doc[] = dangling.map((c, i) => [items.length || i > 0 ? hardline : '', c.text]);
    if (dangling.length) tail.push(breakParent);
    const comma = oneTuple ? ',' : items.length ? ifBreak(',') : '';
    return group([open, indent([softline, join([',', line], docs), comma, tail]), softline, close]);
  }
}

/** Breaks the groups around it and prints nothing. */
const breakParent = lineSuffix('');

/** The offset of the `{` after a model's name: past whitespace and comments. */
function openBrace(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] !== '{') {
    if (text[i] === '#') while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    else i++;
  }
  return i;
}

/**
 * Whether a statement's last token is a name (True and None are names to the lexer): a '('
 * starting the next statement would make it a call, so a ';' must stand between them.
 */
function endsWithName(s: ast.Statement): boolean {
  let e: ast.Expression | undefined =
    s.kind === 'Assignment' || s.kind === 'TupleAssignment'
      ? s.value
      : s.kind === 'ExpressionStatement'
        ? s.expression
        : undefined;
  while (e?.kind === 'Chain') e = e.steps.at(-1);
  return e?.kind === 'Identifier' || e?.kind === 'Boolean' || e?.kind === 'None';
}

/** Whether a statement's first token is '(' (it would continue a name before it as a call). */
function startsWithParen(s: ast.Statement): boolean {
  if (s.kind !== 'ExpressionStatement') return false;
  let e: ast.Expression = s.expression;
  while (e.kind === 'Chain') {
    if (e.steps[0]!.kind === 'Chain') return true;
    e = e.steps[0]!;
  }
  return e.kind === 'Tuple';
}

/** A string literal: single quotes, or double when that saves escaping a single quote. */
export function quote(value: string): string {
  const q = value.includes("'") && !value.includes('"') ? '"' : "'";
  const body = value.replace(/[\\\n\r\t\0]|'|"/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\0':
        return '\\0';
      default:
        return c === q ? '\\' + c : c;
    }
  });
  return q + body + q;
}

/** Prints an AST node (no comments) as canonical `.nn` source. */
export function printNode(node: ast.Node, options: PrintOptions = {}): string {
  const printer = new Printer('', []);
  if (node.kind === 'Program') return printer.print(node, options).text;
  return printDoc(printer.expression(node), options.printWidth ?? defaultPrintWidth);
}
