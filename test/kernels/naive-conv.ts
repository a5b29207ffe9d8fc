/**
 * Float64 twins of the convolution and pooling kernels, written straight from the definitions
 * (a direct sum over each window, no im2col, no scratch), for test/kernels/conv.test.ts.
 */
import type { WindowGeometry } from '../../src/kernels/conv.js';

/** Calls `f(iy, ix)` for each tap (i, j) of output (oy, ox) that lies inside the input, with its tap index. */
function eachTap(
  g: WindowGeometry,
  oy: number,
  ox: number,
  f: (iy: number, ix: number, tap: number) => void,
): void {
  for (let i = 0; i < g.kh; i++) {
    for (let j = 0; j < g.kw; j++) {
      const iy = oy * g.sh + i * g.dh - g.top;
      const ix = ox * g.sw + j * g.dw - g.left;
      if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) f(iy, ix, i * g.kw + j);
    }
  }
}

/**
 * y[b, oy, ox, f] = bias[f] + Σ x[b, iy, ix, c]·kernel[i, j, c', f] over the window's taps inside
 * the input, where with `groups` filter f reads only its group's channels c = g·c/G + c'
 * (kernel (kh, kw, c/G, filters), Keras's grouped layout).
 */
export function naiveConv(
  x: ArrayLike<number>,
  kernel: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  g: WindowGeometry,
  filters: number,
  n: number,
  groups = 1,
): Float64Array {
  const y = new Float64Array(n * g.oh * g.ow * filters);
  const cg = g.c / groups;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let f = 0; f < filters; f++) {
          let s = bias ? bias[f]! : 0;
          const c0 = Math.floor(f / (filters / groups)) * cg;
          eachTap(g, oy, ox, (iy, ix, tap) => {
            for (let c = 0; c < cg; c++)
              s +=
                x[((b * g.h + iy) * g.w + ix) * g.c + c0 + c]! *
                kernel[(tap * cg + c) * filters + f]!;
          });
          y[((b * g.oh + oy) * g.ow + ox) * filters + f] = s;
        }
  return y;
}

/** Max (or average over the cells inside the input) of each window, per channel. */
export function naivePool(
  x: ArrayLike<number>,
  g: WindowGeometry,
  n: number,
  kind: 'max' | 'avg',
): Float64Array {
  const y = new Float64Array(n * g.oh * g.ow * g.c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let c = 0; c < g.c; c++) {
          const cells: number[] = [];
          eachTap(g, oy, ox, (iy, ix) => cells.push(x[((b * g.h + iy) * g.w + ix) * g.c + c]!));
          y[((b * g.oh + oy) * g.ow + ox) * g.c + c] =
            kind === 'max' ? Math.max(...cells) : cells.reduce((a, v) => a + v, 0) / cells.length;
        }
  return y;
}
