/**
 * CST → AST. Written defensively: after error recovery any child may be missing, and a missing
 * piece becomes an `Error` node rather than an exception.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type * as ast from '../ast/index.js';
import type { DiagnosticSink } from '../diagnostics/index.js';
import type { LineMap, Range } from '../source/index.js';

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement): e is IToken {
  return 'image' in e;
}

/** End offset (exclusive): the lexer tracks start offsets only. */
export function tokenEnd(tok: IToken): number {
  return tok.startOffset + tok.image.length;
}

function realToken(tok: IToken): boolean {
  return !Number.isNaN(tok.startOffset) && !tok.isInsertedInRecovery;
}

/**
 * Start offset of the real tokens under `e`, or NaN when it holds none (only tokens inserted by
 * recovery, or nothing). A node's offsets are the location the parser tracked while building
 * it, which skips inserted tokens just as `realToken` does.
 */
function startOf(e: CstElement): number {
  if (isToken(e)) return realToken(e) ? e.startOffset : NaN;
  return e.location?.startOffset ?? NaN;
}

/** End offset (exclusive) of the real tokens under `e`, when `startOf(e)` is a number. */
function endOf(e: CstElement): number {
  if (isToken(e)) return tokenEnd(e);
  return e.location!.endOffset! + 1; // Chevrotain's end offsets are inclusive
}

function hasRealTokens(e: CstElement): boolean {
  return !Number.isNaN(startOf(e));
}

export class AstBuilder {
  /** Top-level statements converted while the parse was still running (see `topLevelStatement`). */
  private readonly converted = new Map<CstNode, ast.Statement | undefined>();
  /** Chains made from `Sequential([…])`, which a surrounding chain absorbs. */
  private readonly sequentials = new WeakSet<ast.Chain>();

  constructor(
    private readonly lines: LineMap,
    private readonly sink: DiagnosticSink,
    /** Where a node with no real tokens is placed: just after the last good token seen. */
    private fallbackOffset = 0,
  ) {}

  private rangeOf(e: CstElement | undefined): Range {
    if (!e || !hasRealTokens(e)) return this.lines.range(this.fallbackOffset, this.fallbackOffset);
    this.fallbackOffset = endOf(e);
    return this.lines.range(startOf(e), this.fallbackOffset);
  }

  private node(children: Children, key: string, index = 0): CstNode | undefined {
    const e = children[key]?.[index];
    return e && !isToken(e) ? e : undefined;
  }

  private token(children: Children, key: string, index = 0): IToken | undefined {
    const e = children[key]?.[index];
    return e && isToken(e) && realToken(e) ? e : undefined;
  }

  private nodes(children: Children, key: string): CstNode[] {
    return (children[key] ?? []).filter((e): e is CstNode => !isToken(e));
  }

  private errorNode(e?: CstElement): ast.ErrorNode {
    return { kind: 'Error', range: this.rangeOf(e) };
  }

  private identifier(tok: IToken | undefined): ast.Identifier | undefined {
    return tok ? { kind: 'Identifier', name: tok.image, range: this.rangeOf(tok) } : undefined;
  }

  /**
   * Converts a top-level statement the parser has just finished, then empties its CST node so
   * that the subtree can be freed at once; `program` picks the result up. Statements arrive in
   * source order, ahead of those `program` converts itself, so every node is built just as by
   * `program` alone (fallback offsets and the order of diagnostics depend on that order).
   */
  topLevelStatement(cst: CstNode): void {
    this.converted.set(cst, this.statement(cst));
    for (const key in cst.children) delete cst.children[key];
  }

  program(cst: CstNode): ast.Program {
    const body = this.statements(cst.children);
    return { kind: 'Program', body, range: this.lines.range(0, this.lines.text.length) };
  }

  private statements(children: Children): ast.Statement[] {
    return this.nodes(children, 'statement')
      .map((s) => (this.converted.has(s) ? this.converted.get(s) : this.statement(s)))
      .filter((s): s is ast.Statement => s !== undefined)
      .sort((a, b) => a.range.start.offset - b.range.start.offset);
  }

  private statement(cst: CstNode): ast.Statement | undefined {
    const c = cst.children;
    const block = this.node(c, 'modelBlock');
    if (block) return this.modelBlock(block);
    const assignment = this.node(c, 'assignment');
    if (assignment) return this.assignment(assignment);
    const tuple = this.node(c, 'tupleAssignment');
    if (tuple) return this.tupleAssignment(tuple);
    const expression = this.node(c, 'expression');
    if (!expression || !hasRealTokens(expression)) return undefined;
    return {
      kind: 'ExpressionStatement',
      expression: this.expression(expression),
      range: this.rangeOf(cst),
    };
  }

  private modelBlock(cst: CstNode): ast.ModelBlock | undefined {
    const name = this.identifier(this.token(cst.children, 'Identifier'));
    const range = this.rangeOf(cst);
    const body = this.statements(cst.children);
    if (!name) return undefined; // the parser has reported the missing name
    return { kind: 'Model', name, body, range };
  }

  private assignment(cst: CstNode): ast.Assignment | undefined {
    const target = this.identifier(this.token(cst.children, 'Identifier'));
    const expr = this.node(cst.children, 'expression');
    if (!target) return undefined;
    const value = expr ? this.expression(expr) : this.errorNode(cst);
    return { kind: 'Assignment', target, value, range: this.rangeOf(cst) };
  }

