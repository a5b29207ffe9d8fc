/**
 * `compile()` in and out: TF.js's `trainingConfig` ({loss, metrics, optimizer_config} with the
 * optimizer's config camel-cased, as `LayersModel.getTrainingConfig` writes it) and Keras 3's
 * `compile_config`. TF.js's optimizers are Keras's under other names (`RMSProp` with `decay`
 * for Keras's `rho`, `Momentum` for SGD with momentum). Keras arguments TF.js's optimizers lack
 * (clipnorm, weight_decay, …) are written with their Keras names, which TF.js ignores and our
 * import reads back, and reported as warnings: predictions are unchanged, TF.js's training is not.
 */
import { catalog, isCallValue, type Args, type CallValue, type Value } from '../catalog/index.js';
import type { CompileConfig } from '../check/index.js';
import { jsonPath, type Problems } from './problems.js';
import {
  isObject,
  kerasObject,
  sameValue,
  shortestFloat32,
  type Json,
  type JsonObject,
} from './values.js';

/** Keras optimizer → TF.js class, and Keras argument → TF.js config key. */
const optimizers: Record<string, { tfjs: string; keys: Record<string, string> }> = {
  SGD: { tfjs: 'SGD', keys: { learning_rate: 'learningRate' } },
  Momentum: {
    tfjs: 'Momentum',
    keys: { learning_rate: 'learningRate', momentum: 'momentum', nesterov: 'useNesterov' },
  },
  RMSprop: {
    tfjs: 'RMSProp',
    keys: {
      learning_rate: 'learningRate',
      rho: 'decay',
      momentum: 'momentum',
      epsilon: 'epsilon',
      centered: 'centered',
    },
  },
  Adagrad: {
    tfjs: 'Adagrad',
    keys: { learning_rate: 'learningRate', initial_accumulator_value: 'initialAccumulatorValue' },
  },
  Adadelta: {
    tfjs: 'Adadelta',
    keys: { learning_rate: 'learningRate', rho: 'rho', epsilon: 'epsilon' },
  },
  Adam: {
    tfjs: 'Adam',
    keys: { learning_rate: 'learningRate', beta_1: 'beta1', beta_2: 'beta2', epsilon: 'epsilon' },
  },
  Adamax: {
    tfjs: 'Adamax',
    keys: { learning_rate: 'learningRate', beta_1: 'beta1', beta_2: 'beta2', epsilon: 'epsilon' },
  },
};

/** Keras 3 loss names → TF.js's (snake-cased as its getTrainingConfig writes them). */
const losses: Record<string, string> = {
  mean_squared_error: 'mean_squared_error',
  mean_absolute_error: 'mean_absolute_error',
  mean_absolute_percentage_error: 'mean_absolute_percentage_error',
  mean_squared_logarithmic_error: 'mean_squared_logarithmic_error',
  binary_crossentropy: 'binary_crossentropy',
  categorical_crossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
  hinge: 'hinge',
  squared_hinge: 'squared_hinge',
  categorical_hinge: 'categorical_hinge',
  poisson: 'poisson',
  kl_divergence: 'kullback_leibler_divergence',
  log_cosh: 'logcosh',
};

/** Metrics TF.js knows by the same name. */
const metrics = new Set([
  'accuracy',
  'binary_accuracy',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'precision',
  'recall',
  'mean_squared_error',
  'mean_absolute_error',
  'mean_absolute_percentage_error',
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
]);

/** Keras optimizer arguments that no optimizer's TF.js config carries, skipped when at their default. */
function changedArgs(entryName: string, args: Args): string[] {
  const entry = catalog.lookup('optimizer', entryName);
  return Object.keys(args).filter((k) => {
    const arg = [...(entry?.args ?? []), ...catalog.common('optimizer')].find((a) => a.name === k);
    const def = arg ? (arg.default as Value) : null;
    return k !== 'name' && !sameValue(args[k], def ?? null);
  });
}

// ---------------------------------------------------------------- export

