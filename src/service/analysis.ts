/**
 * One document's analysis, computed once per text and shared by every request on it: the
 * checker's result, the tokens (comments included), the position index, and (lazily) the
 * symbol table of named constants and models.
 */
import type * as ast from '../ast/index.js';
import type { CallBinding, CheckResult, ResultName } from '../check/index.js';
import { check } from '../compiler.js';
import { lexer } from '../syntax/tokens.js';
import { PositionIndex } from './positions.js';

/** The lexer's token names, plus `Comment` and `KerasPrefix` (kept aside by the parser). */
export type TokenType =
  | 'Identifier'
  | 'Model'
  | 'NumberLiteral'
  | 'StringLiteral'
  | 'UnterminatedString'
  | 'Arrow'
  | 'Minus'
  | 'Plus'
  | 'Equals'
  | 'Comma'
  | 'Semicolon'
  | 'LParen'
  | 'RParen'
  | 'LBracket'
  | 'RBracket'
  | 'LBrace'
  | 'RBrace'
  | 'Comment'
  | 'KerasPrefix';

/** A token: its type and its offsets [start, end). */
export interface Token {
  type: TokenType;
  start: number;
  end: number;
  image: string;
}

/** One occurrence of a named constant, result or model. */
export interface Occurrence {
  name: string;
  start: number;
  end: number;
  /** The definition's name start offset: the symbol's identity. */
  symbol: number;
  isDefinition: boolean;
}

/** A named constant, a graph model's result (one definition of it), or a model. */
export interface SymbolInfo {
  id: number;
  name: string;
  kind: 'constant' | 'result' | 'model';
  /** The constant's or result's assignment, or the model block. */
  node: ast.Assignment | ast.TupleAssignment | ast.ModelBlock;
  /** The model block the name is local to; undefined for the file's constants, models and the default model's results. */
  model?: ast.ModelBlock;
  /** A result's shape, maker and reads, as the checker found them. */
  result?: ResultName;
}

export interface SymbolTable {
  symbols: Map<number, SymbolInfo>;
  /** Every occurrence, in source order. */
  occurrences: Occurrence[];
}

const wordLike: ReadonlySet<TokenType> = new Set([
  'Identifier',
  'Model',
  'NumberLiteral',
  'StringLiteral',
  'UnterminatedString',
]);

export class Analysis {
  readonly index: PositionIndex;
  readonly result: CheckResult;
  /** Code tokens, in order (no comments, no Keras prefixes). */
  readonly code: Token[];
  /** Comments, in order. */
  readonly comments: Token[];
  /** Every token: code, comments and Keras prefixes, in order. */
  readonly all: Token[];
  private symbolTable?: SymbolTable;
  private callsByCallee?: Map<number, CallBinding>;

  constructor(readonly text: string) {
    this.index = new PositionIndex(text);
    this.result = check(text);
    const lexed = lexer.tokenize(text);
    const toToken = (t: { tokenType: { name: string }; startOffset: number; image: string }) => ({
      type: t.tokenType.name as TokenType,
      start: t.startOffset,
      end: t.startOffset + t.image.length,
      image: t.image,
    });
    this.code = lexed.tokens.map(toToken);
    this.comments = (lexed.groups['comments'] ?? []).map(toToken);
    const prefixes = (lexed.groups['prefixes'] ?? []).map(toToken);
    this.all = [...this.code, ...this.comments, ...prefixes].sort((a, b) => a.start - b.start);
  }

