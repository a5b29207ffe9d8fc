/**
 * Whole-document requests: diagnostics (ranges, docs links, tags), inlay hints, document
 * symbols, folding ranges, semantic tokens; the position convention; the cache.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  encodeSemanticTokens,
  LanguageService,
  PositionIndex,
  semanticTokenLegend,
} from '../../src/service/index.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../samples/${name}`, import.meta.url), 'utf8');

const service = new LanguageService({
  onError: (e) => {
    throw e;
  },
});

describe('positions', () => {
  it('are 0-based lines and UTF-16 characters, for \\n, \\r\\n and \\r', () => {
    const text = 'a\r\nbé😀c\rd\n';
    const index = new PositionIndex(text);
    expect(index.lineCount).toBe(4);
    expect(index.position(text.indexOf('c'))).toEqual({ line: 1, character: 4 });
    expect(index.position(text.indexOf('d'))).toEqual({ line: 2, character: 0 });
    for (let o = 0; o <= text.length; o++)
      if (text[o - 1] !== '\r' || text[o] !== '\n') expect(index.offset(index.position(o))).toBe(o);
  });

  it('clamp what lies outside the text', () => {
    const index = new PositionIndex('ab\ncd');
    expect(index.offset({ line: -3, character: 9 })).toBe(0);
    expect(index.offset({ line: 0, character: 99 })).toBe(2);
    expect(index.offset({ line: 9, character: 0 })).toBe(5);
    expect(index.offset({ line: NaN, character: Infinity })).toBe(0);
  });
});

describe('diagnostics', () => {
  it("are the checker's, with ranges, docs links, related information and tags", () => {
    const text =
      'model m {\n  Input(4) -> Dense(3, softmax)\n  compile(Adam(lr=0.1), categorical_crossentropy)\n  compile(adam, mse)\n}\n';
    const ds = service.diagnostics(text);
    const lr = ds.find((d) => d.code === 'NN2009')!;
    expect(lr.range).toEqual({
      start: { line: 2, character: 15 },
      end: { line: 2, character: 17 },
    });
    expect(lr.tags).toEqual(['deprecated']);
    expect(lr.docsUrl).toMatch(/README\.md#diagnostic-codes$/);
    const twice = ds.find((d) => d.code === 'NN4003')!;
    expect(twice.related[0]?.range.start.line).toBe(2);
    expect(twice.tags).toEqual([]);
  });

  it('mark an ignored argument unnecessary', () => {
    const ds = service.diagnostics('Input(4) -> Dense(8, relu) -> Dense(3, input_dim=8)\n');
    expect(ds.find((d) => d.code === 'NN3006')?.tags).toEqual(['unnecessary']);
  });
});

describe('inlay hints', () => {
  it("give each layer's output shape and parameter count after it", () => {
    const text = sample('iris.nn');
    const hints = service.inlayHints(text);
    expect(hints.map((h) => h.label)).toEqual([
      '→ (None, 8) · 40 params',
      '→ (None, 8) · 72 params',
      '→ (None, 3) · 27 params',
    ]);
    const index = new PositionIndex(text);
    for (const h of hints) expect(text[index.offset(h.position) - 1]).toBe(')');
  });

  it('are none without an input shape', () => {
    expect(service.inlayHints('Dense(8) -> Dense(3)\n')).toEqual([]);
  });
});

describe('document symbols and folding', () => {
  it('list models with their layers, compile and fit, and the constants', () => {
    const symbols = service.documentSymbols('width = 8\n' + sample('xor.nn'));
    expect(symbols.map((s) => `${s.kind}:${s.name}`)).toEqual([
      'constant:width',
      'model:xor_step',
      'model:xor',
    ]);
    expect(symbols[2]!.children.map((c) => `${c.kind}:${c.name}`)).toEqual([
      'layer:dense',
      'layer:dense_1',
      'method:compile',
      'method:fit',
    ]);
    expect(symbols[2]!.children[0]!.detail).toBe('Dense → (None, 32)');
  });

  it('fold model blocks, long statements and comment runs', () => {
    const text = sample('iris.nn');
    const folds = service.foldingRanges(text);
    expect(folds).toContainEqual({ startLine: 0, endLine: 1, kind: 'comment' });
    expect(folds).toContainEqual({ startLine: 2, endLine: 17 }); // model iris { … }
    expect(folds).toContainEqual({ startLine: 3, endLine: 6 }); // the chain
    expect(folds).toContainEqual({ startLine: 8, endLine: 16 }); // fit(…) over several lines
  });
});

describe('semantic tokens', () => {
  it('classify every token with the small legend', () => {
    const text =
      "n = 8  # width\nmodel m {\n  Input(4) -> Dense(n, activation='relu') -> Dense(3, softmax)\n  compile(adam, mse)\n}\n";
    const tokens = service.semanticTokens(text);
    const index = new PositionIndex(text);
    const seen = tokens.map((t) => {
      const start = index.offset(t);
      return `${text.slice(start, start + t.length)}:${t.type}${t.declaration ? '*' : ''}`;
    });
    expect(seen).toEqual([
      'n:variable*',
      '8:number',
      '# width:comment',
      'model:keyword',
      'm:variable*',
      'Input:class',
      '4:number',
      'Dense:class',
      'n:variable',
      'activation:parameter',
      "'relu':string",
      'Dense:class',
      '3:number',
      'softmax:function',
      'compile:function',
      'adam:function',
      'mse:function',
    ]);
    const data = encodeSemanticTokens(tokens);
    expect(data).toHaveLength(tokens.length * 5);
    expect(data.slice(0, 10)).toEqual([
      0,
      0,
      1,
      semanticTokenLegend.indexOf('variable'),
      1,
      0,
      4,
      1,
      semanticTokenLegend.indexOf('number'),
      0,
    ]);
  });
});

describe('the cache', () => {
  it('checks a text once for any number of requests', () => {
    const s = new LanguageService();
    const text = sample('reuters.nn');
    s.diagnostics(text);
    s.hover(text, { line: 3, character: 5 });
    s.completions(text, { line: 4, character: 0 });
    s.inlayHints(text);
    s.semanticTokens(text);
    expect(s.checks).toBe(1);
    s.diagnostics(text + '\n');
    s.diagnostics(text); // still cached
    expect(s.checks).toBe(2);
  });

  it('keeps a bounded number of texts', () => {
    const s = new LanguageService({ cacheSize: 2 });
    for (const t of ['Dense(1)', 'Dense(2)', 'Dense(3)', 'Dense(1)']) s.diagnostics(t);
    expect(s.checks).toBe(4);
  });
});
