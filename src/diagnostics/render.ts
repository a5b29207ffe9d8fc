import type { LineMap } from '../source/index.js';
import type { Diagnostic } from './diagnostic.js';

/** Renders `file:line:col - error NN2001: message` with a code frame under it (tsc's layout). */
export function renderDiagnostic(
  d: Diagnostic,
  lines: LineMap,
  file = d.file ?? '<input>',
): string {
  const { start, end } = d.range;
  const out = [`${file}:${start.line}:${start.column} - ${d.severity} ${d.code}: ${d.message}`, ''];
  const gutter = String(end.line).length;
  const lastLine = Math.min(end.line, start.line + 2);
  for (let line = start.line; line <= lastLine; line++) {
    const text = lines.lineText(line).replace(/\t/g, ' ');
    out.push(`${String(line).padStart(gutter)} | ${text}`);
    const from = line === start.line ? start.column : 1;
    const to = line === end.line ? end.column : text.length + 1;
    const width = Math.max(1, to - from);
    out.push(`${' '.repeat(gutter)} | ${' '.repeat(from - 1)}${'~'.repeat(width)}`);
  }
  if (d.hint) out.push(`${' '.repeat(gutter)} = hint: ${d.hint}`);
  for (const r of d.related ?? []) {
    out.push(
      `${' '.repeat(gutter)} = ${file}:${r.range.start.line}:${r.range.start.column}: ${r.message}`,
    );
  }
  return out.join('\n') + '\n';
}

/** Diagnostic as JSON for `--format json`: 1-based line/column ranges. */
export function diagnosticToJson(d: Diagnostic, file?: string): Record<string, unknown> {
  const pos = (p: Diagnostic['range']['start']) => ({
    line: p.line,
    column: p.column,
    offset: p.offset,
  });
  return {
    file: file ?? d.file,
    severity: d.severity,
    code: d.code,
    message: d.message,
    range: { start: pos(d.range.start), end: pos(d.range.end) },
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.related
      ? {
          related: d.related.map((r) => ({
            message: r.message,
            range: { start: pos(r.range.start), end: pos(r.range.end) },
          })),
        }
      : {}),
  };
}