  /** The number of code tokens that start before `offset` (binary search). */
  tokensBefore(offset: number): number {
    let lo = 0;
    let hi = this.code.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.code[mid]!.start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The code token under `offset` (start ≤ offset < end), or the one ending right at it. */
  tokenAt(offset: number): Token | undefined {
    const i = this.tokensBefore(offset + 1) - 1;
    const t = this.code[i];
    const before = this.code[i - 1];
    // At a word's end and punctuation's start (`relu|,`), the word: the cursor just typed it.
    if (t && t.start === offset && !wordLike.has(t.type) && before?.end === offset) return before;
    if (t && t.start <= offset && offset < t.end) return t;
    if (t && t.end === offset) return t;
    return undefined;
  }

  /** The comment holding `offset`, if any (its end counts: the cursor after `# text`). */
  commentAt(offset: number): Token | undefined {
    return this.comments.find((c) => c.start < offset && offset <= c.end);
  }

  /** The bound call whose callee starts at `offset`. */
  callAt(calleeStart: number): CallBinding | undefined {
    if (!this.callsByCallee) {
      this.callsByCallee = new Map();
      for (const b of this.result.bindings)
        if (!this.callsByCallee.has(b.calleeRange.start.offset))
          this.callsByCallee.set(b.calleeRange.start.offset, b);
    }
    return this.callsByCallee.get(calleeStart);
  }

  get symbols(): SymbolTable {
    return (this.symbolTable ??= buildSymbols(this.result.ast, this.result.results));
  }

  /** The occurrence of a constant, result or model name at `offset`. */
  occurrenceAt(offset: number): Occurrence | undefined {
    return this.symbols.occurrences.find((o) => o.start <= offset && offset <= o.end);
  }
}

/**
 * Definitions and uses of named constants (file- and model-level), results and model names.
 * Which assignments name results, and which definition each read of a result sees (a name
 * given again makes a new result), is the checker's word: `results`.
 */
function buildSymbols(program: ast.Program, results: readonly ResultName[]): SymbolTable {
  const symbols = new Map<number, SymbolInfo>();
  const occurrences: Occurrence[] = [];
  const fileScope = new Map<string, number>();
  const resultAt = new Map<number, ResultName>();
  const readOf = new Map<number, number>();
  for (const r of results) {
    resultAt.set(r.range.start.offset, r);
    for (const read of r.reads) readOf.set(read.start.offset, r.range.start.offset);
  }
  const defineName = (
    scope: Map<string, number>,
    target: ast.Identifier,
    a: ast.Assignment | ast.TupleAssignment,
    model: ast.ModelBlock | undefined,
  ) => {
    const id = target.range.start.offset;
    const result = resultAt.get(id);
    // A tuple assignment names results only (the checker refuses any other).
    if (!result && a.kind === 'TupleAssignment') return;
    const info: SymbolInfo = {
      id,
      name: target.name,
      kind: result ? 'result' : 'constant',
      node: a,
    };
    if (result) info.result = result;
    else if (!scope.has(target.name)) scope.set(target.name, id);
    if (model) info.model = model;
    symbols.set(id, info);
  };
  const define = (
    scope: Map<string, number>,
    a: ast.Statement,
    model: ast.ModelBlock | undefined,
  ) => {
    if (a.kind === 'Assignment') defineName(scope, a.target, a, model);
    else if (a.kind === 'TupleAssignment')
      for (const target of a.targets) defineName(scope, target, a, model);
  };
  const modelScopes = new Map<ast.ModelBlock, Map<string, number>>();
  for (const s of program.body) {
    if (s.kind === 'Model') {
      const id = s.name.range.start.offset;
      symbols.set(id, { id, name: s.name.name, kind: 'model', node: s });
      const scope = new Map<string, number>();
      for (const b of s.body) define(scope, b, s);
      modelScopes.set(s, scope);
    } else define(fileScope, s, undefined);
  }
  const use = (id: ast.Identifier, scope: Map<string, number> | undefined) => {
    const symbol =
      readOf.get(id.range.start.offset) ?? scope?.get(id.name) ?? fileScope.get(id.name);
    if (symbol === undefined) return;
    occurrences.push({
      name: id.name,
      start: id.range.start.offset,
      end: id.range.end.offset,
      symbol,
      isDefinition: false,
    });
  };
  const visit = (e: ast.Expression, scope: Map<string, number> | undefined, depth: number) => {
    if (depth > 200) return; // the parser bounds nesting at 100; this is a second fence
    switch (e.kind) {
      case 'Identifier':
        return use(e, scope);
      case 'Call':
        for (const a of e.args) visit(a.value, scope, depth + 1);
        return;
      case 'Chain':
        for (const step of e.steps) visit(step, scope, depth + 1);
        return;
      case 'Tuple':
      case 'List':
        for (const el of e.elements) visit(el, scope, depth + 1);
        return;
      default:
        return;
    }
  };
  const statement = (s: ast.Statement, scope: Map<string, number> | undefined) => {
    if (s.kind === 'Assignment') {
      occurrences.push({
        name: s.target.name,
        start: s.target.range.start.offset,
        end: s.target.range.end.offset,
        symbol: s.target.range.start.offset,
        isDefinition: true,
      });
      visit(s.value, scope, 0);
    } else if (s.kind === 'TupleAssignment') {
      for (const target of s.targets)
        if (symbols.has(target.range.start.offset))
          occurrences.push({
            name: target.name,
            start: target.range.start.offset,
            end: target.range.end.offset,
            symbol: target.range.start.offset,
            isDefinition: true,
          });
      visit(s.value, scope, 0);
    } else if (s.kind === 'ExpressionStatement') visit(s.expression, scope, 0);
    else {
      occurrences.push({
        name: s.name.name,
        start: s.name.range.start.offset,
        end: s.name.range.end.offset,
        symbol: s.name.range.start.offset,
        isDefinition: true,
      });
      const inner = modelScopes.get(s);
      for (const b of s.body) statement(b, inner);
    }
  };
  for (const s of program.body) statement(s, undefined);
  occurrences.sort((a, b) => a.start - b.start);
  return { symbols, occurrences };
}
