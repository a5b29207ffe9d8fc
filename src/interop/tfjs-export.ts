/**
 * A checked model and its weights → TF.js's layers format, as `LayersModel.save` writes it:
 * `model.json` (the Keras topology in TF.js's snake-cased JSON, the training config, the
 * weights manifest) and the weights as little-endian float32 shards of at most 4 MiB,
 * `group1-shard{i}of{n}.bin`, in manifest order. Plain data out; `files.ts` writes it.
 */
import { catalog, isCallValue, type Args, type CallValue, type Value } from '../catalog/index.js';
import type { CheckedModel } from '../check/index.js';
import { inputPort, outputPort, toSnakeCase, type NodeId } from '../layers/index.js';
import { float32BytesOf } from '../bytes/index.js';
import { version } from '../version.js';
import { jsonPath, Problems, type InteropProblem } from './problems.js';
import { notConfigArgs, layerRules } from './layer-rules.js';
import { trainingConfigToTfjs } from './training-config.js';
import {
  activationToKeras,
  activationToTfjs,
  kerasObject,
  objectToJson,
  plainJson,
  sameValue,
  type Json,
  type JsonObject,
} from './values.js';

/** One weight in get_weights() order: its layer, its name within the layer, shape and values. */
export interface NamedWeights {
  layer: string;
  name: string;
  shape: number[];
  values: Float32Array;
}

/** What `nn export --format tfjs` writes: model.json's object and the shard files. */
export interface TfjsArtifacts {
  modelJson: JsonObject;
  shards: { path: string; bytes: Uint8Array }[];
  /** Warnings: what TF.js will not do as nnlang does, though its predictions are the same. */
  warnings: InteropProblem[];
}

/** TF.js's shard size (tfjs-converter's default, 4 MiB). */
export const shardBytes = 4 * 1024 * 1024;

/**
 * The TF.js layers model of `model` with `weights` (get_weights() order). Throws an
 * InteropError naming every layer, argument or setting TF.js cannot represent.
 */
export function toTfjs(
  model: CheckedModel,
  weights: NamedWeights[],
  file = model.name,
): TfjsArtifacts {
  const problems = new Problems();
  const topology = topologyOf(model, problems);
  const trainingConfig = model.compile ? trainingConfigToTfjs(model.compile, problems) : null;
  for (const w of weights)
    for (let i = 0; i < w.values.length; i++)
      if (!Number.isFinite(w.values[i]!)) {
        problems.error(`weights.${w.layer}/${w.name}`, `holds ${w.values[i]} at index ${i}.`);
        break;
      }
  problems.throwIfFailed(file);
  const { shards, paths } = shardsOf(weights);
  const modelJson: JsonObject = {
    format: 'layers-model',
    generatedBy: `nnlang v${version}`,
    convertedBy: null,
    modelTopology: topology,
    ...(trainingConfig ? { trainingConfig } : {}),
    weightsManifest: [
      {
        paths,
        weights: weights.map((w) => ({
          name: `${w.layer}/${w.name}`,
          shape: w.shape,
          dtype: 'float32',
        })),
      },
    ],
  };
  return { modelJson, shards, warnings: problems.list };
}

function shardsOf(weights: NamedWeights[]): { shards: TfjsArtifacts['shards']; paths: string[] } {
  const all = float32BytesOf(weights.map((w) => w.values));
  const total = all.length;
  const n = Math.max(1, Math.ceil(total / shardBytes));
  const shards = Array.from({ length: n }, (_, i) => ({
    path: `group1-shard${i + 1}of${n}.bin`,
    bytes: all.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes)),
  }));
  return { shards, paths: shards.map((s) => s.path) };
}

function topologyOf(model: CheckedModel, problems: Problems): JsonObject {
  const base = { keras_version: `nnlang ${version}`, backend: 'tensor_flow.js' };
  const input = model.inputs[0];
  if (model.inputs.some((i) => i.shape === null) || !input) {
    problems.error(
      model.name,
      "the model's input shape is unknown: write Input(shape=…) to export it.",
    );
    return { class_name: 'Sequential', config: { name: model.name, layers: [] }, ...base };
  }
  if (!model.functional) {
    const layers = model.layers.map((l, k) => {
      const config = layerConfig(l.className, l.name, l.args, `layers[${k}]`, problems);
      if (k === 0) config['batch_input_shape'] = input.shape;
      return { class_name: l.className, config };
    });
    return { class_name: 'Sequential', config: { name: model.name, layers }, ...base };
  }
  const nodeName = (id: NodeId): string =>
    id < 0 ? model.inputs[-1 - id]!.name : model.layers[id]!.name;
  const layers: Json[] = model.inputs.map((i) => ({
    name: i.name,
    class_name: 'InputLayer',
    config: { batch_input_shape: i.shape, dtype: 'float32', sparse: false, name: i.name },
    inbound_nodes: [],
  }));
  for (const [k, l] of model.layers.entries())
    layers.push({
      name: l.name,
      class_name: l.className,
      config: layerConfig(l.className, l.name, l.args, `layers[${k}]`, problems),
      // [layer, node, tensor]: the tensor is which output of a layer with several it reads.
      inbound_nodes: [l.inputs.map((id, i) => [nodeName(id), 0, inputPort(l, i), {}])],
    });
  return {
    class_name: 'Model',
    config: {
      name: model.name,
      layers,
      input_layers: model.inputs.map((i) => [i.name, 0, 0]),
      output_layers: model.outputs.map((id, k) => [nodeName(id), 0, outputPort(model, k)]),
    },
    ...base,
  };
}

