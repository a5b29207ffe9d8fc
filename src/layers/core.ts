/** Core layers: Dense, Activation, Dropout, Flatten, Reshape, GaussianNoise. */
import type { Args } from '../catalog/index.js';
import { sizeOf, shapeToString, type LayerRule, type Shape } from './types.js';

const identity = (input: Shape): Shape => input;

const dense: LayerRule = {
  activationArg: 'activation',
  outputShape(input, args) {
    if (input.length < 2) return { error: 'Dense needs at least one feature dimension.' };
    if (input.at(-1) === null) return { error: 'its last dimension must be known.' };
    return [...input.slice(0, -1), args['units'] as number];
  },
  weights(input, args) {
    const units = args['units'] as number;
    const inDim = input.at(-1) as number;
    const kernel = {
      name: 'kernel',
      shape: [inDim, units],
      trainable: true,
      initializer: args['kernel_initializer'] ?? null,
    };
    if (!args['use_bias']) return [kernel];
    return [
      kernel,
      {
        name: 'bias',
        shape: [units],
        trainable: true,
        initializer: args['bias_initializer'] ?? null,
      },
    ];
  },
};

const flatten: LayerRule = {
  outputShape(input) {
    const rest = input.slice(1);
    return [input[0] ?? null, rest.length === 0 ? 1 : sizeOf(rest)];
  },
};

function reshapeTarget(args: Args): number[] {
  const target = args['target_shape'];
  return Array.isArray(target) ? (target as number[]) : [target as number];
}

const reshape: LayerRule = {
  outputShape(input, args) {
    const target = reshapeTarget(args);
    const unknown = target.filter((d) => d === -1).length;
    if (unknown > 1) return { error: 'only one dimension may be -1.', arg: 'target_shape' };
    const inSize = sizeOf(input.slice(1));
    const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (inSize === null) return [input[0] ?? null, ...target.map((d) => (d === -1 ? null : d))];
    if (unknown === 1 ? inSize % known !== 0 : inSize !== known) {
      return {
        error: `its ${inSize} values cannot be arranged as ${shapeToString([null, ...target])}.`,
        arg: 'target_shape',
      };
    }
    return [input[0] ?? null, ...target.map((d) => (d === -1 ? inSize / known : d))];
  },
};

export const coreLayers: Record<string, LayerRule> = {
  Dense: dense,
  Activation: { outputShape: identity, activationArg: 'activation' },
  Dropout: { outputShape: identity },
  GaussianNoise: { outputShape: identity },
  Flatten: flatten,
  Reshape: reshape,
};
