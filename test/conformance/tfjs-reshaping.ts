/**
 * TF.js counterparts of the reshaping and global pooling layers, Keras 3's defaults passed
 * explicitly (channels_last). TF.js lacks the 1D padding, cropping and upsampling layers: their
 * cases run TF.js's 2D layer on a (steps, 1, channels) view, the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { numArg, tupleArg, type KerasCall } from './spec.js';

const last = 'channelsLast' as const;

/** A 1D layer as its 2D twin over a width-1 view of the steps. */
function via2d(layer: tf.layers.Layer, channels: () => number): tf.layers.Layer[] {
  const c = channels();
  return [
    tf.layers.reshape({ targetShape: [-1, 1, c] }),
    layer,
    tf.layers.reshape({ targetShape: [-1, c] }),
  ];
}

/** Keras's int-or-pair argument as a pair. */
function pair(c: KerasCall, key: string, fallback: number): [number, number] {
  const v = c.positional?.[0] ?? c.args?.[key];
  if (typeof v === 'number') return [v, v];
  const t = tupleArg(c, 0, key, [fallback, fallback]);
  return [t[0]!, t[1]!];
}

/** The TF.js layers for a reshaping or global pooling call (`channels` reads the input's last axis), or null for another layer. */
export function reshapingLayers(l: KerasCall, channels: () => number): tf.layers.Layer[] | null {
  switch (l.call) {
    case 'Reshape':
      return [tf.layers.reshape({ targetShape: tupleArg(l, 0, 'target_shape', []) })];
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
      return via2d(tf.layers.zeroPadding2d({ padding: [pair(l, 'padding', 1), [0, 0]] }), channels);
    case 'Cropping1D':
      return via2d(tf.layers.cropping2D({ cropping: [pair(l, 'cropping', 1), [0, 0]] }), channels);
    case 'UpSampling1D':
      return via2d(tf.layers.upSampling2d({ size: [numArg(l, 'size', 2), 1] }), channels);
    default:
      return null;
  }
}
