/**
 * The tf.sequential model equivalent to a case's .nn model: TF.js's own layers where they
 * compute what Keras 3 computes (Keras 3's defaults passed explicitly), and weightless
 * function layers for activations and layers TF.js lacks or computes differently. A Dense
 * layer whose activation is not a TF.js identifier becomes a linear Dense followed by that
 * activation: the same function, so the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { FunctionLayer, tfjsActivation } from './tfjs-activations.js';
import { reshapingLayers } from './tfjs-reshaping.js';
import { maskedStep, maskOf, MaskedAveragePooling1D, ZeroMaskedSteps } from './tfjs-masking.js';
import { depthwiseLayers } from './tfjs-depthwise.js';
import {
  asCall,
  boolArg,
  isTuple,
  numArg,
  tupleItems,
  type Arg,
  type ConformanceCase,
  type KerasCall,
} from './spec.js';

/** The built model, the Keras 3 formulas it had to use, and its weight constraints. */
export interface TfjsModel {
  model: tf.Sequential;
  /** Why each formula layer is there (empty: TF.js's layers throughout). */
  formulas: string[];
  /** Constraint per TF.js variable name (TF.js training ignores them; the optimizer applies them). */
  constraints: Map<string, (w: tf.Tensor) => tf.Tensor>;
}

/** The l1 and l2 factors of a Keras 3 regularizer call (L1/L2 default 0.01; L1L2 0 and 0). */
function factors(c: KerasCall): { l1: number; l2: number } {
  const pos = first(c);
  switch (c.call) {
    case 'L1':
    case 'l1':
      return { l1: pos ?? numArg(c, 'l1', 0.01), l2: 0 };
    case 'L2':
    case 'l2':
      return { l1: 0, l2: pos ?? numArg(c, 'l2', 0.01) };
    case 'L1L2':
    case 'l1l2':
    case 'l1_l2':
      return { l1: numArg(c, 'l1', 0), l2: numArg(c, 'l2', 0) };
    default:
      throw new Error(`no TF.js regularizer for '${c.call}'`);
  }
}

/** Keras 3 regularizer calls → TF.js's L1L2 (same penalty: l1·Σ|w| + l2·Σw², no ½). */
function regularizer(a: Arg | undefined): ReturnType<typeof tf.regularizers.l1l2> | undefined {
  const c = asCall(a);
  return c ? tf.regularizers.l1l2(factors(c)) : undefined;
}

/** Keras 3 constraint calls → TF.js constraints (same formulas, eps 1e-7). */
function constraint(a: Arg | undefined): ReturnType<typeof tf.constraints.maxNorm> | null {
  const c = asCall(a);
  if (!c) return null;
  switch (c.call) {
    case 'MaxNorm':
    case 'max_norm':
      return tf.constraints.maxNorm({
        maxValue: numArg(c, 'max_value', 2),
        axis: numArg(c, 'axis', 0),
      });
    case 'NonNeg':
    case 'non_neg':
      return tf.constraints.nonNeg();
    case 'UnitNorm':
    case 'unit_norm':
      return tf.constraints.unitNorm({ axis: numArg(c, 'axis', 0) });
    case 'MinMaxNorm':
    case 'min_max_norm':
      return tf.constraints.minMaxNorm({
        minValue: numArg(c, 'min_value', 0),
        maxValue: numArg(c, 'max_value', 1),
        rate: numArg(c, 'rate', 1),
        axis: numArg(c, 'axis', 0),
      });
    default:
      throw new Error(`no TF.js constraint for '${c.call}'`);
  }
}

/**
 * Keras 3's activity regularization, which TF.js does not implement: an identity layer that
 * adds regularizer(output) / batch_size to the model's losses (Keras 3 layer.py).
 */
class ActivityPenalty extends tf.layers.Layer {
  static readonly className = 'ConformanceActivityPenalty';
  private last: tf.Tensor | null = null;

