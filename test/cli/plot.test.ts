/**
 * The training-curve SVG: parsed by a minimal XML reader written here (well-formedness,
 * entities, nesting), then checked by structure: panels, lines and dots per series, dashes,
 * tick labels for known ranges, gaps for NaN, escaping.
 */
import { describe, expect, it } from 'vitest';
import { escapeXml, formatTick, niceTicks, renderHistorySvg } from '../../src/cli/plot.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a well-formed XML document (no DTD) or throws, saying where it breaks. */
function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`XML: ${why} at offset ${i}: ${JSON.stringify(source.slice(i, i + 30))}`);
  };
  const isNameChar = (c: string) =>
    (c >= 'a' && c <= 'z') ||
    (c >= 'A' && c <= 'Z') ||
    (c >= '0' && c <= '9') ||
    c === '-' ||
    c === '_' ||
    c === ':' ||
    c === '.';
  const skipSpace = () => {
    while (i < source.length && ' \t\r\n'.includes(source[i]!)) i++;
  };
  const name = () => {
    const start = i;
    while (i < source.length && isNameChar(source[i]!)) i++;
    if (i === start) fail('expected a name');
    return source.slice(start, i);
  };
  const decode = (raw: string) => {
    let out = '';
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k]!;
      if (c === '<') fail('raw < in text');
      if (c !== '&') {
        out += c;
        continue;
      }
      const end = raw.indexOf(';', k);
      if (end < 0) fail('unterminated entity');
      const entity = raw.slice(k + 1, end);
      if (entity.startsWith('#x')) out += String.fromCodePoint(parseInt(entity.slice(2), 16));
      else if (entity.startsWith('#')) out += String.fromCodePoint(Number(entity.slice(1)));
      else if (ENTITIES[entity] !== undefined) out += ENTITIES[entity];
      else fail(`unknown entity &${entity};`);
      k = end;
    }
    return out;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<?', i)) i = source.indexOf('?>', i) + 2;
      else if (source.startsWith('<!--', i)) i = source.indexOf('-->', i) + 3;
      else return;
      if (i < 2) fail('unterminated declaration or comment');
    }
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const attr = name();
      skipSpace();
      if (source[i] !== '=') fail('expected =');
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail('unquoted attribute');
      const end = source.indexOf(quote!, i + 1);
      if (end < 0) fail('unterminated attribute');
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = decode(source.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      const next = source.indexOf('<', i);
      if (next < 0) fail(`unclosed <${el.name}>`);
      el.text += decode(source.slice(i, next));
      i = next;
      if (source.startsWith('<!--', i)) {
        i = source.indexOf('-->', i) + 3;
      } else if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (source[i] !== '>') fail('expected >');
        i++;
        return el;
      } else {
        el.children.push(element());
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== source.length) fail('content after the root element');
  return root;
}

function all(el: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  const found = test(el) ? [el] : [];
  for (const child of el.children) found.push(...all(child, test));
  return found;
}
const byName = (el: XmlElement, name: string) => all(el, (e) => e.name === name);
const byClass = (el: XmlElement, cls: string) =>
  all(el, (e) => (e.attrs['class'] ?? '').split(' ').includes(cls));
const points = (polyline: XmlElement) =>
  polyline.attrs['points']!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);

const typical = {
  accuracy: [0.5, 0.7, 0.8, 0.85],
  loss: [1.0, 0.6, 0.4, 0.3],
  val_accuracy: [0.45, 0.6, 0.75, 0.8],
  val_loss: [1.1, 0.8, 0.5, 0.45],
};

describe('the XML reader used here', () => {
  it.each([
    '<a><b></a>',
    '<a x=1/>',
    '<a x="1" x="2"/>',
    '<a>&foo;</a>',
    '<a>1 < 2</a>',
    '<a>',
    '<a/><b/>',
    '<a>&amp</a>',
  ])('rejects %j', (bad) => {
    expect(() => parseXml(bad)).toThrow(/^XML: /);
  });

  it('reads nesting, attributes and entities', () => {
    const doc = parseXml(
      '<?xml version="1.0"?>\n<a k=\'&lt;v&gt;\'><!-- c --><b/>x &amp; y<c>&#x41;&#66;</c></a>\n',
    );
    expect([
      doc.name,
      doc.attrs,
      doc.text,
      doc.children.map((c) => c.name),
      doc.children[1]!.text,
    ]).toEqual(['a', { k: '<v>' }, 'x & y', ['b', 'c'], 'AB']);
  });
});

