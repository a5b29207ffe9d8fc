/** Inlay hints: each layer's output shape and parameter count, after the layer. */
import { groupThousands, paramCounts } from '../layers/index.js';
import type { Analysis } from './analysis.js';
import { shapeText } from './hover.js';
import type { Position } from './positions.js';

export interface InlayHint {
  position: Position;
  /** ` → (None, 8) · 40 params`. */
  label: string;
  tooltip: string;
}

/** One hint per layer whose output shape is known, at the end of its call. */
export function inlayHints(a: Analysis): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const model of a.result.models)
    for (const layer of model.layers) {
      if (!layer.outputShape) continue;
      const { trainable, nonTrainable } = paramCounts(layer);
      const total = trainable + nonTrainable;
      const params = total > 0 ? ` · ${groupThousands(total)} params` : '';
      hints.push({
        position: a.index.position(layer.range.end.offset),
        label: `→ ${shapeText(layer.outputShape)}${params}`,
        tooltip: `${layer.name} (${layer.className}) of model '${model.name}'`,
      });
    }
  return hints.sort(
    (x, y) => x.position.line - y.position.line || x.position.character - y.position.character,
  );
}
