/**
 * Keras 3's masks (from Embedding(mask_zero=True)): which layers carry a mask on to their
 * output, which consume it, and which the engine refuses one for. Keras sets a mask on a layer's
 * output when the layer `supports_masking`, by its `compute_mask`; a layer that does not support
 * masking drops it with a warning. The engine runs a masked input only where it computes what
 * Keras computes with it: everywhere else the checker refuses it (NN2015), never a silently
 * different model.
 */
import { isCallValue, type Args } from '../catalog/index.js';

/** Keras 3 layers whose compute_mask returns their input's mask and whose call ignores it. */
const passesMask = new Set([
  'Dense',
  'Dropout',
  'Activation',
  'LayerNormalization',
  'GaussianNoise',
]);

/** The recurrent layers: they read the mask, and return it with return_sequences (compute_mask). */
const recurrent = new Set(['LSTM', 'GRU', 'SimpleRNN']);

/**
 * Whether the layer's output carries a mask, given whether its input does; undefined when a
 * masked input reaches a layer the engine does not run with a mask.
 */
export function outputMask(className: string, args: Args, masked: boolean): boolean | undefined {
  // Keras's Embedding computes its own mask from the ids, whatever reached it.
  if (className === 'Embedding') return args['mask_zero'] === true;
  if (!masked) return false;
  if (passesMask.has(className)) return true;
  if (className === 'TimeDistributed') {
    const inner = args['layer'];
    return isCallValue(inner) && passesMask.has(inner.call) ? true : undefined;
  }
  if (recurrent.has(className)) return args['return_sequences'] === true;
  if (className === 'Bidirectional') {
    const inner = args['layer'];
    return isCallValue(inner) ? inner.args['return_sequences'] === true : undefined;
  }
  // The masked mean; its compute_mask returns None.
  if (className === 'GlobalAveragePooling1D') return false;
  return undefined;
}

/** The layers a mask may reach, for messages. */
export const maskingLayers: readonly string[] = [
  ...passesMask,
  'TimeDistributed',
  ...recurrent,
  'Bidirectional',
  'GlobalAveragePooling1D',
];
