/**
 * Where the cursor is, read from the tokens before it (the AST may be broken there): the word
 * being typed, the string or comment it is in, and the call whose parentheses enclose it —
 * which argument, given by position or by keyword, and which keywords the call already has.
 */
import { catalog, type CatalogArg, type CatalogEntry, type CatalogKind } from '../catalog/index.js';
import type { Analysis, Token, TokenType } from './analysis.js';
import { kindOfType, lookupEntry, parameterNamed, parametersOf } from './catalog-info.js';

/** How far back and forward the scans go: a bound on work for huge files. */
const scanLimit = 4000;

/** One argument of a call, between '(' or ',' and ',' or ')'. */
export interface ArgSegment {
  /** Offsets: just after the '(' or ',' before it, and the start of the ',' or ')' after it. */
  start: number;
  end: number;
  /** The name token of a `name=value` argument. */
  keyword?: Token;
  /** The offset just after the '=' of a keyword argument. */
  valueStart?: number;
  /** Code token indices [first, last] in it (first > last when empty). */
  first: number;
  last: number;
}

export interface CallFrame {
  callee: Token;
  /** Code token indices of '(' and of its ')' when written. */
  open: number;
  close?: number;
  args: ArgSegment[];
  /** The index in `args` of the argument holding the cursor. */
  current: number;
  /** The catalog entry the call names, and its kind, when known. */
  entry?: CatalogEntry;
  kind?: CatalogKind;
}

export interface CursorContext {
  offset: number;
  /** The identifier (or keyword) being typed: [start, end) around the cursor, and the part before it. */
  word: { start: number; end: number; prefix: string };
  /** The string literal holding the cursor. */
  string?: { token: Token; contentStart: number; contentEnd: number; quote: string };
  inComment: boolean;
  /** In or right after a number or a closed string: nothing to complete. */
  inLiteral: boolean;
  /** The call whose parentheses hold the cursor, possibly inside lists or tuples of an argument. */
  call?: CallFrame;
  /** Lists and tuples between the call's '(' and the cursor. */
  containers: number;
  /** The last code token before the word being typed. */
  previous?: Token;
  /** Inside a `model … { }` block (at its statement level). */
  inBlock: boolean;
}

const openers: ReadonlySet<TokenType> = new Set(['LParen', 'LBracket', 'LBrace']);
const closers: ReadonlySet<TokenType> = new Set(['RParen', 'RBracket', 'RBrace']);

/** The cursor's context at `offset`. */
export function cursorContext(a: Analysis, offset: number, depth = 0): CursorContext {
  const code = a.code;
  const n = a.tokensBefore(offset); // tokens starting before the cursor
  const last = code[n - 1];
  let word = { start: offset, end: offset, prefix: '' };
  let before = n; // tokens before the word
  let string: CursorContext['string'];
  let inLiteral = false;
  if (last && offset <= last.end) {
    if (last.type === 'Identifier' || last.type === 'Model') {
      word = { start: last.start, end: last.end, prefix: a.text.slice(last.start, offset) };
      before = n - 1;
    } else if (
      (last.type === 'StringLiteral' && offset < last.end) ||
      last.type === 'UnterminatedString'
    ) {
      const quote = last.image[0] ?? "'";
      const closed = last.type === 'StringLiteral';
      string = {
        token: last,
        quote,
        contentStart: last.start + 1,
        contentEnd: closed ? last.end - 1 : last.end,
      };
      before = n - 1;
    } else {
      inLiteral = last.type === 'NumberLiteral' || last.type === 'StringLiteral';
      if (offset < last.end) before = n - 1;
    }
  }
  const ctx: CursorContext = {
    offset,
    word,
    inComment: a.commentAt(offset) !== undefined,
    inLiteral,
    containers: 0,
    inBlock: false,
  };
  if (string) ctx.string = string;
  const previous = code[before - 1];
  if (previous) ctx.previous = previous;

  // Inside a model block: an unclosed '{' before the cursor (braces only, the whole way back).
  for (let j = before - 1, braces = 0; j >= 0; j--) {
    const type = code[j]!.type;
    if (type === 'RBrace') braces++;
    else if (type === 'LBrace' && braces-- === 0) {
      ctx.inBlock = true;
      break;
    }
  }
  // Back to the unclosed opener that holds the cursor.
  let nesting = 0;
  for (let j = before - 1; j >= 0 && j >= before - scanLimit; j--) {
    const t = code[j]!;
    if (closers.has(t.type)) nesting++;
    else if (openers.has(t.type)) {
      if (nesting > 0) {
        nesting--;
        continue;
      }
      if (t.type === 'LBrace') break;
      const callee = code[j - 1];
      if (t.type === 'LParen' && callee?.type === 'Identifier') {
        ctx.call = callFrame(a, j, offset, depth);
        break;
      }
      ctx.containers++; // a list or a tuple: the call, if any, is further out
    } else if (nesting === 0 && (t.type === 'Semicolon' || t.type === 'Model')) break;
    // No call's argument holds a chain or a new statement: an earlier unclosed '(' is not ours.
    else if (nesting === 0 && (t.type === 'Arrow' || startsStatement(a, j))) break;
  }
  return ctx;
}

