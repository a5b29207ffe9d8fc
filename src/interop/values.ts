/**
 * Keras's serialized objects (`{"class_name": …, "config": {…}}`) and activation strings, to and
 * from the checker's values (`CallValue`s with every argument filled in). Where TF.js and Keras 3
 * name or compute a thing differently the difference is here, once: TF.js's `LeCunNormal`, its
 * `VarianceScaling(distribution='normal')` (Keras's truncated normal), its one `L1L2`
 * regularizer, and the activations whose formulas differ (TF.js's and tf.keras 2's
 * `hard_sigmoid` is 0.2x + 0.5, Keras 3's x/6 + 0.5).
 */
import { catalog, isCallValue, type Args, type CallValue, type Value } from '../catalog/index.js';
import { jsonPath, type Problems } from './problems.js';

/** Which writer made a JSON: TF.js itself, tf.keras 2 (or the TF.js converter from it), or Keras 3. */
export type Dialect = 'tfjs' | 'keras2' | 'keras3';

/** A plain JSON value as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type JsonObject = { [key: string]: Json };

export function isObject(j: Json | undefined): j is JsonObject {
  return typeof j === 'object' && j !== null && !Array.isArray(j);
}

/** Keras class names that TF.js spells its own way (export direction; import accepts both). */
const tfjsInitializerNames: Record<string, string> = {
  LecunNormal: 'LeCunNormal',
  LecunUniform: 'LeCunUniform',
};

/** Activations TF.js computes as Keras 3 does, by Keras name → TF.js's (snake-cased) name. */
const tfjsActivations: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  elu: 'elu',
  selu: 'selu',
  softplus: 'softplus',
  softsign: 'softsign',
  silu: 'swish',
  mish: 'mish',
  gelu: 'gelu',
};

/** Why an activation cannot cross, for the ones whose formula differs by writer. */
function activationFormulaProblem(name: string, dialect: Dialect): string | undefined {
  if (name === 'hard_sigmoid' && dialect !== 'keras3')
    return `'hard_sigmoid' is clip(0.2x + 0.5, 0, 1) in ${dialect === 'tfjs' ? 'TF.js' : 'tf.keras 2'}, but clip(x/6 + 0.5, 0, 1) in Keras 3: nnlang would compute a different model.`;
  if (name === 'gelu_new')
    return "TF.js's 'gelu_new' (the tanh approximation) has no Keras 3 activation string; Keras 3's 'gelu' is the exact (erf) form.";
  return undefined;
}

/** Deep equality of checked values (numbers by value). */
export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  if (isCallValue(a) || isCallValue(b)) {
    if (!isCallValue(a) || !isCallValue(b) || a.call !== b.call) return false;
    const keys = new Set([...Object.keys(a.args), ...Object.keys(b.args)]);
    return [...keys].every((k) => sameValue(a.args[k], b.args[k]));
  }
  return false;
}

/** A catalog argument list's defaults, as values. */
export function defaultsOf(kind: 'initializer' | 'regularizer' | 'constraint', call: string): Args {
  const entry = catalog.lookup(kind, call);
  const args: Args = {};
  for (const a of entry?.args ?? []) if (a.default !== undefined) args[a.name] = a.default as Value;
  return args;
}

/**
 * Keras 3 writes hyper-parameters it keeps as float32 variables in full (a learning rate of
 * 0.001 as 0.0010000000474974513): the shortest decimal with the same float32 value, which is
 * what the engine computes with, keeps the .nn readable.
 */
export function shortestFloat32(n: number): number {
  if (Number.isInteger(n) || Math.fround(n) !== n) return n;
  for (let p = 1; p <= 9; p++) {
    const s = Number(n.toPrecision(p));
    if (Math.fround(s) === n) return s;
  }
  return n;
}

// ---------------------------------------------------------------- export: values → JSON

/** A checked value of a plain argument (numbers, strings, tuples) as JSON. */
export function plainJson(v: Value): Json {
  if (Array.isArray(v)) return v.map(plainJson);
  if (isCallValue(v)) throw new Error(`internal: a call '${v.call}' where a plain value belongs`);
  return v;
}

/** The arguments of an activation call away from their default (`relu(max_value=…)`). */
function changedActivationArgs(v: CallValue): string[] {
  const entry = catalog.lookup('activation', v.call);
  return (entry?.args ?? [])
    .filter((a) => !sameValue(v.args[a.name], a.default as Value))
    .map((a) => a.name);
}

/** An initializer, regularizer or constraint value as its call, after checking it is one. */
function objectCall(kind: string, v: Value, path: string, problems: Problems): CallValue | null {
  if (v === null) return null;
  if (!isCallValue(v)) {
    problems.error(path, `expected a ${kind} call, found ${JSON.stringify(v)}.`);
    return null;
  }
  return v;
}

