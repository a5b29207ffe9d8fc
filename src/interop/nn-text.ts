/**
 * An imported model as `.nn` text: one chain for a sequential model; for a graph, a named result
 * for every input and every value read more than once or by a merge layer, chains between them,
 * and the outputs last, in output order. Arguments at their Keras default are left out, and a
 * layer's name is written only where Keras's automatic name (`dense`, `dense_1`, … in the order
 * the text names layers, as the checker gives them) would differ.
 */
import { catalog, type Args, type CallValue, type Value } from '../catalog/index.js';
import { quote } from '../format/index.js';
import { layerDefs, outputNamesOf, toSnakeCase, type Shape } from '../layers/index.js';
import { notConfigArgs } from './layer-rules.js';
import { defaultsOf, sameValue } from './values.js';

/** One imported layer: Keras's class, name and arguments (its own, with defaults filled in). */
export interface ImportedLayer {
  className: string;
  name: string;
  args: Args;
  trainable: boolean;
  /** The names of the layers or inputs it reads, in order. */
  inputs: string[];
  /** Which output of each it reads, where one is not the first (an LSTM's state_h is 1). */
  inputPorts?: number[];
  /** Where the file holds it, to name it in problems. */
  path: string;
}

export interface ImportedModel {
  name: string;
  functional: boolean;
  inputs: { name: string; shape: Shape }[];
  layers: ImportedLayer[];
  outputs: string[];
  /** Which output of each output layer the model returns, where one is not the first. */
  outputPorts?: number[];
  /** compile()'s arguments, when the file has a training config. */
  compile: { optimizer: CallValue; loss: Value; metrics: Value[] } | null;
  /** Where the file holds the training config. */
  compilePath: string;
}

type Piece = string | { layer: ImportedLayer } | { input: { name: string; shape: Shape } };

/** The model as .nn source (unformatted: the caller runs the formatter). */
export function modelText(model: ImportedModel): string {
  const statements: Piece[][] = model.functional
    ? graphStatements(model)
    : [sequentialChain(model)];
  const names = explicitNames(statements.flat());
  const lines = statements.map((s) => s.map((p) => render(p, names)).join(''));
  if (model.compile) lines.push(compileText(model.compile));
  return `model ${identifierOf(model.name)} {\n${lines.map((l) => `  ${l}\n`).join('')}}\n`;
}

function sequentialChain(model: ImportedModel): Piece[] {
  const input = model.inputs[0]!;
  const pieces: Piece[] = [{ input: { name: '', shape: input.shape } }];
  for (const l of model.layers) pieces.push(' -> ', { layer: l });
  return pieces;
}

function graphStatements(model: ImportedModel): Piece[][] {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const reads = new Map<string, number>();
  for (const l of model.layers) for (const i of l.inputs) reads.set(i, (reads.get(i) ?? 0) + 1);
  const merged = new Set(model.layers.filter((l) => l.inputs.length > 1).flatMap((l) => l.inputs));
  const outputs = new Set(model.outputs);
  // A layer with several outputs (return_state=True) unpacks them into a result each.
  const outputNames = (l: ImportedLayer) => outputNamesOf(layerDefs[l.className], l.args);
  const named = (n: string) => {
    const l = byName.get(n);
    return (
      !l ||
      (reads.get(n) ?? 0) > 1 ||
      merged.has(n) ||
      (outputs.has(n) && reads.has(n)) ||
      outputNames(l).length > 1
    );
  };
  const results = new Map<string, string>();
  const taken = new Set<string>();
  const resultName = (n: string, port = 0): string => {
    const key = `${n}\u0000${port}`;
    let r = results.get(key);
    if (r) return r;
    const l = byName.get(n);
    const base = identifierOf(port === 0 || !l ? n : `${n}_${outputNames(l)[port] ?? port}`);
    r = base;
    for (let k = 1; taken.has(r); k++) r = `${base}_${k}`;
    taken.add(r);
    results.set(key, r);
    return r;
  };
  const expr = (n: string, port = 0): Piece[] => {
    const l = byName.get(n);
    if (!l || named(n)) return [resultName(n, port)];
    return [...head(l), ' -> ', { layer: l }];
  };
  const head = (l: ImportedLayer): Piece[] => {
    const port = (k: number) => l.inputPorts?.[k] ?? 0;
    if (l.inputs.length === 1) return expr(l.inputs[0]!, port(0));
    return [
      '(',
      ...l.inputs.flatMap((i, k) => (k ? [', ', ...expr(i, port(k))] : expr(i, port(k)))),
      ')',
    ];
  };
  const statements: Piece[][] = model.inputs.map((i) => [`${resultName(i.name)} = `, { input: i }]);
  for (const l of model.layers)
    if (named(l.name)) {
      const targets = outputNames(l).map((_, k) => resultName(l.name, k));
      statements.push([`${targets.join(', ')} = `, ...head(l), ' -> ', { layer: l }]);
    }
  // An output that is a named result (read by other layers too) is a statement of its name alone.
  model.outputs.forEach((o, k) => {
    const port = model.outputPorts?.[k] ?? 0;
    statements.push(named(o) ? [resultName(o, port)] : expr(o, port));
  });
  return statements;
}

