/**
 * The execution plan: plain data that says which kernels run, in which order, over which
 * buffers. A checked model lowers to two plans — inference and one training step — which the
 * optimization passes rewrite and the runtime executes. Nothing here runs or allocates.
 */

/** What a buffer holds; decides its arena and lifetime. */
export type BufferRole =
  | 'input' // the batch's features, written by the caller
  | 'target' // the batch's targets, written by the caller
  | 'param' // a weight (persists; in the parameter arena)
  | 'grad' // a weight's gradient (persists in size; in the parameter arena)
  | 'derived' // computed from params when they change (e.g. a BatchNormalization folded into a Dense); work arena, kept between runs
  | 'activation' // a layer's output or a saved intermediate (work arena, reused by liveness)
  | 'gradient' // the gradient of an activation (work arena, reused by liveness)
  | 'scalar'; // the loss (work arena)

/** A buffer of float32 values. Sizes are per sample for batch-sized buffers. */
export interface PlanBuffer {
  id: number;
  name: string;
  role: BufferRole;
  /** Shape as Keras writes it; batch-sized buffers have `null` first. */
  shape: (number | null)[];
  /** Elements per sample (batch-sized) or in all (fixed-size). */
  size: number;
  /** Whether `size` is multiplied by the batch size. */
  perSample: boolean;
  /** Offset in its arena in elements, set by `assignMemory` (-1 before). */
  offset: number;
}

/** Kernel-level attributes of a step: numbers, flags, names and small tables. */
export type Attr = number | string | boolean | null | number[] | Record<string, unknown>;

/** One kernel call: `op` over input buffers, writing output buffers. */
export interface PlanStep {
  op: OpName;
  /** The Keras layer it comes from, for printing and errors. */
  layer: string;
  inputs: number[];
  outputs: number[];
  attrs: Record<string, Attr>;
}

/** The kernels a plan may call; the runtime has one case for each. */
export type OpName =
  | 'dense'
  | 'activation'
  | 'copy'
  | 'dropout'
  | 'gaussian_noise'
  | 'batch_norm'
  | 'batch_norm_train'
  | 'layer_norm'
  | 'unit_norm'
  | 'prelu'
  | 'fold_batch_norm'
  | 'loss'
  | 'softmax_cross_entropy'
  | 'sigmoid_cross_entropy'
  | 'activity_regularizer'
  | 'activity_penalty'
  | 'dense_backward'
  | 'activation_backward'
  | 'dropout_backward'
  | 'batch_norm_backward'
  | 'layer_norm_backward'
  | 'unit_norm_backward'
  | 'prelu_backward'
  | 'regularizer'
  | 'optimizer';

/** A weight of the model, in Keras's get_weights() order. */
export interface PlanWeight {
  layer: string;
  name: string;
  buffer: number;
  grad: number | null;
  shape: number[];
  trainable: boolean;
  /** The initializer and constraint as the checker resolved them. */
  initializer: unknown;
  constraint: unknown;
}

export interface Plan {
  mode: 'inference' | 'training';
  /** Batch capacity the work arena is sized for; a run may use fewer rows. */
  batchSize: number;
  buffers: PlanBuffer[];
  /** Steps run when parameters change (folding); then `steps` per batch. */
  prepare: PlanStep[];
  steps: PlanStep[];
  weights: PlanWeight[];
  input: number;
  output: number;
  target: number | null;
  /** Training: the loss. Inference: the summed activity penalty over a run, when a layer has one. */
  loss: number | null;
  /** Sizes of the two arenas in float32 elements, set by `assignMemory`. */
  workSize: number;
  paramSize: number;
}

/** Bytes of a plan's arenas: what the engine allocates for it. */
export function planBytes(plan: Plan): { work: number; params: number; total: number } {
  const work = plan.workSize * 4;
  const params = plan.paramSize * 4;
  return { work, params, total: work + params };
}

/** Elements a buffer occupies at the plan's batch size. */
export function bufferLength(b: PlanBuffer, batchSize: number): number {
  return b.perSample ? b.size * batchSize : b.size;
}

/** Which arena a buffer lives in. */
export function arenaOf(b: PlanBuffer): 'params' | 'work' {
  return b.role === 'param' || b.role === 'grad' ? 'params' : 'work';
}
