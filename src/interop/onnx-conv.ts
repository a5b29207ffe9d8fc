/**
 * Convolutions and pooling: ONNX's Conv, MaxPool and AveragePool work channels first, so the
 * input is transposed to (batch, channels, …), the op runs, and the result is transposed back
 * (the graph cancels the pair between two such layers). Keras's 'same' and 'causal' paddings
 * become explicit `pads` from the built shapes, so the file does not depend on auto_pad's
 * rounding. An activation the layer applies runs before the transpose back when it is
 * elementwise.
 */
import type { Args } from '../catalog/index.js';
import type { Activation } from './onnx-activations.js';
import { activate } from './onnx-core.js';
import {
  at,
  toChannelsFirst,
  toChannelsLast,
  transposeValues,
  type ConvertContext,
  type Converter,
} from './onnx-layer.js';

/** Keras's ints-or-tuple window argument, one entry per spatial axis. */
function tuple(args: Args, arg: string, spatial: number, fallback: number[]): number[] {
  const v = args[arg];
  if (typeof v === 'number') return Array<number>(spatial).fill(v);
  if (Array.isArray(v)) return v as number[];
  return fallback;
}

interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
}

/** The window of a built layer with Keras's padding made explicit (begins, then ends). */
function windowOf(c: ConvertContext, sizeArg: string, pooling: boolean): WindowAttrs {
  const { args, inputShapes, outputShape } = c.layer;
  const spatial = inputShapes[0]!.length - 2;
  const kernel = tuple(args, sizeArg, spatial, []);
  const strides = pooling
    ? tuple(args, 'strides', spatial, kernel)
    : tuple(
        args,
        'strides',
        spatial,
        kernel.map(() => 1),
      );
  const dilations = pooling
    ? kernel.map(() => 1)
    : tuple(
        args,
        'dilation_rate',
        spatial,
        kernel.map(() => 1),
      );
  const padding = args['padding'] ?? 'valid';
  const begins: number[] = [];
  const ends: number[] = [];
  for (let a = 0; a < spatial; a++) {
    const n = inputShapes[0]![1 + a]!;
    const out = outputShape[1 + a]!;
    const [k, s, d] = [kernel[a]!, strides[a]!, dilations[a]!];
    const needed = Math.max((out - 1) * s + (k - 1) * d + 1 - n, 0);
    const before =
      padding === 'causal' ? d * (k - 1) : padding === 'same' ? Math.floor(needed / 2) : 0;
    begins.push(before);
    ends.push(padding === 'valid' ? 0 : Math.max(needed - before, 0));
  }
  return { kernel, strides, dilations, pads: [...begins, ...ends] };
}

/** Activations that act on each value alone, so they may run in either layout. */
function elementwise(spec: Activation): boolean {
  return spec.name !== 'softmax' && spec.name !== 'log_softmax';
}

/**
 * Runs `body` on the input in channels-first layout and returns its result in channels-last,
 * with the layer's activation applied in whichever layout it allows.
 */
function channelsFirst(c: ConvertContext, x: string, body: (xt: string) => string): string {
  const { g, layer } = c;
  const rank = layer.inputShapes[0]!.length;
  let y = body(g.transpose(x, toChannelsFirst(rank), `${at(c)}/nchw`));
  const act = layer.activation;
  const inside = elementwise(act);
  if (inside) y = activate(c, y, act);
  y = g.transpose(y, toChannelsLast(rank), `${at(c)}/nhwc`);
  return inside ? y : activate(c, y, act);
}

/** A Keras kernel (k…, in, out) as ONNX's weight (out, in, k…). */
function convWeight(c: ConvertContext, name: string, base: string): string {
  const w = c.weight(name);
  const spatial = w.shape.length - 2;
  const perm = [spatial + 1, spatial, ...Array.from({ length: spatial }, (_, i) => i)];
  return c.g.weight(
    base,
    perm.map((p) => w.shape[p]!),
    transposeValues(w.values, w.shape, perm),
  );
}

