import type { Range } from '../source/index.js';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A finding about the user's source: plain data, never an exception. */
export interface Diagnostic {
  /** Stable code such as 'NN2001'; never reused for another meaning. */
  code: string;
  severity: Severity;
  /** One sentence; names in single quotes; expected vs found. */
  message: string;
  /** The smallest culprit: the bad argument, not the whole layer. */
  range: Range;
  /** One actionable sentence, e.g. "Did you mean 'Dense'?". */
  hint?: string;
  related?: { range: Range; message: string }[];
  /** The file the range points into, when known. */
  file?: string;
}

/** Whether any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts by position, then severity, so output reads top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };
  return [...diagnostics].sort(
    (a, b) =>
      a.range.start.offset - b.range.start.offset ||
      rank[a.severity] - rank[b.severity] ||
      a.code.localeCompare(b.code),
  );
}
