/**
 * Training curves as a self-contained SVG file (no dependencies, no scripts, no external
 * fonts): one panel for the loss and one per metric, epochs on x, training solid and
 * validation dashed, the way the lectures plot `history.history` with matplotlib.
 */

import { escapeXml } from '../diagram/index.js';

/** Shared with the model diagrams (src/diagram), which escape layer names the same way. */
export { escapeXml };

/** Size and title of the picture. */
export interface PlotOptions {
  /** A heading above the panels (e.g. the model's name). */
  title?: string;
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 260 per panel, plus the heading). */
  height?: number;
}

/** Ticks of an axis: a 1-2-5 step, the tick values and the domain [lo, hi] they span. */
export interface Ticks {
  step: number;
  ticks: number[];
  lo: number;
  hi: number;
}

const TRAIN_COLOR = '#1f77b4';
const VALIDATION_COLOR = '#ff7f0e';
const PANEL_HEIGHT = 260;
const HEADING = 32;
/** Space around each plot area; the left margin grows with the widest y tick label. */
const MARGIN = { left: 64, right: 20, top: 30, bottom: 46 };
const AXIS_COLOR = '#333333';

/**
 * Ticks for the range [min, max] (min < max) at a step of 1, 2 or 5 × 10^k chosen so about
 * `count` ticks cover it; `lo`/`hi` are the multiples of the step just outside the range.
 * `integer` keeps the step at least 1 (epochs).
 */
export function niceTicks(min: number, max: number, count = 6, integer = false): Ticks {
  if (!(max > min) || !Number.isFinite(max - min)) {
    throw new RangeError(`niceTicks: need finite min < max, got ${min} and ${max}`);
  }
  const raw = (max - min) / Math.max(1, count - 1);
  let power = Math.floor(Math.log10(raw));
  const fraction = raw / 10 ** power;
  // The tolerance keeps float noise (0.55 − 0.45 = 0.10000000000000003) from bumping a step of 2 to 5.
  let multiple =
    fraction <= 1 + 1e-9 ? 1 : fraction <= 2 + 1e-9 ? 2 : fraction <= 5 + 1e-9 ? 5 : 10;
  if (multiple === 10) {
    multiple = 1;
    power++;
  }
  if (integer && power < 0) {
    multiple = 1;
    power = 0;
  }
  // k·multiple·10^power, computed as an integer over a power of ten so 0.6 prints as 0.6.
  const at = (k: number) =>
    power >= 0 ? k * multiple * 10 ** power : (k * multiple) / 10 ** -power;
  const step = at(1);
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(at(k) + 0);
  return { step, ticks, lo: at(first), hi: at(last) };
}