/** TF.js's `trainingConfig` for a model's compile(), or null after reporting why it cannot be. */
export function trainingConfigToTfjs(
  compile: CompileConfig,
  problems: Problems,
): JsonObject | null {
  const base = 'compile';
  const optimizer = optimizerToTfjs(compile.optimizer, jsonPath(base, 'optimizer'), problems);
  const lossNames = compile.losses.map(({ loss }, k) =>
    lossToTfjs(
      loss,
      compile.losses.length > 1 ? jsonPath(base, 'loss', k) : jsonPath(base, 'loss'),
      problems,
    ),
  );
  if (compile.lossWeights)
    problems.error(jsonPath(base, 'loss_weights'), 'TF.js cannot load loss_weights.');
  const metricNames = compile.metrics.map((m, k) =>
    metricToTfjs(m, jsonPath(base, 'metrics', k), problems),
  );
  if (!optimizer || lossNames.length === 0) {
    if (lossNames.length === 0)
      problems.error(jsonPath(base, 'loss'), 'TF.js needs a loss to load a training config.');
    return null;
  }
  return {
    loss: lossNames.length === 1 ? lossNames[0]! : lossNames,
    metrics: metricNames,
    optimizer_config: optimizer,
  };
}

function optimizerToTfjs(v: CallValue, path: string, problems: Problems): JsonObject | null {
  const args = v.args;
  const sgdMomentum = v.call === 'SGD' && (args['momentum'] !== 0 || args['nesterov'] === true);
  const rule = optimizers[sgdMomentum ? 'Momentum' : v.call];
  if (!rule) {
    problems.error(path, `TF.js has no optimizer '${v.call}'.`);
    return null;
  }
  const config: JsonObject = {};
  for (const [k, key] of Object.entries(rule.keys)) {
    let value = args[k];
    const initial = isCallValue(value) ? initialRate(value) : undefined;
    if (isCallValue(value) && initial !== undefined) {
      // TF.js has no schedules: its optimizer runs at the schedule's first rate. Predictions
      // are unchanged; training in TF.js is not, and nn import reads a fixed rate back.
      problems.warn(
        jsonPath(path, k),
        `TF.js has no learning-rate schedules: ${value.call} is written as its initial rate ${initial}, at which TF.js would train, and which nn import reads back.`,
      );
      value = initial;
    }
    if (isCallValue(value) || Array.isArray(value)) {
      problems.error(jsonPath(path, k), `TF.js takes a number for ${key}, not a schedule or list.`);
      return null;
    }
    config[key] = value ?? null;
  }
  if (rule.tfjs === 'Adamax') config['decay'] = 0;
  for (const k of changedArgs(v.call, args)) {
    if (k in rule.keys) continue;
    const value = args[k]!;
    if (isCallValue(value)) {
      problems.error(jsonPath(path, k), `TF.js cannot hold '${k}' = ${value.call}(…).`);
      continue;
    }
    config[k] = value as Json;
    problems.warn(
      jsonPath(path, k),
      `TF.js's ${rule.tfjs} has no '${k}': it is written for nnlang to read back, and TF.js trains without it.`,
    );
  }
  return { class_name: rule.tfjs, config };
}

/** A schedule's rate at step 0: its initial_learning_rate, or PiecewiseConstantDecay's first value. */
function initialRate(schedule: CallValue): number | undefined {
  const first =
    schedule.args['initial_learning_rate'] ?? (schedule.args['values'] as Value[] | undefined)?.[0];
  return typeof first === 'number' ? first : undefined;
}

function lossToTfjs(v: CallValue, path: string, problems: Problems): string {
  const name = losses[v.call];
  if (!name) {
    problems.error(
      path,
      `TF.js has no loss '${v.call}'${v.call === 'crossentropy' ? " (name the crossentropy: 'binary_crossentropy', 'categorical_crossentropy' or 'sparse_categorical_crossentropy')" : ''}.`,
    );
    return v.call;
  }
  byNameOnly('loss', v, path, problems);
  return name;
}

