/**
 * Convolution over channels-last images as a matrix product: im2col lays every output
 * position's receptive field out as one row (taps in (row, column, channel) order, which is
 * the row order of Keras's kernel (kh, kw, in, filters)), so the convolution is one product
 * col[n·oh·ow, kh·kw·c] · kernel[kh·kw·c, filters] on the blocked matmul. Backward reuses the
 * same matrix: dkernel = colᵀ·dz, and dx = col2im(dz·kernelᵀ). A 1-D convolution is the 2-D
 * one with height 1. The col matrix is a plan buffer: nothing here allocates.
 *
 * Grouped convolution (Keras's `groups`; depthwise is groups = channels) lays each row out group
 * by group — (group, row, column, channel of the group) — so that one group's columns are
 * contiguous, and runs one strided product per group: group g reads its block of col and the
 * kernel's columns [g·f/G, (g+1)·f/G) (kernel (kh, kw, c/G, filters), used as stored) and writes
 * the same columns of the output. With one group the layout and the product are the plain ones.
 * A depthwise convolution (one channel per group) keeps the plain layout and runs the direct
 * products of depthwise.ts instead: one gemm per channel is too small to pay.
 */
import { activationForward } from './activations.js';
import type { ActivationSpec } from './activation-spec.js';
import { depthwiseColGrad, depthwiseKernelGrad, depthwiseProduct } from './depthwise.js';
import { addBias, biasGrad, gemm, matmul, matmulTransA, matmulTransB } from './matmul.js';

/**
 * Where a window reads its input: per sample an h × w × c input, an oh × ow output, a kh × kw
 * window with strides (sh, sw) and dilation (dh, dw), and `top`/`left` zero rows and columns
 * before the input ('same' and 'causal' padding; what lies past the bottom and right edges is
 * zero as well).
 */
export interface WindowGeometry {
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

/** Keras's padding modes; 'causal' (Conv1D) pads before the sequence only. */
export type Padding = 'valid' | 'same' | 'causal';

/**
 * Output positions along one axis of n cells for a window of k taps, stride s, dilation d
 * (Keras's conv_output_length): 'valid' ⌊(n − d·(k−1) − 1)/s⌋ + 1, which may be ≤ 0 (the
 * caller reports it); 'same' and 'causal' ⌈n/s⌉.
 */
export function windowOutput(n: number, k: number, s: number, d: number, padding: Padding): number {
  if (padding === 'valid') return Math.floor((n - d * (k - 1) - 1) / s) + 1;
  return Math.floor((n - 1) / s) + 1;
}

/**
 * Zero cells before the input along one axis: TensorFlow's 'same' puts ⌊total/2⌋ before and the
 * rest after; 'causal' puts all d·(k−1) before.
 */
export function padBefore(n: number, k: number, s: number, d: number, padding: Padding): number {
  if (padding === 'valid') return 0;
  if (padding === 'causal') return d * (k - 1);
  const total = Math.max((windowOutput(n, k, s, d, padding) - 1) * s + (k - 1) * d + 1 - n, 0);
  return Math.floor(total / 2);
}

/** Columns of the col matrix: one per kernel tap and input channel. */
export function windowTaps(g: WindowGeometry): number {
  return g.kh * g.kw * g.c;
}

/**
 * The walk im2col and col2im share, over each output position's taps, group by group, c/groups
 * values at a time: `gather` copies x into col (zeros where a tap leaves the input); otherwise
 * col's values are added back into x where they were read from.
 */
function walkTaps(
  x: Float32Array,
  col: Float32Array,
  g: WindowGeometry,
  groups: number,
  n: number,
  gather: boolean,
): void {
  const { h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, top, left } = g;
  const cg = c / groups;
  let p = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let grp = 0, gc = 0; grp < groups; grp++, gc += cg) {
          for (let i = 0; i < kh; i++) {
            const iy = oy * sh + i * dh - top;
            for (let j = 0; j < kw; j++) {
              const ix = ox * sw + j * dw - left;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                if (gather) col.fill(0, p, p + cg);
              } else {
                const q = xb + (iy * w + ix) * c + gc;
                if (gather) for (let ch = 0; ch < cg; ch++) col[p + ch] = x[q + ch]!;
                else for (let ch = 0; ch < cg; ch++) x[q + ch] = x[q + ch]! + col[p + ch]!;
              }
              p += cg;
            }
          }
        }
      }
    }
  }
}