  constructor(reg: KerasCall) {
    super({});
    const { l1, l2 } = factors(reg);
    this.addLoss(() =>
      tf.tidy(() => {
        const y = this.last!;
        const penalty = tf.add(tf.mul(l1, tf.sum(tf.abs(y))), tf.mul(l2, tf.sum(tf.square(y))));
        return tf.div(penalty, y.shape[0]!) as tf.Scalar;
      }),
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    // A second copy for the penalty, kept past the forward pass: tfjs-layers disposes the
    // layer's output once consumed, and evaluate() asks for the losses after it returns.
    this.last?.dispose();
    this.last = tf.keep(tf.clone(x));
    return tf.clone(x);
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }
}

function first(c: KerasCall): number | undefined {
  const v = c.positional?.[0];
  return typeof v === 'number' ? v : undefined;
}

/** The activation layer(s) for a Keras activation argument, recording any formula used. */
function activationLayers(a: Arg | undefined, formulas: string[]): tf.layers.Layer[] {
  const c = asCall(a);
  if (!c) return [];
  const act = tfjsActivation(c);
  if (act.kind === 'identifier') return [tf.layers.activation({ activation: act.id as 'relu' })];
  if (act.kind === 'formula') formulas.push(act.why);
  return [new FunctionLayer(act.fn)];
}

/**
 * TF.js layers for one Keras layer call; `pending` collects each Dense layer's kernel and bias
 * constraint arguments.
 */
export function layersFor(
  l: KerasCall,
  formulas: string[],
  pending: Map<tf.layers.Layer, (Arg | undefined)[]>,
  shape: () => tf.Shape = () => [null, 1, 1],
  /** Keras's mask from Embedding(mask_zero=True) reaches the layer. */
  masked = false,
): tf.layers.Layer[] {
  const a = l.args ?? {};
  const grouped = depthwiseLayers(l, formulas);
  if (grouped) return grouped;
  switch (l.call) {
    case 'Dense': {
      const act = asCall(a['activation']);
      const direct = act ? tfjsActivation(act) : null;
      const dense = tf.layers.dense({
        units: l.positional?.[0] as number,
        useBias: boolArg(l, 'use_bias', true),
        activation: direct?.kind === 'identifier' ? (direct.id as 'relu') : 'linear',
        kernelRegularizer: regularizer(a['kernel_regularizer']),
        biasRegularizer: regularizer(a['bias_regularizer']),
      });
      pending.set(dense, [a['kernel_constraint'], a['bias_constraint']]);
      const out: tf.layers.Layer[] = [dense];
      if (direct && direct.kind !== 'identifier') out.push(...activationLayers(act!, formulas));
      const activity = asCall(a['activity_regularizer']);
      if (activity) {
        formulas.push(
          'activity regularization (absent from TF.js): Keras 3’s regularizer(output)/batch_size',
        );
        out.push(new ActivityPenalty(activity));
      }
      return out;
    }
    case 'Activation':
      return activationLayers(l.positional?.[0] ?? a['activation'], formulas);
    case 'BatchNormalization':
      return [
        tf.layers.batchNormalization({
          axis: -1,
          momentum: numArg(l, 'momentum', 0.99),
          epsilon: numArg(l, 'epsilon', 1e-3),
        }),
      ];
    case 'LayerNormalization':
      return [tf.layers.layerNormalization({ axis: -1, epsilon: numArg(l, 'epsilon', 1e-3) })];
    case 'Dropout':
      return [tf.layers.dropout({ rate: l.positional?.[0] as number })];
    case 'GaussianNoise':
      return [tf.layers.gaussianNoise({ stddev: l.positional?.[0] as number })];
    case 'PReLU':
      return [tf.layers.prelu({ alphaInitializer: 'zeros' })];
    case 'LeakyReLU':
      return [
        tf.layers.leakyReLU({
          alpha: (l.positional?.[0] as number | undefined) ?? numArg(l, 'negative_slope', 0.3),
        }),
      ];
    case 'ELU':
      return numArg(l, 'alpha', 1) === 1
        ? [tf.layers.elu()]
        : activationLayers(callOf('elu', l.args), formulas);
    case 'ReLU':
      return Object.keys(a).every((key) => key === 'max_value')
        ? [tf.layers.reLU(typeof a['max_value'] === 'number' ? { maxValue: a['max_value'] } : {})]
        : activationLayers(callOf('relu', l.args), formulas);
    case 'Softmax':
      // TF.js's Softmax layer defaults to axis 1; Keras 3's to −1 (given explicitly here).
      return [tf.layers.softmax({ axis: numArg(l, 'axis', -1) })];
    case 'UnitNormalization':
      formulas.push('UnitNormalization, absent from TF.js: x·rsqrt(max(Σx², 1e-24))');
      return [
        new FunctionLayer((x) =>
          tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-24))),
        ),
      ];
    // --- sequence layers ---
    case 'Reshape':
      return [tf.layers.reshape({ targetShape: tupleItems(l.positional?.[0]) })];
    case 'Flatten':
      return [tf.layers.flatten()];
    case 'Embedding':
      return [
        tf.layers.embedding({
          inputDim: l.positional?.[0] as number,
          outputDim: l.positional?.[1] as number,
          maskZero: a['mask_zero'] === true,
        }),
      ];
    case 'LSTM':
    case 'SimpleRNN':
      return [tfjsRnn(l)];
    case 'GRU':
      if (a['reset_after'] === false) return [tfjsRnn(l)];
      formulas.push(
        'GRU: TF.js has no reset_after=True (Keras 3’s default), so Keras 3’s GRUCell formula',
      );
      return [new Keras3Gru(l)];
    case 'Bidirectional': {
      // The cases wrap LSTM, SimpleRNN or GRU(reset_after=False): TF.js's own recurrent layers.
      const inner = l.positional?.[0] as KerasCall;
      // merge_mode=None (the bare name None in a case): the two directions' outputs as a list.
      // TF.js takes null (its typings say otherwise) and reads undefined as 'concat'.
      const mergeMode =
        asCall(a['merge_mode'])?.call === 'None'
          ? (null as unknown as 'concat')
          : ((a['merge_mode'] as 'concat' | undefined) ?? 'concat');
      const layer = tf.layers.bidirectional({ layer: tfjsRnn(inner), mergeMode });
      if (!masked || inner.args?.['return_sequences'] !== true) return [layer];
      formulas.push(
        'Bidirectional with a mask: Keras 3 zeroes masked steps of the returned sequences (zero_output_for_mask), TF.js keeps the state there',
      );
      return [layer, new ZeroMaskedSteps(inner.args?.['go_backwards'] === true)];
    }
    case 'GlobalAveragePooling1D':
      if (!masked) return reshapingLayers(l, shape, formulas)!;
      formulas.push(
        'GlobalAveragePooling1D with a mask: Keras 3’s mean of the unmasked steps (TF.js ignores the mask)',
      );
      return [new MaskedAveragePooling1D()];
    // --- end of the sequence layers ---
    case 'Conv1D':
    case 'Conv2D':
      return convLayers(l, formulas);
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling1D':
    case 'AveragePooling2D':
      return [poolLayer(l, formulas)];
    default: {
      const reshaping = reshapingLayers(l, shape, formulas);
      if (reshaping) return reshaping;
      throw new Error(`no TF.js counterpart for the layer '${l.call}'`);
    }
  }
}