/** A tick's label: fixed decimals for the step's precision, or exponent notation for tiny and huge values. */
export function formatTick(value: number, step: number): string {
  const magnitude = Math.max(Math.abs(value), step);
  if (step < 1e-4 || magnitude >= 1e7) {
    return value === 0 ? '0' : Number(value.toPrecision(6)).toExponential();
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (value + 0).toFixed(decimals).replace(/^-(0\.?0*)$/, '$1');
}

/** Renders `history.history` (e.g. { loss, val_loss, accuracy, val_accuracy }) as an SVG document. */
export function renderHistorySvg(
  history: Readonly<Record<string, readonly number[]>>,
  options: PlotOptions = {},
): string {
  const panels = panelNames(history).map((name) => buildPanel(history, name));
  const heading = options.title === undefined ? 0 : HEADING;
  const width = options.width ?? 640;
  const height = options.height ?? heading + PANEL_HEIGHT * Math.max(1, panels.length);
  const panelHeight = (height - heading) / Math.max(1, panels.length);
  const epochs = Math.max(0, ...Object.values(history).map((v) => v.length));
  const body: string[] = [
    el('title', {}, options.title ?? 'Training history'),
    el('rect', { width, height, fill: '#ffffff' }),
  ];
  if (options.title !== undefined) {
    const attrs = { x: width / 2, y: 22, 'text-anchor': 'middle', 'font-size': 16 };
    body.push(el('text', { ...attrs, 'font-weight': 'bold' }, options.title));
  }
  if (panels.length === 0 || epochs === 0) {
    const attrs = { x: width / 2, y: heading + panelHeight / 2, 'text-anchor': 'middle' };
    body.push(el('text', { ...attrs, fill: '#666666' }, 'no training history to plot'));
  } else {
    // One left margin for all panels, wide enough for the widest y tick label, so they align.
    const labels = panels.flatMap((p) => p.yTicks.ticks.map((t) => formatTick(t, p.yTicks.step)));
    const left = Math.max(MARGIN.left, 30 + 7 * Math.max(...labels.map((l) => l.length)));
    panels.forEach((panel, i) => {
      const box = { x: 0, y: heading + i * panelHeight, width, height: panelHeight };
      body.push(renderPanel(panel, epochs, box, left));
    });
  }
  const svg = {
    xmlns: 'http://www.w3.org/2000/svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    'font-family': 'sans-serif',
    'font-size': 12,
  };
  return `${group('svg', svg, body)}\n`;
}

/** The panels: 'loss' first, then every other quantity in name order; `val_x` joins the panel of `x`. */
function panelNames(history: Readonly<Record<string, readonly number[]>>): string[] {
  const names = new Set(Object.keys(history).map((k) => (k.startsWith('val_') ? k.slice(4) : k)));
  return [...names].sort((a, b) =>
    a === 'loss' ? -1 : b === 'loss' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Series {
  key: string;
  values: readonly number[];
  validation: boolean;
}

/** One panel's data: the quantity, its training and validation series, and the y ticks over them. */
interface Panel {
  name: string;
  series: Series[];
  yTicks: Ticks & { empty: boolean };
}

function buildPanel(history: Readonly<Record<string, readonly number[]>>, name: string): Panel {
  const series: Series[] = [];
  const training = history[name];
  const validation = history[`val_${name}`];
  if (training) series.push({ key: name, values: training, validation: false });
  if (validation) series.push({ key: `val_${name}`, values: validation, validation: true });
  return { name, series, yTicks: valueTicks(series) };
}

/** Maps epochs and values to pixels inside the plot area. */
interface Scales {
  x: (epoch: number) => number;
  y: (value: number) => number;
}

/** A panel in `box`, its plot area `left` pixels from the box's left edge. */
function renderPanel(panel: Panel, epochs: number, box: Box, left: number): string {
  const { name, series, yTicks } = panel;
  const plot: Box = {
    x: box.x + left,
    y: box.y + MARGIN.top,
    width: Math.max(10, box.width - left - MARGIN.right),
    height: Math.max(10, box.height - MARGIN.top - MARGIN.bottom),
  };
  // One epoch sits in the middle of [0.5, 1.5]; otherwise epoch 1 is the left edge.
  const [xLo, xHi] = epochs === 1 ? [0.5, 1.5] : [1, epochs];
  const scales: Scales = {
    x: (epoch) => plot.x + ((epoch - xLo) / (xHi - xLo)) * plot.width,
    y: (v) => plot.y + plot.height - ((v - yTicks.lo) / (yTicks.hi - yTicks.lo)) * plot.height,
  };
  const xTicks = epochs === 1 ? [1] : niceTicks(1, epochs, 8, true).ticks.filter((t) => t >= 1);
  const title = series.some((s) => s.validation)
    ? `training and validation ${name}`
    : `training ${name}`;
  const center = plot.x + plot.width / 2;
  const parts = [
    el('text', { x: center, y: box.y + 20, 'text-anchor': 'middle', 'font-size': 14 }, title),
    renderGrid(yTicks.ticks, plot, scales),
    el('rect', { ...plot, fill: 'none', stroke: AXIS_COLOR }),
    renderXAxis(xTicks, plot, scales),
    renderYAxis(name, yTicks, plot, scales, box.x + 14),
  ];
  if (yTicks.empty) {
    const attrs = { x: center, y: plot.y + plot.height / 2, 'text-anchor': 'middle' };
    parts.push(el('text', { ...attrs, fill: '#666666' }, 'no finite values'));
  }
  for (const s of series) parts.push(renderSeries(s, scales));
  parts.push(renderLegend(series, plot, legendAtBottom(series, epochs, yTicks)));
  return group('g', { class: 'panel', 'data-name': name }, parts);
}

function renderGrid(ticks: number[], plot: Box, scales: Scales): string {
  const lines = ticks.map((t) =>
    el('line', { x1: plot.x, y1: scales.y(t), x2: plot.x + plot.width, y2: scales.y(t) }),
  );
  return group('g', { class: 'grid', stroke: '#e5e5e5' }, lines);
}

function renderXAxis(ticks: number[], plot: Box, scales: Scales): string {
  const bottom = plot.y + plot.height;
  const parts: string[] = [];
  for (const t of ticks) {
    const x = scales.x(t);
    parts.push(el('line', { x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: AXIS_COLOR }));
    parts.push(el('text', { x, y: bottom + 18 }, String(t)));
  }
  parts.push(el('text', { x: plot.x + plot.width / 2, y: bottom + 36 }, 'epoch'));
  return group('g', { class: 'axis x', 'text-anchor': 'middle' }, parts);
}

function renderYAxis(
  name: string,
  ticks: Ticks,
  plot: Box,
  scales: Scales,
  labelX: number,
): string {
  const parts: string[] = [];
  for (const t of ticks.ticks) {
    const y = scales.y(t);
    parts.push(el('line', { x1: plot.x - 5, y1: y, x2: plot.x, y2: y, stroke: AXIS_COLOR }));
    parts.push(el('text', { x: plot.x - 8, y, dy: '0.32em' }, formatTick(t, ticks.step)));
  }
  const labelY = plot.y + plot.height / 2;
  const rotate = `rotate(-90 ${num(labelX)} ${num(labelY)})`;
  parts.push(
    el('text', { x: labelX, y: labelY, 'text-anchor': 'middle', transform: rotate }, name),
  );
  return group('g', { class: 'axis y', 'text-anchor': 'end' }, parts);
}

/** The y ticks over the finite values of the panel (a flat series gets a band around its value). */
function valueTicks(series: Series[]): Ticks & { empty: boolean } {
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) return { ...niceTicks(0, 1), empty: true };
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return { ...niceTicks(min - pad, max + pad), empty: false };
  }
  // A 5% margin keeps points off the frame, but does not cross 0 or 1 (losses, accuracies).
  const margin = (max - min) * 0.05;
  const lo = min >= 0 && min - margin < 0 ? 0 : min - margin;
  const hi = max <= 1 && max + margin > 1 ? 1 : max + margin;
  return { ...niceTicks(lo, hi), empty: false };
}

/** Whether the legend goes bottom-right: when more of the right part's points are high than low. */
function legendAtBottom(series: Series[], epochs: number, yTicks: Ticks): boolean {
  let high = 0;
  let low = 0;
  for (const s of series) {
    for (let i = Math.floor(epochs * 0.6); i < s.values.length; i++) {
      const v = s.values[i]!;
      if (!Number.isFinite(v)) continue;
      const position = (v - yTicks.lo) / (yTicks.hi - yTicks.lo);
      if (position > 0.6) high++;
      else if (position < 0.4) low++;
    }
  }
  return high > low;
}

function colorOf(s: Series): string {
  return s.validation ? VALIDATION_COLOR : TRAIN_COLOR;
}

/** The stroke of a series: solid for training, dashed for validation. */
function strokeOf(s: Series): Attributes {
  const dash: Attributes = s.validation ? { 'stroke-dasharray': '6 4' } : {};
  return { stroke: colorOf(s), 'stroke-width': 2, ...dash };
}

/** One line per run of finite values (NaN and ±Infinity leave gaps); a run of one point is a dot. */
function renderSeries(s: Series, scales: Scales): string {
  const parts: string[] = [];
  let run: [number, number][] = [];
  const flush = () => {
    if (run.length === 1) {
      const [cx, cy] = run[0]!;
      parts.push(el('circle', { cx, cy, r: 3, fill: colorOf(s) }));
    } else if (run.length > 1) {
      const points = run.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
      parts.push(el('polyline', { points, fill: 'none', ...strokeOf(s) }));
    }
    run = [];
  };
  s.values.forEach((v, i) => {
    if (Number.isFinite(v)) run.push([scales.x(i + 1), scales.y(v)]);
    else flush();
  });
  flush();
  const attrs = { class: `series ${s.validation ? 'validation' : 'training'}`, 'data-key': s.key };
  return group('g', attrs, parts);
}

/** The legend in the plot's top-right (or bottom-right) corner: a line sample and the log key per series. */
function renderLegend(series: Series[], plot: Box, bottom: boolean): string {
  const width = 40 + 7 * Math.max(...series.map((s) => s.key.length));
  const height = 8 + 18 * series.length;
  const x = plot.x + plot.width - width - 8;
  const y = bottom ? plot.y + plot.height - height - 8 : plot.y + 8;
  const frame = { fill: '#ffffff', 'fill-opacity': 0.85, stroke: '#cccccc' };
  const parts = [el('rect', { x, y, width, height, ...frame })];
  series.forEach((s, i) => {
    const rowY = y + 14 + 18 * i;
    parts.push(el('line', { x1: x + 6, y1: rowY, x2: x + 30, y2: rowY, ...strokeOf(s) }));
    parts.push(el('text', { x: x + 36, y: rowY, dy: '0.32em' }, s.key));
  });
  return group('g', { class: 'legend' }, parts);
}

type Attributes = Record<string, string | number>;

/** An element: numbers rounded to 0.01 px, strings and text escaped; self-closing without text. */
function el(name: string, attributes: Attributes, text?: string): string {
  const open = `<${name}${attributeText(attributes)}`;
  return text === undefined ? `${open}/>` : `${open}>${escapeXml(text)}</${name}>`;
}

/** An element around already rendered children, one per line. */
function group(name: string, attributes: Attributes, children: string[]): string {
  return [`<${name}${attributeText(attributes)}>`, ...children, `</${name}>`].join('\n');
}

function attributeText(attributes: Attributes): string {
  let text = '';
  for (const [key, value] of Object.entries(attributes)) {
    text += ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return text;
}

/** A coordinate with at most two decimals. */
function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}
