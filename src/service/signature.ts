/** Signature help: the signature of the call around the cursor and its active parameter. */
import type { Analysis } from './analysis.js';
import { parametersOf, signatureOf } from './catalog-info.js';
import { cursorContext, currentParameter } from './context.js';

export interface SignatureHelp {
  /** `Dense(units, activation=None, …)`. */
  label: string;
  /** The entry's one-line doc. */
  documentation: string;
  /** Each parameter's [start, end) in `label`, and its doc. */
  parameters: { label: [number, number]; name: string; documentation: string }[];
  /** The index in `parameters` of the argument at the cursor; -1 when it binds to none. */
  activeParameter: number;
}

/** The signature of the innermost call whose parentheses hold `offset`, or null. */
export function signatureHelp(a: Analysis, offset: number): SignatureHelp | null {
  const ctx = cursorContext(a, offset);
  const frame = ctx.call;
  if (ctx.inComment || !frame?.entry || !frame.kind) return null;
  const sig = signatureOf(frame.entry, frame.kind);
  const param = currentParameter(frame);
  const all = parametersOf(frame.entry, frame.kind).all;
  return {
    label: sig.label,
    documentation: frame.entry.doc,
    parameters: sig.parameters.map((p) => ({ label: p.span, name: p.name, documentation: p.doc })),
    activeParameter: param ? all.indexOf(param) : -1,
  };
}
