/**
 * TimeDistributed(layer): the inner layer applied to every time step with shared weights. Keras
 * folds the steps into the batch; the engine's per-step layers act on the last axis over all
 * leading rows already, so the inner layer's own lowering runs over batch × steps rows.
 */
import { isCallValue, type Args, type CallValue } from '../catalog/index.js';
import type { LowerContext } from './lowering.js';
import { isShapeError, oneInput, shapeToString, type LayerDef, type Shape } from './types.js';

/**
 * Layers whose lowering computes each row of the last axis on its own (or each element), so that
 * lowering them over (batch, steps, …) is TimeDistributed's computation.
 */
const perStepLayers = new Set([
  'Dense',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'Softmax',
  'LayerNormalization',
  'UnitNormalization',
  'Dropout',
  'GaussianNoise',
]);

/** The wrapped layer call (the checker bound it against the layer catalog). */
function innerCall(args: Args): CallValue {
  const inner = args['layer'];
  if (!isCallValue(inner)) throw new Error('internal: TimeDistributed without a layer call.');
  return inner;
}

/** One step's shape: the batch, then the axes after the time axis. */
function stepShape(input: Shape): Shape {
  return [input[0] ?? null, ...input.slice(2)];
}

/** TimeDistributed over the engine's layer definitions (`defs`, read lazily: this def is one of them). */
export function timeDistributed(defs: () => Readonly<Record<string, LayerDef>>): LayerDef {
  const innerDef = (args: Args): LayerDef | undefined => defs()[innerCall(args).call];
  const innerContext = (c: LowerContext): LowerContext => ({
    ...c,
    layer: { ...c.layer, args: innerCall(c.layer.args).args },
  });
  return {
    outputShape: oneInput((input, args) => {
      const inner = innerCall(args);
      if (input.length < 3)
        return {
          error: `it needs a time axis, an input (batch, steps, …), found ${shapeToString(input)}.`,
        };
      const def = innerDef(args);
      if (inner.call === 'Input' || inner.call === 'InputLayer')
        return {
          error: `${inner.call}(…) declares a model's input; TimeDistributed wraps a layer such as Dense(8).`,
          arg: 'layer',
        };
      if (!def) return { error: `the engine cannot run ${inner.call} layers yet.`, arg: 'layer' };
      const step = def.outputShape([stepShape(input)], inner.args);
      if (isShapeError(step))
        return {
          error: `${inner.call} cannot take a step of shape ${shapeToString(stepShape(input))}: ${step.error}`,
          arg: 'layer',
        };
      return [input[0] ?? null, input[1] ?? null, ...step.slice(1)];
    }),
    weights: ([input], args) =>
      innerDef(args)?.weights?.([stepShape(input!)], innerCall(args).args) ?? [],
    lowering: {
      forward: (c, xs) => innerDef(c.layer.args)!.lowering!.forward(innerContext(c), xs),
      backward: (c, f, dy, needDx) =>
        innerDef(c.layer.args)!.lowering!.backward(innerContext(c), f, dy, needDx),
    },
    engineLimit(args) {
      const inner = args['layer'];
      if (!isCallValue(inner) || perStepLayers.has(inner.call)) return undefined;
      return {
        error: `the engine runs TimeDistributed over ${[...perStepLayers].join(', ')} only, not over ${inner.call} yet.`,
        arg: 'layer',
      };
    },
  };
}
