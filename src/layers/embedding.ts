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
    const { tokens } = sizes(c);
    c.b.step('embedding', c.layer.name, [xs[0]!, c.param('embeddings')!], [y], sizes(c));
    if (c.layer.args['mask_zero'] !== true) return { xs, y, saved: {} };
    // Keras's compute_mask: the ids that are not 0, once per batch, for the layers after it.
    const mask = c.b.batch(`${c.layer.name}/mask`, 'activation', c.layer.inputShapes[0]!);
    c.b.step('token_mask', c.layer.name, [xs[0]!], [mask], { size: tokens });
    return { xs, y, saved: {}, mask };
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
  },
};
