/**
 * Keras's fit loop: the validation split (the last fraction, taken before shuffling), a
 * reshuffle every epoch from the model's seeded generator, batches gathered into buffers
 * allocated once, the running size-weighted mean loss and stateful metrics per epoch,
 * validation at epoch end, callbacks, and the History.
 */
import {
  InputError,
  type ArrayInput,
  type Matrix,
  type ModelInputs,
  type OrderedRows,
} from './arrays.js';
import type { Args, CallValue } from '../catalog/index.js';
import type { Rng } from '../kernels/random.js';
import type { Metric } from '../metrics/index.js';
import { allFinite } from '../kernels/finite.js';
import { checkFitOptions } from './options.js';
import { copyRows } from './session.js';
import { callbacksFrom, type Callback, type Logs, type TrainingModel } from './callbacks.js';
import type { HealthMonitor, HealthReport } from './health.js';

export type { Logs } from './callbacks.js';

/** What fit() drives: the model's data handling, its training step and evaluation. */
export interface Trainee extends TrainingModel {
  readonly rng: Rng;
  /** The .nn file's fit(…) arguments. */
  readonly fitArgs: Args;
  matrixOf(x: ModelInputs): Matrix;
  /** Features left unchecked, and their check for NaN and ±Infinity staged through the training plan. */
  uncheckedMatrixOf(x: ModelInputs): Matrix;
  checkFeatures(m: Matrix, capacity: number, observe?: boolean): void;
  targetsOf(y: ModelInputs, rows: number): Matrix;
  metrics(): Metric[];
  step(
    x: Float32Array | OrderedRows,
    y: Float32Array,
    n: number,
    metrics: readonly Metric[] | null,
    capacity?: number,
    monitor?: HealthMonitor | null,
    guarded?: boolean,
  ): number;
  /** A monitor of the training health figures for the model's layers (the `health` option). */
  healthMonitor(): HealthMonitor;
  evaluateLogs(mx: Matrix, y: ModelInputs, batchSize: number): Logs;
  /** Keras's optimizer.finalize_variable_values: with use_ema, the averages become the weights. */
  finalizeWeights(): void;
  /** Every weight back to back: a live view. */
  weightValues(): Float32Array;
  /** Overwrites every weight from a copy of weightValues(). */
  restoreWeightValues(values: Float32Array): void;
}

export interface FitOptions {
  epochs?: number;
  /** Keras's default: 32. */
  batchSize?: number;
  shuffle?: boolean;
  /** The last fraction of the samples (before shuffling) is held out for validation. */
  validationSplit?: number;
  validationData?: [ModelInputs, ModelInputs];
  callbacks?: Callback[];
  initialEpoch?: number;
  /**
   * Training health figures per layer after each epoch (gradient and weight norms, dead ReLUs,
   * saturated units, warnings): `History.health` and the callbacks' onHealth. Off, training
   * runs exactly as without it.
   */
  health?: boolean;
}

/** What fit() returns: per-epoch logs, as Keras's History. */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  /**
   * Set when the loss became NaN or infinite: training stopped there, and the weights are
   * those before that step, the last finite ones. A weight that overflowed while the loss
   * stayed finite is found at the end of its epoch (`batch` is then the last, `loss` the
   * epoch's finite mean) and the weights go back to the epoch's start. The epoch it happened
   * in has no entry in `epoch` and `history`.
   */
  diverged?: { epoch: number; batch: number; loss: number };
  /** With the `health` option: one report per epoch in `epoch`. */
  health?: HealthReport[];
}

/**
 * The .nn file's fit(epochs=…, batch_size=…, shuffle=…, validation_split=…, callbacks=[…]) as
 * defaults for the library's fit(): options given in the call win.
 */
