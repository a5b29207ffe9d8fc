/** `nn check <files…> [--format json] [--max-errors N]`: every file's diagnostics; exit 1 on any error. */
import { check } from '../compiler.js';
import {
  diagnosticToJson,
  escapeControls,
  hasErrors,
  renderDiagnostic,
  makeDiagnostic,
  type Diagnostic,
} from '../diagnostics/index.js';
import { LineMap } from '../source/index.js';
import { readSource } from './io.js';

/** How many diagnostics of one file `nn check` prints unless `--max-errors` says otherwise. */
export const defaultMaxErrors = 50;

/** How `nn check` prints: text or JSON, and how many diagnostics per file. */
export interface CheckOptions {
  format: 'text' | 'json';
  /** The most diagnostics printed per file (text format); 0 prints them all. */
  maxErrors?: number;
}

/** Checks each file and prints its diagnostics; returns the exit code. */
export function runCheck(files: string[], options: CheckOptions, out: (s: string) => void): number {
  const json: Record<string, unknown>[] = [];
  const cap = options.maxErrors ?? defaultMaxErrors;
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    const read = readSource(file);
    const lines = new LineMap('text' in read ? read.text : '');
    const diagnostics: Diagnostic[] =
      'text' in read
        ? check(read.text, file).diagnostics
        : [makeDiagnostic('fileNotFound', lines.range(0, 0), { path: file, why: read.error })];
    if (hasErrors(diagnostics)) errors += diagnostics.filter((d) => d.severity === 'error').length;
    warnings += diagnostics.filter((d) => d.severity === 'warning').length;
    if (options.format === 'json') {
      json.push(...diagnostics.map((d) => diagnosticToJson(d, file)));
      continue;
    }
    const shown = cap > 0 ? diagnostics.slice(0, cap) : diagnostics;
    for (const d of shown) out(renderDiagnostic(d, lines, file));
    const more = diagnostics.length - shown.length;
    if (more > 0)
      out(
        `… and ${more} more diagnostic${more === 1 ? '' : 's'} in ${escapeControls(file)} (--max-errors ${diagnostics.length} shows them all).\n\n`,
      );
  }
  if (options.format === 'json') out(JSON.stringify(json, null, 2) + '\n');
  else if (errors + warnings > 0)
    out(
      `Found ${errors} error${errors === 1 ? '' : 's'} and ${warnings} warning${warnings === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}.\n`,
    );
  else out(`${files.length === 1 ? files[0] : `${files.length} files`}: no errors or warnings.\n`);
  return errors > 0 ? 1 : 0;
}