/** TF.js takes losses and metrics by name: an argument away from its default cannot cross. */
function byNameOnly(kind: 'loss' | 'metric', v: CallValue, path: string, problems: Problems): void {
  const entry = catalog.lookup(kind, v.call);
  for (const a of entry?.args ?? [])
    if (a.name !== 'name' && !sameValue(v.args[a.name], a.default as Value))
      problems.error(
        jsonPath(path, a.name),
        `TF.js takes a ${kind} by name only: '${a.name}' cannot be written.`,
      );
}

function metricToTfjs(m: Value, path: string, problems: Problems): string {
  const call = isCallValue(m) ? m.call : typeof m === 'string' ? m : '';
  if (!metrics.has(call)) {
    problems.error(path, `TF.js has no metric '${call}'.`);
    return call;
  }
  if (isCallValue(m)) byNameOnly('metric', m, path, problems);
  return call;
}

/**
 * Keras 3's `compile_config` for a model's compile(), as `Model.get_compile_config` writes it:
 * the optimizer as a serialized object with every argument (a schedule nested the same way),
 * losses and metrics by name, or as objects where an argument differs from its default.
 */
export function compileConfigToKeras(compile: CompileConfig, problems: Problems): JsonObject {
  const base = 'compile';
  const losses = compile.losses.map(({ loss }, k) =>
    callToKeras(
      'loss',
      loss,
      compile.losses.length > 1 ? jsonPath(base, 'loss', k) : jsonPath(base, 'loss'),
      problems,
    ),
  );
  return {
    optimizer: optimizerToKeras(compile.optimizer),
    loss: losses.length === 1 ? losses[0]! : losses,
    loss_weights: compile.lossWeights,
    metrics: compile.metrics.map((m, k) => {
      const json = callToKeras('metric', m, jsonPath(base, 'metrics', k), problems);
      if (json !== null && typeof json !== 'string')
        problems.error(
          jsonPath(base, 'metrics', k),
          `nnlang reads metrics back by name only: ${m.call}(…) with arguments cannot be written.`,
        );
      return json;
    }),
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}

/** A loss or metric: its name when every argument is Keras's default, else Keras 3's object. */
function callToKeras(
  kind: 'loss' | 'metric',
  v: CallValue,
  path: string,
  problems: Problems,
): Json {
  const entry = catalog.lookup(kind, v.call);
  const changed = (entry?.args ?? []).filter(
    (a) => a.name !== 'name' && !sameValue(v.args[a.name], a.default as Value),
  );
  if (changed.length === 0) return v.call;
  // Arguments need the class (BinaryCrossentropy), which the catalog lists among the names.
  const className = [entry?.name ?? v.call, ...(entry?.ids ?? [])].find(
    (id) => /^[A-Z]/.test(id) && /[a-z]/.test(id),
  );
  if (!className) {
    problems.error(path, `Keras 3 has no ${kind} class to hold ${v.call}(…)'s arguments.`);
    return null;
  }
  const config: JsonObject = {};
  for (const a of entry?.args ?? [])
    config[a.name] = plainArg(v.args[a.name] ?? (a.default as Value));
  return kerasObject(`keras.${kind === 'loss' ? 'losses' : 'metrics'}`, className, config);
}

function optimizerToKeras(v: CallValue): JsonObject {
  const entry = catalog.lookup('optimizer', v.call);
  const config: JsonObject = {
    name: typeof v.args['name'] === 'string' ? v.args['name'] : v.call.toLowerCase(),
  };
  // Keras 3's order: the learning rate, the base optimizer's arguments, then the class's own.
  const own = entry?.args ?? [];
  const first = own.filter((a) => a.name === 'learning_rate');
  for (const a of [
    ...first,
    ...catalog.common('optimizer'),
    ...own.filter((a) => !first.includes(a)),
  ]) {
    const value = v.args[a.name] ?? (a.default as Value) ?? null;
    // tf.keras 2's `decay`, which Keras 3 no longer writes.
    if (a.name === 'name' || (a.name === 'decay' && value === null)) continue;
    config[a.name] = isCallValue(value)
      ? kerasObject('keras.optimizers.schedules', value.call, plainArgs(value))
      : plainArg(value);
  }
  return kerasObject('keras.optimizers', v.call, config);
}

function plainArgs(v: CallValue): JsonObject {
  const config: JsonObject = {};
  for (const [k, a] of Object.entries(v.args)) config[k] = plainArg(a);
  return config;
}

function plainArg(v: Value): Json {
  if (isCallValue(v)) return kerasObject('keras', v.call, plainArgs(v));
  return Array.isArray(v) ? v.map(plainArg) : v;
}

// ---------------------------------------------------------------- import

/** What a compile() statement needs: its arguments as checked values. */
export interface CompileValues {
  optimizer: CallValue;
  loss: Value;
  metrics: Value[];
}

const camelToKeras: Record<string, string> = {
  learningRate: 'learning_rate',
  beta1: 'beta_1',
  beta2: 'beta_2',
  initialAccumulatorValue: 'initial_accumulator_value',
  useNesterov: 'nesterov',
};

/**
 * TF.js's `trainingConfig` / tf.keras 2's `training_config` ({loss, metrics, optimizer_config})
 * or Keras 3's `compile_config` ({optimizer, loss, metrics, …}) as compile() values.
 */
export function compileFromJson(
  j: JsonObject,
  path: string,
  problems: Problems,
): CompileValues | null {
  const opt = j['optimizer_config'] ?? j['optimizer'];
  const optPath = jsonPath(path, 'optimizer_config' in j ? 'optimizer_config' : 'optimizer');
  const optimizer = optimizerFromJson(opt, optPath, problems);
  const loss = lossFromJson(j['loss'], jsonPath(path, 'loss'), problems);
  const metricList = j['metrics'];
  const metricValues: Value[] = [];
  if (Array.isArray(metricList))
    metricList.forEach((m, k) => {
      const name = typeof m === 'string' ? m : null;
      const entry = name === null ? undefined : catalog.lookup('metric', name);
      if (!entry)
        problems.error(jsonPath(path, 'metrics', k), `nnlang has no metric ${JSON.stringify(m)}.`);
      else metricValues.push(name === 'acc' ? 'acc' : entry.name);
    });
  // TF.js writes a model compiled without metrics as {}.
  else if (isObject(metricList) && Object.keys(metricList).length === 0) metricValues.length = 0;
  else if (metricList !== null && metricList !== undefined)
    problems.error(jsonPath(path, 'metrics'), 'only a list of metric names can be read.');
  for (const key of ['loss_weights', 'weighted_metrics', 'sample_weight_mode']) {
    const v = j[key];
    if (v !== null && v !== undefined)
      problems.error(jsonPath(path, key), `nnlang cannot read '${key}' here.`);
  }
  if (!optimizer || loss === undefined) return null;
  return { optimizer, loss, metrics: metricValues };
}

function optimizerFromJson(
  j: Json | undefined,
  path: string,
  problems: Problems,
): CallValue | null {
  if (typeof j === 'string') {
    const entry = catalog.lookup('optimizer', j);
    if (entry) return { call: entry.name, args: {} };
  }
  if (!isObject(j) || typeof j['class_name'] !== 'string') {
    problems.error(path, `expected an optimizer, found ${JSON.stringify(j ?? null)}.`);
    return null;
  }
  let className = j['class_name'];
  const config = isObject(j['config']) ? j['config'] : {};
  const args: Args = {};
  const renames: Record<string, string> = { ...camelToKeras };
  if (className === 'RMSProp') {
    className = 'RMSprop';
    renames['decay'] = 'rho';
  }
  if (className === 'Momentum') className = 'SGD';
  if (className === 'Adamax' && (config['decay'] === 0 || config['decay'] === null))
    delete renames['decay'];
  const entry = catalog.lookup('optimizer', className);
  if (!entry) {
    problems.error(jsonPath(path, 'class_name'), `nnlang has no optimizer '${className}'.`);
    return null;
  }
  for (const [key, v] of Object.entries(config)) {
    // tf.keras 2's (and TF.js Adamax's) learning-rate decay, at 0: Keras 3 removed it.
    if (key === 'decay' && renames['decay'] === undefined && (v === 0 || v === null)) continue;
    const name = renames[key] ?? key;
    // Keras 3 writes its bookkeeping (the name, EMA frequency, …) with every optimizer.
    if (name === 'name') continue;
    const arg = [...entry.args, ...catalog.common('optimizer')].find((a) => a.name === name);
    if (!arg) {
      if (v === null || v === false) continue;
      problems.error(
        jsonPath(path, 'config', key),
        `Keras 3's ${entry.name} has no argument '${name}'.`,
      );
      continue;
    }
    const schedule = isObject(v)
      ? scheduleFromJson(v, jsonPath(path, 'config', key), problems)
      : null;
    if (schedule) {
      args[name] = schedule;
      continue;
    }
    if (isObject(v) || Array.isArray(v)) {
      problems.error(
        jsonPath(path, 'config', key),
        `nnlang reads only a number here, not ${JSON.stringify(v)}.`,
      );
      continue;
    }
    args[name] = typeof v === 'number' ? shortestFloat32(v) : v;
  }
  return { call: entry.name, args };
}

/** Keras 3's serialized learning-rate schedule (`keras.optimizers.schedules`), or null if it is none. */
function scheduleFromJson(j: JsonObject, path: string, problems: Problems): CallValue | null {
  const entry =
    typeof j['class_name'] === 'string' ? catalog.lookup('schedule', j['class_name']) : undefined;
  if (!entry) return null;
  const given: Args = {};
  const config = isObject(j['config']) ? j['config'] : {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'name' && (v === null || typeof v === 'string')) continue;
    const arg = entry.args.find((a) => a.name === k);
    if (!arg || isObject(v)) {
      problems.error(
        jsonPath(path, 'config', k),
        `Keras 3's ${entry.name} has no argument '${k}' nnlang reads.`,
      );
      continue;
    }
    given[k] = typeof v === 'number' ? shortestFloat32(v) : (v as Value);
  }
  // In the catalog's order, and only where not Keras's default: as the .nn would write it.
  const args: Args = {};
  for (const a of entry.args)
    if (a.name in given && !sameValue(given[a.name], a.default as Value))
      args[a.name] = given[a.name]!;
  return { call: entry.name, args };
}

