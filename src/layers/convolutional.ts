/**
 * Convolution layers: Conv1D and Conv2D, channels last, lowered to one `conv` step (im2col and
 * the blocked matmul, with bias and activation fused as Dense's are) and one `conv_backward`.
 * Keras's kernel layout (kh, kw, in/groups, filters) is the row order of the im2col matrix, so
 * the weights are used as stored. Conv1D is Conv2D of height 1.
 */
import type { Args } from '../catalog/index.js';
import { PlanError, type WindowGeometry } from '../ir/index.js';
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
function convWindow(args: Args, spatial: 1 | 2): Window | ShapeError {
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
function builtWindow(args: Args, spatial: 1 | 2): Window {
  const win = convWindow(args, spatial);
  if (failed(win)) throw new PlanError(win.error);
  return win;
}

function groupsOf(args: Args): number {
  return (args['groups'] as number | undefined) ?? 1;
}

function convLowering(spatial: 1 | 2): LayerLowering {
  const geometry = (c: LowerContext): WindowGeometry =>
    windowGeometry(inputShape(c.layer), builtWindow(c.layer.args, spatial));
  const colShape = (g: WindowGeometry): Shape => [null, g.oh * g.ow, windowTaps(g)];
  return {
    forward(c, xs): Forward {
      const g = geometry(c);
      const filters = c.layer.args['filters'] as number;
      const bias = c.param('bias');
      const spec = c.layer.specs.activation ?? activationSpec(null);
      const activation = spec.name === 'linear' ? null : spec;
      const y = output(c);
      const col = c.b.batch(`${c.layer.name}/col`, 'activation', colShape(g));
      // Training keeps the pre-activation for the activation's backward, as Dense does.
      const z = c.training && activation ? output(c, 'z') : null;
      const inputs = [xs[0]!, c.param('kernel')!, ...(bias === null ? [] : [bias])];
      c.b.step('conv', c.layer.name, inputs, z === null ? [y, col] : [y, col, z], {
        ...g,
        filters,
        bias: bias !== null,
        activation,
      });
      const saved: Record<string, number> = z === null ? { col } : { col, z };
      return { xs, y, saved };
    },
    backward(c, f, dy, needDx) {
      const g = geometry(c);
      const filters = c.layer.args['filters'] as number;
      let dz = dy;
      const z = f.saved['z'];
      if (z !== undefined) {
        dz = c.b.batch(`${c.layer.name}/d_z`, 'gradient', c.layer.outputShape);
        c.b.step('activation_backward', c.layer.name, [z, f.y, dy], [dz], {
          rows: g.oh * g.ow,
          cols: filters,
          activation: c.layer.specs.activation ?? activationSpec(null),
        });
      }
      const dKernel = c.grad('kernel');
      const dBias = c.grad('bias');
      const dx = inputGradient(c, needDx[0]);
      if (dKernel === null && dBias === null && dx === null) return [null];
      const dcol = dx === null ? -1 : c.b.batch(`${c.layer.name}/d_col`, 'gradient', colShape(g));
      c.b.step(
        'conv_backward',
        c.layer.name,
        [f.saved['col']!, c.param('kernel')!, dz],
        [dx ?? -1, dKernel ?? -1, dBias ?? -1, dcol],
        { ...g, filters },
      );
      return [dx];
    },
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
    scratch([input], args) {
      const win = convWindow(args, spatial);
      if (failed(win)) return 0;
      const out = windowOutputShape(input!, win, args, () => 1);
      if (!Array.isArray(out)) return 0;
      const positions = out.slice(1, -1).reduce<number>((a, d) => a * (d ?? 0), 1);
      const channels = (input!.at(-1) as number | null) ?? 0;
      return positions * win.kernel.reduce((a, k) => a * k, 1) * channels;
    },
    lowering: convLowering(spatial),
    engineLimit: (args) =>
      channelsLastOnly(args) ??
      (groupsOf(args) === 1
        ? undefined
        : { error: 'the engine runs ungrouped convolutions only (groups=1).', arg: 'groups' }),
    activation: (args) => args['activation'] ?? 'linear',
    activationArg: 'activation',
  };
}

export const convolutionalLayers: Record<string, LayerDef> = {
  Conv1D: convLayer(1),
  Conv2D: convLayer(2),
};
