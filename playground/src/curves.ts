/**
 * Live training curves on a canvas: one chart per quantity (the loss, each metric), the
 * training series solid and the validation series (`val_…`) dashed, redrawn at each epoch.
 */
import { drawingContext } from './canvas.js';
export type Series = Record<string, number[]>;

const colors = { train: '#1f6feb', val: '#d9480f' };

/** The chart's quantities: 'loss' first, then each metric; their `val_` twins share its chart. */
export function quantities(history: Series): string[] {
  const names = Object.keys(history).filter((k) => !k.startsWith('val_'));
  return names.sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
}

export function drawChart(canvas: HTMLCanvasElement, name: string, history: Series): void {
  const { g, width, height } = drawingContext(canvas, { width: 320, height: 160 });
  const series = [
    { label: name, values: history[name] ?? [], color: colors.train, dash: [] as number[] },
    { label: `val_${name}`, values: history[`val_${name}`] ?? [], color: colors.val, dash: [5, 4] },
  ].filter((s) => s.values.length > 0);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const left = 44;
  const right = 8;
  const top = 18;
  const bottom = 20;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#57606a';
  g.fillText(name, left, 12);
  if (all.length === 0) return;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const epochs = Math.max(...series.map((s) => s.values.length));
  const x = (i: number) => left + (epochs <= 1 ? plotW / 2 : (i / (epochs - 1)) * plotW);
  const y = (v: number) => top + (1 - (v - lo) / (hi - lo)) * plotH;
  g.strokeStyle = '#d0d7de';
  g.lineWidth = 1;
  g.strokeRect(left, top, plotW, plotH);
  g.fillText(format(hi), 2, top + 8);
  g.fillText(format(lo), 2, top + plotH);
  g.fillText(`epoch ${epochs}`, left + plotW - 60, height - 5);
  let legendX = left + 60;
  for (const s of series) {
    g.strokeStyle = s.color;
    g.setLineDash(s.dash);
    g.lineWidth = 1.6;
    g.beginPath();
    s.values.forEach((v, i) => (i === 0 ? g.moveTo(x(i), y(v)) : g.lineTo(x(i), y(v))));
    g.stroke();
    g.beginPath();
    g.moveTo(legendX, 8);
    g.lineTo(legendX + 16, 8);
    g.stroke();
    g.setLineDash([]);
    g.fillStyle = '#24292f';
    g.fillText(`${s.label} ${format(s.values.at(-1)!)}`, legendX + 20, 12);
    legendX += 130;
  }
}

export function format(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(4);
}
