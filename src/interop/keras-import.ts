/**
 * A Keras model config → an `ImportedModel` (plain data for `nn-text.ts`). One reader for every
 * writer: TF.js's `model.json` (`modelTopology`, snake-cased, `batch_input_shape`), the TF.js
 * converter's (`model_config` + `training_config`), tf.keras 2's `to_json()` and Keras 3's
 * (`batch_shape`, `DTypePolicy` objects, `module`/`registered_name`, `inbound_nodes` as call
 * arguments). Every key is accounted for: an argument nnlang has, a key that changes nothing,
 * or a problem at its JSON path.
 */
import { catalog, isCallValue, type Args, type Value } from '../catalog/index.js';
import { layerDefs, outputNamesOf, toSnakeCase, type Shape } from '../layers/index.js';
import type { ImportedLayer, ImportedModel } from './nn-text.js';
import { anyLayerExtraKeys, notConfigArgs, layerRules } from './layer-rules.js';
import { jsonPath, type Problems } from './problems.js';
import { compileFromJson } from './training-config.js';
import {
  shortestFloat32,
  activationFromJson,
  isObject,
  objectFromJson,
  type Dialect,
  type Json,
  type JsonObject,
} from './values.js';

/** Where a file keeps its model config, its training config and which writer made it. */
export interface Located {
  model: JsonObject;
  modelPath: string;
  training: JsonObject | null;
  trainingPath: string;
  dialect: Dialect;
}

/** Finds the model config in a TF.js model.json, a converter's, or a Keras `to_json()`. */
export function locateConfig(json: JsonObject, problems: Problems): Located | null {
  let model: Json | undefined = json;
  let modelPath = '';
  let training: Json | undefined = json['compile_config'];
  let trainingPath = 'compile_config';
  let version: Json | undefined = json['keras_version'];
  if (isObject(json['modelTopology'])) {
    const top = json['modelTopology'];
    version = top['keras_version'];
    model = top;
    modelPath = 'modelTopology';
    if (isObject(top['model_config'])) {
      model = top['model_config'];
      modelPath = 'modelTopology.model_config';
    }
    training = json['trainingConfig'] ?? top['training_config'];
    trainingPath = json['trainingConfig'] ? 'trainingConfig' : 'modelTopology.training_config';
  } else if ('modelTopology' in json || json['format'] === 'layers-model') {
    problems.error('modelTopology', 'a TF.js layers model needs its modelTopology object.');
    return null;
  }
  if (json['format'] === 'graph-model') {
    problems.error(
      'format',
      'a TF.js graph model holds operations, not layers: nnlang reads layers models.',
    );
    return null;
  }
  if (!isObject(model) || typeof model['class_name'] !== 'string') {
    problems.error(
      modelPath,
      'expected a Keras model config: an object with class_name and config.',
    );
    return null;
  }
  const v = typeof version === 'string' ? version : '';
  const dialect: Dialect = v.startsWith('2.')
    ? 'keras2'
    : v.startsWith('3.') || 'module' in model
      ? 'keras3'
      : modelPath.startsWith('modelTopology')
        ? 'tfjs'
        : 'keras2';
  return {
    model,
    modelPath,
    training: isObject(training) ? training : null,
    trainingPath,
    dialect,
  };
}

