import { paramCounts, type ModelGraph } from '../layers/index.js';
import type { SummaryInput } from './render.js';

/** The summary table of a model: Keras lists every layer but the input. */
export function summaryInputOf(model: ModelGraph): SummaryInput {
  let trainableParams = 0;
  let nonTrainableParams = 0;
  const rows = model.layers.map((layer) => {
    const { trainable, nonTrainable } = paramCounts(layer);
    trainableParams += trainable;
    nonTrainableParams += nonTrainable;
    const built = layer.outputShape !== null;
    return {
      name: layer.name,
      className: layer.className,
      outputShape: layer.outputShape ?? [],
      params: built ? trainable + nonTrainable : ('unbuilt' as const),
    };
  });
  return { modelName: model.name, rows, trainableParams, nonTrainableParams };
}
