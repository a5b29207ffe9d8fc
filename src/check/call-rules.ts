/**
 * Rules Keras itself enforces across the arguments of one call, which the catalog's per-argument
 * types and bounds cannot say: Keras raises a ValueError for each, so they are errors here, on
 * the argument that breaks the rule.
 */
import { catalog, type Value } from '../catalog/index.js';
import type { Range } from '../source/index.js';
import type { Binder, BoundCall } from './bind.js';

/** The span of an argument as written: `name=value`, or the value alone. */
export function writtenRange(b: BoundCall, param: string): Range | undefined {
  const value = b.ranges[param];
  const keyword = b.keywordRanges[param];
  return value && keyword ? { start: keyword.start, end: value.end } : value;
}

/** Checks every bound call (nested ones included) against the rules below. */
export function checkCallRules(calls: readonly BoundCall[], binder: Binder): void {
  for (const b of calls) {
    if (b.kind === 'optimizer') checkClipping(b, binder);
    if (b.kind === 'schedule' && b.entry.name === 'PiecewiseConstantDecay')
      checkPiecewise(b, binder);
    if (b.kind === 'callback') checkMonitor(b, binder);
  }
}

/** Keras 3's BaseOptimizer: "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set." */
function checkClipping(b: BoundCall, binder: Binder): void {
  const options = ['clipnorm', 'clipvalue', 'global_clipnorm'];
  const set = options.filter((o) => b.args[o] !== null && b.args[o] !== undefined && b.ranges[o]);
  if (set.length < 2) return;
  const [first, ...rest] = set;
  for (const extra of rest)
    binder.sink.report(
      'conflictingArguments',
      writtenRange(b, extra)!,
      {
        callee: b.entry.name,
        args: options.map((o) => `'${o}'`).join(', '),
        found: set.map((o) => `'${o}'`).join(' and '),
        keep: first!,
      },
      { related: [{ range: writtenRange(b, first!)!, message: `'${first}' is set here` }] },
    );
}

/** Keras's PiecewiseConstantDecay: one value more than boundaries, boundaries in order. */
function checkPiecewise(b: BoundCall, binder: Binder): void {
  const boundaries = numbers(b.args['boundaries']);
  const values = numbers(b.args['values']);
  if (!boundaries || !values) return;
  if (values.length !== boundaries.length + 1) {
    binder.sink.report('invalidArgumentValue', b.ranges['values'] ?? b.calleeRange, {
      arg: 'values',
      callee: b.entry.name,
      why: `must have one element more than 'boundaries' (${boundaries.length + 1}), found ${values.length}.`,
    });
  }
  const unordered = boundaries.findIndex((v, i) => i > 0 && !(v > boundaries[i - 1]!));
  if (unordered > 0)
    binder.sink.report('invalidArgumentValue', b.ranges['boundaries'] ?? b.calleeRange, {
      arg: 'boundaries',
      callee: b.entry.name,
      why: `must be strictly increasing, found ${boundaries[unordered - 1]} before ${boundaries[unordered]}.`,
    });
}

/** Keras's precision/recall pick one output with class_id: it must be one of the outputs. */
export function checkClassIds(
  calls: readonly BoundCall[],
  units: number | null | undefined,
  binder: Binder,
): void {
  if (typeof units !== 'number') return;
  for (const b of calls) {
    const id = b.args['class_id'];
    if (b.kind !== 'metric' || typeof id !== 'number' || id < units) continue;
    binder.sink.report('invalidArgumentValue', b.ranges['class_id'] ?? b.calleeRange, {
      arg: 'class_id',
      callee: b.entry.name,
      why: `must be below the number of output units (${units}), found ${id}.`,
    });
  }
}

function numbers(v: Value | undefined): number[] | undefined {
  return Array.isArray(v) && v.every((n) => typeof n === 'number') ? (v as number[]) : undefined;
}

/**
 * With mode='auto' EarlyStopping tells from the monitored quantity whether it should fall
 * (losses) or rise (accuracy), and raises a ValueError for any other name. (ReduceLROnPlateau
 * and ModelCheckpoint decide by the name alone — 'acc' in it means up — so they always can.)
 */
function checkMonitor(b: BoundCall, binder: Binder): void {
  const monitor = b.args['monitor'];
  if (b.entry.name !== 'EarlyStopping') return;
  if (typeof monitor !== 'string' || b.args['mode'] !== 'auto') return;
  if (monitorDirection(monitor) !== undefined) return;
  const at = b.ranges['monitor'] ?? b.calleeRange;
  binder.sink.report('monitorDirection', at, { callee: b.entry.name, monitor });
}

/** 'min' or 'max' for a monitored quantity, as mode='auto' decides; undefined when it cannot. */
export function monitorDirection(monitor: string): 'min' | 'max' | undefined {
  const name = monitor.replace(/^val_/, '');
  if (name === 'loss') return 'min';
  const direction = catalog.lookup('metric', name)?.['direction'];
  if (direction === 'up') return 'max';
  if (direction === 'down') return 'min';
  if (/acc|auc|precision|recall/.test(name)) return 'max';
  return undefined;
}
