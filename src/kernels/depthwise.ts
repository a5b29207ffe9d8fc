/**
 * The products of a depthwise convolution (groups = channels) over the plain im2col matrix
 * col[rows, taps·C] (taps in (row, column) order, channels innermost): output channel c·M + m is
 * channel c's m-th filter, kernel (taps, C, M) as Keras stores it. A direct loop beats one strided
 * gemm per channel (K = taps, N = M: too small to tile) and the plain im2col walks whole channel
 * runs. Sums are carried in float64, over the taps for y and dcol and in blocks of 256 rows
 * (rounded to float32 once per block, as the blocked matmul does) for dkernel.
 */

/** Rows per block of dkernel's sum, as the matmul's K blocks. */
const RB = 256;

/** y[r, c·M + m] = Σ_t col[r, t·C + c]·kernel[t·C·M + c·M + m]; y is overwritten. */
export function depthwiseProduct(
  col: Float32Array,
  kernel: Float32Array,
  y: Float32Array,
  rows: number,
  T: number,
  C: number,
  M: number,
): void {
  const F = C * M;
  const TC = T * C;
  for (let r = 0; r < rows; r++) {
    const cr = r * TC;
    const yr = r * F;
    for (let c = 0; c < C; c++) {
      for (let m = 0; m < M; m++) {
        const f = c * M + m;
        let s = 0;
        for (let t = 0, p = cr + c, q = f; t < T; t++, p += C, q += F) s += col[p]! * kernel[q]!;
        y[yr + f] = s;
      }
    }
  }
}

/** dkernel[t·C·M + c·M + m] = Σ_r col[r, t·C + c]·dz[r, c·M + m]; dkernel is overwritten. */
export function depthwiseKernelGrad(
  col: Float32Array,
  dz: Float32Array,
  dKernel: Float32Array,
  rows: number,
  T: number,
  C: number,
  M: number,
): void {
  const F = C * M;
  const TC = T * C;
  dKernel.fill(0, 0, T * F);
  for (let r0 = 0; r0 < rows; r0 += RB) {
    const r1 = Math.min(rows, r0 + RB);
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        for (let m = 0; m < M; m++) {
          const f = c * M + m;
          let s = 0;
          for (let r = r0, p = r0 * TC + t * C + c, q = r0 * F + f; r < r1; r++, p += TC, q += F)
            s += col[p]! * dz[q]!;
          const o = t * F + f;
          dKernel[o] = dKernel[o]! + s;
        }
      }
    }
  }
}

/** dcol[r, t·C + c] = Σ_m dz[r, c·M + m]·kernel[t·C·M + c·M + m]; dcol is overwritten. */
export function depthwiseColGrad(
  dz: Float32Array,
  kernel: Float32Array,
  dcol: Float32Array,
  rows: number,
  T: number,
  C: number,
  M: number,
): void {
  const F = C * M;
  for (let r = 0, p = 0; r < rows; r++) {
    const dr = r * F;
    for (let t = 0; t < T; t++) {
      const kt = t * F;
      if (M === 1) {
        // One filter per channel (the usual case): a single product, so the same value.
        for (let c = 0; c < C; c++, p++) dcol[p] = dz[dr + c]! * kernel[kt + c]!;
        continue;
      }
      for (let c = 0; c < C; c++, p++) {
        let s = 0;
        for (let m = 0, f = c * M; m < M; m++, f++) s += dz[dr + f]! * kernel[kt + f]!;
        dcol[p] = s;
      }
    }
  }
}