/** The located config as plain data; problems for everything that cannot cross. */
export function importModel(at: Located, problems: Problems): ImportedModel | null {
  const { model, modelPath, dialect } = at;
  const className = model['class_name'] as string;
  const config = model['config'];
  const cpath = jsonPath(modelPath, 'config');
  const compile = at.training ? compileFromJson(at.training, at.trainingPath, problems) : null;
  if (className === 'Sequential') {
    // Keras 2.2 wrote a Sequential's config as the bare list of layers.
    const list = Array.isArray(config) ? config : isObject(config) ? config['layers'] : undefined;
    const listPath = Array.isArray(config) ? cpath : jsonPath(cpath, 'layers');
    if (!Array.isArray(list)) {
      problems.error(listPath, 'expected the list of layers.');
      return null;
    }
    const name =
      isObject(config) && typeof config['name'] === 'string' ? config['name'] : 'sequential';
    const config_ = isObject(config) ? config : {};
    const m = sequential(name, list, listPath, dialect, compile, problems, config_);
    return m && { ...m, compilePath: at.trainingPath };
  }
  if (className === 'Model' || className === 'Functional') {
    if (!isObject(config) || !Array.isArray(config['layers'])) {
      problems.error(jsonPath(cpath, 'layers'), 'expected the list of layers.');
      return null;
    }
    const m = functional(config, cpath, dialect, compile, problems);
    return m && { ...m, compilePath: at.trainingPath };
  }
  problems.error(
    jsonPath(modelPath, 'class_name'),
    `nnlang reads Sequential and functional models, not '${className}'.`,
  );
  return null;
}

function sequential(
  name: string,
  list: Json[],
  path: string,
  dialect: Dialect,
  compile: ImportedModel['compile'],
  problems: Problems,
  config: JsonObject,
): Omit<ImportedModel, 'compilePath'> | null {
  let shape: Shape | null = null;
  const layers: ImportedLayer[] = [];
  list.forEach((j, k) => {
    const p = jsonPath(path, k);
    if (!isObject(j) || !isObject(j['config'])) {
      problems.error(p, 'expected a layer: an object with class_name and config.');
      return;
    }
    if (j['class_name'] === 'InputLayer') {
      if (k !== 0) problems.error(p, 'an InputLayer can only come first in a Sequential model.');
      shape = inputShape(j['config'], jsonPath(p, 'config'), problems);
      return;
    }
    if (k === 0 || (k === 1 && shape === null)) {
      const s = batchShape(j['config']);
      if (s) shape = readShape(s, jsonPath(p, 'config', batchShapeKey(j['config'])!), problems);
    }
    const layer = readLayer(j, p, dialect, problems);
    if (layer) {
      const previous = layers[layers.length - 1];
      layer.inputs = [previous ? previous.name : ''];
      layers.push(layer);
    }
  });
  const built = config['build_input_shape'];
  if (shape === null && Array.isArray(built))
    shape = readShape(
      built,
      jsonPath(path.replace(/\.layers$/, ''), 'build_input_shape'),
      problems,
    );
  if (shape === null) {
    problems.error(
      path,
      "the model's input shape is not in the file (no InputLayer, no batch_input_shape).",
    );
    return null;
  }
  return {
    name,
    functional: false,
    inputs: [{ name: '', shape }],
    layers,
    outputs: [],
    compile,
  };
}