/**
 * TF.js's LSTM, SimpleRNN or GRU(reset_after=False) with Keras 3's defaults: TF.js's LSTM and
 * GRU gates default to hard_sigmoid, Keras 3's to sigmoid (given explicitly).
 */
function tfjsRnn(l: KerasCall): tf.RNN {
  const a = l.args ?? {};
  const options = {
    units: l.positional?.[0] as number,
    activation: (a['activation'] as 'tanh' | undefined) ?? 'tanh',
    useBias: boolArg(l, 'use_bias', true),
    returnSequences: boolArg(l, 'return_sequences', false),
    returnState: boolArg(l, 'return_state', false),
    goBackwards: boolArg(l, 'go_backwards', false),
  };
  const recurrentActivation = (a['recurrent_activation'] as 'sigmoid' | undefined) ?? 'sigmoid';
  if (l.call === 'LSTM') return tf.layers.lstm({ ...options, recurrentActivation });
  if (l.call === 'GRU') {
    if (a['reset_after'] !== false) throw new Error('no TF.js GRU with reset_after=True');
    return tf.layers.gru({ ...options, recurrentActivation });
  }
  return tf.layers.simpleRNN(options);
}

/**
 * Keras 3's GRU with reset_after=True (keras/src/layers/rnn/gru.py), which TF.js lacks:
 * bias (2, 3u) of input and recurrent biases; z, r = σ(x·W + b_in + h·U + b_rec) per block,
 * h̃ = tanh(x_h + r·(h·U_h + b_rec,h)), h′ = z·h + (1 − z)·h̃. TF.js's autodiff trains it.
 */
