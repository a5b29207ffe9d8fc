/**
 * Optimization passes over a plan, each a function from a plan to a plan (the input is not
 * modified), each tested on its own. They match a producer step to its consumers through the
 * buffers between them, never by list position, so they hold on graphs as on chains.
 */
import type { OpName, Plan, PlanStep, StepOf } from '../ir/index.js';

type Pass = (plan: Plan) => Plan;

function clone(plan: Plan): Plan {
  return {
    ...plan,
    buffers: plan.buffers.map((b) => ({ ...b, shape: [...b.shape] })),
    prepare: plan.prepare.map(cloneStep),
    steps: plan.steps.map(cloneStep),
    weights: plan.weights.map((w) => ({ ...w })),
    inputs: [...plan.inputs],
    outputs: [...plan.outputs],
    targets: [...plan.targets],
  };
}

function cloneStep<S extends PlanStep>(s: S): S {
  return { ...s, inputs: [...s.inputs], outputs: [...s.outputs], attrs: { ...s.attrs } };
}

/** Steps that may read a fused Dense's pre-activation output. */
const readsPreActivation = new Set<OpName>([
  'activation_backward',
  'softmax_cross_entropy',
  'sigmoid_cross_entropy',
]);

/** The step that writes buffer `id` (the first, if several do). */
function producer(steps: PlanStep[], id: number): PlanStep | undefined {
  return steps.find((s) => s.outputs.includes(id));
}

/** Steps that read buffer `id`. */
function readers(steps: PlanStep[], id: number): PlanStep[] {
  return steps.filter((s) => s.inputs.includes(id));
}

function is<O extends OpName>(s: PlanStep | undefined, op: O): s is StepOf<O> {
  return s?.op === op;
}

function remove(plan: Plan, step: PlanStep): void {
  plan.steps.splice(plan.steps.indexOf(step), 1);
}

/** Inference and evaluation: Dropout and GaussianNoise are the identity, so their copy steps go and readers take the input. */
export const dropInferenceNoise: Pass = (input) => {
  if (input.mode === 'training') return input;
  const plan = clone(input);
  for (const s of plan.steps.filter((s) => s.op === 'copy')) {
    const from = s.outputs[0]!;
    const to = s.inputs[0]!;
    remove(plan, s);
    for (const r of plan.steps) r.inputs = r.inputs.map((id) => (id === from ? to : id));
    plan.outputs = plan.outputs.map((id) => (id === from ? to : id));
  }
  return plan;
};

/**
 * Inference: a BatchNormalization reading a linear Dense folds into it — kernel·γ/√(σ²+ε) and
 * (bias − μ)·γ/√(σ²+ε) + β, computed by a prepare step whenever the weights change.
 */
