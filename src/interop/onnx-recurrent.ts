/**
 * SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops (time-major, layout 0, since
 * onnxruntime runs only that), and Bidirectional as one op with direction='bidirectional'.
 *
 * Weights: ONNX's W and R are Keras's kernel and recurrent_kernel transposed, per gate; LSTM's
 * gates are Keras's i, f, c, o and ONNX's i, o, f, c. GRU's z, r, h agree; reset_after=True is
 * linear_before_reset=1 with Keras's input and recurrent biases as ONNX's Wb and Rb. Keras has
 * one bias otherwise: Rb is zero. go_backwards reverses the input along time and runs forward,
 * so a returned sequence is in Keras's (reversed) order; a Bidirectional's backward half is
 * ONNX's reverse direction, whose outputs ONNX already puts back in input order, as Keras does.
 */
import type { Args, CallValue } from '../catalog/index.js';
import { activationSpec } from '../layers/index.js';
import type { Activation } from './onnx-activations.js';
import { float, type AttrValue } from './onnx-graph.js';
import { at, transposeValues, type ConvertContext, type Converter } from './onnx-layer.js';

/** Keras's gate order → ONNX's, as blocks of the 4H (or 3H) gate axis. */
const gateOrder: Record<string, number[]> = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], SimpleRNN: [0] };
const opOf: Record<string, string> = { LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'RNN' };

/** ONNX's recurrent activation functions that compute what Keras's do, with their α and β. */
function rnnActivation(spec: Activation): { name: string; alpha: number; beta: number } | null {
  switch (spec.name) {
    case 'sigmoid':
      return { name: 'Sigmoid', alpha: 0, beta: 0 };
    case 'tanh':
      return { name: 'Tanh', alpha: 0, beta: 0 };
    case 'softsign':
      return { name: 'Softsign', alpha: 0, beta: 0 };
    case 'softplus':
      return { name: 'Softplus', alpha: 0, beta: 0 };
    case 'linear':
      return { name: 'Affine', alpha: 1, beta: 0 };
    case 'hard_sigmoid':
      return { name: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 };
    case 'relu':
      return spec.slope === 0 && spec.threshold === 0 && (spec.maxValue ?? Infinity) === Infinity
        ? { name: 'Relu', alpha: 0, beta: 0 }
        : null;
    default:
      return null;
  }
}

/** Keras (in, gates·H) → ONNX (gates·H, in), the gate blocks reordered. */
function gatesFirst(values: Float32Array, shape: number[], order: number[]): Float32Array {
  const [rows, cols] = shape as [number, number];
  const h = cols / order.length;
  const t = transposeValues(values, shape, [1, 0]);
  const out = new Float32Array(t.length);
  order.forEach((from, to) =>
    out.set(t.subarray(from * h * rows, (from + 1) * h * rows), to * h * rows),
  );
  return out;
}

/** A bias vector's gate blocks reordered. */
function gateBias(values: Float32Array, order: number[]): Float32Array {
  const h = values.length / order.length;
  const out = new Float32Array(values.length);
  order.forEach((from, to) => out.set(values.subarray(from * h, (from + 1) * h), to * h));
  return out;
}

interface Directions {
  W: Float32Array[];
  R: Float32Array[];
  B: Float32Array[];
}

