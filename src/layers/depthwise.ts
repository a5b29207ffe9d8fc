/**
 * Depthwise and separable convolutions: DepthwiseConv1D/2D and SeparableConv1D/2D, channels
 * last. A depthwise convolution is the grouped `conv` step with one group per input channel and
 * depth_multiplier filters each: Keras's depthwise kernel (kh, kw, in, multiplier) is, element
 * for element, the grouped kernel (kh, kw, 1, in·multiplier), so the weights are used as stored
 * and output channel c·multiplier + m is input channel c's m-th filter, as in Keras. A separable
 * convolution is that depthwise step (no bias, no activation) followed by the pointwise 1×1
 * convolution, which is a `dense` step over every output position (pointwise kernel
 * (1, [1,] in·multiplier, filters) read as a matrix), with the bias and activation.
 */
import type { Args } from '../catalog/index.js';
import { lastAxis, type WindowGeometry } from '../ir/index.js';
import {
  builtWindow,
  convLowering,
  convScratch,
  convWindow,
  layerActivation,
  lowerConv,
  lowerConvBackward,
  type ConvPart,
} from './convolutional.js';
import {
  inputGradient,
  inputShape,
  output,
  type Forward,
  type LayerLowering,
  type LowerContext,
} from './lowering.js';
import { oneInput, type LayerDef, type Shape, type WeightSpec } from './types.js';
import { channelsLastOnly, failed, windowGeometry, windowOutputShape } from './window.js';

function multiplierOf(args: Args): number {
  return (args['depth_multiplier'] as number | undefined) ?? 1;
}

/** The input's channels, known once the layer is built. */
function channelsOf(c: LowerContext): number {
  return inputShape(c.layer).at(-1) as number;
}

/** The depthwise step of a built layer: one group per input channel; `fused` adds bias and activation. */
function depthwisePart(c: LowerContext, kernel: string, fused: boolean): ConvPart {
  const channels = channelsOf(c);
  return {
    kernel,
    bias: fused ? 'bias' : null,
    filters: channels * multiplierOf(c.layer.args),
    groups: channels,
    activation: fused ? layerActivation(c) : null,
  };
}

/** The depthwise kernel (kh, kw, in, multiplier), whose arguments are depthwise_*. */
function depthwiseKernel(input: Shape, args: Args, spatial: 1 | 2, name: string): WeightSpec {
  return {
    name,
    shape: [...builtWindow(args, spatial).kernel, input.at(-1) as number, multiplierOf(args)],
    trainable: true,
    initializer: args['depthwise_initializer'] ?? null,
    argPrefix: 'depthwise',
  };
}

function biasWeight(args: Args, size: number): WeightSpec[] {
  if (args['use_bias'] === false) return [];
  return [
    { name: 'bias', shape: [size], trainable: true, initializer: args['bias_initializer'] ?? null },
  ];
}

/** The fields Depthwise and Separable layers share: output shape, engine limit, activation. */
function windowed(
  spatial: 1 | 2,
  channels: (args: Args, inChannels: number) => number,
): Pick<LayerDef, 'outputShape' | 'engineLimit' | 'activation' | 'activationArg'> {
  return {
    outputShape: oneInput((input, args) => {
      const win = convWindow(args, spatial);
      if (failed(win)) return win;
      return windowOutputShape(input, win, args, (c) => channels(args, c));
    }),
    engineLimit: channelsLastOnly,
    activation: (args) => args['activation'] ?? 'linear',
    activationArg: 'activation',
  };
}

function depthwiseLayer(spatial: 1 | 2): LayerDef {
  return {
    ...windowed(spatial, (args, c) => c * multiplierOf(args)),
    weights([input], args) {
      const kernel = depthwiseKernel(input!, args, spatial, 'kernel');
      return [kernel, ...biasWeight(args, (input!.at(-1) as number) * multiplierOf(args))];
    },
    scratch: convScratch(spatial),
    lowering: convLowering(spatial, (c) => depthwisePart(c, 'kernel', true)),
  };
}

/**
 * SeparableConv: the depthwise `conv` step into `<name>/depthwise`, then `dense` (pointwise,
 * with bias) and the activation, which the passes fuse into it as they do Dense's.
 */
