/**
 * Keras 3's `model.summary()` as plain text: the rich box table (HEAVY_HEAD, a rule between
 * rows), column widths from Keras's positions reduced the way rich reduces them, cells wrapped
 * at word boundaries and cut with '…', then the parameter counts with `{:,}` and byte sizes.
 */
import {
  groupThousands,
  readableSize,
  roundHalfEven,
  shapeToString,
  type Shape,
} from '../layers/index.js';

export { groupThousands, readableSize };

export interface SummaryRow {
  name: string;
  /** A functional model's "Connected to" cell: `dense[0][0], dense_1[0][0]`, or `-` for an input. */
  connectedTo?: string;
  className: string;
  /** Empty when the layer is unbuilt (Keras prints '?'). */
  outputShape: Shape;
  /**
   * The shapes of its outputs after the first, when it has several: Keras prints the flat list
   * of them all, `[(None, 8), (None, 8), (None, 8)]`.
   */
  extraOutputShapes?: Shape[];
  /** A bigint when the count passes 2^53 (Keras prints Python's exact integers). */
  params: number | bigint | 'unbuilt';
}

export interface SummaryInput {
  modelName: string;
  /** A functional model that is not one chain: Keras adds the "Connected to" column. */
  graph?: boolean;
  rows: SummaryRow[];
  trainableParams: number | bigint;
  nonTrainableParams: number | bigint;
  /** Present once the optimizer has variables (after training): Keras adds them to the total. */
  optimizer?: { params: number; bytes: number };
}

export interface SummaryOptions {
  /** Keras's `line_length`; by default min(88, columns − 4), or min(108, …) for a graph. */
  lineLength?: number;
  /** Terminal width; Keras falls back to 80 when the output is not a terminal. */
  columns?: number;
}

/** A table layout of Keras's: the columns at fractions of the line, its default line length. */
interface Layout {
  positions: number[];
  headers: string[];
  rightAligned: boolean[];
  lineLength: number;
}

/** Sequential-like models (one chain): three columns. */
const chainLayout: Layout = {
  positions: [0.45, 0.8, 1.0],
  headers: ['Layer (type)', 'Output Shape', 'Param #'],
  rightAligned: [false, false, true],
  lineLength: 88,
};

/** Other functional models: a fourth column says which layers feed each one. */
const graphLayout: Layout = {
  positions: [0.3, 0.56, 0.74, 1.0],
  headers: ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'],
  rightAligned: [false, false, true, false],
  lineLength: 108,
};
const bytesPerParam = 4n; // float32

export function renderSummary(input: SummaryInput, options: SummaryOptions = {}): string {
  const layout = input.graph ? graphLayout : chainLayout;
  const lineLength = options.lineLength ?? Math.min(layout.lineLength, (options.columns ?? 80) - 4);
  const widths = columnWidths(lineLength, layout.positions);
  const { headers, rightAligned } = layout;
  const out: string[] = [`Model: "${input.modelName}"`];
  const rule = (left: string, fill: string, mid: string, right: string) =>
    left + widths.map((w) => fill.repeat(w + 2)).join(mid) + right;

  out.push(rule('┏', '━', '┳', '┓'));
  out.push(...tableRow(headers, widths, rightAligned, '┃'));
  out.push(rule('┡', '━', '╇', '┩'));
  input.rows.forEach((row, i) => {
    if (i > 0) out.push(rule('├', '─', '┼', '┤'));
    const cells = rowCells(row);
    out.push(
      ...tableRow(
        input.graph ? [...cells, row.connectedTo ?? '-'] : cells,
        widths,
        rightAligned,
        '│',
      ),
    );
  });
  out.push(rule('└', '─', '┴', '┘'));

  const optimizer = input.optimizer ?? { params: 0, bytes: 0 };
  const trainable = BigInt(input.trainableParams);
  const nonTrainable = BigInt(input.nonTrainableParams);
  const trainableBytes = trainable * bytesPerParam;
  const nonTrainableBytes = nonTrainable * bytesPerParam;
  const total = trainable + nonTrainable + BigInt(optimizer.params);
  out.push(
    footer('Total params', total, trainableBytes + nonTrainableBytes + BigInt(optimizer.bytes)),
  );
  out.push(footer('Trainable params', trainable, trainableBytes));
  out.push(footer('Non-trainable params', nonTrainable, nonTrainableBytes));
  if (input.optimizer) out.push(footer('Optimizer params', optimizer.params, optimizer.bytes));
  return out.join('\n') + '\n';
}

function rowCells(row: SummaryRow): string[] {
  const shape =
    row.outputShape.length === 0
      ? '?'
      : row.extraOutputShapes
        ? `[${[row.outputShape, ...row.extraOutputShapes].map(shapeToString).join(', ')}]`
        : shapeToString(row.outputShape);
  const params = row.params === 'unbuilt' ? '0 (unbuilt)' : groupThousands(row.params);
  return [`${row.name} (${row.className})`, shape, params];
}

/**
 * Text widths of the columns. Keras asks for `int(pos·L)` differences; rich adds one space of
 * padding each side and, as the table must fit in L, takes the excess back column by column
 * (`ratio_reduce`: round(remaining / columns left), Python's round-half-even).
 */
export function columnWidths(
  lineLength: number,
  positions: readonly number[] = chainLayout.positions,
): number[] {
  let previous = 0;
  const padded = positions.map((p) => {
    const width = Math.floor(p * lineLength) - previous;
    previous += width;
    return width + 2;
  });
  let excess = padded.reduce((a, b) => a + b, 0) - (lineLength - (padded.length + 1));
  let left = padded.length;
  return padded.map((w) => {
    const cut = excess > 0 ? roundHalfEven(excess / left) : 0;
    excess -= cut;
    left -= 1;
    return w - cut - 2;
  });
}

/** One table row: each cell wrapped to its width, the row as tall as its tallest cell. */
function tableRow(
  cells: string[],
  widths: number[],
  rightAligned: readonly boolean[],
  edge: string,
): string[] {
  const wrapped = cells.map((text, i) => wrapCell(text, widths[i]!));
  const height = Math.max(...wrapped.map((lines) => lines.length));
  const lines: string[] = [];
  for (let y = 0; y < height; y++) {
    const parts = wrapped.map((cellLines, i) => {
      const text = cellLines[y] ?? '';
      const pad = ' '.repeat(widths[i]! - text.length);
      return ` ${rightAligned[i] ? pad + text : text + pad} `;
    });
    lines.push(edge + parts.join(edge) + edge);
  }
  return lines;
}

/**
 * rich's word wrap without folding (the columns' overflow is 'ellipsis'): a word moves to a
 * new line when it does not fit; a word longer than the width stands alone and is cut with '…'.
 */
export function wrapCell(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.match(/\S+\s*/g) ?? ['']) {
    if (line.length > 0 && line.length + word.trimEnd().length > width) {
      lines.push(line);
      line = '';
    }
    line += word;
  }
  lines.push(line);
  return lines.map((l) => {
    const trimmed = l.trimEnd();
    return trimmed.length > width ? trimmed.slice(0, width - 1) + '…' : trimmed;
  });
}

function footer(label: string, count: number | bigint, bytes: number | bigint): string {
  return ` ${label}: ${groupThousands(count)} (${readableSize(bytes)})`;
}