/** The groups the im2col layout is cut by: none for a depthwise convolution (see depthwise.ts). */
export function colGroups(g: WindowGeometry, groups: number): number {
  return groups === g.c ? 1 : groups;
}

/**
 * col[n·oh·ow, kh·kw·c]: each output position's receptive field, zero where it leaves the input,
 * laid out group by group.
 */
export function im2col(
  x: Float32Array,
  col: Float32Array,
  g: WindowGeometry,
  groups: number,
  n: number,
): void {
  walkTaps(x, col, g, groups, n, true);
}

/** dx = the sum of dcol's rows back into the input positions they were read from (im2col's adjoint). */
export function col2im(
  dcol: Float32Array,
  dx: Float32Array,
  g: WindowGeometry,
  groups: number,
  n: number,
): void {
  dx.fill(0, 0, n * g.h * g.w * g.c);
  walkTaps(dx, dcol, g, groups, n, false);
}

/**
 * y = act(conv(x, kernel) + bias) for n samples; `col` is the im2col scratch (kept for
 * backward in training), `pre` receives the pre-activation (it may be `y` itself).
 */
export function convForward(
  x: Float32Array,
  kernel: Float32Array,
  bias: Float32Array | null,
  col: Float32Array,
  pre: Float32Array,
  y: Float32Array,
  activation: ActivationSpec | null,
  g: WindowGeometry,
  filters: number,
  groups: number,
  n: number,
): void {
  const rows = n * g.oh * g.ow;
  const taps = windowTaps(g);
  im2col(x, col, g, colGroups(g, groups), n);
  if (groups === 1) matmul(col, kernel, pre, rows, taps, filters, false);
  else if (groups === g.c)
    depthwiseProduct(col, kernel, pre, rows, g.kh * g.kw, g.c, filters / g.c);
  else {
    const [k, f] = [taps / groups, filters / groups];
    for (let grp = 0; grp < groups; grp++)
      gemm(
        col,
        grp * k,
        taps,
        1,
        kernel,
        grp * f,
        filters,
        1,
        pre,
        grp * f,
        filters,
        rows,
        k,
        f,
        false,
      );
  }
  if (bias) addBias(pre, bias, rows, filters);
  if (activation && activation.name !== 'linear')
    activationForward(activation, pre, y, rows, filters);
}

/**
 * The gradients of a convolution from dz (the pre-activation's gradient) and the forward's col
 * matrix: dkernel = colᵀ·dz, dbias = Σ dz, and dx through `dcol` (scratch of col's size), each
 * product per group when grouped. Each output is skipped when null.
 */
export function convBackward(
  col: Float32Array,
  kernel: Float32Array,
  dz: Float32Array,
  dx: Float32Array | null,
  dKernel: Float32Array | null,
  dBias: Float32Array | null,
  dcol: Float32Array | null,
  g: WindowGeometry,
  filters: number,
  groups: number,
  n: number,
): void {
  const rows = n * g.oh * g.ow;
  const taps = windowTaps(g);
  if (dBias) biasGrad(dz, dBias, rows, filters, false);
  const [T, C] = [g.kh * g.kw, g.c];
  if (groups === 1) {
    if (dKernel) matmulTransA(col, dz, dKernel, taps, rows, filters, false);
    if (dx && dcol) matmulTransB(dz, kernel, dcol, rows, filters, taps, false);
  } else if (groups === C) {
    if (dKernel) depthwiseKernelGrad(col, dz, dKernel, rows, T, C, filters / C);
    if (dx && dcol) depthwiseColGrad(dz, kernel, dcol, rows, T, C, filters / C);
  } else {
    const [k, f] = [taps / groups, filters / groups];
    for (let grp = 0; grp < groups; grp++) {
      const [ko, fo] = [grp * k, grp * f];
      if (dKernel)
        gemm(col, ko, 1, taps, dz, fo, filters, 1, dKernel, fo, filters, k, rows, f, false);
      if (dx && dcol)
        gemm(dz, fo, filters, 1, kernel, fo, 1, filters, dcol, ko, taps, rows, f, k, false);
    }
  }
  if (dx && dcol) col2im(dcol, dx, g, colGroups(g, groups), n);
}
