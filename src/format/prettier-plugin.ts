/**
 * The Prettier plugin: `prettier --plugin nnlang/prettier` formats `.nn` files with nnlang's
 * printer (the one `nn fmt` uses). Prettier is not imported: a plugin is plain data, a parser
 * whose "AST" is the formatted text and a printer that returns it. Prettier's `printWidth`
 * applies (`nn fmt` uses 100, the width of this repository's Prettier config).
 */
import { formatSource } from './index.js';

/** What the parser hands the printer: the file, formatted. */
export interface NnRoot {
  kind: 'nn-root';
  formatted: string;
  start: number;
  end: number;
}

/** A syntax error the way Prettier reports it (with a code frame at `loc`). */
class NnSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly loc: {
      start: { line: number; column: number };
      end: { line: number; column: number };
    },
  ) {
    super(message);
  }
}

export const languages = [
  {
    name: 'nnlang',
    parsers: ['nn'],
    extensions: ['.nn'],
    vscodeLanguageIds: ['nn'],
  },
];

export const parsers = {
  nn: {
    astFormat: 'nn',
    parse(text: string, options?: { printWidth?: number }): NnRoot {
      const result = formatSource(text, { printWidth: options?.printWidth ?? 100 });
      if ('error' in result) {
        const first = result.error[0]!;
        const more = result.error.length - 1;
        throw new NnSyntaxError(
          `${first.code}: ${first.message}${more > 0 ? ` (and ${more} more error${more === 1 ? '' : 's'})` : ''}`,
          {
            start: { line: first.range.start.line, column: first.range.start.column },
            end: { line: first.range.end.line, column: first.range.end.column },
          },
        );
      }
      return { kind: 'nn-root', formatted: result.text, start: 0, end: text.length };
    },
    locStart: (node: NnRoot): number => node.start,
    locEnd: (node: NnRoot): number => node.end,
  },
};

export const printers = {
  nn: {
    print(path: { node: NnRoot }): string {
      return path.node.formatted;
    },
  },
};

export default { languages, parsers, printers };
