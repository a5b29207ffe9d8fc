/**
 * Convolution layers: Conv1D and Conv2D, channels last, lowered to one `conv` step (im2col and
 * the blocked matmul, with bias and activation fused as Dense's are) and one `conv_backward`.
 * Keras's kernel layout (kh, kw, in/groups, filters) is the row order of the im2col matrix (per
 * group), so the weights are used as stored. Conv1D is Conv2D of height 1. The conv step's
 * lowering is shared with the depthwise and separable layers (depthwise.ts).
 */
import type { Args } from '../catalog/index.js';
import { PlanError, type ActivationSpec, type WindowGeometry } from '../ir/index.js';
import { windowTaps } from '../kernels/index.js';
import {
  activationSpec,
  inputGradient,
  inputShape,
  output,
  type Forward,
  type LayerLowering,
  type LowerContext,
} from './lowering.js';
import { oneInput, type LayerDef, type Shape, type ShapeError } from './types.js';
import {
  channelsLastOnly,
  failed,
  pythonValue,
  windowGeometry,
  windowOutputShape,
  windowTuple,
  type Window,
} from './window.js';

/** A convolution's window from its arguments, with Keras's argument errors. */
export function convWindow(args: Args, spatial: 1 | 2): Window | ShapeError {
  const kernel = windowTuple(args, 'kernel_size', spatial);
  if (failed(kernel)) return kernel;
  const strides = windowTuple(args, 'strides', spatial, 1);
  if (failed(strides)) return strides;
  const dilation = windowTuple(args, 'dilation_rate', spatial, 1);
  if (failed(dilation)) return dilation;
  if (Math.max(...strides) > 1 && Math.max(...dilation) > 1)
    return {
      error: `strides > 1 is not supported together with dilation_rate > 1 (Keras refuses it); found strides=${pythonValue(args['strides'])} and dilation_rate=${pythonValue(args['dilation_rate'])}.`,
      arg: 'strides',
    };
  const padding = (args['padding'] ?? 'valid') as Window['padding'];
  return { spatial, kernel, strides, dilation, padding, sizeArg: 'kernel_size' };
}

/** The window of a layer the checker built: its arguments are known good. */
export function builtWindow(args: Args, spatial: 1 | 2): Window {
  const win = convWindow(args, spatial);
  if (failed(win)) throw new PlanError(win.error);
  return win;
}

function groupsOf(args: Args): number {
  return (args['groups'] as number | undefined) ?? 1;
}

/**
 * One `conv` step of a layer: the weights it reads (the bias is optional), its filters and
 * groups, and its activation (null: linear). Conv has one; SeparableConv's depthwise half is one
 * without bias or activation.
 */
export interface ConvPart {
  kernel: string;
  bias: string | null;
  filters: number;
  groups: number;
  activation: ActivationSpec | null;
}

/** What a lowered conv step keeps for its backward: the im2col matrix and the pre-activation. */
export interface ConvSaved {
  col: number;
  z: number | null;
}

/** The conv step's im2col matrix: one row per output position, one column per tap and channel. */
function colShape(g: WindowGeometry): Shape {
  return [null, g.oh * g.ow, windowTaps(g)];
}

/** Lowers y = act(conv(x) + bias) into buffer y; training keeps z when the activation needs it. */
export function lowerConv(
  c: LowerContext,
  g: WindowGeometry,
  part: ConvPart,
  x: number,
  y: number,
  suffix = '',
): ConvSaved {
  const bias = part.bias === null ? null : c.param(part.bias);
  const activation = part.activation?.name === 'linear' ? null : part.activation;
  const col = c.b.batch(`${c.layer.name}/${suffix}col`, 'activation', colShape(g));
  // Training keeps the pre-activation for the activation's backward, as Dense does.
  const z = c.training && activation ? output(c, 'z') : null;
  const inputs = [x, c.param(part.kernel)!, ...(bias === null ? [] : [bias])];
  c.b.step('conv', c.layer.name, inputs, z === null ? [y, col] : [y, col, z], {
    ...g,
    filters: part.filters,
    groups: part.groups,
    bias: bias !== null,
    activation,
  });
  return { col, z };
}

/**
 * Lowers the conv step's backward from dy (of y): the activation's, then dkernel, dbias and dx
 * (when `dx` is a buffer); nothing when none of them is wanted.
 */