/** W, R and B of one direction from its Keras weights under `prefix` (`forward_lstm/`, or none). */
function directionWeights(
  c: ConvertContext,
  cls: string,
  args: Args,
  prefix: string,
  into: Directions,
): void {
  const order = gateOrder[cls]!;
  const units = args['units'] as number;
  const gates = order.length * units;
  const kernel = c.weight(`${prefix}kernel`);
  const recurrent = c.weight(`${prefix}recurrent_kernel`);
  into.W.push(gatesFirst(kernel.values, kernel.shape, order));
  into.R.push(gatesFirst(recurrent.values, recurrent.shape, order));
  const b = new Float32Array(2 * gates);
  if (c.has(`${prefix}bias`)) {
    const bias = c.weight(`${prefix}bias`);
    // GRU(reset_after=True): (2, 3H), the input bias then the recurrent one.
    if (bias.values.length === 2 * gates) {
      b.set(gateBias(bias.values.subarray(0, gates), order), 0);
      b.set(gateBias(bias.values.subarray(gates), order), gates);
    } else b.set(gateBias(bias.values, order), 0);
  }
  into.B.push(b);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

interface RunResult {
  /** (T, directions, N, H) */
  Y: string;
  /** (directions, N, H) */
  Yh: string;
  /** LSTM's (directions, N, H) */
  Yc: string | null;
}

/** The op over the (time-major) input for Keras layer `cls` with `args`, one or two directions. */
function runRecurrent(
  c: ConvertContext,
  x: string,
  cls: string,
  args: Args,
  prefixes: string[],
): RunResult {
  const { g } = c;
  const [, steps, inDim] = c.layer.inputShapes[0]! as [null, number, number];
  const units = args['units'] as number;
  const order = gateOrder[cls]!;
  const activation = activationSpec(args['activation'] ?? 'tanh');
  const recurrent = activationSpec(args['recurrent_activation'] ?? 'sigmoid');
  const specs =
    cls === 'SimpleRNN'
      ? [activation]
      : cls === 'LSTM'
        ? [recurrent, activation, activation]
        : [recurrent, activation];
  const fns = specs.map(rnnActivation);
  fns.forEach((f, i) => {
    if (!f)
      c.problem(
        `ONNX's ${opOf[cls]} op has no ${specs[i]!.name} activation.`,
        i === 0 && cls !== 'SimpleRNN' ? 'recurrent_activation' : 'activation',
      );
  });
  if (args['stateful'] === true) c.problem('ONNX has no stateful recurrent layers.', 'stateful');
  if (c.mask)
    c.problem(
      `ONNX's ${opOf[cls]} op skips only the padding at the end of a sequence (sequence_lens), where a Keras mask may hide any step: export the model with Embedding(mask_zero=False).`,
    );
  const d: Directions = { W: [], R: [], B: [] };
  for (const p of prefixes) directionWeights(c, cls, args, p, d);
  const n = prefixes.length;
  const gates = order.length * units;
  const W = g.weight(`${at(c)}/W`, [n, gates, inDim], concat(d.W));
  const R = g.weight(`${at(c)}/R`, [n, gates, units], concat(d.R));
  const B = g.weight(`${at(c)}/B`, [n, 2 * gates], concat(d.B));
  let xt = g.transpose(x, [1, 0, 2], `${at(c)}/time_major`);
  if (args['go_backwards'] === true)
    xt = g.op(
      'Slice',
      [xt, g.ints([steps - 1]), g.ints([-steps - 1]), g.ints([0]), g.ints([-1])],
      `${at(c)}/reversed`,
    );
  const attrs: Record<string, AttrValue> = {
    hidden_size: units,
    direction: n === 2 ? 'bidirectional' : 'forward',
    // f, g (and h) per direction, the forward direction's first.
    activations: { strings: prefixes.flatMap(() => fns.map((f) => f?.name ?? 'Tanh')) },
  };
  // α and β, in the functions' order, for those that take them (onnxruntime reads them so):
  // HardSigmoid's and Affine's are not ONNX's defaults.
  const present = fns.flatMap((f) => (f ? [f] : []));
  if (present.some((f) => f.name === 'HardSigmoid' || f.name === 'Affine')) {
    const needs = present.filter((f) => f.name === 'HardSigmoid' || f.name === 'Affine');
    attrs['activation_alpha'] = { floats: prefixes.flatMap(() => needs.map((f) => f.alpha)) };
    attrs['activation_beta'] = { floats: prefixes.flatMap(() => needs.map((f) => f.beta)) };
  }
  if (cls === 'GRU') attrs['linear_before_reset'] = args['reset_after'] === false ? 0 : 1;
  const outs = g.node(opOf[cls]!, [xt, W, R, B], at(c), attrs, cls === 'LSTM' ? 3 : 2);
  return { Y: outs[0]!, Yh: outs[1]!, Yc: outs[2] ?? null };
}

/** (directions, N, H) → direction `k`'s (N, H); a layer of one direction only drops the axis. */
function direction(c: ConvertContext, v: string, k: number, base: string): string {
  const one =
    c.layer.className === 'Bidirectional'
      ? c.g.op('Gather', [v, c.g.ints([k])], base, { axis: 0 })
      : v;
  return c.g.op('Squeeze', [one, c.g.ints([0])], base);
}

/** The states a layer with return_state=True returns after its output: h (and LSTM's c). */
function states(c: ConvertContext, r: RunResult, k: number): string[] {
  const h = direction(c, r.Yh, k, `${at(c)}/state_h`);
  return r.Yc ? [h, direction(c, r.Yc, k, `${at(c)}/state_c`)] : [h];
}

const recurrentLayer: Converter = (c, [x]) => {
  const { g, layer } = c;
  const r = runRecurrent(c, x!, layer.className, layer.args, ['']);
  const out =
    layer.args['return_sequences'] === true
      ? g.transpose(g.op('Squeeze', [r.Y, g.ints([1])], `${at(c)}/sequence`), [1, 0, 2], at(c))
      : direction(c, r.Yh, 0, at(c));
  return layer.args['return_state'] === true ? [out, ...states(c, r, 0)] : [out];
};

/** Bidirectional's merge of the two directions along `axis` of (N[, T], 2, H). */
function mergeDirections(c: ConvertContext, both: string, axis: number, mode: string): string[] {
  const { g } = c;
  const units = c.layer.outputShape.at(-1)!;
  const keep = axis === 2 ? [0, 0] : [0];
  switch (mode) {
    case 'concat':
      return [g.op('Reshape', [both, g.ints([...keep, units])], at(c))];
    case 'sum':
      return [g.op('ReduceSum', [both, g.ints([axis])], at(c), { keepdims: 0 })];
    case 'mul':
      return [g.op('ReduceProd', [both], at(c), { axes: [axis], keepdims: 0 })];
    case 'ave':
      return [g.op('ReduceMean', [both], at(c), { axes: [axis], keepdims: 0 })];
    default: {
      // merge_mode=None: the forward output, then the backward one.
      const h = units;
      return [0, 1].map((k) =>
        g.op(
          'Reshape',
          [g.op('Gather', [both, g.ints([k])], at(c), { axis }), g.ints([...keep, h])],
          at(c),
        ),
      );
    }
  }
}

const bidirectional: Converter = (c, [x]) => {
  const { g, layer } = c;
  const inner = layer.args['layer'] as CallValue;
  const args = inner.args;
  const cls = inner.call;
  if (!opOf[cls]) {
    c.problem(`ONNX export runs Bidirectional over LSTM, GRU or SimpleRNN, not ${cls}.`, 'layer');
    return [x!];
  }
  if (layer.args['backward_layer'] !== null && layer.args['backward_layer'] !== undefined)
    c.problem(
      'ONNX runs one layer in both directions: export without backward_layer.',
      'backward_layer',
    );
  if (args['go_backwards'] === true)
    c.problem(
      "ONNX's bidirectional op starts its forward half at the first step: export with go_backwards=False.",
      'layer',
    );
  const name = args['name'] as string;
  const r = runRecurrent(c, x!, cls, { ...args, go_backwards: false }, [
    `forward_${name}/`,
    `backward_${name}/`,
  ]);
  const mode = (layer.args['merge_mode'] as string | null) ?? 'none';
  const merged =
    args['return_sequences'] === true
      ? mergeDirections(c, g.transpose(r.Y, [2, 0, 1, 3], `${at(c)}/batch_major`), 2, mode)
      : mergeDirections(c, g.transpose(r.Yh, [1, 0, 2], `${at(c)}/batch_major`), 1, mode);
  return args['return_state'] === true
    ? [...merged, ...states(c, r, 0), ...states(c, r, 1)]
    : merged;
};

export const recurrentConverters: Record<string, Converter> = {
  LSTM: recurrentLayer,
  GRU: recurrentLayer,
  SimpleRNN: recurrentLayer,
  Bidirectional: bidirectional,
};
