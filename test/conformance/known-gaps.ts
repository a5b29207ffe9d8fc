/**
 * Where our engine departs from Keras 3 and the table therefore holds back (reported for
 * fixing): each entry names the catalog entry or behaviour and the discrepancy. Remove the
 * entry, and the case's `evaluatePendingFix` or the coverage exclusion, once fixed.
 */
export const KNOWN_GAPS: Readonly<Record<string, string>> = {
  glu:
    "the catalog lists the activation 'glu' as supported (no 'unsupported' note), so the model " +
    "checks, but loadModel then throws \"activation 'glu' halves the last axis, so it has no " +
    'same-shape kernel" (src/kernels/activation-spec.ts); Keras 3 splits the last axis in two ' +
    'halves a, b and returns a·sigmoid(b), halving the units',
  saturated_crossentropy:
    'with a sigmoid/softmax output saturated past the ε clip (p rounds to 1 in float32), ' +
    'binary/categorical cross-entropy report the clipped-probability loss (as Keras 3 on ' +
    'JAX/NumPy/torch and TF.js) but step with the logits gradient p − y (as Keras 3 on ' +
    'TensorFlow, whose loss value is then the unclipped one): the gradient is not that of ' +
    'the reported loss. Dense(1, sigmoid), kernel [[10], [10]], bias 0, x [[1, 1], [0.1, 0.2]], ' +
    'y [[0], [1]], SGD(0.1): loss 7.995486 in both engines, but kernel → [9.950237, 9.950474], ' +
    'bias → −0.047629 here; [10.000237, 10.000474], 0.002371 in TF.js (the clipped ' +
    'gradient). The table keeps probabilities away from the clip',
  activity_regularizer_in_evaluate:
    'evaluate() leaves out the activity regularization that Keras 3 adds to every loss it ' +
    'reports (Trainer.compute_loss sums model.losses, filled by the forward pass in inference ' +
    'too); training steps include it correctly',
};
