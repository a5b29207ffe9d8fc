/**
 * Checks one argument value against its catalog type and turns it into a plain `Value`.
 * Bare names are resolved here: constants first, then the catalog kind the type asks for.
 */
import type * as ast from '../ast/index.js';
import type {
  Args,
  ArgType,
  CatalogArg,
  CatalogEntry,
  CatalogKind,
  Value,
} from '../catalog/index.js';
import { catalog, closest } from '../catalog/index.js';
import type { DiagnosticSink } from '../diagnostics/index.js';
import type { Scope } from './scope.js';

/** What checking values needs of the binder: it binds nested calls (Adam(…), l2(…)). */
export interface CallBinder {
  readonly sink: DiagnosticSink;
  readonly scope: Scope;
  bind(call: ast.Call, entry: CatalogEntry, kind: CatalogKind): { args: Args };
  defaults(entry: CatalogEntry, kind: CatalogKind): Args;
}

/** How each type is named in "expects …" messages. */
const typeNames: Record<ArgType, string> = {
  int: 'an integer',
  float: 'a number',
  bool: 'True or False',
  string: 'a string',
  enum: 'one of its named values',
  shape: 'a shape tuple such as (28, 28)',
  int_or_tuple: 'an integer or a tuple of integers',
  axis: 'an axis (an integer or a list of integers)',
  activation: 'an activation such as relu',
  initializer: 'an initializer such as he_normal',
  regularizer: 'a regularizer such as l2(0.01)',
  constraint: 'a constraint such as MaxNorm(3)',
  optimizer: 'an optimizer such as adam',
  layer: 'a layer such as Dense(8)',
  loss: 'a loss such as categorical_crossentropy',
  metrics: "a list of metrics such as ['accuracy']",
  callbacks: 'a list of callbacks such as [EarlyStopping(patience=3)]',
  learning_rate: 'a learning rate (a number or a schedule)',
  weights: 'a list of weight arrays',
  float_list: 'a list of numbers',
  int_list: 'a list of integers',
  any: 'a value',
};

/** Types whose bare names and calls resolve in a catalog kind. */
const namedKinds: Partial<Record<ArgType, CatalogKind>> = {
  activation: 'activation',
  initializer: 'initializer',
  regularizer: 'regularizer',
  constraint: 'constraint',
  optimizer: 'optimizer',
  loss: 'loss',
  layer: 'layer',
};

