/** Merge layers: they join several tensors, so they only appear in graph models. */
import type { LayerRule } from './types.js';

const needsGraph: LayerRule = {
  merge: true,
  outputShape: () => ({
    error: 'a merge layer joins several tensors and cannot stand in a single chain.',
  }),
};

export const mergingLayers: Record<string, LayerRule> = {
  Add: needsGraph,
  Concatenate: needsGraph,
};