class Keras3Gru extends tf.layers.Layer {
  static readonly className = 'ConformanceKeras3Gru';
  private readonly units: number;
  private readonly useBias: boolean;
  private readonly returnSequences: boolean;
  private readonly returnState: boolean;
  private readonly goBackwards: boolean;
  private kernel: tf.LayerVariable | null = null;
  private recurrentKernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(l: KerasCall) {
    super({});
    this.units = l.positional?.[0] as number;
    this.useBias = boolArg(l, 'use_bias', true);
    this.returnSequences = boolArg(l, 'return_sequences', false);
    this.returnState = boolArg(l, 'return_state', false);
    this.goBackwards = boolArg(l, 'go_backwards', false);
    // Keras's compute_mask: the mask goes on with the sequence, not with the last state.
    this.supportsMasking = this.returnSequences;
  }

  override build(shape: tf.Shape | tf.Shape[]): void {
    const features = (shape as tf.Shape)[2] as number;
    const zeros = tf.initializers.zeros();
    const u3 = 3 * this.units;
    this.kernel = this.addWeight('kernel', [features, u3], 'float32', zeros);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, u3], 'float32', zeros);
    if (this.useBias) this.bias = this.addWeight('bias', [2, u3], 'float32', zeros);
    this.built = true;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: Record<string, unknown>,
  ): tf.Tensor | tf.Tensor[] {
    const mask = maskOf(kwargs);
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [n, T, features] = x.shape;
      const U = this.units;
      const kernel = this.kernel!.read() as tf.Tensor2D;
      const recurrent = this.recurrentKernel!.read() as tf.Tensor2D;
      const bias = this.bias ? (this.bias.read() as tf.Tensor2D) : null;
      let h: tf.Tensor2D = tf.zeros([n, U]);
      const outputs: tf.Tensor2D[] = [];
      for (let s = 0; s < T; s++) {
        const t = this.goBackwards ? T - 1 - s : s;
        const xt = tf.reshape(tf.slice(x, [0, t, 0], [n, 1, features]), [n, features]);
        let mx: tf.Tensor2D = tf.matMul(xt as tf.Tensor2D, kernel);
        let mh: tf.Tensor2D = tf.matMul(h, recurrent);
        if (bias) {
          mx = tf.add(mx, tf.slice(bias, [0, 0], [1, 3 * U]));
          mh = tf.add(mh, tf.slice(bias, [1, 0], [1, 3 * U]));
        }
        const [xz, xr, xh] = tf.split(mx, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [hz, hr, hh] = tf.split(mh, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const z = tf.sigmoid(tf.add(xz, hz));
        const r = tf.sigmoid(tf.add(xr, hr));
        const candidate = tf.tanh(tf.add(xh, tf.mul(r, hh)));
        h = maskedStep(tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate)), h, mask, t);
        outputs.push(h);
      }
      const output = this.returnSequences ? tf.stack(outputs, 1) : h;
      // return_state: Keras's [output, final state].
      return this.returnState ? [output, h] : output;
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = shape as tf.Shape;
    const output = this.returnSequences ? [s[0]!, s[1]!, this.units] : [s[0]!, this.units];
    return this.returnState ? [output, [s[0]!, this.units]] : output;
  }
}

/** A window argument (an int or a tuple) as a list of ints; `fallback` when absent. */
function ints(a: Arg | undefined, fallback: number): number[] {
  if (a === undefined) return [fallback];
  if (typeof a === 'number') return [a];
  if (isTuple(a)) return a.flat();
  throw new Error(`expected an int or a tuple, found ${String(a)}`);
}

/** A window argument for a 1-D layer (one int) or a 2-D one (an int per axis). */
function windowArg(l: KerasCall, a: Arg | undefined, fallback: number): number | [number, number] {
  const v = ints(a, fallback);
  return l.call.endsWith('1D') ? v[0]! : [v[0]!, v[1] ?? v[0]!];
}

