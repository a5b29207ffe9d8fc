/**
 * Builds a model's layers for a known input shape — what Keras does on the first call when
 * the .nn file left the input to the data: each layer's output shape and weights from its
 * rule in src/layers.
 */
import type { CheckedLayer } from '../check/index.js';
import { isShapeError, layerRules, shapeToString, type Shape } from '../layers/index.js';
import { PlanError } from './builder.js';

export function buildLayers(layers: readonly CheckedLayer[], inputShape: Shape): CheckedLayer[] {
  let shape = inputShape;
  return layers.map((layer) => {
    const rule = layerRules[layer.className];
    if (!rule) throw new PlanError(`the engine cannot run ${layer.className} layers yet.`);
    const out = rule.outputShape(shape, layer.args);
    if (isShapeError(out))
      throw new PlanError(
        `'${layer.name}' (${layer.className}) cannot take an input of shape ${shapeToString(shape)}: ${out.error}`,
      );
    const built: CheckedLayer = {
      ...layer,
      inputShape: shape,
      outputShape: out,
      weights: rule.weights?.(shape, layer.args) ?? [],
    };
    shape = out;
    return built;
  });
}
