/**
 * fit() on both engines, as the conformance suites compare it: one unshuffled epoch over the
 * same data in the same batches, the epoch's loss checked within the suite's tolerance.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from 'nnlang';
import type { Comparisons } from './tolerance.js';

type Inputs = Parameters<Model['fit']>[0];
type Targets = Parameters<Model['fit']>[1];

/** Fits ours on (x, y) and TF.js's model on its tensors (disposed here); compares the loss. */
export async function compareFitEpoch(
  cmp: Comparisons,
  batchSize: number,
  ours: { model: Model; x: Inputs; y: Targets },
  theirs: { model: tf.LayersModel; x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] },
): Promise<void> {
  const history = ours.model.fit(ours.x, ours.y, { epochs: 1, batchSize, shuffle: false });
  const reference = await theirs.model.fit(theirs.x, theirs.y, {
    epochs: 1,
    batchSize,
    shuffle: false,
    verbose: 0,
  });
  tf.dispose([theirs.x, theirs.y].flat());
  cmp.check(
    'loss',
    'of the fit epoch',
    history.history['loss']!,
    reference.history['loss'] as number[],
  );
}