function functional(
  config: JsonObject,
  path: string,
  dialect: Dialect,
  compile: ImportedModel['compile'],
  problems: Problems,
): Omit<ImportedModel, 'compilePath'> | null {
  const name = typeof config['name'] === 'string' ? config['name'] : 'functional';
  const inputs: ImportedModel['inputs'] = [];
  const layers: ImportedLayer[] = [];
  (config['layers'] as Json[]).forEach((j, k) => {
    const p = jsonPath(path, 'layers', k);
    if (!isObject(j) || !isObject(j['config'])) {
      problems.error(p, 'expected a layer: an object with class_name and config.');
      return;
    }
    const layerName = typeof j['name'] === 'string' ? j['name'] : j['config']['name'];
    if (j['class_name'] === 'InputLayer') {
      const shape = inputShape(j['config'], jsonPath(p, 'config'), problems);
      if (shape && typeof layerName === 'string')
        inputs.push({ name: checkedName(layerName, jsonPath(p, 'name'), problems), shape });
      return;
    }
    const layer = readLayer(j, p, dialect, problems);
    if (!layer) return;
    const nodes = j['inbound_nodes'];
    if (!Array.isArray(nodes) || nodes.length !== 1) {
      problems.error(
        jsonPath(p, 'inbound_nodes'),
        Array.isArray(nodes) && nodes.length > 1
          ? `layer '${layer.name}' is called ${nodes.length} times (a shared layer): nnlang gives each call its own layer and weights.`
          : 'expected the one call of the layer.',
      );
      return;
    }
    const reads = nodeInputs(nodes[0]!, jsonPath(p, 'inbound_nodes', 0), problems);
    layer.inputs = reads.map((r) => r.name);
    if (reads.some((r) => r.port !== 0)) layer.inputPorts = reads.map((r) => r.port);
    layers.push(layer);
  });
  const ends = (key: string): Read[] => {
    const list = config[key];
    if (!Array.isArray(list)) {
      problems.error(jsonPath(path, key), 'expected a list of [layer name, node, tensor].');
      return [];
    }
    // A single input or output may be written as one [name, 0, 0] rather than a list of them.
    const items = list.length === 3 && typeof list[0] === 'string' ? [list] : list;
    return items.map((e, k) => {
      if (Array.isArray(e) && typeof e[0] === 'string' && e[1] === 0 && isPort(e[2]))
        return { name: e[0], port: e[2] as number };
      problems.error(jsonPath(path, key, k), 'expected [layer name, 0, tensor index].');
      return { name: '', port: 0 };
    });
  };
  const inputNames = ends('input_layers').map((r) => r.name);
  const outputReads = ends('output_layers');
  const outputs = outputReads.map((r) => r.name);
  const outputPorts = outputReads.some((r) => r.port !== 0)
    ? outputReads.map((r) => r.port)
    : undefined;
  checkPorts(inputs, layers, outputReads, path, problems);
  const known = new Set([...inputs.map((i) => i.name), ...layers.map((l) => l.name)]);
  for (const l of layers)
    for (const i of l.inputs)
      if (!known.has(i))
        problems.error(
          path,
          `layer '${l.name}' reads '${i}', which the file does not define before it.`,
        );
  // Keras lists InputLayers by depth among the layers: input_layers gives the inputs' order.
  const declared = [...inputs];
  inputs.length = 0;
  inputNames.forEach((n, k) => {
    const input = declared.find((i) => i.name === n);
    if (input && !inputs.includes(input)) inputs.push(input);
    else
      problems.error(
        jsonPath(path, 'input_layers', k),
        `'${n}' is not one of the model's InputLayers.`,
      );
  });
  for (const i of declared)
    if (!inputs.includes(i))
      problems.error(jsonPath(path, 'input_layers'), `the InputLayer '${i.name}' is not listed.`);
  for (const [k, o] of outputs.entries())
    if (!layers.some((l) => l.name === o))
      problems.error(jsonPath(path, 'output_layers', k), `no layer '${o}' gives this output.`);
  return {
    name,
    functional: true,
    inputs,
    layers,
    outputs,
    ...(outputPorts ? { outputPorts } : {}),
    compile,
  };
}

/** A tensor a layer call or the model's outputs read: which layer, and which of its outputs. */
interface Read {
  name: string;
  port: number;
}

function isPort(j: Json | undefined): boolean {
  return typeof j === 'number' && Number.isInteger(j) && j >= 0;
}

/**
 * Each read output must exist: a model input has one, a layer as many as its arguments give
 * it (an LSTM with return_state=True: the output, state_h and state_c).
 */
function checkPorts(
  inputs: ImportedModel['inputs'],
  layers: ImportedLayer[],
  outputs: Read[],
  path: string,
  problems: Problems,
): void {
  const count = new Map<string, number>(inputs.map((i) => [i.name, 1]));
  for (const l of layers) count.set(l.name, outputNamesOf(layerDefs[l.className], l.args).length);
  const check = (r: Read, at: string) => {
    const n = count.get(r.name);
    if (n !== undefined && r.port >= n)
      problems.error(
        at,
        `reads output ${r.port} of '${r.name}', which has ${n === 1 ? 'one output' : `${n} outputs`}.`,
      );
  };
  for (const l of layers)
    l.inputs.forEach((name, k) => check({ name, port: l.inputPorts?.[k] ?? 0 }, l.path));
  outputs.forEach((r, k) => check(r, jsonPath(path, 'output_layers', k)));
}

