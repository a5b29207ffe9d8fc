/**
 * Keras's activations as ONNX ops: one standard op where ONNX has the function with Keras's
 * constants (Relu, Sigmoid, Elu, Selu, HardSigmoid with Keras 3's 1/6 and ½, HardSwish, Celu,
 * Shrink, …), else a short composition of standard ops (GELU through Erf, since the Gelu op
 * needs opset 20; silu and mish as x·σ(x) and x·tanh(softplus(x))). Each returns the output
 * value, or null for an activation ONNX cannot express (sparsemax).
 */
import type { LayerSpecs } from '../layers/index.js';
import { float, type OnnxGraph } from './onnx-graph.js';

export type Activation = NonNullable<LayerSpecs['activation']>;

/** SELU's constants, as Keras's (Klambauer et al.). */
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** `spec` applied to `x` (a Keras-layout tensor; `axis` is the softmax axis), or null. */
export function applyActivation(
  g: OnnxGraph,
  x: string,
  spec: Activation,
  base: string,
): string | null {
  const at = `${base}/${spec.name}`;
  const unary = (op: string, attrs = {}): string => g.op(op, [x], at, attrs);
  const mul = (a: string, b: string): string => g.op('Mul', [a, b], at);
  const add = (a: string, b: string): string => g.op('Add', [a, b], at);
  const c = (v: number): string => g.scalar(`${at}/c`, v);
  switch (spec.name) {
    case 'linear':
      return x;
    case 'relu':
      return relu(g, x, spec, at);
    case 'relu6':
      return g.op('Clip', [x, c(0), c(6)], at);
    case 'sigmoid':
      return unary('Sigmoid');
    case 'hard_sigmoid':
      return unary('HardSigmoid', { alpha: float(1 / 6), beta: float(0.5) });
    case 'hard_silu':
      return unary('HardSwish');
    case 'tanh':
      return unary('Tanh');
    case 'softmax':
      return unary('Softmax', { axis: spec.axis });
    case 'log_softmax':
      return unary('LogSoftmax', { axis: spec.axis });
    case 'elu':
      return unary('Elu', { alpha: float(spec.alpha) });
    case 'selu':
      return unary('Selu', { alpha: float(SELU_ALPHA), gamma: float(SELU_SCALE) });
    case 'softplus':
      return unary('Softplus');
    case 'softsign':
      return unary('Softsign');
    case 'silu':
      return mul(x, unary('Sigmoid'));
    case 'gelu':
      return spec.approximate ? geluTanh(g, x, at) : geluErf(g, x, at);
    case 'exponential':
      return unary('Exp');
    case 'mish':
      return mul(x, g.op('Tanh', [unary('Softplus')], at));
    case 'leaky_relu':
      return unary('LeakyRelu', { alpha: float(spec.slope) });
    case 'celu':
      return unary('Celu', { alpha: float(spec.alpha) });
    case 'hard_shrink':
      return unary('Shrink', { lambd: float(spec.threshold), bias: float(0) });
    case 'soft_shrink':
      return unary('Shrink', { lambd: float(spec.threshold), bias: float(spec.threshold) });
    case 'hard_tanh':
      return g.op('Clip', [x, c(-1), c(1)], at);
    case 'log_sigmoid':
      return g.op('Neg', [g.op('Softplus', [unary('Neg')], at)], at);
    case 'sparse_plus': {
      // ¼(clip(x, −1, 1) + 1)² + relu(x − 1): 0, the parabola, then x.
      const p = add(g.op('Clip', [x, c(-1), c(1)], at), c(1));
      return add(mul(mul(p, p), c(0.25)), g.op('Relu', [g.op('Sub', [x, c(1)], at)], at));
    }
    case 'sparse_sigmoid':
      return g.op('Clip', [mul(add(x, c(1)), c(0.5)), c(0), c(1)], at);
    case 'squareplus':
      return mul(add(x, g.op('Sqrt', [add(mul(x, x), c(spec.b))], at)), c(0.5));
    case 'tanh_shrink':
      return g.op('Sub', [x, unary('Tanh')], at);
    case 'threshold':
      return g.op(
        'Where',
        [g.op('Greater', [x, c(spec.threshold)], at), x, c(spec.defaultValue)],
        at,
      );
    case 'step':
      return g.op('Cast', [g.op('Greater', [x, c(0)], at)], at, { to: 1 });
    default:
      return null;
  }
}

/**
 * Keras's relu with arguments (ReLU.static_call): clip(x > t ? x : 0, 0, max) − slope·relu(t − x);
 * plain Relu or LeakyRelu when the arguments allow.
 */
function relu(g: OnnxGraph, x: string, spec: Activation, at: string): string {
  const { slope, threshold: t } = spec;
  const max = spec.maxValue ?? Infinity;
  if (t === 0 && max === Infinity)
    return slope === 0
      ? g.op('Relu', [x], at)
      : g.op('LeakyRelu', [x], at, { alpha: float(slope) });
  const c = (v: number): string => g.scalar(`${at}/c`, v);
  let p =
    t === 0 ? g.op('Relu', [x], at) : g.op('Where', [g.op('Greater', [x, c(t)], at), x, c(0)], at);
  if (max !== Infinity) p = g.op('Clip', [p, c(0), c(max)], at);
  if (slope === 0) return p;
  const below = g.op('Relu', [g.op('Sub', [c(t), x], at)], at);
  return g.op('Sub', [p, g.op('Mul', [below, c(slope)], at)], at);
}

/** ½x·(1 + erf(x/√2)). */
function geluErf(g: OnnxGraph, x: string, at: string): string {
  const c = (v: number): string => g.scalar(`${at}/c`, v);
  const erf = g.op('Erf', [g.op('Mul', [x, c(Math.SQRT1_2)], at)], at);
  return g.op('Mul', [g.op('Mul', [x, c(0.5)], at), g.op('Add', [erf, c(1)], at)], at);
}

/** ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))). */
function geluTanh(g: OnnxGraph, x: string, at: string): string {
  const c = (v: number): string => g.scalar(`${at}/c`, v);
  const cube = g.op('Mul', [g.op('Mul', [x, x], at), x], at);
  const inner = g.op('Add', [x, g.op('Mul', [cube, c(0.044715)], at)], at);
  const t = g.op('Tanh', [g.op('Mul', [inner, c(0.7978845608028654)], at)], at);
  return g.op('Mul', [g.op('Mul', [x, c(0.5)], at), g.op('Add', [t, c(1)], at)], at);
}