function lossFromJson(j: Json | undefined, path: string, problems: Problems): Value | undefined {
  const one = (v: Json, p: string): Value | undefined => {
    const name =
      typeof v === 'string'
        ? v
        : isObject(v) && typeof v['class_name'] === 'string'
          ? v['class_name']
          : null;
    const renamed =
      name === 'kullback_leibler_divergence'
        ? 'kl_divergence'
        : name === 'logcosh'
          ? 'log_cosh'
          : name;
    const entry = renamed === null ? undefined : catalog.lookup('loss', renamed);
    if (!entry) {
      problems.error(p, `nnlang has no loss ${JSON.stringify(v)}.`);
      return undefined;
    }
    // Keras 3 writes a loss with arguments as its object: the ones nnlang has are kept.
    const args: Args = {};
    if (isObject(v) && isObject(v['config']))
      for (const [k, x] of Object.entries(v['config'])) {
        const arg = entry.args.find((a) => a.name === k);
        if (arg && !isObject(x) && !Array.isArray(x)) {
          if (!sameValue(x as Value, arg.default as Value)) args[k] = x as Value;
        } else if (k !== 'name' && k !== 'reduction')
          problems.error(
            jsonPath(p, 'config', k),
            `nnlang's ${entry.name} has no argument '${k}'.`,
          );
      }
    return Object.keys(args).length > 0 ? { call: entry.name, args } : entry.name;
  };
  if (j === undefined || j === null) {
    problems.error(path, 'the training config has no loss.');
    return undefined;
  }
  if (Array.isArray(j)) {
    const list = j.map((v, k) => one(v, jsonPath(path, k)));
    return list.every((v) => v !== undefined) ? (list as Value[]) : undefined;
  }
  return one(j, path);
}
