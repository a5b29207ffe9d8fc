/**
 * A training health report as text (`nn train --health` prints one after each epoch): a
 * compact table — layer, class, gradient norm, weight norm, dead ReLU %, saturated % — then
 * the warnings, one per line.
 */
import { formatNumber, formatPercent, type HealthReport } from './health.js';

export function formatHealthReport(report: HealthReport): string {
  const header = ['layer', 'class', 'grad norm', 'weight norm', 'dead ReLU', 'saturated'];
  const rows = report.layers.map((l) => [
    l.layer,
    l.className,
    formatNumber(l.gradientNorm),
    formatNumber(l.weightNorm),
    l.deadRelu === undefined ? '-' : formatPercent(l.deadRelu),
    l.saturated === undefined ? '-' : formatPercent(l.saturated),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  // Names and classes to the left, figures to the right.
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((c, j) => (j < 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!)))
      .join('  ')
      .trimEnd();
  const warnings = report.warnings.map((w) => `  warning ${w.code} (${w.layer}): ${w.message}`);
  return [
    `Training health, epoch ${report.epoch + 1}:`,
    line(header),
    ...rows.map(line),
    ...warnings,
    '',
  ].join('\n');
}
