/**
 * `nn diagram`'s picture: golden SVGs (from `.nn` fixtures) for a sequential model, a residual
 * block, a two-input and a two-output model;
 * for each, the SVG is well-formed XML, every node has a box and every edge an arrow, boxes do
 * not overlap, and every arrow runs downward from its source's bottom to its target's top
 * without crossing a box. Hostile layer names come out as inert text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compiler.js';
import {
  diagramOf,
  layoutDiagram,
  renderSvg,
  spread,
  type DiagramLayout,
  type DiagramModel,
} from '../../src/diagram/index.js';
import { crossings, layer } from '../../src/diagram/layering.js';
import { expectGolden } from '../golden.js';
import { elements, parseXml, textOf } from './xml.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;

function fromSource(file: string): DiagramModel {
  const result = check(readFileSync(fixtures + file, 'utf8'), file);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return diagramOf(result.models[0]!);
}

const cases: [string, () => DiagramModel][] = [
  ['sequential', () => fromSource('sequential.nn')],
  ['residual', () => fromSource('residual.nn')],
  ['two-inputs', () => fromSource('two-inputs.nn')],
  ['two-outputs', () => fromSource('two-outputs.nn')],
];

/** The layout's geometry holds: boxes apart, arrows downward from bottom to top, through no box. */
function expectSound(layout: DiagramLayout): void {
  const problems: string[] = [];
  const boxes = new Map(layout.boxes.map((b) => [b.node.id, b]));
  for (const [i, a] of layout.boxes.entries())
    for (const b of layout.boxes.slice(i + 1)) {
      const apart =
        a.x + a.width <= b.x ||
        b.x + b.width <= a.x ||
        a.y + a.height <= b.y ||
        b.y + b.height <= a.y;
      if (!apart) problems.push(`${a.node.id} overlaps ${b.node.id}`);
    }
  for (const e of layout.edges) {
    const from = boxes.get(e.from)!;
    const to = boxes.get(e.to)!;
    const path = [...e.points, e.tip];
    const start = path[0]!;
    if (start.y !== from.y + from.height || start.x <= from.x || start.x >= from.x + from.width)
      problems.push(`${e.from}→${e.to} does not leave ${e.from}'s bottom`);
    if (e.tip.y !== to.y || e.tip.x <= to.x || e.tip.x >= to.x + to.width)
      problems.push(`${e.from}→${e.to} does not end on ${e.to}'s top`);
    for (let k = 1; k < path.length; k++)
      if (!(path[k]!.y > path[k - 1]!.y)) problems.push(`${e.from}→${e.to} turns upward`);
    for (const p of path)
      for (const b of layout.boxes)
        if (p.x > b.x && p.x < b.x + b.width && p.y > b.y && p.y < b.y + b.height)
          problems.push(`${e.from}→${e.to} passes through ${b.node.id}`);
  }
  for (const b of layout.boxes)
    if (b.x < 0 || b.y < 0 || b.x + b.width > layout.width || b.y + b.height > layout.height)
      problems.push(`${b.node.id} lies outside the picture`);
  expect(problems).toEqual([]);
}

