/**
 * The catalog in specs/catalog/*.json: every file against specs/catalog.schema.json, the
 * invariants lookups and binding rely on (unique spellings and argument names, defaults that
 * pass their own checks, named defaults that resolve), and Keras 3 facts spelled out as data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  catalog,
  type CatalogArg,
  type CatalogEntry,
  type CatalogFile,
  type CatalogKind,
} from 'nnlang';

const specs = new URL('../../specs/', import.meta.url);
const catalogDir = new URL('catalog/', specs);
const schema = JSON.parse(readFileSync(new URL('catalog.schema.json', specs), 'utf8')) as object;
const fileNames = readdirSync(catalogDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const files: [string, CatalogFile][] = fileNames.map((f) => [
  f,
  JSON.parse(readFileSync(new URL(f, catalogDir), 'utf8')) as CatalogFile,
]);

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** 'entries/3 (Dense) › args/1 (activation): must have required property 'default''. */
function describeError(data: unknown, err: ErrorObject): string {
  const parts = err.instancePath.split('/').slice(1);
  let node = data as Record<string, unknown> | undefined;
  const where = parts.map((part) => {
    node = (node as Record<string, unknown> | undefined)?.[part] as
      Record<string, unknown> | undefined;
    const name =
      node && typeof node === 'object' && typeof node['name'] === 'string'
        ? ` (${node['name']})`
        : '';
    return part + name;
  });
  const params = Object.keys(err.params).length > 0 ? ` ${JSON.stringify(err.params)}` : '';
  return `${where.join(' › ') || '/'}: ${err.message ?? 'invalid'}${params}`;
}

function schemaErrors(data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((err) => describeError(data, err));
}

/** The entry's own arguments followed by its kind's common ones: what a call binds against. */
function paramsOf(kind: CatalogKind, entry: CatalogEntry): CatalogArg[] {
  return [...entry.args, ...catalog.common(kind)];
}

/** Kinds whose names a value of this type spells. */
const namedKinds: Partial<Record<CatalogArg['type'], CatalogKind>> = {
  activation: 'activation',
  initializer: 'initializer',
  regularizer: 'regularizer',
  constraint: 'constraint',
  optimizer: 'optimizer',
  loss: 'loss',
};

