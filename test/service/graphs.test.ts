/**
 * Graph models' results in the service: definition, references and rename (a name given again
 * is a new result with its own reads), hover, document symbols, semantic tokens and completion.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compiler.js';
import { applyEdits, LanguageService, PositionIndex } from '../../src/service/index.js';
import { cursor } from './cursor.js';

const source = `units = 8
model residual {
  x = Input(shape=(4,))
  h = x -> Dense(units, relu, kernel_initializer='he_normal')
  x = x -> Dense(units)
  (h, x) -> Add() -> Dense(3, softmax)
  compile(adam, categorical_crossentropy)
}
`;
const service = new LanguageService({
  onError: (e) => {
    throw e;
  },
});
const index = new PositionIndex(source);
/** The position of the `nth` occurrence of `needle` (0-based), plus `shift` characters. */
const pos = (needle: string, nth = 0, shift = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = source.indexOf(needle, i + 1);
  if (i < 0) throw new Error(needle);
  return index.position(i + shift);
};
type Position = { line: number; character: number };
type Ranges = {
  start: { line: number; character: number };
  end: { line: number; character: number };
}[];
const texts = (ranges: Ranges) =>
  ranges.map(
    (r) =>
      `${r.start.line}:${r.start.character}:${source.slice(index.offset(r.start), index.offset(r.end))}`,
  );

/** Renames the symbol at `at` to `to`; the text it gives checks with the same codes. */
function renamedChecksSame(text: string, at: Position, to: string): string {
  const result = service.rename(text, at, to);
  expect(result).toHaveProperty('edits');
  const renamed = applyEdits(text, (result as { edits: [] }).edits);
  const codes = (t: string) => check(t).diagnostics.map((d) => d.code);
  expect(codes(renamed)).toEqual(codes(text));
  return renamed;
}

describe('results: navigation', () => {
  it('go from a read to the definition it sees', () => {
    const definedAt = (needle: string, shift: number) => {
      const r = service.definition(source, pos(needle, 0, shift));
      return r && `${r.start.line}:${r.start.character}`;
    };
    expect(definedAt('(h, x)', 1)).toBe('3:2');
    // `x = x -> …`: the read on the right sees the first x; later reads see the second.
    expect(definedAt('x = x', 4)).toBe('2:2');
    expect(definedAt('(h, x)', 4)).toBe('4:2');
    expect(definedAt('h = x', 4)).toBe('2:2');
  });

  it("find each definition's reads up to the next definition of the name", () => {
    expect(texts(service.references(source, pos('x = Input')))).toEqual([
      '2:2:x',
      '3:6:x',
      '4:6:x',
    ]);
    expect(texts(service.references(source, pos('x = x')))).toEqual(['4:2:x', '5:6:x']);
    expect(texts(service.references(source, pos('h = x'), false))).toEqual(['5:3:h']);
  });

  it('rename one definition with its reads, and the model checks the same', () => {
    expect(service.prepareRename(source, pos('x = x', 0, 4))).toEqual({
      start: { line: 4, character: 6 },
      end: { line: 4, character: 7 },
    });
    const renamed = renamedChecksSame(source, pos('x = x'), 'skip');
    expect(renamed).toContain('  skip = x -> Dense(units)\n  (h, skip) -> Add()');
    expect(renamed).toContain('h = x -> Dense');
    expect(check(renamed).models[0]!.layers.map((l) => l.name)).toEqual(
      check(source).models[0]!.layers.map((l) => l.name),
    );
  });

  it('refuse a name a result or constant of the model already has', () => {
    expect(service.rename(source, pos('h = x'), 'x')).toHaveProperty('error');
    expect(service.rename(source, pos('h = x'), 'units')).toHaveProperty('error');
    expect(service.rename(source, pos('units'), 'h')).toHaveProperty('error');
  });

  it('keep a result apart from a file constant of the same name', () => {
    const text = 'x = 3\nmodel m {\n  x = Input(x)\n  x -> Dense(1)\n}\n';
    const at = new PositionIndex(text);
    const refs = (o: number) => service.references(text, at.position(o)).map((r) => r.start.line);
    expect(refs(text.indexOf('x = 3'))).toEqual([0, 2]); // Input(x) reads the constant
    expect(refs(text.indexOf('x = Input'))).toEqual([2, 3]);
  });

  it("read Keras's call form as the chain it means", () => {
    const text = 'x = Input(4)\nh = Dense(8)(x)\nh -> Dense(1)\n';
    const at = new PositionIndex(text);
    const refs = service.references(text, at.position(text.indexOf('x = Input')));
    expect(refs.map((r) => r.start.line)).toEqual([0, 1]);
    expect(
      service.references(text, at.position(text.indexOf('h ='))).map((r) => r.start.line),
    ).toEqual([1, 2]);
  });
});

