/**
 * One `nn lsp` process takes NN_LSP_EDITS random edits (10,000 by default) — insertions,
 * deletions, half-typed calls, pasted garbage, whole-document replacements — with requests at
 * random positions in between. It must never crash or stop answering, every reply must be
 * well-formed, and the diagnostics it publishes last are those of the final text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LanguageService } from '../../src/service/index.js';
import { Client } from './client.js';

const edits = Number(process.env['NN_LSP_EDITS'] ?? 10_000);
const seed = Number(process.env['NN_FUZZ_SEED'] ?? 20261203);
const root = new URL('../../', import.meta.url).pathname;

const samples = readdirSync(join(root, 'samples'))
  .filter((f) => f.endsWith('.nn'))
  .map((f) => readFileSync(join(root, 'samples', f), 'utf8'));

const snippets = [
  'Dense(',
  'Dense(8, ',
  'activation=',
  "'rel",
  ' -> ',
  'compile(',
  'fit(data=',
  ')',
  '((',
  '[',
  "'",
  '"',
  '#',
  '\n',
  '  ',
  'model x {',
  '}',
  'Adam(lr=',
  '1e',
  '-',
  '=',
  ',',
  '\u0000',
  '\u2028',
  '𝔘',
  'keras.layers.',
  'Input(shape=(',
  'None',
  'True',
  '10_000',
  'units = ',
  '\t',
];

/** A small deterministic generator. */
function lcg(s: number): () => number {
  let state = s >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Pos {
  line: number;
  character: number;
}

function positionOf(text: string, offset: number): Pos {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
}

describe('nn lsp under random edits', () => {
  it(`${edits} edits to one process (seed ${seed}): it never crashes, every reply is well-formed`, async () => {
    const random = lcg(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const client = new Client();
    await client.initialize();
    const uri = 'file:///fuzz/model.nn';
    let text = samples[0]!;
    await client.open(uri, text);
    let version = 1;
    const replies: Promise<void>[] = [];
    for (let i = 0; i < edits; i++) {
      const r = random();
      version++;
      if (r < 0.02) {
        text = pick(samples);
        await client.change(uri, version, [{ text }]);
      } else {
        const a = Math.floor(random() * (text.length + 1));
        const b = Math.min(text.length, a + (r < 0.5 ? Math.floor(random() * 8) : 0));
        const insert =
          r < 0.5
            ? ''
            : r < 0.9
              ? pick(snippets)
              : String.fromCharCode(
                  ...Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
                    Math.floor(random() * 0x3000),
                  ),
                );
        const range = { start: positionOf(text, a), end: positionOf(text, b) };
        text = text.slice(0, a) + insert + text.slice(b);
        await client.change(uri, version, [{ range, text: insert }]);
      }
      if (i % 25 === 0) {
        const position = positionOf(text, Math.floor(random() * (text.length + 1)));
        const params = { textDocument: { uri }, position };
        const method = pick([
          'textDocument/hover',
          'textDocument/completion',
          'textDocument/signatureHelp',
          'textDocument/definition',
          'textDocument/documentSymbol',
          'textDocument/semanticTokens/full',
          'textDocument/foldingRange',
        ]);
        replies.push(
          client.request<unknown>(method, params).then((reply) => {
            // Well-formed: null, an array, or an object, as LSP defines each reply.
            expect(reply === null || typeof reply === 'object').toBe(true);
          }),
        );
      }
    }
    await Promise.all(replies);
    // The last published diagnostics are the final text's, as the service computes them.
    const last = await client.diagnostics(uri, version);
    const expected = new LanguageService().diagnostics(text).map((d) => d.code);
    // The same diagnostics; an answer from one model's check may list them in another order.
    expect(last.diagnostics.map((d) => d.code).sort()).toEqual(expected.sort());
    expect(client.process.exitCode).toBeNull();
    expect(await client.shutdown()).toBe(0);
    expect(client.stderr.join('')).not.toMatch(/failed|internal error/);
  }, 240_000);
});
