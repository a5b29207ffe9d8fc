/** Core layers: Dense, Activation, Dropout, Flatten, Reshape, GaussianNoise. */
import type { Args } from '../catalog/index.js';
import { lastAxis, type ActivationSpec } from '../ir/index.js';
import {
  activationSpec,
  inputGradient,
  inputShape,
  output,
  reshapeLike,
  type Forward,
  type LayerLowering,
  type LowerContext,
} from './lowering.js';
import {
  oneInput,
  sampleSize,
  sizeOf,
  shapeToString,
  type BuiltLayer,
  type LayerDef,
} from './types.js';

const identity = oneInput((input) => input);

/** Emits an activation step and its backward: Activation and the activation layers share it. */
export function activationLowering(spec: (layer: BuiltLayer) => ActivationSpec): LayerLowering {
  return {
    forward(c, xs) {
      const y = output(c);
      const activation = spec(c.layer);
      c.b.step('activation', c.layer.name, [xs[0]!], [y], {
        ...lastAxis(c.layer.outputShape),
        activation,
      });
      return { xs, y, saved: {} };
    },
    backward(c, f, dy, needDx) {
      const dx = inputGradient(c, needDx[0]);
      if (dx === null) return [null];
      const activation = spec(c.layer);
      c.b.step('activation_backward', c.layer.name, [f.xs[0]!, f.y, dy], [dx], {
        ...lastAxis(c.layer.outputShape),
        activation,
      });
      return [dx];
    },
  };
}

const denseLowering: LayerLowering = {
  forward(c, xs): Forward {
    const x = xs[0]!;
    const { rows, cols: inDim } = lastAxis(inputShape(c.layer));
    const units = c.layer.args['units'] as number;
    const bias = c.param('bias');
    const activation = c.layer.specs.activation ?? activationSpec(null);
    const linear = activation.name === 'linear';
    const z = output(c, linear ? 'out' : 'z');
    const weights = bias === null ? [x, c.param('kernel')!] : [x, c.param('kernel')!, bias];
    c.b.step('dense', c.layer.name, weights, [z], {
      rows,
      in: inDim,
      units,
      bias: bias !== null,
      activation: null,
    });
    if (linear) return { xs, y: z, saved: {} };
    const y = output(c);
    c.b.step('activation', c.layer.name, [z], [y], { rows, cols: units, activation });
    return { xs, y, saved: { z } };
  },
  backward(c, f, dy, needDx) {
    const { rows, cols: inDim } = lastAxis(inputShape(c.layer));
    const units = c.layer.args['units'] as number;
    let dz = dy;
    const z = f.saved['z'];
    if (z !== undefined) {
      dz = c.b.batch(`${c.layer.name}/d_z`, 'gradient', c.layer.outputShape);
      const activation = c.layer.specs.activation ?? activationSpec(null);
      c.b.step('activation_backward', c.layer.name, [z, f.y, dy], [dz], {
        rows,
        cols: units,
        activation,
      });
    }
    const dKernel = c.grad('kernel');
    const dBias = c.grad('bias');
    const dx = inputGradient(c, needDx[0]);
    if (dKernel === null && dx === null) return [null];
    c.b.step(
      'dense_backward',
      c.layer.name,
      [f.xs[0]!, c.param('kernel')!, dz],
      [dx ?? -1, dKernel ?? -1, dBias ?? -1],
      { rows, in: inDim, units },
    );
    return [dx];
  },
};

/** Dropout and GaussianNoise are the identity at inference: lowered faithfully as a copy, which a pass removes. */
export function inferenceIdentity(c: LowerContext, xs: number[]): Forward {
  const y = output(c);
  c.b.step('copy', c.layer.name, [xs[0]!], [y], {
    size: sampleSize(c.layer.outputShape),
    why: `${c.layer.className} is the identity at inference`,
  });
  return { xs, y, saved: {} };
}

const dropoutLowering: LayerLowering = {
  forward(c, xs) {
    if (!c.training) return inferenceIdentity(c, xs);
    const y = output(c);
    const mask = output(c, 'mask');
    c.b.step('dropout', c.layer.name, [xs[0]!], [y, mask], {
      rate: c.layer.args['rate'] as number,
      size: sampleSize(c.layer.outputShape),
      seed: (c.layer.args['seed'] as number | null) ?? null,
    });
    return { xs, y, saved: { mask } };
  },
  backward(c, f, dy, needDx) {
    const dx = inputGradient(c, needDx[0]);
    if (dx === null) return [null];
    c.b.step('dropout_backward', c.layer.name, [dy, f.saved['mask']!], [dx], {
      size: sampleSize(c.layer.outputShape),
    });
    return [dx];
  },
};

const gaussianNoiseLowering: LayerLowering = {
  forward(c, xs) {
    if (!c.training) return inferenceIdentity(c, xs);
    const y = output(c);
    c.b.step('gaussian_noise', c.layer.name, [xs[0]!], [y], {
      stddev: c.layer.args['stddev'] as number,
      size: sampleSize(c.layer.outputShape),
      seed: (c.layer.args['seed'] as number | null) ?? null,
    });
    return { xs, y, saved: {} };
  },
  backward: (_c, _f, dy) => [dy], // y = x + noise: the gradient passes through unchanged
};

const dense: LayerDef = {
  outputShape: oneInput((input, args) => {
    if (input.length < 2) return { error: 'Dense needs at least one feature dimension.' };
    if (input.at(-1) === null) return { error: 'its last dimension must be known.' };
    return [...input.slice(0, -1), args['units'] as number];
  }),
  weights([input], args) {
    const units = args['units'] as number;
    const inDim = input!.at(-1) as number;
    const kernel = {
      name: 'kernel',
      shape: [inDim, units],
      trainable: true,
      initializer: args['kernel_initializer'] ?? null,
    };
    if (!args['use_bias']) return [kernel];
    const bias = {
      name: 'bias',
      shape: [units],
      trainable: true,
      initializer: args['bias_initializer'] ?? null,
    };
    return [kernel, bias];
  },
  lowering: denseLowering,
  activation: (args) => args['activation'] ?? 'linear',
  activationArg: 'activation',
  affine: true,
};

const flatten: LayerDef = {
  outputShape: oneInput((input) => {
    const rest = input.slice(1);
    return [input[0] ?? null, rest.length === 0 ? 1 : sizeOf(rest)];
  }),
  lowering: reshapeLike,
};

function reshapeTarget(args: Args): number[] {
  const target = args['target_shape'];
  return Array.isArray(target) ? (target as number[]) : [target as number];
}

const reshape: LayerDef = {
  outputShape: oneInput((input, args) => {
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
  }),
  lowering: reshapeLike,
};

export const coreLayers: Record<string, LayerDef> = {
  Dense: dense,
  Activation: {
    outputShape: identity,
    lowering: activationLowering((layer) => layer.specs.activation ?? activationSpec(null)),
    activation: (args) => args['activation'] ?? 'linear',
    activationArg: 'activation',
  },
  Dropout: {
    outputShape: identity,
    lowering: dropoutLowering,
    passesActivation: true,
    // The mask: one value per element.
    dropoutWorkspace: (input) => sampleSize(input),
    engineLimit: (args) =>
      args['noise_shape'] === null || args['noise_shape'] === undefined
        ? undefined
        : {
            error:
              'the engine drops single values, not whole features, so noise_shape must be None.',
            arg: 'noise_shape',
          },
  },
  GaussianNoise: { outputShape: identity, lowering: gaussianNoiseLowering, passesActivation: true },
  Flatten: flatten,
  Reshape: reshape,
};
