/**
 * Optimization passes over a plan, each a function from a plan to a plan (the input is not
 * modified), each tested on its own. `optimize` runs them in order; `verifyPlan` may run
 * between them.
 */
import type { CallValue } from '../catalog/index.js';
import type { Attr, Plan, PlanStep } from './types.js';

type Pass = (plan: Plan) => Plan;

function clone(plan: Plan): Plan {
  return {
    ...plan,
    buffers: plan.buffers.map((b) => ({ ...b, shape: [...b.shape] })),
    prepare: plan.prepare.map(cloneStep),
    steps: plan.steps.map(cloneStep),
    weights: plan.weights.map((w) => ({ ...w })),
  };
}

function cloneStep(s: PlanStep): PlanStep {
  return { ...s, inputs: [...s.inputs], outputs: [...s.outputs], attrs: { ...s.attrs } };
}

/** Steps that may read a fused Dense's pre-activation output. */
const readsPreActivation = new Set([
  'activation_backward',
  'softmax_cross_entropy',
  'sigmoid_cross_entropy',
]);

/** Steps (after `from`) that read buffer `id`. */
function readers(steps: PlanStep[], id: number, from = 0): PlanStep[] {
  return steps.slice(from).filter((s) => s.inputs.includes(id));
}

function renameInput(steps: PlanStep[], from: number, to: number): void {
  for (const s of steps) s.inputs = s.inputs.map((id) => (id === from ? to : id));
}

/** Inference: Dropout and GaussianNoise are the identity, so their copy steps go and readers take the input. */
export const dropInferenceNoise: Pass = (input) => {
  if (input.mode !== 'inference') return input;
  const plan = clone(input);
  for (let i = plan.steps.length - 1; i >= 0; i--) {
    const s = plan.steps[i]!;
    if (s.op !== 'copy') continue;
    const [from] = s.outputs as [number];
    const [to] = s.inputs as [number];
    plan.steps.splice(i, 1);
    renameInput(plan.steps, from, to);
    if (plan.output === from) plan.output = to;
  }
  return plan;
};

/**
 * Inference: a BatchNormalization right after a linear Dense folds into it — kernel·γ/√(σ²+ε)
 * and (bias − μ)·γ/√(σ²+ε) + β, computed by a prepare step whenever the weights change.
 */
export const foldBatchNorm: Pass = (input) => {
  if (input.mode !== 'inference') return input;
  const plan = clone(input);
  for (let i = 0; i + 1 < plan.steps.length; i++) {
    const dense = plan.steps[i]!;
    const bn = plan.steps[i + 1]!;
    if (dense.op !== 'dense' || bn.op !== 'batch_norm' || dense.attrs['activation']) continue;
    const z = dense.outputs[0]!;
    if (bn.inputs[0] !== z || readers(plan.steps, z).length !== 1 || plan.output === z) continue;
    const inDim = dense.attrs['in'] as number;
    const units = dense.attrs['units'] as number;
    if (bn.attrs['cols'] !== units || bn.attrs['rows'] !== dense.attrs['rows']) continue;
    const kernel = dense.inputs[1]!;
    const bias = dense.attrs['bias'] ? dense.inputs[2]! : -1;
    const foldedKernel = addDerived(plan, `${dense.layer}/kernel+${bn.layer}`, [inDim, units]);
    const foldedBias = addDerived(plan, `${dense.layer}/bias+${bn.layer}`, [units]);
    plan.prepare.push({
      op: 'fold_batch_norm',
      layer: bn.layer,
      inputs: [kernel, bias, ...bn.inputs.slice(1)],
      outputs: [foldedKernel, foldedBias],
      attrs: { in: inDim, units, epsilon: bn.attrs['epsilon']! },
    });
    dense.inputs = [dense.inputs[0]!, foldedKernel, foldedBias];
    dense.outputs = [...bn.outputs];
    dense.attrs = { ...dense.attrs, bias: true, folded: bn.layer };
    plan.steps.splice(i + 1, 1);
  }
  return plan;
};

