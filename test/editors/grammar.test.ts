/**
 * The TextMate grammar (`grammar/nn.tmLanguage.json`, what VS Code colours `.nn` with) against
 * the lexer: every token of every sample and of the README's tour gets the scope class its
 * lexer token type says it should. Oniguruma's wasm is loaded from node_modules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { beforeAll, describe, expect, it } from 'vitest';
import { withCatalogNames } from '../../grammar/textmate.js';
import { catalog, catalogKinds } from '../../src/catalog/index.js';
import { lexer } from '../../src/syntax/tokens.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const grammarPath = join(root, 'grammar', 'nn.tmLanguage.json');
const grammarJson = readFileSync(grammarPath, 'utf8');

let grammar: textmate.IGrammar;

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(join(require.resolve('vscode-oniguruma'), '..', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.length));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.nn' ? textmate.parseRawGrammar(grammarJson, grammarPath) : null,
  });
  const loaded = await registry.loadGrammar('source.nn');
  if (!loaded) throw new Error('grammar/nn.tmLanguage.json did not load');
  grammar = loaded;
});

interface Lexed {
  type: string;
  start: number;
  end: number;
  image: string;
}

/** The lexer's tokens, comments and Keras prefixes included, in source order. */
function lex(text: string): Lexed[] {
  const r = lexer.tokenize(text);
  const all = [...r.tokens, ...(r.groups.comments ?? []), ...(r.groups.prefixes ?? [])];
  return all
    .map((t) => ({
      type: t.tokenType.name,
      start: t.startOffset,
      end: t.startOffset + t.image.length,
      image: t.image,
    }))
    .sort((a, b) => a.start - b.start);
}

const literals = new Set(['True', 'False', 'None', 'true', 'false', 'none']);
const catalogKind = (name: string) => catalogKinds.find((k) => catalog.lookup(k, name));

/** Scope prefixes for punctuation and operators, by lexer token type. */
const fixedScopes: Record<string, string> = {
  Comment: 'comment',
  StringLiteral: 'string',
  UnterminatedString: 'string',
  NumberLiteral: 'constant.numeric',
  Model: 'keyword',
  KerasPrefix: 'entity.name.namespace',
  Arrow: 'keyword.operator',
  Equals: 'keyword.operator.assignment',
  Minus: 'keyword.operator.arithmetic',
  Plus: 'keyword.operator.arithmetic',
  Comma: 'punctuation.separator',
  Semicolon: 'punctuation.terminator',
  LParen: 'punctuation.parenthesis',
  RParen: 'punctuation.parenthesis',
  LBracket: 'punctuation.section.brackets',
  RBracket: 'punctuation.section.brackets',
  LBrace: 'punctuation.section.block',
  RBrace: 'punctuation.section.block',
};

/**
 * The scope class a token must get. A TextMate grammar sees one line at a time, so what
 * follows or precedes a name counts only on the same line.
 */
function expectedScope(text: string, tokens: Lexed[], i: number): string {
  const t = tokens[i]!;
  const fixed = fixedScopes[t.type];
  if (fixed) return fixed;
  if (t.type !== 'Identifier') throw new Error(`no expected scope for ${t.type}`);
  if (literals.has(t.image)) return 'constant.language';
  const sameLine = (from: number, to: number) => !/[\r\n]/.test(text.slice(from, to));
  const prev = tokens
    .slice(0, i)
    .reverse()
    .find((p) => p.type !== 'Comment');
  if (prev?.type === 'Model' && sameLine(prev.end, t.start)) return 'entity.name.type';
  const next = tokens[i + 1];
  const kind = catalogKind(t.image);
  if (next && sameLine(t.end, next.start)) {
    if (next.type === 'LParen') {
      if (kind === 'layer') return 'support.class';
      return kind ? 'support.function' : 'entity.name.function';
    }
    if (next.type === 'Equals') return 'variable';
  }
  return kind ? 'support.constant' : 'variable.other';
}

const hasScope = (scopes: readonly string[], prefix: string) =>
  scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));

/** The scopes of every character of `text`, by offset. */
function scopesByOffset(text: string): string[][] {
  const out: string[][] = [];
  let state = textmate.INITIAL;
  for (const line of text.split(/(?<=\n)/)) {
    const r = grammar.tokenizeLine(line.replace(/\r?\n$/, ''), state);
    const base = out.length;
    for (const tok of r.tokens)
      for (let c = tok.startIndex; c < tok.endIndex; c++) out[base + c] = tok.scopes;
    for (let c = out.length; c < base + line.length; c++) out[c] = ['source.nn'];
    out.length = base + line.length;
    state = r.ruleStack;
  }
  return out;
}

/** Every token whose characters do not all carry the expected scope class. */
function mismatches(text: string): string[] {
  const tokens = lex(text);
  const scopes = scopesByOffset(text);
  const bad: string[] = [];
  tokens.forEach((t, i) => {
    const want = expectedScope(text, tokens, i);
    for (let c = t.start; c < t.end; c++) {
      if (!hasScope(scopes[c] ?? [], want)) {
        bad.push(
          `${t.type} ${JSON.stringify(t.image)} at ${t.start}: want ${want}, got ${scopes[c]}`,
        );
        break;
      }
    }
  });
  return bad;
}

const samples = readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.nn'));

function readmeTour(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## A tour of the language'));
  const block = /```python\n([\s\S]*?)```/.exec(tour);
  if (!block?.[1]) throw new Error("README's tour has no python code block");
  return block[1];
}

describe('TextMate grammar vs the lexer', () => {
  it('is up to date with the catalog (npm run grammar)', () => {
    const parsed = JSON.parse(grammarJson);
    expect(withCatalogNames(parsed)).toEqual(parsed);
  });

  it.each(samples)('classifies every token of samples/%s', (file) => {
    const text = readFileSync(join(root, 'samples', file), 'utf8');
    expect(lex(text).length).toBeGreaterThan(10);
    expect(mismatches(text)).toEqual([]);
  });

  it("classifies every token of the README's tour", () => {
    expect(mismatches(readmeTour())).toEqual([]);
  });

  it('classifies the corners: prefixes, unterminated strings, signs, odd names', () => {
    const text = [
      "x = keras.layers.Dense(4, activation='relu') -> tf.keras.layers.Dropout(0.5)",
      'layers.Dense(2) ; optimizers.Adam(lr=1e-3) -> Foo(bar, +1, -2.5e+3, 10_000, .5)',
      'model m { Input(shape=(28, 28)) -> Flatten() }',
      'models = [model, models, modelé, ADAM, adam, Adam, relu6, None, none, True]',
      'x2 = "a \\"quoted\\" string" # trailing',
      "y = 'unterminated",
      'z = ok(1) -> Dense(1)',
    ].join('\n');
    expect(mismatches(text)).toEqual([]);
  });

  it('classifies every catalog name, bare and called', () => {
    const names = catalogKinds.flatMap((k) => catalog.spellings(k));
    const text = names.map((n) => `${n}\n${n}(1)\nf(${n}=1)`).join('\n');
    expect(mismatches(text)).toEqual([]);
  });
});
