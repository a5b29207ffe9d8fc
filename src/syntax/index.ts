/** Syntax: tokens, the Chevrotain parser, CST → AST. */
export { parseSource, type ParseResult, type SourceComment } from './parse.js';
export { parser, NnParser } from './parser.js';
export { allTokens } from './tokens.js';