/**
 * The tensors a layer call reads (layer name and output index): TF.js's and tf.keras 2's
 * `[[name, 0, tensor, {}], …]`, or Keras 3's `{args, kwargs}` with each tensor's keras_history.
 */
function nodeInputs(node: Json, path: string, problems: Problems): Read[] {
  if (Array.isArray(node))
    return node.map((e, k) => {
      if (Array.isArray(e) && typeof e[0] === 'string' && isPort(e[2])) {
        if (isObject(e[3]) && Object.keys(e[3]).length > 0)
          problems.error(
            jsonPath(path, k, 3),
            `call arguments ${JSON.stringify(e[3])} cannot be written in .nn.`,
          );
        return { name: e[0], port: e[2] as number };
      }
      problems.error(jsonPath(path, k), 'expected [layer name, node, tensor index, {}].');
      return { name: '', port: 0 };
    });
  if (isObject(node) && Array.isArray(node['args'])) {
    const kwargs = node['kwargs'];
    // Keras 3 records call arguments given explicitly; a None one (mask=None) changes nothing.
    if (isObject(kwargs) && Object.values(kwargs).some((v) => v !== null))
      problems.error(
        jsonPath(path, 'kwargs'),
        `call arguments ${JSON.stringify(kwargs)} cannot be written in .nn.`,
      );
    const args = node['args'];
    const tensors = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    return tensors.map((t, k) => {
      const history =
        isObject(t) && isObject(t['config']) ? t['config']['keras_history'] : undefined;
      if (Array.isArray(history) && typeof history[0] === 'string' && isPort(history[2]))
        return { name: history[0], port: history[2] as number };
      problems.error(jsonPath(path, 'args', k), 'expected a Keras tensor with its keras_history.');
      return { name: '', port: 0 };
    });
  }
  problems.error(
    path,
    'expected the layer call: a list of inbound tensors or Keras 3 {args, kwargs}.',
  );
  return [];
}

function batchShapeKey(config: JsonObject): string | undefined {
  return ['batch_shape', 'batch_input_shape', 'batchInputShape'].find((k) =>
    Array.isArray(config[k]),
  );
}

function batchShape(config: JsonObject): Json[] | undefined {
  const k = batchShapeKey(config);
  return k ? (config[k] as Json[]) : undefined;
}

function inputShape(config: JsonObject, path: string, problems: Problems): Shape | null {
  const s = batchShape(config);
  if (!s) {
    problems.error(path, 'an InputLayer needs batch_shape or batch_input_shape.');
    return null;
  }
  for (const key of ['sparse', 'ragged', 'optional'])
    if (config[key] === true) problems.error(jsonPath(path, key), `nnlang has no ${key} inputs.`);
  dtypeOk(config['dtype'], jsonPath(path, 'dtype'), problems);
  return readShape(s, jsonPath(path, batchShapeKey(config)!), problems);
}

function readShape(s: Json[], path: string, problems: Problems): Shape | null {
  const ok =
    s.length >= 2 && s.slice(1).every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0);
  if (!ok) {
    problems.error(path, `expected [null, …positive sizes], found ${JSON.stringify(s)}.`);
    return null;
  }
  return [null, ...(s.slice(1) as number[])];
}

function dtypeOk(j: Json | undefined, path: string, problems: Problems): void {
  const name = isObject(j) && isObject(j['config']) ? j['config']['name'] : j;
  if (name !== undefined && name !== null && name !== 'float32')
    problems.error(path, `nnlang computes in float32, not ${JSON.stringify(name)}.`);
}

/** A layer name that can be a weight name's prefix and a .nn string: no slashes or control characters. */
function checkedName(name: string, path: string, problems: Problems): string {
  if (/^[A-Za-z0-9_.-]{1,200}$/.test(name)) return name;
  problems.error(
    path,
    `the layer name ${JSON.stringify(name.slice(0, 60))} holds characters nnlang does not take in names (letters, digits, '_', '.', '-').`,
  );
  return 'invalid_name';
}

