/** The tokens of `.nn`: Python's literal syntax plus `->` chains and `model name { … }` blocks. */
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
/** Comments are kept aside (not skipped) so the formatter can put them back. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });

/** Python's identifiers: a letter (of any script) or '_', then letters, digits, marks, '_'. */
const identifierPattern = /[\p{XID_Start}_]\p{XID_Continue}*/uy;

/**
 * The characters an identifier may start with, as Chevrotain's first-character index needs
 * them: ASCII letters and '_' one by one, then one character per 255-code bucket above Latin-1
 * (the index groups those codes; the pattern itself decides).
 */
function identifierStarts(): string[] {
  const starts = ['_'];
  for (let c = 65; c <= 122; c++)
    if (/[A-Za-z]/.test(String.fromCharCode(c))) starts.push(String.fromCharCode(c));
  for (let c = 0xaa; c <= 0xff; c++) starts.push(String.fromCharCode(c));
  for (let c = 0x100; c <= 0xffff; c += 255) starts.push(String.fromCharCode(c));
  return starts;
}

/** A name: Python's identifier syntax, Unicode letters included. */
export const Identifier = createToken({
  name: 'Identifier',
  pattern: {
    exec: (text: string, offset: number) => {
      identifierPattern.lastIndex = offset;
      return identifierPattern.exec(text);
    },
  },
  start_chars_hint: identifierStarts(),
  line_breaks: false,
  label: 'a name',
});
/**
 * A Python module path before a Keras name (`keras.optimizers.`, `tf.keras.layers.`,
 * `layers.`): kept aside like comments, so the name after it parses, and reported with a hint.
 */
export const KerasPrefix = createToken({
  name: 'KerasPrefix',
  pattern:
    /(?:tf\.)?keras\.(?:[A-Za-z_]\w*\.)*|(?:layers|optimizers|losses|activations|initializers|regularizers|constraints|callbacks|metrics|models)\./,
  group: 'prefixes',
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
  KerasPrefix,
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
