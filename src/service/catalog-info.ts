/**
 * What the service says about catalog entries and their parameters: signatures, defaults as
 * Python writes them, the kind a parameter's value names, snippets for required arguments.
 */
import {
  catalog,
  type ArgType,
  type CatalogArg,
  type CatalogEntry,
  catalogKinds,
  type CatalogKind,
} from '../catalog/index.js';

/** The kind of catalog thing a parameter of this type names (`activation='relu'`). */
export const kindOfType: Partial<Record<ArgType, CatalogKind>> = {
  activation: 'activation',
  initializer: 'initializer',
  regularizer: 'regularizer',
  constraint: 'constraint',
  optimizer: 'optimizer',
  loss: 'loss',
  layer: 'layer',
  metrics: 'metric',
  callbacks: 'callback',
  learning_rate: 'schedule',
};

/** An entry's parameters as the binder sees them: its own, then its kind's common ones. */
export function parametersOf(
  entry: CatalogEntry,
  kind: CatalogKind,
): { all: CatalogArg[]; positional: CatalogArg[] } {
  const own = new Set(entry.args.map((p) => p.name));
  const all = [...entry.args, ...catalog.common(kind).filter((p) => !own.has(p.name))];
  return { all, positional: all.filter((p) => !p.keywordOnly) };
}

/** The parameter named `name` (or by a legacy alias such as `lr`). */
export function parameterNamed(
  entry: CatalogEntry,
  kind: CatalogKind,
  name: string,
): CatalogArg | undefined {
  const { all } = parametersOf(entry, kind);
  return (
    all.find((p) => p.name === name) ?? all.find((p) => p.aliases?.some((a) => a.name === name))
  );
}

/** The entry spelled `name`, of `kind` when given, else of the first kind that has it. */
export function lookupEntry(
  name: string,
  kind?: CatalogKind,
): { entry: CatalogEntry; kind: CatalogKind } | undefined {
  if (kind) {
    const entry = catalog.lookup(kind, name);
    if (entry) return { entry, kind };
  }
  for (const k of catalogKinds) {
    const entry = catalog.lookup(k, name);
    if (entry) return { entry, kind: k };
  }
  return undefined;
}

/** A JSON default as Python writes it: None, True, 'relu', (1, 1). */
export function pythonValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(pythonValue).join(', ')}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** `units` or `activation=None`: one parameter as a signature shows it. */
export function parameterLabel(p: CatalogArg): string {
  return p.required ? p.name : `${p.name}=${pythonValue(p.default)}`;
}

/** A parameter's one-line description: type, default, bounds and doc. */
export function parameterDoc(p: CatalogArg): string {
  const facts: string[] = [
    p.type === 'enum' && p.values ? p.values.map((v) => `'${v}'`).join(' | ') : p.type,
  ];
  if (p.required) facts.push('required');
  else facts.push(`default ${pythonValue(p.default)}`);
  if (p.min !== undefined) facts.push(`${p.exclusiveMin ? '>' : '≥'} ${p.min}`);
  if (p.max !== undefined) facts.push(`${p.exclusiveMax ? '<' : '≤'} ${p.max}`);
  if (p.keywordOnly) facts.push('keyword only');
  if (p.deprecated) facts.push(`deprecated: ${p.deprecated}`);
  return `(${facts.join(', ')}) ${p.doc}`.trim();
}

export interface SignatureParts {
  label: string;
  /** Each parameter's [start, end) inside `label`. */
  parameters: { name: string; span: [number, number]; doc: string }[];
}

/** `Dense(units, activation=None, …)`: the entry's signature, common parameters last. */
export function signatureOf(entry: CatalogEntry, kind: CatalogKind): SignatureParts {
  const { all } = parametersOf(entry, kind);
  let label = `${entry.name}(`;
  const parameters: SignatureParts['parameters'] = [];
  all.forEach((p, i) => {
    if (i > 0) label += ', ';
    const text = parameterLabel(p);
    parameters.push({
      name: p.name,
      span: [label.length, label.length + text.length],
      doc: parameterDoc(p),
    });
    label += text;
  });
  return { label: label + ')', parameters };
}

/** The snippet that calls `entry` with its required arguments as placeholders. */
export function callSnippet(entry: CatalogEntry, kind: CatalogKind, spelled = entry.name): string {
  const { all } = parametersOf(entry, kind);
  const required = all.filter((p) => p.required);
  if (required.length > 0)
    return `${spelled}(${required.map((p, i) => `\${${i + 1}:${p.name}}`).join(', ')})`;
  return all.length > 0 ? `${spelled}($1)` : `${spelled}()`;
}

/** Markdown for an entry: its signature, doc and (for names used bare) defaults. */
export function entryMarkdown(entry: CatalogEntry, kind: CatalogKind): string {
  const own = entry.args.map(parameterLabel);
  if (catalog.common(kind).length > 0) own.push('…');
  const lines = ['```nn', `${entry.name}(${own.join(', ')})`, '```', `*${kind}* — ${entry.doc}`];
  if (entry.extension) lines.push('', 'An nnlang extension, not a Keras built-in.');
  if (entry.unsupported) lines.push('', `nnlang cannot run it yet: ${entry.unsupported}`);
  const formula = entry['formula'];
  if (typeof formula === 'string') lines.push('', `\`${formula}\``);
  const defaults = parametersOf(entry, kind).all.filter((p) => !p.required && kind !== 'layer');
  if (defaults.length > 0 && defaults.length <= 12)
    lines.push('', 'Defaults: ' + defaults.map((p) => `\`${parameterLabel(p)}\``).join(', '));
  return lines.join('\n');
}