function separableLowering(spatial: 1 | 2): LayerLowering {
  const geometry = (c: LowerContext): WindowGeometry =>
    windowGeometry(inputShape(c.layer), builtWindow(c.layer.args, spatial));
  const depthShape = (c: LowerContext): Shape => {
    const out = c.layer.outputShape;
    return [...out.slice(0, -1), channelsOf(c) * multiplierOf(c.layer.args)];
  };
  const pointwise = (c: LowerContext) => ({
    rows: lastAxis(c.layer.outputShape).rows,
    in: channelsOf(c) * multiplierOf(c.layer.args),
    units: c.layer.args['filters'] as number,
  });
  return {
    forward(c, xs): Forward {
      const depth = c.b.batch(`${c.layer.name}/depthwise`, 'activation', depthShape(c));
      const saved = lowerConv(
        c,
        geometry(c),
        depthwisePart(c, 'depthwise_kernel', false),
        xs[0]!,
        depth,
      );
      const bias = c.param('bias');
      const activation = layerActivation(c);
      const linear = activation.name === 'linear';
      const z = output(c, linear ? 'out' : 'z');
      const p = pointwise(c);
      const inputs = [depth, c.param('pointwise_kernel')!, ...(bias === null ? [] : [bias])];
      c.b.step('dense', c.layer.name, inputs, [z], { ...p, bias: bias !== null, activation: null });
      const kept = { col: saved.col, depth };
      if (linear) return { xs, y: z, saved: kept };
      const y = output(c);
      c.b.step('activation', c.layer.name, [z], [y], { rows: p.rows, cols: p.units, activation });
      return { xs, y, saved: { ...kept, z } };
    },
    backward(c, f, dy, needDx) {
      const p = pointwise(c);
      let dz = dy;
      const z = f.saved['z'];
      if (z !== undefined) {
        dz = c.b.batch(`${c.layer.name}/d_z`, 'gradient', c.layer.outputShape);
        c.b.step('activation_backward', c.layer.name, [z, f.y, dy], [dz], {
          rows: p.rows,
          cols: p.units,
          activation: layerActivation(c),
        });
      }
      const dx = inputGradient(c, needDx[0]);
      const part = depthwisePart(c, 'depthwise_kernel', false);
      const needDepth = dx !== null || c.grad('depthwise_kernel') !== null;
      const dDepth = needDepth
        ? c.b.batch(`${c.layer.name}/d_depthwise`, 'gradient', depthShape(c))
        : null;
      const [dPointwise, dBias] = [c.grad('pointwise_kernel'), c.grad('bias')];
      if (dDepth !== null || dPointwise !== null || dBias !== null)
        c.b.step(
          'dense_backward',
          c.layer.name,
          [f.saved['depth']!, c.param('pointwise_kernel')!, dz],
          [dDepth ?? -1, dPointwise ?? -1, dBias ?? -1],
          p,
        );
      if (dDepth !== null) {
        const saved = { col: f.saved['col']!, z: null };
        lowerConvBackward(c, geometry(c), part, saved, f.saved['depth']!, dDepth, dx);
      }
      return [dx];
    },
  };
}

function separableLayer(spatial: 1 | 2): LayerDef {
  return {
    ...windowed(spatial, (args) => args['filters'] as number),
    weights([input], args) {
      const depth = (input!.at(-1) as number) * multiplierOf(args);
      const filters = args['filters'] as number;
      return [
        depthwiseKernel(input!, args, spatial, 'depthwise_kernel'),
        {
          name: 'pointwise_kernel',
          shape: [...Array<number>(spatial).fill(1), depth, filters],
          trainable: true,
          initializer: args['pointwise_initializer'] ?? null,
          argPrefix: 'pointwise',
        },
        ...biasWeight(args, filters),
      ];
    },
    // The im2col matrix and the depthwise output.
    scratch: convScratch(spatial, (args, c) => c * multiplierOf(args)),
    lowering: separableLowering(spatial),
  };
}

export const depthwiseLayers: Record<string, LayerDef> = {
  DepthwiseConv1D: depthwiseLayer(1),
  DepthwiseConv2D: depthwiseLayer(2),
  SeparableConv1D: separableLayer(1),
  SeparableConv2D: separableLayer(2),
};
