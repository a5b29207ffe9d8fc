/**
 * fast-check arbitraries for valid-looking .nn sources drawn from the catalog: an Input, one to
 * four layers with arguments within their declared types and bounds (edge values included),
 * nested calls (optimizers, schedules, initializers, regularizers, constraints, losses,
 * metrics, callbacks), compile(...) and sometimes fit(...).
 */
import { layerDefs } from '../../src/layers/index.js';
import fc from 'fast-check';
import { catalog, type CatalogArg, type CatalogEntry, type CatalogKind } from 'nnlang';

type Arb = fc.Arbitrary<string>;

/** Layers a chain may hold: Input stands at the head, merges need a graph. */
const chainLayers = catalog
  .entries('layer')
  .filter((e) => !['Input', 'InputLayer'].includes(e.name) && !layerDefs[e.name]?.merge);

/** Arguments the fuzzer leaves alone: they need the data or another model to mean anything. */
const skipped = new Set([
  'weights',
  'input_shape',
  'input_dim',
  'batch_size',
  'name',
  'data',
  'target',
  'epochs',
  'verbose',
  'filepath',
  'dtype',
  // A second recurrent layer mirroring the first: drawn at random it never matches.
  'backward_layer',
]);

/** Wrappers that take only some layers: the layers their `layer` argument is drawn from. */
const wrappable: Record<string, string[]> = { Bidirectional: ['LSTM', 'GRU', 'SimpleRNN'] };

const kindOfType: Partial<Record<CatalogArg['type'], CatalogKind>> = {
  activation: 'activation',
  initializer: 'initializer',
  regularizer: 'regularizer',
  constraint: 'constraint',
  optimizer: 'optimizer',
  loss: 'loss',
  layer: 'layer',
};

/** A Python float literal: always with a decimal point or an exponent. */
function pyFloat(v: number): string {
  const s = String(Math.fround(v) === v ? v : Number(v.toPrecision(6)));
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function bounds(p: CatalogArg, fallback: [number, number]): [number, number] {
  const lo = p.min === undefined ? fallback[0] : p.exclusiveMin ? p.min + 1e-3 : p.min;
  const hi =
    p.max === undefined ? Math.max(lo, fallback[1]) : p.exclusiveMax ? p.max - 1e-3 : p.max;
  return [lo, Math.max(lo, hi)];
}

function intArb(p: CatalogArg): Arb {
  const [lo, hi] = bounds(p, [-1, 8]);
  const min = Math.ceil(lo);
  const max = Math.max(min, Math.floor(Math.min(hi, min + 16)));
  return fc.oneof(fc.constant(min), fc.constant(max), fc.integer({ min, max })).map(String);
}

function floatArb(p: CatalogArg): Arb {
  const [lo, hi] = bounds(p, [0, 2]);
  const top = Math.min(hi, lo + 10);
  return fc
    .oneof(
      fc.constant(lo),
      fc.constant(top),
      fc.double({ min: lo, max: top, noNaN: true, noDefaultInfinity: true }),
    )
    .map(pyFloat);
}

/** Mostly entries the engine runs, sometimes any: refusals are tested, training more so. */
function entryArb(kind: CatalogKind, among = catalog.entries(kind)): fc.Arbitrary<CatalogEntry> {
  const runnable = among.filter((e) => !e.unsupported);
  return fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...runnable) },
    { weight: 1, arbitrary: fc.constantFrom(...among) },
  );
}

/** A catalog name bare, or a call with random keyword arguments (nested `depth` more levels). */
function namedArb(kind: CatalogKind, depth: number): Arb {
  const name = entryArb(kind).map((e) => e.name);
  if (kind === 'activation' || depth <= 0) return name;
  return fc.oneof(
    name,
    entryArb(kind).chain((e) => callArb(e, kind, depth - 1)),
  );
}

/** One value for a parameter of the given type; undefined when the fuzzer does not write it. */
function valueArb(p: CatalogArg, depth: number): Arb | undefined {
  const kind = kindOfType[p.type];
  if (kind) return namedArb(kind, depth);
  switch (p.type) {
    case 'int':
      return intArb(p);
    case 'float':
      return floatArb(p);
    case 'bool':
      return fc.constantFrom('True', 'False');
    case 'enum':
      return fc.constantFrom(...(p.values ?? []).map((v) => `'${v}'`));
    case 'string':
      return fc.constantFrom("'loss'", "'val_loss'", "'accuracy'", "'x'");
    case 'shape':
      return fc
        .array(fc.oneof(fc.integer({ min: 1, max: 4 }).map(String), fc.constant('None')), {
          minLength: 1,
          maxLength: 3,
        })
        .map((d) => `(${d.join(', ')},)`);
    case 'axis':
    case 'int_or_tuple':
      return fc.constantFrom('-1', '1', '2', '[-1]', '(1,)');
    case 'int_list':
    case 'float_list':
      return fc
        .array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 3 })
        .map((l) => `[${l.map((v) => (p.type === 'float_list' ? pyFloat(v / 4) : v)).join(', ')}]`);
    case 'learning_rate':
      return fc.oneof(floatArb(p), namedArb('schedule', depth));
    case 'metrics':
      return fc.array(namedArb('metric', depth), { maxLength: 2 }).map((l) => `[${l.join(', ')}]`);
    case 'callbacks':
      return fc
        .array(
          entryArb('callback').chain((e) => callArb(e, 'callback', 0)),
          { maxLength: 2 },
        )
        .map((l) => `[${l.join(', ')}]`);
    default:
      return undefined;
  }
}

