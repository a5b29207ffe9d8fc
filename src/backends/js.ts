/**
 * The reference backend: every op of the plan on the Float32Array kernels of src/kernels and the
 * update rules of src/optim, in plain JavaScript. Binding resolves sizes once; a bound step
 * allocates nothing when it runs.
 */
import type { PlanStep, RecurrentAttrs, StepOf } from '../ir/index.js';
import * as k from '../kernels/index.js';
import { createConstraint, createRegularizer, type ParamSlot } from '../optim/index.js';
import { DataError, type Backend, type BindContext, type Run, type StepViews } from './types.js';

export const jsBackend: Backend = {
  name: 'js',
  allocate: (floats) => new Float32Array(floats),
  bind,
};

const empty = new Float32Array(0);

/** A copy step's axes as the kernel's two, outer first (a 1D step gets a unit outer axis). */
function copyAxes(axes: readonly k.CopyAxis[]): [k.CopyAxis, k.CopyAxis] {
  return axes.length === 1 ? [k.unitAxis, axes[0]!] : [axes[0]!, axes[1]!];
}

function bind(s: PlanStep, views: StepViews, ctx: BindContext): Run {
  const v = (i: number): Float32Array => views.inputs[i] ?? empty;
  const opt = (i: number): Float32Array | null => views.inputs[i] ?? null;
  const o = (i: number): Float32Array | null => views.outputs[i] ?? null;
  switch (s.op) {
    case 'dense': {
      const { rows: rowsPer, in: inDim, units, activation } = s.attrs;
      const [x, kernel, bias] = [v(0), v(1), s.attrs.bias ? v(2) : null];
      const [y, z] = [o(0)!, o(1)];
      const pre = z ?? y;
      const act = activation && activation.name !== 'linear' ? activation : null;
      return (n) => {
        const rows = n * rowsPer;
        // One row (predict on one sample): a fused product and bias, the same numbers.
        if (rows === 1) k.denseRow(x, kernel, bias, pre, inDim, units);
        else {
          k.matmul(x, kernel, pre, rows, inDim, units, false);
          if (bias) k.addBias(pre, bias, rows, units);
        }
        if (act) k.activationForward(act, pre, y, rows, units);
      };
    }
    case 'dense_backward': {
      const { rows: rowsPer, in: inDim, units } = s.attrs;
      const [x, kernel, dz] = [v(0), v(1), v(2)];
      const [dx, dKernel, dBias] = [o(0), o(1), o(2)];
      return (n) => {
        const rows = n * rowsPer;
        if (dKernel) k.matmulTransA(x, dz, dKernel, inDim, rows, units, false);
        if (dBias) k.biasGrad(dz, dBias, rows, units, false);
        if (dx) k.matmulTransB(dz, kernel, dx, rows, units, inDim, false);
      };
    }
    case 'activation': {
      const { rows, cols, activation } = s.attrs;
      const [x, y] = [v(0), o(0)!];
      return (n) => k.activationForward(activation, x, y, n * rows, cols);
    }
    case 'activation_backward': {
      const { rows, cols, activation } = s.attrs;
      const [x, y, dy, dx] = [v(0), v(1), v(2), o(0)!];
      return (n) => k.activationBackward(activation, x, y, dy, dx, n * rows, cols);
    }
    case 'copy': {
      const [x, y] = [v(0), o(0)!];
      const size = s.attrs.size;
      return (n) => y.set(x.length === n * size ? x : x.subarray(0, n * size));
    }
    case 'add': {
      const [a, b, y] = [v(0), v(1), o(0)!];
      const size = s.attrs.size;
      return (n) => {
        const length = n * size;
        for (let i = 0; i < length; i++) y[i] = a[i]! + b[i]!;
      };
    }
    case 'weighted_sum': {
      const { weights } = s.attrs;
      const ls = s.inputs.map((_, i) => v(i));
      const total = o(0)!;
      return () => {
        let sum = 0;
        for (let i = 0; i < ls.length; i++) sum += weights[i]! * ls[i]![0]!;
        total[0] = sum;
      };
    }
    case 'scale': {
      const { factor, size } = s.attrs;
      const x = o(0)!;
      return (n) => {
        for (let i = 0, end = n * size; i < end; i++) x[i] = x[i]! * factor;
      };
    }
    case 'merge': {
      const { mode, size } = s.attrs;
      const xs = s.inputs.map((_, i) => v(i));
      const y = o(0)!;
      return (n) => k.mergeForward(mode, xs, y, n * size);
    }
    case 'merge_backward': {
      const { mode, size } = s.attrs;
      const xs = s.inputs.slice(0, -1).map((_, i) => v(i));
      const dy = v(s.inputs.length - 1);
      const dxs = s.outputs.map((_, i) => o(i));
      return (n) => k.mergeBackward(mode, xs, dy, dxs, n * size);
    }
    case 'concatenate': {
      const { outer, blocks } = s.attrs;
      const xs = s.inputs.map((_, i) => v(i));
      const y = o(0)!;
      return (n) => k.concatForward(xs, y, n * outer, blocks);
    }
    case 'concatenate_backward': {
      const { outer, blocks } = s.attrs;
      const dy = v(0);
      const dxs = s.outputs.map((_, i) => o(i));
      return (n) => k.concatBackward(dy, dxs, n * outer, blocks);
    }
    case 'dropout': {
      const { size, rate } = s.attrs;
      const [x, y, mask] = [v(0), o(0)!, o(1)!];
      const rng = ctx.rng;
      return (n) => k.dropoutForward(x, y, mask, n * size, rate, rng);
    }
    case 'dropout_backward': {
      const [dy, mask, dx] = [v(0), v(1), o(0)!];
      const size = s.attrs.size;
      return (n) => k.dropoutBackward(dy, mask, dx, n * size);
    }
    case 'gaussian_noise': {
      const { size, stddev } = s.attrs;
      const [x, y] = [v(0), o(0)!];
      const rng = ctx.rng;
      return (n) => k.gaussianNoiseForward(x, y, n * size, stddev, rng);
    }
    case 'batch_norm': {
      const { rows, cols, epsilon } = s.attrs;
      const [x, gamma, beta, mean, variance, y] = [v(0), opt(1), opt(2), v(3), v(4), o(0)!];
      return (n) =>
        k.batchNormInferenceForward(x, y, gamma, beta, mean, variance, n * rows, cols, epsilon);
    }
    case 'batch_norm_train': {
      const { rows, cols, epsilon, momentum } = s.attrs;
      const [x, gamma, beta, mean, variance] = [v(0), opt(1), opt(2), v(3), v(4)];
      const [y, saveMean, saveInvStd] = [o(0)!, o(1)!, o(2)!];
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
          n * rows,
          cols,
          momentum,
          epsilon,
        );
    }
    case 'batch_norm_backward': {
      const { rows, cols } = s.attrs;
      const [x, dy, gamma, saveMean, saveInvStd] = [v(0), v(1), opt(2), v(3), v(4)];
      const [dx, dGamma, dBeta] = [o(0), o(1), o(2)];
      return (n) =>
        k.batchNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, dGamma, dBeta, n * rows, cols);
    }
    case 'layer_norm': {
      const { rows, cols, epsilon } = s.attrs;
      const [x, gamma, beta] = [v(0), opt(1), opt(2)];
      const [y, mean, invStd] = [o(0)!, o(1)!, o(2)!];
      return (n) => k.layerNormForward(x, y, gamma, beta, mean, invStd, n * rows, cols, epsilon);
    }
    case 'layer_norm_backward': {
      const { rows, cols } = s.attrs;
      const [x, dy, gamma, mean, invStd] = [v(0), v(1), opt(2), v(3), v(4)];
      const [dx, dGamma, dBeta] = [o(0), o(1), o(2)];
      return (n) =>
        k.layerNormBackward(x, dy, gamma, mean, invStd, dx, dGamma, dBeta, n * rows, cols);
    }
    case 'unit_norm': {
      const { rows, cols } = s.attrs;
      const [x, y] = [v(0), o(0)!];
      return (n) => k.unitNormForward(x, y, n * rows, cols);
    }
    case 'unit_norm_backward': {
      const { rows, cols } = s.attrs;
      const [x, dy, dx] = [v(0), v(2), o(0)!];
      return (n) => k.unitNormBackward(x, dy, dx, n * rows, cols);
    }
    case 'prelu': {
      const [x, alpha, y] = [v(0), v(1), o(0)!];
      const index = Int32Array.from(s.attrs.alphaIndex);
      const size = s.attrs.size;
      return (n) => k.preluForward(x, alpha, index, y, n, size);
    }
    case 'prelu_backward': {
      const [x, alpha, dy] = [v(0), v(1), v(2)];
      const [dx, dAlpha] = [o(0), o(1)];
      const index = Int32Array.from(s.attrs.alphaIndex);
      const size = s.attrs.size;
      return (n) => k.preluBackward(x, alpha, index, dy, dx, dAlpha, n, size);
    }
    case 'global_pool': {
      const { pool, steps, channels } = s.attrs;
      const [x, y] = [v(0), o(0)!];
      if (s.attrs.masked) {
        const mask = v(1);
        return (n) => k.globalAvgPoolMaskedForward(x, mask, y, n, steps, channels);
      }
      const forward = pool === 'avg' ? k.globalAvgPoolForward : k.globalMaxPoolForward;
      return (n) => forward(x, y, n, steps, channels);
    }
    case 'global_pool_backward': {
      const { pool, steps, channels } = s.attrs;
      const [dy, x, y, dx] = [v(0), v(1), v(2), o(0)!];
      if (s.attrs.masked)
        return (n) => k.globalAvgPoolMaskedBackward(dy, x, dx, n, steps, channels);
      if (pool === 'avg') return (n) => k.globalAvgPoolBackward(dy, dx, n, steps, channels);
      return (n) => k.globalMaxPoolBackward(x, y, dy, dx, n, steps, channels);
    }
    case 'spatial_copy':
    case 'spatial_copy_backward': {
      const [outer, inner] = copyAxes(s.attrs.axes);
      const [from, to] = [v(0), o(0)!];
      const channels = s.attrs.channels;
      const run = s.op === 'spatial_copy' ? k.spatialCopyForward : k.spatialCopyBackward;
      return (n) => run(from, to, n, outer, inner, channels);
    }
    case 'permute':
    case 'permute_backward': {
      const { shape, perm } = s.attrs;
      const index = k.permutationIndex(shape, perm);
      const [from, to] = [v(0), o(0)!];
      const run = s.op === 'permute' ? k.permuteForward : k.permuteBackward;
      return (n) => run(from, to, index, n, index.length);
    }
    case 'spatial_dropout': {
      const { rate, steps, channels } = s.attrs;
      const [x, y, mask] = [v(0), o(0)!, o(1)!];
      const rng = ctx.rng;
      return (n) => k.spatialDropoutForward(x, y, mask, n, steps, channels, rate, rng);
    }
    case 'spatial_dropout_backward': {
      const { steps, channels } = s.attrs;
      const [dy, mask, dx] = [v(0), v(1), o(0)!];
      return (n) => k.spatialDropoutBackward(dy, mask, dx, n, steps, channels);
    }
    case 'fold_batch_norm': {
      const { in: inDim, units, epsilon } = s.attrs;
      const [kernel, bias, gamma, beta, mean, variance] = [
        v(0),
        opt(1),
        opt(2),
        opt(3),
        v(4),
        v(5),
      ];
      const [foldedKernel, foldedBias] = [o(0)!, o(1)!];
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
          epsilon,
        );
    }
    case 'conv': {
      const { filters, activation } = s.attrs;
      const [x, kernel, bias] = [v(0), v(1), s.attrs.bias ? v(2) : null];
      const [y, col, z] = [o(0)!, o(1)!, o(2)];
      const g = s.attrs;
      return (n) =>
        k.convForward(x, kernel, bias, col, z ?? y, y, activation, g, filters, g.groups, n);
    }
    case 'conv_backward': {
      const [col, kernel, dz] = [v(0), v(1), v(2)];
      const [dx, dKernel, dBias, dcol] = [o(0), o(1), o(2), o(3)];
      const g = s.attrs;
      return (n) =>
        k.convBackward(col, kernel, dz, dx, dKernel, dBias, dcol, g, g.filters, g.groups, n);
    }
    case 'max_pool': {
      const [x, y, argmax] = [v(0), o(0)!, o(1)];
      return (n) => k.maxPoolForward(x, y, argmax, s.attrs, n);
    }
    case 'max_pool_backward': {
      const [dy, argmax, dx] = [v(0), v(1), o(0)!];
      return (n) => k.maxPoolBackward(dy, argmax, dx, s.attrs, n);
    }
    case 'avg_pool': {
      const [x, y] = [v(0), o(0)!];
      return (n) => k.avgPoolForward(x, y, s.attrs, n);
    }
    case 'avg_pool_backward': {
      const [dy, dx] = [v(0), o(0)!];
      return (n) => k.avgPoolBackward(dy, dx, s.attrs, n);
    }
    case 'loss': {
      const { rows: rowsPer, cols, loss: spec } = s.attrs;
      const [yPred, yTrue, mask] = [v(0), v(1), s.attrs.masked ? v(2) : null];
      const [loss, grad] = [o(0)!, o(1)!];
      return (n) => {
        const rows = n * rowsPer;
        k.lossForwardInto(spec, yTrue, yPred, rows, cols, loss, undefined, null, mask);
        k.lossGradient(spec, yTrue, yPred, grad, rows, cols, null, mask);
      };
    }
    case 'softmax_cross_entropy':
    case 'sigmoid_cross_entropy': {
      // The value from the logits, as Keras computes it on TensorFlow when the output comes
      // from a softmax or sigmoid; the gradient (p − y)/n is that value's exact gradient.
      const { rows: rowsPer, cols, sparse } = s.attrs;
      const spec = { ...s.attrs.loss, fromLogits: true };
      const [probs, yTrue, logits] = [v(0), v(1), v(2)];
      const mask = s.attrs.masked ? v(3) : null;
      const [loss, dLogits] = [o(0)!, o(1)!];
      const smoothing = spec.labelSmoothing;
      const softmax = s.op === 'softmax_cross_entropy';
      return (n) => {
        const rows = n * rowsPer;
        k.lossForwardInto(spec, yTrue, logits, rows, cols, loss, undefined, null, mask);
        if (softmax)
          k.softmaxCrossEntropyGrad(probs, yTrue, dLogits, rows, cols, smoothing, sparse, mask);
        else k.sigmoidBinaryCrossEntropyGrad(probs, yTrue, dLogits, rows, cols, smoothing, mask);
      };
    }
    case 'regularizer': {
      const reg = createRegularizer(s.attrs.regularizer);
      const [w, loss, grad] = [v(0), v(1), o(0)!];
      if (!reg) return () => undefined;
      return () => {
        loss[0] = Math.fround(loss[0]! + reg.penalty(w));
        reg.addGradient(w, grad);
      };
    }
    case 'activity_regularizer': {
      const reg = createRegularizer(s.attrs.regularizer);
      const [y, dy, loss] = [v(0), v(1), v(2)];
      const size = s.attrs.size;
      if (!reg) return () => undefined;
      return (n) => {
        // Keras divides the activity penalty by the batch size, and so its gradient.
        loss[0] = Math.fround(loss[0]! + reg.penalty(y, n * size) / n);
        reg.addGradient(y, dy, n * size, 1 / n);
      };
    }
    case 'activity_penalty': {
      const reg = createRegularizer(s.attrs.regularizer);
      const [y, total] = [v(0), o(0)!];
      const size = s.attrs.size;
      if (!reg) return () => undefined;
      return (n) => {
        total[0] = total[0]! + reg.penalty(y, n * size);
      };
    }
    // --- embedding and recurrent ops ---
    case 'embedding': {
      const { tokens, vocab, dim } = s.attrs;
      const [ids, table, y] = [v(0), v(1), o(0)!];
      const layer = s.layer;
      return (n) => {
        const bad = k.embeddingForward(ids, table, y, n * tokens, vocab, dim);
        if (bad >= 0) throw new DataError(badTokenMessage(layer, ids[bad]!, bad, tokens, vocab));
      };
    }
    case 'embedding_backward': {
      const { tokens, vocab, dim } = s.attrs;
      const [ids, dy, dTable] = [v(0), v(1), o(0)!];
      return (n) => k.embeddingBackward(ids, dy, dTable, n * tokens, vocab, dim);
    }
    case 'dropout_mask': {
      const { rate, size } = s.attrs;
      const mask = o(0)!;
      const rng = ctx.rng;
      return (n) => k.dropoutMask(mask, n * size, rate, rng);
    }
    case 'token_mask': {
      const size = s.attrs.size;
      const [ids, mask] = [v(0), o(0)!];
      return (n) => k.tokenMask(ids, mask, n * size);
    }
    case 'recurrent':
    case 'recurrent_backward':
      return bindRecurrent(s, views);
    // --- end of the embedding and recurrent ops ---
    case 'optimizer': {
      const optimizer = ctx.optimizer;
      if (!optimizer) throw new Error('internal: a training plan was bound without an optimizer.');
      const slots: ParamSlot[] = s.attrs.weights.map((w, i) => ({
        name: w.name,
        value: o(i)!,
        grad: v(i),
        shape: w.shape,
        constraint: createConstraint(w.constraint),
      }));
      const state = s.inputs.slice(slots.length).map((_, i) => v(slots.length + i));
      optimizer.build(slots, state);
      return () => optimizer.apply(slots);
    }
  }
}

