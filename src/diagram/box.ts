/**
 * A node's box as Keras 3's `plot_model(show_shapes=True, show_layer_activations=True)` draws
 * it: a dark header with the layer's name in bold and its class, a row "Activation: relu" for
 * layers that hold one, and a row of cells "Input shape: …" | "Output shape: …" (inputs show
 * only their output). Sizes come from measured text, so the layout can place boxes before any
 * drawing.
 */
import { shapeToString, type Shape } from '../layers/index.js';
import type { DiagramNode } from './model.js';
import { textWidth } from './text.js';

/** A stretch of text in one weight. */
export interface TextRun {
  text: string;
  bold: boolean;
}

/** A cell of a row: its text and its left edge and width inside the box. */
export interface BoxCell {
  runs: TextRun[];
  x: number;
  width: number;
}

/** A row of the box: the header (light text on dark) or a body row. */
export interface BoxRow {
  header: boolean;
  /** Its top inside the box. */
  y: number;
  height: number;
  /** Font size in pixels. */
  size: number;
  cells: BoxCell[];
}

/** What a box holds and how big it is. */
export interface BoxContent {
  width: number;
  height: number;
  rows: BoxRow[];
}

export const HEADER_SIZE = 14;
export const BODY_SIZE = 12;
const PAD_X = 10;
const PAD_Y = 6;
/** A line of text is this many times its font size tall. */
const LINE = 1.3;

/** How Keras prints a layer's shapes: `(None, 8)`, a list for several inputs, `?` when unknown. */
export function formatShapes(shapes: readonly (Shape | null)[]): string {
  const one = (s: Shape | null) => (s === null ? '?' : shapeToString(s));
  return shapes.length === 1 ? one(shapes[0]!) : `[${shapes.map(one).join(', ')}]`;
}

function runsWidth(runs: readonly TextRun[], size: number): number {
  return runs.reduce((w, r) => w + textWidth(r.text, size, r.bold), 0);
}

/** The rows' texts of a node, each row a list of cells. */
function texts(node: DiagramNode): { header: boolean; size: number; cells: TextRun[][] }[] {
  const label = (text: string, value: string): TextRun[] => [
    { text, bold: false },
    { text: value, bold: true },
  ];
  const outputs = [node.outputShape, ...(node.extraOutputShapes ?? [])];
  const shapes = [label('Output shape: ', formatShapes(outputs))];
  if (node.className !== 'InputLayer')
    shapes.unshift(label('Input shape: ', formatShapes(node.inputShapes)));
  return [
    {
      header: true,
      size: HEADER_SIZE,
      cells: [
        [
          { text: node.name, bold: true },
          { text: ` (${node.className})`, bold: false },
        ],
      ],
    },
    ...(node.activation === null
      ? []
      : [{ header: false, size: BODY_SIZE, cells: [label('Activation: ', node.activation)] }]),
    { header: false, size: BODY_SIZE, cells: shapes },
  ];
}

/** The box of a node: rows stacked, each as wide as the widest, its spare width shared by its cells. */
export function boxOf(node: DiagramNode): BoxContent {
  const rows = texts(node);
  const natural = rows.map((r) => r.cells.map((c) => runsWidth(c, r.size) + 2 * PAD_X));
  const width = Math.ceil(Math.max(...natural.map((ws) => ws.reduce((a, b) => a + b, 0))));
  let y = 0;
  const placed = rows.map((row, i) => {
    const widths = natural[i]!;
    const spare = (width - widths.reduce((a, b) => a + b, 0)) / widths.length;
    let x = 0;
    const cells = row.cells.map((runs, j) => {
      const cell = { runs, x, width: widths[j]! + spare };
      x += cell.width;
      return cell;
    });
    const height = Math.ceil(row.size * LINE + 2 * PAD_Y);
    const out = { header: row.header, y, height, size: row.size, cells };
    y += height;
    return out;
  });
  return { width, height: y, rows: placed };
}
