/**
 * Resolve once: every argument the engine runs — activations, initializers, regularizers,
 * constraints, the optimizer and the loss — becomes its spec here, through the same resolvers
 * the engine's factories use, so that what they would refuse is a diagnostic at the argument
 * and the plan receives specs it never has to interpret again.
 */
import {
  catalog,
  isCallValue,
  type CatalogArg,
  type CatalogEntry,
  type Value,
} from '../catalog/index.js';
import { resolveInitializer } from '../init/index.js';
import { resolveLoss, type LossSpec } from '../kernels/index.js';
import { activationSpec, type LayerSpecs } from '../layers/index.js';
import { resolveConstraint, resolveOptimizer, resolveRegularizer } from '../optim/index.js';
import type { Named, OptimizerSpec } from '../optim/index.js';
import type { Range } from '../source/index.js';
import type { Binder, BoundCall } from './bind.js';
import { engineLimitCodes } from './engine-limits.js';

/** Runs a resolver; what it refuses is kept to report at `at` (see reportRejected), and the result is then null. */
function attempt<T>(binder: Binder, at: Range, resolve: () => T): T | null {
  try {
    return resolve();
  } catch (err) {
    binder.rejected.push({ range: at, why: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

/**
 * Reports what the resolvers refused, unless a more precise diagnostic — an error or an
 * engine limit inside the same value — already says why: the checker's own rules point at the
 * smallest culprit, the resolvers only at the whole value.
 */
export function reportRejected(binder: Binder): void {
  if (binder.rejected.length === 0) return;
  const said = binder.sink.diagnostics.filter(
    (d) => d.severity === 'error' || engineLimitCodes.has(d.code),
  );
  for (const r of binder.rejected) {
    const inside = said.some(
      (d) =>
        d.range.start.offset >= r.range.start.offset && d.range.end.offset <= r.range.end.offset,
    );
    if (!inside) binder.sink.report('rejectedValue', r.range, { why: r.why });
  }
}

/** A name or a call, as the resolvers take it; other values were refused when bound. */
function named(v: Value): Named {
  if (typeof v === 'string' || isCallValue(v)) return v;
  throw new Error(`expected a name or a call, found ${JSON.stringify(v)}.`);
}

/** The types of argument the engine runs; only these are resolved. */
const engineTypes = new Set(['activation', 'initializer', 'regularizer', 'constraint']);

/** An engine argument of a layer, and the weight it belongs to (`kernel` for kernel_initializer). */
interface EngineParam {
  param: CatalogArg;
  weight: string;
}

/** Per layer entry, its own and the common arguments of those types (the catalog never changes). */
const engineParamCache = new WeakMap<CatalogEntry, EngineParam[]>();

function engineParams(entry: CatalogEntry): EngineParam[] {
  let params = engineParamCache.get(entry);
  if (!params) {
    params = entry.args
      .concat(catalog.common('layer'))
      .filter((p) => engineTypes.has(p.type))
      .map((param) => ({
        param,
        weight: param.name.replace(/_(initializer|regularizer|constraint)$/, ''),
      }));
    engineParamCache.set(entry, params);
  }
  return params;
}

/**
 * The specs of default values, by layer and argument: every Dense without a written
 * kernel_initializer has the same GlorotUniform, so it is resolved once (specs are immutable
 * plain data and may be shared). Written values are resolved where they stand.
 */
const defaultSpecs = new Map<string, unknown>();

function resolveArg<T>(
  b: BoundCall,
  param: CatalogArg,
  binder: Binder,
  at: Range,
  resolve: () => T,
): T | null {
  if (param.name in b.ranges) return attempt(binder, at, resolve);
  const key = `${b.entry.name}.${param.name}`;
  if (!defaultSpecs.has(key)) defaultSpecs.set(key, attempt(binder, at, resolve));
  return defaultSpecs.get(key) as T | null;
}

/** The specs of a bound layer call's engine arguments (defaults included). */
export function resolveLayerSpecs(b: BoundCall, binder: Binder): LayerSpecs {
  const specs: LayerSpecs = {
    activation: null,
    initializers: {},
    regularizers: {},
    constraints: {},
    activityRegularizer: null,
  };
  for (const { param, weight } of engineParams(b.entry)) {
    const v = b.args[param.name];
    if (v === undefined || (v === null && param.type !== 'activation')) continue;
    const at = b.ranges[param.name] ?? b.calleeRange;
    switch (param.type) {
      case 'activation':
        if (param.name === 'activation')
          specs.activation = resolveArg(b, param, binder, at, () => activationSpec(v));
        break;
      case 'initializer': {
        const spec = resolveArg(b, param, binder, at, () => resolveInitializer(named(v)));
        if (spec) specs.initializers[weight] = spec;
        break;
      }
      case 'regularizer': {
        const spec = resolveArg(b, param, binder, at, () => resolveRegularizer(named(v)));
        if (param.name === 'activity_regularizer') specs.activityRegularizer = spec;
        else if (spec) specs.regularizers[weight] = spec;
        break;
      }
      case 'constraint': {
        const spec = resolveArg(b, param, binder, at, () => resolveConstraint(named(v)));
        if (spec) specs.constraints[weight] = spec;
        break;
      }
    }
  }
  return specs;
}

/** compile()'s optimizer and loss as specs; a 'crossentropy' loss waits for the data (null). */
export function resolveCompileSpecs(
  optimizer: Value,
  loss: Value | null,
  ranges: Record<string, Range>,
  at: Range,
  binder: Binder,
): { optimizer: OptimizerSpec | null; loss: LossSpec | null } {
  const where = (arg: string) => ranges[arg] ?? at;
  const optimizerSpec = attempt(binder, where('optimizer'), () =>
    resolveOptimizer(named(optimizer)),
  );
  return { optimizer: optimizerSpec, loss: resolveLossSpec(loss, where('loss'), binder) };
}

/** A loss's spec; null for 'crossentropy' (the data resolves it) or when it did not resolve (reported). */
export function resolveLossSpec(loss: Value | null, at: Range, binder: Binder): LossSpec | null {
  if (!isCallValue(loss) || catalog.lookup('loss', loss.call)?.['target'] === 'auto') return null;
  return attempt(binder, at, () => resolveLoss(loss.call, loss.args));
}
