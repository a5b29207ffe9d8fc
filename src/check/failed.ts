/**
 * Which written arguments failed to check: the binder gives such an argument its default, so the
 * rules that run after binding must tell it from a value the user chose (one mistake, one
 * diagnostic).
 */
import type { Diagnostic } from '../diagnostics/index.js';
import type { BoundCall } from './bind.js';

/**
 * The written arguments whose binding reported an error inside them (`activation='sofmax'`):
 * the binder gives them their default, which later rules must not take for the user's choice.
 */
export function failedArgs(b: BoundCall, reported: readonly Diagnostic[]): ReadonlySet<string> {
  const failed = new Set<string>();
  for (const d of reported) {
    if (d.severity !== 'error') continue;
    for (const [name, value] of Object.entries(b.ranges)) {
      const start = (b.keywordRanges[name] ?? value).start.offset;
      if (d.range.start.offset >= start && d.range.end.offset <= value.end.offset) failed.add(name);
    }
  }
  return failed;
}