/** The call whose '(' is code token `open`, split into arguments, with the cursor's one. */
function callFrame(a: Analysis, open: number, offset: number, depth: number): CallFrame {
  const code = a.code;
  const callee = code[open - 1]!;
  const args: ArgSegment[] = [];
  let segment: ArgSegment = {
    start: code[open]!.end,
    end: a.text.length,
    first: open + 1,
    last: open,
  };
  let nesting = 0;
  let close: number | undefined;
  let j = open + 1;
  for (; j < code.length && j <= open + scanLimit; j++) {
    const t = code[j]!;
    // A half-typed call ends where the next statement starts.
    if (j > open + 1 && startsStatement(a, j)) break;
    if (nesting === 0) {
      if (t.type === 'RParen') {
        close = j;
        break;
      }
      if (
        t.type === 'Semicolon' ||
        t.type === 'RBrace' ||
        t.type === 'LBrace' ||
        t.type === 'Model' ||
        t.type === 'Arrow'
      )
        break;
      if (t.type === 'Comma') {
        segment.end = t.start;
        args.push(segment);
        segment = { start: t.end, end: a.text.length, first: j + 1, last: j };
        continue;
      }
    }
    if (openers.has(t.type)) nesting++;
    else if (closers.has(t.type)) nesting = Math.max(0, nesting - 1);
    if (segment.first > segment.last && j === segment.first) {
      const next = code[j + 1];
      if (t.type === 'Identifier' && next?.type === 'Equals') {
        segment.keyword = t;
        segment.valueStart = next.end;
      }
    }
    segment.last = j;
  }
  segment.end = close !== undefined ? code[close]!.start : (code[j]?.start ?? a.text.length);
  args.push(segment);
  let current = args.findIndex((s) => s.start <= offset && offset <= s.end);
  if (current < 0) current = args.length - 1;
  const frame: CallFrame = { callee, open, args, current };
  if (close !== undefined) frame.close = close;
  const resolved = resolveCallee(a, callee, depth);
  if (resolved) {
    frame.entry = resolved.entry;
    frame.kind = resolved.kind;
  }
  return frame;
}

/** The entry a callee names: the checker's binding, else what its place expects. */
function resolveCallee(
  a: Analysis,
  callee: Token,
  depth: number,
): { entry: CatalogEntry; kind: CatalogKind } | undefined {
  const bound = a.callAt(callee.start);
  if (bound) {
    const found = lookupEntry(bound.entry, bound.kind);
    if (found) return found;
  }
  if (callee.image === 'compile' || callee.image === 'fit')
    return lookupEntry(callee.image, 'method');
  if (depth < 8) {
    const outer = cursorContext(a, callee.start, depth + 1);
    const param = outer.call ? currentParameter(outer.call) : undefined;
    const kind = param ? kindOfType[param.type] : outer.call ? undefined : 'layer';
    if (kind) {
      const found = lookupEntry(callee.image, kind);
      if (found) return found;
    }
  }
  return lookupEntry(callee.image);
}

/** The parameter the cursor's argument binds to: by keyword, else by position. */
export function currentParameter(frame: CallFrame): CatalogArg | undefined {
  if (!frame.entry || !frame.kind) return undefined;
  const seg = frame.args[frame.current];
  if (seg?.keyword) return parameterNamed(frame.entry, frame.kind, seg.keyword.image);
  const index = frame.args.slice(0, frame.current).filter((s) => !s.keyword).length;
  if (frame.args.slice(0, frame.current).some((s) => s.keyword)) return undefined;
  return parametersOf(frame.entry, frame.kind).positional[index];
}

/** Parameter names already given in the call (by keyword, or by position), but the current one. */
export function givenParameters(frame: CallFrame): Set<string> {
  const given = new Set<string>();
  if (!frame.entry || !frame.kind) return given;
  const { positional } = parametersOf(frame.entry, frame.kind);
  let index = 0;
  frame.args.forEach((s, i) => {
    const empty = s.first > s.last;
    if (s.keyword) {
      const p = parameterNamed(frame.entry!, frame.kind!, s.keyword.image);
      if (p && i !== frame.current) given.add(p.name);
    } else if (!empty || i < frame.current) {
      const p = positional[index++];
      if (p && i !== frame.current) given.add(p.name);
    }
  });
  return given;
}

/**
 * Whether code token `j` starts a statement: `model`, or a call of `compile`, `fit` or a layer,
 * first on its line. Such calls never stand inside another call's arguments.
 */
function startsStatement(a: Analysis, j: number): boolean {
  const t = a.code[j]!;
  const before = a.code[j - 1];
  if (before && !a.text.slice(before.end, t.start).match(/[\r\n]/)) return false;
  if (t.type === 'Model') return true;
  if (t.type !== 'Identifier' || a.code[j + 1]?.type !== 'LParen') return false;
  return (
    t.image === 'compile' || t.image === 'fit' || catalog.lookup('layer', t.image) !== undefined
  );
}
