/**
 * One linear pass over the tokens that matches brackets before the parser runs: it bounds the
 * nesting (the parser, the AST builder and every later walk recurse once per level, so a few
 * hundred levels would overflow the stack) and remembers, for each token, the innermost bracket
 * still open before it (a missing ')' is reported with the '(' it should close).
 */
import type { IToken, TokenType } from 'chevrotain';
import * as t from './tokens.js';

/** The deepest bracket nesting a file may have (Python's parser stops at 200). */
export const maxNesting = 100;

const closerOf = new Map<TokenType, TokenType>([
  [t.LParen, t.RParen],
  [t.LBracket, t.RBracket],
  [t.LBrace, t.RBrace],
]);

/** What `scanBrackets` found: the open bracket before each token, and the first too deep. */
export interface BracketScan {
  /** Per token: the index of the innermost bracket open before it, or -1. */
  innermostOpen: Int32Array;
  /** The innermost bracket still open at the end of the tokens, or -1. */
  lastOpen: number;
  /** The index of the first opening bracket nested deeper than `maxNesting`, or -1. */
  tooDeep: number;
}

/** Matches the brackets of `tokens`; a closer of the wrong kind is left to the parser. */
export function scanBrackets(tokens: readonly IToken[], limit = maxNesting): BracketScan {
  const innermostOpen = new Int32Array(tokens.length);
  const open: number[] = [];
  let tooDeep = -1;
  for (let i = 0; i < tokens.length; i++) {
    innermostOpen[i] = open.length > 0 ? open[open.length - 1]! : -1;
    const type = tokens[i]!.tokenType;
    if (closerOf.has(type)) {
      open.push(i);
      if (open.length > limit && tooDeep < 0) tooDeep = i;
    } else if (
      open.length > 0 &&
      closerOf.get(tokens[open[open.length - 1]!]!.tokenType) === type
    ) {
      open.pop();
    }
  }
  return { innermostOpen, lastOpen: open.length > 0 ? open[open.length - 1]! : -1, tooDeep };
}
