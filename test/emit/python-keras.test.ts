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
import { bidirectionalOutputs } from './python-models.js';

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

/** What the PyTorch target gained in round 2, written for Keras as Keras spells it. */
const round2 = [
  {
    source: `Input(shape=(6,)) -> Embedding(5, 3, mask_zero=True) -> Bidirectional(GRU(3, return_sequences=True, dropout=0.2, recurrent_dropout=0.3), merge_mode='sum') -> TimeDistributed(Dense(4, activation='softmax'))\ncompile(Nadam(learning_rate=CosineDecayRestarts(0.1, 1, m_mul=0.5)), CategoricalFocalCrossentropy(gamma=3.0))`,
    written: [
      'layers.Embedding(input_dim=5, output_dim=3, mask_zero=True, name="embedding")',
      'layers.GRU(units=3, dropout=0.2, recurrent_dropout=0.3, return_sequences=True)',
      'keras.optimizers.Nadam(learning_rate=keras.optimizers.schedules.CosineDecayRestarts(initial_learning_rate=0.1, first_decay_steps=1, m_mul=0.5))',
      'loss=keras.losses.CategoricalFocalCrossentropy(gamma=3)',
    ],
  },
  {
    source: bidirectionalOutputs[1]!.source,
    written: [
      'layers.Bidirectional(layer=layers.GRU(units=2, return_state=True), merge_mode=None, name="bidirectional")(x0)',
      'outputs=[h1, h0[1], h0[3]]',
      'loss=["mean_squared_error", "mean_squared_error", "mean_absolute_error"]',
    ],
  },
];

describe('Keras modules of masks, recurrent dropout, Bidirectional outputs, Nadam and schedules', () => {
  run.each(round2)('$written.0', ({ source, written }) => {
    const { keras } = emit(source);
    expect(keras.problems).toEqual([]);
    py!.run(inspect, [], keras.code);
    for (const w of written) expect(keras.code).toContain(w);
  });
});
