/**
 * Max and average pooling over channels-last images (a 1-D pooling is height 1), forward and
 * backward, on the window geometry the convolution uses (dilation 1). Padding never enters a
 * window: max pooling takes the maximum of the cells inside the input (TensorFlow pads with
 * −∞), and average pooling divides by the number of those cells — Keras's 'same' average, which
 * excludes the padding. Max pooling records, per output value, which tap of its window won
 * (the first maximum in row-major window order, as TensorFlow's gradient routes it), so
 * backward scatters without searching again.
 */
import type { WindowGeometry } from './conv.js';

/** y = the maximum of each window; `argmax` (when given) receives the winning tap i·kw + j. */
export function maxPoolForward(
  x: Float32Array,
  y: Float32Array,
  argmax: Float32Array | null,
  g: WindowGeometry,
  n: number,
): void {
  const { h, w, c, oh, ow, kh, kw, sh, sw, top, left } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        y.fill(-Infinity, o, o + c);
        if (argmax) argmax.fill(0, o, o + c);
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh + i - top;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw + j - left;
            if (ix < 0 || ix >= w) continue;
            const q = xb + (iy * w + ix) * c;
            const tap = i * kw + j;
            for (let ch = 0; ch < c; ch++) {
              const v = x[q + ch]!;
              if (v > y[o + ch]!) {
                y[o + ch] = v;
                if (argmax) argmax[o + ch] = tap;
              }
            }
          }
        }
        o += c;
      }
    }
  }
}

/** dx: each output's gradient to the input cell that won its window (summed where windows overlap). */
export function maxPoolBackward(
  dy: Float32Array,
  argmax: Float32Array,
  dx: Float32Array,
  g: WindowGeometry,
  n: number,
): void {
  const { h, w, c, oh, ow, kw, sh, sw, top, left } = g;
  dx.fill(0, 0, n * h * w * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ch = 0; ch < c; ch++) {
          const tap = argmax[o + ch]!;
          const i = Math.floor(tap / kw);
          const iy = oy * sh + i - top;
          const ix = ox * sw + (tap - i * kw) - left;
          const q = xb + (iy * w + ix) * c + ch;
          dx[q] = dx[q]! + dy[o + ch]!;
        }
        o += c;
      }
    }
  }
}

/** The cells of a window inside the input, along one axis: [from, to) of taps. */
function span(start: number, k: number, size: number): [number, number] {
  return [Math.max(0, -start), Math.min(k, size - start)];
}

/**
 * The walk average pooling's forward and backward share, over each window's cells inside the
 * input: forward, y = their mean of x; backward (x = dx, y = dy), each output's gradient shared
 * equally among them.
 */
function avgWindows(
  x: Float32Array,
  y: Float32Array,
  g: WindowGeometry,
  n: number,
  forward: boolean,
): void {
  const { h, w, c, oh, ow, kh, kw, sh, sw, top, left } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - top;
      const [i0, i1] = span(y0, kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - left;
        const [j0, j1] = span(x0, kw, w);
        const count = (i1 - i0) * (j1 - j0);
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          const d = forward ? 0 : y[o + ch]! / count;
          for (let i = i0; i < i1; i++) {
            for (let j = j0; j < j1; j++) {
              const q = xb + ((y0 + i) * w + x0 + j) * c + ch;
              if (forward) s += x[q]!;
              else x[q] = x[q]! + d;
            }
          }
          if (forward) y[o + ch] = s / count;
        }
        o += c;
      }
    }
  }
}

/** y = the mean of each window's cells inside the input. */
export function avgPoolForward(
  x: Float32Array,
  y: Float32Array,
  g: WindowGeometry,
  n: number,
): void {
  avgWindows(x, y, g, n, true);
}

/** dx: each output's gradient shared equally among its window's cells inside the input. */
export function avgPoolBackward(
  dy: Float32Array,
  dx: Float32Array,
  g: WindowGeometry,
  n: number,
): void {
  dx.fill(0, 0, n * g.h * g.w * g.c);
  avgWindows(dx, dy, g, n, false);
}
