/**
 * `--target keras`: Keras is not installed here, so the module is checked as text — golden
 * files reviewed as diffs, Python's own parser (Debian's python3) — and its weights against
 * TF.js's export: the same names in the same order (TF.js writes Keras's get_weights() order)
 * and the same float32 values, decoded by Python from the module's base64.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, toTfjs } from 'nnlang';
import { kerasModule, torchModule } from '../../src/interop/python.js';
import { expectGolden } from '../golden.js';
import { built } from '../interop/helpers.js';
import { layerModels } from '../interop/layer-models.js';
import { python } from '../python.js';

const py = python(['numpy'], 'test/emit/python-keras.test.ts');
const run = py ? it : it.skip;
const samples = new URL('../../samples/', import.meta.url).pathname;
const goldens = new URL('../fixtures/emit-python/', import.meta.url).pathname;
mkdirSync(goldens, { recursive: true });

/**
 * Parses the module (without importing keras) and prints its WEIGHT_SHAPES names and WEIGHTS
 * decoded, as JSON.
 */
const inspect = `
import ast, base64, json, sys
import numpy as np
tree = ast.parse(sys.stdin.read())
values = {}
for node in tree.body:
    if isinstance(node, ast.Assign) and node.targets[0].id in ("WEIGHT_SHAPES", "WEIGHTS"):
        values[node.targets[0].id] = ast.literal_eval(node.value)
flat = np.frombuffer(base64.b64decode(values["WEIGHTS"]), dtype="<f4")
print(json.dumps({"names": [n for n, _ in values["WEIGHT_SHAPES"]],
                  "shapes": [list(s) for _, s in values["WEIGHT_SHAPES"]],
                  "values": [float(v) for v in flat]}))
`;

const cases = [
  ...readdirSync(samples)
    .filter((f) => f.endsWith('.nn') && f !== 'reuters.nn')
    .flatMap((f) => {
      const source = readFileSync(join(samples, f), 'utf8');
      return check(source).models.map((m) => ({ label: `${f} ${m.name}`, source, name: m.name }));
    }),
  ...layerModels.map((m) => ({ label: m.label, source: m.source, name: undefined })),
];

function emit(source: string, name?: string) {
  const b = built(source, name);
  const input = {
    model: b.checked,
    weights: b.weights,
    data: null,
    file: 'model.nn',
    version: 't',
  };
  return { b, keras: kerasModule(input), torch: torchModule(input) };
}

describe('Keras modules', () => {
  run.each(cases)("$label: parses, and holds the weights in TF.js's order", ({ source, name }) => {
    const { b, keras } = emit(source, name);
    expect(keras.problems).toEqual([]);
    const read = JSON.parse(py!.run(inspect, [], keras.code)) as {
      names: string[];
      shapes: number[][];
      values: number[];
    };
    if (name !== 'xor_step') {
      const manifest = toTfjs(b.checked, b.weights).modelJson['weightsManifest'] as {
        weights: { name: string; shape: number[] }[];
      }[];
      expect(read.names).toEqual(manifest[0]!.weights.map((w) => w.name));
      expect(read.shapes).toEqual(manifest[0]!.weights.map((w) => w.shape));
    }
    const ours = b.weights.flatMap((w) => [...w.values]);
    expect(read.values).toEqual(ours);
  });

  const golden = [
    { label: 'iris-residual', source: readFileSync(join(samples, 'iris-residual.nn'), 'utf8') },
    { label: 'xor-step', source: readFileSync(join(samples, 'xor.nn'), 'utf8'), name: 'xor_step' },
    { label: 'regularized', source: layerModels[0]!.source },
    { label: 'wrappers', source: layerModels[9]!.source },
    { label: 'graph', source: layerModels[11]!.source },
    {
      label: 'compiled',
      source: `Input(shape=(4,)) -> Dense(3, activation='relu', kernel_initializer='he_normal') -> Dense(2, activation='softmax')
compile(SGD(learning_rate=ExponentialDecay(0.1, 10, 0.5), momentum=0.9), CategoricalCrossentropy(label_smoothing=0.1), metrics=['acc'])`,
    },
  ];
  it.each(golden)('$label: its golden files as reviewed', ({ label, source, name }) => {
    const { keras, torch } = emit(source, name);
    expect(keras.problems).toEqual([]);
    // The model's own part: the weights (checked above) and the loading code after them, and
    // the PyTorch runtime before it, are the same in every module.
    const upToWeights = (code: string) => code.slice(0, code.indexOf('WEIGHTS = ('));
    expectGolden(join(goldens, `${label}.keras.py`), upToWeights(keras.code));
    const model = upToWeights(torch.code.slice(torch.code.indexOf('# The model.')));
    expectGolden(join(goldens, `${label}.torch.py`), model);
  });
});
