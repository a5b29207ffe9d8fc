import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadModel, type Model } from 'nnlang';
import { emitModule } from '../../src/emit/index.js';

/** A module's batch: one array, or one per input for several inputs. */
type Batch = Float32Array | Float32Array[];

interface Trainable {
  trainOnBatch(x: Batch, y: Float32Array): number;
  getWeights(): Float32Array[];
  predict(x: Batch): Float32Array;
}

const dir = mkdtempSync(join(tmpdir(), 'nn-train-'));
let counter = 0;
/** Each case's module, emitted once. */
const codes = new Map<string, string>();

function emit(source: string, seed: number) {
  const model = loadModel(source, { seed });
  const out = emitModule(model, { training: true });
  if (out.code === '') throw new Error(out.diagnostics.map((d) => d.message).join('\n'));
  return { model, code: out.code };
}

async function load(code: string): Promise<Trainable> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = join(dir, `m${counter++}.generated.mjs`);
  writeFileSync(file, js);
  return (await import(pathToFileURL(file).href)) as Trainable;
}

function batch(n: number, features: number, seed: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n * features);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 4 - 2;
  }
  return out;
}

function nested(x: Float32Array, features: number, last: number): number[][][] {
  const out: number[][][] = [];
  for (let r = 0; r < x.length / features; r++) {
    const sample: number[][] = [];
    for (let i = 0; i < features; i += last)
      sample.push(Array.from(x.subarray(r * features + i, r * features + i + last)));
    out.push(sample);
  }
  return out;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
}

/** Three steps of the engine and of the module on one batch: the losses agree, then the weights. */
function stepTogether(
  engine: Model,
  mod: Trainable,
  x: Batch,
  y: Float32Array | Float32Array[],
): void {
  const train = mod.trainOnBatch as (x: Batch, y: Float32Array | Float32Array[]) => number;
  for (let step = 0; step < 3; step++) {
    const want = engine.trainOnBatch(x, y);
    const got = train(x, y);
    expect(close(got, want), `step ${step}: loss ${got} vs ${want}`).toBe(true);
  }
  const want = engine.getWeights();
  mod
    .getWeights()
    .forEach((w, i) =>
      w.forEach((v, j) => expect(close(v, want[i]![j]!), `weight ${i}[${j}]`).toBe(true)),
    );
}

function model(layers: string, compile: string, input: number | string = 4): string {
  return `model m {\n  Input(${input})\n${layers}\n  compile(${compile})\n}\n`;
}

/** A graph model: its statements (named results, merges), then compile. */
function graph(lines: readonly string[], compile: string): string {
  return `model m {\n${lines.map((l) => `  ${l}\n`).join('')}  compile(${compile})\n}\n`;
}

/** Three branches from one Dense (its gradient the sum of three) into a merge layer. */
const branches = (merge: string) =>
  graph(
    [
      'x = Input(4)',
      'h = x -> Dense(5, tanh)',
      `(h -> Dense(3, relu), h -> Dense(3), h -> Dense(3, sigmoid)) -> ${merge} -> Dense(3, softmax)`,
    ],
    'adam, categorical_crossentropy',
  );

const cls = (act = 'relu') => `    -> Dense(6, ${act})\n    -> Dense(3, softmax)`;

/** Targets for a 3-output model: one-hot, class indices or values. */
function targets(
  kind: 'onehot' | 'sparse' | 'values' | 'binary',
  n: number,
  out = 3,
): Float32Array {
  const y = new Float32Array(kind === 'sparse' ? n : n * out);
  for (let r = 0; r < n; r++) {
    if (kind === 'sparse') y[r] = r % out;
    else if (kind === 'onehot') y[r * out + (r % out)] = 1;
    else
      for (let j = 0; j < out; j++)
        y[r * out + j] = kind === 'binary' ? (r + j) % 2 : Math.sin(r + j);
  }
  return y;
}

