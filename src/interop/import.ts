/**
 * `nn import`: a TF.js model.json with its weight shards, or a Keras `to_json()` config, → `.nn`
 * source formatted as `nn fmt` writes it, plus the weights in get_weights() order for nnlang's
 * weights file. The source is checked before it is returned: a model nnlang cannot run is an
 * error here, not at the first `nn train`.
 */
import { check } from '../compiler.js';
import { engineBlockers, type CheckedModel } from '../check/index.js';
import { formatSource } from '../format/index.js';
import type { TfjsFolder } from './files.js';
import { importModel, locateConfig } from './keras-import.js';
import { modelText, type ImportedModel } from './nn-text.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { Position, Range } from '../source/index.js';
import { InteropError, jsonPath, Problems, type InteropProblem } from './problems.js';
import type { NamedWeights } from './tfjs-export.js';
import { isObject, type Json, type JsonObject } from './values.js';

export interface ImportResult {
  /** The model as .nn source, formatted. */
  source: string;
  /** The model's name in that source. */
  model: string;
  /** Its weights in get_weights() order; null for a config without weights. */
  weights: NamedWeights[] | null;
  warnings: InteropProblem[];
}

/**
 * Imports a parsed model.json (or Keras config) with its weight groups' bytes (`groups`: one
 * buffer per weightsManifest entry; empty for a config without weights). Throws an InteropError
 * naming `file` and every problem.
 */
export function importKeras(folder: TfjsFolder): ImportResult {
  const { file, json } = folder;
  const { source, model, problems } = importSource(json, file);
  const weights =
    json['weightsManifest'] === undefined ? null : readWeights(folder, model, problems);
  problems.throwIfFailed(file);
  return { source, model: model.name, weights, warnings: problems.list };
}

/**
 * A parsed model config (any writer's) as checked, formatted .nn source; the problems found
 * so far (warnings only: errors throw an InteropError naming `file`).
 */
export function importSource(
  json: JsonObject,
  file: string,
): { source: string; model: CheckedModel; problems: Problems } {
  const problems = new Problems();
  const located = locateConfig(json, problems);
  const imported = located ? importModel(located, problems) : null;
  problems.throwIfFailed(file);
  const text = modelText(imported!);
  const formatted = formatSource(text);
  if ('error' in formatted)
    throw new InteropError(file, [
      {
        path: '',
        message: `the .nn written for it does not parse (a bug in nnlang): ${formatted.error[0]?.message ?? ''}\n${text}`,
        severity: 'error',
      },
    ]);
  const source = formatted.text;
  const checked = check(source, file);
  const blockers = engineBlockers(checked.diagnostics);
  if (blockers.length > 0 || checked.models.length !== 1)
    throw new InteropError(
      file,
      blockers.map((d) => blockerProblem(d, checked.models[0], imported!)),
    );
  return { source, model: checked.models[0]!, problems };
}

/**
 * A checker diagnostic of the written .nn as a problem of the file: at the JSON path of the
 * layer it falls in (or of the training config), with the .nn line when it falls in neither.
 */
function blockerProblem(
  d: Diagnostic,
  model: CheckedModel | undefined,
  imported: ImportedModel,
): InteropProblem {
  const inside = (r: Range) =>
    comesBefore(r.start, d.range.start) && comesBefore(d.range.end, r.end);
  const layer = model?.layers.find((l) => inside(l.range));
  const source = layer && imported.layers.find((l) => l.name === layer.name);
  const path = source
    ? source.path
    : model?.compile && inside(model.compile.range)
      ? imported.compilePath
      : `line ${d.range.start.line} of the .nn written for it`;
  return { path, message: `${d.code} ${d.message}`, severity: 'error' };
}

function comesBefore(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.column <= b.column);
}

/** Bytes per element of the manifest dtypes that may appear (optimizer slots included). */
const dtypeBytes: Record<string, number> = { float32: 4, int32: 4, uint8: 1, bool: 1, float16: 2 };

/** TF.js's name for a weight with the converter's `:0` and RNN cell token (`lstm/lstm_cell/kernel`) dropped. */
function plainWeightName(name: string): string {
  const parts = name.replace(/:0$/, '').split('/');
  return parts
    .filter((p, i) => !(i > 0 && i < parts.length - 1 && /_cell(_\d+)?$/.test(p)))
    .join('/');
}

