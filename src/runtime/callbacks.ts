/**
 * Keras 3's callbacks with their exact rules (§8.3 of the reference): EarlyStopping (with
 * restore_best_weights), ReduceLROnPlateau, ModelCheckpoint and TerminateOnNaN, built from the
 * checked `callbacks=[…]` of a .nn file or constructed directly.
 */
import { catalog, type Args, type CallValue } from '../catalog/index.js';
import { InputError } from './arrays.js';
import type { DataInfo } from './weights-file.js';
import type { HealthReport } from './health.js';

/** Per-epoch (or running per-batch) values: loss, metrics, val_… */
export type Logs = Record<string, number>;

/** What a callback may read and change of the model being trained; `Model` is one. */
export interface TrainingModel {
  /** Set to end fit() after the current epoch or batch. */
  stopTraining: boolean;
  readonly optimizer: { learningRate: number };
  getWeights(): Float32Array[];
  setWeights(weights: readonly (Float32Array | ArrayLike<number>)[]): void;
  saveWeights(path: string, data?: DataInfo): void;
}

export interface Callback {
  onTrainBegin?(model: TrainingModel): void;
  onEpochBegin?(epoch: number): void;
  onBatchEnd?(batch: number, logs: Logs, steps: number): void;
  onEpochEnd?(epoch: number, logs: Logs): void;
  /** With fit's `health` option: the epoch's training health figures, after onEpochEnd. */
  onHealth?(report: HealthReport): void;
  onTrainEnd?(model: TrainingModel): void;
}

/** Messages the callbacks print when verbose, as Keras prints them. */
export type Say = (line: string) => void;

type Mode = 'min' | 'max';

/**
 * ReduceLROnPlateau's and ModelCheckpoint's mode='auto' as Keras 3 decides it: by the name
 * alone, 'max' when it holds 'acc' (or starts with 'fmeasure'), else 'min'.
 */
export function nameMode(mode: string, monitor: string): Mode {
  if (mode === 'min' || mode === 'max') return mode;
  return monitor.includes('acc') || monitor.startsWith('fmeasure') ? 'max' : 'min';
}

/** EarlyStopping's mode='auto': losses go down; a metric goes its own direction (accuracy up). */
export function monitorMode(mode: string, monitor: string): Mode {
  if (mode === 'min' || mode === 'max') return mode;
  const name = monitor.replace(/^val_/, '');
  if (name === 'loss') return 'min';
  const entry = catalog.lookup('metric', name);
  const direction = entry?.['direction'];
  if (direction === 'up') return 'max';
  if (direction === 'down') return 'min';
  if (/acc|auc|precision|recall/.test(name)) return 'max';
  throw new InputError(
    `cannot tell whether '${monitor}' should go up or down: give mode='min' or mode='max'.`,
  );
}

function improved(mode: Mode, current: number, best: number | null, minDelta: number): boolean {
  if (best === null) return true;
  return mode === 'min' ? current < best - Math.abs(minDelta) : current > best + Math.abs(minDelta);
}

export class EarlyStopping implements Callback {
  private wait = 0;
  private best: number | null = null;
  private bestEpoch = 0;
  private bestWeights: Float32Array[] | null = null;
  private stoppedEpoch = 0;
  private model: TrainingModel | null = null;
  private mode: Mode | null = null;

  constructor(
    readonly args: {
      monitor?: string;
      min_delta?: number;
      patience?: number;
      verbose?: number;
      mode?: string;
      baseline?: number | null;
      restore_best_weights?: boolean;
      start_from_epoch?: number;
    } = {},
    private readonly say: Say = () => undefined,
  ) {}

