/** The checker's diagnostics in the service's positions, with a docs link per code and tags. */
import type { Severity } from '../diagnostics/index.js';
import type { Analysis } from './analysis.js';
import type { Range } from './positions.js';

export type DiagnosticTag = 'unnecessary' | 'deprecated';

export interface ServiceDiagnostic {
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  /** The hint, when the checker gives one: one actionable sentence. */
  hint?: string;
  /** Where the code is explained (README's table of diagnostic codes). */
  docsUrl: string;
  related: { range: Range; message: string }[];
  tags: DiagnosticTag[];
}

/** Codes whose flagged text does nothing or is a legacy spelling. */
const tagsByCode: Record<string, DiagnosticTag[]> = {
  NN2009: ['deprecated'], // legacy alias: lr, alpha
  NN2014: ['deprecated'], // deprecated argument
  NN2019: ['unnecessary'], // ignored argument
  NN3006: ['unnecessary'], // input_shape on a later layer: ignored
};

export const defaultDocsBase = 'https://github.com/nnlang/nnlang/blob/main/README.md';

/** README's diagnostics table, the anchor GitHub gives the "Diagnostic codes" heading. */
export function docsUrlOf(code: string, base = defaultDocsBase): string {
  void code; // one table holds every code
  return `${base}#diagnostic-codes`;
}

export function diagnostics(a: Analysis, docsBase = defaultDocsBase): ServiceDiagnostic[] {
  return a.result.diagnostics.map((d) => {
    const out: ServiceDiagnostic = {
      range: a.index.fromSource(d.range),
      severity: d.severity,
      code: d.code,
      message: d.message,
      docsUrl: docsUrlOf(d.code, docsBase),
      related: (d.related ?? []).map((r) => ({
        range: a.index.fromSource(r.range),
        message: r.message,
      })),
      tags: tagsByCode[d.code] ?? [],
    };
    if (d.hint) out.hint = d.hint;
    return out;
  });
}
