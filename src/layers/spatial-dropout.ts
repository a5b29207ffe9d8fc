/**
 * SpatialDropout1D/2D: Dropout of whole channels (Keras's noise_shape (batch, 1, …, channels)),
 * for feature maps whose neighbouring positions are correlated. Training only: at inference it
 * is lowered as Dropout is, a copy that the drop-inference-noise pass removes.
 */
import { inferenceIdentity } from './core.js';
import { inputGradient, output, type LayerLowering } from './lowering.js';
import { channelsLastOnly, expectSpatialRank, spatialLayout } from './spatial.js';
import { oneInput, type BuiltLayer, type LayerDef } from './types.js';

/** Positions per sample and channels of a built channels_last layer. */
function layout(layer: BuiltLayer): { steps: number; channels: number } {
  const { sizes, channels } = spatialLayout(layer.outputShape);
  return { steps: sizes.reduce((a, b) => a * b, 1), channels };
}

const spatialDropoutLowering: LayerLowering = {
  forward(c, xs) {
    if (!c.training) return inferenceIdentity(c, xs);
    const y = output(c);
    const mask = c.b.batch(`${c.layer.name}/mask`, 'activation', [null, layout(c.layer).channels]);
    c.b.step('spatial_dropout', c.layer.name, [xs[0]!], [y, mask], {
      rate: c.layer.args['rate'] as number,
      ...layout(c.layer),
      seed: (c.layer.args['seed'] as number | null) ?? null,
    });
    return { xs, y, saved: { mask } };
  },
  backward(c, f, dy, needDx) {
    const dx = inputGradient(c, needDx[0]);
    if (dx === null) return [null];
    c.b.step(
      'spatial_dropout_backward',
      c.layer.name,
      [dy, f.saved['mask']!],
      [dx],
      layout(c.layer),
    );
    return [dx];
  },
};

function spatialDropout(spatial: number): LayerDef {
  return {
    outputShape: oneInput((input) => expectSpatialRank(input, spatial) ?? input),
    lowering: spatialDropoutLowering,
    passesActivation: true,
    engineLimit: (args) => channelsLastOnly(args),
    // The mask: one value per channel of each sample.
    dropoutWorkspace: (input) => input.at(-1) ?? 0,
  };
}

export const spatialDropoutLayers: Record<string, LayerDef> = {
  SpatialDropout1D: spatialDropout(1),
  SpatialDropout2D: spatialDropout(2),
};
