/**
 * Resolve once: every argument the engine runs — activations, initializers, regularizers,
 * constraints, the optimizer and the loss — becomes its spec here, through the same resolvers
 * the engine's factories use, so that what they would refuse is a diagnostic at the argument
 * and the plan receives specs it never has to interpret again.
 */
import { catalog, isCallValue, type Value } from '../catalog/index.js';
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

/** The specs of a bound layer call's engine arguments (defaults included). */
export function resolveLayerSpecs(b: BoundCall, binder: Binder): LayerSpecs {
  const specs: LayerSpecs = {
    activation: null,
    initializers: {},
    regularizers: {},
    constraints: {},
    activityRegularizer: null,
  };
  for (const param of b.entry.args.concat(catalog.common('layer'))) {
    const v = b.args[param.name];
    if (v === undefined) continue;
    const at = b.ranges[param.name] ?? b.calleeRange;
    const weight = param.name.replace(/_(initializer|regularizer|constraint)$/, '');
    switch (param.type) {
      case 'activation':
        if (param.name === 'activation')
          specs.activation = attempt(binder, at, () => activationSpec(v));
        break;
      case 'initializer': {
        const spec = v === null ? null : attempt(binder, at, () => resolveInitializer(named(v)));
        if (spec) specs.initializers[weight] = spec;
        break;
      }
      case 'regularizer': {
        const spec = attempt(binder, at, () => resolveRegularizer(v === null ? null : named(v)));
        if (param.name === 'activity_regularizer') specs.activityRegularizer = spec;
        else if (spec) specs.regularizers[weight] = spec;
        break;
      }
      case 'constraint': {
        const spec = attempt(binder, at, () => resolveConstraint(v === null ? null : named(v)));
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
  let lossSpec: LossSpec | null = null;
  if (isCallValue(loss) && catalog.lookup('loss', loss.call)?.['target'] !== 'auto')
    lossSpec = attempt(binder, where('loss'), () => resolveLoss(loss.call, loss.args));
  return { optimizer: optimizerSpec, loss: lossSpec };
}
