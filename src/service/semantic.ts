/**
 * Semantic tokens: every token classified with a small legend. Tokens come as plain
 * (line, character, length, type) records; `encodeSemanticTokens` gives LSP's (and Monaco's)
 * relative integer encoding.
 */
import type { Analysis, Token } from './analysis.js';
import { lookupEntry } from './catalog-info.js';

export const semanticTokenLegend = [
  'keyword',
  'class',
  'function',
  'parameter',
  'variable',
  'number',
  'string',
  'comment',
] as const;

export type SemanticTokenType = (typeof semanticTokenLegend)[number];

export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: SemanticTokenType;
  /** A definition (a constant's or model's name where it is defined). */
  declaration: boolean;
}

const literals = new Set(['True', 'False', 'None', 'true', 'false', 'none']);

/** Every token of the document, classified, in order. */
export function semanticTokens(a: Analysis): SemanticToken[] {
  const definitions = new Set<number>();
  const uses = new Set<number>();
  for (const o of a.symbols.occurrences) (o.isDefinition ? definitions : uses).add(o.start);
  const out: SemanticToken[] = [];
  a.all.forEach((t, i) => {
    const type = classify(a, t, i, definitions, uses);
    if (!type) return;
    const start = a.index.position(t.start);
    // A token never spans lines (strings and comments end at the line break).
    out.push({
      line: start.line,
      character: start.character,
      length: t.end - t.start,
      type,
      declaration: definitions.has(t.start),
    });
  });
  return out;
}

function classify(
  a: Analysis,
  t: Token,
  i: number,
  definitions: Set<number>,
  uses: Set<number>,
): SemanticTokenType | undefined {
  switch (t.type) {
    case 'Model':
      return 'keyword';
    case 'NumberLiteral':
      return 'number';
    case 'StringLiteral':
    case 'UnterminatedString':
      return 'string';
    case 'Comment':
      return 'comment';
    case 'Identifier': {
      if (definitions.has(t.start) || uses.has(t.start)) return 'variable';
      if (literals.has(t.image)) return 'keyword';
      const next = nextCode(a, i);
      if (next?.type === 'Equals') return 'parameter';
      const bound = a.callAt(t.start);
      if (bound) return bound.kind === 'layer' ? 'class' : 'function';
      if (next?.type === 'LParen')
        return lookupEntry(t.image)?.kind === 'layer' ? 'class' : 'function';
      return lookupEntry(t.image) ? 'function' : 'variable';
    }
    default:
      return undefined;
  }
}

/** The code token after `a.all[i]`. */
function nextCode(a: Analysis, i: number): Token | undefined {
  for (let j = i + 1; j < a.all.length; j++) {
    const t = a.all[j]!;
    if (t.type !== 'Comment' && t.type !== 'KerasPrefix') return t;
  }
  return undefined;
}

/** LSP's encoding: per token, [Δline, Δcharacter, length, type index, modifiers (1 = declaration)]. */
export function encodeSemanticTokens(tokens: readonly SemanticToken[]): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const t of tokens) {
    const dl = t.line - line;
    data.push(
      dl,
      dl === 0 ? t.character - character : t.character,
      t.length,
      semanticTokenLegend.indexOf(t.type),
      t.declaration ? 1 : 0,
    );
    line = t.line;
    character = t.character;
  }
  return data;
}