/** The checked model's weights from the manifest's groups, each checked for its shape and values. */
function readWeights(folder: TfjsFolder, model: CheckedModel, problems: Problems): NamedWeights[] {
  const manifest = folder.json['weightsManifest'];
  const found = new Map<string, { shape: number[]; values: Float32Array; path: string }>();
  if (!Array.isArray(manifest)) {
    problems.error('weightsManifest', 'expected a list of weight groups.');
    return [];
  }
  manifest.forEach((group, g) => {
    const gpath = jsonPath('weightsManifest', g);
    const bytes = folder.groups[g]!;
    const list: Json | undefined = isObject(group) ? group['weights'] : undefined;
    if (!Array.isArray(list)) {
      problems.error(jsonPath(gpath, 'weights'), 'expected a list of weights.');
      return;
    }
    let at = 0;
    list.forEach((w, k) => {
      const p = jsonPath(gpath, 'weights', k);
      const spec = weightSpec(w, p, problems);
      if (!spec) return;
      const size = spec.shape.reduce((a, b) => a * b, 1) * (dtypeBytes[spec.dtype] ?? 0);
      if (at + size > bytes.length) {
        problems.error(
          p,
          `the weight shards end after ${bytes.length} bytes, before weight '${spec.name}' (bytes ${at}–${at + size}): a shard is cut short.`,
        );
        at += size;
        return;
      }
      if (spec.group !== 'optimizer') {
        if (spec.dtype !== 'float32')
          problems.error(jsonPath(p, 'dtype'), `nnlang reads float32 weights, not ${spec.dtype}.`);
        else {
          const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
          const view = new DataView(bytes.buffer, bytes.byteOffset + at, size);
          for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
          const bad = values.findIndex((x) => !Number.isFinite(x));
          if (bad >= 0)
            problems.error(p, `weight '${spec.name}' holds ${values[bad]} at index ${bad}.`);
          const name = plainWeightName(spec.name);
          if (found.has(name)) problems.error(p, `weight '${spec.name}' is listed twice.`);
          found.set(name, { shape: spec.shape, values, path: p });
        }
      }
      at += size;
    });
    if (at < bytes.length)
      problems.error(
        gpath,
        `the weight shards hold ${bytes.length} bytes, but the manifest lists ${at}: they do not belong together.`,
      );
  });
  const out: NamedWeights[] = [];
  for (const l of model.layers)
    for (const w of l.weights) {
      const name = `${l.name}/${w.name}`;
      const f = found.get(name);
      if (!f) {
        problems.error(
          'weightsManifest',
          `no weight '${name}' (shape ${JSON.stringify(w.shape)}) in the manifest.`,
        );
        continue;
      }
      found.delete(name);
      if (f.shape.join() !== w.shape.join())
        problems.error(
          f.path,
          `weight '${name}' has shape ${JSON.stringify(f.shape)}, but the layer needs ${JSON.stringify(w.shape)}.`,
        );
      out.push({ layer: l.name, name: w.name, shape: w.shape, values: f.values });
    }
  for (const [name, f] of found)
    problems.error(f.path, `weight '${name}' belongs to no layer of the model.`);
  return out;
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  group: string | null;
}

function weightSpec(w: Json, path: string, problems: Problems): WeightEntry | null {
  if (!isObject(w) || typeof w['name'] !== 'string' || !Array.isArray(w['shape'])) {
    problems.error(path, 'expected {name, shape, dtype}.');
    return null;
  }
  const shape = w['shape'];
  if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d < 2 ** 31)) {
    problems.error(jsonPath(path, 'shape'), `expected sizes, found ${JSON.stringify(shape)}.`);
    return null;
  }
  const dtype = typeof w['dtype'] === 'string' ? w['dtype'] : 'float32';
  if (!(dtype in dtypeBytes)) {
    problems.error(
      jsonPath(path, 'dtype'),
      `nnlang cannot read weights of dtype ${JSON.stringify(dtype)}.`,
    );
    return null;
  }
  if (w['quantization'] !== undefined && w['quantization'] !== null) {
    problems.error(
      jsonPath(path, 'quantization'),
      'quantized weights cannot be read: export the model unquantized.',
    );
    return null;
  }
  const group = typeof w['group'] === 'string' ? w['group'] : null;
  return { name: w['name'], shape: shape as number[], dtype, group };
}