export function withFileDefaults(model: Trainee, options: FitOptions): FitOptions {
  const file = model.fitArgs;
  const pick = <T>(given: T | undefined, key: string): T | undefined =>
    given !== undefined ? given : ((file[key] ?? undefined) as T | undefined);
  const epochs = pick(options.epochs, 'epochs');
  const batchSize = pick(options.batchSize, 'batch_size');
  const shuffle = pick(options.shuffle, 'shuffle');
  const validationSplit = pick(options.validationSplit, 'validation_split');
  const fileCallbacks = (file['callbacks'] ?? []) as CallValue[];
  const callbacks =
    options.callbacks ?? callbacksFrom(fileCallbacks, { save: (m, path) => m.saveWeights(path) });
  return {
    ...options,
    ...(epochs !== undefined ? { epochs } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(shuffle !== undefined ? { shuffle } : {}),
    ...(validationSplit !== undefined ? { validationSplit } : {}),
    callbacks,
  };
}

/** Keras's fit loop over `x`/`y` with the options checked and the file's fit(…) as defaults. */
export function fitModel(
  model: Trainee,
  x: ModelInputs,
  y: ModelInputs,
  given: FitOptions,
): History {
  checkFitOptions(given);
  const options = withFileDefaults(model, given);
  const all = model.uncheckedMatrixOf(x);
  const targets = model.targetsOf(y, all.rows);
  const { train, trainY, val } = split(model, all, targets, options);
  const epochs = options.epochs ?? 1;
  const batch = Math.max(1, Math.min(options.batchSize ?? 32, train.rows));
  // Every row is checked before the first step (a SIMD scan on wasm), validation rows included,
  // through the training plan the steps run.
  model.checkFeatures(all, batch, options.health === true);
  const callbacks = options.callbacks ?? [];
  // The running logs are made per batch only for the callbacks that read them.
  const batchEnd = callbacks.filter((cb) => cb.onBatchEnd);
  const history: History = { epoch: [], history: {} };
  const ySize = trainY.cols;
  const scratch = scratchOf(model);
  const by = scratch.floats('y', batch * ySize);
  const order = scratch.order(train.rows);
  const rows: OrderedRows = { data: train.data, order, first: 0 };
  const metrics = model.metrics();
  const guard = new DivergenceGuard(model, scratch);
  const monitor = options.health ? model.healthMonitor() : null;
  if (monitor) history.health = [];
  model.stopTraining = false;
  for (const cb of callbacks) cb.onTrainBegin?.(model);
  for (let epoch = options.initialEpoch ?? 0; epoch < epochs && !model.stopTraining; epoch++) {
    for (const cb of callbacks) cb.onEpochBegin?.(epoch);
    guard.epochBegin();
    monitor?.epochBegin();
    if (options.shuffle !== false) shuffle(order, model);
    for (const m of metrics) m.reset();
    let lossSum = 0;
    let seen = 0;
    let logs: Logs = {};
    const steps = Math.ceil(train.rows / batch);
    for (let s = 0; s < steps; s++) {
      const n = Math.min(batch, train.rows - s * batch);
      // x straight into the plan (one copy); y here, where the metrics read it too.
      rows.first = s * batch;
      gatherRows(trainY.data, order, s * batch, n, ySize, by);
      // Keras's TerminateOnNaN, built in: a step whose loss is not finite updates nothing
      // (guarded), and training stops.
      const loss = model.step(rows, by, n, metrics, batch, monitor, true);
      if (!Number.isFinite(loss)) {
        guard.rollback();
        history.diverged = { epoch, batch: s, loss };
        model.stopTraining = true;
        break;
      }
      lossSum += loss * n;
      seen += n;
      if (batchEnd.length > 0) {
        logs = epochLogs(lossSum / seen, metrics);
        for (const cb of batchEnd) cb.onBatchEnd!(s, logs, steps);
      }
      if (model.stopTraining) break;
    }
    if (seen > 0) logs = epochLogs(lossSum / seen, metrics);
    // A weight can overflow while the loss stays finite (e.g. behind a ReLU): checked per epoch.
    if (!history.diverged && !guard.epochEnd())
      history.diverged = { epoch, batch: steps - 1, loss: logs['loss'] ?? NaN };
    if (history.diverged) {
      model.stopTraining = true;
      break;
    }
    if (val) Object.assign(logs, prefixed(model.evaluateLogs(val.x, val.y, batch), 'val_'));
    for (const cb of callbacks) cb.onEpochEnd?.(epoch, logs);
    const report = monitor?.report(epoch);
    if (report) {
      history.health!.push(report);
      for (const cb of callbacks) cb.onHealth?.(report);
    }
    history.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (history.history[key] ??= []).push(value);
  }
  // Keras copies the weights' moving averages into them (use_ema) before on_train_end.
  // After a divergence the averages hold NaN too: the restored weights are the finite ones.
  if (epochs > (options.initialEpoch ?? 0) && !history.diverged) model.finalizeWeights();
  for (const cb of callbacks) cb.onTrainEnd?.(model);
  return history;
}

/**
 * Keeps the last finite weights through fit at the cost of one copy and one scan per epoch. A
 * step whose loss is not finite updates nothing (Model.step's guard), so the weights before it
 * are the current ones — unless a weight had overflowed while the loss stayed finite; then, as
 * when the scan at the end of an epoch finds a non-finite weight, the copy taken at the
 * epoch's start (known finite) comes back.
 */
class DivergenceGuard {
  private epochCopy: Float32Array | null = null;

  constructor(
    private readonly model: Trainee,
    private readonly scratch: FitScratch,
  ) {}

  /** Copies the weights (finite: checked at the end of the previous epoch, or on load). */
  epochBegin(): void {
    const weights = this.model.weightValues();
    (this.epochCopy ??= this.scratch.floats('weights', weights.length)).set(weights);
  }

  /** After a step whose loss was not finite: the last finite weights. */
  rollback(): void {
    this.epochEnd();
  }

  /** Whether every weight is finite; if not, restores those at the epoch's start. */
  epochEnd(): boolean {
    if (allFinite(this.model.weightValues())) return true;
    this.model.restoreWeightValues(this.epochCopy!);
    return false;
  }
}

/**
 * fit's buffers (the batch, the weights' copy, the sample order), kept with the model between
 * calls: a fresh 0.4 MB array costs V8 over a millisecond (a new backing store, zeroed), as
 * much as a couple of training steps of the MNIST MLP on wasm, paid on every call of a loop
 * that runs fit one epoch at a time.
 */
class FitScratch {
  private readonly arrays = new Map<string, Float32Array>();
  private indices = new Int32Array(0);

  /** A Float32Array of `length` for `use` (its contents are whatever the last call left). */
  floats(use: string, length: number): Float32Array {
    let a = this.arrays.get(use);
    if (!a || a.length !== length) this.arrays.set(use, (a = new Float32Array(length)));
    return a;
  }

  /** 0, 1, …, rows − 1: the order before the first shuffle. */
  order(rows: number): Int32Array {
    if (this.indices.length !== rows) this.indices = new Int32Array(rows);
    const order = this.indices;
    for (let i = 0; i < rows; i++) order[i] = i;
    return order;
  }
}

const scratches = new WeakMap<Trainee, FitScratch>();

function scratchOf(model: Trainee): FitScratch {
  let s = scratches.get(model);
  if (!s) scratches.set(model, (s = new FitScratch()));
  return s;
}

/** out[r] = data[order[first + r]] for n rows of `size` values. */
function gatherRows(
  data: Float32Array,
  order: Int32Array,
  first: number,
  n: number,
  size: number,
  out: Float32Array,
): void {
  for (let r = 0; r < n; r++) copyRows(data, order[first + r]! * size, out, r * size, size);
}

function epochLogs(loss: number, metrics: readonly Metric[]): Logs {
  const logs: Logs = { loss };
  for (const m of metrics) logs[m.name] = m.result();
  return logs;
}

function prefixed(logs: Logs, prefix: string): Logs {
  return Object.fromEntries(Object.entries(logs).map(([k, v]) => [prefix + k, v]));
}

/** Fisher–Yates with the model's generator: the same seed, the same order. */
function shuffle(order: Int32Array, model: Trainee): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = model.rng.below(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

function split(model: Trainee, all: Matrix, targets: Matrix, options: FitOptions) {
  if (options.validationData) {
    const vx = model.matrixOf(options.validationData[0]);
    return { train: all, trainY: targets, val: { x: vx, y: options.validationData[1] } };
  }
  const v = options.validationSplit ?? 0;
  if (v <= 0) return { train: all, trainY: targets, val: null };
  if (v >= 1) throw new InputError(`validationSplit must be in [0, 1), found ${v}.`);
  const at = Math.floor(all.rows * (1 - v));
  if (at === 0 || at === all.rows)
    throw new InputError(
      `validationSplit=${v} of ${all.rows} samples leaves ${at === 0 ? 'no training' : 'no validation'} samples.`,
    );
  const rowsOf = (m: Matrix, from: number, to: number): Matrix => ({
    data: m.data.subarray(from * m.cols, to * m.cols),
    rows: to - from,
    cols: m.cols,
  });
  const valY = rowsOf(targets, at, all.rows);
  return {
    train: rowsOf(all, 0, at),
    trainY: rowsOf(targets, 0, at),
    val: { x: rowsOf(all, at, all.rows), y: valY.data as ArrayInput },
  };
}
