import type { Range } from '../source/index.js';
import type { Diagnostic } from './diagnostic.js';
import { formatMessage, messages, type MessageKey } from './messages.js';

export type MessageArgs = Record<string, string | number>;

/** Builds a diagnostic from the message table. */
export function makeDiagnostic(
  key: MessageKey,
  range: Range,
  args: MessageArgs = {},
  extra: { hint?: string; related?: Diagnostic['related'] } = {},
): Diagnostic {
  const def = messages[key];
  const diagnostic: Diagnostic = {
    code: def.code,
    severity: def.severity,
    message: formatMessage(def.message, args),
    range,
  };
  const hint = extra.hint ?? ('hint' in def ? formatMessage(def.hint, args) : undefined);
  if (hint) diagnostic.hint = hint;
  if (extra.related?.length) diagnostic.related = extra.related;
  return diagnostic;
}

/** Collects diagnostics for one stage: `report(key, range, args)` is the only way to add one. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];

  report(
    key: MessageKey,
    range: Range,
    args?: MessageArgs,
    extra?: Parameters<typeof makeDiagnostic>[3],
  ): Diagnostic {
    const d = makeDiagnostic(key, range, args, extra);
    this.diagnostics.push(d);
    return d;
  }
}