/** The layer a wrapper restricted by `wrappable` wraps: a call to one of its layers. */
function wrappedArb(entry: CatalogEntry, p: CatalogArg, depth: number): Arb | undefined {
  const names = p.type === 'layer' ? wrappable[entry.name] : undefined;
  if (!names) return undefined;
  const among = catalog.entries('layer').filter((e) => names.includes(e.name));
  return entryArb('layer', among).chain((e) => callArb(e, 'layer', Math.max(0, depth - 1)));
}

/** A call to `entry`: its required arguments, then up to three others by keyword. */
export function callArb(entry: CatalogEntry, kind: CatalogKind, depth: number): Arb {
  // A required argument is drawn even when skipped elsewhere (Embedding's own input_dim).
  const params = entry.args.filter((p) => !p.rejected && (p.required || !skipped.has(p.name)));
  const required = params.filter((p) => p.required);
  const optional = params.filter((p) => !p.required);
  const requiredArgs = fc.tuple(
    ...required.map((p) =>
      (wrappedArb(entry, p, depth) ?? valueArb(p, depth) ?? fc.constant('1')).map(
        (v) => `${p.name}=${v}`,
      ),
    ),
  );
  const optionalArgs = fc
    .subarray(optional, { maxLength: Math.min(3, optional.length) })
    .chain((ps) =>
      fc.tuple(
        ...ps.map((p) => (valueArb(p, depth) ?? fc.constant('None')).map((v) => `${p.name}=${v}`)),
      ),
    );
  return fc
    .tuple(requiredArgs, optionalArgs)
    .map(([r, o]) => `${entry.name}(${[...r, ...o].join(', ')})`);
}

const compileParam = (name: string) =>
  catalog.lookup('method', 'compile')!.args.find((p) => p.name === name)!;

/** compile(...) always with an optimizer and a loss, which is what a model that trains has. */
const compileArb: Arb = fc
  .tuple(
    valueArb(compileParam('optimizer'), 1)!,
    valueArb(compileParam('loss'), 1)!,
    fc.option(valueArb(compileParam('metrics'), 1)!, { nil: undefined }),
  )
  .map(([optimizer, loss, metrics]) =>
    metrics
      ? `compile(${optimizer}, ${loss}, metrics=${metrics})`
      : `compile(${optimizer}, ${loss})`,
  );

/**
 * The Input's axes: a 1D or 2D layer first (convolution, pooling, padding, …) gets an input of
 * the rank it reads, (steps, channels) or (height, width, channels), so that the window layers
 * train in the fuzz rather than stop at the shape check; other layers keep the drawn axes.
 */
function inputDims(dims: number[], first: string): number[] {
  const rank = /^\w+1D\(/.test(first) ? 2 : /^\w+2D\(/.test(first) ? 3 : 0;
  return rank === 0 ? dims : Array.from({ length: rank }, (_, i) => dims[i] ?? 3);
}

/** A model's source: Input of 1–3 axes (sequences and images too), 1–4 layers, compile(...) and sometimes fit(...). */
export const modelSource: Arb = fc
  .tuple(
    fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    fc.array(
      entryArb('layer', chainLayers).chain((e) => callArb(e, 'layer', 1)),
      { minLength: 1, maxLength: 4 },
    ),
    compileArb,
    fc.option(callArb(catalog.lookup('method', 'fit')!, 'method', 1), { nil: undefined }),
  )
  // Embedding reads token ids: after another layer it reads that layer's floats, which no data
  // makes valid ids (the engine refuses them as bad data, and such a model never runs).
  .filter(([, layers]) => layers.every((l, i) => i === 0 || !l.startsWith('Embedding(')))
  .map(([dims, layers, compile, fit]) => {
    const input = `Input(shape=(${inputDims(dims, layers[0]!).join(', ')},))`;
    const lines = [[input, ...layers].join('\n  -> '), compile];
    if (fit) lines.push(fit);
    return lines.join('\n') + '\n';
  });