/** An id outside the vocabulary, located: TensorFlow's gather fails on it as well. */
export function badTokenMessage(
  layer: string,
  id: number,
  at: number,
  tokens: number,
  vocab: number,
): string {
  const sample = Math.floor(at / tokens);
  return `layer '${layer}': token id ${id} (sample ${sample}, position ${at % tokens}) is outside the vocabulary [0, ${vocab}); Embedding(input_dim=${vocab}) takes integer ids from 0 to ${vocab - 1}.`;
}

/**
 * A recurrent layer's forward or backward over its views, its products on `products`
 * (JavaScript's, or the wasm backend's over the same memory), its gate math in JavaScript
 * except for the cell steps `products` brings (the wasm backend's LSTM cell).
 */
export function bindRecurrent(
  s: StepOf<'recurrent'> | StepOf<'recurrent_backward'>,
  views: StepViews,
  products: k.Products & k.CellSteps = k.jsProducts,
): Run {
  const v = (i: number): Float32Array => views.inputs[i] ?? empty;
  const opt = (i: number): Float32Array | null => views.inputs[i] ?? null;
  const o = (i: number): Float32Array | null => views.outputs[i] ?? null;
  switch (s.op) {
    case 'recurrent': {
      const dims = recurrentDims(s.attrs);
      const buffers: k.RecurrentForwardBuffers = {
        x: v(0),
        kernel: v(1),
        recurrentKernel: v(2),
        bias: s.attrs.bias ? v(3) : null,
        y: o(0)!,
        xw: o(1)!,
        rec: o(2)!,
        gates: o(3)!,
        hPrev: o(4)!,
        h: o(5)!,
        c: o(6),
        cStep: o(7),
        // After the bias: the mask (or its -1 place), then the state's dropout mask.
        mask: opt(s.attrs.bias ? 4 : 3),
        stateMask: s.attrs.stateDropout ? v(s.attrs.bias ? 5 : 4) : null,
        hDropped: o(8),
        inputMask: s.attrs.gateInputDropout ? v(s.attrs.bias ? 6 : 5) : null,
        xDropped: o(9),
      };
      return (n) => k.recurrentForward(dims, buffers, n, products);
    }
    case 'recurrent_backward': {
      const dims = recurrentDims(s.attrs);
      const buffers: k.RecurrentBackwardBuffers = {
        x: v(0),
        kernel: v(1),
        recurrentKernel: v(2),
        gates: v(3),
        hPrev: v(4),
        c: opt(5),
        dy: opt(6),
        dhFinal: opt(9),
        dcFinal: opt(10),
        dx: o(0),
        dKernel: o(1),
        dRecurrentKernel: o(2),
        dBias: o(3),
        dGates: o(4)!,
        dRec: o(5),
        dStep: o(6)!,
        dh: o(7)!,
        dc: o(8),
        mask: opt(7),
        carry: o(9),
        stateMask: s.attrs.stateDropout ? v(8) : null,
        hPrevDropped: o(10),
        inputMask: s.attrs.gateInputDropout ? v(11) : null,
        xDropped: s.attrs.gateInputDropout ? v(12) : null,
      };
      return (n) => k.recurrentBackward(dims, buffers, n, products);
    }
  }
}

/** A recurrent step's attributes as the kernels' dimensions (activations by code). */
function recurrentDims(a: RecurrentAttrs): k.RecurrentDims {
  const code = (spec: RecurrentAttrs['activation']) =>
    k.cellActivationNames.indexOf(spec.name as k.CellActivationName);
  return {
    cell: a.cell,
    steps: a.steps,
    in: a.in,
    units: a.units,
    returnSequences: a.returnSequences,
    goBackwards: a.goBackwards,
    ...(a.reverseSequence ? { reverseSequence: true } : {}),
    resetAfter: a.resetAfter,
    ...(a.zeroOutputForMask ? { zeroOutputForMask: true } : {}),
    activation: code(a.activation),
    recurrentActivation: code(a.recurrentActivation),
  };
}