/** TF.js's Conv1D/Conv2D (kernel (k…, in, filters) as Keras's), with the activation as Dense's. */
function convLayers(l: KerasCall, formulas: string[]): tf.layers.Layer[] {
  const a = l.args ?? {};
  const act = asCall(a['activation']);
  const direct = act ? tfjsActivation(act) : null;
  const config = {
    filters: l.positional?.[0] as number,
    kernelSize: windowArg(l, l.positional?.[1] ?? a['kernel_size'], 1),
    strides: windowArg(l, a['strides'], 1),
    padding: ((a['padding'] as string | undefined) ?? 'valid') as 'valid' | 'same' | 'causal',
    dilationRate: windowArg(l, a['dilation_rate'], 1),
    useBias: boolArg(l, 'use_bias', true),
    activation: (direct?.kind === 'identifier' ? direct.id : 'linear') as 'relu',
  };
  const before: tf.layers.Layer[] = [];
  if (config.padding === 'causal') {
    // TF.js's conv1d has no causal padding: Keras 3's is d·(k−1) zeros before, then 'valid'.
    formulas.push("Conv1D padding='causal' (absent from TF.js): d·(k−1) zeros before the steps");
    const pad = (config.dilationRate as number) * ((config.kernelSize as number) - 1);
    before.push(
      new ShapedFunctionLayer(
        (x) =>
          tf.pad(x, [
            [0, 0],
            [pad, 0],
            [0, 0],
          ]),
        (shape) => [shape[0]!, shape[1] === null ? null : shape[1]! + pad, shape[2]!],
      ),
    );
    config.padding = 'valid';
  }
  const conv = l.call === 'Conv1D' ? tf.layers.conv1d(config) : tf.layers.conv2d(config);
  const after = direct && direct.kind !== 'identifier' ? activationLayers(act!, formulas) : [];
  return [...before, conv, ...after];
}

/** TF.js's pooling layers; Keras's strides=None is the pool size, as TF.js's default. */
function poolLayer(l: KerasCall, formulas: string[]): tf.layers.Layer {
  const a = l.args ?? {};
  const fallback = l.call.startsWith('Max') ? 2 : 1;
  const poolSize = windowArg(l, l.positional?.[0] ?? a['pool_size'], fallback);
  const config = {
    poolSize,
    strides: a['strides'] === undefined ? poolSize : windowArg(l, a['strides'], 1),
    padding: ((a['padding'] as string | undefined) ?? 'valid') as 'valid' | 'same',
  };
  if (l.call.startsWith('Average') && config.padding === 'same') {
    formulas.push(
      "AveragePooling 'same': TF.js's gradient divides by the whole window, its forward (and Keras 3) by the cells inside the input",
    );
    return averagePoolingSame(l.call.endsWith('1D'), poolSize, config.strides);
  }
  switch (l.call) {
    case 'MaxPooling1D':
      return tf.layers.maxPooling1d(config as Parameters<typeof tf.layers.maxPooling1d>[0]);
    case 'MaxPooling2D':
      return tf.layers.maxPooling2d(config);
    case 'AveragePooling1D':
      return tf.layers.averagePooling1d(config as Parameters<typeof tf.layers.averagePooling1d>[0]);
    default:
      return tf.layers.averagePooling2d(config);
  }
}

/** A weightless layer like FunctionLayer whose output shape is `shape` of the input's. */
class ShapedFunctionLayer extends FunctionLayer {
  private readonly shape: (s: (number | null)[]) => (number | null)[];

  constructor(fn: (x: tf.Tensor) => tf.Tensor, shape: (s: (number | null)[]) => (number | null)[]) {
    super(fn);
    this.shape = shape;
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return this.shape(shape as (number | null)[]);
  }
}

/**
 * Keras 3's 'same' average pooling with its true gradient: the zero-padded input pooled 'valid'
 * (a sum over the window / its size), rescaled by the window's share of cells inside the input.
 */
