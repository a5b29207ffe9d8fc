/**
 * Layer definitions beside the catalog: shape rules and weights, one per Keras layer,
 * grouped by family. Adding a layer means a catalog entry plus one rule here.
 */
import { activationLayers } from './activation.js';
import { coreLayers } from './core.js';
import { mergingLayers } from './merging.js';
import { normalizationLayers } from './normalization.js';
import type { LayerRule } from './types.js';

export * from './types.js';

/** Input and InputLayer have no rule: they declare a shape and are not layers of the chain. */
export const inputLayers = new Set(['Input', 'InputLayer']);

export const layerRules: Readonly<Record<string, LayerRule>> = {
  ...coreLayers,
  ...normalizationLayers,
  ...activationLayers,
  ...mergingLayers,
};

/** Keras's automatic layer name prefix: `Dense` → `dense`, `LeakyReLU` → `leaky_re_lu`. */
export function toSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
