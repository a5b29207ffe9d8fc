/**
 * `--target pytorch` run by Debian's torch 1.13: for every sample and a model per layer family,
 * the emitted module's predictions equal ours (1e-5 of the outputs' scale), and two steps of
 * its training loop (a fixed batch, dropout and noise at rate 0) give our trainOnBatch's loss
 * and weights. Skipped with a notice where python3-torch is absent.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from 'nnlang';
import { torchModule } from '../../src/interop/python.js';
import { torchLosses } from '../../src/interop/python-torch.js';
import { torchActivations } from '../../src/interop/python-torch-layers.js';
import { activationNames } from '../../src/kernels/activation-spec.js';
import { Rng } from '../../src/kernels/random.js';
import { built, inputsFor, maxDiff, ourPredict, tempDir } from '../interop/helpers.js';
import { layerModels } from '../interop/layer-models.js';
import { python, pythonSession } from '../python.js';
import { bidirectionalOutputs } from './python-models.js';

const py = python(['torch', 'numpy'], 'test/emit/python-torch.test.ts');
const run = py ? it : it.skip;
/** One interpreter for the file's scripts (torch imports once, not per case). */
const session = py ? pythonSession(['numpy', 'torch']) : undefined;
afterAll(() => session?.close());
const dir = tempDir();
const samples = new URL('../../samples/', import.meta.url).pathname;
let counter = 0;

/** Imports the module at argv[1] as `m`. */
const load = `
import importlib.util, sys
import numpy as np
import torch
spec = importlib.util.spec_from_file_location("m", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
def read(path, shape):
    return np.fromfile(path, dtype="<f4").reshape((-1,) + tuple(shape))
`;

const predictScript = `${load}
model = m.build()
n = len(m.INPUT_SHAPES)
xs = [read(f, s) for f, s in zip(sys.argv[3:3 + n], m.INPUT_SHAPES)]
out = model.predict(*xs)
outs = out if isinstance(out, tuple) else (out,)
np.concatenate([o.reshape(-1) for o in outs]).astype("<f4").tofile(sys.argv[2])
`;

const trainScript = `${load}
torch.manual_seed(0)
model = m.build()
n = len(m.INPUT_SHAPES)
xs = [torch.tensor(read(f, s)) for f, s in zip(sys.argv[3:3 + n], m.INPUT_SHAPES)]
ys = [torch.tensor(read(f, ())).reshape(xs[0].shape[0], -1) for f in sys.argv[3 + n:]]
opt = model.make_optimizer()
losses = [model.train_on_batch(xs, ys, opt) for _ in range(2)]
flat = [np.array(losses, dtype="<f4")] + [w.reshape(-1) for w in model.get_weights()]
np.concatenate(flat).astype("<f4").tofile(sys.argv[2])
`;

