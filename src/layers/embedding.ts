/** Embedding: integer token ids (carried as floats) to rows of a learned table. */
import { output } from './lowering.js';
import {
  oneInput,
  sampleSize,
  type LayerDef,
  type LayerLowering,
  type LowerContext,
} from './types.js';

function sizes(c: LowerContext): { tokens: number; vocab: number; dim: number } {
  return {
    tokens: sampleSize(c.layer.inputShapes[0]!),
    vocab: c.layer.args['input_dim'] as number,
    dim: c.layer.args['output_dim'] as number,
  };
}

const embeddingLowering: LayerLowering = {
  forward(c, xs) {
    const y = output(c);
    c.b.step('embedding', c.layer.name, [xs[0]!, c.param('embeddings')!], [y], sizes(c));
    return { xs, y, saved: {} };
  },
  backward(c, f, dy) {
    // Token ids have no gradient; only the table learns.
    const dTable = c.grad('embeddings');
    if (dTable !== null)
      c.b.step('embedding_backward', c.layer.name, [f.xs[0]!, dy], [dTable], sizes(c));
    return [null];
  },
};

export const embeddingLayers: Record<string, LayerDef> = {
  Embedding: {
    // Keras: input_shape + (output_dim,), whatever the input's rank.
    outputShape: oneInput((input, args) => [...input, args['output_dim'] as number]),
    weights: (_inputs, args) => [
      {
        name: 'embeddings',
        shape: [args['input_dim'] as number, args['output_dim'] as number],
        trainable: true,
        initializer: args['embeddings_initializer'] ?? null,
      },
    ],
    lowering: embeddingLowering,
    engineLimit: (args) =>
      args['mask_zero'] === true
        ? {
            error:
              'the engine does not carry masks to the layers after it yet, so mask_zero must be False (pad with a token the model can learn to ignore instead).',
            arg: 'mask_zero',
          }
        : undefined,
  },
};