function averagePoolingSame(
  oneD: boolean,
  poolSize: number | [number, number],
  strides: number | [number, number],
): tf.layers.Layer {
  const [kh, kw] = oneD ? [1, poolSize as number] : (poolSize as [number, number]);
  const [sh, sw] = oneD ? [1, strides as number] : (strides as [number, number]);
  const padding = (n: number, k: number, s: number): [number, number] => {
    const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const pool = (x: tf.Tensor4D): tf.Tensor4D => {
    const [, h, w] = x.shape;
    const pads: [number, number][] = [[0, 0], padding(h, kh, sh), padding(w, kw, sw), [0, 0]];
    const valid = (t: tf.Tensor4D) => tf.avgPool(tf.pad(t, pads), [kh, kw], [sh, sw], 'valid');
    return tf.div(valid(x), valid(tf.onesLike(x)));
  };
  const out = (n: number | null, s: number) => (n === null ? null : Math.ceil(n / s));
  return oneD
    ? new ShapedFunctionLayer(
        (x) => tf.squeeze(pool(tf.expandDims(x, 1) as tf.Tensor4D), [1]),
        (s) => [s[0]!, out(s[1]!, sw), s[2]!],
      )
    : new ShapedFunctionLayer(
        (x) => pool(x as tf.Tensor4D),
        (s) => [s[0]!, out(s[1]!, sh), out(s[2]!, sw), s[3]!],
      );
}

/** An activation call carrying a layer's keyword arguments (ELU's alpha, ReLU's options). */
function callOf(call: string, args: Record<string, Arg> | undefined): KerasCall {
  return { call, args: args ?? {} };
}

/** The Keras 3 formulas the case's TF.js model needs, without building it (for test names). */
export function layerFormulas(c: ConformanceCase): string[] {
  const formulas: string[] = [];
  const masked = maskedCase(c);
  for (const l of c.layers) layersFor(l, formulas, new Map(), undefined, masked);
  return [...new Set(formulas)];
}

/** Whether the case starts from Embedding(mask_zero=True): its mask reaches the layers after it. */
function maskedCase(c: ConformanceCase): boolean {
  return c.layers.some((l) => l.call === 'Embedding' && l.args?.['mask_zero'] === true);
}

/** Whether any layer of the case has a weight constraint. */
export function hasConstraints(c: ConformanceCase): boolean {
  return c.layers.some(
    (l) => l.args?.['kernel_constraint'] !== undefined || l.args?.['bias_constraint'] !== undefined,
  );
}

/** Builds the TF.js model of a case (not compiled; weights are still TF.js's initial ones). */
export function buildTfjsModel(c: ConformanceCase): TfjsModel {
  const formulas: string[] = [];
  const pending = new Map<tf.layers.Layer, (Arg | undefined)[]>();
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: [c.inputs] }));
  const shape = () => model.outputs[0]!.shape;
  const masked = maskedCase(c);
  for (const l of c.layers)
    for (const layer of layersFor(l, formulas, pending, shape, masked)) model.add(layer);
  const constraints = new Map<string, (w: tf.Tensor) => tf.Tensor>();
  for (const [layer, [kernel, bias]] of pending) {
    [kernel, bias].forEach((arg, i) => {
      const fn = constraint(arg);
      const variable = layer.trainableWeights[i];
      if (fn && variable) constraints.set(variable.name, (w) => fn.apply(w));
    });
  }
  return { model, formulas: [...new Set(formulas)], constraints };
}

/** Sets TF.js's weights from our getWeights() order, checking every shape on the way. */
export function setTfjsWeights(
  model: tf.LayersModel,
  weights: readonly Float32Array[],
  shapes: readonly number[][],
): void {
  let next = 0;
  for (const layer of model.layers) {
    const count = layer.weights.length;
    if (count === 0) continue;
    const tensors = layer.weights.map((w, j) => {
      const shape = shapes[next + j];
      if (!shape || JSON.stringify(shape) !== JSON.stringify(w.shape)) {
        throw new Error(
          `weight ${next + j} (${w.name}): TF.js shape ${JSON.stringify(w.shape)}, ours ${JSON.stringify(shape)}`,
        );
      }
      return tf.tensor(weights[next + j]!, shape);
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
    next += count;
  }
  if (next !== weights.length) throw new Error(`TF.js has ${next} weights, ours ${weights.length}`);
}

/** TF.js's weights in Keras order (per layer: kernel, bias, gamma, beta, moving stats, alpha). */
export function tfjsWeights(model: tf.LayersModel): Float32Array[] {
  return model.layers.flatMap((layer) =>
    layer.weights.map((w) => Float32Array.from(w.read().dataSync())),
  );
}