function addDerived(plan: Plan, name: string, shape: number[]): number {
  const id = plan.buffers.length;
  plan.buffers.push({
    id,
    name,
    role: 'derived',
    shape,
    size: shape.reduce((a, b) => a * b, 1),
    perSample: false,
    offset: -1,
  });
  return id;
}

/**
 * Dense followed by its activation becomes one step: matrix multiply, bias and activation in
 * one pass over the output. In training the pre-activation is still written, for backward.
 */
export const fuseDenseActivation: Pass = (input) => {
  const plan = clone(input);
  for (let i = 0; i + 1 < plan.steps.length; i++) {
    const dense = plan.steps[i]!;
    const act = plan.steps[i + 1]!;
    if (dense.op !== 'dense' || act.op !== 'activation' || dense.attrs['activation']) continue;
    const z = dense.outputs[0]!;
    if (act.inputs[0] !== z || plan.output === z) continue;
    // z may stay only for the backward steps that read it (activation backward, a fused loss).
    const laterReaders = readers(plan.steps, z).filter((s) => s !== act);
    if (laterReaders.some((s) => !readsPreActivation.has(s.op))) continue;
    const keepZ = laterReaders.length > 0;
    dense.attrs = { ...dense.attrs, activation: act.attrs['activation']! };
    dense.outputs = keepZ ? [act.outputs[0]!, z] : [act.outputs[0]!];
    plan.steps.splice(i + 1, 1);
  }
  return plan;
};

/**
 * Training: softmax + (sparse) categorical cross-entropy, and sigmoid + binary cross-entropy,
 * have the gradient (p − y)/n with respect to the logits. The loss step writes it directly and
 * the activation's backward step goes — fewer passes over memory and no 1/p blow-up.
 */
export const fuseLossGradient: Pass = (input) => {
  if (input.mode !== 'training') return input;
  const plan = clone(input);
  const lossIndex = plan.steps.findIndex((s) => s.op === 'loss');
  const lossStep = plan.steps[lossIndex];
  if (!lossStep) return plan;
  const loss = lossStep.attrs['loss'] as unknown as CallValue;
  if (loss.args['from_logits'] === true) return plan;
  const name = loss.call; // the catalog's canonical spelling
  const probs = lossStep.inputs[0]!;
  const producer = plan.steps.find(
    (s) => s.outputs[0] === probs && (s.op === 'dense' || s.op === 'activation'),
  );
  const activation = (
    producer?.attrs['activation'] as { name: string; args?: Record<string, unknown> } | undefined
  )?.name;
  const fused =
    activation === 'softmax' &&
    (name === 'categorical_crossentropy' || name === 'sparse_categorical_crossentropy')
      ? 'softmax_cross_entropy'
      : activation === 'sigmoid' && name === 'binary_crossentropy'
        ? 'sigmoid_cross_entropy'
        : undefined;
  if (!fused) return plan;
  const dOut = lossStep.outputs[1]!;
  const actBackIndex = plan.steps.findIndex(
    (s, i) => i > lossIndex && s.op === 'activation_backward' && s.inputs[2] === dOut,
  );
  if (actBackIndex < 0 || readers(plan.steps, dOut, lossIndex + 1).length !== 1) return plan;
  const actBack = plan.steps[actBackIndex]!;
  // The loss value from the logits too (Keras on TensorFlow): value and gradient agree even
  // where the probabilities saturate past the ε clip.
  const logits = actBack.inputs[0]!;
  lossStep.op = fused;
  lossStep.inputs = [probs, lossStep.inputs[1]!, logits];
  lossStep.outputs = [lossStep.outputs[0]!, actBack.outputs[0]!];
  lossStep.attrs = {
    ...lossStep.attrs,
    sparse: name === 'sparse_categorical_crossentropy',
  } as Record<string, Attr>;
  plan.steps.splice(actBackIndex, 1);
  return plan;
};

/** The passes in the order they run. */
export const passes: readonly (readonly [string, Pass])[] = [
  ['drop-inference-noise', dropInferenceNoise],
  ['fold-batch-norm', foldBatchNorm],
  ['fuse-loss-gradient', fuseLossGradient],
  ['fuse-dense-activation', fuseDenseActivation],
];
