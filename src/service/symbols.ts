/** Document symbols (models → layers, results, compile, fit; constants) and folding ranges. */
import type { Analysis } from './analysis.js';
import { shapeText } from './hover.js';
import type { Range } from './positions.js';

export type SymbolKind = 'model' | 'layer' | 'result' | 'method' | 'constant';

export interface DocumentSymbol {
  name: string;
  kind: SymbolKind;
  detail?: string;
  /** The whole construct. */
  range: Range;
  /** The part to select and reveal: the name or callee. */
  selectionRange: Range;
  children: DocumentSymbol[];
}

/** The file's models with their layers, results, compile and fit, and its named constants. */
export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const r = (x: { start: { offset: number }; end: { offset: number } }) =>
    a.index.range(x.start.offset, x.end.offset);
  const constants = (inside: (o: number) => boolean): DocumentSymbol[] =>
    [...a.symbols.symbols.values()]
      .filter((s) => s.kind === 'constant' && inside(s.id))
      .map((s) => ({
        name: s.name,
        kind: 'constant' as const,
        detail: 'constant',
        range: r(s.node.range),
        selectionRange: a.index.range(s.id, s.id + s.name.length),
        children: [],
      }));
  const blocks = [...a.symbols.symbols.values()].filter((s) => s.kind === 'model');
  for (const model of a.result.models) {
    const block = blocks.find((b) => b.node.range.start.offset === model.range.start.offset);
    const children: DocumentSymbol[] = model.layers.map((l) => ({
      name: l.name,
      kind: 'layer' as const,
      detail: `${l.className} → ${shapeText(l.outputShape)}`,
      range: r(l.range),
      selectionRange: r(l.range),
      children: [],
    }));
    for (const [call, config] of [
      ['compile', model.compile],
      ['fit', model.fit],
    ] as const)
      if (config)
        children.push({
          name: call,
          kind: 'method',
          range: r(config.range),
          selectionRange: r(config.range),
          children: [],
        });
    // A graph's results, each definition of a name on its own (a name given again is a new result).
    const own = block?.node.kind === 'Model' ? block.node : undefined;
    for (const s of a.symbols.symbols.values())
      if (s.kind === 'result' && s.model === own && s.result)
        children.push({
          name: s.name,
          kind: 'result',
          detail: s.result.madeBy ? shapeText(s.result.shape) : 'result',
          range: r(s.node.range),
          selectionRange: a.index.range(s.id, s.id + s.name.length),
          children: [],
        });
    if (block && block.node.kind === 'Model') {
      const { start, end } = {
        start: block.node.range.start.offset,
        end: block.node.range.end.offset,
      };
      children.push(...constants((o) => start <= o && o <= end));
    }
    children.sort(
      (x, y) =>
        x.range.start.line - y.range.start.line ||
        x.range.start.character - y.range.start.character,
    );
    const nameRange = block
      ? a.index.range(block.id, block.id + block.name.length)
      : r(model.range);
    out.push({
      name: model.name,
      kind: 'model',
      detail: `${model.layers.length} layer${model.layers.length === 1 ? '' : 's'}`,
      range: r(model.range),
      selectionRange: nameRange,
      children,
    });
  }
  out.push(
    ...constants(
      (o) => !blocks.some((b) => b.node.range.start.offset <= o && o <= b.node.range.end.offset),
    ),
  );
  return out.sort(
    (x, y) =>
      x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character,
  );
}

export interface FoldingRange {
  /** 0-based lines, inclusive. */
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

/** Model blocks, statements over several lines, and runs of comment lines. */
export function foldingRanges(a: Analysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  const lineOf = (o: number) => a.index.position(o).line;
  const add = (start: number, end: number, kind?: FoldingRange['kind']) => {
    const s = lineOf(start);
    const e = lineOf(end);
    if (e > s) out.push(kind ? { startLine: s, endLine: e, kind } : { startLine: s, endLine: e });
  };
  for (const s of a.result.ast.body) {
    add(s.range.start.offset, s.range.end.offset);
    if (s.kind === 'Model') for (const b of s.body) add(b.range.start.offset, b.range.end.offset);
  }
  let run: { start: number; end: number; line: number } | undefined;
  for (const c of a.comments) {
    const line = lineOf(c.start);
    if (run && line === run.line + 1 && a.text.slice(run.end, c.start).trim() === '') {
      run.end = c.end;
      run.line = line;
      continue;
    }
    if (run) add(run.start, run.end, 'comment');
    run = { start: c.start, end: c.end, line };
  }
  if (run) add(run.start, run.end, 'comment');
  return out.sort((x, y) => x.startLine - y.startLine || y.endLine - x.endLine);
}
