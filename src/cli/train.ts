/**
 * `nn train <file>`: trains a model on the data its fit() names (flags override), with
 * Keras's progress bar, then saves the weights (atomically) and, with --plot, the curves.
 * Every output path is checked before the first epoch; a save that still fails after training
 * puts the weights beside the .nn file instead, so a finished training is never lost.
 */
import type { CallValue } from '../catalog/index.js';
import { readTable, type Table, type TableOptions } from '../data/index.js';
import {
  callbacksFrom,
  formatHealthReport,
  Model,
  ModelCheckpoint,
  type BackendName,
  type Callback,
  type HealthReport,
  type TrainingModel,
} from '../runtime/index.js';
import { unwritableReason, writeFileAtomic } from '../runtime/weights-file.js';
import {
  checkFeatureCount,
  oneOutput,
  CliError,
  dataPath,
  defaultWeightsPath,
  loadChecked,
  featureScaling,
  type Loaded,
  outputUnits,
  targetEncoding,
} from './engine.js';
import { checkpointPaths, PathSandbox } from './paths.js';
import { renderHistorySvg } from './plot.js';
import { ProgressBar, type ProgressStream } from './progress.js';
import { saveWithFallback } from './save.js';

export interface TrainOptions {
  model?: string;
  data?: string;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** The backend: 'js', 'wasm' or 'auto' (by the model's size, the default). */
  backend?: BackendName;
  out?: string;
  plot?: string;
  /** Print nothing but errors (overrides fit(verbose=…)). */
  quiet?: boolean;
  /** Folders outside the .nn file's that its paths may reach (--allow-paths). */
  allowPaths?: string[];
  /** Print the training health report after each epoch (even with --quiet: it was asked for). */
  health?: boolean;
}

export function runTrain(
  file: string,
  options: TrainOptions,
  stdout: ProgressStream,
  err: (s: string) => void,
): number {
  const loaded = loadChecked(file, options.model, err);
  const checked = loaded.model;
  if (!checked.compile)
    throw new CliError(
      `model '${checked.name}' has no compile(): add compile(optimizer, loss) to train it.`,
    );
  const fitArgs = checked.fit?.args ?? {};
  const out = options.out ?? defaultWeightsPath(file, checked.name);
  const say = options.quiet ? () => undefined : (line: string) => stdout.write(`${line}\n`);
  // Checkpoints write only .nnw files inside the sandbox (paths.ts), checked before training.
  const sandbox = new PathSandbox(file, options.allowPaths);
  const checkpoints = checkpointPaths(sandbox, checked.fit?.range, loaded.source, loaded.bindings);
  if ('error' in checkpoints) throw new CliError(checkpoints.error);
  const checkpointPath = (path: string): string => {
    const target = checkpoints.map(path);
    if ('error' in target) throw new CliError(target.error);
    return target.path;
  };
  const callbackValues = (fitArgs['callbacks'] as CallValue[] | null | undefined) ?? [];
  const checkpointSave = (m: TrainingModel, path: string) =>
    m.saveWeights(checkpointPath(path), data);
  const fileCallbacks = callbacksFrom(callbackValues, { say, save: checkpointSave });
  // Before the first epoch: every file this run will write can be written.
  checkOutputs([
    ['--out', out],
    ...(options.plot ? [['--plot', options.plot] as const] : []),
    ...fileCallbacks.flatMap((cb) =>
      cb instanceof ModelCheckpoint
        ? [['ModelCheckpoint', checkpointPath(cb.args.filepath)] as const]
        : [],
    ),
  ]);
  oneOutput(loaded, 'train');
  const target = fitArgs['target'] as string | number | null | undefined;
  const csv = dataPath(loaded, options.data, options.allowPaths);
  // The target column and its encoding, for the training data and the validation data alike.
  const targetOptions = {
    ...(target !== null && target !== undefined ? { target } : {}),
    encoding: targetEncoding(checked),
    ...(outputUnits(checked) ? { outputUnits: outputUnits(checked)! } : {}),
  };
  const table = readTable(csv, { ...targetOptions, scaling: featureScaling(checked, fitArgs) });
  checkFeatureCount(loaded, table.features, csv);
  const model = new Model(loaded.compiled, {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  });
  if (!model.built) model.build([null, table.features.length]);
  const epochs = options.epochs ?? (fitArgs['epochs'] as number | undefined) ?? 1;
  const batchSize = options.batchSize ?? (fitArgs['batch_size'] as number | null | undefined) ?? 32;
  // fit(validation_data='file.csv'): read as the training data was (its classes, features and
  // scaler); as in Keras it takes the place of validation_split.
  const validation =
    typeof fitArgs['validation_data'] === 'string'
      ? readValidation(loaded, options.allowPaths, table, targetOptions)
      : null;
  const validationSplit = validation
    ? 0
    : ((fitArgs['validation_split'] as number | undefined) ?? 0);
  const trainRows =
    validationSplit > 0 ? Math.floor(table.rows * (1 - validationSplit)) : table.rows;
  const data = {
    features: table.features,
    target: table.targetName,
    classes: table.classes,
    scaler: table.scaler,
  };
  // Keras's fit(verbose=…): 0 silent, 1 (and 'auto') a progress bar, 2 one line per epoch.
  const verbose = options.quiet ? 0 : verbosity(fitArgs['verbose']);
  const steps = Math.ceil(trainRows / Math.min(batchSize, trainRows));
  const callbacks: Callback[] = [
    ...fileCallbacks,
    ...(verbose === 0
      ? []
      : [progress(verbose === 2 ? { write: (s) => stdout.write(s) } : stdout, steps, epochs)]),
    ...(options.health
      ? [{ onHealth: (report: HealthReport) => stdout.write(formatHealthReport(report)) }]
      : []),
  ];
  say(
    `Training '${checked.name}' on ${table.rows} samples of ${table.features.length} features (seed ${model.seed}).`,
  );
  const history = model.fit(table.x, table.y!, {
    epochs,
    batchSize,
    shuffle: fitArgs['shuffle'] !== false,
    validationSplit,
    ...(validation
      ? { validationData: [validation.x, validation.y!] as [Float32Array, Float32Array] }
      : {}),
    callbacks,
    ...(options.health ? { health: true } : {}),
  });
  if (history.diverged) {
    const { epoch, batch, loss } = history.diverged;
    throw new CliError(
      `training diverged: ${Number.isFinite(loss) ? 'a weight became NaN or infinite during' : `the loss became ${loss} at`} epoch ${epoch + 1}, batch ${batch + 1}, so training stopped and no weights were saved. Try a lower learning rate, scaling='standard' in fit(), or clipnorm= on the optimizer.`,
    );
  }
  const saved = saveWithFallback((path) => model.saveWeights(path, data), out, file, checked.name);
  if ('failure' in saved) {
    err(`nn train: ${saved.failure}\n`);
    return 1;
  }
  say(`Weights saved to ${out}`);
  if (options.plot) {
    try {
      writeFileAtomic(
        options.plot,
        renderHistorySvg(history.history, { title: `${checked.name}: training` }),
      );
    } catch (e) {
      err(`nn train: cannot write the curves to ${options.plot}: ${(e as Error).message}\n`);
      return 1;
    }
    say(`Curves drawn in ${options.plot}`);
  }
  return 0;
}

/** The CSV fit(validation_data=…) names, read with the training table's classes, columns and scaler. */
function readValidation(
  loaded: Loaded,
  allowPaths: string[] | undefined,
  training: Table,
  targetOptions: TableOptions,
): Table {
  const csv = dataPath(loaded, undefined, allowPaths, 'validation_data');
  const table = readTable(csv, {
    ...targetOptions,
    features: training.features,
    ...(training.classes ? { classes: training.classes } : {}),
    ...(training.scaler ? { scaler: training.scaler } : {}),
  });
  checkFeatureCount(loaded, table.features, csv);
  return table;
}

/** Fails before training when one of the files the run will write cannot be written. */
function checkOutputs(outputs: readonly (readonly [string, string])[]): void {
  for (const [what, path] of outputs) {
    const why = unwritableReason(path);
    if (why) throw new CliError(`cannot write ${what} '${path}': ${why}; nothing was trained.`);
  }
}

/** fit(verbose=…) as Keras reads it: 'auto' and anything unknown are 1. */
function verbosity(value: unknown): 0 | 1 | 2 {
  return value === 0 || value === 2 ? value : 1;
}

/** Keras's progress bar as a callback. */
function progress(stream: ProgressStream, steps: number, epochs: number): Callback {
  const bar = new ProgressBar(stream, { steps, epochs });
  return {
    onEpochBegin: (epoch) => bar.startEpoch(epoch),
    onBatchEnd: (batch, logs) => bar.update(batch + 1, logs),
    onEpochEnd: (_epoch, logs) => bar.endEpoch(logs),
  };
}
