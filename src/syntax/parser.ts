/**
 * The Chevrotain grammar of `.nn` (written down in grammar/nn.ebnf). Error recovery is on, so
 * one pass reports every syntax error and still yields a partial tree.
 */
import {
  CstParser,
  EOF,
  type CstNode,
  type DSLMethodOpts,
  type IOrAlt,
  type OrMethodOpts,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from 'chevrotain';
import { formatMessage, messages } from '../diagnostics/messages.js';
import * as t from './tokens.js';

/** After this many syntax errors the parser stops reading a file. */
export const maxSyntaxErrors = 1000;

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
  return unique.length <= 1
    ? (unique[0] ?? 'something else')
    : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

/** What a rule stands for when none of its alternatives fits. */
const ruleDescriptions: Record<string, string> = {
  statement: 'a statement (a layer chain, a name = value, compile(…), fit(…) or a model block)',
  term: 'a value (a layer call, a name, a number, a string, a tuple or a list)',
  number: 'a number',
};

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    formatMessage(messages.expectedToken.message, {
      expected: describeType(expected),
      found: describeToken(actual),
    }),
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    formatMessage(messages.unexpectedInput.message, { found: describeToken(firstRedundant) }),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) =>
    formatMessage(messages.expectedValue.message, {
      expected:
        ruleDescriptions[ruleName] ??
        oneOf(expectedPathsPerAlt.flat().map((p) => describeType(p[0]!))),
      found: describeToken(actual[0]!),
    }),
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, ruleName }) =>
    formatMessage(messages.expectedValue.message, {
      expected:
        ruleDescriptions[ruleName] ?? oneOf(expectedIterationPaths.map((p) => describeType(p[0]!))),
      found: describeToken(actual[0]!),
    }),
};

/**
 * The grammar. A rule body runs for every match, so it allocates nothing: each `OR` alternative
 * list, `MANY`/`OPTION` body and option object is built once, in a field (Chevrotain's
 * performance advice; an arrow function inside a rule would be a new closure on every call).
 * Fields are initialized before `performSelfAnalysis` runs the rules for the first time.
 */