/**
 * A depthwise kernel (k…, in, multiplier) as a grouped Conv's weight (in·multiplier, 1, k…):
 * output channel c·multiplier + m is input channel c's filter m, Keras's order.
 */
function depthwiseWeight(c: ConvertContext, name: string, base: string): string {
  const w = c.weight(name);
  const spatial = w.shape.length - 2;
  const [cin, mult] = [w.shape[spatial]!, w.shape[spatial + 1]!];
  const perm = [spatial, spatial + 1, ...Array.from({ length: spatial }, (_, i) => i)];
  return c.g.weight(
    base,
    [cin * mult, 1, ...w.shape.slice(0, spatial)],
    transposeValues(w.values, w.shape, perm),
  );
}

function bias(c: ConvertContext, name = 'bias'): string[] {
  if (!c.has(name)) return [];
  const b = c.weight(name);
  return [c.g.weight(`${at(c)}/${name}`, b.shape, b.values)];
}

function convAttrs(win: WindowAttrs, group: number) {
  return {
    kernel_shape: win.kernel,
    strides: win.strides,
    dilations: win.dilations,
    pads: win.pads,
    group,
  };
}

const conv: Converter = (c, [x]) => {
  const win = windowOf(c, 'kernel_size', false);
  const group = (c.layer.args['groups'] as number | undefined) ?? 1;
  const w = convWeight(c, 'kernel', `${at(c)}/kernel`);
  return [
    channelsFirst(c, x!, (xt) => c.g.op('Conv', [xt, w, ...bias(c)], at(c), convAttrs(win, group))),
  ];
};

const depthwise: Converter = (c, [x]) => {
  const win = windowOf(c, 'kernel_size', false);
  const channels = c.layer.inputShapes[0]!.at(-1)!;
  const w = depthwiseWeight(c, 'kernel', `${at(c)}/kernel`);
  return [
    channelsFirst(c, x!, (xt) =>
      c.g.op('Conv', [xt, w, ...bias(c)], at(c), convAttrs(win, channels)),
    ),
  ];
};

/** SeparableConv: the depthwise convolution (no bias), then a 1×1 convolution with the bias. */
const separable: Converter = (c, [x]) => {
  const win = windowOf(c, 'kernel_size', false);
  const channels = c.layer.inputShapes[0]!.at(-1)!;
  const dw = depthwiseWeight(c, 'depthwise_kernel', `${at(c)}/depthwise_kernel`);
  const pw = convWeight(c, 'pointwise_kernel', `${at(c)}/pointwise_kernel`);
  const ones = win.kernel.map(() => 1);
  const zeros = [...ones, ...ones].map(() => 0);
  return [
    channelsFirst(c, x!, (xt) => {
      const d = c.g.op('Conv', [xt, dw], `${at(c)}/depthwise`, convAttrs(win, channels));
      return c.g.op('Conv', [d, pw, ...bias(c)], at(c), {
        kernel_shape: ones,
        strides: ones,
        dilations: ones,
        pads: zeros,
        group: 1,
      });
    }),
  ];
};

function pool(op: 'MaxPool' | 'AveragePool'): Converter {
  return (c, [x]) => {
    const win = windowOf(c, 'pool_size', true);
    const attrs = { kernel_shape: win.kernel, strides: win.strides, pads: win.pads };
    // count_include_pad=0 (the default): Keras averages only the cells inside the input.
    return [channelsFirst(c, x!, (xt) => c.g.op(op, [xt], at(c), attrs))];
  };
}

export const convConverters: Record<string, Converter> = {
  Conv1D: conv,
  Conv2D: conv,
  DepthwiseConv1D: depthwise,
  DepthwiseConv2D: depthwise,
  SeparableConv1D: separable,
  SeparableConv2D: separable,
  MaxPooling1D: pool('MaxPool'),
  MaxPooling2D: pool('MaxPool'),
  AveragePooling1D: pool('AveragePool'),
  AveragePooling2D: pool('AveragePool'),
};
