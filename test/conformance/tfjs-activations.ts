/**
 * Keras 3 activations on the TF.js side. Three ways, in order of preference: a tfjs-layers
 * activation identifier with the same formula; a TF.js op with the same formula; or, where
 * TF.js has no such activation or departs from Keras 3 (§0 of the Keras reference), Keras 3's
 * formula written here with TF.js ops (TF.js's autodiff then gives the gradient).
 */
import * as tf from '@tensorflow/tfjs';
import { boolArg, numArg, type KerasCall } from './spec.js';

/** How a Keras activation is realized in TF.js. */
export type TfjsActivation =
  | { kind: 'identifier'; id: string }
  | { kind: 'op'; fn: (x: tf.Tensor) => tf.Tensor }
  | { kind: 'formula'; why: string; fn: (x: tf.Tensor) => tf.Tensor };

type Factory = (c: KerasCall) => TfjsActivation;

const id =
  (name: string): Factory =>
  () => ({ kind: 'identifier', id: name });
const op =
  (fn: (x: tf.Tensor, c: KerasCall) => tf.Tensor): Factory =>
  (c) => ({ kind: 'op', fn: (x) => fn(x, c) });
const formula =
  (why: string, fn: (x: tf.Tensor, c: KerasCall) => tf.Tensor): Factory =>
  (c) => ({ kind: 'formula', why, fn: (x) => fn(x, c) });

/**
 * A 0/1 mask of `x` where `test` holds, as a constant: TF.js has no gradients for comparisons,
 * and the branches of a piecewise formula carry the gradient, as in Keras.
 */
function mask(x: tf.Tensor, test: (v: number) => boolean): tf.Tensor {
  return tf.tensor(
    Float32Array.from(x.dataSync(), (v) => (test(v) ? 1 : 0)),
    x.shape,
  );
}

/** Keras 3 relu with its keyword arguments (activations.py ReLU.static_call). */
function kerasRelu(x: tf.Tensor, c: KerasCall): tf.Tensor {
  const slope = numArg(c, 'negative_slope', 0);
  const threshold = numArg(c, 'threshold', 0);
  const max = c.args?.['max_value'];
  let y =
    threshold !== 0
      ? tf.mul(
          x,
          mask(x, (v) => v > threshold),
        )
      : tf.relu(x);
  if (typeof max === 'number') y = tf.clipByValue(y, 0, max);
  if (slope !== 0) y = tf.sub(y, tf.mul(slope, tf.relu(tf.sub(threshold, x))));
  return y;
}

const hardSigmoid = (x: tf.Tensor) => tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1);

/**
 * Sparsemax along the last axis: max(x − τ, 0), τ = (Σ_{j∈S} x_j − 1)/|S| over the support S
 * found from the sorted row (Keras 3 nn.sparsemax). S is fixed per row, so the gradient
 * through τ is the sparsemax Jacobian.
 */
function sparsemax(x: tf.Tensor): tf.Tensor {
  const [rows, cols] = [x.shape[0]!, x.shape[1]!];
  const values = x.dataSync();
  const mask = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(values.subarray(r * cols, (r + 1) * cols)).sort((a, b) => b - a);
    let cumsum = 0;
    let k = 0;
    let sum = 0;
    row.forEach((z, i) => {
      cumsum += z;
      if (1 + (i + 1) * z > cumsum) [k, sum] = [i + 1, cumsum];
    });
    const tau = (sum - 1) / k;
    for (let j = 0; j < cols; j++) mask[r * cols + j] = values[r * cols + j]! > tau ? 1 : 0;
  }
  const support = tf.tensor2d(mask, [rows, cols]);
  const tau = tf.div(tf.sub(tf.sum(tf.mul(x, support), -1, true), 1), tf.sum(support, -1, true));
  return tf.relu(tf.sub(x, tau));
}