describe('diagrams', () => {
  it.each(cases)('%s: golden SVG, a box per node and an arrow per edge', (name, make) => {
    const model = make();
    const layout = layoutDiagram(model);
    const svg = renderSvg(layout);
    expectGolden(`${fixtures}${name}.svg`, svg);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    const all = elements(root);
    const nodes = all.filter((e) => e.attrs['class'] === 'node');
    expect(nodes.map((n) => n.attrs['data-id'])).toEqual(model.nodes.map((n) => n.id));
    for (const [i, n] of nodes.entries()) {
      const text = textOf(n);
      const node = model.nodes[i]!;
      expect(text).toContain(`${node.name} (${node.className})`);
      expect(text).toContain('Output shape: ');
      if (node.activation) expect(text).toContain(`Activation: ${node.activation}`);
    }
    const edges = all.filter((e) => e.attrs['class'] === 'edge');
    expect(edges.map((e) => [e.attrs['data-from'], e.attrs['data-to']])).toEqual(
      model.edges.map((e) => [e.from, e.to]),
    );
    for (const e of edges) expect(e.children.filter((c) => c.name === 'path')).toHaveLength(2);
    expectSound(layout);
  });

  it('draws Keras 3 labels: input boxes, input and output shapes, activations', () => {
    const model = fromSource('two-inputs.nn');
    expect(model.nodes.map((n) => [n.name, n.className])).toEqual([
      ['numbers', 'InputLayer'],
      ['flags', 'InputLayer'],
      ['dense', 'Dense'],
      ['dense_1', 'Dense'],
      ['concatenate', 'Concatenate'],
      ['dense_2', 'Dense'],
    ]);
    const boxes = elements(parseXml(renderSvg(layoutDiagram(model)))).filter(
      (e) => e.attrs['class'] === 'node',
    );
    const text = (i: number) =>
      textOf(boxes[i]!)
        .replace(/\s*\n\s*/g, ' | ')
        .trim();
    expect(text(1)).toBe('| flags (InputLayer) | Output shape: (None, 3) |');
    expect(text(4)).toBe(
      '| concatenate (Concatenate) | Input shape: [(None, 16), (None, 4)] | Output shape: (None, 20) |',
    );
    expect(text(5)).toBe(
      '| dense_2 (Dense) | Activation: linear | Input shape: (None, 20) | Output shape: (None, 1) |',
    );
    // Dense without an activation holds `linear`, as Keras prints it; Concatenate holds none.
    expect(model.nodes[5]!.activation).toBe('linear');
    expect(model.nodes[4]!.activation).toBeNull();
  });

  it('keeps a residual block straight and bends the skip connection around it', () => {
    const layout = layoutDiagram(fromSource('residual.nn'));
    const center = (id: string) => {
      const b = layout.boxes.find((b) => b.node.id === id)!;
      return b.x + b.width / 2;
    };
    expect(center('layer_0')).toBeCloseTo(center('layer_1'), 0);
    const skip = layout.edges.find((e) => e.from === 'input_0' && e.to === 'layer_2')!;
    const dense = layout.boxes.find((b) => b.node.id === 'layer_0')!;
    expect(skip.points.some((p) => p.x > dense.x + dense.width)).toBe(true);
  });

  it('places a second input read late just above its reader', () => {
    const late: DiagramModel = {
      name: 'late',
      nodes: ['a', 'b', 'c', 'd'].map((id) => ({
        id,
        name: id,
        className: id === 'a' || id === 'c' ? 'InputLayer' : 'Dense',
        inputShapes: [],
        outputShape: null,
        activation: null,
      })),
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    };
    const layout = layoutDiagram(late);
    const y = (id: string) => layout.boxes.find((b) => b.node.id === id)!.y;
    expect(y('c')).toBe(y('b'));
    expectSound(layout);
  });

  it('orders ranks to remove crossings, deterministically', () => {
    // a→d and b→c drawn in index order cross; the sweeps swap them.
    const g = layer(4, [
      [0, 3],
      [1, 2],
    ]);
    expect(crossings(g.nodes, g.ranks)).toBe(0);
    expect(
      layer(4, [
        [0, 3],
        [1, 2],
      ]),
    ).toEqual(g);
  });

  it('counts crossings as a naive pairwise count does', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = lcg(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const count = 2 + pick(30);
      const edges: [number, number][] = [];
      for (let i = 1; i < count; i++) for (let k = pick(4); k > 0; k--) edges.push([pick(i), i]);
      const g = layer(count, edges);
      let naive = 0;
      const position = new Map(g.ranks.flatMap((r) => r.map((n, i) => [n, i] as const)));
      const segments = g.nodes.flatMap((n, a) =>
        n.succs.map((b) => [n.rank, position.get(a)!, position.get(b)!] as const),
      );
      for (const [i, [r1, a1, b1]] of segments.entries())
        for (const [r2, a2, b2] of segments.slice(i + 1))
          if (r1 === r2 && (a1 - a2) * (b1 - b2) < 0) naive++;
      expect(crossings(g.nodes, g.ranks), `seed ${seed}`).toBe(naive);
    }
  });

  it('spreads a rank as near its desired places as the gaps allow', () => {
    expect(spread([0, 0], [1, 1], [0, 10])).toEqual([-5, 5]);
    expect(spread([0, 100], [1, 1], [0, 10])).toEqual([0, 100]);
    expect(spread([0, 0], [1, 0.25], [0, 10])).toEqual([-2, 8]);
  });

  it('draws an empty model as an empty picture', () => {
    const svg = renderSvg(layoutDiagram({ name: 'empty', nodes: [], edges: [] }));
    expect(parseXml(svg).name).toBe('svg');
  });
});

