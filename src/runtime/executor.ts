/**
 * Runs a plan: binds every buffer to a view of its arena once (the work arena is allocated
 * here, once per plan; the parameter arena belongs to the model), turns each step into a call
 * with its sizes resolved, then runs the calls for a batch of `n` samples. Nothing is
 * allocated per run.
 */
import type { CallValue } from '../catalog/index.js';
import * as k from '../kernels/index.js';
import type { Rng } from '../kernels/random.js';
import type { Optimizer, ParamSlot } from '../optim/index.js';
import { createRegularizer } from '../optim/index.js';
import { arenaOf, bufferLength, type Plan, type PlanStep } from '../plan/index.js';

/** What a bound plan needs besides its buffers. */
export interface RunContext {
  params: Float32Array;
  rng: Rng;
  optimizer?: Optimizer;
  slots?: ParamSlot[];
}

type Call = (n: number) => void;

export class BoundPlan {
  readonly work: Float32Array;
  private readonly views: Float32Array[];
  private readonly calls: Call[];
  private readonly prepareCalls: Call[];
  /** The parameters' version the prepared (derived) buffers were computed from. */
  preparedVersion = -1;

  constructor(
    readonly plan: Plan,
    private readonly ctx: RunContext,
  ) {
    this.work = new Float32Array(plan.workSize);
    this.views = plan.buffers.map((b) => {
      if (b.offset < 0) return new Float32Array(0);
      const arena = arenaOf(b) === 'work' ? this.work : ctx.params;
      const length = arenaOf(b) === 'work' ? bufferLength(b, plan.batchSize) : b.size;
      return arena.subarray(b.offset, b.offset + length);
    });
    this.prepareCalls = plan.prepare.map((s) => this.compile(s));
    this.calls = plan.steps.map((s) => this.compile(s));
  }

  /** The view of buffer `id` (the input, the output, the loss…). */
  view(id: number): Float32Array {
    return this.views[id]!;
  }

  /** Recomputes derived buffers (folded weights) when the parameters changed since last time. */
  prepare(version: number): void {
    if (version === this.preparedVersion) return;
    for (const call of this.prepareCalls) call(0);
    this.preparedVersion = version;
  }

  /** Runs every step for `n` samples (n ≤ the plan's batch size). */
  run(n: number): void {
    const calls = this.calls;
    for (let i = 0; i < calls.length; i++) calls[i]!(n);
  }

