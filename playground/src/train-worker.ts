/**
 * Training in a web worker, so the page never freezes: the model is compiled, its CSV parsed
 * (the CLI's parser and messages), and fit() runs here, posting progress, each epoch's
 * weights and, for two-feature data, what the model does over the plane. The page stops a
 * training by terminating this worker and keeps the last epoch's weights; `restore` starts a
 * new session from them (for the downloads and for stepping on).
 */
import {
  blockersOf,
  callbacksFrom,
  catalog,
  compile,
  DataError,
  emitModule,
  encodeWeights,
  Model,
  parseTable,
  renderDiagnostic,
  toyData,
  type ToyKind,
  type CallValue,
  type CheckedModel,
  type CompiledModel,
  type DataInfo,
  type Table,
  type TableOptions,
} from '../../src/index.js';
import { planeOf, planeView } from './plane-view.js';
import type { Files, Prepared, TrainEvent, TrainResult } from './protocol.js';
import { serve } from './serve.js';

interface Session {
  source: string;
  checked: CheckedModel;
  compiled: CompiledModel;
  model: Model;
  table: Table;
  data: DataInfo;
  trainRows: number;
  validationSplit: number;
  epochs: number;
  batchSize: number;
  plane: ReturnType<typeof planeOf>;
  /** The next batch of step(): rows from here. */
  cursor: number;
}

let session: Session | null = null;

const post = (event: TrainEvent, transfer: Transferable[] = []) =>
  self.postMessage(event, { transfer });

/** Compiles the source, reads its data and builds the model (seeded); or says why it cannot. */
function prepare(source: string, files: Files, dataFile: string | null, seed: number): Prepared {
  session = null;
  const file = 'playground.nn';
  const output = compile(source, { file });
  const models = output.checked.models;
  const checked = models.find((m) => m.fit) ?? models[0];
  const blockers = blockersOf(output.diagnostics, models, checked);
  const compiled = output.models.find((m) => m.graph.name === checked?.name);
  if (!checked || !compiled || blockers.length > 0) {
    const errors = blockers.map((d) => renderDiagnostic(d, output.lines, file));
    return { ok: false, errors: errors.length ? errors : ['The source defines no model.'] };
  }
  if (!checked.compile)
    return fail(
      `model '${checked.name}' has no compile(): add compile(optimizer, loss) to train it.`,
    );
  if (compiled.graph.outputs.length > 1)
    return fail(`model '${checked.name}' has several outputs; a CSV file gives one target column.`);
  const fitArgs = checked.fit?.args ?? {};
  if (typeof fitArgs['validation_data'] === 'string')
    return fail(
      `fit(validation_data='${fitArgs['validation_data']}'): the playground holds one CSV per model; use validation_split=… instead.`,
    );
  const callbacks = (fitArgs['callbacks'] as CallValue[] | null | undefined) ?? [];
  if (callbacks.some((c) => c.call === 'ModelCheckpoint'))
    return fail(
      'ModelCheckpoint writes files, which the playground does not: remove it and download the weights after training.',
    );
  const name = dataFile ?? (typeof fitArgs['data'] === 'string' ? fitArgs['data'] : null);
  if (name === null)
    return fail(
      `model '${checked.name}' names no data: add fit(data='file.csv', target='column') or drop a CSV on the page.`,
    );
  const text = files[name.replace(/^.*\//, '')];
  if (text === undefined)
    return fail(
      `fit(data='${name}'): the playground has no such file; drop it on the page, or use one of ${Object.keys(
        files,
      )
        .map((f) => `'${f}'`)
        .join(', ')}.`,
    );
  let table: Table;
  try {
    table = parseTable(text, name, tableOptions(checked));
  } catch (e) {
    // The CLI's located message: the file, the line, the column.
    if (e instanceof DataError) return fail(e.message);
    throw e;
  }
  const inputs = compiled.graph.inputs;
  const expected = inputs.every((i) => i.shape)
    ? inputs.reduce((n, i) => n + i.shape!.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1), 0)
    : table.features.length;
  if (expected !== table.features.length)
    return fail(
      `${name}: the model takes ${expected} features, but the file has ${table.features.length} columns besides the target (${table.features.join(', ')}).`,
    );
  const model = new Model(compiled, { seed, backend: 'js' });
  if (!model.built) model.build([null, table.features.length]);
  const epochs = (fitArgs['epochs'] as number | undefined) ?? 1;
  const batchSize = (fitArgs['batch_size'] as number | null | undefined) ?? 32;
  const validationSplit = (fitArgs['validation_split'] as number | undefined) ?? 0;
  const trainRows =
    validationSplit > 0 ? Math.floor(table.rows * (1 - validationSplit)) : table.rows;
  const data: DataInfo = {
    features: table.features,
    target: table.targetName,
    classes: table.classes,
    scaler: table.scaler,
  };
  const plane = planeOf(table, trainRows);
  session = {
    source,
    checked,
    compiled,
    model,
    table,
    data,
    trainRows,
    validationSplit,
    epochs,
    batchSize,
    plane,
    cursor: 0,
  };
  return {
    ok: true,
    model: checked.name,
    summary: model.summary(),
    dataFile: name,
    rows: table.rows,
    features: table.features,
    classes: table.classes,
    epochs,
    batchSize,
    plane,
  };
}

function fail(message: string): Prepared {
  return { ok: false, errors: [message] };
}

/** How the CSV is read for this model: its fit()'s target and scaling, its loss's encoding. */
function tableOptions(model: CheckedModel): TableOptions {
  const fitArgs = model.fit?.args ?? {};
  const target = fitArgs['target'] as string | number | null | undefined;
  const loss = model.compile?.loss as CallValue | null | undefined;
  const encoding = loss ? catalog.lookup('loss', loss.call)?.['target'] : undefined;
  const units = model.layers.at(-1)?.outputShape?.at(-1);
  return {
    ...(target === null || target === undefined ? {} : { target }),
    ...(typeof encoding === 'string' ? { encoding: encoding as TableOptions['encoding'] } : {}),
    ...(typeof units === 'number' ? { outputUnits: units } : {}),
    scaling: (fitArgs['scaling'] as TableOptions['scaling'] | undefined) ?? 'none',
  };
}

function current(): Session {
  if (!session) throw new Error('No model is prepared: press Train first.');
  return session;
}

/** What the model does over the plane now (null for data that is not two-dimensional). */
function view(s: Session) {
  return s.plane ? planeView(s.model, s.compiled, s.plane, s.data) : null;
}

/** Keras's fit() with the file's arguments; progress goes to the page as it runs. */
function train(): TrainResult {
  const s = current();
  const started = performance.now();
  let lastPost = 0;
  let lastView = 0;
  let epochNow = 0;
  const history = s.model.fit(s.table.x, s.table.y!, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    validationSplit: s.validationSplit,
    health: true,
    callbacks: [
      // The file's callbacks (EarlyStopping, ReduceLROnPlateau, …), their messages to the page.
      ...callbacksFrom((s.checked.fit?.args['callbacks'] as CallValue[] | null | undefined) ?? [], {
        say: (line) => post({ type: 'log', line }),
      }),
      {
        onBatchEnd: (batch, logs, steps) => {
          const now = performance.now();
          if (now - lastPost < 50) return;
          lastPost = now;
          post({
            type: 'batch',
            epoch: epochNow,
            batch,
            steps,
            epochs: s.epochs,
            logs: { ...logs },
          });
        },
        onEpochBegin: (epoch) => (epochNow = epoch),
        onHealth: (report) => post({ type: 'health', report }),
        onEpochEnd: (epoch, logs) => {
          const now = performance.now();
          const wantView = now - lastView > 100;
          if (wantView) lastView = now;
          const weights = s.model.getWeights();
          post(
            {
              type: 'epoch',
              epoch,
              epochs: s.epochs,
              logs: { ...logs },
              weights,
              view: wantView ? view(s) : null,
            },
            weights.map((w) => w.buffer),
          );
        },
      },
    ],
  });
  const ms = performance.now() - started;
  const diverged = history.diverged
    ? `training diverged at epoch ${history.diverged.epoch + 1}, batch ${history.diverged.batch + 1} (loss ${history.diverged.loss}); the weights are the last finite ones. Try a lower learning rate or scaling='standard' in fit().`
    : null;
  return { epochs: history.epoch.length, ms, history: history.history, diverged, view: view(s) };
}