/** A call's arguments as a JSON config. */
function configOf(v: CallValue): JsonObject {
  const config: JsonObject = {};
  for (const [k, a] of Object.entries(v.args)) config[k] = plainJson(a);
  return config;
}

/** An activation value for TF.js, or null after reporting why it cannot cross. */
export function activationToTfjs(v: Value, path: string, problems: Problems): Json {
  if (v === null) return 'linear';
  const name = isCallValue(v) ? v.call : v;
  if (typeof name !== 'string') return null;
  const changed = isCallValue(v) ? changedActivationArgs(v) : [];
  if (changed.length > 0) {
    problems.error(
      path,
      `TF.js activations take no arguments: ${name}(${changed.join(', ')}=…) cannot be written.`,
    );
    return null;
  }
  const tfjs = tfjsActivations[name];
  if (tfjs) return tfjs;
  problems.error(
    path,
    activationFormulaProblem(name, 'tfjs') ??
      `TF.js has no activation '${name}' that computes what Keras 3's does.`,
  );
  return null;
}

/**
 * An initializer, regularizer or constraint call as Keras's `{class_name, config}`: for TF.js
 * (its class names and its one regularizer), or Keras 3's serialized object (`module`-tagged).
 */
export function objectToJson(
  kind: 'initializer' | 'regularizer' | 'constraint',
  v: Value,
  path: string,
  problems: Problems,
  target: 'tfjs' | 'keras3',
): Json {
  const call = objectCall(kind, v, path, problems);
  if (!call) return null;
  return target === 'keras3'
    ? kerasObject(`keras.${kind}s`, call.call, configOf(call))
    : objectCallToTfjs(kind, call, path, problems);
}

function objectCallToTfjs(
  kind: 'initializer' | 'regularizer' | 'constraint',
  v: CallValue,
  path: string,
  problems: Problems,
): Json {
  if (kind === 'regularizer') {
    if (v.call === 'L1' || v.call === 'L2' || v.call === 'L1L2') {
      const l1 = v.call === 'L2' ? 0 : (v.args['l1'] as number);
      const l2 = v.call === 'L1' ? 0 : (v.args['l2'] as number);
      return { class_name: 'L1L2', config: { l1, l2 } };
    }
    problems.error(path, `TF.js has no regularizer '${v.call}'.`);
    return null;
  }
  const config = configOf(v);
  if (kind === 'initializer' && v.call === 'VarianceScaling') {
    const d = config['distribution'];
    if (d === 'truncated_normal') config['distribution'] = 'normal';
    else if (d !== 'uniform') {
      problems.error(
        jsonPath(path, 'config', 'distribution'),
        `TF.js's VarianceScaling has no distribution '${String(d)}' (only a truncated normal and 'uniform').`,
      );
      return null;
    }
  }
  const className = kind === 'initializer' ? (tfjsInitializerNames[v.call] ?? v.call) : v.call;
  return { class_name: className, config };
}

/** Keras 3's serialized object: `{module, class_name, config, registered_name}`. */
export function kerasObject(module: string, className: string, config: JsonObject): JsonObject {
  return { module, class_name: className, config, registered_name: null };
}

/** An activation value as Keras 3 writes it in a layer config: its name. */
export function activationToKeras(v: Value, path: string, problems: Problems): Json {
  if (v === null) return 'linear';
  const name = isCallValue(v) ? v.call : v;
  if (typeof name !== 'string') return null;
  if (catalog.lookup('activation', name)?.extension) {
    problems.error(path, `Keras 3 has no activation '${name}' (an nnlang extension).`);
    return null;
  }
  const changed = isCallValue(v) ? changedActivationArgs(v) : [];
  if (changed.length === 0) return name;
  problems.error(
    path,
    `a Keras 3 layer config names its activation: ${name}(${changed.join(', ')}=…) cannot be written.`,
  );
  return null;
}

// ---------------------------------------------------------------- import: JSON → values

/** Keras's and TF.js's names for VarianceScaling presets, by (scale, mode, distribution). */
const variancePresets: [number, string, string, string][] = [
  [1, 'fan_avg', 'uniform', 'GlorotUniform'],
  [1, 'fan_avg', 'truncated_normal', 'GlorotNormal'],
  [2, 'fan_in', 'uniform', 'HeUniform'],
  [2, 'fan_in', 'truncated_normal', 'HeNormal'],
  [1, 'fan_in', 'uniform', 'LecunUniform'],
  [1, 'fan_in', 'truncated_normal', 'LecunNormal'],
];

/** An activation string (or Keras 3's serialized function) as a checked value. */
export function activationFromJson(
  j: Json | undefined,
  path: string,
  dialect: Dialect,
  problems: Problems,
): Value {
  if (j === null || j === undefined) return 'linear';
  const name = isObject(j) && typeof j['config'] === 'string' ? j['config'] : j;
  if (typeof name !== 'string') {
    problems.error(path, `expected an activation name, found ${JSON.stringify(j)}.`);
    return 'linear';
  }
  const formula = activationFormulaProblem(name, dialect);
  if (formula) {
    problems.error(path, formula);
    return 'linear';
  }
  const entry = catalog.lookup('activation', name);
  if (!entry) {
    problems.error(path, `unknown activation '${name}'.`);
    return 'linear';
  }
  return entry.name;
}

