/**
 * Keras 3's masks where TF.js departs from them: TF.js's Bidirectional does not zero the output
 * at masked steps (Keras 3's forces zero_output_for_mask when it returns sequences), and TF.js's
 * GlobalAveragePooling1D ignores the mask (Keras 3's takes the mean of the unmasked steps).
 */
import * as tf from '@tensorflow/tfjs';

/** The layer's mask argument from TF.js's executor (it passes the first input's mask). */
export function maskOf(kwargs: Record<string, unknown> | undefined): tf.Tensor | null {
  const mask = kwargs?.['mask'];
  return mask instanceof tf.Tensor ? mask : null;
}

/**
 * Keras 3's Bidirectional(…, return_sequences=True) at masked steps: zero. Both copies output
 * zero there, so every merge mode gives zero: TF.js's merged output times the mask. Each copy
 * zeroes its output in processing order (backend.rnn reverses the mask with the inputs), so with
 * the wrapped layer's go_backwards=True the zeros fall where the mask reversed in time is 0.
 */
export class ZeroMaskedSteps extends tf.layers.Layer {
  static readonly className = 'ConformanceZeroMaskedSteps';
  private readonly reversed: boolean;

  constructor(reversed: boolean) {
    super({});
    this.reversed = reversed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const mask = maskOf(kwargs);
    if (!mask) return tf.clone(x);
    return tf.tidy(() => {
      const m = tf.cast(mask, 'float32');
      return tf.mul(x, tf.expandDims(this.reversed ? tf.reverse(m, 1) : m, 2));
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }
}

/**
 * Keras 3's GlobalAveragePooling1D with a mask: Σ_t m·x / Σ_t m (keras/src/layers/pooling). TF.js
 * hands it the mask and, as it does not support masking, sets none on its output (Keras's None).
 */
export class MaskedAveragePooling1D extends tf.layers.Layer {
  static readonly className = 'ConformanceMaskedAveragePooling1D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const mask = maskOf(kwargs);
    return tf.tidy(() => {
      if (!mask) return tf.mean(x, 1);
      const m = tf.expandDims(tf.cast(mask, 'float32'), 2);
      return tf.div(tf.sum(tf.mul(x, m), 1), tf.sum(m, 1));
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = shape as tf.Shape;
    return [s[0]!, s[2]!];
  }
}

/**
 * One step of Keras 3's backend.rnn with a mask (zero_output_for_mask=False): the new state
 * where the mask is set, the old one elsewhere; the output is the state.
 */
export function maskedStep(
  next: tf.Tensor2D,
  prev: tf.Tensor2D,
  mask: tf.Tensor | null,
  t: number,
) {
  if (!mask) return next;
  const n = mask.shape[0]!;
  const m = tf.reshape(tf.slice(tf.cast(mask, 'float32'), [0, t], [n, 1]), [n, 1]);
  return tf.add(tf.mul(m, next), tf.mul(tf.sub(1, m), prev)) as tf.Tensor2D;
}