/** One training step on the next batch (in order, wrapping round): the step-one-batch button. */
function step(): { loss: number; view: ReturnType<typeof view>; weights: Float32Array[] } {
  const s = current();
  const cols = s.table.features.length;
  const yCols = s.table.yCols;
  const n = Math.min(s.batchSize, s.trainRows);
  if (s.cursor + n > s.trainRows) s.cursor = 0;
  const x = s.table.x.subarray(s.cursor * cols, (s.cursor + n) * cols);
  const y = s.table.y!.subarray(s.cursor * yCols, (s.cursor + n) * yCols);
  s.cursor += n;
  const loss = s.model.trainOnBatch(x, y);
  return { loss, view: view(s), weights: s.model.getWeights() };
}

/** A new session from weights the page kept (after it stopped a training). */
function restore(
  source: string,
  files: Files,
  dataFile: string | null,
  seed: number,
  weights: Float32Array[],
): Prepared {
  const prepared = prepare(source, files, dataFile, seed);
  if (prepared.ok) current().model.setWeights(weights);
  return prepared;
}

/** The trained weights as an .nnw file (`nn train`'s format, with the data's description). */
function weightsFile(): Uint8Array {
  const s = current();
  const values = s.model.getWeights();
  const weights = s.model.weightSpecs().map((w, i) => ({ ...w, values: values[i]! }));
  return encodeWeights({ model: s.model.name, weights, data: s.data });
}

/** The standalone module (`nn emit --target js`'s output, with its selfTest). */
function standaloneModule(): { code: string; errors: string[] } {
  const s = current();
  const r = emitModule(s.model, { target: 'js', file: 'playground.nn', data: s.data });
  return { code: r.code, errors: r.diagnostics.map((d) => d.message) };
}

/** TensorFlow Playground's data set as CSV text (columns x1, x2, label), from the library's generator. */
function toyCsv(kind: ToyKind, noise: number, samples: number, seed: number): string {
  const data = toyData(kind, { samples, noise, seed });
  const rows = data.x.map((p, i) => `${p[0]},${p[1]},${data.y[i]}`);
  return `x1,x2,label\n${rows.join('\n')}\n`;
}

serve({ toyCsv, prepare, train, step, restore, weightsFile, standaloneModule });
