/**
 * The Chevrotain grammar of `.nn` (written down in grammar/nn.ebnf). Error recovery is on, so
 * one pass reports every syntax error and still yields a partial tree.
 */
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import { formatMessage, messages } from '../diagnostics/messages.js';
import * as t from './tokens.js';

/** How a token is named in messages: its image in quotes, or the end of the file. */
export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  return `'${token.image}'`;
}

function describeType(type: TokenType): string {
  return type === EOF ? 'the end of the file' : (type.LABEL ?? type.name);
}

function oneOf(names: string[]): string {
  const unique = [...new Set(names)];
  return unique.length <= 1 ? (unique[0] ?? 'something else') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

/** What a rule stands for when none of its alternatives fits. */
const ruleDescriptions: Record<string, string> = {
  statement: 'a statement (a layer chain, a name = value, compile(…), fit(…) or a model block)',
  term: 'a value (a layer call, a name, a number, a string, a tuple or a list)',
  number: 'a number',
};

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    formatMessage(messages.expectedToken.message, { expected: describeType(expected), found: describeToken(actual) }),
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    formatMessage(messages.unexpectedInput.message, { found: describeToken(firstRedundant) }),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) =>
    formatMessage(messages.expectedValue.message, {
      expected: ruleDescriptions[ruleName] ?? oneOf(expectedPathsPerAlt.flat().map((p) => describeType(p[0]!))),
      found: describeToken(actual[0]!),
    }),
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, ruleName }) =>
    formatMessage(messages.expectedValue.message, {
      expected: ruleDescriptions[ruleName] ?? oneOf(expectedIterationPaths.map((p) => describeType(p[0]!))),
      found: describeToken(actual[0]!),
    }),
};

export class NnParser extends CstParser {
  constructor() {
    super(t.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: errorMessages });
    this.performSelfAnalysis();
  }

  /** program := (statement | ';')* */
  program = this.RULE('program', () => {
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(t.Semicolon) }]));
  });

  /** statement := modelBlock | assignment | expression */
  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.modelBlock) },
      { ALT: () => this.SUBRULE(this.assignment) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  /** modelBlock := 'model' Identifier '{' (statement | ';')* '}' */
  modelBlock = this.RULE('modelBlock', () => {
    this.CONSUME(t.Model);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LBrace);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(t.Semicolon) }]));
    this.CONSUME(t.RBrace);
  });

  /** assignment := Identifier '=' expression */
  assignment = this.RULE('assignment', () => {
    this.CONSUME(t.Identifier);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression);
  });

  /** expression := term ('->' term)* */
  expression = this.RULE('expression', () => {
    this.SUBRULE(this.term);
    this.MANY(() => {
      this.CONSUME(t.Arrow);
      this.SUBRULE2(this.term);
    });
  });

  /** term := call | Identifier | number | String | tuple | list */
  term = this.RULE('term', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.CONSUME(t.Identifier) },
      { ALT: () => this.SUBRULE(this.number) },
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.UnterminatedString) },
      { ALT: () => this.SUBRULE(this.tuple) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  /** call := Identifier '(' (argument (',' argument)* ','?)? ')' */
  call = this.RULE('call', () => {
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY({
        GATE: () => this.LA(2).tokenType !== t.RParen,
        DEF: () => {
          this.CONSUME(t.Comma);
          this.SUBRULE2(this.argument);
        },
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    this.CONSUME(t.RParen);
  });

  /** argument := (Identifier '=')? expression */
  argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(t.Identifier, { LABEL: 'name' });
      this.CONSUME(t.Equals);
    });
    this.SUBRULE(this.expression);
  });

  /** number := ('-' | '+')? Number */
  number = this.RULE('number', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(t.Minus) }, { ALT: () => this.CONSUME(t.Plus) }]));
    this.CONSUME(t.NumberLiteral);
  });

  /** tuple := '(' (expression (',' expression)* ','?)? ')' — `(x)` alone is just x. */
  tuple = this.RULE('tuple', () => {
    this.CONSUME(t.LParen);
    this.SUBRULE(this.elements);
    this.CONSUME(t.RParen);
  });

  /** list := '[' (expression (',' expression)* ','?)? ']' */
  list = this.RULE('list', () => {
    this.CONSUME(t.LBracket);
    this.SUBRULE(this.elements);
    this.CONSUME(t.RBracket);
  });

  /** elements := (expression (',' expression)* ','?)? */
  elements = this.RULE('elements', () => {
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY({
        GATE: () => this.LA(2).tokenType !== t.RParen && this.LA(2).tokenType !== t.RBracket,
        DEF: () => {
          this.CONSUME(t.Comma);
          this.SUBRULE2(this.expression);
        },
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
  });
}

/** One parser instance serves every parse (Chevrotain's recommended use). */
export const parser = new NnParser();
