/**
 * `nn evaluate` and `nn predict`: a trained model (its .nn file and saved weights) on a CSV.
 * The weights file remembers the training's feature columns, class names and scaling, so new
 * data is read exactly the way the training data was.
 */
import { readTable, type Scaler } from '../data/index.js';
import { Model } from '../runtime/index.js';
import { writeFileAtomic, type WeightsFile } from '../runtime/weights-file.js';
import { existsSync } from 'node:fs';
import {
  checkFeatureCount,
  oneOutput,
  dataArgs,
  dataPath,
  defaultWeightsPath,
  loadChecked,
  outputUnits,
  targetEncoding,
  type Loaded,
} from './engine.js';

export interface ApplyOptions {
  model?: string;
  data?: string;
  weights?: string;
  out?: string;
  /** Folders outside the .nn file's that its paths may reach (--allow-paths). */
  allowPaths?: string[];
  /** Rows per batch (--batch-size; default Keras's 32). */
  batchSize?: number;
  /** Threads for large products (--threads; the library's threads option). */
  threads?: number;
}

function trained(
  file: string,
  options: ApplyOptions,
  err: (s: string) => void,
): { loaded: Loaded; model: Model; saved: WeightsFile } {
  const loaded = loadChecked(file, options.model, err);
  const path = options.weights ?? defaultWeightsPath(file, loaded.model.name);
  const threads = options.threads === undefined ? {} : { threads: options.threads };
  const model = new Model(loaded.compiled, { seed: 0, ...threads });
  // A model whose every weight is written inline (like samples/xor.nn's xor_step) needs no file.
  if (!options.weights && !existsSync(path) && allWeightsInline(loaded)) {
    const target = dataArgs(loaded)['target'];
    return {
      loaded,
      model,
      saved: {
        model: model.name,
        weights: [],
        data: { target: typeof target === 'string' ? target : null },
      },
    };
  }
  const saved = model.loadWeights(path);
  return { loaded, model, saved };
}

/** Whether every layer with weights has them all given inline (`weights=[…]`). */
export function allWeightsInline(loaded: Loaded): boolean {
  const { graph } = loaded.compiled;
  return (
    graph.inputShape !== null &&
    graph.layers.every(
      (l) => l.weights.length === 0 || (l.initialWeights?.length ?? 0) >= l.weights.length,
    )
  );
}

function tableOptions(saved: WeightsFile) {
  const data = saved.data ?? {};
  return {
    ...(data.features ? { features: data.features } : {}),
    ...(data.classes ? { classes: data.classes } : {}),
    ...(data.scaler ? { scaler: data.scaler as Scaler } : {}),
  };
}

export function runEvaluate(
  file: string,
  options: ApplyOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const { loaded, model, saved } = trained(file, options, err);
  oneOutput(loaded, 'evaluate');
  const target = saved.data?.target ?? (dataArgs(loaded)['target'] as string | undefined);
  const csv = dataPath(loaded, options.data, options.allowPaths);
  const table = readTable(csv, {
    ...tableOptions(saved),
    ...(target ? { target } : {}),
    encoding: targetEncoding(loaded.model),
    ...(outputUnits(loaded.model) ? { outputUnits: outputUnits(loaded.model)! } : {}),
  });
  checkFeatureCount(loaded, table.features, csv);
  const logs = model.evaluateLogs(
    { data: table.x, rows: table.rows, cols: table.features.length },
    table.y!,
    options.batchSize ?? 32,
  );
  out(
    `${table.rows} samples - ${Object.entries(logs)
      .map(([k, v]) => `${k}: ${v.toFixed(4)}`)
      .join(' - ')}\n`,
  );
  return 0;
}

export function runPredict(
  file: string,
  options: ApplyOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  const { loaded, model, saved } = trained(file, options, err);
  oneOutput(loaded, 'predict');
  const csv = dataPath(loaded, options.data, options.allowPaths);
  const target = saved.data?.target;
  const table = readTable(csv, {
    ...tableOptions(saved),
    ...(typeof target === 'string' && !saved.data?.features ? { target } : {}),
    hasTarget: false,
  });
  checkFeatureCount(loaded, table.features, csv);
  const predictions = model.predict(table.x, { batchSize: options.batchSize ?? 32 });
  const units = predictions.length / Math.max(1, table.rows);
  const classes = saved.data?.classes ?? null;
  const lines: string[] = [];
  if (classes) {
    lines.push(['predicted', ...classes.map((c) => csvCell(`p_${c}`))].join(','));
    for (let r = 0; r < table.rows; r++) {
      const row = Array.from(predictions.subarray(r * units, (r + 1) * units));
      const best = units === 1 ? (row[0]! > 0.5 ? 1 : 0) : row.indexOf(Math.max(...row));
      const probs = units === 1 ? [1 - row[0]!, row[0]!] : row;
      lines.push(
        [csvCell(classes[best] ?? String(best)), ...probs.map((p) => String(p))].join(','),
      );
    }
  } else {
    lines.push(
      Array.from({ length: units }, (_, j) => (units === 1 ? 'prediction' : `output_${j}`)).join(
        ',',
      ),
    );
    for (let r = 0; r < table.rows; r++)
      lines.push(Array.from(predictions.subarray(r * units, (r + 1) * units), String).join(','));
  }
  const text = lines.join('\n') + '\n';
  if (options.out) writeFileAtomic(options.out, text);
  else out(text);
  return 0;
}

/** One CSV field as RFC 4180 writes it: quoted (quotes doubled) when it holds `"`, `,` or a line break. */
function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