export function lowerConvBackward(
  c: LowerContext,
  g: WindowGeometry,
  part: ConvPart,
  saved: ConvSaved,
  y: number,
  dy: number,
  dx: number | null,
  suffix = '',
): void {
  let dz = dy;
  if (saved.z !== null) {
    dz = c.b.batch(`${c.layer.name}/d_z`, 'gradient', c.layer.outputShape);
    c.b.step('activation_backward', c.layer.name, [saved.z, y, dy], [dz], {
      rows: g.oh * g.ow,
      cols: part.filters,
      activation: part.activation!,
    });
  }
  const dKernel = c.grad(part.kernel);
  const dBias = part.bias === null ? null : c.grad(part.bias);
  if (dKernel === null && dBias === null && dx === null) return;
  const dcol =
    dx === null ? -1 : c.b.batch(`${c.layer.name}/d_${suffix}col`, 'gradient', colShape(g));
  c.b.step(
    'conv_backward',
    c.layer.name,
    [saved.col, c.param(part.kernel)!, dz],
    [dx ?? -1, dKernel ?? -1, dBias ?? -1, dcol],
    { ...g, filters: part.filters, groups: part.groups },
  );
}

/**
 * A layer lowered to one conv step (Conv, DepthwiseConv): its window from `kernel_size` and
 * friends, its filters and groups from `part`.
 */
export function convLowering(spatial: 1 | 2, part: (c: LowerContext) => ConvPart): LayerLowering {
  const geometry = (c: LowerContext): WindowGeometry =>
    windowGeometry(inputShape(c.layer), builtWindow(c.layer.args, spatial));
  return {
    forward(c, xs): Forward {
      const y = output(c);
      const saved = lowerConv(c, geometry(c), part(c), xs[0]!, y);
      return { xs, y, saved: saved.z === null ? { col: saved.col } : { ...saved, z: saved.z } };
    },
    backward(c, f, dy, needDx) {
      const dx = inputGradient(c, needDx[0]);
      const saved = { col: f.saved['col']!, z: f.saved['z'] ?? null };
      lowerConvBackward(c, geometry(c), part(c), saved, f.y, dy, dx);
      return [dx];
    },
  };
}

/** The layer's resolved activation (linear when it has none). */
export function layerActivation(c: LowerContext): ActivationSpec {
  return c.layer.specs.activation ?? activationSpec(null);
}

/**
 * Floats per sample of a conv step's im2col matrix (positions × taps × channels), plus `extra`
 * per output position (SeparableConv's depthwise output), for the memory check.
 */
export function convScratch(
  spatial: 1 | 2,
  extra: (args: Args, channels: number) => number = () => 0,
): (inputs: Shape[], args: Args) => number {
  return ([input], args) => {
    const win = convWindow(args, spatial);
    if (failed(win)) return 0;
    const out = windowOutputShape(input!, win, args, () => 1);
    if (!Array.isArray(out)) return 0;
    const positions = out.slice(1, -1).reduce<number>((a, d) => a * (d ?? 0), 1);
    const channels = (input!.at(-1) as number | null) ?? 0;
    const taps = win.kernel.reduce((a, k) => a * k, 1);
    return positions * (taps * channels + extra(args, channels));
  };
}

function convLayer(spatial: 1 | 2): LayerDef {
  return {
    outputShape: oneInput((input, args) => {
      const win = convWindow(args, spatial);
      if (failed(win)) return win;
      const filters = args['filters'] as number;
      const groups = groupsOf(args);
      if (filters % groups !== 0)
        return {
          error: `filters (${filters}) must be divisible by groups (${groups}).`,
          arg: 'groups',
        };
      return windowOutputShape(input, win, args, (c) =>
        c % groups === 0
          ? filters
          : {
              error: `the input's ${c} channels must be divisible by groups (${groups}).`,
              arg: 'groups',
            },
      );
    }),
    weights([input], args) {
      const win = builtWindow(args, spatial);
      const filters = args['filters'] as number;
      const inChannels = (input!.at(-1) as number) / groupsOf(args);
      const kernel = {
        name: 'kernel',
        shape: [...win.kernel, inChannels, filters],
        trainable: true,
        initializer: args['kernel_initializer'] ?? null,
      };
      if (args['use_bias'] === false) return [kernel];
      const bias = {
        name: 'bias',
        shape: [filters],
        trainable: true,
        initializer: args['bias_initializer'] ?? null,
      };
      return [kernel, bias];
    },
    scratch: convScratch(spatial),
    lowering: convLowering(spatial, (c) => ({
      kernel: 'kernel',
      bias: 'bias',
      filters: c.layer.args['filters'] as number,
      groups: groupsOf(c.layer.args),
      activation: layerActivation(c),
    })),
    engineLimit: channelsLastOnly,
    activation: (args) => args['activation'] ?? 'linear',
    activationArg: 'activation',
  };
}

export const convolutionalLayers: Record<string, LayerDef> = {
  Conv1D: convLayer(1),
  Conv2D: convLayer(2),
};
