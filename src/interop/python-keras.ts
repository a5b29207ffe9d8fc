/**
 * `nn emit --target keras`: a checked model and its weights → a Python module that builds the
 * same model with Keras 3 (Sequential for a chain, the functional API for a graph), with the
 * same layer names, the arguments written that differ from Keras's defaults (the others are
 * Keras's own), the compile() settings, and the trained weights loaded with `set_weights` in
 * `get_weights()` order — the order TF.js's export writes too.
 */
import {
  catalog,
  isCallValue,
  type CallValue,
  type CatalogKind,
  type Value,
} from '../catalog/index.js';
import type { CheckedModel } from '../check/index.js';
import { activationSpec, type NodeId } from '../layers/index.js';
import { notConfigArgs } from './layer-rules.js';
import { sameValue } from './values.js';
import { pyDocText, pyKeywords, pyString, pyValue } from './python-literals.js';
import { PythonProblems } from './python-problems.js';
import type { PythonModuleInput, PythonModuleOutput } from './python-torch.js';
import { weightsBase64 } from './python-weights.js';

/** Where each kind of nested call lives in Keras 3. */
const modules: Partial<Record<CatalogKind, string>> = {
  layer: 'layers',
  initializer: 'keras.initializers',
  regularizer: 'keras.regularizers',
  constraint: 'keras.constraints',
  optimizer: 'keras.optimizers',
  schedule: 'keras.optimizers.schedules',
  loss: 'keras.losses',
};

/** Keyword arguments of a layer that its config does not carry, beside `name` and `weights`. */
const notWritten = new Set(['input_shape', 'input_dim', 'batch_size', 'batch_input_shape']);

export function kerasModule(input: PythonModuleInput): PythonModuleOutput {
  const { model } = input;
  const problems = new PythonProblems();
  let usesStep = false;
  const write = (kind: CatalogKind, call: CallValue, layer: string | null): string => {
    const entry = catalog.lookup(kind, call.call);
    const kw: string[] = [];
    for (const a of entry?.args ?? []) {
      const v = call.args[a.name];
      if (v === undefined || (a.name === 'seed' && v === null)) continue;
      // Embedding's input_dim is its vocabulary (required), not the Keras 2 input shape.
      const shapeArg = notWritten.has(a.name) && a.required !== true;
      if (kind === 'layer' && (notConfigArgs.has(a.name) || shapeArg)) continue;
      if (a.name === 'dtype' && v === null) continue;
      if (a.name === 'trainable' && v === true) continue;
      if (a.default !== undefined && isDefault(a.type, v, a.default as Value)) continue;
      kw.push(`${a.name}=${argValue(a.type, v, layer, a.name)}`);
    }
    return `${modules[kind] ?? 'keras'}.${call.call}(${kw.join(', ')})`;
  };
  const argValue = (type: string, v: Value, layer: string | null, arg: string): string => {
    if (type === 'activation') {
      // nnlang's step is no Keras name: the module defines it, and passes the function.
      if (v === 'step') {
        usesStep = true;
        return 'step';
      }
      if (typeof v === 'string' || v === null) return pyValue(v);
      const spec = activationSpec(v);
      if (spec.name === 'step') usesStep = true;
      return `lambda x: keras.activations.${spec.name}(x, ${pyKeywords((v as CallValue).args)})`;
    }
    if (isCallValue(v)) {
      const kind = (['initializer', 'regularizer', 'constraint', 'layer'] as const).find(
        (k) => k === type,
      );
      if (kind) return write(kind, v, layer);
      if (catalog.lookup('schedule', v.call)) return write('schedule', v, layer);
      problems.add(layer, `Keras takes no ${v.call}(…) for '${arg}'.`, arg);
      return 'None';
    }
    return pyValue(v);
  };

  const layerCall = (i: number): string => {
    const l = model.layers[i]!;
    const call = write('layer', { call: l.className, args: l.args }, l.name);
    return call.replace(/\)$/, `${call.endsWith('()') ? '' : ', '}name=${pyString(l.name)})`);
  };
  const compile = compileCall(model, write, problems);
  if (model.inputs.some((i) => i.shape === null))
    problems.add(null, "the model's input shape is unknown: write Input(shape=…) to emit it.");
  const body = model.functional
    ? functionalBody(model, layerCall)
    : sequentialBody(model, layerCall);
  if (problems.list.length > 0) return { code: '', problems: problems.list };

  const shapes = input.weights.map(
    (w) => `    (${pyString(`${w.layer}/${w.name}`)}, ${pyValue(w.shape)}),\n`,
  );
  const code = [
    `"""\nModel '${pyDocText(model.name)}'${input.file ? ` from ${pyDocText(input.file)}` : ''}, emitted by nnlang ${pyDocText(input.version)}\nfor Keras 3: the same layers, names and arguments, compile() and trained weights.\n\n    python3 this.py   # builds the model, loads the weights, prints its summary\n"""\n`,
    'import base64\n\nimport keras\nimport numpy as np\nfrom keras import layers\n',
    usesStep
      ? '\n\ndef step(x):\n    """nnlang\'s step activation (not Keras): 1 where x > 0, else 0."""\n    return keras.ops.cast(x > 0, x.dtype)\n'
      : '',
    '\n\ndef build_model():\n',
    body,
    compile,
    '    return model\n',
    `\n\n# get_weights() order: (layer/weight, shape).\nWEIGHT_SHAPES = [\n${shapes.join('')}]\n`,
    `\nWEIGHTS = (\n${weightsBase64(input.weights)})\n`,
    '\n\ndef load_weights(model):\n',
    '    """Our trained weights (base64 of little-endian float32), in get_weights() order."""\n',
    '    flat = np.frombuffer(base64.b64decode(WEIGHTS), dtype="<f4")\n',
    '    arrays, at = [], 0\n',
    '    for _, shape in WEIGHT_SHAPES:\n',
    '        n = int(np.prod(shape))\n',
    '        arrays.append(flat[at:at + n].reshape(shape))\n',
    '        at += n\n',
    '    model.set_weights(arrays)\n',
    '\n\ndef build(trained=True):\n',
    '    model = build_model()\n',
    '    if trained:\n',
    '        load_weights(model)\n',
    '    return model\n',
    '\n\nif __name__ == "__main__":\n',
    '    build().summary()\n',
  ].join('');
  return { code, problems: [] };
}

