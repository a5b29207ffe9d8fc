/**
 * Layer definitions beside the catalog, one `LayerDef` per Keras layer, grouped by family:
 * shape rule, weights, lowering and advice facts. Adding a layer means a catalog entry, its
 * definition here, and its kernels.
 */
import { activationLayers } from './activation.js';
import { convolutionalLayers } from './convolutional.js';
import { coreLayers } from './core.js';
import { depthwiseLayers } from './depthwise.js';
import { embeddingLayers } from './embedding.js';
import { globalPoolingLayers } from './global-pooling.js';
import { mergingLayers } from './merging.js';
import { normalizationLayers } from './normalization.js';
import { recurrentLayers } from './recurrent.js';
import { reshapingLayers } from './reshaping.js';
import { spatialDropoutLayers } from './spatial-dropout.js';
import { timeDistributed } from './wrappers.js';
import { poolingLayers } from './pooling.js';
import { bidirectional } from './bidirectional.js';
import type { LayerDef } from './types.js';

export * from './types.js';
export { groupThousands, readableSize, exactProduct, roundHalfEven } from './sizes.js';
export {
  inferShapes,
  buildLayer,
  outputNamesOf,
  modelInput,
  inputIndex,
  functionalOrder,
  type ShapeNode,
  type InferredNode,
} from './infer.js';
export { outputMask, maskingLayers } from './masking.js';
export { activationSpec, type LayerLowering, type LowerContext, type Forward } from './lowering.js';

/** Input and InputLayer have no definition: they declare a shape and are not layers of the chain. */
export const inputLayers = new Set(['Input', 'InputLayer']);

export const layerDefs: Readonly<Record<string, LayerDef>> = {
  ...coreLayers,
  ...normalizationLayers,
  ...activationLayers,
  ...mergingLayers,
  ...embeddingLayers,
  ...recurrentLayers,
  ...globalPoolingLayers,
  ...reshapingLayers,
  ...spatialDropoutLayers,
  TimeDistributed: timeDistributed(() => layerDefs),
  ...convolutionalLayers,
  ...depthwiseLayers,
  ...poolingLayers,
  Bidirectional: bidirectional,
};

/** Keras's automatic layer name prefix: `Dense` → `dense`, `LeakyReLU` → `leaky_re_lu`. */
export function toSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
