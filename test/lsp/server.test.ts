/**
 * `nn lsp --stdio` as an editor sees it: the real process, spoken to over JSON-RPC. A document
 * with mistakes gets the checker's diagnostics; an incremental edit changes them; hover,
 * completion, signature help, definition, rename, symbols, inlay hints, semantic tokens and
 * quick fixes answer at marked places; nnlang/diagram draws a model; a request about a replaced version answers without
 * error; and the server shuts down cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSource } from '../../src/format/index.js';
import { applyEdits } from '../../src/service/index.js';
import { Client } from './client.js';

const uri = 'file:///work/model.nn';
const source = [
  'units = 8',
  'model m {',
  '  Input(4) -> Dense(units, activation=relu) -> Dens(3, softmax)',
  "  compile(Adam(lr=0.01), 'categorical_crossentropy')",
  '}',
  '',
].join('\n');

/** The position of the first occurrence of `marker` in `text` (plus `shift` characters). */
function at(text: string, marker: string, shift = 0): { line: number; character: number } {
  const offset = text.indexOf(marker) + shift;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
}

describe('nn lsp --stdio', () => {
  const client = new Client();
  let capabilities: Record<string, unknown>;

  beforeAll(async () => {
    capabilities = (await client.initialize()).capabilities;
    await client.open(uri, source);
  }, 60_000);

  afterAll(async () => {
    expect(await client.shutdown()).toBe(0);
    expect(client.stderr.join('')).not.toMatch(/failed|internal error/);
  });

  it('announces its features', () => {
    expect(capabilities).toMatchObject({
      textDocumentSync: 2,
      hoverProvider: true,
      definitionProvider: true,
      renameProvider: { prepareProvider: true },
      inlayHintProvider: true,
    });
  });

  it('publishes the checker’s diagnostics with codes, links and tags, then new ones after an edit', async () => {
    const first = await client.diagnostics(uri, 1);
    const codes = first.diagnostics.map((d) => d.code);
    expect(codes).toContain('NN2001'); // Dens: unknown layer
    expect(codes).toContain('NN2009'); // lr: legacy spelling
    const unknown = first.diagnostics.find((d) => d.code === 'NN2001')!;
    expect(unknown.range).toEqual({ start: at(source, 'Dens('), end: at(source, 'Dens(', 4) });
    expect(unknown.message).toMatch(/Dense/);
    expect(unknown.codeDescription?.href).toMatch(/#diagnostic-codes$/);
    expect(first.diagnostics.find((d) => d.code === 'NN2009')!.tags).toEqual([2]);
    // Fix the typo with an incremental change: the diagnostic goes.
    const start = at(source, 'Dens(');
    await client.change(uri, 2, [
      { range: { start, end: { ...start, character: start.character + 4 } }, text: 'Dense' },
    ]);
    const second = await client.diagnostics(uri, 2);
    expect(second.diagnostics.map((d) => d.code)).not.toContain('NN2001');
    expect(second.diagnostics.map((d) => d.code)).toContain('NN2009');
  });

  it('answers hover, completion and signature help at the cursor', async () => {
    const text = source.replace('Dens(', 'Dense(');
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: at(text, 'Dense(units', 2),
    });
    expect(hover.contents.value).toMatch(/Dense/);
    expect(hover.contents.value).toMatch(/\(None, 8\)/);
    const completion = await client.request<{ label: string }[]>('textDocument/completion', {
      textDocument: { uri },
      position: at(text, 'activation=relu', 'activation='.length),
    });
    expect(completion.map((c) => c.label)).toEqual(
      expect.arrayContaining(['relu', 'sigmoid', 'tanh']),
    );
    const signature = await client.request<{
      signatures: { label: string }[];
      activeParameter: number;
    }>('textDocument/signatureHelp', {
      textDocument: { uri },
      position: at(text, 'units, activation', 1),
    });
    expect(signature.signatures[0]!.label).toMatch(/^Dense\(units/);
    expect(signature.activeParameter).toBe(0);
  });

  it('goes to a constant’s definition and renames it everywhere', async () => {
    const text = source.replace('Dens(', 'Dense(');
    const use = at(text, 'Dense(units', 'Dense('.length + 1);
    const definition = await client.request<{ range: unknown }>('textDocument/definition', {
      textDocument: { uri },
      position: use,
    });
    expect(definition.range).toEqual({
      start: { line: 0, character: 0 },
      end: { line: 0, character: 5 },
    });
    const rename = await client.request<{
      changes: Record<string, { range: never; newText: string }[]>;
    }>('textDocument/rename', { textDocument: { uri }, position: use, newName: 'width' });
    const renamed = applyEdits(text, rename.changes[uri]!);
    expect(renamed).toContain('width = 8');
    expect(renamed).toContain('Dense(width,');
  });

  it('offers quick fixes whose edits remove the diagnostic', async () => {
    const text = source.replace('Dens(', 'Dense(');
    const lr = at(text, 'lr=');
    const actions = await client.request<
      { title: string; edit: { changes: Record<string, { range: never; newText: string }[]> } }[]
    >('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: lr, end: { ...lr, character: lr.character + 2 } },
      context: { diagnostics: [] },
    });
    const fix = actions.find((a) => /learning_rate/.test(a.title));
    expect(fix).toBeDefined();
    const fixed = applyEdits(text, fix!.edit.changes[uri]!);
    expect(fixed).toContain('Adam(learning_rate=0.01)');
    await client.change(uri, 3, [{ text: fixed }]);
    const after = await client.diagnostics(uri, 3);
    expect(after.diagnostics.map((d) => d.code)).not.toContain('NN2009');
  });

  it('gives symbols, folding, inlay hints with shapes and semantic tokens', async () => {
    const symbols = await client.request<{ name: string; children?: { name: string }[] }[]>(
      'textDocument/documentSymbol',
      { textDocument: { uri } },
    );
    expect(symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['units', 'm']));
    const folding = await client.request<{ startLine: number; endLine: number }[]>(
      'textDocument/foldingRange',
      { textDocument: { uri } },
    );
    expect(folding).toContainEqual(expect.objectContaining({ startLine: 1, endLine: 4 }));
    const hints = await client.request<{ label: string }[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } },
    });
    expect(hints.map((h) => h.label).join(' ')).toMatch(/\(None, 8\)/);
    const tokens = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', {
      textDocument: { uri },
    });
    expect(tokens.data.length % 5).toBe(0);
    expect(tokens.data.length).toBeGreaterThan(20);
  });

  it('formats a document and a range with nn fmt’s printer, and leaves a broken file alone', async () => {
    const messy = 'u=8\nmodel m {\n    Input(4)->Dense(u,relu)   # hidden\n  Dense(3,softmax)\n}\n';
    const doc = 'file:///work/messy.nn';
    await client.open(doc, messy);
    const whole = await client.request<{ range: never; newText: string }[]>(
      'textDocument/formatting',
      { textDocument: { uri: doc }, options: { tabSize: 2, insertSpaces: true } },
    );
    const formatted = formatSource(messy);
    expect('text' in formatted && applyEdits(messy, whole)).toBe(
      'text' in formatted && formatted.text,
    );
    const line = await client.request<{ range: never; newText: string }[]>(
      'textDocument/rangeFormatting',
      {
        textDocument: { uri: doc },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } },
        options: { tabSize: 2, insertSpaces: true },
      },
    );
    expect(applyEdits(messy, line)).toBe(messy.replace('u=8', 'u = 8'));
    await client.change(doc, 2, [{ text: 'Dense(3,\n' }]);
    const broken = await client.request('textDocument/formatting', {
      textDocument: { uri: doc },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(broken).toEqual([]);
  });

  it('draws the model at the cursor for nnlang/diagram, or says why it cannot', async () => {
    const doc = 'file:///work/two.nn';
    const text = 'model good {\n  Input(4) -> Dense(2)\n}\nmodel bad {\n  Input(4) -> Dens(2)\n}\n';
    await client.open(doc, text);
    type Answer = { svg: string | null; model: string; models: string[]; error: string | null };
    const good = await client.request<Answer>('nnlang/diagram', {
      textDocument: { uri: doc },
      position: at(text, 'Dense'),
    });
    expect(good).toMatchObject({ model: 'good', models: ['good', 'bad'], error: null });
    expect(good.svg).toMatch(/^<svg[\s\S]*dense<\/tspan> \(Dense\)[\s\S]*<\/svg>\n$/);
    const bad = await client.request<Answer>('nnlang/diagram', {
      textDocument: { uri: doc },
      model: 'bad',
    });
    expect(bad).toMatchObject({ svg: null, model: 'bad' });
    expect(bad.error).toMatch(/^NN\d{4} line 5: .*'Dens'/);
    const closed = await client.request('nnlang/diagram', {
      textDocument: { uri: 'file:///never/opened.nn' },
    });
    expect(closed).toBeNull();
  });

  it('answers a request about a version it has already replaced, without error', async () => {
    await client.change(uri, 4, [{ text: 'Input(2) -> Dense(1)\n' }]);
    // Positions of the old text, past the end of the new one.
    const hover = await client.request('textDocument/hover', {
      textDocument: { uri },
      position: { line: 3, character: 30 },
    });
    expect(hover).toBeNull();
    const completion = await client.request<unknown[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: 40 },
    });
    expect(Array.isArray(completion)).toBe(true);
    const unknown = await client.request('textDocument/hover', {
      textDocument: { uri: 'file:///never/opened.nn' },
      position: { line: 0, character: 0 },
    });
    expect(unknown).toBeNull();
  });
});