describe('results: hover, symbols, tokens', () => {
  it('hover gives the shape and the layer that made it', () => {
    expect(service.hover(source, pos('(h, x)', 0, 1))?.contents).toContain(
      'h: (None, 8) — dense (Dense)',
    );
    expect(service.hover(source, pos('h = x', 0, 4))?.contents).toContain(
      'x: (None, 4) — input_layer (InputLayer)',
    );
    expect(service.hover(source, pos('(h, x)', 0, 4))?.contents).toContain(
      'x: (None, 8) — dense_1 (Dense)',
    );
    expect(service.hover(source, pos('h = x'))?.contents).toContain("result of model 'residual'");
  });

  it('hover says when a definition did not check', () => {
    const { text, position } = cursor('x = Input(4)\nh = y -> Dense(8)\n¦h -> Dense(1)\n');
    expect(service.hover(text, position)?.contents).toContain('h: unknown');
  });

  it('document symbols list the results in their model, with their shapes', () => {
    const model = service.documentSymbols(source).find((s) => s.name === 'residual')!;
    expect(model.children.map((c) => `${c.kind}:${c.name}:${c.detail ?? ''}`)).toEqual([
      'result:x:(None, 4)',
      'result:h:(None, 8)',
      'layer:dense:Dense → (None, 8)',
      'result:x:(None, 8)',
      'layer:dense_1:Dense → (None, 8)',
      'layer:add:Add → (None, 8)',
      'layer:dense_2:Dense → (None, 3)',
      'method:compile:',
    ]);
  });

  it("hover on a merge layer gives its doc and shape, on the model each input's shape", () => {
    const add = service.hover(source, pos('Add()', 0, 1))?.contents;
    expect(add).toContain('Adds a list of tensors');
    expect(add).toContain('**add**: output (None, 8)');
    const { text, position } = cursor(
      'model t¦wo {\n  a = Input(4)\n  b = Input(3)\n  (a, b) -> Concatenate() -> Dense(1)\n}\n',
    );
    expect(service.hover(text, position)?.contents).toContain('inputs (None, 4), (None, 3)');
  });

  it("inlay hints give each layer's shape, so each result's at the end of its chain", () => {
    expect(service.inlayHints(source).map((h) => `${h.position.line}:${h.label}`)).toEqual([
      '3:→ (None, 8) · 40 params',
      '4:→ (None, 8) · 40 params',
      '5:→ (None, 8)',
      '5:→ (None, 3) · 27 params',
    ]);
  });

  it('semantic tokens mark results as variables, their definitions declared', () => {
    const tokens = service.semanticTokens(source);
    const seen = tokens
      .filter((t) => t.line >= 2 && t.line <= 5 && t.type === 'variable')
      .map(
        (t) =>
          `${t.line}:${source.slice(index.offset(t), index.offset(t) + t.length)}${t.declaration ? '*' : ''}`,
      );
    expect(seen).toEqual([
      '2:x*',
      '3:h*',
      '3:x',
      '3:units',
      '4:x*',
      '4:x',
      '4:units',
      '5:h',
      '5:x',
    ]);
  });
});

describe('results of a tuple assignment (return_state)', () => {
  const text = `model enc {
  x = Input(shape=(5, 3))
  out, h, c = x -> LSTM(4, return_state=True)
  (out, h) -> Concatenate() -> Dense(2)
  c
  compile(adam, mse)
}
`;
  const at = new PositionIndex(text);
  const p = (needle: string, nth = 0, shift = 0) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
    return at.position(i + shift);
  };
  const spans = (ranges: Ranges) =>
    ranges.map((r) => text.slice(at.offset(r.start), at.offset(r.end)) + `@${r.start.line}`);

  it('each name is a result: definition, references and hover with its own shape', () => {
    const def = service.definition(text, p('(out, h)', 0, 6));
    expect(def && `${def.start.line}:${def.start.character}`).toBe('2:7');
    expect(spans(service.references(text, p('c = x')))).toEqual(['c@2', 'c@4']);
    const hover = service.hover(text, p('h, c', 0, 0))?.contents;
    expect(hover).toContain('(None, 4)');
    expect(hover).toContain('lstm');
  });

  it('rename one of the names with its reads, and the model checks the same', () => {
    const renamed = renamedChecksSame(text, p('h, c'), 'state_h');
    expect(renamed).toContain('out, state_h, c = x -> LSTM');
    expect(renamed).toContain('(out, state_h) -> Concatenate()');
  });
});
