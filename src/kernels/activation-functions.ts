/**
 * The elementwise activations as scalar float64 functions, each beside its derivative, straight
 * from Keras 3's definitions (keras/src/activations/activations.py and the backends' nn.py). The
 * array kernels in activations.ts call them from loops specialized per activation (V8 inlines
 * them). At a kink, the derivative is the one TensorFlow's gradient ops give (ReluGrad is 0 at 0,
 * clip_by_value passes the gradient at its bounds, Relu6Grad is 0 at 0 and 6).
 */
import { erfc } from './erf.js';

/** SELU's constants (Klambauer et al.), as in Keras. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;
/** √(2/π) and the cubic coefficient of the tanh-form GELU. */
export const GELU_C = 0.7978845608028654;
export const GELU_A = 0.044715;
/** 1/√(2π), the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;

/** relu6: min(max(v, 0), 6). */
export const relu6 = (v: number): number => (v > 0 ? (v < 6 ? v : 6) : 0);
/** relu6′: 1 on (0, 6), else 0. */
export const dRelu6 = (v: number): number => (v > 0 && v < 6 ? 1 : 0);

/** sigmoid: 1/(1 + e^−v) (e^−v overflowing to ∞ gives exactly 0). */
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** hard_sigmoid (Keras 3): clip(v/6 + ½, 0, 1); tf.keras 2 and TF.js use 0.2v + ½ instead. */
export function hardSigmoid(v: number): number {
  const h = v / 6 + 0.5;
  return h <= 0 ? 0 : h >= 1 ? 1 : h;
}
/** hard_sigmoid′: 1/6 on (−3, 3), else 0. */
export const dHardSigmoid = (v: number): number => (v > -3 && v < 3 ? 1 / 6 : 0);

/** hard_silu (hard_swish): v·hard_sigmoid(v). */
export const hardSilu = (v: number): number => v * hardSigmoid(v);
/** hard_silu′: 0 at or below −3, 1 at or above 3, (2v + 3)/6 between. */
export const dHardSilu = (v: number): number => (v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6);

/** elu: v > 0 ? v : α·(e^v − 1). */
export const elu = (v: number, alpha: number): number => (v > 0 ? v : alpha * Math.expm1(v));
/** elu′: 1 for v > 0, else α·e^v. */
export const dElu = (v: number, alpha: number): number => (v > 0 ? 1 : alpha * Math.exp(v));

/** selu: scale·elu(v, α) with Keras's α ≈ 1.6733 and scale ≈ 1.0507. */
export const selu = (v: number): number =>
  v > 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v);
/** selu′: scale for v > 0, else scale·α·e^v. */
export const dSelu = (v: number): number =>
  v > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(v);

/** softplus: log(1 + e^v) = max(v, 0) + log1p(e^−|v|), which neither overflows nor loses the tail. */
export const softplus = (v: number): number => (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));

/** softsign: v/(1 + |v|). */
export const softsign = (v: number): number => v / (1 + Math.abs(v));
/** softsign′: 1/(1 + |v|)². */
export function dSoftsign(v: number): number {
  const d = 1 + Math.abs(v);
  return 1 / (d * d);
}

/** silu (swish): v·σ(v). */
export const silu = (v: number): number => v / (1 + Math.exp(-v));
/** silu′: σ(v)·(1 + v·(1 − σ(v))). */
export function dSilu(v: number): number {
  const s = sigmoid(v);
  return s * (1 + v * (1 - s));
}

/** gelu, exact form: ½v·(1 + erf(v/√2)) = ½v·erfc(−v/√2). */
export const geluErf = (v: number): number => 0.5 * v * erfc(-v * Math.SQRT1_2);
/** gelu′, exact form: Φ(v) + v·φ(v). */
export const dGeluErf = (v: number): number =>
  0.5 * erfc(-v * Math.SQRT1_2) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);

/** gelu, approximate form: ½v·(1 + tanh(√(2/π)·(v + 0.044715v³))). */
export const geluTanh = (v: number): number =>
  0.5 * v * (1 + Math.tanh(GELU_C * (v + GELU_A * v * v * v)));
/** gelu′, approximate form. */
export function dGeluTanh(v: number): number {
  const t = Math.tanh(GELU_C * (v + GELU_A * v * v * v));
  return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v);
}