const TABLE: Record<string, Factory> = {
  linear: id('linear'),
  relu: (c) =>
    c.args && Object.keys(c.args).length > 0
      ? formula('relu with arguments: Keras 3 ReLU.static_call', kerasRelu)(c)
      : id('relu')(c),
  relu6: id('relu6'),
  sigmoid: id('sigmoid'),
  tanh: id('tanh'),
  softmax: id('softmax'),
  elu: (c) =>
    numArg(c, 'alpha', 1) === 1
      ? id('elu')(c)
      : formula('elu alpha ≠ 1 (TF.js has alpha 1 only)', (x) => {
          const pos = mask(x, (v) => v >= 0);
          return tf.add(
            tf.mul(pos, x),
            tf.mul(tf.sub(1, pos), tf.mul(numArg(c, 'alpha', 1), tf.expm1(x))),
          );
        })(c),
  selu: id('selu'),
  softplus: id('softplus'),
  softsign: id('softsign'),
  silu: id('swish'),
  swish: id('swish'),
  mish: id('mish'),
  gelu: (c) => id(boolArg(c, 'approximate', false) ? 'gelu_new' : 'gelu')(c),
  leaky_relu: op((x, c) => tf.leakyRelu(x, numArg(c, 'negative_slope', 0.2))),
  exponential: op((x) => tf.exp(x)),
  log_softmax: op((x) => tf.logSoftmax(x)),
  log_sigmoid: op((x) => tf.logSigmoid(x)),
  hard_tanh: op((x) => tf.clipByValue(x, -1, 1)),
  tanh_shrink: op((x) => tf.sub(x, tf.tanh(x))),
  hard_sigmoid: formula('hard_sigmoid is x/6 + 1/2 in Keras 3, 0.2x + 1/2 in TF.js', hardSigmoid),
  hard_silu: formula('hard_silu = x·hard_sigmoid(x), absent from TF.js', (x) =>
    tf.mul(x, hardSigmoid(x)),
  ),
  hard_swish: formula('hard_swish = x·hard_sigmoid(x), absent from TF.js', (x) =>
    tf.mul(x, hardSigmoid(x)),
  ),
  celu: formula('celu, absent from TF.js', (x, c) => {
    const alpha = numArg(c, 'alpha', 1);
    return tf.add(tf.relu(x), tf.mul(alpha, tf.expm1(tf.div(tf.minimum(x, 0), alpha))));
  }),
  hard_shrink: formula('hard_shrink, absent from TF.js', (x, c) => {
    const t = numArg(c, 'threshold', 0.5);
    return tf.mul(
      x,
      mask(x, (v) => Math.abs(v) > t),
    );
  }),
  soft_shrink: formula('soft_shrink, absent from TF.js', (x, c) => {
    const t = numArg(c, 'threshold', 0.5);
    const above = tf.mul(
      mask(x, (v) => v > t),
      tf.sub(x, t),
    );
    return tf.add(
      above,
      tf.mul(
        mask(x, (v) => v < -t),
        tf.add(x, t),
      ),
    );
  }),
  sparse_plus: formula('sparse_plus, absent from TF.js', (x) => {
    const middle = tf.mul(
      mask(x, (v) => v > -1 && v < 1),
      tf.div(tf.square(tf.add(x, 1)), 4),
    );
    return tf.add(
      middle,
      tf.mul(
        mask(x, (v) => v >= 1),
        x,
      ),
    );
  }),
  sparse_sigmoid: formula('sparse_sigmoid, absent from TF.js', (x) => {
    const middle = tf.mul(
      mask(x, (v) => v > -1 && v < 1),
      tf.mul(0.5, tf.add(x, 1)),
    );
    return tf.add(
      middle,
      mask(x, (v) => v >= 1),
    );
  }),
  squareplus: formula('squareplus, absent from TF.js', (x, c) =>
    tf.div(tf.add(x, tf.sqrt(tf.add(tf.square(x), numArg(c, 'b', 4)))), 2),
  ),
  threshold: formula('threshold, absent from TF.js', (x, c) => {
    const t = numArg(c, 'threshold', 0);
    const keep = mask(x, (v) => v > t);
    return tf.add(tf.mul(keep, x), tf.mul(tf.sub(1, keep), numArg(c, 'default_value', 0)));
  }),
  sparsemax: formula('sparsemax, absent from TF.js', sparsemax),
};

/** The TF.js realization of a Keras activation call; throws for one the table lacks. */
export function tfjsActivation(c: KerasCall): TfjsActivation {
  const factory = TABLE[c.call];
  if (!factory) throw new Error(`no TF.js realization for activation '${c.call}'`);
  return factory(c);
}

/** A weightless TF.js layer applying `fn`: how ops and formulas join a tf.sequential model. */
export class FunctionLayer extends tf.layers.Layer {
  static readonly className = 'ConformanceFunctionLayer';
  private readonly fn: (x: tf.Tensor) => tf.Tensor;

  constructor(fn: (x: tf.Tensor) => tf.Tensor, name?: string) {
    super(name ? { name } : {});
    this.fn = fn;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.fn(Array.isArray(inputs) ? inputs[0]! : inputs));
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }
}
