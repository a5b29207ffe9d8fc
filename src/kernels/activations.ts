/**
 * Every Keras 3 activation (keras/src/activations, backend nn.py), forward and backward, over
 * row-major [rows, cols] Float32Arrays; elementwise unless noted, softmax/log_softmax/sparsemax
 * over the last axis (activation-rows.ts). The scalar formulas and derivatives live in
 * activation-functions.ts; here each activation gets its own loop, chosen once per call. Values
 * are computed in float64 and rounded once on store. `glu` is left out: it halves the last
 * dimension, so it is not a same-shape activation and the plan must lower it on its own.
 */
import * as f from './activation-functions.js';
import type { ActivationSpec } from './activation-spec.js';
import {
  activationBackwardRows,
  activationForwardRows,
  isRowActivation,
} from './activation-rows.js';

export { resolveActivation, type ActivationName, type ActivationSpec } from './activation-spec.js';

/**
 * y[r,c] = f(x[r,c]) for x, y: [rows, cols] (softmax, log_softmax, sparsemax over each row);
 * y is overwritten and may be the same array as x. The formulas are Keras 3's, one per function
 * in activation-functions.ts; relu with arguments is Keras's ReLU.static_call (reluForward).
 */
export function activationForward(
  spec: ActivationSpec,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  cols: number,
): void {
  if (isRowActivation(spec.name)) {
    activationForwardRows(spec.name, x, y, rows, cols);
    return;
  }
  const n = rows * cols;
  const { alpha, slope, threshold: t, b } = spec;
  switch (spec.name) {
    case 'linear':
      if (x !== y) for (let i = 0; i < n; i++) y[i] = x[i]!;
      return;
    case 'relu':
      reluForward(spec, x, y, n);
      return;
    case 'relu6':
      for (let i = 0; i < n; i++) y[i] = f.relu6(x[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = f.sigmoid(x[i]!);
      return;
    case 'hard_sigmoid':
      for (let i = 0; i < n; i++) y[i] = f.hardSigmoid(x[i]!);
      return;
    case 'hard_silu':
      for (let i = 0; i < n; i++) y[i] = f.hardSilu(x[i]!);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
      return;
    case 'elu':
      for (let i = 0; i < n; i++) y[i] = f.elu(x[i]!, alpha);
      return;
    case 'selu':
      for (let i = 0; i < n; i++) y[i] = f.selu(x[i]!);
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) y[i] = f.softplus(x[i]!);
      return;
    case 'softsign':
      for (let i = 0; i < n; i++) y[i] = f.softsign(x[i]!);
      return;
    case 'silu':
      for (let i = 0; i < n; i++) y[i] = f.silu(x[i]!);
      return;
    case 'gelu':
      if (spec.approximate) for (let i = 0; i < n; i++) y[i] = f.geluTanh(x[i]!);
      else for (let i = 0; i < n; i++) y[i] = f.geluErf(x[i]!);
      return;
    case 'exponential':
      for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]!);
      return;
    case 'mish':
      for (let i = 0; i < n; i++) y[i] = f.mish(x[i]!);
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) y[i] = f.leakyRelu(x[i]!, slope);
      return;
    case 'celu':
      for (let i = 0; i < n; i++) y[i] = f.celu(x[i]!, alpha);
      return;
    case 'hard_shrink':
      for (let i = 0; i < n; i++) y[i] = f.hardShrink(x[i]!, t);
      return;
    case 'hard_tanh':
      for (let i = 0; i < n; i++) y[i] = f.hardTanh(x[i]!);
      return;
    case 'log_sigmoid':
      for (let i = 0; i < n; i++) y[i] = f.logSigmoid(x[i]!);
      return;
    case 'soft_shrink':
      for (let i = 0; i < n; i++) y[i] = f.softShrink(x[i]!, t);
      return;
    case 'sparse_plus':
      for (let i = 0; i < n; i++) y[i] = f.sparsePlus(x[i]!);
      return;
    case 'sparse_sigmoid':
      for (let i = 0; i < n; i++) y[i] = f.sparseSigmoid(x[i]!);
      return;
    case 'squareplus':
      for (let i = 0; i < n; i++) y[i] = f.squareplus(x[i]!, b);
      return;
    case 'tanh_shrink':
      for (let i = 0; i < n; i++) y[i] = f.tanhShrink(x[i]!);
      return;
    case 'threshold': {
      const d = spec.defaultValue;
      for (let i = 0; i < n; i++) y[i] = f.thresholdFn(x[i]!, t, d);
      return;
    }
    case 'step':
      for (let i = 0; i < n; i++) y[i] = f.step(x[i]!);
      return;
    default:
      throw new Error(`activation '${spec.name}' has no elementwise forward`);
  }
}