/** Checks the `module`/`registered_name` of a Keras 3 object: only Keras's own classes cross. */
function builtIn(j: JsonObject, path: string, problems: Problems): boolean {
  const module = j['module'];
  const registered = j['registered_name'];
  if (
    (module === undefined ||
      module === null ||
      (typeof module === 'string' && /^keras(\.|$)/.test(module))) &&
    (registered === undefined || registered === null || registered === j['class_name'])
  )
    return true;
  problems.error(
    path,
    `'${String(registered ?? j['class_name'])}' from module '${String(module)}' is a custom object, not one of Keras's.`,
  );
  return false;
}

/**
 * An initializer, regularizer or constraint object (or a bare name) as a checked call with
 * every argument filled in; null for JSON null. Unknown classes and config keys are reported.
 */
export function objectFromJson(
  kind: 'initializer' | 'regularizer' | 'constraint',
  j: Json | undefined,
  path: string,
  problems: Problems,
): Value {
  if (j === null || j === undefined) return null;
  let className: string;
  let config: JsonObject = {};
  if (typeof j === 'string') className = j;
  else if (isObject(j) && typeof j['class_name'] === 'string') {
    if (!builtIn(j, path, problems)) return null;
    className = j['class_name'];
    const c = j['config'];
    if (isObject(c)) config = c;
    else if (c !== undefined && c !== null) {
      problems.error(jsonPath(path, 'config'), `expected an object, found ${JSON.stringify(c)}.`);
      return null;
    }
  } else {
    problems.error(path, `expected a ${kind} object, found ${JSON.stringify(j)}.`);
    return null;
  }
  if (kind === 'initializer') {
    if (className === 'LeCunNormal') className = 'LecunNormal';
    if (className === 'LeCunUniform') className = 'LecunUniform';
    if (className === 'VarianceScaling') config = varianceConfig(config);
  }
  const entry = catalog.lookup(kind, className);
  if (!entry) {
    problems.error(jsonPath(path, 'class_name'), `nnlang has no ${kind} '${className}'.`);
    return null;
  }
  const args = defaultsOf(kind, entry.name);
  for (const [k, v] of Object.entries(config)) {
    const arg = entry.args.find((a) => a.name === k);
    if (!arg) {
      // tf.keras 2 and TF.js initializers carry a `seed`, and TF.js' Identity a `gain`, where
      // Keras 3 has none: harmless when null.
      if (k === 'seed' && v === null) continue;
      problems.error(
        jsonPath(path, 'config', k),
        `Keras 3's ${entry.name} has no argument '${k}'.`,
      );
      continue;
    }
    if (Array.isArray(v) || isObject(v)) {
      problems.error(
        jsonPath(path, 'config', k),
        `expected a number, string or null, found ${JSON.stringify(v)}.`,
      );
      continue;
    }
    args[k] = typeof v === 'number' ? shortestFloat32(v) : v;
  }
  let call: CallValue = { call: entry.name, args };
  if (kind === 'initializer' && call.call === 'VarianceScaling') call = variancePreset(call);
  if (kind === 'regularizer' && call.call === 'L1L2') call = simplestRegularizer(call);
  return call;
}

/** TF.js's VarianceScaling spellings (`normal` for the truncated normal; camel-cased modes) in Keras 3's. */
function varianceConfig(config: JsonObject): JsonObject {
  const out = { ...config };
  const d = out['distribution'];
  if (d === 'normal' || d === 'truncatedNormal') out['distribution'] = 'truncated_normal';
  if (d === 'untruncatedNormal') out['distribution'] = 'untruncated_normal';
  const m = out['mode'];
  if (typeof m === 'string')
    out['mode'] = m.replace(/^fan([A-Z])/, (_, c: string) => `fan_${c.toLowerCase()}`);
  return out;
}

/** VarianceScaling with a preset's numbers is that preset (TF.js writes HeNormal that way). */
function variancePreset(call: CallValue): CallValue {
  const { scale, mode, distribution, seed } = call.args;
  const preset = variancePresets.find(
    ([s, m, d]) => s === scale && m === mode && d === distribution,
  );
  return preset ? { call: preset[3], args: { seed: seed ?? null } } : call;
}

/** TF.js writes every regularizer as L1L2: one factor zero is Keras's L1 or L2. */
function simplestRegularizer(call: CallValue): CallValue {
  const { l1, l2 } = call.args;
  if (l1 === 0 && l2 !== 0) return { call: 'L2', args: { l2: l2 ?? 0 } };
  if (l2 === 0 && l1 !== 0) return { call: 'L1', args: { l1: l1 ?? 0 } };
  return call;
}