  onTrainBegin(model: TrainingModel): void {
    this.model = model;
    this.wait = 0;
    this.best = null;
    this.bestWeights = null;
    this.stoppedEpoch = 0;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const monitor = this.args.monitor ?? 'val_loss';
    const current = logs[monitor];
    if (current === undefined || epoch < (this.args.start_from_epoch ?? 0)) return;
    this.mode ??= monitorMode(this.args.mode ?? 'auto', monitor);
    const baseline = this.args.baseline ?? null;
    this.wait += 1;
    if (improved(this.mode, current, this.best, this.args.min_delta ?? 0)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.args.restore_best_weights) this.bestWeights = this.model!.getWeights();
      if (baseline === null || improved(this.mode, current, baseline, 0)) this.wait = 0;
      return;
    }
    if (this.wait >= (this.args.patience ?? 0) && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  onTrainEnd(model: TrainingModel): void {
    if (this.stoppedEpoch > 0 && this.args.verbose)
      this.say(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.args.restore_best_weights && this.bestWeights) {
      if (this.args.verbose)
        this.say(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      model.setWeights(this.bestWeights);
    }
  }
}

export class ReduceLROnPlateau implements Callback {
  private wait = 0;
  private cooldownCounter = 0;
  private best: number | null = null;
  private model: TrainingModel | null = null;
  private mode: Mode | null = null;

  constructor(
    readonly args: {
      monitor?: string;
      factor?: number;
      patience?: number;
      verbose?: number;
      mode?: string;
      min_delta?: number;
      cooldown?: number;
      min_lr?: number;
    } = {},
    private readonly say: Say = () => undefined,
  ) {
    if ((args.factor ?? 0.1) >= 1)
      throw new InputError('ReduceLROnPlateau does not support a factor ≥ 1.');
  }

  onTrainBegin(model: TrainingModel): void {
    this.model = model;
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = null;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = this.model!.optimizer;
    logs['learning_rate'] = optimizer.learningRate;
    const monitor = this.args.monitor ?? 'val_loss';
    const current = logs[monitor];
    if (current === undefined) return;
    this.mode ??= nameMode(this.args.mode ?? 'auto', monitor);
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (improved(this.mode, current, this.best, this.args.min_delta ?? 1e-4)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait += 1;
      if (this.wait >= (this.args.patience ?? 10)) {
        const old = optimizer.learningRate;
        const minLr = Math.fround(this.args.min_lr ?? 0);
        if (old > minLr) {
          const lr = Math.max(old * (this.args.factor ?? 0.1), minLr);
          optimizer.learningRate = lr;
          if (this.args.verbose)
            this.say(
              `\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${Math.fround(lr)}.`,
            );
          this.cooldownCounter = this.args.cooldown ?? 0;
          this.wait = 0;
        }
      }
    }
  }
}

export class TerminateOnNaN implements Callback {
  private model: TrainingModel | null = null;

  constructor(
    readonly args: { raise_error?: boolean } = {},
    private readonly say: Say = () => undefined,
  ) {}

  onTrainBegin(model: TrainingModel): void {
    this.model = model;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs['loss'];
    if (loss === undefined || Number.isFinite(loss)) return;
    if (this.args.raise_error)
      throw new InputError(`Batch ${batch}: Invalid loss, terminating training.`);
    this.say(`Batch ${batch}: Invalid loss, terminating training`);
    this.model!.stopTraining = true;
  }
}

/** Saves the weights (atomically) every epoch, or only when the monitored value improves. */
export class ModelCheckpoint implements Callback {
  private best: number | null;
  private mode: Mode | null = null;
  private model: TrainingModel | null = null;

  constructor(
    readonly args: {
      filepath: string;
      monitor?: string;
      verbose?: number;
      save_best_only?: boolean;
      mode?: string;
      initial_value_threshold?: number | null;
    },
    private readonly save: (model: TrainingModel, path: string) => void,
    private readonly say: Say = () => undefined,
  ) {
    // Keras insists on '.keras' / '.weights.h5'; ours writes only nnlang weights files.
    if (!args.filepath.endsWith('.nnw'))
      throw new InputError(
        `ModelCheckpoint's 'filepath' '${args.filepath}' must end in '.nnw': checkpoints are only written as nnlang weights files.`,
      );
    this.best = args.initial_value_threshold ?? null;
  }

  onTrainBegin(model: TrainingModel): void {
    this.model = model;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const path = formatPath(this.args.filepath, epoch, logs);
    if (!this.args.save_best_only) {
      this.save(this.model!, path);
      return;
    }
    const monitor = this.args.monitor ?? 'val_loss';
    const current = logs[monitor];
    if (current === undefined) return;
    this.mode ??= nameMode(this.args.mode ?? 'auto', monitor);
    if (improved(this.mode, current, this.best, 0)) {
      if (this.args.verbose)
        this.say(
          `\nEpoch ${epoch + 1}: ${monitor} improved from ${this.best === null ? 'inf' : this.best.toFixed(5)} to ${current.toFixed(5)}, saving model to ${path}`,
        );
      this.best = current;
      this.save(this.model!, path);
    } else if (this.args.verbose) {
      this.say(`\nEpoch ${epoch + 1}: ${monitor} did not improve from ${this.best!.toFixed(5)}`);
    }
  }
}

/** `{epoch:02d}` and `{val_loss:.2f}` placeholders, as Keras formats the checkpoint path. */
function formatPath(template: string, epoch: number, logs: Logs): string {
  return template.replace(
    /\{(\w+)(?::0?(\d+)([df]))?\}/g,
    (whole, key: string, width?: string, kind?: string) => {
      const value = key === 'epoch' ? epoch + 1 : logs[key];
      if (value === undefined) return whole;
      if (kind === 'f') return value.toFixed(Number(width));
      if (kind === 'd') return String(Math.trunc(value)).padStart(Number(width), '0');
      return String(value);
    },
  );
}

/** Callbacks from a checked `callbacks=[…]` list. */
export function callbacksFrom(
  values: readonly CallValue[],
  options: { say?: Say; save?: (model: TrainingModel, path: string) => void } = {},
): Callback[] {
  const say = options.say ?? (() => undefined);
  return values.map((v) => {
    const a = new CallbackArgs(v.args);
    switch (v.call) {
      case 'EarlyStopping':
        return new EarlyStopping(
          {
            monitor: a.string('monitor'),
            min_delta: a.number('min_delta'),
            patience: a.number('patience'),
            verbose: a.number('verbose'),
            mode: a.string('mode'),
            baseline: a.number('baseline') ?? null,
            restore_best_weights: a.boolean('restore_best_weights'),
            start_from_epoch: a.number('start_from_epoch'),
          },
          say,
        );
      case 'ReduceLROnPlateau':
        return new ReduceLROnPlateau(
          {
            monitor: a.string('monitor'),
            factor: a.number('factor'),
            patience: a.number('patience'),
            verbose: a.number('verbose'),
            mode: a.string('mode'),
            min_delta: a.number('min_delta'),
            cooldown: a.number('cooldown'),
            min_lr: a.number('min_lr'),
          },
          say,
        );
      case 'TerminateOnNaN':
        return new TerminateOnNaN({ raise_error: a.boolean('raise_error') }, say);
      case 'ModelCheckpoint':
        if (!options.save)
          throw new InputError('ModelCheckpoint needs a way to save the model here.');
        return new ModelCheckpoint(
          {
            filepath: a.string('filepath') ?? '',
            monitor: a.string('monitor'),
            verbose: a.number('verbose'),
            save_best_only: a.boolean('save_best_only'),
            mode: a.string('mode'),
            initial_value_threshold: a.number('initial_value_threshold') ?? null,
          },
          options.save,
          say,
        );
      default:
        throw new InputError(`the callback ${v.call} is not supported by the engine yet.`);
    }
  });
}

/** A checked callback call's arguments by type; absent or None reads as undefined (the default). */
class CallbackArgs {
  constructor(private readonly args: Args) {}

  string(key: string): string | undefined {
    const v = this.args[key];
    return typeof v === 'string' ? v : undefined;
  }

  number(key: string): number | undefined {
    const v = this.args[key];
    return typeof v === 'number' ? v : undefined;
  }

  boolean(key: string): boolean | undefined {
    const v = this.args[key];
    return typeof v === 'boolean' ? v : undefined;
  }
}
