/**
 * Where every box and arrow goes: ranks and order from layering.ts, then each rank's x by
 * least squares toward its neighbours' (alternating sweeps down and up, boxes never closer
 * than a gap), rows of ranks top to bottom, and each edge as a polyline from its source's
 * bottom through its dummies' slots to an arrow tip on its target's top. Plain numbers out:
 * the SVG printer only draws them.
 */
import { boxOf, type BoxContent } from './box.js';
import { layer, type Layered } from './layering.js';
import type { DiagramModel, DiagramNode } from './model.js';

export interface Point {
  x: number;
  y: number;
}

/** A node's box: top-left corner, size and content. */
export interface PlacedBox {
  node: DiagramNode;
  x: number;
  y: number;
  width: number;
  height: number;
  content: BoxContent;
}

/** An edge: the polyline to the arrowhead's base, then the tip on the target's top. */
export interface RoutedEdge {
  from: string;
  to: string;
  points: Point[];
  tip: Point;
}

export interface DiagramLayout {
  name: string;
  width: number;
  height: number;
  boxes: PlacedBox[];
  edges: RoutedEdge[];
}

const MARGIN = 16;
const RANK_GAP = 40;
const BOX_GAP = 28;
/** A long edge's slot beside a box or another edge. */
const EDGE_GAP = 16;
export const ARROW = 8;
/** Long edges bend before boxes move: a dummy pulls its neighbours this much less than a box. */
const DUMMY_WEIGHT = 0.05;
const ROUNDS = 8;
/** Ports keep this far from a box's corners and from each other. */
const PORT_INSET = 12;
const PORT_GAP = 14;

/** The layout of a diagram, top to bottom. */
export function layoutDiagram(model: DiagramModel): DiagramLayout {
  const index = new Map(model.nodes.map((n, i) => [n.id, i]));
  const edges = model.edges.filter((e) => index.has(e.from) && index.has(e.to) && e.from !== e.to);
  const g = layer(
    model.nodes.length,
    edges.map((e) => [index.get(e.from)!, index.get(e.to)!]),
  );
  const contents = model.nodes.map(boxOf);
  const widthOf = (n: number) => {
    const real = g.nodes[n]!.real;
    return real === null ? 0 : contents[real]!.width;
  };
  const xs = placeColumns(g, widthOf);
  // Folds, not Math.min(...): a spread of a huge graph's nodes would overflow the stack.
  const left = g.nodes.reduce((l, _, n) => Math.min(l, xs[n]! - widthOf(n) / 2), Infinity);
  for (let n = 0; n < xs.length; n++) xs[n] = xs[n]! - left + MARGIN;
  const rows = placeRows(g, contents);
  const boxes = model.nodes.map((node, i) => {
    const { width, height } = contents[i]!;
    const r = g.nodes[i]!.rank;
    const y = rows.top[r]! + (rows.height[r]! - height) / 2;
    return { node, x: xs[i]! - width / 2, y, width, height, content: contents[i]! };
  });
  const routes = routeEdges(g, xs, boxes, rows);
  const right = g.nodes.reduce((r, _, n) => Math.max(r, xs[n]! + widthOf(n) / 2), 0);
  const bottom = rows.top.length === 0 ? 0 : rows.top.at(-1)! + rows.height.at(-1)!;
  return {
    name: model.name,
    width: Math.ceil(right + MARGIN),
    height: Math.ceil(bottom + MARGIN),
    boxes,
    edges: edges.map((e, k) => ({ from: e.from, to: e.to, ...routes[k]! })),
  };
}

/** Each layered node's center x: packed, then sweeps toward the mean of its neighbours. */
function placeColumns(g: Layered, widthOf: (n: number) => number): number[] {
  const xs: number[] = [];
  const gap = (a: number, b: number) =>
    (widthOf(a) + widthOf(b)) / 2 +
    (g.nodes[a]!.real !== null && g.nodes[b]!.real !== null ? BOX_GAP : EDGE_GAP);
  const weight = (n: number) => (g.nodes[n]!.real === null ? DUMMY_WEIGHT : 1);
  const place = (rank: number[], desired: (n: number) => number) => {
    const gaps = rank.map((n, i) => (i === 0 ? 0 : gap(rank[i - 1]!, n)));
    const placed = spread(rank.map(desired), rank.map(weight), gaps);
    rank.forEach((n, i) => (xs[n] = placed[i]!));
  };
  for (const rank of g.ranks) place(rank, () => 0);
  const toward = (neighbours: (n: number) => number[]) => (n: number) => {
    const ns = neighbours(n);
    if (ns.length === 0) return xs[n]!;
    const total = ns.reduce((s, m) => s + weight(m), 0);
    return ns.reduce((s, m) => s + weight(m) * xs[m]!, 0) / total;
  };
  const down = toward((n) => g.nodes[n]!.preds);
  const up = toward((n) => g.nodes[n]!.succs);
  for (let round = 0; round < ROUNDS; round++) {
    for (let r = 1; r < g.ranks.length; r++) place(g.ranks[r]!, down);
    for (let r = g.ranks.length - 2; r >= 0; r--) place(g.ranks[r]!, up);
  }
  return xs;
}

/**
 * The positions nearest `desired` (weighted least squares) with each at least `gaps[i]` right of
 * the one before: with y_i = x_i − Σ gaps, an isotonic regression, solved by pooling adjacent
 * violators.
 */
