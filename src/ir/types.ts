/**
 * The execution plan's data format: plain data that says which kernels run, in which order,
 * over which buffers. Lowering writes it, passes rewrite it, backends run it and emitters
 * print it; nothing here runs or allocates. Every step is typed by its `op`, and every
 * attribute is resolved: activations, losses, regularizers and the optimizer are specs with
 * Keras's defaults filled in, never Keras call values to interpret again.
 */
import type {
  ActivationSpec,
  CopyAxis,
  LossSpec,
  MergeMode,
  WindowGeometry,
} from '../kernels/index.js';
import type { ConstraintSpec, OptimizerSpec, RegularizerSpec } from '../optim/index.js';

export type {
  ActivationSpec,
  CopyAxis,
  LossSpec,
  MergeMode,
  OptimizerSpec,
  RegularizerSpec,
  ConstraintSpec,
  WindowGeometry,
};

/** What a buffer holds; decides its arena and lifetime. */
export type BufferRole =
  | 'input' // the batch's features, written by the caller
  | 'target' // the batch's targets, written by the caller
  | 'param' // a weight (persists; parameter arena)
  | 'grad' // a weight's gradient (training plans only; parameter arena)
  | 'state' // an optimizer slot: moments, accumulators, moving averages (parameter arena)
  | 'derived' // computed from params when they change (a BatchNormalization folded into a Dense); work arena, kept between runs
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
  /** Offset in its arena in elements: fixed by the parameter layout, or set by `assignMemory` (-1 before). */
  offset: number;
}

/** Rows per sample and columns, for kernels that act on the last axis: (None, 5, 8) → 5 × 8. */
export interface RowsCols {
  rows: number;
  cols: number;
}

/** A trainable weight as the optimizer step sees it. */
export interface OptimizedWeight {
  /** `layer/name`, Keras's variable path. */
  name: string;
  shape: number[];
  constraint: ConstraintSpec | null;
}

/** A global pooling step: `pool` over `steps` positions of `channels` values per sample. */
export interface GlobalPoolAttrs {
  pool: 'avg' | 'max';
  steps: number;
  channels: number;
  /** avg with Keras's mask over the steps: the mean of the unmasked steps (a last input, `steps` per sample). */
  masked?: boolean;
}

/** A copy step: one or two spatial axes (outer first) of `channels` values per position. */
export interface SpatialCopyAttrs {
  axes: CopyAxis[];
  channels: number;
}

