/**
 * fit() on both engines, as the conformance suites compare it: one unshuffled epoch over the
 * same data in the same batches, the epoch's loss checked within the suite's tolerance. TF.js's
 * epoch is a case's reference, computed once for every backend of ours.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from 'nnlang';
import type { Comparisons } from './tolerance.js';

type Inputs = Parameters<Model['fit']>[0];
type Targets = Parameters<Model['fit']>[1];

/** TF.js's model fit on its tensors (disposed here): the epoch's loss. */
export async function tfjsFitEpoch(
  batchSize: number,
  theirs: { model: tf.LayersModel; x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] },
): Promise<number[]> {
  const reference = await theirs.model.fit(theirs.x, theirs.y, {
    epochs: 1,
    batchSize,
    shuffle: false,
    verbose: 0,
  });
  tf.dispose([theirs.x, theirs.y].flat());
  return reference.history['loss'] as number[];
}

/** Fits ours on (x, y); checks the epoch's loss against TF.js's (`tfjsFitEpoch`). */
export function checkFitEpoch(
  cmp: Comparisons,
  batchSize: number,
  ours: { model: Model; x: Inputs; y: Targets },
  reference: number[],
): void {
  const history = ours.model.fit(ours.x, ours.y, { epochs: 1, batchSize, shuffle: false });
  cmp.check('loss', 'of the fit epoch', history.history['loss']!, reference);
}
