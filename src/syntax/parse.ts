import type { IRecognitionException } from 'chevrotain';
import type { Program } from '../ast/index.js';
import { DiagnosticSink, messages, type Diagnostic } from '../diagnostics/index.js';
import { LineMap, type Range } from '../source/index.js';
import { parser } from './parser.js';
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
  for (const err of lexed.errors) {
    const char = source.slice(err.offset, err.offset + err.length);
    sink.report('unexpectedCharacter', lines.range(err.offset, err.offset + err.length), {
      char: char.length > 12 ? char.slice(0, 12) + '…' : char,
    });
  }
  // 'onlyOffset' tokens carry no end; the parser's node location tracking needs one.
  for (const tok of lexed.tokens) tok.endOffset = tokenEnd(tok) - 1;
  // The builder reports into a sink of its own: its findings follow the syntax errors.
  const built = new DiagnosticSink();
  const builder = new AstBuilder(lines, built);
  const parsed = parser.parseProgram(lexed.tokens, (statement) =>
    builder.topLevelStatement(statement),
  );
  // Recovery can leave a stray closer at the top level; after a real error that is noise.
  const errors = parsed.errors.filter(
    (err, i) =>
      i === 0 ||
      !(
        err.name === 'MismatchedTokenException' &&
        err.message.includes('Expected the end of the file')
      ),
  );
  for (const err of errors) sink.diagnostics.push(syntaxDiagnostic(err, lines, source.length));
  const ast = builder.program(parsed.cst);
  sink.diagnostics.push(...built.diagnostics);
  const comments = (lexed.groups['comments'] ?? []).map((c) => ({
    text: c.image,
    offset: c.startOffset,
    range: lines.range(c.startOffset, c.startOffset + c.image.length),
  }));
  const diagnostics = sink.diagnostics.map((d) => (file ? { ...d, file } : d));
  return { ast, diagnostics, lines, comments };
}

function syntaxDiagnostic(err: IRecognitionException, lines: LineMap, length: number): Diagnostic {
  const tok = err.token;
  const atEnd = Number.isNaN(tok.startOffset) || tok.tokenType.name === 'EOF';
  const start = atEnd ? length : tok.startOffset;
  const end = atEnd ? length : tokenEnd(tok);
  const def = messages[exceptionKeys[err.name] ?? 'expectedValue'];
  // The message itself was built from the same table by the parser's error provider.
  return {
    code: def.code,
    severity: def.severity,
    message: err.message,
    range: lines.range(start, end),
  };
}