/** Each op's attributes. A step's inputs and outputs are documented beside its op. */
export interface OpAttrs {
  /** [x, kernel, bias?] → [y, z?]: y = act(x·kernel + bias); z keeps the pre-activation for backward. */
  dense: {
    rows: number;
    in: number;
    units: number;
    bias: boolean;
    activation: ActivationSpec | null;
    folded?: string;
  };
  /** [x, kernel, dz] → [dx?, dkernel?, dbias?]. */
  dense_backward: { rows: number; in: number; units: number };
  /** [x] → [y]. */
  activation: RowsCols & { activation: ActivationSpec };
  /** [x, y, dy] → [dx]. */
  activation_backward: RowsCols & { activation: ActivationSpec };
  /** [x] → [y]: the identity, kept only to be removed by a pass. */
  copy: { size: number; why: string };
  /** [a, b] → [y]: y = a + b (Add's inputs, and a gradient that fans in from several consumers). */
  add: { size: number };
  /** [l0, l1, …] → [total]: Σ weights[k]·l_k, the loss of a model with several outputs. */
  weighted_sum: { weights: number[] };
  /** [x] → [x]: x *= factor in place (an output's gradient scaled by its loss weight). */
  scale: { factor: number; size: number };
  /** [x0, x1, …] → [y]: Subtract, Multiply, Average, Maximum or Minimum, folded left to right. */
  merge: { mode: MergeMode; size: number };
  /** [x0, x1, …, dy] → [dx0?, dx1?, …]. */
  merge_backward: { mode: MergeMode; size: number };
  /** [x0, x1, …] → [y]: per sample, `outer` times, `blocks[k]` values of input k in turn. */
  concatenate: { outer: number; blocks: number[] };
  /** [dy] → [dx0?, dx1?, …]. */
  concatenate_backward: { outer: number; blocks: number[] };
  /** [x] → [y, mask]. */
  dropout: { rate: number; size: number; seed: number | null };
  /** [dy, mask] → [dx]. */
  dropout_backward: { size: number };
  /** [x] → [y]. */
  gaussian_noise: { stddev: number; size: number; seed: number | null };
  /** [x, gamma?, beta?, moving_mean, moving_variance] → [y]. */
  batch_norm: RowsCols & { epsilon: number; momentum: number };
  /** [x, gamma?, beta?, moving_mean, moving_variance] → [y, batch_mean, batch_inv_std, moving_mean, moving_variance]. */
  batch_norm_train: RowsCols & { epsilon: number; momentum: number };
  /** [x, dy, gamma?, mean, inv_std] → [dx?, dgamma?, dbeta?]. */
  batch_norm_backward: RowsCols;
  /** [x, gamma?, beta?] → [y, row_mean, row_inv_std]. */
  layer_norm: RowsCols & { epsilon: number };
  /** [x, dy, gamma?, mean, inv_std] → [dx?, dgamma?, dbeta?]. */
  layer_norm_backward: RowsCols;
  /** [x] → [y]. */
  unit_norm: RowsCols;
  /** [x, y, dy] → [dx]. */
  unit_norm_backward: RowsCols;
  /** [x, alpha] → [y]; alphaIndex maps each feature to its alpha. */
  prelu: { size: number; alphaIndex: number[] };
  /** [x, alpha, dy] → [dx?, dalpha?]. */
  prelu_backward: { size: number; alphaIndex: number[] };
  // Reshaping and global pooling: channels_last samples of `steps` positions × `channels`.
  /** [x, mask?] → [y]: y[n,c] = the mean or max over the steps of x[n,s,c] (masked: of the unmasked steps). */
  global_pool: GlobalPoolAttrs;
  /**
   * [dy, x?, y?] → [dx]: avg spreads dy/steps; max (which reads x and y) splits dy among the
   * positions equal to the max. Masked avg: [dy, mask] → [dx], dy over the unmasked steps.
   */
  global_pool_backward: GlobalPoolAttrs;
  /** [x] → [y]: pad, crop, upsample or repeat by copying (see CopyAxis; one or two spatial axes, outer first). */
  spatial_copy: SpatialCopyAttrs;
  /** [dy] → [dx]: each input position sums the gradients of the outputs that read it. */
  spatial_copy_backward: SpatialCopyAttrs;
  /** [x] → [y]: Permute; output axis i of a sample of `shape` is its axis perm[i] (0-based, no batch). */
  permute: { shape: number[]; perm: number[] };
  /** [dy] → [dx]. */
  permute_backward: { shape: number[]; perm: number[] };
  /** [x] → [y, mask]: SpatialDropout, one draw per sample and channel (mask: `channels` per sample). */
  spatial_dropout: { rate: number; steps: number; channels: number; seed: number | null };
  /** [dy, mask] → [dx]. */
  spatial_dropout_backward: { steps: number; channels: number };
  /** [kernel, bias?, gamma?, beta?, moving_mean, moving_variance] → [kernel', bias']. */
  fold_batch_norm: { in: number; units: number; epsilon: number };
  // ---- convolution and pooling (channels last; a 1-D layer is height 1)
  /**
   * [x, kernel, bias?] → [y, col, z?]: y = act(conv(x) + bias) as im2col and one matmul (one
   * per group: kernel (kh, kw, c/groups, filters); depthwise is groups = c); col
   * (n·oh·ow × kh·kw·c) is the im2col matrix, scratch at inference and read by backward in
   * training; z keeps the pre-activation when the activation needs it for backward.
   */
  conv: WindowGeometry & {
    filters: number;
    groups: number;
    bias: boolean;
    activation: ActivationSpec | null;
  };
  /** [col, kernel, dz] → [dx?, dkernel?, dbias?, dcol?]: dcol is dx's scratch, present with dx. */
  conv_backward: WindowGeometry & { filters: number; groups: number };
  /** [x] → [y, argmax?]: argmax holds each output's winning window tap, for backward. */
  max_pool: WindowGeometry;
  /** [dy, argmax] → [dx]. */
  max_pool_backward: WindowGeometry;
  /** [x] → [y]: the mean over each window's cells inside the input. */
  avg_pool: WindowGeometry;
  /** [dy] → [dx]. */
  avg_pool_backward: WindowGeometry;
  /** [y_pred, y_true] → [loss, dy_pred]. */
  loss: RowsCols & { loss: LossSpec };
  /** [probs, y_true, logits] → [loss, dlogits]: softmax + (sparse) categorical cross-entropy. */
  softmax_cross_entropy: RowsCols & { loss: LossSpec; sparse: boolean };
  /** [probs, y_true, logits] → [loss, dlogits]: sigmoid + binary cross-entropy. */
  sigmoid_cross_entropy: RowsCols & { loss: LossSpec; sparse: boolean };
  /** [y, dy, loss] → [dy, loss]: loss += penalty(y)/n, dy += ∂/∂y. */
  activity_regularizer: { regularizer: RegularizerSpec; size: number };
  /** [y, total] → [total]: total += penalty(y) (inference: evaluate adds it to the loss). */
  activity_penalty: { regularizer: RegularizerSpec; size: number };
  /** [w, loss] → [grad, loss]: loss += penalty(w), grad += ∂/∂w. */
  regularizer: { regularizer: RegularizerSpec; weight: string };
  // --- Embedding and recurrent layers (src/layers/embedding.ts, src/layers/recurrent.ts) ---
  /** [ids, table] → [y]: y[i] = table[trunc(ids[i])] for `tokens` ids per sample; an id outside [0, vocab) is an error. */
  embedding: { tokens: number; vocab: number; dim: number };
  /** [ids, dy] → [dtable]: the scatter-add of dy's rows into the table's gradient. */
  embedding_backward: { tokens: number; vocab: number; dim: number };
  /** [ids] → [mask]: Embedding(mask_zero=True)'s mask, 1 where an id is not 0, `size` per sample. */
  token_mask: { size: number };
  /** [] → [mask]: a dropout mask alone (1/(1 − rate) or 0), `size` per sample (SimpleRNN's recurrent_dropout). */
  dropout_mask: { rate: number; size: number; seed: number | null };
  /**
   * [x, kernel, recurrent_kernel, bias?, mask?] → [y, xw, gates, h_prev, c, h, c_step?]: one recurrent
   * layer over all its time steps. xw holds x·kernel for every step (one product); gates the
   * activated gates per step; h_prev the state entering each step and c the cell state after it
   * (LSTM), saved for backward; h (and c_step) are the state of the step being computed.
   */
  recurrent: RecurrentAttrs;
  /**
   * [x, kernel, recurrent_kernel, gates, h_prev, c, dy?, mask?, state_mask?, dh_final?,
   * dc_final?] → [dx?, dkernel?, drecurrent_kernel?, dbias?, dgates, drec, dh, dc?, carry?]:
   * backpropagation through time; dgates and drec hold every step's gate gradients (input side
   * and recurrent side), dh and dc the carried state gradients; with a mask, carry keeps a
   * masked row's dh (and dc) across its step. dh_final and dc_final are the gradients of the
   * final states a layer with return_state returns (they start dh and dc; -1 fills the places
   * before them); dy is left out when only they have one.
   */
  recurrent_backward: RecurrentAttrs;
  // --- end of the embedding and recurrent ops ---
  /** [grads…, state…] → [weights…, state…]: one Keras `optimizer.apply(grads)`; `slots` state buffers. */
  optimizer: { optimizer: OptimizerSpec; weights: OptimizedWeight[]; slots: number };
}