/** mish: v·tanh(softplus(v)). */
export const mish = (v: number): number => v * Math.tanh(softplus(v));
/** mish′: tanh(sp) + v·(1 − tanh²(sp))·σ(v), sp = softplus(v). */
export function dMish(v: number): number {
  const t = Math.tanh(softplus(v));
  return t + v * (1 - t * t) * sigmoid(v);
}

/** leaky_relu: v > 0 ? v : slope·v (TensorFlow's LeakyRelu; equal to max(v, slope·v) for slope ≤ 1). */
export const leakyRelu = (v: number, slope: number): number => (v > 0 ? v : slope * v);
/** leaky_relu′: 1 for v > 0, else slope. */
export const dLeakyRelu = (v: number, slope: number): number => (v > 0 ? 1 : slope);

/** celu: max(v, 0) + α·expm1(min(v, 0)/α). */
export const celu = (v: number, alpha: number): number =>
  v > 0 ? v : alpha * Math.expm1(v / alpha);
/** celu′: 1 for v > 0, else e^(v/α). */
export const dCelu = (v: number, alpha: number): number => (v > 0 ? 1 : Math.exp(v / alpha));

/** hard_shrink: |v| > t ? v : 0. */
export const hardShrink = (v: number, t: number): number => (Math.abs(v) > t ? v : 0);
/** soft_shrink: v > t ? v − t : v < −t ? v + t : 0. */
export const softShrink = (v: number, t: number): number => (v > t ? v - t : v < -t ? v + t : 0);
/** hard_shrink′ and soft_shrink′: 1 where |v| > t, else 0. */
export const dShrink = (v: number, t: number): number => (Math.abs(v) > t ? 1 : 0);

/** hard_tanh: clip(v, −1, 1). */
export const hardTanh = (v: number): number => (v < -1 ? -1 : v > 1 ? 1 : v);
/** hard_tanh′: 1 on [−1, 1] (clip_by_value passes at its bounds), else 0. */
export const dHardTanh = (v: number): number => (v >= -1 && v <= 1 ? 1 : 0);

/** log_sigmoid: −softplus(−v). */
export const logSigmoid = (v: number): number => -softplus(-v);
/** log_sigmoid′: σ(−v) = 1/(1 + e^v). */
export const dLogSigmoid = (v: number): number => 1 / (1 + Math.exp(v));

/** sparse_plus: 0 for v ≤ −1, ¼(v + 1)² for −1 < v < 1, v for v ≥ 1. */
export const sparsePlus = (v: number): number =>
  v <= -1 ? 0 : v < 1 ? 0.25 * (v + 1) * (v + 1) : v;
/** sparse_plus′: 0 for v ≤ −1, ½(v + 1) for −1 < v < 1, 1 for v ≥ 1. */
export const dSparsePlus = (v: number): number => (v <= -1 ? 0 : v < 1 ? 0.5 * (v + 1) : 1);

/** sparse_sigmoid: 0 for v ≤ −1, ½(v + 1) for −1 < v < 1, 1 for v ≥ 1. */
export const sparseSigmoid = (v: number): number => (v <= -1 ? 0 : v >= 1 ? 1 : 0.5 * (v + 1));
/** sparse_sigmoid′: ½ on (−1, 1), else 0. */
export const dSparseSigmoid = (v: number): number => (v > -1 && v < 1 ? 0.5 : 0);

/** squareplus: ½(v + √(v² + b)). */
export const squareplus = (v: number, b: number): number => 0.5 * (v + Math.sqrt(v * v + b));
/** squareplus′: ½(1 + v/√(v² + b)), taken as ½ at v = 0 when b = 0. */
export function dSquareplus(v: number, b: number): number {
  const r = Math.sqrt(v * v + b);
  return 0.5 * (1 + (r > 0 ? v / r : 0));
}

/** tanh_shrink: v − tanh(v). */
export const tanhShrink = (v: number): number => v - Math.tanh(v);
/** tanh_shrink′: tanh²(v). */
export function dTanhShrink(v: number): number {
  const t = Math.tanh(v);
  return t * t;
}

/** threshold: v > t ? v : default_value. */
export const thresholdFn = (v: number, t: number, d: number): number => (v > t ? v : d);
/** threshold′: 1 for v > t, else 0. */
export const dThreshold = (v: number, t: number): number => (v > t ? 1 : 0);

/** step (nnlang extension, the perceptron's activation): 1 for v > 0, else 0; its derivative is 0. */
export const step = (v: number): number => (v > 0 ? 1 : 0);
