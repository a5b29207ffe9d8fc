/**
 * Keras 3's `model.summary()` as plain text: the rich box table (HEAVY_HEAD, a rule between
 * rows), column widths from Keras's positions reduced the way rich reduces them, cells wrapped
 * at word boundaries and cut with '…', then the parameter counts with `{:,}` and byte sizes.
 */
import { shapeToString, type Shape } from '../layers/index.js';

export interface SummaryRow {
  name: string;
  className: string;
  /** Empty when the layer is unbuilt (Keras prints '?'). */
  outputShape: Shape;
  params: number | 'unbuilt';
}

export interface SummaryInput {
  modelName: string;
  rows: SummaryRow[];
  trainableParams: number;
  nonTrainableParams: number;
  /** Present once the optimizer has variables (after training): Keras adds them to the total. */
  optimizer?: { params: number; bytes: number };
}

export interface SummaryOptions {
  /** Keras's `line_length`; by default min(88, columns − 4). */
  lineLength?: number;
  /** Terminal width; Keras falls back to 80 when the output is not a terminal. */
  columns?: number;
}

/** Sequential-like models: three columns at these fractions of the line (Keras's positions). */
const positions = [0.45, 0.8, 1.0];
const headers = ['Layer (type)', 'Output Shape', 'Param #'];
const rightAligned = [false, false, true];
const bytesPerParam = 4; // float32

export function renderSummary(input: SummaryInput, options: SummaryOptions = {}): string {
  const lineLength = options.lineLength ?? Math.min(88, (options.columns ?? 80) - 4);
  const widths = columnWidths(lineLength);
  const out: string[] = [`Model: "${input.modelName}"`];
  const rule = (left: string, fill: string, mid: string, right: string) =>
    left + widths.map((w) => fill.repeat(w + 2)).join(mid) + right;

  out.push(rule('┏', '━', '┳', '┓'));
  out.push(...tableRow(headers, widths, '┃'));
  out.push(rule('┡', '━', '╇', '┩'));
  input.rows.forEach((row, i) => {
    if (i > 0) out.push(rule('├', '─', '┼', '┤'));
    out.push(...tableRow(rowCells(row), widths, '│'));
  });
  out.push(rule('└', '─', '┴', '┘'));

  const optimizer = input.optimizer ?? { params: 0, bytes: 0 };
  const trainableBytes = input.trainableParams * bytesPerParam;
  const nonTrainableBytes = input.nonTrainableParams * bytesPerParam;
  const total = input.trainableParams + input.nonTrainableParams + optimizer.params;
  out.push(footer('Total params', total, trainableBytes + nonTrainableBytes + optimizer.bytes));
  out.push(footer('Trainable params', input.trainableParams, trainableBytes));
  out.push(footer('Non-trainable params', input.nonTrainableParams, nonTrainableBytes));
  if (input.optimizer) out.push(footer('Optimizer params', optimizer.params, optimizer.bytes));
  return out.join('\n') + '\n';
}

function rowCells(row: SummaryRow): string[] {
  const shape = row.outputShape.length === 0 ? '?' : shapeToString(row.outputShape);
  const params = row.params === 'unbuilt' ? '0 (unbuilt)' : groupThousands(row.params);
  return [`${row.name} (${row.className})`, shape, params];
}

/**
 * Text widths of the columns. Keras asks for `int(pos·L)` differences; rich adds one space of
 * padding each side and, as the table must fit in L, takes the excess back column by column
 * (`ratio_reduce`: round(remaining / columns left), Python's round-half-even).
 */
export function columnWidths(lineLength: number): number[] {
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
function tableRow(cells: string[], widths: number[], edge: string): string[] {
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

function footer(label: string, count: number, bytes: number): string {
  return ` ${label}: ${groupThousands(count)} (${readableSize(bytes)})`;
}

/** Python's `f"{n:,}"`. */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Keras's `readable_memory_size`: 1024-based units, two decimals. */
export function readableSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  for (const unit of units.slice(0, -1)) {
    if (size / 1024 < 1) return `${toFixed2(size)} ${unit}`;
    size /= 1024;
  }
  return `${toFixed2(size)} ${units.at(-1)}`;
}

/** Python's `{:.2f}`: an exact tie rounds to even, where JavaScript's toFixed rounds up. */
function toFixed2(x: number): string {
  const scaled = x * 100;
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled))
    return (roundHalfEven(scaled) / 100).toFixed(2);
  return x.toFixed(2);
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
