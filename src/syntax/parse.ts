import type { IRecognitionException, IToken } from 'chevrotain';
import type { Program } from '../ast/index.js';
import { DiagnosticSink, messages, type Diagnostic } from '../diagnostics/index.js';
import { LineMap, type Range } from '../source/index.js';
import { maxNesting, scanBrackets, type BracketScan } from './brackets.js';
import { describeToken, maxSyntaxErrors, parser } from './parser.js';
import { AstBuilder, tokenEnd } from './to-ast.js';
import { lexer } from './tokens.js';

/** A `# …` comment as written, with its range. */
export interface SourceComment {
  /** The comment's text, '#' included. */
  text: string;
  offset: number;
  range: Range;
}

export interface ParseResult {
  /** The AST; after syntax errors, a partial one with `Error` nodes where input made no sense. */
  ast: Program;
  diagnostics: Diagnostic[];
  lines: LineMap;
  /** Comments with their ranges, kept for the formatter and the language server. */
  comments: SourceComment[];
}

const exceptionKeys: Record<string, 'expectedToken' | 'expectedValue' | 'unexpectedInput'> = {
  MismatchedTokenException: 'expectedToken',
  NoViableAltException: 'expectedValue',
  EarlyExitException: 'expectedValue',
  NotAllInputParsedException: 'unexpectedInput',
};

/** Parses `.nn` source into an AST, reporting every syntax error in one pass. */
export function parseSource(source: string, file?: string): ParseResult {
  const lines = new LineMap(source);
  const sink = new DiagnosticSink();
  const lexed = lexer.tokenize(source);
  // After `maxSyntaxErrors` bad characters the rest of the file is not read (work is capped).
  const lexCut = lexed.errors[maxSyntaxErrors - 1]?.offset ?? Infinity;
  for (const err of lexed.errors.slice(0, maxSyntaxErrors)) {
    const char = source.slice(err.offset, err.offset + err.length);
    sink.report('unexpectedCharacter', lines.range(err.offset, err.offset + err.length), {
      char: char.length > 12 ? char.slice(0, 12) + '…' : char,
    });
  }
  // 'onlyOffset' tokens carry no end; the parser's node location tracking needs one.
  for (const tok of lexed.tokens) tok.endOffset = tokenEnd(tok) - 1;
  // Nesting is bounded before the parser (which recurses per level) sees it: the tokens from
  // the first bracket too deep on are not parsed, and nothing is reported about them.
  const brackets = scanBrackets(lexed.tokens);
  const deepAt = brackets.tooDeep < 0 ? Infinity : lexed.tokens[brackets.tooDeep]!.startOffset;
  const tokens = lexed.tokens.slice(0, tokenIndexAt(lexed.tokens, Math.min(deepAt, lexCut)));
  // The builder reports into a sink of its own: its findings follow the syntax errors.
  const built = new DiagnosticSink();
  const builder = new AstBuilder(lines, built);
  const parsed = parser.parseProgram(tokens, (statement) => builder.topLevelStatement(statement));
  // A stray token at the top level (a closer, ',', '=' or '->') is reported only when it is
  // the first syntax error: after a real error, recovery leaves such tokens behind as noise.
  const cut = Math.min(deepAt, lexCut, parsed.stoppedAt);
  const errors = parsed.errors.filter(
    (err) => !(cut < Infinity && (isEof(err.token) || err.token.startOffset >= cut)),
  );
  const firstError = errors.reduce((min, e) => Math.min(min, errorOffset(e, source.length)), cut);
  const stray = parsed.strays[0];
  if (stray && stray.startOffset < firstError)
    sink.report('unexpectedInput', lines.range(stray.startOffset, tokenEnd(stray)), {
      found: describeToken(stray),
    });
  const context: SyntaxContext = { lines, length: source.length, tokens: lexed.tokens, brackets };
  for (const err of errors) sink.diagnostics.push(syntaxDiagnostic(err, context));
  if (deepAt < Infinity && deepAt === cut)
    sink.report('nestingTooDeep', lines.range(cut, cut + 1), { max: maxNesting });
  else if (cut < Infinity)
    sink.report('tooManySyntaxErrors', lines.range(cut, cut), { max: maxSyntaxErrors });
  const ast = builder.program(parsed.cst);
  sink.diagnostics.push(...built.diagnostics);
  for (const prefix of lexed.groups['prefixes'] ?? []) {
    const end = tokenEnd(prefix);
    const next = lexed.tokens[tokenIndexAt(lexed.tokens, end)];
    const name = next && next.startOffset === end ? next.image : 'the name';
    sink.report('kerasPrefix', lines.range(prefix.startOffset, end), {
      prefix: prefix.image,
      name,
    });
  }
  const comments = (lexed.groups['comments'] ?? []).map((c) => ({
    text: c.image,
    offset: c.startOffset,
    range: lines.range(c.startOffset, c.startOffset + c.image.length),
  }));
  const diagnostics = sink.diagnostics.map((d) => (file ? { ...d, file } : d));
  return { ast, diagnostics, lines, comments };
}

interface SyntaxContext {
  lines: LineMap;
  length: number;
  tokens: readonly IToken[];
  brackets: BracketScan;
}

function errorOffset(err: IRecognitionException, length: number): number {
  return isEof(err.token) ? length : err.token.startOffset;
}

function isEof(tok: IToken): boolean {
  return Number.isNaN(tok.startOffset) || tok.tokenType.name === 'EOF';
}

function syntaxDiagnostic(err: IRecognitionException, context: SyntaxContext): Diagnostic {
  const { lines, length } = context;
  const tok = err.token;
  const atEnd = isEof(tok);
  const start = atEnd ? length : tok.startOffset;
  const end = atEnd ? length : tokenEnd(tok);
  const def = messages[exceptionKeys[err.name] ?? 'expectedValue'];
  // The message itself was built from the same table by the parser's error provider.
  const diagnostic: Diagnostic = {
    code: def.code,
    severity: def.severity,
    message: err.message,
    range: lines.range(start, end),
  };
  if (err.name === 'MismatchedTokenException') placeMissingCloser(diagnostic, start, context);
  return diagnostic;
}

/**
 * A missing closer is reported where it was expected, just after the last token before the one
 * found (often on the next line), with the bracket it should close as related information.
 */
function placeMissingCloser(diagnostic: Diagnostic, found: number, context: SyntaxContext): void {
  const { tokens, brackets, lines } = context;
  const closer = closers.find((c) => diagnostic.message.startsWith(`Expected '${c}'`));
  if (!closer) return;
  const index = tokenIndexAt(tokens, found);
  const previous = tokens[index - 1];
  if (!previous) return;
  const at = tokenEnd(previous);
  diagnostic.range = lines.range(at, at);
  const opener = index < tokens.length ? brackets.innermostOpen[index]! : brackets.lastOpen;
  const open = tokens[opener];
  if (open && isCloserFor(open.image, closer))
    diagnostic.related = [
      {
        range: lines.range(open.startOffset, tokenEnd(open)),
        message: `the '${open.image}' it closes`,
      },
    ];
}

const closers = [')', ']', '}'];

function isCloserFor(opener: string, closer: string): boolean {
  return (
    (opener === '(' && closer === ')') ||
    (opener === '[' && closer === ']') ||
    (opener === '{' && closer === '}')
  );
}

/** The index of the first token starting at or after `offset` (tokens.length if none). */
function tokenIndexAt(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