const cases: {
  name: string;
  source: string;
  y: Parameters<typeof targets>[0];
  features?: number;
  /** Outputs of 3 per sample (a per-step output: one per step); 1 unless given. */
  rowsPer?: number;
  /** Several inputs: the values per sample of each (the batch is one array per input). */
  inputs?: number[];
  /** The vocabulary of a model reading token ids: its inputs are ids below it. */
  vocabulary?: number;
  /** Values per sample of a flat image or sequence input (both take it as one Float32Array). */
  size?: number;
}[] = [
  {
    name: 'sgd',
    source: model(cls(), 'SGD(learning_rate=0.1), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'sgd momentum',
    source: model(
      cls('gelu(approximate=True)'),
      'SGD(learning_rate=0.1, momentum=0.9), categorical_crossentropy',
    ),
    y: 'onehot',
  },
  {
    name: 'sgd nesterov',
    source: model(
      cls('sigmoid'),
      'SGD(learning_rate=0.1, momentum=0.9, nesterov=True), sparse_categorical_crossentropy',
    ),
    y: 'sparse',
  },
  {
    name: 'rmsprop',
    source: model(cls('elu'), 'RMSprop(), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'rmsprop centered',
    source: model(cls('gelu'), 'RMSprop(centered=True), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'rmsprop momentum',
    source: model(cls('selu'), 'RMSprop(momentum=0.5), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'adagrad',
    source: model(cls('softplus'), 'Adagrad(learning_rate=0.1), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'adadelta',
    source: model(cls('silu'), 'Adadelta(learning_rate=1.0), categorical_crossentropy'),
    y: 'onehot',
  },
  { name: 'adam', source: model(cls('leaky_relu'), 'adam, categorical_crossentropy'), y: 'onehot' },
  {
    name: 'adam amsgrad',
    source: model(cls('mish'), 'Adam(amsgrad=True), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'adamw',
    source: model(cls('softsign'), 'AdamW(learning_rate=0.01), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'adamax',
    source: model(cls('relu6'), 'Adamax(learning_rate=0.01), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'nadam',
    source: model(cls('hard_sigmoid'), 'Nadam(learning_rate=0.01), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'clipnorm',
    source: model(cls(), 'SGD(learning_rate=0.5, clipnorm=0.1), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'clipvalue',
    source: model(cls(), 'SGD(learning_rate=0.5, clipvalue=0.01), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'global_clipnorm',
    source: model(cls(), 'Adam(global_clipnorm=0.1), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'schedule',
    source: model(
      cls(),
      'SGD(learning_rate=ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)), categorical_crossentropy',
    ),
    y: 'onehot',
  },
  {
    name: 'weight decay',
    source: model(cls(), 'SGD(learning_rate=0.1, weight_decay=0.1), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'ema',
    source: model(cls(), 'Adam(use_ema=True, ema_overwrite_frequency=2), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'accumulation',
    source: model(cls(), 'Adam(gradient_accumulation_steps=2), categorical_crossentropy'),
    y: 'onehot',
  },
  {
    name: 'constraint + l2',
    source: model(
      "    -> Dense(6, relu, kernel_constraint='non_neg', kernel_regularizer=L2(0.01))\n    -> Dense(3, softmax)",
      'adam, categorical_crossentropy',
    ),
    y: 'onehot',
  },
  {
    name: 'max_norm + min_max_norm + unit_norm',
    source: model(
      '    -> Dense(6, relu, kernel_constraint=MaxNorm(0.5), bias_constraint=UnitNorm(axis=0))\n    -> Dense(3, softmax, kernel_constraint=MinMaxNorm(0.2, 0.6, rate=0.5))',
      'SGD(learning_rate=0.5), categorical_crossentropy',
    ),
    y: 'onehot',
  },
  {
    name: 'activity regularizer',
    source: model(
      '    -> Dense(6, relu, activity_regularizer=L1(0.01))\n    -> Dense(3, softmax)',
      'adam, categorical_crossentropy',
    ),
    y: 'onehot',
  },
  {
    name: 'batchnorm',
    source: model(
      '    -> Dense(6)\n    -> BatchNormalization()\n    -> Activation(relu)\n    -> Dense(3, softmax)',
      'adam, categorical_crossentropy',
    ),
    y: 'onehot',
  },
  {
    name: 'layernorm',
    source: model(
      '    -> Dense(6)\n    -> LayerNormalization()\n    -> Dense(3, sigmoid)',
      'adam, binary_crossentropy',
    ),
    y: 'binary',
  },
  {
    name: 'unitnorm prelu',
    source: model(
      '    -> Dense(6)\n    -> UnitNormalization()\n    -> PReLU()\n    -> Dense(3)',
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'dropout',
    source: model('    -> Dense(6, relu)\n    -> Dropout(0.3)\n    -> Dense(3)', 'adam, mae'),
    y: 'values',
  },
  {
    name: 'huber',
    source: model('    -> Dense(6, tanh)\n    -> Dense(3)', 'adam, huber'),
    y: 'values',
  },
  {
    name: 'softmax activation layer',
    source: model(
      '    -> Dense(6, relu)\n    -> Dense(3)\n    -> Activation(softmax)',
      'adam, mse',
    ),
    y: 'onehot',
  },
  {
    name: 'gaussian noise',
    source: model(
      '    -> GaussianNoise(0.3)\n    -> Dense(6, relu)\n    -> GaussianNoise(0.1)\n    -> Dense(3)',
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'rows: a sequence input',
    source: model(
      '    -> Dense(5, relu)\n    -> LayerNormalization()\n    -> Dense(3)\n    -> Flatten()\n    -> Dense(3, softmax)',
      'adam, categorical_crossentropy',
      '(2, 4)',
    ),
    y: 'onehot',
    features: 8,
  },
  {
    name: 'conv2d and max pooling: same and valid, no bias',
    source: model(
      "    -> Conv2D(3, 3, padding='same', activation=relu)\n    -> MaxPooling2D()\n    -> Conv2D(4, 2, use_bias=False, activation=tanh)\n    -> Flatten()\n    -> Dense(3, softmax)",
      'adam, categorical_crossentropy',
      'shape=(6, 5, 2)',
    ),
    y: 'onehot',
    size: 60,
  },
  {
    name: 'conv2d strides and dilation, average pooling same, regularizers and constraints',
    source: model(
      "    -> Conv2D(2, 3, strides=2, padding='same', kernel_regularizer=L2(0.01), kernel_constraint=MaxNorm(1.0, axis=[0, 1, 2]), bias_constraint=NonNeg())\n    -> AveragePooling2D(2, padding='same')\n    -> Conv2D(3, 2, dilation_rate=2, padding='same', activation=elu, activity_regularizer=L1(0.01))\n    -> Flatten()\n    -> Dense(3)",
      'SGD(learning_rate=0.1, momentum=0.9), mse',
      'shape=(7, 7, 1)',
    ),
    y: 'values',
    size: 49,
  },
  {
    name: 'conv1d causal with dilation, 1-D pooling',
    source: model(
      "    -> Conv1D(4, 3, padding='causal', dilation_rate=2, activation=relu)\n    -> MaxPooling1D(2, padding='same')\n    -> AveragePooling1D(2)\n    -> Conv1D(2, 1)\n    -> Flatten()\n    -> Dense(3, softmax)",
      'adam, sparse_categorical_crossentropy',
      'shape=(8, 3)',
    ),
    y: 'sparse',
    size: 24,
  },
  {
    name: 'grouped, depthwise and separable convolutions',
    source: model(
      "    -> Conv2D(4, 3, padding='same', groups=2, activation=relu)\n    -> DepthwiseConv2D(2, depth_multiplier=2, strides=2, depthwise_regularizer=L2(0.01))\n    -> SeparableConv2D(3, 2, padding='same', activation=tanh, pointwise_constraint=MaxNorm(1.0))\n    -> Reshape((9, 3))\n    -> SeparableConv1D(2, 3, depth_multiplier=2, use_bias=False)\n    -> DepthwiseConv1D(2)\n    -> Flatten()\n    -> Dense(3, softmax)",
      'adam, categorical_crossentropy',
      'shape=(6, 6, 2)',
    ),
    y: 'onehot',
    size: 72,
  },
  {
    name: 'frozen layer, no bias, batchnorm without center and scale',
    source: model(
      '    -> Dense(6, relu, trainable=False)\n    -> Dense(5, use_bias=False)\n    -> BatchNormalization(center=False, scale=False)\n    -> LayerNormalization(center=False, scale=False)\n    -> Dense(3, softmax)',
      'SGD(learning_rate=0.1, momentum=0.9), categorical_crossentropy',
    ),
    y: 'onehot',
  },
  {
    name: 'global pooling: average and max (ties from relu)',
    source: model(
      '    -> Dense(6, relu)\n    -> Reshape((3, 2))\n    -> GlobalMaxPooling1D(keepdims=True)\n    -> Flatten()\n    -> Dense(8)\n    -> Reshape((2, 2, 2))\n    -> GlobalAveragePooling2D()\n    -> Dense(3)',
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'padding, cropping, upsampling and RepeatVector: gradients summed back',
    source: model(
      '    -> Dense(12, tanh)\n    -> Reshape((2, 3, 2))\n    -> ZeroPadding2D(((1, 0), (0, 2)))\n    -> Cropping2D(((0, 1), (1, 0)))\n    -> UpSampling2D((1, 2))\n    -> GlobalAveragePooling2D()\n    -> RepeatVector(3)\n    -> ZeroPadding1D(1)\n    -> Cropping1D((2, 0))\n    -> UpSampling1D(3)\n    -> Flatten()\n    -> Dense(3)',
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'SpatialDropout1D/2D: the module draws the engine’s channel masks',
    source: model(
      '    -> Dense(12, relu)\n    -> Reshape((3, 4))\n    -> SpatialDropout1D(0.5)\n    -> Reshape((2, 3, 2))\n    -> SpatialDropout2D(0.25)\n    -> Flatten()\n    -> Dense(3)',
      'sgd, mse',
    ),
    y: 'values',
  },
  {
    name: 'Permute: gradients scattered back',
    source: model(
      '    -> Dense(6, tanh)\n    -> Reshape((3, 2))\n    -> Permute((2, 1))\n    -> Dense(4)\n    -> Reshape((2, 2, 2))\n    -> Permute((3, 1, 2))\n    -> Flatten()\n    -> Dense(3)',
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'TimeDistributed Dense and LayerNormalization',
    source: model(
      '    -> Dense(6, tanh)\n    -> Reshape((3, 2))\n    -> TimeDistributed(Dense(4, relu))\n    -> TimeDistributed(LayerNormalization())\n    -> TimeDistributed(Dense(2, use_bias=False))\n    -> Flatten()\n    -> Dense(3)',
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'prelu with shared axes',
    source: model(
      '    -> Dense(6)\n    -> Reshape((2, 3))\n    -> PReLU(shared_axes=[1])\n    -> Flatten()\n    -> Dense(3)',
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'graph: two inputs concatenated',
    source: graph(
      [
        "a = Input(shape=(3,), name='a')",
        "b = Input(shape=(2,), name='b')",
        '(a -> Dense(4, relu), b -> Dense(4, elu)) -> Concatenate() -> Dense(3, softmax)',
      ],
      'SGD(learning_rate=0.1, momentum=0.9), categorical_crossentropy',
    ),
    y: 'onehot',
    inputs: [3, 2],
  },
  {
    name: 'graph: residual (a fan-out summed by Add)',
    source: graph(
      ['x = Input(4)', 'h = x -> Dense(4, relu)', '(h, h -> Dense(4)) -> Add() -> Dense(3)'],
      'adam, mse',
    ),
    y: 'values',
  },
  {
    name: 'graph: Subtract',
    source: graph(
      ['x = Input(4)', 'h = x -> Dense(5, tanh)', '(h -> Dense(5), h) -> Subtract() -> Dense(3)'],
      'adam, mse',
    ),
    y: 'values',
  },
  ...['Add', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate'].map((m) => ({
    name: `graph: ${m} of three branches`,
    source: branches(`${m}()`),
    y: 'onehot' as const,
  })),
  {
    name: 'graph: three inputs, Concatenate on the rows axis',
    source: graph(
      [
        "a = Input(shape=(2, 3), name='a')",
        "b = Input(shape=(1, 3), name='b')",
        "c = Input(shape=(4,), name='c')",
        'r = (a -> Dense(3, relu), b) -> Concatenate(axis=1) -> Flatten()',
        '(r, c -> Dense(9)) -> Multiply() -> Dense(3, softmax)',
      ],
      'adam, categorical_crossentropy',
    ),
    y: 'onehot',
    inputs: [6, 3, 4],
  },
  ...[
    ['relu6', 'hard_silu', 'celu', 'hard_shrink', 'soft_shrink'],
    ['hard_tanh', 'log_sigmoid', 'sparse_plus', 'sparse_sigmoid', 'squareplus'],
    [
      'tanh_shrink',
      'threshold(threshold=0.1, default_value=-0.5)',
      'exponential',
      'linear',
      'gelu',
    ],
    ['log_softmax', 'tanh', 'sparsemax', 'softplus', 'softmax'],
    ['step', 'sigmoid', 'selu', 'elu', 'mish'],
  ].map((acts) => ({
    name: `activations ${acts.join(', ')}`,
    source: model(
      acts.map((a) => `    -> Dense(5, ${a})`).join('\n') + '\n    -> Dense(3)',
      'sgd, mse',
    ),
    y: 'values' as const,
  })),
  {
    name: 'relu layers with options',
    source: model(
      '    -> Dense(5)\n    -> ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2)\n    -> Dense(5)\n    -> ReLU(max_value=6.0)\n    -> Dense(5)\n    -> LeakyReLU(negative_slope=0.3)\n    -> Dense(3)',
      'sgd, mse',
    ),
    y: 'values',
  },
  ...[
    'CosineDecay(0.1, decay_steps=2, alpha=0.1)',
    'CosineDecay(0.05, decay_steps=2, warmup_target=0.1, warmup_steps=1)',
    'PolynomialDecay(0.1, decay_steps=2, end_learning_rate=0.01, power=2.0)',
    'PolynomialDecay(0.1, decay_steps=1, cycle=True)',
    'InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5, staircase=True)',
    'PiecewiseConstantDecay(boundaries=[1], values=[0.1, 0.01])',
    'CosineDecayRestarts(0.1, first_decay_steps=1)',
    'CosineDecayRestarts(0.1, first_decay_steps=1, t_mul=2.0, m_mul=0.5)',
  ].map((schedule) => ({
    name: schedule,
    source: model(cls(), `SGD(learning_rate=${schedule}), categorical_crossentropy`),
    y: 'onehot' as const,
  })),
  ...(
    [
      ['mape', 'Dense(3)', 'mean_absolute_percentage_error', 'values'],
      ['msle', 'Dense(3, softplus)', 'mean_squared_logarithmic_error', 'values'],
      ['poisson', 'Dense(3, softplus)', 'poisson', 'values'],
      ['log_cosh', 'Dense(3)', 'log_cosh', 'values'],
      ['kl_divergence', 'Dense(3, softmax)', 'kl_divergence', 'onehot'],
      ['cosine_similarity', 'Dense(3)', 'cosine_similarity', 'values'],
      ['hinge', 'Dense(3, tanh)', 'hinge', 'binary'],
      ['squared_hinge', 'Dense(3, tanh)', 'squared_hinge', 'binary'],
      ['categorical_hinge', 'Dense(3)', 'categorical_hinge', 'onehot'],
      ['bce on probabilities', 'Dense(3, hard_sigmoid)', 'binary_crossentropy', 'binary'],
      ['cce on probabilities', 'Dense(3, softplus)', 'categorical_crossentropy', 'onehot'],
      ['cce from logits', 'Dense(3)', 'CategoricalCrossentropy(from_logits=True)', 'onehot'],
      ['scce from logits', 'Dense(3)', 'SparseCategoricalCrossentropy(from_logits=True)', 'sparse'],
      [
        'bce from logits',
        'Dense(3)',
        'BinaryCrossentropy(from_logits=True, label_smoothing=0.1)',
        'binary',
      ],
      [
        'cce label smoothing',
        'Dense(3, softmax)',
        'CategoricalCrossentropy(label_smoothing=0.1)',
        'onehot',
      ],
      [
        'bce sigmoid label smoothing',
        'Dense(3, sigmoid)',
        'BinaryCrossentropy(label_smoothing=0.2)',
        'binary',
      ],
      [
        'scce ignore_class',
        'Dense(3)',
        'SparseCategoricalCrossentropy(from_logits=True, ignore_class=1)',
        'sparse',
      ],
      ['mse sum', 'Dense(3)', "MeanSquaredError(reduction='sum')", 'values'],
      ['binary focal', 'Dense(3, sigmoid)', 'BinaryFocalCrossentropy(gamma=2.0)', 'binary'],
      [
        'binary focal balanced logits',
        'Dense(3)',
        'BinaryFocalCrossentropy(apply_class_balancing=True, from_logits=True)',
        'binary',
      ],
      ['categorical focal', 'Dense(3, softmax)', 'CategoricalFocalCrossentropy()', 'onehot'],
      [
        'categorical focal logits',
        'Dense(3)',
        'CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1)',
        'onehot',
      ],
    ] as const
  ).map(([name, last, loss, y]) => ({
    name,
    source: model(`    -> Dense(5, elu)\n    -> ${last}`, `adam, ${loss}`),
    y,
  })),
  // --- embedding and recurrent layers ---
  {
    name: 'lstm',
    source: model(
      '    -> LSTM(5, return_sequences=True, go_backwards=True)\n    -> LSTM(4)\n    -> Dense(3, softmax)',
      'adam, categorical_crossentropy',
      'shape=(5, 4)',
    ),
    y: 'onehot',
    features: 20,
  },
  {
    name: 'gru',
    source: model(
      '    -> GRU(5, return_sequences=True)\n    -> GRU(3, go_backwards=True, use_bias=False)',
      'adam, mse',
      'shape=(5, 4)',
    ),
    y: 'values',
    features: 20,
  },
  {
    name: 'gru reset_after=False',
    source: model(
      '    -> GRU(5, reset_after=False, return_sequences=True)\n    -> GRU(3, reset_after=False, go_backwards=True)',
      'adam, mse',
      'shape=(5, 4)',
    ),
    y: 'values',
    features: 20,
  },
  {
    name: 'simple_rnn',
    source: model(
      "    -> SimpleRNN(5, activation='relu', return_sequences=True)\n    -> Flatten()\n    -> Dense(3)",
      'SGD(learning_rate=0.05), mse',
      'shape=(5, 4)',
    ),
    y: 'values',
    features: 20,
  },
  {
    name: 'bidirectional',
    source: model(
      "    -> Bidirectional(LSTM(4))\n    -> RepeatVector(3)\n    -> Bidirectional(GRU(3, reset_after=False, return_sequences=True), merge_mode='sum')\n    -> Bidirectional(SimpleRNN(2, return_sequences=True, go_backwards=True), merge_mode='mul')\n    -> Flatten()\n    -> Dense(3, softmax)",
      'adam, categorical_crossentropy',
      'shape=(5, 4)',
    ),
    y: 'onehot',
    features: 20,
  },
  {
    name: 'return_state and merge_mode=None: LSTM states, a GRU read by its state alone, into the head',
    source: graph(
      [
        'x = Input(shape=(5, 4))',
        'out, h, c = x -> LSTM(4, return_sequences=True, return_state=True)',
        '_seq, s = out -> GRU(3, go_backwards=True, return_state=True, return_sequences=True)',
        '_o, fs, bs = x -> Bidirectional(SimpleRNN(2, return_state=True))',
        'f, b = x -> Bidirectional(GRU(2, go_backwards=True), merge_mode=None)',
        '(h, c, s, fs, bs, f, b) -> Concatenate() -> Dense(3, softmax)',
      ],
      'adam, categorical_crossentropy',
    ),
    y: 'onehot',
    features: 20,
  },
  {
    name: 'embedding',
    source: model(
      '    -> Embedding(9, 4)\n    -> LSTM(3)\n    -> Dense(3, softmax)',
      'adam, sparse_categorical_crossentropy',
    ),
    y: 'sparse',
    vocabulary: 9,
  },
  {
    name: 'recurrent dropout: the module draws the engine’s input masks',
    source: model(
      "    -> Dense(4, tanh)\n    -> LSTM(5, dropout=0.3, return_sequences=True)\n    -> SimpleRNN(4, dropout=0.2, recurrent_dropout=0.4, return_sequences=True)\n    -> Bidirectional(GRU(3, dropout=0.5), merge_mode='sum')\n    -> Dense(3, softmax)",
      'adam, categorical_crossentropy',
      'shape=(5, 4)',
    ),
    y: 'onehot',
    features: 20,
  },
  {
    name: 'recurrent_dropout on LSTM and GRU: state and input masks per gate (implementation 1)',
    source: model(
      "    -> LSTM(5, recurrent_dropout=0.3, return_sequences=True)\n    -> GRU(4, recurrent_dropout=0.4, reset_after=False, return_sequences=True)\n    -> Bidirectional(GRU(3, recurrent_dropout=0.5), merge_mode='sum')\n    -> RepeatVector(4)\n    -> LSTM(3, dropout=0.3, recurrent_dropout=0.2, return_sequences=True)\n    -> GRU(3, dropout=0.4, recurrent_dropout=1.0)\n    -> Dense(3, softmax)",
      'adam, categorical_crossentropy',
      'shape=(5, 4)',
    ),
    y: 'onehot',
    features: 20,
  },
  {
    name: "embedding mask_zero: Keras's mask through the recurrent cells",
    source: model(
      "    -> Embedding(4, 4, mask_zero=True)\n    -> Bidirectional(GRU(3, return_sequences=True), merge_mode='sum')\n    -> LSTM(3, return_sequences=True, go_backwards=True)\n    -> SimpleRNN(3, return_sequences=True)\n    -> GlobalAveragePooling1D()\n    -> Dense(3, softmax)",
      'adam, sparse_categorical_crossentropy',
    ),
    y: 'sparse',
    vocabulary: 4,
  },
  {
    name: "masked loss: softmax + categorical cross-entropy per step over Keras's mask (fused)",
    source: model(
      "    -> Embedding(5, 4, mask_zero=True)\n    -> LSTM(3, return_sequences=True)\n    -> TimeDistributed(Dense(3, activation='softmax'))",
      'adam, categorical_crossentropy',
    ),
    y: 'onehot',
    rowsPer: 4,
    vocabulary: 5,
  },
  {
    name: "masked loss: sigmoid + binary cross-entropy per step over Keras's mask (fused)",
    source: model(
      '    -> Embedding(4, 3, mask_zero=True)\n    -> SimpleRNN(3, return_sequences=True)\n    -> Dense(3, sigmoid)',
      'adam, binary_crossentropy',
    ),
    y: 'binary',
    rowsPer: 4,
    vocabulary: 4,
  },
  {
    name: "masked loss: mean squared error per step over Keras's mask",
    source: model(
      '    -> Embedding(4, 3, mask_zero=True)\n    -> GRU(3, return_sequences=True)\n    -> Dense(3)',
      "SGD(learning_rate=0.1), MeanSquaredError(reduction='sum')",
    ),
    y: 'values',
    rowsPer: 4,
    vocabulary: 4,
  },
];

describe('emitted training', () => {
  for (const c of cases) {
    it(`matches the engine: ${c.name}`, async () => {
      const { model: engine, code } = emit(c.source, 7);
      codes.set(c.name, code);
      const mod = await load(code);
      // Several inputs: one array per input, for the engine and the module alike.
      const floats = batch(8, c.features ?? c.size ?? 4, 11);
      const vocabulary = c.vocabulary;
      const x = c.inputs
        ? c.inputs.map((f, k) => batch(8, f, 11 + k))
        : vocabulary
          ? floats.map((v) => Math.floor((v + 2) * 100) % vocabulary)
          : floats;
      const y = targets(c.y, 8 * (c.rowsPer ?? 1));
      for (let step = 0; step < 3; step++) {
        // A sequence input: the engine reads samples of rows, the module flat samples.
        const rows = c.features ? nested(x as Float32Array, c.features, 4) : x;
        const want = engine.trainOnBatch(rows, y);
        const got = mod.trainOnBatch(x, y);
        expect(close(got, want), `step ${step}: loss ${got} vs ${want}`).toBe(true);
      }
      const want = engine.getWeights();
      const got = mod.getWeights();
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => {
        expect(got[i]!.length).toBe(w.length);
        w.forEach((v, j) =>
          expect(close(got[i]![j]!, v), `weight ${i}[${j}] ${got[i]![j]} vs ${v}`).toBe(true),
        );
      });
      const p1 = engine.predict(c.features ? nested(x as Float32Array, c.features, 4) : x);
      const p2 = mod.predict(x);
      p1.forEach((v, j) => expect(close(p2[j]!, v)).toBe(true));
    });
  }

  for (const [name, compile] of [
    ['nadam', 'Nadam(learning_rate=0.01), categorical_crossentropy'],
    [
      'adam ema accumulation',
      'Adam(use_ema=True, gradient_accumulation_steps=2), categorical_crossentropy',
    ],
    [
      'sgd schedule',
      'SGD(learning_rate=ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5), momentum=0.5), categorical_crossentropy',
    ],
  ] as const) {
    it(`continues the engine's optimizer, noise and weights after training: ${name}`, async () => {
      const source = model(
        '    -> Dense(6, relu)\n    -> Dropout(0.25)\n    -> BatchNormalization()\n    -> Dense(3, softmax)',
        compile,
      );
      const engine = loadModel(source, { seed: 5 });
      const x0 = batch(8, 4, 99);
      const y = targets('onehot', 8);
      for (let i = 0; i < 3; i++) engine.trainOnBatch(x0, y);
      const out = emitModule(engine, { training: true });
      expect(out.diagnostics).toEqual([]);
      expect(await prettier.format(out.code, { parser: 'typescript' })).toBe(out.code);
      const mod = await load(out.code);
      stepTogether(engine, mod, batch(8, 4, 12), y);
    });
  }

  it('matches the engine past a K block (256) in both transposed products, batch sizes changing', async () => {
    const source = model(
      '    -> Dense(8, tanh)\n    -> Dense(300, relu)\n    -> Dense(3, softmax)',
      'adam, categorical_crossentropy',
    );
    const engine = loadModel(source, { seed: 2 });
    const mod = await load(emitModule(engine, { training: true }).code);
    // Batches of changing sizes: the arena grows, then smaller batches run in it.
    for (const rows of [5, 300, 7]) {
      const x = batch(rows, 4, rows);
      const y = targets('onehot', rows);
      const want = engine.trainOnBatch(x, y);
      expect(close(mod.trainOnBatch(x, y), want)).toBe(true);
    }
    const want = engine.getWeights();
    mod
      .getWeights()
      .forEach((w, i) => w.forEach((v, j) => expect(close(v, want[i]![j]!)).toBe(true)));
  });

  it('trains the same with --target js', async () => {
    const source = model(
      '    -> Dense(6, relu)\n    -> Dropout(0.2)\n    -> Dense(3, softmax)',
      'adam, sparse_categorical_crossentropy',
    );
    const engine = loadModel(source, { seed: 9 });
    const out = emitModule(engine, { training: true, target: 'js' });
    expect(out.declarations).toContain('trainOnBatch(x: Input, y: Input): number;');
    const file = join(dir, `js${counter++}.generated.mjs`);
    writeFileSync(file, out.code);
    const mod = (await import(pathToFileURL(file).href)) as Trainable;
    const x = batch(8, 4, 3);
    const y = targets('sparse', 8);
    for (let step = 0; step < 3; step++) {
      const want = engine.trainOnBatch(x, y);
      expect(close(mod.trainOnBatch(x, y), want)).toBe(true);
    }
    const want = engine.getWeights();
    mod
      .getWeights()
      .forEach((w, i) => w.forEach((v, j) => expect(close(v, want[i]![j]!)).toBe(true)));
  });

  for (const [name, compile] of [
    [
      'a loss per output, weighted',
      "adam, loss=['categorical_crossentropy', 'binary_crossentropy'], loss_weights=[1, 0.5]",
    ],
    ['one loss for both, sparse', "SGD(learning_rate=0.1), loss='sparse_categorical_crossentropy'"],
  ] as const) {
    it(`several outputs: trainOnBatch takes one target array per output (${name})`, async () => {
      const sparse = name.includes('sparse');
      const source = graph(
        [
          "a = Input(shape=(3,), name='a')",
          "b = Input(shape=(2,), name='b')",
          'h = (a, b -> Dense(3)) -> Concatenate() -> Dense(6, relu)',
          'h -> Dense(3, softmax)',
          `h -> Dense(${sparse ? '2, softmax' : '1, sigmoid'})`,
        ],
        compile,
      );
      const engine = loadModel(source, { seed: 4 });
      const out = emitModule(engine, { training: true });
      expect(out.diagnostics).toEqual([]);
      expect(await prettier.format(out.code, { parser: 'typescript' })).toBe(out.code);
      codes.set(`several outputs ${name}`, out.code);
      const mod = await load(out.code);
      const x = [batch(8, 3, 21), batch(8, 2, 22)];
      const y = sparse
        ? [targets('sparse', 8), targets('sparse', 8, 2)]
        : [targets('onehot', 8), targets('binary', 8, 1)];
      stepTogether(engine, mod, x, y);
      const train = mod.trainOnBatch as unknown as (x: Batch, y: Float32Array[]) => number;
      expect(() => train(x, [y[0]!])).toThrow(/y holds 1 arrays: give one per output/);
      // The first output's targets given for the second: a size or class index it cannot take.
      expect(() => train(x, [y[0]!, y[0]!])).toThrow(/^y\[1\]/);
    });
  }

  it('type-checks strictly', async () => {
    // Every case's module in one program: unused helpers or locals in any of them show up.
    const files = cases.map((c, i) => {
      const code = codes.get(c.name) ?? emit(c.source, 7).code;
      const file = join(dir, `check${i}.ts`);
      writeFileSync(file, code);
      return file;
    });
    // The modules of models with several outputs, emitted by their tests above.
    for (const [name, code] of codes) {
      if (!name.startsWith('several outputs')) continue;
      files.push(join(dir, `check${files.length}.ts`));
      writeFileSync(files.at(-1)!, code);
    }
    const program = ts.createProgram(files, {
      strict: true,
      noUncheckedIndexedAccess: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noEmit: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file?.fileName}:${d.start}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(diagnostics).toEqual([]);
    // One program of every case's module: the TypeScript compiler takes its time on a loaded machine.
  }, 180_000);

  it('is formatted as Prettier formats it, for every case', async () => {
    for (const c of cases) {
      const code = codes.get(c.name) ?? emit(c.source, 3).code;
      const formatted = await prettier.format(code, { parser: 'typescript' });
      if (formatted !== code) {
        const [a, b] = [code.split('\n'), formatted.split('\n')];
        const at = a.findIndex((line, i) => line !== b[i]);
        expect(`${c.name}: ${a[at]}`).toBe(`${c.name}: ${b[at]}`);
      }
    }
  }, 180_000);

  it('rejects bad targets with a clear error', async () => {
    const { code } = emit(cases[2]!.source, 1);
    const mod = await load(code);
    expect(() => mod.trainOnBatch(batch(2, 4, 1), Float32Array.of(0, 5))).toThrow(/class index/);
    expect(() => mod.trainOnBatch(batch(2, 4, 1), Float32Array.of(0))).toThrow(/y has 1/);
  });
});