describe('the document', () => {
  it('is well-formed SVG with its size, a title and a white background', () => {
    const svg = parseXml(renderHistorySvg(typical, { width: 800, height: 500 }));
    expect(svg.name).toBe('svg');
    expect(svg.attrs).toMatchObject({
      xmlns: 'http://www.w3.org/2000/svg',
      width: '800',
      height: '500',
      viewBox: '0 0 800 500',
    });
    expect(svg.children[0]!.name).toBe('title');
    expect(svg.children[0]!.text).toBe('Training history');
  });

  it.each<[string, Record<string, number[]>, string[]]>([
    ['loss only', { loss: [1, 0.5] }, ['loss']],
    ['loss and accuracy with validation', typical, ['loss', 'accuracy']],
    [
      'several metrics, loss first, the rest by name',
      {
        auc: [0.5, 0.6],
        loss: [1, 0.5],
        val_auc: [0.4, 0.5],
        accuracy: [0.5, 0.6],
        learning_rate: [0.001, 0.001],
      },
      ['loss', 'accuracy', 'auc', 'learning_rate'],
    ],
  ])('one panel per quantity: %s', (_, history, panels) => {
    const svg = parseXml(renderHistorySvg(history));
    expect(byClass(svg, 'panel').map((p) => p.attrs['data-name'])).toEqual(panels);
    expect(svg.attrs['height']).toBe(String(260 * panels.length));
  });

  it('draws training solid and validation dashed, one polyline each, with a legend entry each', () => {
    const svg = parseXml(renderHistorySvg(typical));
    const lines = byName(svg, 'polyline');
    expect(lines).toHaveLength(4);
    const training = byClass(svg, 'training').flatMap((g) => byName(g, 'polyline'));
    const validation = byClass(svg, 'validation').flatMap((g) => byName(g, 'polyline'));
    expect(training.map((l) => l.attrs['stroke-dasharray'])).toEqual([undefined, undefined]);
    expect(validation.map((l) => l.attrs['stroke-dasharray'])).toEqual(['6 4', '6 4']);
    expect(byClass(svg, 'series').map((g) => g.attrs['data-key'])).toEqual([
      'loss',
      'val_loss',
      'accuracy',
      'val_accuracy',
    ]);
    const legends = byClass(svg, 'legend');
    expect(legends.map((g) => byName(g, 'text').map((t) => t.text))).toEqual([
      ['loss', 'val_loss'],
      ['accuracy', 'val_accuracy'],
    ]);
    expect(legends.map((g) => byName(g, 'line').map((l) => l.attrs['stroke-dasharray']))).toEqual([
      [undefined, '6 4'],
      [undefined, '6 4'],
    ]);
  });

  it('puts epoch 1 at the left edge, the last epoch at the right edge, and higher values higher up', () => {
    const svg = parseXml(renderHistorySvg({ loss: [1.0, 0.6, 0.4, 0.3] }, { width: 640 }));
    const frame = byClass(svg, 'panel')[0]!.children.find((c) => c.name === 'rect')!;
    const left = Number(frame.attrs['x']);
    const right = left + Number(frame.attrs['width']);
    const p = points(byName(svg, 'polyline')[0]!);
    expect(p.map(([x]) => x)).toEqual(
      [left, left + (right - left) / 3, left + (2 * (right - left)) / 3, right].map(
        (v) => Math.round(v * 100) / 100,
      ),
    );
    const ys = p.map(([, y]) => y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });
});

describe('axes', () => {
  it.each<[number, number, number, boolean, number, number[]]>([
    [0, 1, 6, false, 0.2, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0.31, 0.97, 6, false, 0.2, [0.2, 0.4, 0.6, 0.8, 1]],
    [0, 100, 6, false, 20, [0, 20, 40, 60, 80, 100]],
    [-3, 7, 6, false, 2, [-4, -2, 0, 2, 4, 6, 8]],
    [0.0001, 0.0012, 6, false, 0.0005, [0, 0.0005, 0.001, 0.0015]],
    [1e-7, 5e-7, 6, false, 1e-7, [1e-7, 2e-7, 3e-7, 4e-7, 5e-7]],
    [1, 200, 8, true, 50, [0, 50, 100, 150, 200]],
    [1, 10, 8, true, 2, [0, 2, 4, 6, 8, 10]],
    [1, 3, 8, true, 1, [1, 2, 3]],
  ])('niceTicks(%d, %d, %d, integer %s): step %d', (min, max, count, integer, step, ticks) => {
    const t = niceTicks(min, max, count, integer);
    expect(t.step).toBe(step);
    expect(t.ticks).toEqual(ticks);
    expect([t.lo, t.hi]).toEqual([ticks[0], ticks[ticks.length - 1]]);
  });

  it('niceTicks needs a range', () => {
    expect(() => niceTicks(1, 1)).toThrow(RangeError);
  });

  it.each<[number, number, string]>([
    [0.6, 0.2, '0.6'],
    [0, 0.2, '0.0'],
    [-0, 0.2, '0.0'],
    [-0.4, 0.2, '-0.4'],
    [50, 50, '50'],
    [0.0015, 0.0005, '0.0015'],
    [3e-7, 1e-7, '3e-7'],
    [2e7, 5e6, '2e+7'],
  ])('tick %d at step %d reads %s', (value, step, text) => {
    expect(formatTick(value, step)).toBe(text);
  });

  it('labels the axes and ticks of a known range', () => {
    const svg = parseXml(renderHistorySvg({ loss: [1.0, 0.5, 0.25] }));
    const [x, y] = [byClass(svg, 'x')[0]!, byClass(svg, 'y')[0]!];
    // x: epochs 1–3; y: 0.25–1.0 with a 5% margin (not above 1) → 0.2125–1 → step 0.2.
    expect(byName(x, 'text').map((t) => t.text)).toEqual(['1', '2', '3', 'epoch']);
    expect(byName(y, 'text').map((t) => t.text)).toEqual([
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1.0',
      'loss',
    ]);
  });
});

describe('gaps and single points', () => {
  it('skips NaN and ±Infinity, leaving a gap; a lone point between gaps is a dot', () => {
    const svg = parseXml(
      renderHistorySvg({ loss: [1, Number.NaN, 0.8, 0.7, Infinity, 0.5, -Infinity] }),
    );
    const series = byClass(svg, 'series')[0]!;
    expect(byName(series, 'polyline').map((l) => points(l).length)).toEqual([2]);
    expect(byName(series, 'circle')).toHaveLength(2);
    expect(renderHistorySvg({ loss: [1, Number.NaN, 0.5] })).not.toMatch(/NaN|Infinity/);
  });

  it('a single epoch is a dot per series, at epoch 1', () => {
    const svg = parseXml(renderHistorySvg({ loss: [0.5], val_loss: [0.6] }));
    expect(byName(svg, 'polyline')).toHaveLength(0);
    expect(byName(svg, 'circle').map((c) => c.attrs['fill'])).toEqual(['#1f77b4', '#ff7f0e']);
    expect(byName(byClass(svg, 'x')[0]!, 'text').map((t) => t.text)).toEqual(['1', 'epoch']);
  });

  it('a flat series gets a band around its value', () => {
    const svg = parseXml(renderHistorySvg({ loss: [0.5, 0.5, 0.5] }));
    expect(byName(byClass(svg, 'y')[0]!, 'text').map((t) => t.text)).toEqual([
      '0.44',
      '0.46',
      '0.48',
      '0.50',
      '0.52',
      '0.54',
      '0.56',
      'loss',
    ]);
  });

  it('a panel with no finite value says so', () => {
    const svg = parseXml(renderHistorySvg({ loss: [Number.NaN, Number.NaN] }));
    expect(byName(svg, 'polyline').length + byName(svg, 'circle').length).toBe(0);
    expect(byName(svg, 'text').map((t) => t.text)).toContain('no finite values');
  });

  it('an empty history is still a document', () => {
    const histories: Record<string, number[]>[] = [{}, { loss: [] }];
    for (const history of histories) {
      const svg = parseXml(renderHistorySvg(history));
      expect(byName(svg, 'text').map((t) => t.text)).toContain('no training history to plot');
    }
  });
});

describe('escaping', () => {
  it.each([
    ['a<b & "c"', 'a&lt;b &amp; &quot;c&quot;'],
    ["it's > 0", 'it&apos;s &gt; 0'],
    ['bell\u0007', 'bell'],
  ])('escapeXml(%j)', (raw, escaped) => {
    expect(escapeXml(raw)).toBe(escaped);
  });

  it('titles and metric names with markup characters stay text', () => {
    const name = `f1<&>'"`;
    const text = renderHistorySvg(
      { loss: [1, 0.5], [name]: [0.1, 0.2], [`val_${name}`]: [0.1, 0.3] },
      { title: 'model <b> & co' },
    );
    const svg = parseXml(text);
    expect(svg.children[0]!.text).toBe('model <b> & co');
    expect(byClass(svg, 'panel').map((p) => p.attrs['data-name'])).toEqual(['loss', name]);
    expect(byName(svg, 'text').map((t) => t.text)).toContain(`training and validation ${name}`);
    expect(text).not.toContain('<b>');
  });
});
