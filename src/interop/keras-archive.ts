/**
 * Keras 3's `.keras` archive, as `model.save('model.keras')` writes it (saving_lib): a zip of
 * `metadata.json` ({keras_version, date_saved}), `config.json` (the model serialized as
 * `serialize_keras_object` does: module, class_name, config, registered_name, build_config,
 * compile_config) and `model.weights.h5` (the layout of `keras-layout.ts`). Optimizer state is
 * not written: Keras loads such an archive with a fresh optimizer (it warns that it skips the
 * optimizer's variables), as nnlang's weights files hold none either.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { CheckedModel } from '../check/index.js';
import { nodeShape, type NodeId, inputPort, outputPort } from '../layers/index.js';
import { readH5, writeH5, type H5Reader } from './keras-h5.js';
import { kerasLayerOrder, kerasLayout, varsPath } from './keras-layout.js';
import { importSource, type ImportResult } from './import.js';
import { InteropError, Problems, type InteropProblem } from './problems.js';
import { layerConfig, type NamedWeights } from './tfjs-export.js';
import { compileConfigToKeras } from './training-config.js';
import { parseModelJson } from './files.js';
import { kerasObject, type Json, type JsonObject } from './values.js';

/** The Keras version whose archive layout and config format this writes (§10.4). */
export const kerasVersion = '3.16.0';

const dtypePolicy = kerasObject('keras', 'DTypePolicy', { name: 'float32' });

/** What `nn export --format keras` writes: the archive's bytes. */
export interface KerasArtifacts {
  bytes: Uint8Array;
  /** config.json's object, for tests and messages. */
  config: JsonObject;
  warnings: InteropProblem[];
}

/**
 * The `.keras` archive of `model` with `weights` (get_weights() order). Throws an
 * InteropError naming every layer, argument or setting Keras 3 cannot be given.
 */
export async function toKerasArchive(
  model: CheckedModel,
  weights: NamedWeights[],
  file = model.name,
  date = new Date(),
): Promise<KerasArtifacts> {
  const problems = new Problems();
  const config = modelConfig(model, problems);
  const layout = kerasLayout(model);
  const byName = new Map(weights.map((w) => [`${w.layer}/${w.name}`, w]));
  const datasets = layout.placements.map((p) => {
    const w = byName.get(`${p.layer}/${p.name}`);
    if (!w) throw new Error(`internal: no weight ${p.layer}/${p.name} to export`);
    const bad = w.values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      problems.error(`weights.${w.layer}/${w.name}`, `holds ${w.values[bad]} at index ${bad}.`);
    return { path: p.path, shape: w.shape, values: w.values };
  });
  problems.throwIfFailed(file);
  const groups = layout.groups.map((g) => ({ path: varsPath(g.path), attrs: { name: g.name } }));
  const h5 = await writeH5(groups, datasets);
  const pad = (n: number) => String(n).padStart(2, '0');
  const metadata = {
    keras_version: kerasVersion,
    date_saved: `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}@${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`,
  };
  // Keras writes the members stored (ZIP_STORED), in this order.
  const bytes = zipSync(
    {
      'metadata.json': strToU8(JSON.stringify(metadata)),
      'config.json': strToU8(JSON.stringify(config)),
      'model.weights.h5': h5,
    },
    { level: 0 },
  );
  return { bytes, config, warnings: problems.list };
}

/** config.json's object: the model as Keras 3's `serialize_keras_object(model)`. */
function modelConfig(model: CheckedModel, problems: Problems): JsonObject {
  if (model.inputs.some((i) => i.shape === null) || model.inputs.length === 0) {
    problems.error(
      model.name,
      "the model's input shape is unknown: write Input(shape=…) to export it.",
    );
    return {};
  }
  const compile: JsonObject = model.compile
    ? { compile_config: compileConfigToKeras(model.compile, problems) }
    : {};
  const config = (k: number) =>
    layerConfig(
      model.layers[k]!.className,
      model.layers[k]!.name,
      model.layers[k]!.args,
      `layers[${k}]`,
      problems,
      'keras3',
    );
  const buildConfig = (id: number): JsonObject => {
    const l = model.layers[id]!;
    const shapes = l.inputs.map((n, i) => nodeShape(model, n, inputPort(l, i)));
    return { input_shape: shapes.length === 1 ? shapes[0]! : shapes };
  };
  const input = model.inputs[0]!;
  if (!model.functional) {
    const layers: Json[] = [inputLayer(input.name || 'input_layer', input.shape!)];
    model.layers.forEach((l, k) =>
      layers.push({
        ...kerasObject('keras.layers', l.className, config(k)),
        build_config: buildConfig(k),
      }),
    );
    return {
      ...kerasObject('keras', 'Sequential', {
        name: model.name,
        trainable: true,
        dtype: dtypePolicy,
        layers,
        build_input_shape: input.shape,
      }),
      build_config: { input_shape: input.shape },
      ...compile,
    };
  }
  const nodeName = (id: NodeId): string =>
    id < 0 ? model.inputs[-1 - id]!.name : model.layers[id]!.name;
  const tensor = (id: NodeId, port: number): JsonObject => ({
    class_name: '__keras_tensor__',
    config: {
      shape: nodeShape(model, id, port),
      dtype: 'float32',
      keras_history: [nodeName(id), 0, port],
    },
  });
  // In Keras's order of Functional.layers, which get_config follows.
  const layers: Json[] = kerasLayerOrder(model).map((k) => {
    if (k < 0) {
      const i = model.inputs[-1 - k]!;
      return { ...inputLayer(i.name, i.shape!), name: i.name, inbound_nodes: [] };
    }
    const l = model.layers[k]!;
    const tensors = l.inputs.map((id, i) => tensor(id, inputPort(l, i)));
    return {
      ...kerasObject('keras.layers', l.className, config(k)),
      build_config: buildConfig(k),
      name: l.name,
      // A merge layer is called on the list of its inputs.
      inbound_nodes: [{ args: tensors.length === 1 ? tensors : [tensors], kwargs: {} }],
    };
  });
  return {
    ...kerasObject('keras.src.models.functional', 'Functional', {
      name: model.name,
      trainable: true,
      layers,
      input_layers: model.inputs.map((i) => [i.name, 0, 0]),
      output_layers: model.outputs.map((id, k) => [nodeName(id), 0, outputPort(model, k)]),
    }),
    registered_name: 'Functional',
    build_config: { input_shape: null },
    ...compile,
  };
}

