/**
 * TF.js counterparts of the reshaping and global pooling layers, Keras 3's defaults passed
 * explicitly (channels_last). TF.js lacks the 1D padding, cropping and upsampling layers: their
 * cases run the 2D layer on a (steps, 1, channels) view, the same numbers. UpSampling runs
 * Keras 3's formula (see RepeatRowsCols).
 */
import * as tf from '@tensorflow/tfjs';
import { numArg, tupleArg, type KerasCall } from './spec.js';

const last = 'channelsLast' as const;

/** Why UpSampling runs a formula: TF.js's own layer gives wrong gradients past the first sample. */
const upsamplingFormula =
  'UpSampling as repeated rows and columns: TF.js’s resizeNearestNeighbor gradient mixes up the samples of a batch';

/**
 * Keras 3's nearest UpSampling2D written with tile and reshape (whose gradients TF.js gets right):
 * each row repeated `rows` times, each column `cols` times.
 */
class RepeatRowsCols extends tf.layers.Layer {
  static readonly className = 'ConformanceRepeatRowsCols';

  constructor(
    private readonly rows: number,
    private readonly cols: number,
  ) {
    super({});
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const [hr, wr] = [h * this.rows, w * this.cols];
      // Rank 4 throughout: TF.js has no tile gradient past rank 4.
      const rows = tf.tile(tf.reshape(x, [b, h, 1, w * c]), [1, 1, this.rows, 1]);
      const cols = tf.tile(tf.reshape(rows, [b * hr, w, 1, c]), [1, 1, this.cols, 1]);
      return tf.reshape(cols, [b, hr, wr, c]);
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = shape as tf.Shape;
    return [b!, h! * this.rows, w! * this.cols, c!];
  }
}

/** A 1D layer as its 2D twin over a width-1 view of the steps (`shape`: the input's, batch first). */
function via2d(layer: tf.layers.Layer, shape: () => tf.Shape): tf.layers.Layer[] {
  const [, steps, channels] = shape() as [null, number, number];
  const out = layer.computeOutputShape([null, steps, 1, channels]) as tf.Shape;
  return [
    tf.layers.reshape({ targetShape: [steps, 1, channels] }),
    layer,
    tf.layers.reshape({ targetShape: [out[1]!, channels] }),
  ];
}

/** Keras's int-or-pair argument as a pair. */
function pair(c: KerasCall, key: string, fallback: number): [number, number] {
  const v = c.positional?.[0] ?? c.args?.[key];
  if (typeof v === 'number') return [v, v];
  const [before, after] = tupleArg(c, 0, key, [fallback, fallback]) as number[];
  return [before!, after!];
}

/** Keras's 2D padding or cropping (int, (rows, cols) or ((top, bottom), (left, right))) as pairs. */
function amounts2d(c: KerasCall, key: string, fallback: number): [number, number][] {
  const v = c.positional?.[0] ?? c.args?.[key] ?? fallback;
  if (typeof v === 'number')
    return [
      [v, v],
      [v, v],
    ];
  if (!Array.isArray(v)) throw new Error(`${c.call}: '${key}' must be an int or a tuple`);
  return v.map((e) => (typeof e === 'number' ? [e, e] : [e[0]!, e[1]!]));
}

/** The TF.js layers for a reshaping or global pooling call (`shape` reads the input's shape; a Keras 3 formula used is added to `formulas`), or null for another layer. */
export function reshapingLayers(
  l: KerasCall,
  shape: () => tf.Shape,
  formulas: string[],
): tf.layers.Layer[] | null {
  switch (l.call) {
    case 'Reshape':
      return [tf.layers.reshape({ targetShape: tupleArg(l, 0, 'target_shape', []) as number[] })];
    case 'Flatten':
      return [tf.layers.flatten()];
    case 'GlobalAveragePooling1D':
      return [tf.layers.globalAveragePooling1d()];
    case 'GlobalAveragePooling2D':
      return [tf.layers.globalAveragePooling2d({ dataFormat: last })];
    case 'GlobalMaxPooling1D':
      return [tf.layers.globalMaxPooling1d()];
    case 'GlobalMaxPooling2D':
      return [tf.layers.globalMaxPooling2d({ dataFormat: last })];
    case 'ZeroPadding1D':
      return via2d(tf.layers.zeroPadding2d({ padding: [pair(l, 'padding', 1), [0, 0]] }), shape);
    case 'Cropping1D':
      return via2d(tf.layers.cropping2D({ cropping: [pair(l, 'cropping', 1), [0, 0]] }), shape);
    case 'UpSampling1D':
      formulas.push(upsamplingFormula);
      return via2d(new RepeatRowsCols(numArg(l, 'size', 2), 1), shape);
    case 'ZeroPadding2D':
      return [
        tf.layers.zeroPadding2d({
          padding: amounts2d(l, 'padding', 1) as [[number, number], [number, number]],
          dataFormat: last,
        }),
      ];
    case 'Cropping2D':
      return [
        tf.layers.cropping2D({
          cropping: amounts2d(l, 'cropping', 0) as [[number, number], [number, number]],
          dataFormat: last,
        }),
      ];
    case 'UpSampling2D': {
      const size = l.positional?.[0] ?? l.args?.['size'] ?? 2;
      const [rows, cols] = typeof size === 'number' ? [size, size] : (size as number[]);
      formulas.push(upsamplingFormula);
      return [new RepeatRowsCols(rows!, cols!)];
    }
    case 'RepeatVector':
      return [tf.layers.repeatVector({ n: l.positional?.[0] as number })];
    case 'TimeDistributed': {
      // The cases wrap a Dense whose activation TF.js names as Keras does.
      const inner = l.positional?.[0] as KerasCall;
      if (inner.call !== 'Dense')
        throw new Error(`no TF.js case for TimeDistributed(${inner.call})`);
      const activation = (inner.args?.['activation'] as string | undefined) ?? 'linear';
      const dense = tf.layers.dense({
        units: inner.positional?.[0] as number,
        activation: activation as 'linear',
        useBias: (inner.args?.['use_bias'] as boolean | undefined) ?? true,
      });
      return [tf.layers.timeDistributed({ layer: dense })];
    }
    case 'Permute':
      return [tf.layers.permute({ dims: tupleArg(l, 0, 'dims', []) as number[] })];
    case 'SpatialDropout1D':
      return [tf.layers.spatialDropout1d({ rate: l.positional?.[0] as number })];
    case 'SpatialDropout2D':
      // Absent from TF.js; the cases run it at inference (the identity) or at rate 0.
      formulas.push('SpatialDropout2D, absent from TF.js: the identity outside training');
      return [];
    default:
      return null;
  }
}