/** Keys of a layer's config that no layer's arguments hold: Keras's and TF.js's bookkeeping. */
const bookkeeping = new Set([
  'name',
  'trainable',
  'dtype',
  'batch_input_shape',
  'batch_shape',
  'batch_size',
  'input_dtype',
]);

/** One layer's class and config as Keras arguments (defaults filled in); null after a problem. */
function readLayer(
  j: JsonObject,
  path: string,
  dialect: Dialect,
  problems: Problems,
): ImportedLayer | null {
  const className = j['class_name'];
  const config = j['config'] as JsonObject;
  if (typeof className !== 'string') {
    problems.error(jsonPath(path, 'class_name'), 'expected the layer class name.');
    return null;
  }
  // A Keras config may hold layers TF.js lacks (Subtract, ZeroPadding1D): the engine's catalog
  // decides; the TF.js rules only add what TF.js writes differently.
  const rule = layerRules[className] ?? {};
  const entry = catalog.lookup('layer', className);
  if (!entry || entry.unsupported || entry.name !== className || className === 'Input') {
    problems.error(
      jsonPath(path, 'class_name'),
      entry && entry.name === className
        ? `nnlang's engine does not run ${className} yet${entry.unsupported ? `: ${entry.unsupported}` : ''}.`
        : `nnlang has no layer '${className}'.`,
    );
    return null;
  }
  if (
    isObject(j) &&
    'registered_name' in j &&
    j['registered_name'] !== null &&
    j['registered_name'] !== className
  ) {
    problems.error(
      jsonPath(path, 'registered_name'),
      `'${String(j['registered_name'])}' is a custom layer, not Keras's.`,
    );
    return null;
  }
  const cpath = jsonPath(path, 'config');
  const rawName = config['name'];
  const name = checkedName(
    typeof rawName === 'string' ? rawName : toSnakeCase(className),
    jsonPath(cpath, 'name'),
    problems,
  );
  dtypeOk(config['dtype'], jsonPath(cpath, 'dtype'), problems);
  const renamed = new Map(Object.entries(rule.renames ?? {}).map(([k, v]) => [v, k]));
  const args: Args = {};
  for (const a of entry.args)
    if (!notConfigArgs.has(a.name) && a.default !== undefined) args[a.name] = a.default as Value;
  if (dialect === 'tfjs') Object.assign(args, rule.tfjsDefaults ?? {});
  for (const [key, v] of Object.entries(config)) {
    const extra =
      rule.extraKeys?.[key] ??
      (entry.args.some((a) => a.name === key) ? undefined : anyLayerExtraKeys[key]);
    if (bookkeeping.has(key) || extra === 'any' || (extra !== undefined && extra === v)) continue;
    // Keras 3's Bidirectional sets its copies' zero_output_for_mask to their return_sequences.
    if (key === 'zero_output_for_mask' && /\.layer$/.test(path) && v === config['return_sequences'])
      continue;
    const argName = renamed.get(key) ?? key;
    const arg = entry.args.find((a) => a.name === argName && !notConfigArgs.has(a.name));
    const p = jsonPath(cpath, key);
    if (!arg) {
      problems.error(p, `Keras's ${className} has no argument '${key}' that nnlang knows.`);
      continue;
    }
    if (rule.ignored?.includes(arg.name)) continue;
    if (arg.name === 'backward_layer' && (v === null || isAutomaticBackward(config, v))) continue;
    // The export writes Keras's resolved image_data_format(); the .nn keeps its default, None.
    if (arg.name === 'data_format' && v === 'channels_last') continue;
    const value = argFromJson(arg.type, v, p, dialect, problems);
    if (value === undefined) continue;
    args[arg.name] = value;
  }
  if (className === 'Bidirectional') forwardName(args, cpath, dialect, problems);
  return { className, name, args, trainable: config['trainable'] !== false, inputs: [], path };
}

/**
 * A Bidirectional's `layer` as Keras 3 writes it is its forward copy, forward_<name>: the .nn
 * names the layer it wraps, as Keras does (removeprefix). nnlang's backward copy flips
 * go_backwards (as tf.keras 2 and TF.js), Keras 3's always runs backwards: in a Keras 3 file a
 * wrapped layer with go_backwards=True differs.
 */
