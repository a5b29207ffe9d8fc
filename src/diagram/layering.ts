/**
 * The first two steps of a layered (Sugiyama) layout, on indices only: ranks by longest path
 * (inputs on top, every edge pointing down), a dummy node wherever an edge spans several ranks,
 * and an order within each rank from barycenter sweeps that keeps the arrangement with the
 * fewest crossings. Deterministic: ties keep the current order.
 */

/** A node of the layered graph: a real node (its index) or a dummy on a long edge. */
export interface LayeredNode {
  rank: number;
  /** The real node's index, or null for a dummy. */
  real: number | null;
  preds: number[];
  succs: number[];
}

/** The layered graph: its nodes, each rank's nodes in order, and each edge's chain of nodes. */
export interface Layered {
  nodes: LayeredNode[];
  ranks: number[][];
  /** Per input edge: the layered nodes it passes, source first, target last. */
  chains: number[][];
}

/** A topological order of `count` nodes; nodes on a cycle (none from the checker) follow in index order. */
function topological(count: number, edges: readonly [number, number][]): number[] {
  const indegree = new Array<number>(count).fill(0);
  const succs: number[][] = Array.from({ length: count }, () => []);
  for (const [a, b] of edges) {
    indegree[b]!++;
    succs[a]!.push(b);
  }
  const order: number[] = [];
  // `order` doubles as the queue: the nodes from `next` on are ready and not yet expanded.
  for (let i = 0; i < count; i++) if (indegree[i] === 0) order.push(i);
  for (let next = 0; next < order.length; next++)
    for (const s of succs[order[next]!]!) if (--indegree[s]! === 0) order.push(s);
  const placed = new Set(order);
  for (let i = 0; i < count; i++) if (!placed.has(i)) order.push(i);
  return order;
}

/**
 * Each node's rank: one below its lowest predecessor; a source (a model input) then moves down
 * to just above its first reader, so a second input read late does not sit at the top with a
 * long arrow.
 */
export function rankNodes(count: number, edges: readonly [number, number][]): number[] {
  const order = topological(count, edges);
  const position = new Map(order.map((n, i) => [n, i]));
  // Back edges (only on a cycle) are left out, so every kept edge points down.
  const kept = edges.filter(([a, b]) => position.get(a)! < position.get(b)!);
  const rank = new Array<number>(count).fill(0);
  const preds: number[][] = Array.from({ length: count }, () => []);
  const succs: number[][] = Array.from({ length: count }, () => []);
  for (const [a, b] of kept) {
    preds[b]!.push(a);
    succs[a]!.push(b);
  }
  for (const n of order) for (const p of preds[n]!) rank[n] = Math.max(rank[n]!, rank[p]! + 1);
  for (let n = 0; n < count; n++)
    if (preds[n]!.length === 0 && succs[n]!.length > 0)
      rank[n] = succs[n]!.reduce((r, s) => Math.min(r, rank[s]!), Infinity) - 1;
  return rank;
}

/** The layered graph of `count` nodes and their edges, ordered within ranks. */
export function layer(count: number, edges: readonly [number, number][]): Layered {
  const rank = rankNodes(count, edges);
  const nodes: LayeredNode[] = rank.map((r, i) => ({ rank: r, real: i, preds: [], succs: [] }));
  const link = (a: number, b: number) => {
    nodes[a]!.succs.push(b);
    nodes[b]!.preds.push(a);
  };
  const chains = edges.map(([a, b]) => {
    if (rank[b]! <= rank[a]!) return [a, b]; // a back edge: drawn as is, left out of ordering
    const chain = [a];
    for (let r = rank[a]! + 1; r < rank[b]!; r++) {
      nodes.push({ rank: r, real: null, preds: [], succs: [] });
      chain.push(nodes.length - 1);
    }
    chain.push(b);
    for (let i = 1; i < chain.length; i++) link(chain[i - 1]!, chain[i]!);
    return chain;
  });
  const depth = nodes.reduce((d, n) => Math.max(d, n.rank + 1), 0);
  const ranks: number[][] = Array.from({ length: depth }, () => []);
  for (const [i, n] of nodes.entries()) ranks[n.rank]!.push(i);
  return { nodes, ranks: orderRanks(nodes, ranks), chains };
}

const SWEEPS = 24;

/** Barycenter sweeps, down then up, keeping the order with the fewest crossings seen. */
function orderRanks(nodes: readonly LayeredNode[], initial: number[][]): number[][] {
  const ranks = initial.map((r) => [...r]);
  let best = ranks.map((r) => [...r]);
  let fewest = crossings(nodes, ranks);
  for (let sweep = 0; sweep < SWEEPS && fewest > 0; sweep++) {
    const down = sweep % 2 === 0;
    const position = positions(ranks);
    for (let k = 1; k < ranks.length; k++) {
      const r = down ? k : ranks.length - 1 - k;
      const neighbours = (n: number) => (down ? nodes[n]!.preds : nodes[n]!.succs);
      const key = (n: number) => {
        const ns = neighbours(n);
        return ns.length === 0
          ? position[n]!
          : ns.reduce((s, m) => s + position[m]!, 0) / ns.length;
      };
      const keys = new Map(ranks[r]!.map((n) => [n, key(n)]));
      ranks[r]!.sort((a, b) => keys.get(a)! - keys.get(b)! || position[a]! - position[b]!);
      ranks[r]!.forEach((n, i) => (position[n] = i));
    }
    const count = crossings(nodes, ranks);
    if (count < fewest) {
      fewest = count;
      best = ranks.map((r) => [...r]);
    }
  }
  return best;
}

/** Each node's index within its rank. */
function positions(ranks: readonly number[][]): number[] {
  const position: number[] = [];
  for (const r of ranks) r.forEach((n, i) => (position[n] = i));
  return position;
}

/**
 * How many pairs of edges cross between adjacent ranks: per pair of ranks, the segments sorted
 * by their upper end, then the inversions of their lower ends, counted with a Fenwick tree —
 * O(E log E), so a merge of thousands of branches stays quick.
 */
export function crossings(nodes: readonly LayeredNode[], ranks: readonly number[][]): number {
  const position = positions(ranks);
  let count = 0;
  for (let r = 0; r + 1 < ranks.length; r++) {
    const segments: [number, number][] = [];
    for (const a of ranks[r]!)
      for (const b of nodes[a]!.succs) segments.push([position[a]!, position[b]!]);
    segments.sort((s, t) => s[0] - t[0] || s[1] - t[1]);
    // tree[i]: how many lower ends seen so far fall in i's Fenwick range (1-based).
    const size = ranks[r + 1]!.length;
    const tree = new Array<number>(size + 1).fill(0);
    for (const [seen, [, b]] of segments.entries()) {
      let atMost = 0;
      for (let i = b + 1; i > 0; i -= i & -i) atMost += tree[i]!;
      count += seen - atMost;
      for (let i = b + 1; i <= size; i += i & -i) tree[i]!++;
    }
  }
  return count;
}
