/** Definition, references and rename of named constants and models; rename re-checked. */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compiler.js';
import { applyEdits, LanguageService, PositionIndex } from '../../src/service/index.js';
import { cursor } from './cursor.js';

const source = `units = 8
rate = 0.5
model a {
  rate = 0.25
  Input(4) -> Dense(units, relu) -> Dropout(rate) -> Dense(3, softmax)
}
model b {
  Input(4) -> Dense(units) -> Dropout(rate) -> Dense(1, sigmoid)
}
`;
const service = new LanguageService({
  onError: (e) => {
    throw e;
  },
});
const index = new PositionIndex(source);
const pos = (needle: string, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = source.indexOf(needle, i + 1);
  return index.position(i);
};
const texts = (
  ranges: {
    start: { line: number; character: number };
    end: { line: number; character: number };
  }[],
) =>
  ranges.map((r) => `${r.start.line}:${source.slice(index.offset(r.start), index.offset(r.end))}`);

describe('navigation', () => {
  it('goes from a use to the definition', () => {
    const def = service.definition(source, pos('units)'));
    expect(def).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 5 } });
  });

  it("resolves a model's own constant before the file's", () => {
    expect(service.definition(source, pos('rate)'))?.start.line).toBe(3);
    expect(service.definition(source, pos('rate)', 1))?.start.line).toBe(1);
  });

  it('finds every reference, with or without the definition', () => {
    expect(texts(service.references(source, pos('units')))).toEqual([
      '0:units',
      '4:units',
      '7:units',
    ]);
    expect(texts(service.references(source, pos('units'), false))).toEqual(['4:units', '7:units']);
    expect(texts(service.references(source, pos('rate = 0.5')))).toEqual(['1:rate', '7:rate']);
  });

  it('has nothing for catalog names', () => {
    expect(service.definition(source, pos('relu'))).toBeNull();
    expect(service.references(source, pos('Dense'))).toEqual([]);
    expect(service.prepareRename(source, pos('Dense'))).toBeNull();
    expect(service.rename(source, pos('Dense'), 'x')).toHaveProperty('error');
  });

  it('renames a constant everywhere, and the result checks the same', () => {
    const result = service.rename(source, pos('units'), 'width');
    expect(result).toHaveProperty('edits');
    const renamed = applyEdits(source, (result as { edits: [] }).edits);
    expect(renamed.match(/width/g)).toHaveLength(3);
    expect(renamed).not.toMatch(/units/);
    const codes = (t: string) => check(t).diagnostics.map((d) => d.code);
    expect(codes(renamed)).toEqual(codes(source));
  });

  it('renames a model', () => {
    const { text, position } = cursor('model ne¦t {\n  Input(2) -> Dense(1)\n}\n');
    const result = service.rename(text, position, 'xor');
    const renamed = applyEdits(text, (result as { edits: [] }).edits);
    expect(renamed).toContain('model xor {');
    expect(check(renamed).models.map((m) => m.name)).toEqual(['xor']);
  });

  it('refuses invalid and clashing names', () => {
    expect(service.rename(source, pos('units'), '2x')).toHaveProperty('error');
    expect(service.rename(source, pos('units'), 'model')).toHaveProperty('error');
    expect(service.rename(source, pos('units'), 'rate')).toHaveProperty('error');
    expect(service.rename(source, pos('a {'), 'b')).toHaveProperty('error');
  });
});