function forwardName(args: Args, path: string, dialect: Dialect, problems: Problems): void {
  const inner = args['layer'];
  if (!isCallValue(inner)) return;
  if (dialect === 'keras3' && inner.args['go_backwards'] === true)
    problems.error(
      jsonPath(path, 'layer', 'config', 'go_backwards'),
      "Keras 3's Bidirectional runs its backward copy with go_backwards=True too, where nnlang's runs it forwards: nnlang would compute a different model.",
    );
  const name = inner.args['name'];
  if (typeof name !== 'string' || !name.startsWith('forward_')) return;
  const plain = name.slice('forward_'.length);
  const innerArgs = { ...inner.args };
  if (plain === toSnakeCase(inner.call)) delete innerArgs['name'];
  else innerArgs['name'] = plain;
  args['layer'] = { call: inner.call, args: innerArgs };
}

/**
 * Keras 3 writes a Bidirectional's backward layer even when it made it itself: `layer`'s config
 * under the name backward_<name>, with go_backwards=True. That one is Keras's default (None).
 * (A `layer` already running backwards is refused where it is read: nnlang flips it.)
 */
function isAutomaticBackward(config: JsonObject, backward: Json): boolean {
  const forward = config['layer'];
  if (!isObject(forward) || !isObject(backward)) return false;
  const f = forward['config'];
  const b = backward['config'];
  if (!isObject(f) || !isObject(b) || forward['class_name'] !== backward['class_name'])
    return false;
  const expected: JsonObject = {
    ...f,
    name: `backward_${String(f['name']).replace(/^forward_/, '')}`,
    go_backwards: true,
  };
  const keys = new Set([...Object.keys(expected), ...Object.keys(b)]);
  return [...keys].every((k) => JSON.stringify(expected[k]) === JSON.stringify(b[k]));
}

function argFromJson(
  type: string,
  v: Json,
  path: string,
  dialect: Dialect,
  problems: Problems,
): Value | undefined {
  switch (type) {
    case 'activation':
      return activationFromJson(v, path, dialect, problems);
    case 'initializer':
    case 'regularizer':
    case 'constraint':
      return objectFromJson(type, v, path, problems);
    case 'layer': {
      if (!isObject(v)) {
        problems.error(path, 'expected a layer object.');
        return undefined;
      }
      // A wrapper's layer is a plain layer (Keras's wrappers take no wrapper): a file that nests
      // deeper is refused here rather than walked without end.
      if (/\.config\.layer\./.test(path)) {
        problems.error(path, 'a wrapper inside a wrapper cannot be written in .nn.');
        return undefined;
      }
      // The wrapped layer's name names its weights (forward_<name>/kernel): kept when not Keras's own.
      const inner = readLayer(v, path, dialect, problems);
      if (!inner) return undefined;
      const args: Args = { ...inner.args };
      if (inner.name !== toSnakeCase(inner.className)) args['name'] = inner.name;
      return { call: inner.className, args };
    }
    case 'bool':
      // TF.js writes an unset boolean (LSTM's unit_forget_bias) as null: TF.js reads it as false.
      if (v === null && dialect === 'tfjs') return false;
      return plainValue(v, path, problems);
    default:
      return plainValue(v, path, problems);
  }
}

function plainValue(v: Json, path: string, problems: Problems): Value | undefined {
  if (isObject(v)) {
    problems.error(path, `nnlang cannot read ${JSON.stringify(v).slice(0, 80)} here.`);
    return undefined;
  }
  if (Array.isArray(v)) {
    const items = v.map((x, k) => plainValue(x, jsonPath(path, k), problems));
    return items.every((x) => x !== undefined) ? (items as Value[]) : undefined;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) {
    problems.error(path, `${v} is not a number nnlang takes.`);
    return undefined;
  }
  return typeof v === 'number' ? shortestFloat32(v) : v;
}