/** 'an activation', 'a loss': how a kind is named in a sentence. */
export function withArticle(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/** How a value is described when it has the wrong type. */
export function describe(e: ast.Expression): string {
  switch (e.kind) {
    case 'Number':
      return `${e.isInteger ? 'the integer' : 'the number'} ${e.raw}`;
    case 'String':
      return `the string '${e.value}'`;
    case 'Boolean':
      return e.value ? 'True' : 'False';
    case 'None':
      return 'None';
    case 'Identifier':
      return `the name '${e.name}'`;
    case 'Call':
      return `a call to '${e.callee.name}'`;
    case 'Tuple':
      return 'a tuple';
    case 'List':
      return 'a list';
    case 'Chain':
      return 'a chain of layers';
    case 'Error':
      return 'an invalid value';
  }
}

export class ValueChecker {
  constructor(private readonly binder: CallBinder) {}

  private get sink() {
    return this.binder.sink;
  }

  /** A parameter's default as a checked value: named defaults ('glorot_uniform') become calls. */
  defaultValue(param: CatalogArg, owner: CatalogKind): Value {
    const kind = namedKinds[param.type];
    const d = (param.default ?? null) as Value;
    if (!kind || kind === 'activation' || typeof d !== 'string' || owner === kind) return d;
    const entry = catalog.lookup(kind, d);
    return entry ? { call: entry.name, args: this.binder.defaults(entry, kind) } : d;
  }

  /** The checked value, or undefined after reporting why it is not acceptable. */
  check(expr: ast.Expression, param: CatalogArg, callee: string): Value | undefined {
    if (expr.kind === 'Error') return undefined; // a syntax error is already reported
    const resolved = this.resolveConstant(expr, param.type);
    if (resolved.kind === 'None') {
      if (
        param.nullable ||
        param.default === null ||
        param.type === 'activation' ||
        param.type === 'any'
      )
        return null;
      return this.wrongType(expr, param, callee);
    }
    if (
      resolved.kind === 'Identifier' &&
      !(param.type in namedKinds) &&
      !['enum', 'learning_rate', 'metrics', 'callbacks'].includes(param.type)
    ) {
      const guess = closest(resolved.name, this.binder.scope.visibleNames());
      this.sink.report(
        'undefinedName',
        resolved.range,
        { name: resolved.name },
        guess ? { hint: `Did you mean '${guess}'?` } : {},
      );
      return undefined;
    }
    return this.checkType(resolved, param, callee, expr);
  }

  /** Replaces a name bound by `name = value` with its value (names of catalog things stay). */
  private resolveConstant(expr: ast.Expression, type: ArgType): ast.Expression {
    if (expr.kind !== 'Identifier') return expr;
    const def = this.binder.scope.lookup(expr.name);
    if (def)
      return def.value.kind === 'Identifier' && def.value.name === expr.name
        ? expr
        : this.resolveConstant(def.value, type);
    return expr;
  }

  private checkType(
    e: ast.Expression,
    param: CatalogArg,
    callee: string,
    written: ast.Expression,
  ): Value | undefined {
    const kind = namedKinds[param.type];
    // compile(loss=[…]): one loss per output of a model with several.
    if (kind === 'loss' && e.kind === 'List') return this.list(e, kind, param, callee, written);
    if (kind) return this.named(e, kind, param, callee, written);
    switch (param.type) {
      case 'int':
        if (e.kind === 'Number' && e.isInteger)
          return this.bounded(e.value, param, callee, written);
        return this.wrongType(
          written,
          param,
          callee,
          e.kind === 'Number' ? 'Write it without a decimal point.' : undefined,
        );
      case 'float':
        if (e.kind === 'Number') return this.bounded(e.value, param, callee, written);
        return this.wrongType(written, param, callee);
      case 'bool':
        if (e.kind === 'Boolean') return e.value;
        return this.wrongType(written, param, callee);
      case 'string':
        if (e.kind === 'String') return e.value;
        return this.wrongType(written, param, callee);
      case 'enum':
        return this.enumValue(e, param, callee, written);
      case 'shape':
        return this.shape(e, param, callee, written);
      case 'int_or_tuple':
      case 'axis':
      case 'int_list':
        return this.ints(e, param, callee, written);
      case 'float_list':
      case 'weights':
        return this.numbers(e, param, callee, written);
      case 'learning_rate':
        if (e.kind === 'Number') return this.bounded(e.value, param, callee, written);
        return this.named(e, 'schedule', param, callee, written);
      case 'metrics':
        return this.list(e, 'metric', param, callee, written);
      case 'callbacks':
        return this.list(e, 'callback', param, callee, written);
      default:
        return this.literal(e, param, callee);
    }
  }

  private wrongType(
    e: ast.Expression,
    param: CatalogArg,
    callee: string,
    hint?: string,
  ): undefined {
    this.sink.report(
      'wrongType',
      e.range,
      { arg: param.name, callee, expected: typeNames[param.type], found: describe(e) },
      hint ? { hint } : {},
    );
    return undefined;
  }

  private bounded(
    value: number,
    param: CatalogArg,
    callee: string,
    e: ast.Expression,
  ): number | undefined {
    const { min, max, exclusiveMin, exclusiveMax } = param;
    const belowMin = min !== undefined && (exclusiveMin ? value <= min : value < min);
    const aboveMax = max !== undefined && (exclusiveMax ? value >= max : value > max);
    if (!belowMin && !aboveMax) return value;
    this.sink.report('outOfRange', e.range, {
      arg: param.name,
      callee,
      bound: describeBounds(param),
      found: e.kind === 'Number' ? e.raw : String(value),
    });
    return undefined;
  }

  private enumValue(
    e: ast.Expression,
    param: CatalogArg,
    callee: string,
    written: ast.Expression,
  ): string | undefined {
    const text = e.kind === 'String' ? e.value : e.kind === 'Identifier' ? e.name : undefined;
    if (text === undefined) return this.wrongType(written, param, callee);
    const values = param.values ?? [];
    const match =
      values.find((v) => v === text) ?? values.find((v) => v.toLowerCase() === text.toLowerCase());
    if (match) return match;
    this.sink.report('invalidEnum', written.range, {
      arg: param.name,
      callee,
      values: values.map((v) => `'${v}'`).join(', '),
      found: `'${text}'`,
    });
    return undefined;
  }

  /** A shape: a tuple or list of positive ints; a single int means a 1-tuple. */
  private shape(
    e: ast.Expression,
    param: CatalogArg,
    callee: string,
    written: ast.Expression,
  ): Value | undefined {
    if (e.kind === 'Number' && e.isInteger && e.value >= 1) return [e.value];
    if (e.kind !== 'Tuple' && e.kind !== 'List') return this.wrongType(written, param, callee);
    const dims: (number | null)[] = [];
    for (const el of e.elements) {
      const d = this.resolveConstant(el, 'int');
      if (d.kind === 'None' && param.allowNone !== false) dims.push(null);
      else if (
        d.kind === 'Number' &&
        d.isInteger &&
        (d.value >= 1 || (d.value === -1 && callee === 'Reshape'))
      )
        dims.push(d.value);
      else {
        this.sink.report('invalidShape', el.range, {
          dim: d.kind === 'Number' ? d.raw : describe(el),
          arg: param.name,
        });
        return undefined;
      }
    }
    return dims;
  }

  private ints(
    e: ast.Expression,
    param: CatalogArg,
    callee: string,
    written: ast.Expression,
  ): Value | undefined {
    if (e.kind === 'Number' && e.isInteger && param.type !== 'int_list')
      return this.bounded(e.value, param, callee, written);
    if (e.kind !== 'Tuple' && e.kind !== 'List') return this.wrongType(written, param, callee);
    const out: number[] = [];
    for (const el of e.elements) {
      const v = this.resolveConstant(el, 'int');
      if (v.kind !== 'Number' || !v.isInteger) return this.wrongType(el, param, callee);
      const b = this.bounded(v.value, param, callee, el);
      if (b === undefined) return undefined;
      out.push(b);
    }
    return out;
  }

  /** Nested lists of numbers (weights, float lists). */
  private numbers(
    e: ast.Expression,
    param: CatalogArg,
    callee: string,
    written: ast.Expression,
  ): Value | undefined {
    const v = this.resolveConstant(e, 'float');
    if (v.kind === 'Number')
      return param.min === undefined && param.max === undefined
        ? v.value
        : this.bounded(v.value, param, callee, v);
    if (v.kind !== 'Tuple' && v.kind !== 'List') return this.wrongType(written, param, callee);
    const out: Value[] = [];
    for (const el of v.elements) {
      const n = this.numbers(el, param, callee, el);
      if (n === undefined) return undefined;
      out.push(n);
    }
    return out;
  }

  private list(
    e: ast.Expression,
    kind: CatalogKind,
    param: CatalogArg,
    callee: string,
    written: ast.Expression,
  ): Value | undefined {
    if (e.kind !== 'List' && e.kind !== 'Tuple') {
      return this.wrongType(
        written,
        param,
        callee,
        kind === 'metric' ? "Keras wants a list even for one metric: ['accuracy']." : undefined,
      );
    }
    const out: Value[] = [];
    for (const el of e.elements) {
      const resolved = this.resolveConstant(el, param.type);
      // A model with several outputs takes one entry per output (Keras 3's CompileMetrics): a
      // metric, a list of metrics, or None; the checker matches them against the outputs.
      if (kind === 'metric' && resolved.kind === 'None') out.push(null);
      else if (kind === 'metric' && (resolved.kind === 'List' || resolved.kind === 'Tuple')) {
        const inner: Value[] = [];
        for (const m of resolved.elements) {
          const v = this.named(this.resolveConstant(m, param.type), kind, param, callee, m);
          if (v !== undefined) inner.push(v);
        }
        out.push(inner);
      } else {
        const v = this.named(resolved, kind, param, callee, el);
        if (v !== undefined) out.push(v);
      }
    }
    return out;
  }

  /** A catalog name (bare or quoted) or a call to a catalog class, bound recursively. */
  private named(
    e: ast.Expression,
    kind: CatalogKind,
    param: CatalogArg,
    callee: string,
    written: ast.Expression,
  ): Value | undefined {
    const spelled =
      e.kind === 'Identifier'
        ? e.name
        : e.kind === 'String'
          ? e.value
          : e.kind === 'Call'
            ? e.callee.name
            : undefined;
    if (spelled === undefined) return this.wrongType(written, param, callee);
    const where = e.kind === 'Call' ? e.callee.range : written.range;
    const entry = catalog.lookup(kind, spelled);
    if (!entry) {
      const other = catalog.kindsOf(spelled).find((k) => k !== 'method');
      if (other)
        this.sink.report('kindMismatch', where, {
          name: spelled,
          actual: withArticle(other),
          expected: withArticle(kind),
        });
      else {
        const guess = catalog.suggest(kind, spelled); // an edit distance to every spelling: once
        if (e.kind === 'Identifier' && kind !== 'activation' && !guess)
          this.sink.report('undefinedName', where, { name: spelled });
        else
          this.sink.report(
            'unknownName',
            where,
            { kind, name: spelled },
            guess ? { hint: `Did you mean '${guess}'?` } : {},
          );
      }
      return undefined;
    }
    if (entry.unsupported)
      this.sink.report('unsupported', where, { name: entry.name, why: entry.unsupported });
    if (entry.extension) this.sink.report('extensionUsed', where, { name: entry.name });
    if (e.kind !== 'Call') {
      // A bare name stands for a call without arguments: one that needs some cannot be made.
      const required = entry.args.find((p) => p.required);
      if (required) {
        this.sink.report(
          'missingArgument',
          where,
          { callee: entry.name, arg: required.name },
          { hint: `Call it: ${entry.name}(${required.name}=…).` },
        );
        return undefined;
      }
      if (kind === 'activation') return entry.name;
      // A metric named by a string keeps that string as its name, as Keras logs it ('acc' stays 'acc').
      const args = this.binder.defaults(entry, kind);
      if (kind === 'metric' && (args['name'] === null || args['name'] === undefined))
        args['name'] = spelled;
      return { call: entry.name, args };
    }
    return { call: entry.name, args: this.binder.bind(e, entry, kind).args };
  }

  /** Any literal, for arguments typed 'any'. */
  private literal(e: ast.Expression, param: CatalogArg, callee: string): Value | undefined {
    switch (e.kind) {
      case 'Number':
      case 'String':
      case 'Boolean':
        return e.value;
      case 'None':
        return null;
      case 'Tuple':
      case 'List': {
        const out: Value[] = [];
        for (const el of e.elements) {
          const v = this.literal(this.resolveConstant(el, 'any'), param, callee);
          if (v === undefined) return undefined;
          out.push(v);
        }
        return out;
      }
      default:
        return this.wrongType(e, param, callee);
    }
  }
}

/** "in [0, 1)", "≥ 1", "> 0". */
export function describeBounds(p: CatalogArg): string {
  const lo = p.min !== undefined ? `${p.exclusiveMin ? '(' : '['}${p.min}` : undefined;
  const hi = p.max !== undefined ? `${p.max}${p.exclusiveMax ? ')' : ']'}` : undefined;
  if (lo && hi) return `in ${lo}, ${hi}`;
  if (lo) return `${p.exclusiveMin ? '>' : '≥'} ${p.min}`;
  return `${p.exclusiveMax ? '<' : '≤'} ${p.max}`;
}
