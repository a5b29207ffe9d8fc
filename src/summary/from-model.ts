import { exactProduct, type GraphLayer, type ModelGraph } from '../layers/index.js';
import type { SummaryInput } from './render.js';

/** The summary table of a model: Keras lists every layer but the input. */
export function summaryInputOf(model: ModelGraph): SummaryInput {
  let trainableParams = 0n;
  let nonTrainableParams = 0n;
  const rows = model.layers.map((layer) => {
    const { trainable, nonTrainable } = exactCounts(layer);
    trainableParams += trainable;
    nonTrainableParams += nonTrainable;
    const built = layer.outputShape !== null;
    return {
      name: layer.name,
      className: layer.className,
      outputShape: layer.outputShape ?? [],
      params: built ? plain(trainable + nonTrainable) : ('unbuilt' as const),
    };
  });
  return {
    modelName: model.name,
    rows,
    trainableParams: plain(trainableParams),
    nonTrainableParams: plain(nonTrainableParams),
  };
}

/** paramCounts in exact integers: a float product of huge shapes loses digits past 2^53. */
function exactCounts(layer: GraphLayer): { trainable: bigint; nonTrainable: bigint } {
  let trainable = 0n;
  let nonTrainable = 0n;
  for (const w of layer.weights) {
    if (w.trainable) trainable += exactProduct(w.shape);
    else nonTrainable += exactProduct(w.shape);
  }
  return { trainable, nonTrainable };
}

/** A number while it is exact, else the bigint. */
function plain(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}