/**
 * dx = dy·f′(x) for x (the pre-activation input), y (the forward output), dy, dx: [rows, cols];
 * for softmax, log_softmax and sparsemax the row's Jacobian-vector product. dx is overwritten and
 * may be the same array as dy. sigmoid, tanh and exponential read f′ off y, as TensorFlow's
 * gradients do; `step` has zero gradient everywhere.
 */
export function activationBackward(
  spec: ActivationSpec,
  x: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  rows: number,
  cols: number,
): void {
  if (isRowActivation(spec.name)) {
    activationBackwardRows(spec.name, y, dy, dx, rows, cols);
    return;
  }
  const n = rows * cols;
  const { alpha, slope, threshold: t, b } = spec;
  switch (spec.name) {
    case 'linear':
      if (dx !== dy) for (let i = 0; i < n; i++) dx[i] = dy[i]!;
      return;
    case 'relu':
      reluBackward(spec, x, dy, dx, n);
      return;
    case 'relu6':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dRelu6(x[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * y[i]! * (1 - y[i]!);
      return;
    case 'hard_sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dHardSigmoid(x[i]!);
      return;
    case 'hard_silu':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dHardSilu(x[i]!);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * (1 - y[i]! * y[i]!);
      return;
    case 'elu':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dElu(x[i]!, alpha);
      return;
    case 'selu':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dSelu(x[i]!);
      return;
    case 'softplus':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.sigmoid(x[i]!);
      return;
    case 'softsign':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dSoftsign(x[i]!);
      return;
    case 'silu':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dSilu(x[i]!);
      return;
    case 'gelu':
      if (spec.approximate) for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dGeluTanh(x[i]!);
      else for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dGeluErf(x[i]!);
      return;
    case 'exponential':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * y[i]!;
      return;
    case 'mish':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dMish(x[i]!);
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dLeakyRelu(x[i]!, slope);
      return;
    case 'celu':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dCelu(x[i]!, alpha);
      return;
    case 'hard_shrink':
    case 'soft_shrink':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dShrink(x[i]!, t);
      return;
    case 'hard_tanh':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dHardTanh(x[i]!);
      return;
    case 'log_sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dLogSigmoid(x[i]!);
      return;
    case 'sparse_plus':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dSparsePlus(x[i]!);
      return;
    case 'sparse_sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dSparseSigmoid(x[i]!);
      return;
    case 'squareplus':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dSquareplus(x[i]!, b);
      return;
    case 'tanh_shrink':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dTanhShrink(x[i]!);
      return;
    case 'threshold':
      for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dThreshold(x[i]!, t);
      return;
    case 'step':
      for (let i = 0; i < n; i++) dx[i] = 0;
      return;
    default:
      throw new Error(`activation '${spec.name}' has no elementwise backward`);
  }
}

/**
 * Keras's relu(x, negative_slope, max_value, threshold) (ReLU.static_call): with a slope and
 * neither cap nor threshold it is leaky_relu; otherwise y = clip(x > t ? x : 0, 0, max) −
 * slope·relu(t − x), the clip skipped without a cap (and max_value 6 with threshold 0 is relu6).
 */
function reluForward(spec: ActivationSpec, x: Float32Array, y: Float32Array, n: number): void {
  const { slope, maxValue: max, threshold: t } = spec;
  if (slope === 0 && t === 0 && max === Infinity) {
    for (let i = 0; i < n; i++) y[i] = x[i]! > 0 ? x[i]! : 0;
    return;
  }
  if (t === 0 && max === Infinity) {
    for (let i = 0; i < n; i++) y[i] = f.leakyRelu(x[i]!, slope);
    return;
  }
  const clip = max !== Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let p = t !== 0 ? (v > t ? v : 0) : v > 0 ? v : 0;
    if (clip) p = p < 0 ? 0 : p > max ? max : p;
    y[i] = p - slope * (t - v > 0 ? t - v : 0);
  }
}

/** The gradient of reluForward, with TensorFlow's conventions at the kinks. */
function reluBackward(
  spec: ActivationSpec,
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  n: number,
): void {
  const { slope, maxValue: max, threshold: t } = spec;
  if (slope === 0 && t === 0 && max === Infinity) {
    for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0;
    return;
  }
  if (t === 0 && max === Infinity) {
    for (let i = 0; i < n; i++) dx[i] = dy[i]! * f.dLeakyRelu(x[i]!, slope);
    return;
  }
  const relu6 = t === 0 && max === 6;
  const clip = max !== Infinity && !relu6;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let d: number;
    if (t !== 0) d = v > t ? 1 : 0;
    else if (relu6) d = f.dRelu6(v);
    else d = v > 0 ? 1 : 0;
    if (clip) {
      const p = t !== 0 ? (v > t ? v : 0) : v > 0 ? v : 0;
      if (p < 0 || p > max) d = 0;
    }
    if (t - v > 0) d += slope;
    dx[i] = dy[i]! * d;
  }
}
