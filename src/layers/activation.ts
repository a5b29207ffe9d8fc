/** Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax. */
import { resolveActivation } from '../kernels/index.js';
import { activationLowering } from './core.js';
import { inputGradient, inputShape, output, type LayerLowering } from './lowering.js';
import {
  lastAxisOnly,
  normalizeAxis,
  oneInput,
  sampleSize,
  type BuiltLayer,
  type LayerDef,
} from './types.js';

const identity = oneInput((input) => input);

/** PReLU's alpha index for each feature position: shared axes repeat one alpha. */
function alphaIndex(layer: BuiltLayer): number[] {
  const dims = inputShape(layer).slice(1) as number[];
  const shared = new Set((layer.args['shared_axes'] as number[] | null) ?? []);
  const alphaDims = dims.map((d, i) => (shared.has(i + 1) ? 1 : d));
  const index: number[] = [];
  const size = dims.reduce((a, b) => a * b, 1);
  for (let f = 0; f < size; f++) {
    let rest = f;
    let a = 0;
    let stride = 1;
    for (let i = dims.length - 1; i >= 0; i--) {
      const coord = rest % dims[i]!;
      rest = Math.floor(rest / dims[i]!);
      a += (alphaDims[i] === 1 ? 0 : coord) * stride;
      stride *= alphaDims[i]!;
    }
    index.push(a);
  }
  return index;
}

const preluLowering: LayerLowering = {
  forward(c, xs) {
    const y = output(c);
    c.b.step('prelu', c.layer.name, [xs[0]!, c.param('alpha')!], [y], {
      size: sampleSize(c.layer.outputShape),
      alphaIndex: alphaIndex(c.layer),
    });
    return { xs, y, saved: {} };
  },
  backward(c, f, dy, needDx) {
    const dx = inputGradient(c, needDx[0]);
    const dAlpha = c.grad('alpha');
    if (dx === null && dAlpha === null) return [null];
    c.b.step(
      'prelu_backward',
      c.layer.name,
      [f.xs[0]!, c.param('alpha')!, dy],
      [dx ?? -1, dAlpha ?? -1],
      { size: sampleSize(c.layer.outputShape), alphaIndex: alphaIndex(c.layer) },
    );
    return [dx];
  },
};

const prelu: LayerDef = {
  outputShape: oneInput((input, args) => {
    for (const a of (args['shared_axes'] as number[] | null) ?? []) {
      if (a < 1 || a >= input.length)
        return {
          error: `shared axis ${a} is out of range for rank ${input.length}.`,
          arg: 'shared_axes',
        };
    }
    if (input.slice(1).some((d) => d === null))
      return { error: 'PReLU needs every non-batch dimension known.' };
    return input;
  }),
  weights([input], args) {
    const shared = new Set((args['shared_axes'] as number[] | null) ?? []);
    const shape = input!.slice(1).map((d, i) => (shared.has(i + 1) ? 1 : (d as number)));
    return [
      { name: 'alpha', shape, trainable: true, initializer: args['alpha_initializer'] ?? 'zeros' },
    ];
  },
  lowering: preluLowering,
};

const softmax: LayerDef = {
  outputShape: oneInput((input, args) => {
    const axes = Array.isArray(args['axis'])
      ? (args['axis'] as number[])
      : [(args['axis'] as number) ?? -1];
    for (const a of axes) {
      if (normalizeAxis(a, input.length) === undefined)
        return { error: `axis ${a} is out of range for rank ${input.length}.`, arg: 'axis' };
    }
    return input;
  }),
  lowering: activationLowering(() => resolveActivation('softmax')),
  engineLimit: (args, rank) =>
    Array.isArray(args['axis'])
      ? {
          error: 'the engine works over the last axis only, given as one integer (axis=-1).',
          arg: 'axis',
        }
      : lastAxisOnly(
          args,
          rank,
          'the engine works over the last axis only, given as one integer (axis=-1).',
        ),
  activation: () => 'softmax',
};

export const activationLayers: Record<string, LayerDef> = {
  ReLU: {
    outputShape: identity,
    lowering: activationLowering(({ args }) =>
      resolveActivation('relu', {
        max_value: args['max_value'] ?? null,
        negative_slope: args['negative_slope'] ?? 0,
        threshold: args['threshold'] ?? 0,
      }),
    ),
  },
  LeakyReLU: {
    outputShape: identity,
    lowering: activationLowering(({ args }) =>
      resolveActivation('leaky_relu', { negative_slope: args['negative_slope'] ?? 0.3 }),
    ),
  },
  PReLU: prelu,
  ELU: {
    outputShape: identity,
    lowering: activationLowering(({ args }) =>
      resolveActivation('elu', { alpha: args['alpha'] ?? 1 }),
    ),
  },
  Softmax: softmax,
};