  private tupleAssignment(cst: CstNode): ast.TupleAssignment | undefined {
    const names = this.node(cst.children, 'targets');
    const tokens = names ? [...(names.children['Identifier'] ?? [])] : [];
    const targets = (tokens as IToken[])
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((token) => this.identifier(token))
      .filter((id): id is ast.Identifier => id !== undefined);
    const expr = this.node(cst.children, 'expression');
    if (targets.length === 0) return undefined;
    const value = expr ? this.expression(expr) : this.errorNode(cst);
    return { kind: 'TupleAssignment', targets, value, range: this.rangeOf(cst) };
  }

  expression(cst: CstNode): ast.Expression {
    // An unwrapped `Sequential([…])` inside a chain joins it: `Sequential([a, b]) -> c` is a -> b -> c.
    const steps = this.nodes(cst.children, 'term').flatMap((term) => {
      const step = this.term(term);
      return step.kind === 'Chain' && this.sequentials.has(step) ? step.steps : [step];
    });
    if (steps.length === 1) return steps[0]!;
    if (steps.length === 0) return this.errorNode(cst);
    return { kind: 'Chain', steps, range: this.rangeOf(cst) };
  }

  private term(cst: CstNode): ast.Expression {
    const c = cst.children;
    const call = this.node(c, 'call');
    if (call) return this.call(call);
    const id = this.token(c, 'Identifier');
    if (id) return this.name(id);
    const num = this.node(c, 'number');
    if (num) return this.number(num);
    const str = this.token(c, 'StringLiteral');
    if (str) return { kind: 'String', value: unquote(str.image), range: this.rangeOf(str) };
    const open = this.token(c, 'UnterminatedString');
    if (open) {
      const range = this.rangeOf(open);
      this.sink.report('unterminatedString', range, { quote: open.image[0] === '"' ? '"' : "'" });
      return { kind: 'String', value: unquote(open.image + open.image[0]), range };
    }
    const tuple = this.node(c, 'tuple');
    if (tuple) return this.tuple(tuple);
    const list = this.node(c, 'list');
    if (list)
      return { kind: 'List', elements: this.elements(list).elements, range: this.rangeOf(list) };
    return this.errorNode(cst);
  }

  /** Bare names: Python's constants become literals, everything else stays a name. */
  private name(tok: IToken): ast.Expression {
    const range = this.rangeOf(tok);
    switch (tok.image) {
      case 'True':
      case 'true':
        return { kind: 'Boolean', value: true, range };
      case 'False':
      case 'false':
        return { kind: 'Boolean', value: false, range };
      case 'None':
      case 'none':
        return { kind: 'None', range };
      default:
        return { kind: 'Identifier', name: tok.image, range };
    }
  }

  private call(cst: CstNode): ast.Expression {
    const callee = this.identifier(this.token(cst.children, 'Identifier'));
    if (!callee) return this.errorNode(cst);
    const args = this.nodes(cst.children, 'argument').map((a) => this.argument(a));
    const range = this.rangeOf(cst);
    return this.unwrapSequential(callee, args, range) ?? { kind: 'Call', callee, args, range };
  }

  /**
   * Keras's `Sequential([a, b])` is reported, then read as the chain `a -> b` it means, so
   * that the layers inside are still checked (and not reported again as an unknown 'Sequential').
   */
  private unwrapSequential(
    callee: ast.Identifier,
    args: ast.Argument[],
    range: Range,
  ): ast.Expression | undefined {
    const list = args[0]?.value;
    if (callee.name !== 'Sequential' || args.length !== 1 || args[0]!.name) return undefined;
    if (list?.kind !== 'List' || list.elements.length === 0) return undefined;
    this.sink.report('kerasSequential', callee.range);
    if (list.elements.length === 1) return list.elements[0]!;
    const chain: ast.Chain = { kind: 'Chain', steps: list.elements, range };
    this.sequentials.add(chain);
    return chain;
  }

  private argument(cst: CstNode): ast.Argument {
    const name = this.identifier(this.token(cst.children, 'name'));
    const expr = this.node(cst.children, 'expression');
    const value = expr && hasRealTokens(expr) ? this.expression(expr) : this.errorNode(cst);
    const arg: ast.Argument = { kind: 'Argument', value, range: this.rangeOf(cst) };
    if (name) arg.name = name;
    return arg;
  }

  private number(cst: CstNode): ast.Expression {
    const tok = this.token(cst.children, 'NumberLiteral');
    if (!tok) return this.errorNode(cst);
    const sign = this.token(cst.children, 'Minus') ? '-' : '';
    const digits = tok.image.replace(/_/g, '');
    const raw = sign + tok.image;
    const range = this.rangeOf(cst);
    const value = Number(sign + digits);
    if (!Number.isFinite(value)) this.sink.report('invalidNumber', range, { text: raw });
    const isInteger = /^\d+$/.test(digits);
    return { kind: 'Number', value, isInteger, raw, range };
  }

  private tuple(cst: CstNode): ast.Expression {
    const inner = this.node(cst.children, 'elements');
    const { elements, trailingComma } = inner
      ? this.elements(inner)
      : { elements: [], trailingComma: false };
    // Python: `(x)` is x itself; only a comma makes a tuple.
    if (elements.length === 1 && !trailingComma) return elements[0]!;
    return { kind: 'Tuple', elements, range: this.rangeOf(cst) };
  }

  private elements(cst: CstNode): { elements: ast.Expression[]; trailingComma: boolean } {
    const inner = this.node(cst.children, 'elements') ?? cst;
    const elements = this.nodes(inner.children, 'expression').map((e) => this.expression(e));
    const commas = (inner.children['Comma'] ?? []).length;
    return { elements, trailingComma: elements.length > 0 && commas >= elements.length };
  }
}

/** Python-style string unquoting for the escapes people use in paths and names. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(
    /\\(.)/g,
    (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[c] ?? c,
  );
}
