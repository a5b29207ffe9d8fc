/**
 * The training health panel: the library's per-epoch reports (fit's `health` option) drawn as
 * the lectures explain them — each layer's gradient norm per epoch on a log scale (vanishing
 * near the bottom, exploding at the top), the last epoch's figures per layer (dead ReLU share,
 * saturated sigmoid/tanh share) and the warnings the library raised.
 */
import { drawingContext } from './canvas.js';
import type { HealthReport } from '../../src/index.js';
import { format } from './curves.js';

const palette = ['#1f6feb', '#d9480f', '#2f9e44', '#8250df', '#c2255c', '#0c8599', '#e8590c'];

export function drawHealth(container: HTMLElement, reports: readonly HealthReport[]): void {
  container.hidden = reports.length === 0;
  const last = reports.at(-1);
  if (!last) return;
  const canvas = container.querySelector('canvas')!;
  drawGradients(canvas, reports);
  const table = container.querySelector('table')!;
  const head = ['layer', 'class', 'grad norm', 'weight norm', 'dead ReLU', 'saturated'];
  const percent = (x: number | undefined) => (x === undefined ? '' : `${(x * 100).toFixed(0)}%`);
  table.replaceChildren(
    row('th', head),
    ...last.layers.map((l) =>
      row('td', [
        l.layer,
        l.className,
        format(l.gradientNorm),
        format(l.weightNorm),
        percent(l.deadRelu),
        percent(l.saturated),
      ]),
    ),
  );
  const warnings = container.querySelector('ul')!;
  const seen = new Map<string, string>();
  for (const r of reports)
    for (const w of r.warnings)
      seen.set(`${w.code} ${w.layer}`, `epoch ${r.epoch + 1}: ${w.message}`);
  warnings.replaceChildren(
    ...[...seen.values()].map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }),
  );
}

function row(cell: 'td' | 'th', values: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const v of values) {
    const c = document.createElement(cell);
    c.textContent = v;
    tr.append(c);
  }
  return tr;
}

/** log10 of each layer's gradient norm per epoch; layers without weights are left out. */
function drawGradients(canvas: HTMLCanvasElement, reports: readonly HealthReport[]): void {
  const { g, width, height } = drawingContext(canvas, { width: 320, height: 150 });
  const layers = reports[0]!.layers.map((l) => l.layer);
  const series = layers
    .map((name) => ({
      name,
      values: reports.map((r) => r.layers.find((l) => l.layer === name)?.gradientNorm ?? 0),
    }))
    .filter((s) => s.values.some((v) => v > 0));
  const logs = series.flatMap((s) => s.values.filter((v) => v > 0).map(Math.log10));
  if (logs.length === 0) return;
  let lo = Math.floor(Math.min(...logs));
  let hi = Math.ceil(Math.max(...logs));
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const left = 44;
  const top = 18;
  const plotW = width - left - 8;
  const plotH = height - top - 20;
  const x = (i: number) =>
    left + (reports.length <= 1 ? plotW / 2 : (i / (reports.length - 1)) * plotW);
  const y = (v: number) => top + (1 - (Math.log10(v) - lo) / (hi - lo)) * plotH;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#57606a';
  g.fillText('gradient norm per layer (log scale)', left, 12);
  g.strokeStyle = '#d0d7de';
  g.strokeRect(left, top, plotW, plotH);
  g.fillText(`1e${hi}`, 4, top + 8);
  g.fillText(`1e${lo}`, 4, top + plotH);
  series.forEach((s, k) => {
    g.strokeStyle = palette[k % palette.length]!;
    g.lineWidth = 1.6;
    g.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (!(v > 0)) return;
      if (started) g.lineTo(x(i), y(v));
      else g.moveTo(x(i), y(v));
      started = true;
    });
    g.stroke();
    g.fillStyle = palette[k % palette.length]!;
    g.fillText(s.name, left + 6 + (k % 4) * 80, height - 4 - Math.floor(k / 4) * 12);
  });
}