/**
 * Whether a value is Keras's default: the same value, or the call a default name stands for
 * (`GlorotUniform()` for 'glorot_uniform') with its own defaults.
 */
function isDefault(type: string, v: Value, d: Value): boolean {
  if (sameValue(v, d)) return true;
  if (!isCallValue(v) || typeof d !== 'string') return false;
  const kind = (['initializer', 'regularizer', 'constraint'] as const).find((k) => k === type);
  const entry = kind && catalog.lookup(kind, d);
  if (!entry || entry.name !== v.call) return false;
  return entry.args.every(
    (a) => a.default === undefined || sameValue(v.args[a.name] ?? null, a.default as Value),
  );
}

function sequentialBody(model: CheckedModel, layerCall: (i: number) => string): string {
  const shape = model.inputs[0]?.shape?.slice(1) ?? [];
  const lines = [
    `            keras.Input(shape=${pyValue(shape as Value)}),\n`,
    ...model.layers.map((_, i) => `            ${layerCall(i)},\n`),
  ];
  return `    model = keras.Sequential(\n        [\n${lines.join('')}        ],\n        name=${pyString(model.name)},\n    )\n`;
}

/** One tensor bare, several as a list: Keras's model then returns (or takes) what was written. */
function list(names: string[]): string {
  return names.length === 1 ? names[0]! : `[${names.join(', ')}]`;
}

function functionalBody(model: CheckedModel, layerCall: (i: number) => string): string {
  const ref = (id: NodeId, port = 0): string => {
    if (id < 0) return `x${-1 - id}`;
    return model.layers[id]!.extraOutputShapes?.length ? `h${id}[${port}]` : `h${id}`;
  };
  const inputs = model.inputs.map(
    (i, k) =>
      `    x${k} = keras.Input(shape=${pyValue(i.shape!.slice(1) as Value)}, name=${pyString(i.name)})\n`,
  );
  const steps = model.layers.map((l) => {
    const args = l.inputs.map((id, i) => ref(id, l.inputPorts?.[i] ?? 0));
    const arg = args.length === 1 ? args[0] : `[${args.join(', ')}]`;
    return `    h${l.id} = ${layerCall(l.id)}(${arg})\n`;
  });
  const outs = model.outputs.map((id, k) => ref(id, model.outputPorts?.[k] ?? 0));
  const ins = model.inputs.map((_, k) => `x${k}`);
  return [
    ...inputs,
    ...steps,
    `    model = keras.Model(\n        inputs=${list(ins)},\n        outputs=${list(outs)},\n        name=${pyString(model.name)},\n    )\n`,
  ].join('');
}

/** `model.compile(…)` with the optimizer, losses, loss weights and metrics as written. */
function compileCall(
  model: CheckedModel,
  write: (kind: CatalogKind, call: CallValue, layer: string | null) => string,
  problems: PythonProblems,
): string {
  const c = model.compile;
  if (!c) return '';
  const loss = (v: CallValue): string => {
    const entry = catalog.lookup('loss', v.call);
    const changed = (entry?.args ?? []).some(
      (a) =>
        a.name !== 'name' &&
        v.args[a.name] !== undefined &&
        a.default !== undefined &&
        !sameValue(v.args[a.name], a.default as Value),
    );
    if (!changed) return pyString(v.call);
    const cls = entry?.ids?.find((id) => /^[A-Z]/.test(id));
    if (!cls) {
      problems.add(null, `Keras has no loss class for ${v.call} with these arguments.`, 'loss');
      return 'None';
    }
    return write('loss', { call: cls, args: v.args }, null);
  };
  const kw: string[] = [`optimizer=${write('optimizer', c.optimizer, null)}`];
  const losses = c.losses.map((l) => loss(l.loss));
  if (losses.length === 1) kw.push(`loss=${losses[0]}`);
  else if (losses.length > 1) kw.push(`loss=[${losses.join(', ')}]`);
  if (c.lossWeights) kw.push(`loss_weights=${pyValue(c.lossWeights)}`);
  const metric = (m: CallValue): string => {
    const name = m.args['name'];
    return pyString(typeof name === 'string' ? name : m.call);
  };
  if (c.outputMetrics.length > 1 && c.outputMetrics.some((m) => m.length > 0))
    kw.push(
      `metrics=[${c.outputMetrics.map((ms) => `[${ms.map(metric).join(', ')}]`).join(', ')}]`,
    );
  else if (c.metrics.length > 0) kw.push(`metrics=[${c.metrics.map(metric).join(', ')}]`);
  return `    model.compile(\n${kw.map((k) => `        ${k},\n`).join('')}    )\n`;
}