export class NnParser extends CstParser {
  constructor() {
    super(t.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      errorMessageProvider: errorMessages,
      // Each CST node records the offsets of its real tokens: the AST's ranges come from here.
      nodeLocationTracking: 'onlyOffset',
    });
    this.performSelfAnalysis();
  }

  /** Receives each top-level statement during `parseProgram`. */
  private onStatement: ((statement: CstNode) => void) | undefined;

  /**
   * Parses `tokens` as a program. Each top-level statement that the parser completes (recovered
   * or not) is also handed to `onStatement` at once: the AST builder converts it there and frees
   * its CST, so that the CST of the whole file never lives at once (it is large, and keeping it
   * alive made the garbage collector copy it again and again). A statement that fails beyond
   * recovery ends the parse, so what is handed over is always a prefix of the program.
   */
  parseProgram(
    tokens: IToken[],
    onStatement?: (statement: CstNode) => void,
  ): { cst: CstNode; errors: IRecognitionException[]; strays: IToken[]; stoppedAt: number } {
    this.input = tokens;
    this.strays.length = 0;
    this.stoppedAt = Infinity;
    this.onStatement = onStatement;
    try {
      const cst = this.program();
      return { cst, errors: this.errors, strays: [...this.strays], stoppedAt: this.stoppedAt };
    } finally {
      this.onStatement = undefined;
      this.input = []; // the shared parser need not keep this parse's tokens alive
    }
  }

  /**
   * Chevrotain's recovery inside a repetition scans ahead for a token that may follow it, and
   * calls itself again for every re-sync: on a long run of bad input that scan is quadratic and
   * the recursion overflows the stack. It is switched off (this is the method Chevrotain leaves
   * empty when recovery is off); a failing rule still re-syncs at its own follow set, and a
   * stray token at the top level is skipped by the `program` rule itself.
   */
  attemptInRepetitionRecovery(): void {}

  /** Where the top-level loop stopped after too many errors (Infinity: it did not). */
  private stoppedAt = Infinity;

  /** Tokens that cannot start a statement, skipped at the top level (see `strays`). */
  readonly strays: IToken[] = [];

  /** program := (statement | ';')*, skipping stray closers, commas, '=' and '->'. */
  program = this.RULE('program', () => {
    this.MANY(this.topLevelWhileFewErrors);
  });

  /** The top-level loop stops after `maxSyntaxErrors` errors: the work per file is capped. */
  private readonly topLevelWhileFewErrors: DSLMethodOpts<unknown> = {
    GATE: () => {
      if (this.errors.length < maxSyntaxErrors) return true;
      const next = this.LA(1);
      if (next.tokenType !== EOF) this.stoppedAt = Math.min(this.stoppedAt, next.startOffset);
      return false;
    },
    DEF: () => this.topLevelStatementOrSemicolon(),
  };

  private skipStray(type: TokenType): void {
    const token = this.CONSUME(type);
    this.ACTION(() => this.strays.push(token));
  }
  private readonly topLevelAlternatives: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        const statement = this.SUBRULE(this.statement);
        this.ACTION(() => this.onStatement?.(statement));
      },
    },
    { ALT: () => this.CONSUME(t.Semicolon) },
    ...[t.RParen, t.RBracket, t.RBrace, t.Comma, t.Equals, t.Arrow].map((type) => ({
      ALT: () => this.skipStray(type),
    })),
  ];
  private readonly topLevelStatementOrSemicolon = () => this.OR(this.topLevelAlternatives);

  /** statement := modelBlock | tupleAssignment | assignment | expression */
  statement = this.RULE('statement', () => {
    this.OR(this.statementChoice);
  });

  private readonly statementAlternatives: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.modelBlock) },
    {
      // `(a, b) = …` reads like a tuple expression up to its ')': only the '=' after it tells.
      GATE: () => this.tupleTargetsAhead(),
      ALT: () => this.SUBRULE(this.tupleAssignment),
      IGNORE_AMBIGUITIES: true,
    },
    { ALT: () => this.SUBRULE(this.assignment) },
    { ALT: () => this.SUBRULE(this.expression) },
  ];

  /**
   * Two tokens tell the alternatives apart (`x =`, `x,`, `x ->`); the tuple assignment's gate
   * looks further itself. Chevrotain would otherwise deepen every alternative's lookahead to
   * the tuple's, and an assignment with a bad value (`x = ;`) would stop being one.
   */
  private readonly statementChoice: OrMethodOpts<unknown> = {
    DEF: this.statementAlternatives,
    MAX_LOOKAHEAD: 2,
  };

  private readonly statementOrSemicolonAlternatives: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.statement) },
    { ALT: () => this.CONSUME(t.Semicolon) },
  ];
  private readonly statementOrSemicolon = () => this.OR(this.statementOrSemicolonAlternatives);

  /** modelBlock := 'model' Identifier '{' (statement | ';')* '}' */
  modelBlock = this.RULE('modelBlock', () => {
    this.CONSUME(t.Model);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LBrace);
    this.MANY(this.statementOrSemicolon);
    this.CONSUME(t.RBrace);
  });

  /** assignment := Identifier '=' expression */
  assignment = this.RULE('assignment', () => {
    this.CONSUME(t.Identifier);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression);
  });

  /**
   * tupleAssignment := targets '=' expression | '(' targets ')' '=' expression, Python's
   * unpacking of a layer's several outputs (`out, h, c = x -> LSTM(8, return_state=True)`).
   */
  tupleAssignment = this.RULE('tupleAssignment', () => {
    this.OR(this.targetsAlternatives);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression);
  });

  private readonly targetsAlternatives: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(t.LParen);
        this.SUBRULE(this.targets);
        this.CONSUME(t.RParen);
      },
    },
    { ALT: () => this.SUBRULE2(this.targets) },
  ];

  /** targets := Identifier (',' Identifier)* ','? */
  targets = this.RULE('targets', () => {
    this.CONSUME(t.Identifier);
    this.MANY(this.moreTargets);
    this.OPTION(this.trailingComma);
  });

  private readonly moreTargets: DSLMethodOpts<unknown> = {
    GATE: () => this.LA(2).tokenType === t.Identifier,
    DEF: () => {
      this.CONSUME(t.Comma);
      this.CONSUME2(t.Identifier);
    },
  };

  /**
   * Whether the tokens ahead are tuple targets and '=': names separated by commas (at least
   * one comma), inside parentheses or not. Scans a bounded run of tokens, no backtracking.
   */
  private tupleTargetsAhead(): boolean {
    let i = 1;
    const open = this.LA(i).tokenType === t.LParen;
    if (open) i++;
    let commas = 0;
    for (;;) {
      if (this.LA(i).tokenType !== t.Identifier) return false;
      i++;
      if (this.LA(i).tokenType !== t.Comma) break;
      commas++;
      i++;
      if (this.LA(i).tokenType !== t.Identifier) break; // a trailing comma
    }
    if (open && this.LA(i++).tokenType !== t.RParen) return false;
    return commas > 0 && this.LA(i).tokenType === t.Equals;
  }

  /** expression := term ('->' term)* */
  expression = this.RULE('expression', () => {
    this.SUBRULE(this.term);
    this.MANY(this.arrowTerm);
  });

  private readonly arrowTerm = () => {
    this.CONSUME(t.Arrow);
    this.SUBRULE2(this.term);
  };

  /** term := call | Identifier | number | String | tuple | list */
  term = this.RULE('term', () => {
    this.OR(this.termAlternatives);
  });

  private readonly termAlternatives: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.call) },
    { ALT: () => this.CONSUME(t.Identifier) },
    { ALT: () => this.SUBRULE(this.number) },
    { ALT: () => this.CONSUME(t.StringLiteral) },
    { ALT: () => this.CONSUME(t.UnterminatedString) },
    { ALT: () => this.SUBRULE(this.tuple) },
    { ALT: () => this.SUBRULE(this.list) },
  ];

  /** call := Identifier '(' (argument (',' argument)* ','?)? ')' */
  call = this.RULE('call', () => {
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LParen);
    this.OPTION(this.arguments);
    this.CONSUME(t.RParen);
  });

  private readonly arguments = () => {
    this.SUBRULE(this.argument);
    this.MANY(this.moreArguments);
    this.OPTION2(this.trailingComma);
  };

  /** `, argument` while the comma is not the trailing one before ')'. */
  private readonly moreArguments: DSLMethodOpts<unknown> = {
    GATE: () => this.LA(2).tokenType !== t.RParen,
    DEF: () => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.argument);
    },
  };

  private readonly trailingComma = () => this.CONSUME2(t.Comma);

  /** argument := (Identifier '=')? expression */
  argument = this.RULE('argument', () => {
    this.OPTION(this.argumentName);
    this.SUBRULE(this.expression);
  });

  private readonly nameLabel = { LABEL: 'name' };
  private readonly argumentName = () => {
    this.CONSUME(t.Identifier, this.nameLabel);
    this.CONSUME(t.Equals);
  };

  /** number := ('-' | '+')? Number */
  number = this.RULE('number', () => {
    this.OPTION(this.sign);
    this.CONSUME(t.NumberLiteral);
  });

  private readonly signAlternatives: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(t.Minus) },
    { ALT: () => this.CONSUME(t.Plus) },
  ];
  private readonly sign = () => this.OR(this.signAlternatives);

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
    this.OPTION(this.expressions);
  });

  private readonly expressions = () => {
    this.SUBRULE(this.expression);
    this.MANY(this.moreElements);
    this.OPTION2(this.trailingComma);
  };

  /** `, expression` while the comma is not the trailing one before ')' or ']'. */
  private readonly moreElements: DSLMethodOpts<unknown> = {
    GATE: () => this.LA(2).tokenType !== t.RParen && this.LA(2).tokenType !== t.RBracket,
    DEF: () => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.expression);
    },
  };
}

/** One parser instance serves every parse (Chevrotain's recommended use). */
export const parser = new NnParser();
