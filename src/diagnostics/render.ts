import type { LineMap } from '../source/index.js';
import type { Diagnostic } from './diagnostic.js';

/** The widest code-frame line; longer source lines are cut around the culprit. */
export const maxFrameWidth = 100;

/**
 * Characters that must not reach a terminal raw: C0 and C1 controls (escape sequences could
 * recolour or rewrite the screen), DEL, line and paragraph separators and bidirectional
 * overrides (which can reorder what a reader sees).
 */
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character written as an escape (`\x1b`, `\u202e`). */
export function escapeControls(text: string): string {
  return text.replace(unsafe, escapeChar).replace(/\n/g, '\\n');
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** One source line as shown in a frame: escaped, cut to `maxFrameWidth` around the culprit. */
interface FrameLine {
  text: string;
  /** 0-based display column of the first marked character, and how many to mark. */
  from: number;
  width: number;
}

/** Lays out `line` with columns [from, to) (0-based, in the source) marked. */
function frameLine(line: string, from: number, to: number): FrameLine {
  // Display offset of each source character (a tab shows as one space, a control as its escape).
  const at: number[] = [];
  let text = '';
  for (let i = 0; i < line.length; i++) {
    at.push(text.length);
    const c = line[i]!;
    text += c === '\t' ? ' ' : c.replace(unsafe, escapeChar);
  }
  at.push(text.length);
  const start = at[Math.min(from, line.length)]!;
  const end = Math.max(start + 1, at[Math.min(to, line.length)]!);
  if (text.length <= maxFrameWidth) return { text, from: start, width: end - start };
  // Keep a window that shows the start of the culprit with some context before it.
  const lead = Math.min(start, Math.floor(maxFrameWidth / 3));
  const left = start - lead;
  const right = Math.min(text.length, left + maxFrameWidth);
  const prefix = left > 0 ? '…' : '';
  const shown = prefix + text.slice(left, right) + (right < text.length ? '…' : '');
  const from0 = prefix.length + start - left;
  return { text: shown, from: from0, width: Math.max(1, Math.min(end, right) - start) };
}

/** Renders `file:line:col - error NN2001: message` with a code frame under it (tsc's layout). */
export function renderDiagnostic(
  d: Diagnostic,
  lines: LineMap,
  file = d.file ?? '<input>',
): string {
  const { start, end } = d.range;
  const name = escapeControls(file);
  const out = [
    `${name}:${start.line}:${start.column} - ${d.severity} ${d.code}: ${escapeControls(d.message)}`,
    '',
  ];
  const gutter = String(end.line).length;
  const lastLine = Math.min(end.line, start.line + 2);
  for (let line = start.line; line <= lastLine; line++) {
    const source = lines.lineText(line);
    const from = line === start.line ? start.column - 1 : 0;
    const to = line === end.line ? end.column - 1 : source.length;
    const shown = frameLine(source, from, to);
    out.push(`${String(line).padStart(gutter)} | ${shown.text}`);
    out.push(`${' '.repeat(gutter)} | ${' '.repeat(shown.from)}${'~'.repeat(shown.width)}`);
  }
  if (d.hint) out.push(`${' '.repeat(gutter)} = hint: ${escapeControls(d.hint)}`);
  for (const r of d.related ?? []) {
    out.push(
      `${' '.repeat(gutter)} = ${name}:${r.range.start.line}:${r.range.start.column}: ${escapeControls(r.message)}`,
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