function write(values: Float32Array): string {
  const file = join(dir, `a${counter++}.bin`);
  writeFileSync(file, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return file;
}

function readFloats(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function emitted(b: ReturnType<typeof built>): string {
  const out = torchModule({
    model: b.checked,
    weights: b.weights,
    data: null,
    file: null,
    version: 't',
  });
  expect(out.problems).toEqual([]);
  const file = join(dir, `m${counter++}.py`);
  writeFileSync(file, out.code);
  return file;
}

async function expectSamePredictions(source: string, name?: string, ids?: number) {
  const b = built(source, name);
  const module = emitted(b);
  const shapes = b.checked.inputs.map((i) => i.shape!);
  const xs = inputsFor(shapes, 5, ids);
  const out = join(dir, `o${counter++}.bin`);
  await session!.run(predictScript, [module, out, ...xs.map(write)]);
  const ours = ourPredict(b.model, xs);
  const theirs = readFloats(out);
  const split = ours.map((o, k) =>
    theirs.subarray(ours.slice(0, k).reduce((n, a) => n + a.length, 0)).subarray(0, o.length),
  );
  expect(maxDiff(ours, split)).toBeLessThan(1e-5);
}

/** Targets each output's loss reads: class ids, one-hot rows, 0/1, or reals. */
function targetsFor(b: ReturnType<typeof built>, rows: number): Float32Array[] {
  const rng = new Rng(5);
  return b.checked.outputs.map((id, k) => {
    const units = (b.checked.layers[id]!.outputShape!.at(-1) as number) ?? 1;
    const loss = b.checked.compile!.losses[k]?.lossSpec?.name ?? 'mean_squared_error';
    const pick = () => Math.floor(rng.uniform() * units);
    if (loss === 'sparse_categorical_crossentropy')
      return Float32Array.from({ length: rows }, pick);
    const size =
      rows * (b.checked.layers[id]!.outputShape!.slice(1) as number[]).reduce((a, c) => a * c, 1);
    if (loss === 'categorical_crossentropy' || loss === 'categorical_focal_crossentropy') {
      const y = new Float32Array(size);
      for (let r = 0; r < size / units; r++) y[r * units + pick()] = 1;
      return y;
    }
    if (loss === 'binary_crossentropy' || loss === 'binary_focal_crossentropy')
      return Float32Array.from({ length: size }, () => (rng.uniform() < 0.5 ? 0 : 1));
    return Float32Array.from({ length: size }, () => rng.uniform() * 2 - 1);
  });
}

async function expectSameTraining(source: string, name?: string, ids?: number) {
  const b = built(source, name);
  const module = emitted(b);
  const shapes = b.checked.inputs.map((i) => i.shape!);
  const rows = 6;
  const xs = inputsFor(shapes, rows, ids);
  const ys = targetsFor(b, rows);
  const x = xs.length === 1 ? xs[0]! : xs;
  const y = ys.length === 1 ? ys[0]! : ys;
  const losses = [
    b.model.trainOnBatch(x as never, y as never),
    b.model.trainOnBatch(x as never, y as never),
  ];
  const ours = [Float32Array.from(losses), ...b.model.getWeights()];
  const out = join(dir, `o${counter++}.bin`);
  await session!.run(trainScript, [module, out, ...xs.map(write), ...ys.map(write)]);
  const theirs = readFloats(out);
  let at = 0;
  const split = ours.map((o) => theirs.subarray(at, (at += o.length)));
  expect(at).toBe(theirs.length);
  expect(maxDiff(ours, split)).toBeLessThan(1e-5);
}

/** The source with dropout and noise at rate 0: their draws are the engine's own. */
function deterministic(source: string): string {
  return source.replace(/(Dropout[12]D|Dropout|GaussianNoise)\((0?\.\d+|\d+\.\d*)/g, '$1(0.0');
}

/** A layer model compiled for training (they have no compile()). */
function compiled(source: string, compile = "compile(Adam(learning_rate=0.01), 'mse')"): string {
  const s = deterministic(source);
  return s.trimEnd().endsWith('}') ? s.replace(/\}\s*$/, `  ${compile}\n}`) : `${s}\n${compile}\n`;
}

const sampleCases = readdirSync(samples)
  .filter((f) => f.endsWith('.nn'))
  .flatMap((f) => {
    const source = readFileSync(join(samples, f), 'utf8');
    return check(source).models.map((m) => ({ label: `${f} ${m.name}`, source, name: m.name }));
  });

describe('every sample as a PyTorch module', () => {
  run.each(sampleCases)('$label predicts as we do', async ({ source, name }) => {
    await expectSamePredictions(source, name);
  });
  run.each(sampleCases.filter((c) => c.name !== 'xor_step'))(
    '$label trains as our trainOnBatch does',
    async ({ source, name }) => {
      await expectSameTraining(deterministic(source), name);
    },
  );
});

describe('every activation the engine runs', () => {
  it("is in the runtime's activation table (read from its text)", () => {
    expect(torchActivations.size).toBe(activationNames.length);
    expect(activationNames.filter((n) => !torchActivations.has(n))).toEqual([]);
  });
});

describe('every layer family as a PyTorch module', () => {
  run.each(layerModels)('$label predicts as we do', async ({ source, ids }) => {
    await expectSamePredictions(source, undefined, ids);
  });
  run.each(layerModels)('$label trains as our trainOnBatch does', async ({ source, ids }) => {
    await expectSameTraining(compiled(source), undefined, ids);
  });
});

const dense = "Input(shape=(4,)) -> Dense(5, activation='tanh') -> Dense(3, activation='softmax')";
const optimizers = [
  'SGD(learning_rate=0.1, momentum=0.9, nesterov=True)',
  'SGD(learning_rate=0.1)',
  'RMSprop(learning_rate=0.01, momentum=0.5, centered=True)',
  'RMSprop(learning_rate=0.01)',
  'Adagrad(learning_rate=0.1)',
  'Adadelta(learning_rate=1.0)',
  'Adamax(learning_rate=0.01)',
  'AdamW(learning_rate=0.01)',
  'Adam(learning_rate=0.01, amsgrad=True, clipnorm=0.1)',
  'Adam(learning_rate=0.01, global_clipnorm=0.1)',
  'Adam(learning_rate=0.01, clipvalue=0.01)',
  'SGD(learning_rate=ExponentialDecay(0.1, 1, 0.5))',
  'Nadam(learning_rate=0.01)',
  'Nadam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=0.001)',
  'SGD(learning_rate=PiecewiseConstantDecay([0], [0.1, 0.02]))',
  'SGD(learning_rate=CosineDecay(0.1, 3, alpha=0.1))',
  'SGD(learning_rate=CosineDecay(0.1, 3, warmup_target=0.3, warmup_steps=1))',
  'SGD(learning_rate=InverseTimeDecay(0.1, 1, 0.5))',
  'SGD(learning_rate=PolynomialDecay(0.1, 3, end_learning_rate=0.01, power=2.0))',
  'SGD(learning_rate=PolynomialDecay(0.1, 1, cycle=True))',
  'SGD(learning_rate=CosineDecayRestarts(0.1, 1, t_mul=2.0, m_mul=0.5))',
  'SGD(learning_rate=CosineDecayRestarts(0.1, 1, t_mul=1.0, alpha=0.1))',
  'Adam(learning_rate=0.01, use_ema=True, ema_momentum=0.5)',
  'SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.7, ema_overwrite_frequency=2)',
  'Nadam(learning_rate=0.01, gradient_accumulation_steps=2)',
  'Adam(learning_rate=0.01, gradient_accumulation_steps=2, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=1)',
];
/** Every loss the module computes by name, then the arguments that change their numbers. */
const lossesToCheck = [
  ...torchLosses,
  'CategoricalCrossentropy(label_smoothing=0.1)',
  'CategoricalCrossentropy(from_logits=True)',
  'Huber(delta=0.5)',
  'BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5)',
  'CategoricalFocalCrossentropy(gamma=3.0, label_smoothing=0.1)',
  "MeanSquaredError(reduction='sum')",
  'MeanAbsoluteError(reduction=None)',
  'BinaryCrossentropy(reduction=None)',
  "CategoricalCrossentropy(reduction='sum')",
  "MeanAbsoluteError(reduction='mean_with_sample_weight')",
  'SparseCategoricalCrossentropy(ignore_class=1)',
];

describe("Keras's optimizers and losses, written out in the module", () => {
  run.each(optimizers)('%s', async (opt) => {
    await expectSameTraining(`${dense}\ncompile(${opt}, 'categorical_crossentropy')\n`);
  });
  run.each(lossesToCheck)('%s', async (loss) => {
    await expectSameTraining(
      `${dense}\ncompile(SGD(learning_rate=0.1), ${loss.includes('(') ? loss : `'${loss}'`})\n`,
    );
  });
});

/** Layers the engine runs that TF.js lacks (so layer-models.ts has none of them). */
const engineOnly = [
  {
    label: 'GRU (reset_after=True, Keras 3 default) and unit_forget_bias',
    source: `Input(shape=(5, 3)) -> GRU(4, return_sequences=True) -> LSTM(2, unit_forget_bias=False)`,
  },
  {
    label: '1D padding, cropping, up-sampling, depthwise and separable convolutions',
    source: `Input(shape=(8, 3)) -> ZeroPadding1D((1, 2)) -> Cropping1D((2, 1)) -> UpSampling1D(2) -> DepthwiseConv1D(3, depth_multiplier=2, padding='same') -> SeparableConv1D(4, 3, activation='relu') -> UnitNormalization() -> GlobalAveragePooling1D()`,
  },
  {
    label: '2D depthwise and separable convolutions, SpatialDropout2D',
    source: `Input(shape=(6, 6, 2)) -> DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding='same') -> SeparableConv2D(3, 2, depth_multiplier=2) -> SpatialDropout2D(0.3) -> Flatten() -> Dense(2)`,
  },
  {
    label: 'the shrink, sparse, squareplus, threshold and sparsemax activations',
    source: `Input(shape=(6,)) -> Dense(6, activation='hard_shrink') -> Dense(6, activation=soft_shrink(threshold=0.2)) -> Dense(6, activation='sparse_plus') -> Dense(6, activation='sparse_sigmoid') -> Dense(6, activation=squareplus(b=2)) -> Dense(6, activation=threshold(threshold=0.1, default_value=-0.5)) -> Dense(6, activation='soft_shrink') -> Dense(3, activation='sparsemax')`,
  },
  {
    label: 'grouped Conv1D and Conv2D',
    source: `Input(shape=(6, 6, 4)) -> Conv2D(6, 3, groups=2, padding='same') -> Reshape((36, 6)) -> Conv1D(4, 3, strides=2, groups=2) -> Flatten() -> Dense(2)`,
  },
  {
    label: 'Subtract',
    source: `model s {
      a = Input(shape=(3,))
      b = Input(shape=(3,))
      (a -> Dense(2), b -> Dense(2)) -> Subtract() -> Dense(1)
    }`,
  },
];

describe('layers the engine runs beyond TF.js, as a PyTorch module', () => {
  run.each(engineOnly)('$label predicts as we do', async ({ source }) => {
    await expectSamePredictions(source);
  });
  run.each(engineOnly)('$label trains as our trainOnBatch does', async ({ source }) => {
    await expectSameTraining(compiled(source));
  });
});

/**
 * Two processes with torchrun's environment (LOCAL_RANK, RANK, WORLD_SIZE; Gloo) train one
 * epoch through DistributedDataParallel; one process trains the same epoch alone: every batch
 * is split between the two and DDP averages the gradients, so the weights agree.
 */
const ddpScript = `${load}
import os
model = m.build()
x = torch.tensor(read(sys.argv[3], m.INPUT_SHAPES[0]))
y = torch.tensor(read(sys.argv[4], ())).reshape(x.shape[0], -1)
rank, world, wrapped = 0, 1, model
if "LOCAL_RANK" in os.environ:
    import torch.distributed as dist
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    wrapped = torch.nn.parallel.DistributedDataParallel(model)
model.fit(x, y, epochs=1, batch_size=4, shuffle=False, model=wrapped, rank=rank, world_size=world,
          verbose=False)
if rank == 0:
    np.concatenate([w.reshape(-1) for w in model.get_weights()]).astype("<f4").tofile(sys.argv[2])
`;

describe('DistributedDataParallel under torchrun', () => {
  run(
    'two processes train as one',
    async () => {
      const source = `Input(shape=(3,)) -> Dense(4, activation='tanh') -> Dense(2)\ncompile(Adam(learning_rate=0.05), 'mse')\n`;
      const b = built(source);
      const module = emitted(b);
      const [x] = inputsFor([[null, 3]], 8);
      const y = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
      const files = [write(x!), write(y)];
      const alone = join(dir, `o${counter++}.bin`);
      await session!.run(ddpScript, [module, alone, ...files]);
      const together = join(dir, `o${counter++}.bin`);
      const port = String(29500 + Math.floor(Math.random() * 400));
      const ranks = [0, 1].map(
        (r) =>
          new Promise<number>((resolve) => {
            const env = {
              ...process.env,
              MASTER_ADDR: '127.0.0.1',
              MASTER_PORT: port,
              WORLD_SIZE: '2',
              RANK: String(r),
              LOCAL_RANK: String(r),
            };
            const p = spawn('/usr/bin/python3', ['-c', ddpScript, module, together, ...files], {
              env,
              stdio: 'ignore',
            });
            p.on('exit', (code) => resolve(code ?? -1));
          }),
      );
      expect(await Promise.all(ranks)).toEqual([0, 0]);
      expect(maxDiff([readFloats(alone)], [readFloats(together)])).toBeLessThan(1e-6);
    },
    120_000,
  );
});

/**
 * Keras's mask from Embedding(mask_zero=True) (ids drawn in [0, 5): about one in five is the
 * padding id 0): masked steps keep the recurrent state, Bidirectional zeroes masked sequence
 * outputs, GlobalAveragePooling1D averages the unmasked steps, and the loss of a masked
 * sequence output is the mean over its unmasked positions.
 */
const maskedCases = [
  {
    label: 'LSTM sequences into GRU, through Dropout and LayerNormalization',
    source: `Input(shape=(6,)) -> Embedding(5, 3, mask_zero=True) -> LSTM(4, return_sequences=True) -> Dropout(0.0) -> LayerNormalization() -> GRU(3, reset_after=False) -> Dense(2)\ncompile(Adam(learning_rate=0.01), 'mse')`,
  },
  {
    label: 'SimpleRNN go_backwards sequences, masked mean, masked mse',
    source: `Input(shape=(6,)) -> Embedding(5, 3, mask_zero=True) -> SimpleRNN(4, return_sequences=True, go_backwards=True) -> Dense(2)\ncompile(SGD(learning_rate=0.1), 'mse')`,
  },
  {
    label: 'GlobalAveragePooling1D over the unmasked steps',
    source: `Input(shape=(6,)) -> Embedding(5, 3, mask_zero=True) -> GRU(4, return_sequences=True) -> GlobalAveragePooling1D() -> Dense(2, activation='softmax')\ncompile(Adam(learning_rate=0.01), 'categorical_crossentropy')`,
  },
  {
    label: 'Bidirectional LSTM, last output',
    source: `Input(shape=(6,)) -> Embedding(5, 3, mask_zero=True) -> Bidirectional(LSTM(3)) -> Dense(1, activation='sigmoid')\ncompile(Adam(learning_rate=0.01), 'binary_crossentropy')`,
  },
  {
    label: 'Bidirectional GRU sequences into TimeDistributed softmax, masked cross-entropy',
    source: `Input(shape=(6,)) -> Embedding(5, 3, mask_zero=True) -> Bidirectional(GRU(3, return_sequences=True), merge_mode='sum') -> TimeDistributed(Dense(4, activation='softmax'))\ncompile(Adam(learning_rate=0.01), 'categorical_crossentropy')`,
  },
];

describe("Keras's mask from Embedding(mask_zero=True), as a PyTorch module", () => {
  run.each(maskedCases)('$label predicts as we do', async ({ source }) => {
    await expectSamePredictions(source, undefined, 5);
  });
  run.each(maskedCases)('$label trains as our trainOnBatch does', async ({ source }) => {
    await expectSameTraining(source, undefined, 5);
  });
});

/**
 * A softmax or sigmoid inside TimeDistributed meets its cross-entropy from the logits, as in
 * the engine: the wide layer before it (600 units, weights in [-1, 1]) saturates the
 * probabilities past the 1e-7 clip, where only the logits' loss and gradient agree.
 */
const timeDistributedLosses = [
  `Input(shape=(4, 3)) -> TimeDistributed(Dense(600)) -> TimeDistributed(Dense(3, activation='softmax'))\ncompile(SGD(learning_rate=0.001), 'categorical_crossentropy')`,
  `Input(shape=(4, 3)) -> TimeDistributed(Dense(600)) -> TimeDistributed(Dense(2, activation='sigmoid'))\ncompile(SGD(learning_rate=0.001), 'binary_crossentropy')`,
];

describe('TimeDistributed softmax and sigmoid with their cross-entropies', () => {
  run.each(timeDistributedLosses)('%s trains as our trainOnBatch does', async (source) => {
    await expectSameTraining(source);
  });
});

/**
 * Recurrent dropout and recurrent_dropout, Keras 3's DropoutRNNCell masks (one per gate on the
 * state; on the inputs one per gate in LSTMCell/GRUCell's implementation 1). Their draws are the
 * engine's own, so the numbers are checked at a rate that keeps every unit (each mask 1/(1 − r),
 * through the masked products), and in inference, where dropout is off.
 */
const recurrentDropout = (rate: number) =>
  `Input(shape=(5, 3)) -> LSTM(4, dropout=${rate}, recurrent_dropout=${rate}, return_sequences=True) -> GRU(3, dropout=${rate}, recurrent_dropout=${rate}, return_sequences=True) -> GRU(3, reset_after=False, recurrent_dropout=${rate}, return_sequences=True) -> SimpleRNN(2, dropout=${rate}, recurrent_dropout=${rate}) -> Dense(2)\ncompile(Adam(learning_rate=0.01), 'mse')`;

describe('recurrent dropout and recurrent_dropout as a PyTorch module', () => {
  run('a rate that keeps every unit trains as our trainOnBatch does', async () => {
    await expectSameTraining(recurrentDropout(1e-9));
    await expectSameTraining(
      `Input(shape=(5, 3)) -> LSTM(4, dropout=1e-9, return_sequences=True) -> GRU(3, dropout=1e-9)\ncompile(SGD(learning_rate=0.1), 'mse')`,
    );
  });
  run('rates 0.5 predict as we do (dropout is off in inference)', async () => {
    await expectSamePredictions(recurrentDropout(0.5));
  });
  run('training at rates 0.5 runs and differs from training without dropout', async () => {
    const [x] = inputsFor([[null, 5, 3]], 6);
    const y = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i));
    const trained = async (rate: number) => {
      const out = join(dir, `o${counter++}.bin`);
      await session!.run(trainScript, [
        emitted(built(recurrentDropout(rate))),
        out,
        write(x!),
        write(y),
      ]);
      return readFloats(out);
    };
    const [dropped, kept] = [await trained(0.5), await trained(1e-9)];
    expect(dropped.every(Number.isFinite)).toBe(true);
    expect(dropped.length).toBe(kept.length);
    expect(maxDiff([dropped], [kept])).toBeGreaterThan(1e-4);
  });
});

describe('Bidirectional return_state and merge_mode=None as a PyTorch module', () => {
  run.each(bidirectionalOutputs)('$label predicts as we do', async ({ source }) => {
    await expectSamePredictions(source);
  });
  run.each(bidirectionalOutputs)('$label trains as our trainOnBatch does', async ({ source }) => {
    await expectSameTraining(source);
  });
});

describe('what the PyTorch target cannot write', () => {
  it('is a problem naming it, and no code', () => {
    const [checked] = check('Dense(2)\ncompile(adam, "mse")\n').models;
    const out = torchModule({ model: checked!, weights: [], data: null, file: null, version: 't' });
    expect(out.code).toBe('');
    expect(out.problems.map((p) => p.message)).toEqual([
      "the model's input shape is unknown: write Input(shape=…) to emit it.",
    ]);
  });
});