/** A recurrent layer's resolved configuration: the sizes, the cell and its activations. */
export interface RecurrentAttrs {
  cell: 'lstm' | 'gru' | 'simple_rnn';
  steps: number;
  in: number;
  units: number;
  bias: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  /**
   * With returnSequences: the output sequence reversed, step s written at T−1−s (Bidirectional's
   * backward copy, whose output Keras flips along time before merging).
   */
  reverseSequence?: boolean;
  /** GRU: reset after the recurrent product (Keras 3's default, bias (2, 3u)) or before it. */
  resetAfter: boolean;
  /**
   * Keras's mask over the time steps (from Embedding(mask_zero=True)) is the step's last input
   * (n, T): a masked step carries the state unchanged.
   */
  masked?: boolean;
  /** With a mask: the output at a masked step is zero, not the carried state (Keras's zero_output_for_mask). */
  zeroOutputForMask?: boolean;
  /**
   * recurrent_dropout in training: the state's masks (n, G·u), one per gate block (Keras 3's
   * implementation 1 for LSTM and GRU, SimpleRNN's one), are an input after the mask (-1 there
   * without one); forward writes the dropped states to scratch (output 8, (n, G·u)), backward
   * h_prev dropped (output 10, (n·T, G·u)).
   */
  stateDropout?: boolean;
  /**
   * dropout with recurrent_dropout on LSTM or GRU in training (Keras 3's implementation 1): the
   * inputs' masks (n, G·in), one per gate block, are an input after the state's mask (-1 places
   * before it as needed); forward writes the dropped inputs (output 9, (n·T, G·in)), which
   * backward reads as inputs 11 and 12 (after return_state's final-state gradients' places).
   */
  gateInputDropout?: boolean;
  activation: ActivationSpec;
  /** The gates' activation (LSTM, GRU); SimpleRNN has none and repeats `activation`. */
  recurrentActivation: ActivationSpec;
}

