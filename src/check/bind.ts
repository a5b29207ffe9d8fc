/**
 * Binds a call's arguments to a catalog entry's parameters the way Python does (positions,
 * then keywords), checking each value against its declared type. Every problem becomes a
 * diagnostic on the smallest culprit; the result always has every parameter, defaults filled.
 */
import type * as ast from '../ast/index.js';
import type { Args, CatalogArg, CatalogEntry, CatalogKind } from '../catalog/index.js';
import { catalog, closest } from '../catalog/index.js';
import type { DiagnosticSink } from '../diagnostics/index.js';
import type { Range } from '../source/index.js';
import type { Scope } from './scope.js';
import { ValueChecker } from './values.js';

/** A call bound to its entry: values by parameter name, and where each given one was written. */
export interface BoundCall {
  entry: CatalogEntry;
  kind: CatalogKind;
  args: Args;
  /** Ranges of the arguments the user wrote (the value's range), by parameter name. */
  ranges: Record<string, Range>;
  /** Ranges of the names of arguments written as `name=value`, by parameter name. */
  keywordRanges: Record<string, Range>;
  callRange: Range;
  calleeRange: Range;
}

export class Binder {
  readonly values: ValueChecker;

  /**
   * `calls` collects every call bound, nested ones included, in binding order: the engine
   * limits and the language server read it.
   */
  /** Values the engine's resolvers refused, reported at the end unless a rule said why already. */
  readonly rejected: { range: Range; why: string }[] = [];

  constructor(
    readonly sink: DiagnosticSink,
    readonly scope: Scope,
    readonly calls: BoundCall[] = [],
  ) {
    this.values = new ValueChecker(this);
  }

  /** Binds `call` to `entry` of `kind`: every parameter gets a value (given or default). */
  bind(call: ast.Call, entry: CatalogEntry, kind: CatalogKind): BoundCall {
    const parameters = parametersOf(entry, kind);
    const { all: params, positional } = parameters;
    const bound: BoundCall = {
      entry,
      kind,
      args: {},
      ranges: {},
      keywordRanges: {},
      callRange: call.range,
      calleeRange: call.callee.range,
    };
    this.calls.push(bound);
    let seenKeyword = false;
    let reportedExtra = false;
    call.args.forEach((arg, index) => {
      const param = arg.name ? this.keywordParam(arg.name, parameters, entry) : positional[index];
      if (arg.name) seenKeyword = true;
      else if (seenKeyword) {
        const suggestion = positional[index] ? `${positional[index].name}=…` : 'name=value';
        this.sink.report('positionalAfterKeyword', arg.range, { suggestion });
        return;
      } else if (!param) {
        if (reportedExtra) return;
        reportedExtra = true;
        const s = positional.length === 1 ? '' : 's';
        this.sink.report('tooManyArguments', arg.range, {
          callee: entry.name,
          max: positional.length,
          s,
          found: call.args.filter((a) => !a.name).length,
        });
        return;
      }
      if (param) this.assign(bound, param, arg);
    });
    for (const p of params) {
      if (p.name in bound.args) continue;
      // A required argument given with a bad value stays unbound; its error is already out.
      if (p.required && !(p.name in bound.ranges))
        this.sink.report('missingArgument', call.callee.range, { callee: entry.name, arg: p.name });
      if (!p.required) bound.args[p.name] = this.values.defaultValue(p, kind);
    }
    return bound;
  }

  /** Every parameter's default, for a thing named without a call (`adam`, `he_normal`). */
  defaults(entry: CatalogEntry, kind: CatalogKind): Args {
    const args: Args = {};
    for (const p of parametersOf(entry, kind).all)
      if (!p.required) args[p.name] = this.values.defaultValue(p, kind);
    return args;
  }

  private keywordParam(
    name: ast.Identifier,
    { all: params, byName }: Parameters,
    entry: CatalogEntry,
  ): CatalogArg | undefined {
    const exact = byName.get(name.name);
    if (exact) return exact;
    for (const p of params) {
      const alias = p.aliases?.find((a) => a.name === name.name);
      if (alias) {
        this.sink.report(
          'legacyAlias',
          name.range,
          { alias: name.name, arg: p.name },
          { hint: alias.hint },
        );
        return p;
      }
    }
    const guess = closest(
      name.name,
      params.map((p) => p.name),
    );
    this.sink.report(
      'unknownArgument',
      name.range,
      { callee: entry.name, arg: name.name },
      guess ? { hint: `Did you mean '${guess}'?` } : {},
    );
    return undefined;
  }

  private assign(bound: BoundCall, param: CatalogArg, arg: ast.Argument): void {
    const culprit = arg.name?.range ?? arg.value.range;
    if (param.name in bound.ranges) {
      this.sink.report(
        'duplicateArgument',
        culprit,
        { arg: param.name, callee: bound.entry.name },
        {
          related: [{ range: bound.ranges[param.name]!, message: 'first given here' }],
        },
      );
      return;
    }
    bound.ranges[param.name] = arg.value.range;
    if (arg.name) bound.keywordRanges[param.name] = arg.name.range;
    if (param.rejected) {
      this.sink.report('rejectedArgument', culprit, {
        arg: param.name,
        callee: bound.entry.name,
        why: param.rejected,
      });
      return;
    }
    if (param.deprecated)
      this.sink.report('deprecatedArgument', culprit, {
        arg: param.name,
        callee: bound.entry.name,
        why: param.deprecated,
      });
    const value = this.values.check(arg.value, param, bound.entry.name);
    if (value !== undefined) bound.args[param.name] = value;
  }
}

/** One catalog entry's parameters: all of them, those given by position, and by name. */
interface Parameters {
  all: CatalogArg[];
  positional: CatalogArg[];
  byName: Map<string, CatalogArg>;
}

/** Per kind, each entry's parameters: the catalog never changes, so they are built once. */
const parameterCache = new Map<CatalogKind, WeakMap<CatalogEntry, Parameters>>();

/** An entry's own parameters, then the kind's common ones it does not redefine (AdamW's weight_decay). */
function parametersOf(entry: CatalogEntry, kind: CatalogKind): Parameters {
  let byEntry = parameterCache.get(kind);
  if (!byEntry) parameterCache.set(kind, (byEntry = new WeakMap()));
  let params = byEntry.get(entry);
  if (!params) {
    const own = new Set(entry.args.map((p) => p.name));
    const all = [...entry.args, ...catalog.common(kind).filter((p) => !own.has(p.name))];
    const byName = new Map<string, CatalogArg>();
    for (const p of all) if (!byName.has(p.name)) byName.set(p.name, p); // the first, as find()
    params = { all, positional: all.filter((p) => !p.keywordOnly), byName };
    byEntry.set(entry, params);
  }
  return params;
}