function inBounds(value: number, arg: CatalogArg): boolean {
  if (arg.min !== undefined && (arg.exclusiveMin ? value <= arg.min : value < arg.min))
    return false;
  if (arg.max !== undefined && (arg.exclusiveMax ? value >= arg.max : value > arg.max))
    return false;
  return true;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const nestedNumbers = (v: unknown): boolean =>
  isNumber(v) || (Array.isArray(v) && v.every(nestedNumbers));

/** Why `value` is not an acceptable value of `arg` (as the checker would judge it), or undefined. */
function violation(arg: CatalogArg, value: unknown): string | undefined {
  if (value === null) {
    return arg.nullable || arg.type === 'any' || arg.type === 'activation'
      ? undefined
      : 'None, but the argument is not nullable';
  }
  const kind = namedKinds[arg.type];
  if (kind) {
    if (typeof value !== 'string')
      return `expected a name of ${kind}, found ${JSON.stringify(value)}`;
    return catalog.lookup(kind, value)
      ? undefined
      : `'${value}' does not resolve to ${kind === 'activation' ? 'an' : 'a'} ${kind}`;
  }
  const ints = (v: unknown) =>
    Array.isArray(v) &&
    v.every((x) => (isInt(x) && inBounds(x, arg)) || (x === null && arg.allowNone === true));
  switch (arg.type) {
    case 'int':
      return isInt(value)
        ? inBounds(value, arg)
          ? undefined
          : `${value} is out of bounds`
        : `${JSON.stringify(value)} is not an integer`;
    case 'float':
    case 'learning_rate':
      return isNumber(value)
        ? inBounds(value, arg)
          ? undefined
          : `${value} is out of bounds`
        : `${JSON.stringify(value)} is not a number`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `${JSON.stringify(value)} is not a boolean`;
    case 'string':
      return typeof value === 'string' ? undefined : `${JSON.stringify(value)} is not a string`;
    case 'enum':
      return typeof value === 'string' && arg.values?.includes(value)
        ? undefined
        : `${JSON.stringify(value)} is not among ${JSON.stringify(arg.values)}`;
    case 'shape':
      return Array.isArray(value) &&
        value.every((d) => (isInt(d) && d >= 1) || (d === null && arg.allowNone === true))
        ? undefined
        : `${JSON.stringify(value)} is not a shape`;
    case 'int_or_tuple':
    case 'axis':
      return (isInt(value) && inBounds(value, arg)) || ints(value)
        ? undefined
        : `${JSON.stringify(value)} is not an int or a tuple of ints in bounds`;
    case 'int_list':
      return ints(value) ? undefined : `${JSON.stringify(value)} is not a list of ints in bounds`;
    case 'float_list':
      return Array.isArray(value) && value.every((x) => isNumber(x) && inBounds(x, arg))
        ? undefined
        : `${JSON.stringify(value)} is not a list of numbers in bounds`;
    case 'weights':
      return Array.isArray(value) && nestedNumbers(value)
        ? undefined
        : `${JSON.stringify(value)} is not nested number lists`;
    case 'metrics':
      return Array.isArray(value) &&
        value.every((m) => typeof m === 'string' && catalog.lookup('metric', m))
        ? undefined
        : `${JSON.stringify(value)} is not a list of metric names`;
    case 'callbacks':
      return Array.isArray(value) &&
        value.every((c) => typeof c === 'string' && catalog.lookup('callback', c))
        ? undefined
        : `${JSON.stringify(value)} is not a list of callback names`;
    default:
      return undefined;
  }
}

describe('catalog.schema.json', () => {
  it('is a strict draft-07 schema that ajv compiles', () => {
    expect(typeof validate).toBe('function');
  });

  it.each(fileNames)('%s matches the schema', (name) => {
    const data = files.find(([f]) => f === name)![1];
    expect(schemaErrors(data), `${name} breaks specs/catalog.schema.json`).toEqual([]);
  });

  const arg = (extra: object) => ({ name: 'x', type: 'int', default: 0, doc: 'X.', ...extra });
  const fileWith = (a: object) => ({
    kind: 'layer',
    common: [],
    entries: [{ name: 'L', doc: 'L.', args: [a] }],
  });
  it.each([
    ['a required argument with a default', arg({ required: true })],
    ['an optional argument without a default', { name: 'x', type: 'int', doc: 'X.' }],
    ['an unknown argument type', arg({ type: 'integer' })],
    ['values on a non-enum', arg({ values: ['a'] })],
    ['an enum without values', arg({ type: 'enum', default: 'a' })],
    ['an unknown argument property', arg({ optional: true })],
    ['exclusiveMin without min', arg({ exclusiveMin: true })],
    ['an alias without a hint', arg({ aliases: [{ name: 'y' }] })],
    ['an argument without doc', { name: 'x', type: 'int', default: 0 }],
  ])('rejects %s', (_, bad) => {
    expect(schemaErrors(fileWith(bad))).not.toEqual([]);
  });

  it('accepts kind-specific extras on entries, but not unknown top-level keys', () => {
    const ok = {
      $comment: 'Extras: output.',
      kind: 'activation',
      common: [],
      entries: [{ name: 'a', doc: 'A.', output: 'unbounded', args: [] }],
    };
    expect(schemaErrors(ok)).toEqual([]);
    expect(schemaErrors({ ...ok, kind: 'widget' })).not.toEqual([]);
    expect(schemaErrors({ ...ok, extra: 1 })).not.toEqual([]);
    expect(schemaErrors({ ...ok, entries: [{ name: 'a', args: [] }] })).not.toEqual([]);
  });
});

describe('catalog invariants', () => {
  it('has one file per kind, and the catalog loads every kind', () => {
    const kinds = files.map(([, f]) => f.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const kind of kinds) expect(catalog.entries(kind).length, kind).toBeGreaterThan(0);
  });

  it.each(files)('%s: no spelling (name or id) is repeated within the kind', (_, file) => {
    // Optimizer strings resolve case-insensitively, so spellings must differ beyond case there.
    const fold = (s: string) => (file.kind === 'optimizer' ? s.toLowerCase() : s);
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const entry of file.entries) {
      for (const spelling of new Set([entry.name, ...(entry.ids ?? [])])) {
        const owner = seen.get(fold(spelling));
        if (owner !== undefined)
          clashes.push(`'${spelling}' (${entry.name}) already spells ${owner}`);
        else seen.set(fold(spelling), entry.name);
      }
      if (entry.ids?.includes(entry.name))
        clashes.push(`${entry.name} lists its own name among its ids`);
    }
    expect(clashes).toEqual([]);
  });

  it.each(files)(
    '%s: argument names and aliases are unique per entry, common ones included',
    (_, file) => {
      const problems: string[] = [];
      for (const entry of file.entries) {
        const names = new Set<string>();
        for (const a of [...entry.args, ...file.common]) {
          const own = file.common.includes(a)
            ? entry.args.find((p) => p.name === a.name)
            : undefined;
          if (own) {
            // An entry may re-declare a common argument to give it a position, as Keras's Input,
            // pooling layers and Embedding do; but for a bare name (Binder.defaults) the common
            // default wins, so the two must agree unless the entry's is required.
            if (own.type !== a.type || (!own.required && own.default !== a.default)) {
              problems.push(
                `${entry.name}: '${a.name}' re-declares a common argument with another type or default`,
              );
            }
            continue;
          }
          for (const n of [a.name, ...(a.aliases ?? []).map((al) => al.name)]) {
            if (names.has(n)) problems.push(`${entry.name}: '${n}' twice`);
            names.add(n);
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(files)('%s: common arguments are keyword-only', (_, file) => {
    expect(file.common.filter((a) => !a.keywordOnly).map((a) => a.name)).toEqual([]);
  });

  it.each(files)(
    '%s: no required positional argument follows an optional one (Python order)',
    (_, file) => {
      const problems: string[] = [];
      for (const entry of file.entries) {
        let optional: string | undefined;
        for (const a of entry.args.filter((p) => !p.keywordOnly)) {
          if (!a.required) optional ??= a.name;
          else if (optional)
            problems.push(`${entry.name}: required '${a.name}' after optional '${optional}'`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(files)(
    '%s: every default passes its own type, bounds and values; named defaults resolve',
    (_, file) => {
      const problems: string[] = [];
      for (const entry of file.entries) {
        for (const a of [...entry.args, ...file.common]) {
          if (a.required) continue;
          const why = violation(a, a.default);
          if (why) problems.push(`${entry.name}.${a.name}: ${why}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('resolves the named defaults the checker expands (Dense: glorot_uniform, zeros)', () => {
    const dense = catalog.lookup('layer', 'Dense')!;
    const byName = (n: string) => dense.args.find((a) => a.name === n)!;
    expect(
      catalog.lookup('initializer', byName('kernel_initializer').default as string)?.name,
    ).toBe('GlorotUniform');
    expect(catalog.lookup('initializer', byName('bias_initializer').default as string)?.name).toBe(
      'Zeros',
    );
  });
});

describe('Keras 3 facts', () => {
  /** [kind, spelling, argument, Keras's default]. */
  it.each<[CatalogKind, string, string, unknown]>([
    ['optimizer', 'Adam', 'learning_rate', 0.001],
    ['optimizer', 'Adam', 'beta_1', 0.9],
    ['optimizer', 'Adam', 'beta_2', 0.999],
    ['optimizer', 'Adam', 'epsilon', 1e-7],
    ['optimizer', 'Adam', 'weight_decay', null],
    ['optimizer', 'SGD', 'learning_rate', 0.01],
    ['optimizer', 'SGD', 'momentum', 0],
    ['optimizer', 'RMSprop', 'rho', 0.9],
    ['optimizer', 'Adagrad', 'initial_accumulator_value', 0.1],
    ['optimizer', 'Adadelta', 'rho', 0.95],
    ['optimizer', 'AdamW', 'weight_decay', 0.004],
    ['optimizer', 'adam', 'clipnorm', null],
    ['optimizer', 'Adam', 'ema_momentum', 0.99],
    ['schedule', 'PolynomialDecay', 'end_learning_rate', 0.0001],
    ['schedule', 'CosineDecayRestarts', 't_mul', 2],
    ['schedule', 'CosineDecayRestarts', 'name', 'SGDRDecay'],
    ['layer', 'LeakyReLU', 'negative_slope', 0.3],
    ['activation', 'leaky_relu', 'negative_slope', 0.2],
    ['layer', 'BatchNormalization', 'epsilon', 0.001],
    ['layer', 'BatchNormalization', 'momentum', 0.99],
    ['layer', 'Dense', 'kernel_initializer', 'glorot_uniform'],
    ['layer', 'Dense', 'bias_initializer', 'zeros'],
    ['layer', 'Dense', 'activation', null],
    ['callback', 'EarlyStopping', 'monitor', 'val_loss'],
    ['callback', 'EarlyStopping', 'patience', 0],
    ['callback', 'ReduceLROnPlateau', 'patience', 10],
    ['callback', 'ReduceLROnPlateau', 'factor', 0.1],
    ['initializer', 'RandomNormal', 'stddev', 0.05],
    ['initializer', 'RandomUniform', 'minval', -0.05],
    ['initializer', 'VarianceScaling', 'mode', 'fan_in'],
    ['regularizer', 'L1L2', 'l1', 0],
    ['regularizer', 'l1_l2', 'l2', 0],
    ['regularizer', 'l2', 'l2', 0.01],
    ['constraint', 'MaxNorm', 'max_value', 2],
    ['loss', 'binary_crossentropy', 'from_logits', false],
    ['metric', 'binary_accuracy', 'threshold', 0.5],
    ['method', 'compile', 'optimizer', 'rmsprop'],
    ['method', 'fit', 'batch_size', null],
  ])('%s %s: %s defaults to %j', (kind, name, argName, expected) => {
    const entry = catalog.lookup(kind, name);
    expect(entry, `${kind} '${name}'`).toBeDefined();
    const a = paramsOf(kind, entry!).find((p) => p.name === argName);
    expect(a, `${name}.${argName}`).toBeDefined();
    expect(a!.required ?? false).toBe(false);
    expect(a!.default).toBe(expected);
  });

  it.each<[CatalogKind, string, string]>([
    ['layer', 'Dense', 'units'],
    ['schedule', 'ExponentialDecay', 'decay_rate'],
    ['schedule', 'PiecewiseConstantDecay', 'boundaries'],
    ['callback', 'ModelCheckpoint', 'filepath'],
  ])('%s %s: %s is required', (kind, name, argName) => {
    const a = catalog.lookup(kind, name)?.args.find((p) => p.name === argName);
    expect(a?.required).toBe(true);
    expect(a && 'default' in a).toBe(false);
  });

  it.each<[CatalogKind, string, string]>([
    ['optimizer', 'adam', 'Adam'],
    ['optimizer', 'rmsprop', 'RMSprop'],
    ['optimizer', 'ADAMW', 'AdamW'],
    ['initializer', 'glorot_uniform', 'GlorotUniform'],
    ['initializer', 'he_normal', 'HeNormal'],
    ['initializer', 'normal', 'RandomNormal'],
    ['initializer', 'uniform', 'RandomUniform'],
    ['initializer', 'zero', 'Zeros'],
    ['initializer', 'one', 'Ones'],
    ['initializer', 'OrthogonalInitializer', 'Orthogonal'],
    ['regularizer', 'l1_l2', 'L1L2'],
    ['regularizer', 'l1l2', 'L1L2'],
    ['constraint', 'max_norm', 'MaxNorm'],
    ['constraint', 'non_neg', 'NonNeg'],
  ])('%s %s resolves to %s', (kind, spelling, name) => {
    expect(catalog.lookup(kind, spelling)?.name).toBe(name);
  });

  it.each([
    ['GlorotUniform', 1, 'fan_avg', 'uniform'],
    ['GlorotNormal', 1, 'fan_avg', 'truncated_normal'],
    ['HeUniform', 2, 'fan_in', 'uniform'],
    ['HeNormal', 2, 'fan_in', 'truncated_normal'],
    ['LecunUniform', 1, 'fan_in', 'uniform'],
    ['LecunNormal', 1, 'fan_in', 'truncated_normal'],
  ])(
    '%s is VarianceScaling(scale=%d, mode=%s, distribution=%s)',
    (name, scale, mode, distribution) => {
      const entry = catalog.lookup('initializer', name)!;
      expect({
        scale: entry['scale'],
        mode: entry['mode'],
        distribution: entry['distribution'],
      }).toEqual({ scale, mode, distribution });
    },
  );

  it("gives Dense Keras 3's positional order: 13 positional parameters", () => {
    const dense = catalog.lookup('layer', 'Dense')!;
    const positional = paramsOf('layer', dense)
      .filter((p) => !p.keywordOnly)
      .map((p) => p.name);
    expect(positional).toEqual([
      'units',
      'activation',
      'use_bias',
      'kernel_initializer',
      'bias_initializer',
      'kernel_regularizer',
      'bias_regularizer',
      'activity_regularizer',
      'kernel_constraint',
      'bias_constraint',
      'lora_rank',
      'lora_alpha',
      'quantization_config',
    ]);
  });

  it.each([
    ['SGD', ['learning_rate', 'momentum', 'nesterov']],
    ['Adam', ['learning_rate', 'beta_1', 'beta_2', 'epsilon', 'amsgrad']],
    ['AdamW', ['learning_rate', 'weight_decay', 'beta_1', 'beta_2', 'epsilon', 'amsgrad']],
    ['RMSprop', ['learning_rate', 'rho', 'momentum', 'epsilon', 'centered']],
  ])("gives %s Keras 3's positional order", (name, expected) => {
    const entry = catalog.lookup('optimizer', name)!;
    expect(
      paramsOf('optimizer', entry)
        .filter((p) => !p.keywordOnly)
        .map((p) => p.name),
    ).toEqual(expected);
  });

  it("marks optimizers outside nnlang's engine as unsupported, and rejects the legacy decay", () => {
    const supported = catalog
      .entries('optimizer')
      .filter((e) => !e.unsupported)
      .map((e) => e.name);
    expect(supported).toEqual([
      'SGD',
      'RMSprop',
      'Adagrad',
      'Adadelta',
      'Adam',
      'Adamax',
      'Nadam',
      'AdamW',
    ]);
    expect(catalog.common('optimizer').find((a) => a.name === 'decay')?.rejected).toMatch(
      /schedule/,
    );
    expect(catalog.lookup('optimizer', 'Adam')!.args[0]!.aliases?.map((a) => a.name)).toEqual([
      'lr',
    ]);
  });
});
