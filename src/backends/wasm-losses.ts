/**
 * The loss steps on the wasm backend (asm/losses.ts): the fused softmax and sigmoid
 * cross-entropies, and the `loss` step for mean_squared_error, mean_absolute_error,
 * mean_absolute_percentage_error, huber, and binary, categorical and sparse categorical
 * cross-entropy on probabilities (from_logits=False), every reduction, label smoothing,
 * ignore_class and Keras's mask. They compute what the JavaScript kernels (src/kernels/losses.ts)
 * compute — float64 sums and gradients, e^x and log in float32 SIMD — and bind to null (so the
 * JavaScript kernels run) for the rest:
 * - from_logits=True on the `loss` step: its gradient holds each p = e^(x − max)/Σ itself, and
 *   float32 e^x is not within 1e-6 of float64's there (x − max rounded to float32 moves e^x by
 *   up to |x − max|·2⁻²⁴ relative; e^x clamps at −87 where float64 goes on into float32's
 *   subnormals; p·Σy − y cancels where p ≈ y);
 * - mean_squared_logarithmic_error, log_cosh, poisson and kl_divergence (a float32 log or tanh
 *   cancels in their values), the hinges and cosine_similarity, the focal cross-entropies.
 */
import type { StepOf } from '../ir/index.js';
import type { LossSpec } from '../kernels/index.js';
import { jsBackend } from './js.js';
import type { BindContext, Run, StepViews } from './types.js';
import type { Block } from './wasm-block.js';

/** The `loss` step's losses on wasm, by asm/losses.ts's codes (their index). */
const lossKinds = [
  'mean_squared_error',
  'mean_absolute_error',
  'mean_absolute_percentage_error',
  'huber',
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
] as const;

/** asm/losses.ts's reductions: 0 the mean over the counted rows, 1 the sum, 2 'none'. */
function reductionCode(spec: LossSpec): number {
  if (spec.reduction === 'sum') return 1;
  return spec.reduction === 'none' ? 2 : 0;
}

type LossStep = StepOf<'loss'> | StepOf<'softmax_cross_entropy'> | StepOf<'sigmoid_cross_entropy'>;

/**
 * A loss step on the block's kernels, or null for a loss (or a view) they do not take. A sparse
 * target outside [0, cols) makes the kernel return before writing anything; the step then runs
 * the JavaScript kernels, which throw their error for it. `at`: the byte addresses of the
 * step's inputs then outputs in the block (0 for a null view).
 */
export function bindWasmLoss(
  block: Block,
  s: LossStep,
  at: readonly number[],
  views: StepViews,
  ctx: BindContext,
): Run | null {
  const kern = block.kernels;
  const { rows: perSample, cols } = s.attrs;
  const spec = s.attrs.loss;
  const masked = s.attrs.masked === true;
  const js = () => jsBackend.bind(s, views, ctx);
  if (s.op === 'loss') {
    const kind = (lossKinds as readonly string[]).indexOf(spec.name);
    if (kind < 0 || spec.fromLogits) return null;
    const [yPred = 0, yTrue = 0, third = 0] = at;
    const mask = masked ? third : 0;
    const [loss = 0, grad = 0] = at.slice(views.inputs.length);
    const reduction = reductionCode(spec);
    const ignore = spec.ignoreClass === null ? 0 : 1;
    const ignoreClass = spec.ignoreClass ?? 0;
    const { delta } = spec;
    // Label smoothing belongs to the cross-entropies (resolveLoss takes it for no other).
    const labelSmoothing = spec.name.endsWith('crossentropy') ? spec.labelSmoothing : 0;
    const fallback = js();
    return (n) => {
      const rows = n * perSample;
      const bad = kern.lossStep(
        kind,
        yPred,
        yTrue,
        mask,
        loss,
        grad,
        rows,
        cols,
        reduction,
        labelSmoothing,
        delta,
        ignore,
        ignoreClass,
      );
      if (bad >= 0) fallback(n);
    };
  }
  // The planner fuses only the mean (sum_over_batch_size or mean) without ignore_class, the
  // reductions whose gradient is (p − y)/n; the JavaScript binding would reduce another's value
  // its own way beside that mean's gradient, so any other stays there.
  if (spec.ignoreClass !== null) return null;
  if (spec.reduction !== 'sum_over_batch_size' && spec.reduction !== 'mean') return null;
  const [probs = 0, yTrue = 0, logits = 0, fourth = 0] = at;
  const mask = masked ? fourth : 0;
  const [loss = 0, dLogits = 0] = at.slice(views.inputs.length);
  const ls = spec.labelSmoothing;
  if (s.op === 'sigmoid_cross_entropy') {
    return (n) =>
      kern.sigmoidCrossEntropy(logits, probs, yTrue, mask, loss, dLogits, n * perSample, cols, ls);
  }
  const sparse = s.attrs.sparse ? 1 : 0;
  const fallback = js();
  return (n) => {
    const rows = n * perSample;
    const bad = kern.softmaxCrossEntropy(
      logits,
      probs,
      yTrue,
      mask,
      loss,
      dLogits,
      rows,
      cols,
      ls,
      sparse,
    );
    if (bad >= 0) fallback(n);
  };
}