/**
 * Who reads a layer config: TF.js (its layers only, its spellings, Keras arguments it lacks
 * only at their default) or Keras 3 itself (every layer and argument, `module`-tagged objects).
 */
export type ConfigTarget = 'tfjs' | 'keras3';

/**
 * One layer's config (snake-cased keys, Keras's values) as TF.js or Keras 3 reads it, reporting
 * what cannot cross.
 */
export function layerConfig(
  className: string,
  name: string,
  args: Args,
  path: string,
  problems: Problems,
  target: ConfigTarget = 'tfjs',
): JsonObject {
  const keras = target === 'keras3';
  const rule = keras ? {} : layerRules[className];
  const entry = catalog.lookup('layer', className);
  const config: JsonObject = {};
  const at = `${path} (${className} '${name}')`;
  if (!rule || !entry) {
    problems.error(at, `${keras ? 'Keras 3' : 'TF.js'} has no layer ${className}.`);
    return config;
  }
  const refused = rule.refuse?.(args);
  if (refused) problems.error(`${at}.${refused.arg}`, refused.message);
  if (keras) config['name'] = name;
  if (keras) config['trainable'] = args['trainable'] !== false;
  if (keras) config['dtype'] = kerasObject('keras', 'DTypePolicy', { name: 'float32' });
  for (const arg of entry.args) {
    if (notConfigArgs.has(arg.name) || rule.ignored?.includes(arg.name)) continue;
    const value = args[arg.name] ?? null;
    if (rule.lacks?.includes(arg.name)) {
      if (!sameValue(value, (arg.default ?? null) as Value))
        problems.error(`${at}.${arg.name}`, `TF.js's ${className} has no '${arg.name}'.`);
      continue;
    }
    const key = rule.renames?.[arg.name] ?? arg.name;
    if (keras && className === 'Bidirectional' && (arg.name === 'layer' || value === null)) {
      const direction = arg.name === 'layer' ? 'forward' : 'backward';
      config[key] = kerasBidirectionalCopy(args, direction, `${at}.${arg.name}`, problems);
      continue;
    }
    // data_format=None is Keras's image_data_format(), channels_last; TF.js's Cropping2D
    // takes a written null for channels_first, so the resolved value is written.
    const resolved = arg.name === 'data_format' && value === null ? 'channels_last' : value;
    config[key] = argToJson(
      arg.type,
      sizes2d(className, arg.type, resolved),
      `${at}.${arg.name}`,
      problems,
      target,
    );
  }
  const dtype = args['dtype'];
  if (dtype !== null && dtype !== undefined && dtype !== 'float32')
    problems.error(
      `${at}.dtype`,
      `nnlang and this export compute in float32, not ${JSON.stringify(dtype)}.`,
    );
  if (keras) return config;
  config['name'] = name;
  config['trainable'] = args['trainable'] !== false;
  config['dtype'] = 'float32';
  return config;
}

/**
 * A Keras 3 Bidirectional's `layer` and `backward_layer` as its get_config writes them: the
 * copies it made, forward_<name> and backward_<name>, the backward one with go_backwards=True —
 * whatever the layer's own, where nnlang (as tf.keras 2) flips it: a layer that already runs
 * backwards would differ, and is refused.
 */
function kerasBidirectionalCopy(
  args: Args,
  direction: 'forward' | 'backward',
  path: string,
  problems: Problems,
): Json {
  const inner = args['layer'];
  if (!isCallValue(inner)) return null;
  if (direction === 'forward' && inner.args['go_backwards'] === true)
    problems.error(
      jsonPath(path, 'go_backwards'),
      "Keras 3's Bidirectional runs its backward copy with go_backwards=True whatever the layer's, where nnlang flips it: a layer with go_backwards=True would compute otherwise in Keras 3.",
    );
  const name =
    typeof inner.args['name'] === 'string' ? inner.args['name'] : toSnakeCase(inner.call);
  const copy = {
    call: inner.call,
    args: {
      ...inner.args,
      name: `${direction}_${name}`,
      ...(direction === 'backward' ? { go_backwards: true } : {}),
    },
  };
  return argToJson('layer', copy, path, problems, 'keras3');
}

/**
 * A 2D layer's size written as one int, as Keras 3's get_config writes it: a pair (TF.js's
 * UpSampling2D reads only pairs).
 */
function sizes2d(className: string, type: string, value: Value): Value {
  return type === 'int_or_tuple' && typeof value === 'number' && className.endsWith('2D')
    ? [value, value]
    : value;
}

function argToJson(
  type: string,
  value: Value,
  path: string,
  problems: Problems,
  target: ConfigTarget,
): Json {
  const keras = target === 'keras3';
  switch (type) {
    case 'activation':
      return keras
        ? activationToKeras(value, path, problems)
        : activationToTfjs(value, path, problems);
    case 'initializer':
    case 'regularizer':
    case 'constraint':
      return objectToJson(type, value, path, problems, target);
    case 'layer': {
      if (!isCallValue(value)) return null;
      const inner = value as CallValue;
      const innerName = typeof inner.args['name'] === 'string' ? inner.args['name'] : null;
      const config = layerConfig(
        inner.call,
        innerName ?? toSnakeCase(inner.call),
        inner.args,
        jsonPath(path),
        problems,
        target,
      );
      return keras
        ? kerasObject('keras.layers', inner.call, config)
        : { class_name: inner.call, config };
    }
    default:
      if (isCallValue(value)) {
        problems.error(path, `${keras ? 'Keras 3' : 'TF.js'} cannot hold ${value.call}(…) here.`);
        return null;
      }
      return plainJson(value);
  }
}
