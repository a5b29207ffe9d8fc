/** Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax. */
import { normalizeAxis, type LayerRule, type Shape } from './types.js';

const identity = (input: Shape): Shape => input;

const prelu: LayerRule = {
  outputShape(input, args) {
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
  },
  weights(input, args) {
    const shared = new Set((args['shared_axes'] as number[] | null) ?? []);
    const shape = input.slice(1).map((d, i) => (shared.has(i + 1) ? 1 : (d as number)));
    return [
      { name: 'alpha', shape, trainable: true, initializer: args['alpha_initializer'] ?? 'zeros' },
    ];
  },
};

const softmax: LayerRule = {
  outputShape(input, args) {
    const axes = Array.isArray(args['axis'])
      ? (args['axis'] as number[])
      : [(args['axis'] as number) ?? -1];
    for (const a of axes) {
      if (normalizeAxis(a, input.length) === undefined)
        return { error: `axis ${a} is out of range for rank ${input.length}.`, arg: 'axis' };
    }
    return input;
  },
};

export const activationLayers: Record<string, LayerRule> = {
  ReLU: { outputShape: identity },
  LeakyReLU: { outputShape: identity },
  PReLU: prelu,
  ELU: { outputShape: identity },
  Softmax: softmax,
};