/** The kernels a plan may call; a backend binds each. */
export type OpName = keyof OpAttrs;

/** One kernel call: `op` over input buffers, writing output buffers (-1: an optional buffer left out). */
export type PlanStep = {
  [O in OpName]: {
    op: O;
    /** The Keras layer it comes from, for printing and errors. */
    layer: string;
    inputs: number[];
    outputs: number[];
    attrs: OpAttrs[O];
  };
}[OpName];

/** The step of one op. */
export type StepOf<O extends OpName> = Extract<PlanStep, { op: O }>;

/** A weight of the model, in Keras's get_weights() order. */
export interface PlanWeight {
  layer: string;
  name: string;
  buffer: number;
  /** The gradient's buffer in a training plan; null at inference and for frozen weights. */
  grad: number | null;
  shape: number[];
  trainable: boolean;
}

/** An activation output the health figures read: a layer's units on the buffer's last axis. */
export interface ObservedActivation {
  layer: string;
  buffer: number;
  activation: 'relu' | 'sigmoid' | 'tanh';
}

export interface Plan {
  /** inference: forward only; evaluation: forward and the loss (Keras's evaluate); training: one step. */
  mode: 'inference' | 'evaluation' | 'training';
  /** Batch capacity the work arena is sized for; a run may use fewer rows. */
  batchSize: number;
  buffers: PlanBuffer[];
  /** Steps run when parameters change (folding); then `steps` per batch. */
  prepare: PlanStep[];
  steps: PlanStep[];
  weights: PlanWeight[];
  /** The model's input buffers (one per model input), written by the caller. */
  inputs: number[];
  /** The model's output buffers, read by the caller. */
  outputs: number[];
  /** Training: one target buffer per output. */
  targets: number[];
  /** Training and evaluation: the loss of the batch (with several outputs, Σ weight·loss of each). */
  loss: number | null;
  /** With several outputs: each output's own loss scalar, in output order (else empty). */
  outputLosses: number[];
  /** Inference and evaluation: the activity regularizers' penalty summed over a run, when a layer has one (the caller zeroes it). */
  penalty: number | null;
  /**
   * Training plans made for fit's health figures (`observe`): the outputs of the layers' ReLU,
   * sigmoid and tanh activations, kept live to the end of the step so the runtime can read them.
   * Absent otherwise (no buffer kept longer, nothing read).
   */
  observed?: ObservedActivation[];
  /** Elements of the work arena, set by `assignMemory`. */
  workSize: number;
  /** Elements of the parameter arena this plan uses: weights; for training also gradients and optimizer state. */
  paramSize: number;
}
