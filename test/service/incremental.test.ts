/**
 * Checking only the edited model gives what checking the whole file gives: random edits —
 * inside one model's body most of the time, anywhere otherwise — applied one after another,
 * each answered from the previous answer, against a whole check of the same text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LanguageService, modelBlocks, type Checked } from '../../src/service/index.js';

const runs = Number(process.env['NN_FUZZ_RUNS'] ?? 1500);
const root = new URL('../../', import.meta.url).pathname;

const file = [
  'width = 8  # a constant every model reads',
  'Input(3) -> Dense(width, relu) -> Dense(2)',
  "model a {\n  Input(4) -> Dense(width, relu) -> Dense(3, softmax)\n  compile(adam, 'categorical_crossentropy')\n}",
  "model b { Input(2) -> Dense(1, sigmoid); compile(sgd, 'binary_crossentropy') }",
  '# a brace in a comment: {',
  "model a {\n  Input(4) -> Dense(4) -> Dense(4)  # 'a' again: defined twice\n}",
  "model c {\n  s = '}'\n  Input(5) -> Dense(width) -> Dropout(0.5)\n}",
  'model g {\n  x = Input(shape=(4,))\n  h = x -> Dense(width, relu)\n  x = x -> Dense(width)\n  (h, x) -> Add() -> Dense(3, softmax)\n  z = Add()(h, x)\n}',
  '',
].join('\n');

const snippets = [
  'Dense(',
  'Dense(4, relu)',
  ' -> Dense(2)',
  'activation=',
  "'rel",
  ')',
  '(',
  'x = 3\n',
  'width',
  'compile(adam, mse)',
  '\n',
  ' ',
  'Dens',
  '#',
  "'",
  '1e',
  'Input(2) -> ',
  ', ',
  'units=0',
  'h = ',
  'x -> ',
  '(h, x) -> Add()',
  'Add()(h, x)',
  'x = x -> Dense(2)\n',
];

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sorted = (list: unknown[]) => list.map((d) => JSON.stringify(d)).sort();

describe('diagnostics after an edit inside one model', () => {
  it('finds the model blocks, skipping strings and comments', () => {
    const blocks = modelBlocks(file)!;
    expect(blocks.map((b) => file.slice(b.start, b.start + 7))).toEqual([
      'model a',
      'model b',
      'model a',
      'model c',
      'model g',
    ]);
    expect(blocks.every((b) => file[b.bodyStart - 1] === '{' && file[b.bodyEnd] === '}')).toBe(
      true,
    );
    expect(modelBlocks('model a {\n  Input(2)\n')).toBeNull();
  });

  it(`${runs} edits in a row equal whole checks`, () => {
    const random = lcg(20261203);
    const service = new LanguageService({ cacheSize: 2 });
    const texts = [
      file,
      ...readdirSync(join(root, 'samples'))
        .filter((f) => f.endsWith('.nn'))
        .map((f) => readFileSync(join(root, 'samples', f), 'utf8')),
    ];
    let text = texts[0]!;
    let previous: Checked = { text, diagnostics: service.diagnostics(text) };
    let fast = 0;
    for (let i = 0; i < runs; i++) {
      if (random() < 0.01) text = texts[Math.floor(random() * texts.length)]!;
      const blocks = modelBlocks(text) ?? [];
      const block = blocks[Math.floor(random() * blocks.length)];
      const inBody = block && random() < 0.85;
      const lo = inBody ? block.bodyStart : 0;
      const hi = inBody ? block.bodyEnd : text.length;
      const a = lo + Math.floor(random() * (hi - lo + 1));
      const b = Math.min(hi, a + (random() < 0.5 ? Math.floor(random() * 6) : 0));
      const insert = random() < 0.4 ? '' : snippets[Math.floor(random() * snippets.length)]!;
      text = text.slice(0, a) + insert + text.slice(b);
      const whole = new LanguageService().diagnostics(text);
      const checks = service.checks;
      const answer = service.diagnosticsAfterEdit(previous, text);
      if (service.checks === checks) fast++;
      expect(sorted(answer), `edit ${i}:\n${text}`).toEqual(sorted(whole));
      previous = { text, diagnostics: answer };
    }
    // Edits inside a body that parses take the fast path; garbage piling up elsewhere does not.
    expect(fast / runs).toBeGreaterThan(0.15);
  }, 120_000);

  it('answers completion, hover and signature help inside a model from that model alone, as from the whole file', () => {
    const texts = [
      file,
      ...readdirSync(join(root, 'samples'))
        .filter((f) => f.endsWith('.nn'))
        .map((f) => readFileSync(join(root, 'samples', f), 'utf8')),
    ];
    let compared = 0;
    for (const text of texts) {
      const lines = text.split('\n');
      for (let line = 0; line < lines.length; line++) {
        for (let character = 0; character <= lines[line]!.length; character += 3) {
          const position = { line, character };
          const local = new LanguageService({ cacheSize: 1 });
          const whole = new LanguageService();
          whole.analyze(text); // the whole text checked: requests read it
          const at = `${line}:${character}`;
          expect(local.completions(text, position), at).toEqual(whole.completions(text, position));
          expect(local.hover(text, position), at).toEqual(whole.hover(text, position));
          expect(local.signatureHelp(text, position), at).toEqual(
            whole.signatureHelp(text, position),
          );
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  }, 120_000);
});