  private compile(s: PlanStep): Call {
    const v = (i: number): Float32Array => this.views[s.inputs[i]!] ?? empty;
    const o = (i: number): Float32Array | null =>
      s.outputs[i]! >= 0 ? this.views[s.outputs[i]!]! : null;
    const num = (name: string) => s.attrs[name] as number;
    const rowsPer = num('rows');
    const cols = num('cols');
    switch (s.op) {
      case 'dense': {
        const [x, kernel] = [v(0), v(1)];
        const bias = s.attrs['bias'] ? v(2) : null;
        const [y, z] = [o(0)!, o(1)];
        const inDim = num('in');
        const units = num('units');
        const act = s.attrs['activation'] ? activationOf(s.attrs['activation']) : null;
        const pre = z ?? y;
        return (n) => {
          const rows = n * rowsPer;
          k.matmul(x, kernel, pre, rows, inDim, units, false);
          if (bias) k.addBias(pre, bias, rows, units);
          if (act) k.activationForward(act, pre, y, rows, units);
        };
      }
      case 'activation': {
        const act = activationOf(s.attrs['activation']);
        const [x, y] = [v(0), o(0)!];
        return (n) => k.activationForward(act, x, y, n * rowsPer, cols);
      }
      case 'activation_backward': {
        const act = activationOf(s.attrs['activation']);
        const [x, y, dy, dx] = [v(0), v(1), v(2), o(0)!];
        return (n) => k.activationBackward(act, x, y, dy, dx, n * rowsPer, cols);
      }
      case 'dense_backward': {
        const [x, kernel, dz] = [v(0), v(1), v(2)];
        const [dx, dKernel, dBias] = [o(0), o(1), o(2)];
        const inDim = num('in');
        const units = num('units');
        return (n) => {
          const rows = n * rowsPer;
          if (dKernel) k.matmulTransA(x, dz, dKernel, inDim, rows, units, false);
          if (dBias) k.biasGrad(dz, dBias, rows, units, false);
          if (dx) k.matmulTransB(dz, kernel, dx, rows, units, inDim, false);
        };
      }
      case 'copy': {
        const [x, y] = [v(0), o(0)!];
        const size = num('size');
        return (n) => y.set(x.length === n * size ? x : x.subarray(0, n * size));
      }
      case 'dropout': {
        const [x, y, mask] = [v(0), o(0)!, o(1)!];
        const size = num('size');
        const rate = num('rate');
        const rng = this.ctx.rng;
        return (n) => k.dropoutForward(x, y, mask, n * size, rate, rng);
      }
      case 'dropout_backward': {
        const [dy, mask, dx] = [v(0), v(1), o(0)!];
        const size = num('size');
        return (n) => k.dropoutBackward(dy, mask, dx, n * size);
      }
      case 'gaussian_noise': {
        const [x, y] = [v(0), o(0)!];
        const size = num('size');
        const stddev = num('stddev');
        const rng = this.ctx.rng;
        return (n) => k.gaussianNoiseForward(x, y, n * size, stddev, rng);
      }
      case 'batch_norm': {
        const [x, gamma, beta, mean, variance] = [v(0), opt(v(1)), opt(v(2)), v(3), v(4)];
        const y = o(0)!;
        const eps = num('epsilon');
        return (n) =>
          k.batchNormInferenceForward(x, y, gamma, beta, mean, variance, n * rowsPer, cols, eps);
      }
      case 'batch_norm_train': {
        const [x, gamma, beta, mean, variance] = [v(0), opt(v(1)), opt(v(2)), v(3), v(4)];
        const [y, saveMean, saveInvStd] = [o(0)!, o(1)!, o(2)!];
        const eps = num('epsilon');
        const momentum = num('momentum');
        return (n) =>
          k.batchNormTrainForward(
            x,
            y,
            gamma,
            beta,
            mean,
            variance,
            saveMean,
            saveInvStd,
            n * rowsPer,
            cols,
            momentum,
            eps,
          );
      }
      case 'batch_norm_backward': {
        const [x, dy, gamma, saveMean, saveInvStd] = [v(0), v(1), opt(v(2)), v(3), v(4)];
        const [dx, dGamma, dBeta] = [o(0), o(1), o(2)];
        return (n) =>
          k.batchNormBackward(
            x,
            dy,
            gamma,
            saveMean,
            saveInvStd,
            dx,
            dGamma,
            dBeta,
            n * rowsPer,
            cols,
          );
      }
      case 'layer_norm': {
        const [x, gamma, beta] = [v(0), opt(v(1)), opt(v(2))];
        const [y, mean, invStd] = [o(0)!, o(1)!, o(2)!];
        const eps = num('epsilon');
        return (n) => k.layerNormForward(x, y, gamma, beta, mean, invStd, n * rowsPer, cols, eps);
      }
      case 'layer_norm_backward': {
        const [x, dy, gamma, mean, invStd] = [v(0), v(1), opt(v(2)), v(3), v(4)];
        const [dx, dGamma, dBeta] = [o(0), o(1), o(2)];
        return (n) =>
          k.layerNormBackward(x, dy, gamma, mean, invStd, dx, dGamma, dBeta, n * rowsPer, cols);
      }
      case 'unit_norm': {
        const [x, y] = [v(0), o(0)!];
        return (n) => k.unitNormForward(x, y, n * rowsPer, cols);
      }
      case 'unit_norm_backward': {
        const [x, dy, dx] = [v(0), v(2), o(0)!];
        return (n) => k.unitNormBackward(x, dy, dx, n * rowsPer, cols);
      }
      case 'prelu': {
        const [x, alpha, y] = [v(0), v(1), o(0)!];
        const index = Int32Array.from(s.attrs['alphaIndex'] as number[]);
        const size = num('size');
        return (n) => k.preluForward(x, alpha, index, y, n, size);
      }
      case 'prelu_backward': {
        const [x, alpha, dy] = [v(0), v(1), v(2)];
        const [dx, dAlpha] = [o(0), o(1)];
        const index = Int32Array.from(s.attrs['alphaIndex'] as number[]);
        const size = num('size');
        return (n) => k.preluBackward(x, alpha, index, dy, dx, dAlpha, n, size);
      }
      case 'fold_batch_norm': {
        const [kernel, bias, gamma, beta, mean, variance] = [
          v(0),
          opt(v(1)),
          opt(v(2)),
          opt(v(3)),
          v(4),
          v(5),
        ];
        const [foldedKernel, foldedBias] = [o(0)!, o(1)!];
        const inDim = num('in');
        const units = num('units');
        const eps = num('epsilon');
        return () =>
          k.foldBatchNorm(
            kernel,
            bias,
            gamma,
            beta,
            mean,
            variance,
            foldedKernel,
            foldedBias,
            inDim,
            units,
            eps,
          );
      }
      case 'loss': {
        const spec = k.resolveLoss(
          (s.attrs['loss'] as unknown as CallValue).call,
          (s.attrs['loss'] as unknown as CallValue).args,
        );
        const [yPred, yTrue] = [v(0), v(1)];
        const [loss, grad] = [o(0)!, o(1)!];
        return (n) => {
          const rows = n * rowsPer;
          k.lossForwardInto(spec, yTrue, yPred, rows, cols, loss);
          k.lossGradient(spec, yTrue, yPred, grad, rows, cols);
        };
      }
      case 'softmax_cross_entropy':
      case 'sigmoid_cross_entropy': {
        // The value from the logits, as Keras computes it on TensorFlow when the output comes
        // from a softmax or sigmoid; the gradient (p − y)/n is that value's exact gradient.
        const call = s.attrs['loss'] as unknown as CallValue;
        const spec = k.resolveLoss(call.call, { ...call.args, from_logits: true });
        const [probs, yTrue, logits] = [v(0), v(1), v(2)];
        const [loss, dLogits] = [o(0)!, o(1)!];
        const smoothing = spec.labelSmoothing;
        const sparse = s.attrs['sparse'] === true;
        const softmax = s.op === 'softmax_cross_entropy';
        return (n) => {
          const rows = n * rowsPer;
          k.lossForwardInto(spec, yTrue, logits, rows, cols, loss);
          if (softmax)
            k.softmaxCrossEntropyGrad(probs, yTrue, dLogits, rows, cols, smoothing, sparse);
          else k.sigmoidBinaryCrossEntropyGrad(probs, yTrue, dLogits, rows, cols, smoothing);
        };
      }
      case 'regularizer': {
        const reg = createRegularizer(s.attrs['regularizer'] as unknown as CallValue);
        const [w, loss] = [v(0), v(1)];
        const grad = o(0)!;
        if (!reg) return () => undefined;
        return () => {
          loss[0] = Math.fround(loss[0]! + reg.penalty(w));
          reg.addGradient(w, grad);
        };
      }
      case 'activity_regularizer': {
        const reg = createRegularizer(s.attrs['regularizer'] as unknown as CallValue);
        const [y, dy, loss] = [v(0), v(1), v(2)];
        const size = num('size');
        if (!reg) return () => undefined;
        return (n) => {
          // Keras divides the activity penalty by the batch size, and so its gradient.
          loss[0] = Math.fround(loss[0]! + reg.penalty(y, n * size) / n);
          reg.addGradient(y, dy, n * size, 1 / n);
        };
      }
      case 'activity_penalty': {
        const reg = createRegularizer(s.attrs['regularizer'] as unknown as CallValue);
        const [y, total] = [v(0), o(0)!];
        const size = num('size');
        if (!reg) return () => undefined;
        return (n) => {
          total[0] = total[0]! + reg.penalty(y, n * size);
        };
      }
      case 'optimizer': {
        const { optimizer, slots } = this.ctx;
        if (!optimizer || !slots)
          throw new Error('internal: a training plan was bound without an optimizer.');
        return () => optimizer.apply(slots);
      }
    }
  }
}

const empty = new Float32Array(0);

function opt(view: Float32Array): Float32Array | null {
  return view.length === 0 ? null : view;
}

function activationOf(attr: unknown): k.ActivationSpec {
  const a = attr as { name: string; args?: Record<string, unknown> };
  return k.resolveActivation(a.name, a.args ?? {});
}