export const foldBatchNorm: Pass = (input) => {
  if (input.mode === 'training') return input;
  const plan = clone(input);
  for (const bn of plan.steps.filter((s): s is StepOf<'batch_norm'> => s.op === 'batch_norm')) {
    const z = bn.inputs[0]!;
    const dense = producer(plan.steps, z);
    if (!is(dense, 'dense') || dense.attrs.activation !== null) continue;
    if (readers(plan.steps, z).length !== 1 || plan.outputs.includes(z)) continue;
    const { in: inDim, units } = dense.attrs;
    if (bn.attrs.cols !== units || bn.attrs.rows !== dense.attrs.rows) continue;
    const kernel = dense.inputs[1]!;
    const bias = dense.attrs.bias ? dense.inputs[2]! : -1;
    const foldedKernel = addDerived(plan, `${dense.layer}/kernel+${bn.layer}`, [inDim, units]);
    const foldedBias = addDerived(plan, `${dense.layer}/bias+${bn.layer}`, [units]);
    plan.prepare.push({
      op: 'fold_batch_norm',
      layer: bn.layer,
      inputs: [kernel, bias, ...bn.inputs.slice(1)],
      outputs: [foldedKernel, foldedBias],
      attrs: { in: inDim, units, epsilon: bn.attrs.epsilon },
    });
    dense.inputs = [dense.inputs[0]!, foldedKernel, foldedBias];
    dense.outputs = [...bn.outputs];
    dense.attrs = { ...dense.attrs, bias: true, folded: bn.layer };
    remove(plan, bn);
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
 * A Dense whose output feeds an activation becomes one step: matrix multiply, bias and
 * activation in one pass over the output. In training the pre-activation is still written, for
 * the backward steps that read it.
 */
export const fuseDenseActivation: Pass = (input) => {
  const plan = clone(input);
  for (const act of plan.steps.filter((s): s is StepOf<'activation'> => s.op === 'activation')) {
    const z = act.inputs[0]!;
    const dense = producer(plan.steps, z);
    if (!is(dense, 'dense') || dense.attrs.activation !== null || plan.outputs.includes(z))
      continue;
    const laterReaders = readers(plan.steps, z).filter((s) => s !== act);
    if (laterReaders.some((s) => !readsPreActivation.has(s.op))) continue;
    const keepZ = laterReaders.length > 0;
    dense.attrs = { ...dense.attrs, activation: act.attrs.activation };
    dense.outputs = keepZ ? [act.outputs[0]!, z] : [act.outputs[0]!];
    remove(plan, act);
  }
  return plan;
};

/**
 * Training and evaluation: softmax + (sparse) categorical cross-entropy, and sigmoid + binary
 * cross-entropy, are computed from the logits, as Keras on TensorFlow does, and have the
 * gradient (p − y)/n with respect to them. In training the loss step writes that gradient
 * directly and the activation's backward step goes — fewer passes over memory and no 1/p
 * blow-up; at evaluation the same step gives the same value. The fused gradient is the mean's
 * (over the rows Keras's mask keeps, when the output has one): a loss reduced otherwise, or with
 * ignore_class, keeps its own step.
 */
export const fuseLossGradient: Pass = (input) => {
  if (input.mode === 'inference') return input;
  const plan = clone(input);
  // One loss step per output.
  for (const lossStep of plan.steps.filter((s): s is StepOf<'loss'> => s.op === 'loss'))
    fuseOne(plan, lossStep);
  return plan;
};

function fuseOne(plan: Plan, lossStep: StepOf<'loss'>): void {
  const loss = lossStep.attrs.loss;
  if (loss.fromLogits || loss.ignoreClass !== null) return;
  if (loss.reduction !== 'sum_over_batch_size' && loss.reduction !== 'mean') return;
  const probs = lossStep.inputs[0]!;
  const made = producer(plan.steps, probs);
  const activation = is(made, 'dense')
    ? made.attrs.activation?.name
    : is(made, 'activation')
      ? made.attrs.activation.name
      : undefined;
  const sparse = loss.name === 'sparse_categorical_crossentropy';
  const op =
    activation === 'softmax' && (loss.name === 'categorical_crossentropy' || sparse)
      ? 'softmax_cross_entropy'
      : activation === 'sigmoid' && loss.name === 'binary_crossentropy'
        ? 'sigmoid_cross_entropy'
        : undefined;
  if (!op) return;
  const dOut = lossStep.outputs[1]!;
  const dOutReaders = readers(plan.steps, dOut);
  const fuse = (logits: number, dLogits: number) => {
    const fused: StepOf<typeof op> = {
      op,
      layer: lossStep.layer,
      // Keras's mask, when the loss step has one, stays its last input.
      inputs: [probs, lossStep.inputs[1]!, logits, ...lossStep.inputs.slice(2)],
      outputs: [lossStep.outputs[0]!, dLogits],
      attrs: { ...lossStep.attrs, sparse },
    };
    plan.steps[plan.steps.indexOf(lossStep)] = fused;
  };
  if (plan.mode === 'evaluation') {
    // Nothing reads the gradient; the activation's input is the logits (d_out holds the
    // gradient nobody reads, and has the logits' shape).
    if (dOutReaders.length !== 0 || !is(made, 'activation')) return;
    fuse(made.inputs[0]!, dOut);
    return;
  }
  const actBack = dOutReaders[0];
  if (dOutReaders.length !== 1 || !is(actBack, 'activation_backward') || actBack.inputs[2] !== dOut)
    return;
  // The loss value from the logits too (Keras on TensorFlow): value and gradient agree even
  // where the probabilities saturate past the ε clip.
  fuse(actBack.inputs[0]!, actBack.outputs[0]!);
  remove(plan, actBack);
}

/** The passes in the order they run. */
export const passes: readonly (readonly [string, Pass])[] = [
  ['drop-inference-noise', dropInferenceNoise],
  ['fold-batch-norm', foldBatchNorm],
  ['fuse-loss-gradient', fuseLossGradient],
  ['fuse-dense-activation', fuseDenseActivation],
];
