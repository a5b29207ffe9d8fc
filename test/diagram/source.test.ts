/**
 * Diagrams from source, as the library (`diagramSvg`) and the language service (`diagram`)
 * give them: the model asked for, else the one at the cursor, else the first; errors inside
 * it (or outside every model) stop the picture and say why, a broken sibling does not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagramSvg } from '../../src/index.js';
import { LanguageService } from '../../src/service/index.js';
import { parseXml } from './xml.js';

const two = [
  'model good {',
  '  Input(4) -> Dense(8, relu) -> Dense(1)',
  '}',
  'model bad {',
  '  Input(4) -> Dense(8, reluu)',
  '}',
  '',
].join('\n');

describe('diagramSvg', () => {
  it('draws the first model, or the one named, beside a broken sibling', () => {
    const r = diagramSvg(two);
    expect(r).toMatchObject({ model: 'good', models: ['good', 'bad'], diagnostics: [] });
    expect(parseXml(r.svg!).name).toBe('svg');
    expect(diagramSvg(two, { model: 'good' }).svg).toBe(r.svg);
  });

  it('gives the errors that stop a model instead of a picture', () => {
    const r = diagramSvg(two, { model: 'bad', file: 'two.nn' });
    expect(r.svg).toBeNull();
    expect(r.diagnostics.map((d) => [d.severity, d.range.start.line])).toEqual([['error', 5]]);
  });

  it('says there is no such model, listing those there are', () => {
    const r = diagramSvg(two, { model: 'nope' });
    expect(r.svg).toBeNull();
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['NN6003', "No model named 'nope' in this file; it has 'good', 'bad'."],
    ]);
    expect(diagramSvg('# nothing\n').diagnostics[0]!.message).toContain('it has no models');
    expect(diagramSvg('Input(4) -> )').svg).toBeNull();
  });
});

describe('a layer reading one value twice', () => {
  it('gets one arrow from it, as Keras draws Add()(x, x), and both input shapes', () => {
    const r = diagramSvg('model twice {\n  x = Input(4)\n  (x, x) -> Add() -> Dense(1)\n}\n');
    const edges = [...r.svg!.matchAll(/data-from="(\w+)" data-to="(\w+)"/g)].map(
      (m) => m[1] + '→' + m[2],
    );
    expect(edges).toEqual(['input_0→layer_0', 'layer_0→layer_1']);
    expect(r.svg).toContain('[(None, 4), (None, 4)]');
  });
});

describe('an unbuilt model', () => {
  it('draws its unknown shapes as Keras prints them: ?', () => {
    const svg = diagramSvg('Dense(8, relu) -> Dense(3, softmax)\n').svg!;
    const texts = [...svg.matchAll(/shape: <tspan font-weight="bold">([^<]*)</g)].map((m) => m[1]);
    expect(texts).toEqual(['?', '?', '?', '?', '?']);
  });
});

describe('LanguageService.diagram', () => {
  const service = new LanguageService();
  it('draws the model around the cursor', () => {
    expect(service.diagram(two, { position: { line: 1, character: 4 } })).toMatchObject({
      model: 'good',
      error: null,
    });
    const bad = service.diagram(two, { position: { line: 4, character: 4 } });
    expect(bad).toMatchObject({ model: 'bad', svg: null });
    expect(bad.error).toMatch(/^NN\d{4} line 5: .*'reluu'/);
  });
});

describe("the README's example", () => {
  it('is what nn diagram draws of samples/iris-residual.nn today', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const drawn = diagramSvg(readFileSync(`${root}samples/iris-residual.nn`, 'utf8')).svg;
    // Regenerate with: nn diagram samples/iris-residual.nn -o docs/diagram-iris-residual.svg
    expect(readFileSync(`${root}docs/diagram-iris-residual.svg`, 'utf8')).toBe(drawn);
  });
});
