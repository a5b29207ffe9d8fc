/**
 * A laid-out diagram as one self-contained SVG document: no scripts, no external fonts or
 * references, no ids (two diagrams inlined in one page cannot clash). Every text the user wrote
 * (layer and model names) goes through `escapeXml`, so a name like `</text><script>` is text.
 */
import type { BoxRow, TextRun } from './box.js';
import type { DiagramLayout, PlacedBox, Point, RoutedEdge } from './layout.js';
import { ARROW } from './layout.js';

const FONT = 'Helvetica, Arial, sans-serif';
const HEADER_FILL = '#000000';
const HEADER_TEXT = '#ffffff';
const BODY_FILL = '#ffffff';
const LINE_COLOR = '#000000';
const EDGE_COLOR = '#333333';

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate in the file: at most two decimals, no trailing zeros. */
function num(n: number): string {
  return String(Math.round(n * 100) / 100 + 0);
}

/** The diagram as an SVG document (UTF-8 text, one element per line). */
export function renderSvg(layout: DiagramLayout): string {
  const { width, height } = layout;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<title>${escapeXml(layout.name)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...layout.edges.map(drawEdge),
    ...layout.boxes.flatMap(drawBox),
    '</svg>',
    '',
  ].join('\n');
}

/** An edge: a path through its points, each bend a vertical S-curve, and a filled arrowhead. */
function drawEdge(edge: RoutedEdge): string {
  const [first, ...rest] = edge.points;
  let d = `M${num(first!.x)},${num(first!.y)}`;
  let at: Point = first!;
  for (const p of rest) {
    if (p.x === at.x) d += ` L${num(p.x)},${num(p.y)}`;
    else {
      const mid = num((at.y + p.y) / 2);
      d += ` C${num(at.x)},${mid} ${num(p.x)},${mid} ${num(p.x)},${num(p.y)}`;
    }
    at = p;
  }
  const { x, y } = edge.tip;
  const head = `M${num(x)},${num(y)} L${num(x - ARROW / 2)},${num(y - ARROW)} L${num(x + ARROW / 2)},${num(y - ARROW)} Z`;
  const ends = `data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}"`;
  return (
    `<g class="edge" ${ends}>` +
    `<path d="${d}" fill="none" stroke="${EDGE_COLOR}" stroke-width="1.2"/>` +
    `<path d="${head}" fill="${EDGE_COLOR}"/></g>`
  );
}

/** A box: its rows' backgrounds, the lines between cells, its frame, then the texts. */
function drawBox(box: PlacedBox): string[] {
  const out = [`<g class="node" data-id="${escapeXml(box.node.id)}">`];
  for (const row of box.content.rows) out.push(...drawRow(box, row));
  out.push(
    `<rect x="${num(box.x)}" y="${num(box.y)}" width="${num(box.width)}" height="${num(box.height)}" fill="none" stroke="${LINE_COLOR}"/>`,
    '</g>',
  );
  return out;
}

function drawRow(box: PlacedBox, row: BoxRow): string[] {
  const y = box.y + row.y;
  const out = [
    `<rect x="${num(box.x)}" y="${num(y)}" width="${num(box.width)}" height="${num(row.height)}" fill="${row.header ? HEADER_FILL : BODY_FILL}" stroke="${LINE_COLOR}"/>`,
  ];
  for (const [i, cell] of row.cells.entries()) {
    if (i > 0) {
      const x = num(box.x + cell.x);
      out.push(
        `<line x1="${x}" y1="${num(y)}" x2="${x}" y2="${num(y + row.height)}" stroke="${LINE_COLOR}"/>`,
      );
    }
    // The baseline sits a third of the font size below the row's middle, centering capitals.
    const baseline = y + row.height / 2 + row.size / 3;
    const fill = row.header ? ` fill="${HEADER_TEXT}"` : '';
    out.push(
      `<text x="${num(box.x + cell.x + cell.width / 2)}" y="${num(baseline)}" font-size="${row.size}" text-anchor="middle"${fill} xml:space="preserve">${cell.runs.map(span).join('')}</text>`,
    );
  }
  return out;
}

function span(run: TextRun): string {
  return run.bold
    ? `<tspan font-weight="bold">${escapeXml(run.text)}</tspan>`
    : escapeXml(run.text);
}