/** The layers (and inputs) whose name must be written: where Keras's automatic one differs. */
function explicitNames(pieces: Piece[]): Set<object> {
  const counters = new Map<string, number>();
  const used = new Set<string>();
  const explicit = new Set<object>();
  for (const p of pieces) {
    if (typeof p === 'string') continue;
    const [name, className, key] =
      'layer' in p
        ? [p.layer.name, p.layer.className, p.layer]
        : [p.input.name, 'InputLayer', p.input];
    if (name === '') continue;
    const prefix = toSnakeCase(className);
    let n = counters.get(prefix) ?? 0;
    let auto = n === 0 ? prefix : `${prefix}_${n}`;
    while (used.has(auto)) auto = `${prefix}_${++n}`;
    if (auto === name) counters.set(prefix, n + 1);
    else explicit.add(key);
    used.add(name);
  }
  return explicit;
}

function render(p: Piece, explicit: Set<object>): string {
  if (typeof p === 'string') return p;
  if ('input' in p) {
    const args = [`shape=${tuple(p.input.shape.slice(1))}`];
    if (explicit.has(p.input)) args.push(`name=${quote(p.input.name)}`);
    return `Input(${args.join(', ')})`;
  }
  const l = p.layer;
  const extra: string[] = [];
  if (explicit.has(l)) extra.push(`name=${quote(l.name)}`);
  if (!l.trainable) extra.push('trainable=False');
  return callText(l.className, l.args, extra);
}

/** `Dense(8, activation='relu')`: required arguments by position, the others by keyword when not at their default. */
function callText(className: string, args: Args, extra: string[] = []): string {
  const entry = catalog.lookup('layer', className);
  const parts: string[] = [];
  let positional = true;
  for (const a of entry?.args ?? []) {
    if (notConfigArgs.has(a.name) || !(a.name in args)) continue;
    const v = args[a.name]!;
    if (a.required && positional && !a.keywordOnly) {
      parts.push(valueText(v, a.type));
      continue;
    }
    positional = false;
    if (!a.required && isDefault(v, a.type, (a.default ?? null) as Value)) continue;
    parts.push(`${a.name}=${valueText(v, a.type)}`);
  }
  return `${className}(${[...parts, ...extra].join(', ')})`;
}

/** Whether a checked value is the catalog's default, which names objects by string ('zeros'). */
function isDefault(v: Value, type: string, def: Value): boolean {
  if (type === 'activation' && (v === 'linear' || v === null))
    return def === null || def === 'linear';
  if (
    typeof def === 'string' &&
    (type === 'initializer' || type === 'regularizer' || type === 'constraint')
  ) {
    const entry = catalog.lookup(type, def);
    return (
      entry !== undefined && sameValue(v, { call: entry.name, args: defaultsOf(type, entry.name) })
    );
  }
  return sameValue(v, def);
}

function compileText(c: NonNullable<ImportedModel['compile']>): string {
  const opt = optimizerText(c.optimizer);
  const one = (l: Value) => (typeof l === 'string' ? quote(l) : valueText(l, 'any'));
  const loss = Array.isArray(c.loss) ? `[${c.loss.map(one).join(', ')}]` : one(c.loss);
  const metrics = c.metrics.length
    ? `, metrics=[${c.metrics.map((m) => quote(String(m))).join(', ')}]`
    : '';
  return `compile(${opt}, ${loss}${metrics})`;
}

function optimizerText(o: CallValue): string {
  const entry = catalog.lookup('optimizer', o.call);
  const all = [...(entry?.args ?? []), ...catalog.common('optimizer')];
  const parts = Object.entries(o.args)
    .filter(([k, v]) => !sameValue(v, (all.find((a) => a.name === k)?.default ?? null) as Value))
    .map(([k, v]) => `${k}=${valueText(v, 'any')}`);
  return parts.length === 0 ? quote(o.call.toLowerCase()) : `${o.call}(${parts.join(', ')})`;
}

function tuple(items: readonly (number | null)[]): string {
  const parts = items.map((d) => (d === null ? 'None' : numberText(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

function numberText(n: number): string {
  const s = String(n);
  return s.startsWith('-') ? s : s.replace(/^0\./, '0.');
}

/** A value as .nn writes it; `type` is the catalog argument's (tuples for shapes and sizes). */
export function valueText(v: Value, type: string): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) {
    const items = v.map((x) => valueText(x, 'any'));
    if (type === 'shape' || type === 'int_or_tuple')
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  if (type === 'layer') {
    const name = v.args['name'];
    return callText(v.call, v.args, typeof name === 'string' ? [`name=${quote(name)}`] : []);
  }
  return objectText(v, type);
}

/** An initializer, regularizer or constraint: its string name when every argument is at its default. */
function objectText(v: CallValue, type: string): string {
  const kind = type === 'regularizer' || type === 'constraint' ? type : 'initializer';
  const entry = catalog.lookup(kind, v.call);
  const defaults = defaultsOf(kind, v.call);
  const changed = Object.entries(v.args).filter(([k, x]) => !sameValue(x, defaults[k]));
  const id = entry?.ids?.[0];
  if (changed.length === 0 && id) return quote(id);
  return `${v.call}(${changed.map(([k, x]) => `${k}=${valueText(x, 'any')}`).join(', ')})`;
}

/** A name usable as a .nn identifier (a model's or a result's). */
export function identifierOf(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  const id = /^[A-Za-z_]/.test(s) ? s : `m_${s}`;
  return reserved.has(id) ? `${id}_` : id;
}

const reserved = new Set(['model', 'True', 'False', 'None', 'compile', 'fit', 'Input']);