/** A small deterministic generator. */
function lcg(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A random DAG: 1–3 inputs, layers reading 1–3 earlier nodes, names of random widths. */
function randomModel(seed: number): DiagramModel {
  const random = lcg(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const inputs = 1 + pick(3);
  const layers = 1 + pick(25);
  const nodes: DiagramModel['nodes'] = [];
  const edges: DiagramModel['edges'] = [];
  for (let i = 0; i < inputs + layers; i++) {
    const id = `n${i}`;
    const input = i < inputs;
    nodes.push({
      id,
      name: 'x'.repeat(1 + pick(30)),
      className: input ? 'InputLayer' : 'Dense',
      inputShapes: input ? [] : [[null, 1 + pick(1000)]],
      outputShape: [null, 1 + pick(1000)],
      activation: input || random() < 0.5 ? null : 'relu',
    });
    if (input) continue;
    const reads = new Set([pick(i), ...(random() < 0.4 ? [pick(i), pick(i)] : [])]);
    for (const r of reads) edges.push({ from: `n${r}`, to: id });
  }
  return { name: `random_${seed}`, nodes, edges };
}

describe('random graphs', () => {
  it.each(Array.from({ length: 40 }, (_, k) => k + 1))(
    'seed %i: a sound, deterministic layout',
    (seed) => {
      const model = randomModel(seed);
      const layout = layoutDiagram(model);
      expectSound(layout);
      expect(layout.edges).toHaveLength(model.edges.length);
      expect(renderSvg(layoutDiagram(randomModel(seed)))).toBe(renderSvg(layout));
    },
  );

  it('lays out a chain of 2,000 layers and a merge of 2,000 branches quickly', () => {
    const chain: DiagramModel = {
      name: 'chain',
      nodes: Array.from({ length: 2000 }, (_, i) => ({
        id: `n${i}`,
        name: `dense_${i}`,
        className: 'Dense',
        inputShapes: [[null, 8]],
        outputShape: [null, 8],
        activation: 'relu',
      })),
      edges: Array.from({ length: 1999 }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}` })),
    };
    const wide: DiagramModel = {
      name: 'wide',
      nodes: [...chain.nodes],
      edges: [
        ...Array.from({ length: 1998 }, (_, i) => ({ from: 'n0', to: `n${i + 1}` })),
        ...Array.from({ length: 1998 }, (_, i) => ({ from: `n${i + 1}`, to: 'n1999' })),
      ],
    };
    const start = performance.now();
    const layouts = [layoutDiagram(chain), layoutDiagram(wide)];
    // Generous for a shared machine: a quadratic step would take minutes here.
    expect(performance.now() - start).toBeLessThan(5000);
    for (const layout of layouts) expectSound(layout);
  });
});

describe('hostile names', () => {
  const names = [
    '</text><script>alert(1)</script>',
    '"><svg onload=alert(1)>',
    'a & b \' " < >',
    'bell\u0007 and nul\u0000 and lone \ud800 surrogate',
    ']]><!--',
    '名前 🙂',
  ];
  it.each(names)('%j is text, not markup', (name) => {
    const model: DiagramModel = {
      name,
      nodes: [
        {
          id: name,
          name,
          className: name,
          inputShapes: [],
          outputShape: [null, 2],
          activation: name,
        },
        {
          id: 'b',
          name: 'b',
          className: 'Dense',
          inputShapes: [[null, 2]],
          outputShape: [null, 1],
          activation: null,
        },
      ],
      edges: [{ from: name, to: 'b' }],
    };
    const svg = renderSvg(layoutDiagram(model));
    const root = parseXml(svg);
    const all = elements(root);
    expect(
      all
        .map((e) => e.name)
        .filter((n) => !['svg', 'title', 'rect', 'g', 'path', 'text', 'tspan', 'line'].includes(n)),
    ).toEqual([]);
    for (const e of all) for (const key of Object.keys(e.attrs)) expect(key).not.toMatch(/^on/i);
    const safe = name
      .replace(/[\u0000-\u001f]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
    expect(textOf(root)).toContain(`${safe} (${safe})`);
    expect(all.find((e) => e.name === 'title')!.content.join('')).toBe(safe);
  });
});
