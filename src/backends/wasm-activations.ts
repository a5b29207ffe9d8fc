/**
 * The activations the wasm backend runs on its own kernels (asm/activations.ts): tanh, sigmoid,
 * silu (swish), elu, selu, relu, relu6, leaky_relu and hard_sigmoid elementwise and softmax over
 * rows, forward and backward, in float64 lanes as the JavaScript kernels compute them (a float64
 * e^x polynomial where they call Math.exp or Math.tanh), so both agree to the float32 rounding.
 * Every other activation (softplus, gelu, mish, log_softmax, …: they need log or erf, which have
 * no polynomial here yet; relu with a threshold or max_value) returns null, and the caller runs
 * the JavaScript kernel over the same memory.
 */
import * as k from '../kernels/index.js';
import type { ActivationSpec } from '../kernels/index.js';
import type { KernelExports } from './wasm-block.js';

/** An activation as asm/activations.ts takes it: its kind code and two parameters. */
interface WasmActivation {
  kind: number;
  a: number;
  b: number;
}

/** The codes of asm/activations.ts (tanh, sigmoid and relu are also the cell activations'). */
const TANH = 1;
const SIGMOID = 2;
const RELU = 3;
const HARD_SIGMOID = 4;
const RELU6 = 5;
const LEAKY_RELU = 6;
const ELU = 7;
const SILU = 8;

/** The elementwise activation's wasm kind, or null when it stays on JavaScript. */
function wasmActivation(spec: ActivationSpec): WasmActivation | null {
  const of = (kind: number, a = 0, b = 0): WasmActivation => ({ kind, a, b });
  switch (spec.name) {
    case 'tanh':
      return of(TANH);
    case 'sigmoid':
      return of(SIGMOID);
    case 'hard_sigmoid':
      return of(HARD_SIGMOID);
    case 'relu6':
      return of(RELU6);
    case 'silu':
      return of(SILU);
    case 'leaky_relu':
      return of(LEAKY_RELU, spec.slope);
    case 'elu':
      return of(ELU, spec.alpha, 1);
    case 'selu':
      return of(ELU, k.SELU_SCALE * k.SELU_ALPHA, k.SELU_SCALE);
    case 'relu':
      // Keras's relu with a slope only is leaky_relu; with a threshold or cap it stays on JavaScript.
      if (spec.threshold !== 0 || spec.maxValue !== Infinity) return null;
      return spec.slope === 0 ? of(RELU) : of(LEAKY_RELU, spec.slope);
    default:
      return null;
  }
}

/** Whether the kind's gradient reads the forward's input (tanh and sigmoid read its output). */
const readsInput = (kind: number): boolean => kind !== TANH && kind !== SIGMOID;

/**
 * y = f(x) over rows of `cols` on wasm, x and y by byte address in the block (y may be x; 0 for
 * a left-out view), or null for an activation (or a missing view) the wasm kernels do not take.
 */
export function wasmActivationForward(
  kern: KernelExports,
  spec: ActivationSpec,
  x: number,
  y: number,
  cols: number,
): ((rows: number) => void) | null {
  if (!x || !y) return null;
  if (spec.name === 'softmax') return (rows) => kern.activationSoftmax(x, y, rows, cols);
  const w = wasmActivation(spec);
  if (!w) return null;
  const { kind, a, b } = w;
  return (rows) => kern.activationForward(kind, x, y, rows * cols, a, b);
}

/**
 * dx = dy·f′ over rows of `cols` on wasm from the forward's input x and output y (addresses as
 * for the forward; dx may be dy; softmax: the row's Jacobian-vector product), or null as there.
 */
export function wasmActivationBackward(
  kern: KernelExports,
  spec: ActivationSpec,
  x: number,
  y: number,
  dy: number,
  dx: number,
  cols: number,
): ((rows: number) => void) | null {
  if (!y || !dy || !dx) return null;
  if (spec.name === 'softmax')
    return (rows) => kern.activationSoftmaxBackward(y, dy, dx, rows, cols);
  const w = wasmActivation(spec);
  if (!w || (readsInput(w.kind) && !x)) return null;
  const { kind, a, b } = w;
  // tanh and sigmoid never read x: their y stands in for a left-out input.
  const input = x || y;
  return (rows) => kern.activationBackward(kind, input, y, dy, dx, rows * cols, a, b);
}
