/** The tokens of `.nn`: Python's literal syntax plus `->` chains and `model name { … }` blocks. */
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
/** Comments are kept aside (not skipped) so the formatter can put them back. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: 'a name',
});
export const Model = createToken({
  name: 'Model',
  pattern: /model/,
  longer_alt: Identifier,
  label: "'model'",
});

const digits = String.raw`\d(?:_?\d)*`;
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: new RegExp(
    String.raw`(?:${digits}(?:\.(?:${digits})?)?|\.${digits})(?:[eE][+-]?${digits})?`,
  ),
  label: 'a number',
});
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*"/,
  label: 'a string',
});
/** A string missing its closing quote: lexed as a token so the parser can go on. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /'(?:[^'\\\r\n]|\\.)*|"(?:[^"\\\r\n]|\\.)*/,
  label: 'a string',
});

export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: "'->'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: "']'" });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/, label: "'}'" });

/** Order matters: longer patterns first, keywords before the identifier they resemble. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Arrow,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  Model,
  Identifier,
  Minus,
  Plus,
  Equals,
  Comma,
  Semicolon,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
];

/**
 * `ensureOptimizations` makes a token pattern that Chevrotain cannot index by its first
 * character fail here, at load time, instead of silently making the lexer try every pattern
 * at every character.
 */
export const lexer = new Lexer(allTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
});