export function spread(desired: number[], weights: number[], gaps: number[]): number[] {
  const offsets: number[] = [];
  let acc = 0;
  for (const g of gaps) offsets.push((acc += g));
  const blocks: { w: number; wy: number; count: number }[] = [];
  desired.forEach((d, i) => {
    blocks.push({ w: weights[i]!, wy: weights[i]! * (d - offsets[i]!), count: 1 });
    while (blocks.length > 1) {
      const last = blocks.at(-1)!;
      const prev = blocks.at(-2)!;
      if (prev.wy / prev.w <= last.wy / last.w) break;
      blocks.pop();
      prev.w += last.w;
      prev.wy += last.wy;
      prev.count += last.count;
    }
  });
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.count; k++) out.push(b.wy / b.w);
  return out.map((y, i) => y + offsets[i]!);
}

/** Each rank's top and height (its tallest box). */
function placeRows(
  g: Layered,
  contents: readonly BoxContent[],
): { top: number[]; height: number[] } {
  const height = g.ranks.map((rank) =>
    rank.reduce((h, n) => {
      const real = g.nodes[n]!.real;
      return real === null ? h : Math.max(h, contents[real]!.height);
    }, 0),
  );
  const top: number[] = [];
  let y = MARGIN;
  for (const h of height) {
    top.push(y);
    y += h + RANK_GAP;
  }
  return { top, height };
}

/**
 * Each edge's points: down from its port on the source's bottom to the rank's bottom, through
 * each dummy's slot top to bottom, to its port on the target's rank top, then the arrow.
 * Ports spread along a box's side, ordered by where their edges go, so arrows do not cross there.
 */
function routeEdges(
  g: Layered,
  xs: readonly number[],
  boxes: readonly PlacedBox[],
  rows: { top: number[]; height: number[] },
): { points: Point[]; tip: Point }[] {
  const outPort = ports(
    g.chains,
    xs,
    boxes,
    (c) => c[0]!,
    (c) => c[1]!,
  );
  const inPort = ports(
    g.chains,
    xs,
    boxes,
    (c) => c.at(-1)!,
    (c) => c.at(-2)!,
  );
  return g.chains.map((chain, k) => {
    const source = boxes[chain[0]!]!;
    const target = boxes[chain.at(-1)!]!;
    const rankOf = (n: number) => g.nodes[n]!.rank;
    const bottomOf = (r: number) => rows.top[r]! + rows.height[r]!;
    const points: Point[] = [{ x: outPort[k]!, y: source.y + source.height }];
    points.push({ x: outPort[k]!, y: bottomOf(rankOf(chain[0]!)) });
    for (const d of chain.slice(1, -1)) {
      points.push({ x: xs[d]!, y: rows.top[rankOf(d)]! });
      points.push({ x: xs[d]!, y: bottomOf(rankOf(d)) });
    }
    const base = { x: inPort[k]!, y: target.y - ARROW };
    points.push({ x: base.x, y: Math.min(rows.top[rankOf(chain.at(-1)!)]!, base.y) });
    points.push(base);
    const distinct = points.filter(
      (p, i) => i === 0 || p.x !== points[i - 1]!.x || p.y !== points[i - 1]!.y,
    );
    return { points: distinct, tip: { x: base.x, y: target.y } };
  });
}

/**
 * Per edge, the x of its port on one end's box: where the edge heads, kept inside the box and at
 * least PORT_GAP from the next port; evenly spread when the box is too narrow for that.
 */
function ports(
  chains: readonly number[][],
  xs: readonly number[],
  boxes: readonly PlacedBox[],
  end: (chain: number[]) => number,
  next: (chain: number[]) => number,
): number[] {
  const byBox = new Map<number, number[]>();
  chains.forEach((c, k) => {
    const list = byBox.get(end(c));
    if (list) list.push(k);
    else byBox.set(end(c), [k]);
  });
  // Toward a long edge's first bend; between two boxes, the middle of their centers, which
  // both ends aim at: the edge drops straight where the boxes overlap.
  const toward = (c: number[]) => (c.length > 2 ? xs[next(c)]! : (xs[end(c)]! + xs[next(c)]!) / 2);
  const x: number[] = [];
  for (const [box, ks] of byBox) {
    ks.sort((a, b) => xs[next(chains[a]!)]! - xs[next(chains[b]!)]! || a - b);
    const { x: left, width } = boxes[box]!;
    const lo = left + PORT_INSET;
    const hi = left + width - PORT_INSET;
    const fits = (ks.length - 1) * PORT_GAP <= hi - lo;
    const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
    const desired = ks.map((k) => clamp(toward(chains[k]!)));
    const placed = fits
      ? spread(
          desired,
          desired.map(() => 1),
          desired.map((_, i) => (i === 0 ? 0 : PORT_GAP)),
        )
      : [];
    ks.forEach((k, i) => {
      // Spreading can push the outer ports past the inset: bound each by the room its
      // neighbours need (bounds that step by PORT_GAP keep the gaps).
      const room = Math.min(
        hi - (ks.length - 1 - i) * PORT_GAP,
        Math.max(lo + i * PORT_GAP, placed[i]!),
      );
      x[k] = fits ? room : left + (width * (i + 1)) / (ks.length + 1);
    });
  }
  return x;
}
