/**
 * `nn train <file>`: trains a model on the data its fit() names (flags override), with
 * Keras's progress bar, then saves the weights (atomically) and, with --plot, the curves.
 */
import type { CallValue } from '../catalog/index.js';
import { readTable } from '../data/index.js';
import { callbacksFrom, Model, type Callback, type TrainingModel } from '../runtime/index.js';
import { writeFileAtomic } from '../runtime/weights-file.js';
import {
  checkFeatureCount,
  CliError,
  dataPath,
  defaultWeightsPath,
  loadChecked,
  outputUnits,
  targetEncoding,
} from './engine.js';
import { renderHistorySvg } from './plot.js';
import { ProgressBar, type ProgressStream } from './progress.js';

export interface TrainOptions {
  model?: string;
  data?: string;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  out?: string;
  plot?: string;
  verbose?: boolean;
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
  const target = fitArgs['target'] as string | number | null | undefined;
  const csv = dataPath(loaded, options.data);
  const table = readTable(csv, {
    ...(target !== null && target !== undefined ? { target } : {}),
    encoding: targetEncoding(checked),
    scaling: (fitArgs['scaling'] as 'none' | 'standard' | 'minmax' | undefined) ?? 'none',
    ...(outputUnits(checked) ? { outputUnits: outputUnits(checked)! } : {}),
  });
  checkFeatureCount(loaded, table.features, csv);
  const model = new Model(
    loaded.compiled,
    options.seed === undefined ? {} : { seed: options.seed },
  );
  if (!model.built) model.build([null, table.features.length]);
  const epochs = options.epochs ?? (fitArgs['epochs'] as number | undefined) ?? 1;
  const batchSize = options.batchSize ?? (fitArgs['batch_size'] as number | null | undefined) ?? 32;
  const validationSplit = (fitArgs['validation_split'] as number | undefined) ?? 0;
  const trainRows =
    validationSplit > 0 ? Math.floor(table.rows * (1 - validationSplit)) : table.rows;
  const say = (line: string) => stdout.write(`${line}\n`);
  const out = options.out ?? defaultWeightsPath(file, checked.name);
  const data = {
    features: table.features,
    target: table.targetName,
    classes: table.classes,
    scaler: table.scaler,
  };
  const save = (m: TrainingModel, path: string) => m.saveWeights(path, data);
  const callbacks: Callback[] = [
    ...callbacksFrom((fitArgs['callbacks'] as CallValue[] | null | undefined) ?? [], { say, save }),
    progress(stdout, Math.ceil(trainRows / Math.min(batchSize, trainRows)), epochs),
  ];
  say(
    `Training '${checked.name}' on ${table.rows} samples of ${table.features.length} features (seed ${model.seed}).`,
  );
  const history = model.fit(table.x, table.y!, {
    epochs,
    batchSize,
    shuffle: fitArgs['shuffle'] !== false,
    validationSplit,
    callbacks,
  });
  model.saveWeights(out, data);
  say(`Weights saved to ${out}`);
  if (options.plot) {
    writeFileAtomic(
      options.plot,
      renderHistorySvg(history.history, { title: `${checked.name}: training` }),
    );
    say(`Curves drawn in ${options.plot}`);
  }
  return 0;
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
