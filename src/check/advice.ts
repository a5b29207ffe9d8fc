/**
 * The lectures' advice as warnings and hints (5xxx): patterns that train badly or do nothing,
 * though Keras accepts them.
 */
import { catalog, isCallValue } from '../catalog/index.js';
import { groupThousands, layerDefs, paramCounts, shapeToString, sizeOf } from '../layers/index.js';
import type { Binder } from './bind.js';
import { argOf, type CheckedLayer, type CheckedModel } from './types.js';

const reluLike = new Set(['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'mish']);
const glorot = new Set(['GlorotUniform', 'GlorotNormal']);

/** The activation of an affine layer (Dense) by name; undefined for other layers. */
function activationOf(layer: CheckedLayer): string | undefined {
  if (!isAffine(layer)) return undefined;
  // A layer whose required arguments failed to check has already been reported; advice would be noise.
  const entry = catalog.lookup('layer', layer.className);
  if (entry?.args.some((p) => p.required && !(p.name in layer.args))) return undefined;
  return activationName(layer);
}

/** The activation a layer applies by name (Dense, Activation, Softmax), if any. */
function activationName(layer: CheckedLayer): string | undefined {
  const def = layerDefs[layer.className];
  // A written activation that did not resolve is not the default one: nothing to advise on.
  if (def?.activationArg && layer.failedArgs.has(def.activationArg)) return undefined;
  const v = def?.activation?.(layer.args);
  if (v === undefined) return undefined;
  return v === null ? 'linear' : typeof v === 'string' ? v : isCallValue(v) ? v.call : undefined;
}

function isAffine(layer: CheckedLayer | undefined): boolean {
  return layerDefs[layer?.className ?? '']?.affine === true;
}

export function checkAdvice(model: CheckedModel, binder: Binder): void {
  const sink = binder.sink;
  const outputs = new Set(model.outputs);
  const hidden = model.layers.filter((l) => isAffine(l) && !outputs.has(l.id));

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

  // For each layer, the layer its values reach next, skipping those that pass its activation
  // through — when it reads alone from it (no fan-out, no merge): found in one backward sweep
  // (a search per layer made long chains quadratic).
  const readers: CheckedLayer[][] = model.layers.map(() => []);
  for (const l of model.layers) for (const id of l.inputs) if (id >= 0) readers[id]?.push(l);
  const nextActive: (CheckedLayer | undefined)[] = [];
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const only = readers[i]!.length === 1 && !outputs.has(i) ? readers[i]![0]! : undefined;
    const next =
      only && only.inputs.length === 1 && layerDefs[only.className]?.passesActivation
        ? nextActive[only.id]
        : only;
    nextActive[i] = only && only.inputs.length === 1 ? next : undefined;
  }
  model.layers.forEach((layer, i) => {
    const activation = activationOf(layer);
    // Two linear maps in a row are one linear map (seed 001).
    const next = nextActive[i];
    if (activation === 'linear' && next && isAffine(next)) {
      sink.report('linearCollapse', layer.range, { first: layer.name, second: next.name });
    }
    const init = argOf(layer, 'kernel_initializer');
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

  for (const id of model.outputs) {
    const last = model.layers[id];
    if (last && last.className === 'Dropout') sink.report('dropoutLast', last.range);
  }

  checkFlattenBlowUp(model, binder);

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

  checkRecurrentAdvice(model, binder);

  // step (the perceptron's activation) stops gradients: only fixed weights make sense with it.
  if (model.fit) {
    const stepped = model.layers.filter((l) => activationName(l) === 'step');
    const lastStep = stepped.at(-1);
    if (lastStep)
      sink.report('stepTrained', lastStep.argRanges['activation'] ?? lastStep.range, {
        layer: lastStep.name,
      });
  }
}

const recurrentLayers = new Set(['LSTM', 'GRU', 'SimpleRNN']);
const clipArgs = ['clipnorm', 'clipvalue', 'global_clipnorm'];

/**
 * The lectures on recurrent networks: BatchNormalization does not fit their sequences (each
 * time step has its own statistics; LayerNormalization does), and backpropagation through time
 * wants clipped gradients (clipnorm on the optimizer).
 */
function checkRecurrentAdvice(model: CheckedModel, binder: Binder): void {
  const recurrent = model.layers.find((l) => recurrentLayers.has(l.className));
  if (!recurrent) return;
  for (const bn of model.layers) {
    // On sequences (rank 3): between, before or after the recurrent layers.
    if (bn.className !== 'BatchNormalization' || bn.outputShape?.length !== 3) continue;
    binder.sink.report(
      'batchNormRecurrent',
      bn.range,
      {},
      { related: [{ range: recurrent.range, message: `'${recurrent.name}' is recurrent` }] },
    );
  }
  const compile = model.compile;
  if (!compile || compile.failedArgs.has('optimizer')) return;
  const optimizer = compile.optimizer;
  if (clipArgs.some((a) => optimizer.args[a] !== undefined && optimizer.args[a] !== null)) return;
  const entry = catalog.lookup('optimizer', optimizer.call);
  binder.sink.report('recurrentUnclipped', compile.argRanges['optimizer'] ?? compile.range, {
    layer: recurrent.name,
    optimizer: entry?.name ?? optimizer.call,
  });
}

/**
 * A Dense fed a flattened feature map holds this many parameters before the advice speaks up.
 * Why 1,000,000: that is 4 MB of float32 weights (and 8 MB more of Adam's state), and it is where
 * a flattened head stops being a choice and becomes the classic mistake — an unpooled map (MNIST's
 * 24×24×64 into Dense(128): 4.7 M) or ImageNet-sized ones (hundreds of millions). A head on a
 * pooled map stays well below: the reference's CNN (7,744 values into Dense(10)) has 77,450.
 */
const flattenDenseLimit = 1_000_000;

/** The one layer reading `layer`'s output, if exactly one does. */
function consumerOf(model: CheckedModel, layer: CheckedLayer): CheckedLayer | undefined {
  const readers = model.layers.filter((l) => l.inputs.includes(layer.id));
  return readers.length === 1 ? readers[0] : undefined;
}

/** A CNN that flattens a large feature map straight into a Dense layer: the parameters blow up. */
function checkFlattenBlowUp(model: CheckedModel, binder: Binder): void {
  const params = (l: CheckedLayer) => {
    const { trainable, nonTrainable } = paramCounts(l);
    return trainable + nonTrainable;
  };
  const total = model.layers.reduce((n, l) => n + params(l), 0);
  for (const flat of model.layers) {
    const map = flat.inputShape;
    if (flat.className !== 'Flatten' || !map || map.length < 3) continue;
    let next = consumerOf(model, flat);
    while (next && layerDefs[next.className]?.passesActivation) next = consumerOf(model, next);
    if (next?.className !== 'Dense' || params(next) <= flattenDenseLimit) continue;
    const spatial = map.length === 3 ? '1D' : '2D';
    binder.sink.report('flattenBlowUp', next.range, {
      dense: next.name,
      params: groupThousands(params(next)),
      share: `${Math.floor((100 * params(next)) / total)}%`,
      shape: shapeToString(map),
      features: groupThousands(sizeOf(map.slice(1)) ?? 0),
      pool: `MaxPooling${spatial}`,
      global: `GlobalAveragePooling${spatial}`,
    });
  }
}
