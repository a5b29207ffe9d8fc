/**
 * One copy kernel for the layers that move values without computing (ZeroPadding, Cropping,
 * UpSampling, RepeatVector): each output position of a channels_last sample reads the input
 * position ⌊o / repeat⌋ + shift on each of two spatial axes, or zero when that lies outside
 * the input. A 1D layer passes a unit outer axis.
 */

/** How one spatial axis maps: output o reads input ⌊o / repeat⌋ + shift, zero outside [0, in). */
export interface CopyAxis {
  in: number;
  out: number;
  repeat: number;
  shift: number;
}

/** The axis that changes nothing: one position read as itself. */
export const unitAxis: CopyAxis = { in: 1, out: 1, repeat: 1, shift: 0 };

/** The input position output `o` reads on an axis, or -1 when it reads zero. */
export function sourceIndex(a: CopyAxis, o: number): number {
  const i = Math.floor(o / a.repeat) + a.shift;
  return i >= 0 && i < a.in ? i : -1;
}

/**
 * y[n,oh,ow,c] = x[n,ih,iw,c] where ih, iw are the sources of oh, ow, else 0.
 * x:[N,H.in,W.in,C] y:[N,H.out,W.out,C]; y is overwritten.
 */
export function spatialCopyForward(
  x: Float32Array,
  y: Float32Array,
  N: number,
  H: CopyAxis,
  W: CopyAxis,
  C: number,
): void {
  walk(x, y, N, H, W, C, false);
}

/**
 * The gradient of spatialCopyForward: each input position sums the output gradients that read
 * it (in output order); positions nobody reads (cropped away) get zero. dx is overwritten.
 * dy:[N,H.out,W.out,C] dx:[N,H.in,W.in,C].
 */
export function spatialCopyBackward(
  dy: Float32Array,
  dx: Float32Array,
  N: number,
  H: CopyAxis,
  W: CopyAxis,
  C: number,
): void {
  dx.fill(0, 0, N * H.in * W.in * C);
  walk(dy, dx, N, H, W, C, true);
}

/**
 * Both directions over the output positions in order: forward copies x into y (zero where
 * nothing is read), backward adds dy into dx at the position each output read.
 */
function walk(
  from: Float32Array,
  to: Float32Array,
  N: number,
  H: CopyAxis,
  W: CopyAxis,
  C: number,
  backward: boolean,
): void {
  let q = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < H.out; oh++) {
      const ih = sourceIndex(H, oh);
      for (let ow = 0; ow < W.out; ow++, q += C) {
        const iw = ih < 0 ? -1 : sourceIndex(W, ow);
        if (iw < 0) {
          if (!backward) to.fill(0, q, q + C);
          continue;
        }
        const p = ((n * H.in + ih) * W.in + iw) * C;
        if (backward) for (let c = 0; c < C; c++) to[p + c] = to[p + c]! + from[q + c]!;
        else for (let c = 0; c < C; c++) to[q + c] = from[p + c]!;
      }
    }
  }
}

/** ZeroPadding's axis: `before` zeros, the input, `after` zeros. */
export function padAxis(size: number, before: number, after: number): CopyAxis {
  return { in: size, out: before + size + after, repeat: 1, shift: -before };
}

/** Cropping's axis: the input without its first `before` and last `after` positions. */
export function cropAxis(size: number, before: number, after: number): CopyAxis {
  return { in: size, out: size - before - after, repeat: 1, shift: before };
}

/** UpSampling's (nearest) and RepeatVector's axis: each input position `times` times. */
export function repeatAxis(size: number, times: number): CopyAxis {
  return { in: size, out: size * times, repeat: times, shift: 0 };
}
