/**
 * What a conformance case is made of, in Keras spelling (one description feeds both engines):
 * layers, loss and optimizer as Keras calls, and the .nn source our engine is given.
 */

/** A Keras call such as `Dense(5, activation='relu')` or `L2(l2=0.01)`; `positional` come first. */
export interface KerasCall {
  call: string;
  positional?: Arg[];
  args?: Record<string, Arg>;
}

/** An argument value: a number, a boolean, a string (rendered quoted), a tuple or a nested call. */
export type Arg = number | boolean | string | Tuple | KerasCall;

/** A Python tuple of integers or of tuples of integers: `(2, 3)`, `((1, 0), (2, 1))`. */
export type Tuple = (number | number[])[];

/** How a batch's targets are drawn, so that each loss sees the values it is meant for. */
export type TargetKind =
  | 'regression' // N(0, 1)
  | 'away_from_zero' // ±(0.5…2), for MAPE
  | 'positive' // U(0, 3), for MSLE
  | 'counts' // integers 0…4, for Poisson
  | 'binary' // 0 or 1
  | 'signs' // −1 or 1
  | 'one_hot' // one class per sample
  | 'sparse' // one class index per sample
  | 'distribution'; // positive rows summing to 1, for KL divergence

/** How a case trains and what it is filed under: shared by chain and graph cases. */
export interface TrainingSetup {
  /** The table the case belongs to; errors are reported per group. */
  group: string;
  /** A short label; the full test name adds the model and any Keras 3 formula in use. */
  label: string;
  /** The loss key in tfjs-losses.ts's table. */
  loss: string;
  optimizer: KerasCall;
  batchSize: number;
  /** Number of trainOnBatch steps (0: forward pass and evaluate only). */
  steps: number;
  /** Seeds the initial weights and the batches. */
  seed: number;
  /** Train through fit(epochs=1, shuffle=False) instead of trainOnBatch calls. */
  viaFit?: boolean;
  /** The inputs are token ids below this (an Embedding reads them), not N(0, 1) values. */
  tokens?: number;
}

/** One conformance case: a small model, its training setup and the data it sees. */
export interface ConformanceCase extends TrainingSetup {
  inputs: number;
  /** The layers after Input(inputs), as Keras calls. */
  layers: KerasCall[];
}

/** A Keras call, built tersely: `k('Dense', [5], { activation: 'relu' })`. */
export function k(call: string, positional: Arg[] = [], args: Record<string, Arg> = {}): KerasCall {
  return { call, positional, args };
}

/** A Python tuple of two or more numbers, `(3, 2)`: a call without a callee renders as one. */
export function tuple(...items: number[]): KerasCall {
  return { call: '', positional: items };
}

/** The numbers of a tuple() argument. */
export function tupleItems(a: Arg | undefined): number[] {
  if (Array.isArray(a)) return a as number[];
  if (typeof a !== 'object' || a.call !== '') throw new Error('expected a tuple');
  return (a.positional ?? []) as number[];
}

/** Whether a call has no arguments at all (a loss or activation then renders as a bare name). */
function bare(c: KerasCall): boolean {
  return (c.positional ?? []).length === 0 && Object.keys(c.args ?? {}).length === 0;
}

/** The .nn source of a case: `Input(n) -> layers…` and `compile(optimizer, loss)`. */
export function nnSource(c: ConformanceCase, loss: KerasCall): string {
  const chain = [`Input(${c.inputs})`, ...c.layers.map((l) => renderCall(l, true))].join(' -> ');
  return `${chain}\ncompile(${renderCall(c.optimizer)}, ${renderCall(loss)})`;
}

/** Keras-style text of a call: positional arguments, then keyword arguments; bare without any. */
export function renderCall(c: KerasCall, parens = false): string {
  if (bare(c) && !parens) return c.call;
  const parts = (c.positional ?? []).map(renderArg);
  for (const [key, value] of Object.entries(c.args ?? {})) parts.push(`${key}=${renderArg(value)}`);
  return `${c.call}(${parts.join(', ')})`;
}

function renderArg(a: Arg): string {
  if (typeof a === 'number') return String(a);
  if (typeof a === 'boolean') return a ? 'True' : 'False';
  if (typeof a === 'string') return `'${a}'`;
  if (Array.isArray(a))
    return a.length === 1 ? `(${renderArg(a[0]!)},)` : `(${a.map(renderArg).join(', ')})`;
  return renderCall(a);
}

/** Whether an argument is a tuple of ints (kernel_size=(2, 3), target_shape=(4, 2, 1)). */
export function isTuple(a: Arg): a is Tuple {
  return Array.isArray(a);
}

/** The string or call an argument holds, as a call (a bare name has no arguments). */
export function asCall(a: Arg | undefined): KerasCall | null {
  if (a === undefined) return null;
  if (typeof a === 'string') return { call: a };
  if (typeof a === 'object' && !Array.isArray(a)) return a;
  throw new Error(`expected a name or a call, found ${String(a)}`);
}

/** A keyword argument as a number (or `fallback` when absent). */
export function numArg(c: KerasCall, key: string, fallback: number): number {
  const v = c.args?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new Error(`${c.call}: '${key}' must be a number`);
  return v;
}

/** A tuple argument, positional `at` or keyword `key` (or `fallback` when absent). */
export function tupleArg(c: KerasCall, at: number, key: string, fallback: Tuple): Tuple {
  const v = c.positional?.[at] ?? c.args?.[key];
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) throw new Error(`${c.call}: '${key}' must be a tuple`);
  return v;
}

/** A keyword argument as a boolean (or `fallback` when absent). */
export function boolArg(c: KerasCall, key: string, fallback: boolean): boolean {
  const v = c.args?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${c.call}: '${key}' must be a boolean`);
  return v;
}

/** A short readable summary of the model: `Dense(5, relu) → BatchNormalization → Dense(3, softmax)`. */
export function modelSummary(c: ConformanceCase): string {
  return c.layers
    .map((l) => {
      const act = asCall(l.args?.['activation']);
      const first = l.positional?.[0];
      const head =
        first === undefined
          ? ''
          : typeof first === 'object' && !Array.isArray(first)
            ? renderCall(first)
            : String(first);
      const extras = [head, act ? renderCall(act).replace(/^'|'$/g, '') : '']
        .filter(Boolean)
        .join(', ');
      return extras ? `${l.call}(${extras})` : l.call;
    })
    .join(' → ');
}
