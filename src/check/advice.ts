/**
 * The lectures' advice as warnings and hints (5xxx): patterns that train badly or do nothing,
 * though Keras accepts them.
 */
import { catalog } from '../catalog/index.js';
import type { Binder } from './bind.js';
import type { CheckedLayer, CheckedModel } from './types.js';

const reluLike = new Set(['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'mish']);
const glorot = new Set(['GlorotUniform', 'GlorotNormal']);
const passThrough = new Set(['Dropout', 'GaussianNoise']);

function activationOf(layer: CheckedLayer): string | undefined {
  // A Dense whose units failed to check has already been reported; advice would be noise.
  if (layer.className !== 'Dense' || typeof layer.args['units'] !== 'number') return undefined;
  return (layer.args['activation'] as string | null) ?? 'linear';
}

export function checkAdvice(model: CheckedModel, binder: Binder): void {
  const sink = binder.sink;
  const dense = model.layers.filter((l) => l.className === 'Dense');
  const hidden = dense.slice(0, -1);

  // Vanishing gradients: saturating activations across many hidden layers (seed 002).
  const saturating = hidden.filter(
    (l) => catalog.lookup('activation', activationOf(l)!)?.['saturating'],
  );
  if (hidden.length >= 3 && saturating.length > 0) {
    const first = saturating[0]!;
    const activation = activationOf(first)!;
    sink.report(
      'vanishingGradient',
      first.argRanges['activation'] ?? first.range,
      { activation, depth: hidden.length, max: activation === 'sigmoid' ? '0.25' : '1' },
      {
        related: saturating.slice(1).map((l) => ({
          range: l.argRanges['activation'] ?? l.range,
          message: `'${activationOf(l)}' here too`,
        })),
      },
    );
  }

  model.layers.forEach((layer, i) => {
    const activation = activationOf(layer);
    // Two linear maps in a row are one linear map (seed 001).
    const next = model.layers.slice(i + 1).find((l) => !passThrough.has(l.className));
    if (activation === 'linear' && next?.className === 'Dense') {
      sink.report('linearCollapse', layer.range, { first: layer.name, second: next.name });
    }
    const init = layer.args['kernel_initializer'];
    if (
      activation &&
      reluLike.has(activation) &&
      typeof init === 'object' &&
      init !== null &&
      'call' in init &&
      glorot.has(init.call)
    ) {
      sink.report(
        'reluGlorot',
        layer.argRanges['kernel_initializer'] ?? layer.argRanges['activation'] ?? layer.range,
        { layer: layer.name, activation },
      );
    }
    if (activation === 'softmax' && layer.outputShape?.at(-1) === 1) {
      sink.report('softmaxOneUnit', layer.argRanges['activation'] ?? layer.range);
    }
  });

  const last = model.layers.at(-1);
  if (last && last.className === 'Dropout') sink.report('dropoutLast', last.range);

  const batchSize = model.fit?.args['batch_size'];
  const bn = model.layers.find((l) => l.className === 'BatchNormalization');
  if (batchSize === 1 && bn && model.fit) {
    sink.report(
      'batchNormBatchOne',
      model.fit.argRanges['batch_size']!,
      {},
      { related: [{ range: bn.range, message: 'BatchNormalization here' }] },
    );
  }

  // step (the perceptron's activation) stops gradients: only fixed weights make sense with it.
  if (model.fit) {
    const stepped = model.layers.filter(
      (l) =>
        activationOf(l) === 'step' ||
        (l.className === 'Activation' && l.args['activation'] === 'step'),
    );
    const lastStep = stepped.at(-1);
    if (lastStep)
      sink.report('stepTrained', lastStep.argRanges['activation'] ?? lastStep.range, {
        layer: lastStep.name,
      });
  }
}