function inputLayer(name: string, shape: (number | null)[]): JsonObject {
  return kerasObject('keras.layers', 'InputLayer', {
    batch_shape: shape,
    dtype: 'float32',
    sparse: false,
    ragged: false,
    name,
    optional: false,
  });
}

// ---------------------------------------------------------------- import

/** The largest member nnlang unpacks (a typed array's limit): a guard against zip bombs. */
const maxMember = 2 ** 31 - 1;

/**
 * Imports a `.keras` archive's bytes: config.json through the Keras config importer, the
 * weights from model.weights.h5 at Keras 3's paths, each checked for its shape and values.
 * Throws an InteropError naming `file`, the member and every problem.
 */
export async function importKerasArchive(bytes: Uint8Array, file: string): Promise<ImportResult> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) =>
        ['config.json', 'metadata.json', 'model.weights.h5'].includes(f.name) &&
        f.originalSize <= maxMember,
    });
  } catch (e) {
    fail(
      file,
      '',
      `it is not a readable zip archive (${(e as Error).message}): a .keras file cut short or corrupt?`,
    );
  }
  for (const name of ['config.json', 'model.weights.h5'])
    if (!members[name]) fail(file, name, `the archive has no ${name}.`);
  const metadata = members['metadata.json']
    ? parseModelJson(text(members['metadata.json']), `${file}: metadata.json`)
    : {};
  const json = parseModelJson(text(members['config.json']!), `${file}: config.json`);
  // The importer reads the writer's version beside the config, as in a to_json() string.
  const version = metadata['keras_version'];
  const located: JsonObject =
    typeof version === 'string' && !('keras_version' in json)
      ? { ...json, keras_version: version }
      : json;
  const { source, model, problems } = importSource(located, `${file}: config.json`);
  let reader: H5Reader;
  try {
    reader = await readH5(members['model.weights.h5']!);
  } catch (e) {
    fail(file, 'model.weights.h5', `${(e as Error).message}.`);
  }
  const weights = (() => {
    try {
      return readWeights(reader, model, problems);
    } finally {
      reader.close();
    }
  })();
  problems.throwIfFailed(file);
  return { source, model: model.name, weights, warnings: problems.list };
}

function text(bytes: Uint8Array): string {
  return strFromU8(bytes);
}

/** The checked model's weights from the h5 file, at Keras 3's paths; extra datasets are problems. */
function readWeights(reader: H5Reader, model: CheckedModel, problems: Problems): NamedWeights[] {
  const layout = kerasLayout(model);
  const shapes = new Map(
    model.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, w.shape] as const)),
  );
  const at = (path: string) => `model.weights.h5: ${path}`;
  const found = new Map<string, NamedWeights>();
  const expected = new Set(layout.placements.map((p) => p.path));
  for (const p of layout.placements) {
    const shape = shapes.get(`${p.layer}/${p.name}`)!;
    const what = `weight '${p.layer}/${p.name}' (shape ${JSON.stringify(shape)})`;
    const d = reader.dataset(p.path);
    if ('missing' in d) {
      problems.error(at(p.path), `there is no dataset here for ${what}.`);
      continue;
    }
    if ('problem' in d) {
      problems.error(at(p.path), `${what} ${d.problem}.`);
      continue;
    }
    if (d.shape.join() !== shape.join()) {
      problems.error(at(p.path), `${what} has shape ${JSON.stringify(d.shape)} in the file.`);
      continue;
    }
    const bad = d.values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) problems.error(at(p.path), `${what} holds ${d.values[bad]} at index ${bad}.`);
    found.set(`${p.layer}/${p.name}`, { layer: p.layer, name: p.name, shape, values: d.values });
  }
  for (const g of layout.groups) {
    const vars = varsPath(g.path);
    for (const k of reader.keys(vars) ?? [])
      if (!expected.has(`${vars}/${k}`))
        problems.error(
          at(`${vars}/${k}`),
          `belongs to no weight of layer '${g.name}' in nnlang's model.`,
        );
  }
  // get_weights() order: a Bidirectional's forward weights first, though Keras files them last.
  return model.layers.flatMap((l) =>
    l.weights.flatMap((w) => found.get(`${l.name}/${w.name}`) ?? []),
  );
}

function fail(file: string, path: string, message: string): never {
  throw new InteropError(file, [{ path, message, severity: 'error' }]);
}
