/**
 * The WebAssembly SIMD kernels of the wasm backend (src/backends/wasm.ts), in AssemblyScript.
 * Every argument is a byte address in the memory the host imports (the session's block), so
 * tensors stay where the plan put them: nothing is copied in or out per step. Matrices are
 * row-major float32. Built twice by asm/build.mjs: with plain SIMD (a·b + c as mul then add)
 * and with relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add where the engine has one).
 */

// @ts-nocheck — AssemblyScript: v128, f32x4, load<T> and friends are its built-ins.

import { activate4, derivative4, ld, st } from './lanes';

// The other kernel files' exports: the module's exports are the entry file's.
export * from './cells';
export * from './activations';
export * from './losses';

/** a·b + c: relaxed_madd (one rounding or two, as the engine likes) where it was compiled in. */
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * a·b + c as a multiply then an add in both builds, for the one-row kernels (row16, rowTail):
 * with 4 chains or fewer they wait on latency, and the add's (3 cycles on Zen 4) is shorter
 * than the fused madd's (4): relaxed_madd made the one-row product 20% slower.
 */
function mulAdd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * Columns of C in one register tile, and its rows: 4 with plain SIMD, where 8 accumulators
 * cover the add's latency; 6 with relaxed SIMD, whose fused madd (4 cycles' latency, two a
 * cycle on Zen 4) needs more than 8 independent chains to keep both units busy — 12
 * accumulators, 2 vectors of B and 1 of A fill the 15 vector registers V8 allocates on x64.
 */
const NR = 8;
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;

/**
 * The rows of an M-row C that register tiles cover: MR-row tiles, then (relaxed) one 4-row
 * tile where 4 or 5 rows are left; the rest go row by row (row16).
 */
function tiledRows(M: i32): i32 {
  const m = M - (M % MR);
  return M - m >= 4 ? m + 4 : m;
}

/**
 * The tile's epilogue for 4 columns at column j: acc (+ C when accumulating) (+ bias), stored
 * to `z` (the pre-activation, when kept) and to `c` through the activation (0 none, 1 relu).
 */
function finish4(
  acc: v128,
  c: usize,
  z: usize,
  bias: usize,
  j: i32,
  accumulate: bool,
  relu: bool,
): void {
  let v = acc;
  if (accumulate) v = f32x4.add(v, v128.load(c));
  if (bias) v = f32x4.add(v, v128.load(bias + ((<usize>j) << 2)));
  if (z) v128.store(z, v);
  // relu as x > 0 ? x : 0 (NaN and −0 give +0, as the JavaScript kernel).
  if (relu) v = v128.and(v, f32x4.gt(v, f32x4.splat(0)));
  v128.store(c, v);
}

/**
 * finish4 for one column (the last N mod 4 columns of a row): the same steps on a scalar, which
 * AssemblyScript cannot share with the v128 version (its operators differ by type).
 */
function finish1(
  acc: f32,
  c: usize,
  z: usize,
  bias: usize,
  j: i32,
  accumulate: bool,
  relu: bool,
): void {
  let v = acc;
  if (accumulate) v += load<f32>(c);
  if (bias) v += load<f32>(bias + ((<usize>j) << 2));
  if (z) store<f32>(z, v);
  if (relu) v = v > 0 ? v : 0;
  store<f32>(c, v);
}

/** K-block of the packed path: a row tile's strip of A and the 8-column panel of B stay in L1. */
const KC = 256;

/**
 * C[M,N] (= or +=) A·B (+ bias, then relu) where A(i,k) = a[i·sai + k·sak] (row-major A: sai = K,
 * sak = 1; A stored transposed [K,M]: sai = 1, sak = M) and B is row-major [K,N] with row
 * stride ldb. C (and z, when not 0) have row stride N. Register tiles of 4 rows × 8 columns
 * (6 × 8 in the relaxed build, MR): each k loads two vectors of B and four (six) scalars of A
 * for eight (twelve) multiply-adds. With a panel
 * buffer (KC × 8 = 2,048 floats, src/backends/wasm-block.ts PANEL_FLOATS; 0 for none) and at least two row tiles, B is packed K block by
 * K block into contiguous 8-column panels that every row tile then reads from L1.
 */
export function gemm(
  a: usize,
  sai: i32,
  sak: i32,
  b: usize,
  ldb: i32,
  c: usize,
  z: usize,
  bias: usize,
  M: i32,
  K: i32,
  N: i32,
  accumulate: bool,
  relu: bool,
  panel: usize,
): void {
  const sa = (<usize>sai) << 2;
  const sk = (<usize>sak) << 2;
  const sb = (<usize>ldb) << 2;
  const sc = (<usize>N) << 2;
  const N8 = N - (N % NR);
  const N4 = N - (N % 4);
  const Mt = tiledRows(M);
  // At least two row tiles (8 rows: two of 4, or one of 6 and one of 4).
  if (panel && Mt >= 8 && N8 > 0) {
    packedTiles(a, sa, sk, b, sb, c, z, bias, Mt, K, N8, sc, accumulate, relu, panel);
  } else {
    for (let i = 0; i < Mt; i += Mt - i >= MR ? MR : 4) {
      const zRow = z ? z + <usize>i * sc : 0;
      for (let j = 0; j < N8; j += NR) {
        tile(
          Mt - i,
          a + <usize>i * sa,
          sa,
          sk,
          b + ((<usize>j) << 2),
          sb,
          K,
          c + <usize>i * sc,
          zRow,
          sc,
          bias,
          j,
          accumulate,
          relu,
        );
      }
    }
  }
  // The columns past the last full tile, row by row; then the rows past the last tile.
  for (let i = 0; i < Mt; i++) {
    const zRow = z ? z + <usize>i * sc : 0;
    rowTail(
      a + <usize>i * sa,
      sk,
      b,
      sb,
      c + <usize>i * sc,
      zRow,
      bias,
      K,
      N8,
      N4,
      N,
      accumulate,
      relu,
    );
  }
  for (let i = Mt; i < M; i++) {
    const a0 = a + <usize>i * sa;
    const cRow = c + <usize>i * sc;
    const zRow = z ? z + <usize>i * sc : 0;
    const j = row16(a0, sk, b, sb, cRow, zRow, bias, K, N, accumulate, relu);
    rowTail(a0, sk, b, sb, cRow, zRow, bias, K, j, N4, N, accumulate, relu);
  }
}

/**
 * The first Mt rows (tiledRows) × N8 columns of C over packed panels of B: per K block, per
 * 8-column panel, the panel is copied contiguous (32 bytes a row) and every row tile runs over
 * it.
 * Blocks before the last store raw partial sums in C; the last adds them back and applies the
 * epilogue (bias, z, relu), so the result is the unblocked one up to summation order.
 */
function packedTiles(
  a: usize,
  sa: usize,
  sk: usize,
  b: usize,
  sb: usize,
  c: usize,
  z: usize,
  bias: usize,
  Mt: i32,
  K: i32,
  N8: i32,
  sc: usize,
  accumulate: bool,
  relu: bool,
  panel: usize,
): void {
  for (let k0 = 0; k0 < K || k0 == 0; k0 += KC) {
    const kl = K - k0 < KC ? K - k0 : KC;
    const last = k0 + kl >= K;
    const add = accumulate || k0 > 0;
    for (let j = 0; j < N8; j += NR) {
      let src = b + <usize>k0 * sb + ((<usize>j) << 2);
      let dst = panel;
      for (let k = 0; k < kl; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += sb;
        dst += 32;
      }
      for (let i = 0; i < Mt; i += Mt - i >= MR ? MR : 4) {
        const pa = a + <usize>i * sa + <usize>k0 * sk;
        const cRow = c + <usize>i * sc;
        if (last) {
          const zRow = z ? z + <usize>i * sc : 0;
          tile(Mt - i, pa, sa, sk, panel, 32, kl, cRow, zRow, sc, bias, j, add, relu);
        } else {
          tile(Mt - i, pa, sa, sk, panel, 32, kl, cRow, 0, sc, 0, j, add, false);
        }
      }
    }
  }
}

/**
 * The register tile for the rows left from here on: MR rows (tile6x8 in the relaxed build) or
 * the last 4-row band (tiledRows); the arguments are tile4x8's.
 */
function tile(
  rowsLeft: i32,
  pa: usize,
  sa: usize,
  sk: usize,
  pb: usize,
  sb: usize,
  K: i32,
  cRow: usize,
  zRow: usize,
  sc: usize,
  bias: usize,
  j: i32,
  accumulate: bool,
  relu: bool,
): void {
  if (MR == 6 && rowsLeft >= 6) {
    tile6x8(pa, sa, sk, pb, sb, K, cRow, zRow, sc, bias, j, accumulate, relu);
  } else {
    tile4x8(pa, sa, sk, pb, sb, K, cRow, zRow, sc, bias, j, accumulate, relu);
  }
}

/**
 * One 4 × 8 tile of C at column j: A from pa (row stride sa, k stride sk), B from pb (k stride
 * sb). A's scalars are loaded straight into all lanes (load32_splat: a broadcast load, where a
 * scalar load then a splat costs a shuffle on the vector ports).
 */
function tile4x8(
  pa: usize,
  sa: usize,
  sk: usize,
  pb: usize,
  sb: usize,
  K: i32,
  cRow: usize,
  zRow: usize,
  sc: usize,
  bias: usize,
  j: i32,
  accumulate: bool,
  relu: bool,
): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa + sa);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa + 2 * sa);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa + 3 * sa);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    pa += sk;
    pb += sb;
  }
  const o = (<usize>j) << 2;
  const z = zRow ? zRow + o : 0;
  const r = cRow + o;
  finish4(c00, r, z, bias, j, accumulate, relu);
  finish4(c01, r + 16, z ? z + 16 : 0, bias, j + 4, accumulate, relu);
  finish4(c10, r + sc, z ? z + sc : 0, bias, j, accumulate, relu);
  finish4(c11, r + sc + 16, z ? z + sc + 16 : 0, bias, j + 4, accumulate, relu);
  finish4(c20, r + 2 * sc, z ? z + 2 * sc : 0, bias, j, accumulate, relu);
  finish4(c21, r + 2 * sc + 16, z ? z + 2 * sc + 16 : 0, bias, j + 4, accumulate, relu);
  finish4(c30, r + 3 * sc, z ? z + 3 * sc : 0, bias, j, accumulate, relu);
  finish4(c31, r + 3 * sc + 16, z ? z + 3 * sc + 16 : 0, bias, j + 4, accumulate, relu);
}

/** One 6 × 8 tile of C (the relaxed build's): tile4x8 with two more rows. */
function tile6x8(
  pa: usize,
  sa: usize,
  sk: usize,
  pb: usize,
  sb: usize,
  K: i32,
  cRow: usize,
  zRow: usize,
  sc: usize,
  bias: usize,
  j: i32,
  accumulate: bool,
  relu: bool,
): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0),
    c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0),
    c51 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa + sa);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa + 2 * sa);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa + 3 * sa);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    x = v128.load32_splat(pa + 4 * sa);
    c40 = madd(x, b0, c40);
    c41 = madd(x, b1, c41);
    x = v128.load32_splat(pa + 5 * sa);
    c50 = madd(x, b0, c50);
    c51 = madd(x, b1, c51);
    pa += sk;
    pb += sb;
  }
  const o = (<usize>j) << 2;
  const z = zRow ? zRow + o : 0;
  const r = cRow + o;
  finishRow8(c00, c01, r, z, bias, j, accumulate, relu);
  finishRow8(c10, c11, r + sc, z ? z + sc : 0, bias, j, accumulate, relu);
  finishRow8(c20, c21, r + 2 * sc, z ? z + 2 * sc : 0, bias, j, accumulate, relu);
  finishRow8(c30, c31, r + 3 * sc, z ? z + 3 * sc : 0, bias, j, accumulate, relu);
  finishRow8(c40, c41, r + 4 * sc, z ? z + 4 * sc : 0, bias, j, accumulate, relu);
  finishRow8(c50, c51, r + 5 * sc, z ? z + 5 * sc : 0, bias, j, accumulate, relu);
}

/** finish4 for the 8 columns of one tile row at r (z: its pre-activation, or 0). */
function finishRow8(
  lo: v128,
  hi: v128,
  r: usize,
  z: usize,
  bias: usize,
  j: i32,
  accumulate: bool,
  relu: bool,
): void {
  finish4(lo, r, z, bias, j, accumulate, relu);
  finish4(hi, r + 16, z ? z + 16 : 0, bias, j + 4, accumulate, relu);
}

/**
 * One row of C over 16-column tiles (the matrix-vector case: one row predicted, or the rows
 * past the last 4-row tile); returns the first column it did not compute.
 */
function row16(
  a0: usize,
  sk: usize,
  b: usize,
  sb: usize,
  cRow: usize,
  zRow: usize,
  bias: usize,
  K: i32,
  N: i32,
  accumulate: bool,
  relu: bool,
): i32 {
  let j = 0;
  for (; j + 16 <= N; j += 16) {
    let c0 = f32x4.splat(0),
      c1 = f32x4.splat(0),
      c2 = f32x4.splat(0),
      c3 = f32x4.splat(0);
    let pa = a0;
    let pb = b + ((<usize>j) << 2);
    for (let k = 0; k < K; k++) {
      const x = f32x4.splat(load<f32>(pa));
      c0 = mulAdd(x, v128.load(pb), c0);
      c1 = mulAdd(x, v128.load(pb, 16), c1);
      c2 = mulAdd(x, v128.load(pb, 32), c2);
      c3 = mulAdd(x, v128.load(pb, 48), c3);
      pa += sk;
      pb += sb;
    }
    const o = (<usize>j) << 2;
    finish4(c0, cRow + o, zRow ? zRow + o : 0, bias, j, accumulate, relu);
    finish4(c1, cRow + o + 16, zRow ? zRow + o + 16 : 0, bias, j + 4, accumulate, relu);
    finish4(c2, cRow + o + 32, zRow ? zRow + o + 32 : 0, bias, j + 8, accumulate, relu);
    finish4(c3, cRow + o + 48, zRow ? zRow + o + 48 : 0, bias, j + 12, accumulate, relu);
  }
  return j;
}

/** Columns j.. of one row of C: 4-wide vectors up to N4, then one column at a time. */
function rowTail(
  a0: usize,
  sk: usize,
  b: usize,
  sb: usize,
  cRow: usize,
  zRow: usize,
  bias: usize,
  K: i32,
  j: i32,
  N4: i32,
  N: i32,
  accumulate: bool,
  relu: bool,
): void {
  for (; j < N4; j += 4) {
    let acc = f32x4.splat(0);
    let pa = a0;
    let pb = b + ((<usize>j) << 2);
    for (let k = 0; k < K; k++) {
      acc = mulAdd(f32x4.splat(load<f32>(pa)), v128.load(pb), acc);
      pa += sk;
      pb += sb;
    }
    const o = (<usize>j) << 2;
    finish4(acc, cRow + o, zRow ? zRow + o : 0, bias, j, accumulate, relu);
  }
  for (; j < N; j++) {
    let acc: f32 = 0;
    let pa = a0;
    let pb = b + ((<usize>j) << 2);
    for (let k = 0; k < K; k++) {
      acc += load<f32>(pa) * load<f32>(pb);
      pa += sk;
      pb += sb;
    }
    const o = (<usize>j) << 2;
    finish1(acc, cRow + o, zRow ? zRow + o : 0, bias, j, accumulate, relu);
  }
}

/**
 * C[M,N] (= or +=) A·Bᵀ with A [M,K] and B [N,K] (dx = dz·Wᵀ): Bᵀ is packed, a block of `kc`
 * of its rows at a time, into `scratch` (kc·N floats) so that the product runs on the same
 * register tiles as gemm with B read contiguously.
 */
export function gemmTransB(
  a: usize,
  b: usize,
  c: usize,
  M: i32,
  K: i32,
  N: i32,
  scratch: usize,
  kc: i32,
  accumulate: bool,
  panel: usize,
): void {
  if (K == 0) {
    if (!accumulate) memory.fill(c, 0, (<usize>M * <usize>N) << 2);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kl = K - k0 < kc ? K - k0 : kc;
    for (let j = 0; j < N; j++) {
      const src = b + ((<usize>j * <usize>K + <usize>k0) << 2);
      let dst = scratch + ((<usize>j) << 2);
      const step = (<usize>N) << 2;
      for (let k = 0; k < kl; k++) {
        store<f32>(dst, load<f32>(src + ((<usize>k) << 2)));
        dst += step;
      }
    }
    gemm(
      a + ((<usize>k0) << 2),
      K,
      1,
      scratch,
      N,
      c,
      0,
      0,
      M,
      kl,
      N,
      accumulate || k0 > 0,
      false,
      panel,
    );
  }
}

/** db[c] (= or +=) Σ_r dy[r,c] for dy [rows,cols]. */
export function biasGrad(dy: usize, db: usize, rows: i32, cols: i32, accumulate: bool): void {
  const C4 = cols - (cols % 4);
  const sr = (<usize>cols) << 2;
  let j = 0;
  for (; j < C4; j += 4) {
    const o = (<usize>j) << 2;
    let acc = accumulate ? v128.load(db + o) : f32x4.splat(0);
    let p = dy + o;
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(p));
      p += sr;
    }
    v128.store(db + o, acc);
  }
  for (; j < cols; j++) {
    const o = (<usize>j) << 2;
    let acc: f32 = accumulate ? load<f32>(db + o) : 0;
    let p = dy + o;
    for (let r = 0; r < rows; r++) {
      acc += load<f32>(p);
      p += sr;
    }
    store<f32>(db + o, acc);
  }
}

/**
 * Adam in Keras's ε-hat form over n values (the JavaScript adamUpdate's formula, in float32):
 * m ← m + (g − m)(1−β₁); v ← v + (g² − v)(1−β₂); with amsgrad (vHat ≠ 0) v̂ ← max(v̂, v)
 * replaces v; w ← w − m·α/(√v + ε).
 */
export function adam(
  w: usize,
  g: usize,
  m: usize,
  v: usize,
  vHat: usize,
  n: i32,
  alpha: f32,
  oneMinusBeta1: f32,
  oneMinusBeta2: f32,
  eps: f32,
): void {
  const a = f32x4.splat(alpha);
  const b1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(oneMinusBeta2);
  const e = f32x4.splat(eps);
  const n4 = n - (n % 4);
  let o: usize = 0;
  const end4 = (<usize>n4) << 2;
  for (; o < end4; o += 16) {
    const gj = v128.load(g + o);
    const mOld = v128.load(m + o);
    const vOld = v128.load(v + o);
    const mj = f32x4.add(mOld, f32x4.mul(f32x4.sub(gj, mOld), b1));
    let vj = f32x4.add(vOld, f32x4.mul(f32x4.sub(f32x4.mul(gj, gj), vOld), b2));
    v128.store(m + o, mj);
    v128.store(v + o, vj);
    if (vHat) {
      vj = f32x4.max(v128.load(vHat + o), vj);
      v128.store(vHat + o, vj);
    }
    const step = f32x4.div(f32x4.mul(mj, a), f32x4.add(f32x4.sqrt(vj), e));
    v128.store(w + o, f32x4.sub(v128.load(w + o), step));
  }
  const end = (<usize>n) << 2;
  for (; o < end; o += 4) {
    const gj = load<f32>(g + o);
    const mOld = load<f32>(m + o);
    const vOld = load<f32>(v + o);
    const mj = mOld + (gj - mOld) * oneMinusBeta1;
    let vj = vOld + (gj * gj - vOld) * oneMinusBeta2;
    store<f32>(m + o, mj);
    store<f32>(v + o, vj);
    if (vHat) {
      const h = load<f32>(vHat + o);
      if (vj > h) store<f32>(vHat + o, vj);
      else vj = h;
    }
    store<f32>(w + o, load<f32>(w + o) - (mj * alpha) / (Mathf.sqrt(vj) + eps));
  }
}

/**
 * SGD over n values: without momentum (m = 0) w ← w − g·lr; with it m ← μm − g·lr and
 * w ← w + m (nesterov: w ← w + μm − g·lr).
 */
export function sgd(w: usize, g: usize, m: usize, n: i32, lr: f32, mu: f32, nesterov: bool): void {
  const l = f32x4.splat(lr);
  const u = f32x4.splat(mu);
  const n4 = n - (n % 4);
  let o: usize = 0;
  const end4 = (<usize>n4) << 2;
  for (; o < end4; o += 16) {
    const gl = f32x4.mul(v128.load(g + o), l);
    if (!m) {
      v128.store(w + o, f32x4.sub(v128.load(w + o), gl));
      continue;
    }
    const mj = f32x4.sub(f32x4.mul(v128.load(m + o), u), gl);
    v128.store(m + o, mj);
    const step = nesterov ? f32x4.sub(f32x4.mul(mj, u), gl) : mj;
    v128.store(w + o, f32x4.add(v128.load(w + o), step));
  }
  const end = (<usize>n) << 2;
  for (; o < end; o += 4) {
    const gl = load<f32>(g + o) * lr;
    if (!m) {
      store<f32>(w + o, load<f32>(w + o) - gl);
      continue;
    }
    const mj = load<f32>(m + o) * mu - gl;
    store<f32>(m + o, mj);
    store<f32>(w + o, load<f32>(w + o) + (nesterov ? mj * mu - gl : mj));
  }
}

/**
 * The index of the first NaN or ±Infinity among n floats, or −1: a float is one of those
 * exactly when its exponent bits are all ones. Four at a time until a vector holds one, then
 * that vector's lanes one by one; predict and evaluate check each batch where it was copied.
 */
export function firstNonFinite(p: usize, n: i32): i32 {
  const mask = i32x4.splat(0x7f800000);
  const n4 = n - (n % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    const v = v128.load(p + ((<usize>i) << 2));
    if (v128.any_true(i32x4.eq(v128.and(v, mask), mask))) break;
  }
  for (; i < n; i++) {
    if ((load<i32>(p + ((<usize>i) << 2)) & 0x7f800000) == 0x7f800000) return i;
  }
  return -1;
}

/**
 * The machine's 128-bit SIMD peak, for bench:matmul: `iters` rounds of 12 independent
 * multiply-add chains on registers (no memory traffic), 96 flops a round. Returns a lane so
 * the work cannot be dropped.
 */
export function simdPeak(iters: i32): f32 {
  const m = f32x4.splat(0.999);
  const d = f32x4.splat(0.001);
  let a0 = f32x4.splat(1),
    a1 = f32x4.splat(2),
    a2 = f32x4.splat(3),
    a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5),
    a5 = f32x4.splat(6),
    a6 = f32x4.splat(7),
    a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9),
    a9 = f32x4.splat(10),
    a10 = f32x4.splat(11),
    a11 = f32x4.splat(12);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, d);
    a1 = madd(a1, m, d);
    a2 = madd(a2, m, d);
    a3 = madd(a3, m, d);
    a4 = madd(a4, m, d);
    a5 = madd(a5, m, d);
    a6 = madd(a6, m, d);
    a7 = madd(a7, m, d);
    a8 = madd(a8, m, d);
    a9 = madd(a9, m, d);
    a10 = madd(a10, m, d);
    a11 = madd(a11, m, d);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
    f32x4.add(
      f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)),
      f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
    ),
  );
  return f32x4.extract_lane(s, 0);
}

// --- The recurrent cells' gate math (LSTM, GRU with reset_after=True) ---------------------------
// (The f32x4 e^x, sigmoid, tanh and cell activations live in lanes.ts.)

/**
 * Keras 3's LSTMCell for time index t of n samples (recurrent.ts lstmStep): z = xw + rec (+ bias)
 * in blocks [i, f, c, o]; c′ = f·c + i·act(z_c); h′ = o·act(c′). xw and gates are (n·T, 4U)
 * rows, rec (n, 4U), c (n·T, U), cStep and h (n, U).
 */
export function lstmCell(
  xw: usize,
  rec: usize,
  bias: usize,
  gates: usize,
  cStep: usize,
  c: usize,
  h: usize,
  n: i32,
  T: i32,
  t: i32,
  U: i32,
  act: i32,
  ract: i32,
): void {
  const u = (<usize>U) << 2;
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const xo = xw + row * 4 * u;
    const go = gates + row * 4 * u;
    const ro = rec + <usize>b * 4 * u;
    const so = c + row * u;
    const hs = <usize>b * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      let zi = f32x4.add(ld(xo + o, one), ld(ro + o, one));
      let zf = f32x4.add(ld(xo + u + o, one), ld(ro + u + o, one));
      let zc = f32x4.add(ld(xo + 2 * u + o, one), ld(ro + 2 * u + o, one));
      let zo = f32x4.add(ld(xo + 3 * u + o, one), ld(ro + 3 * u + o, one));
      if (bias) {
        zi = f32x4.add(zi, ld(bias + o, one));
        zf = f32x4.add(zf, ld(bias + u + o, one));
        zc = f32x4.add(zc, ld(bias + 2 * u + o, one));
        zo = f32x4.add(zo, ld(bias + 3 * u + o, one));
      }
      const i = activate4(ract, zi);
      const fg = activate4(ract, zf);
      const g = activate4(act, zc);
      const og = activate4(ract, zo);
      const cv = f32x4.add(f32x4.mul(fg, ld(cStep + hs + o, one)), f32x4.mul(i, g));
      st(go + o, i, one);
      st(go + u + o, fg, one);
      st(go + 2 * u + o, g, one);
      st(go + 3 * u + o, og, one);
      st(cStep + hs + o, cv, one);
      st(so + o, cv, one);
      st(h + hs + o, f32x4.mul(og, activate4(act, cv)), one);
      j += one ? 1 : 4;
    }
  }
}

/**
 * The LSTM cell's backward at time index t (recurrent.ts lstmStepBackward): from the saved gates
 * and cell states, dh and dc (n, U) give the gates' gradients into dGates (n·T, 4U) and dStep
 * (n, 4U), and dc becomes the gradient reaching the previous cell state. tPrev: the time index
 * of the step before (its cell state; first = 1: zero).
 */
export function lstmCellBackward(
  gates: usize,
  c: usize,
  dh: usize,
  dc: usize,
  dGates: usize,
  dStep: usize,
  n: i32,
  T: i32,
  t: i32,
  tPrev: i32,
  first: bool,
  U: i32,
  act: i32,
  ract: i32,
): void {
  const u = (<usize>U) << 2;
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const go = gates + row * 4 * u;
    const dg = dGates + row * 4 * u;
    const so = c + row * u;
    const po = c + <usize>(b * T + tPrev) * u;
    const ds = dStep + <usize>b * 4 * u;
    const hs = <usize>b * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      const i = ld(go + o, one);
      const f = ld(go + u + o, one);
      const gc = ld(go + 2 * u + o, one);
      const og = ld(go + 3 * u + o, one);
      const a = activate4(act, ld(so + o, one));
      const cp = first ? f32x4.splat(0) : ld(po + o, one);
      const dhv = ld(dh + hs + o, one);
      const dct = f32x4.add(
        ld(dc + hs + o, one),
        f32x4.mul(f32x4.mul(dhv, og), derivative4(act, a)),
      );
      st(dc + hs + o, f32x4.mul(dct, f), one);
      const di = f32x4.mul(f32x4.mul(dct, gc), derivative4(ract, i));
      const df = f32x4.mul(f32x4.mul(dct, cp), derivative4(ract, f));
      const dgc = f32x4.mul(f32x4.mul(dct, i), derivative4(act, gc));
      const dO = f32x4.mul(f32x4.mul(dhv, a), derivative4(ract, og));
      st(dg + o, di, one);
      st(dg + u + o, df, one);
      st(dg + 2 * u + o, dgc, one);
      st(dg + 3 * u + o, dO, one);
      st(ds + o, di, one);
      st(ds + u + o, df, one);
      st(ds + 2 * u + o, dgc, one);
      st(ds + 3 * u + o, dO, one);
      j += one ? 1 : 4;
    }
  }
}

/**
 * Keras 3's GRUCell with reset_after=True at time index t (recurrent.ts gruStep): x·W + b_in and
 * h·U + b_rec in blocks [z, r, h]; z, r = σ(x_z + r_z), σ(x_r + r_r); h̃ = act(x_h + r·r_h);
 * h′ = z·h + (1 − z)·h̃. xw (n·T, 3U) rows, rec (n, 3U), bias (2, 3U), gates (n·T, 4U): z, r,
 * h̃ and r_h; h (n, U).
 */
export function gruCell(
  xw: usize,
  rec: usize,
  bias: usize,
  gates: usize,
  h: usize,
  n: i32,
  T: i32,
  t: i32,
  U: i32,
  act: i32,
  ract: i32,
): void {
  const u = (<usize>U) << 2;
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const xo = xw + row * 3 * u;
    const go = gates + row * 4 * u;
    const ro = rec + <usize>b * 3 * u;
    const hs = h + <usize>b * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      let xz = ld(xo + o, one);
      let xr = ld(xo + u + o, one);
      let xh = ld(xo + 2 * u + o, one);
      let rz = ld(ro + o, one);
      let rr = ld(ro + u + o, one);
      let rh = ld(ro + 2 * u + o, one);
      if (bias) {
        xz = f32x4.add(xz, ld(bias + o, one));
        xr = f32x4.add(xr, ld(bias + u + o, one));
        xh = f32x4.add(xh, ld(bias + 2 * u + o, one));
        rz = f32x4.add(rz, ld(bias + 3 * u + o, one));
        rr = f32x4.add(rr, ld(bias + 4 * u + o, one));
        rh = f32x4.add(rh, ld(bias + 5 * u + o, one));
      }
      const z = activate4(ract, f32x4.add(xz, rz));
      const r = activate4(ract, f32x4.add(xr, rr));
      const hh = activate4(act, f32x4.add(xh, f32x4.mul(r, rh)));
      st(go + o, z, one);
      st(go + u + o, r, one);
      st(go + 2 * u + o, hh, one);
      st(go + 3 * u + o, rh, one);
      const hv = ld(hs + o, one);
      st(hs + o, f32x4.add(f32x4.mul(z, hv), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh)), one);
      j += one ? 1 : 4;
    }
  }
}

/**
 * The GRU cell's backward at time index t (recurrent.ts gruStepBackward, reset_after=True): from
 * the saved gates and hPrev (n·T, U), dh (n, U) gives the input-side gradients into dGates
 * (n·T, 3U), the recurrent side into dRec (n·T, 3U) and dStep (n, 3U), and dh becomes the part
 * reaching the previous state directly (dh·z; the product adds the rest).
 */
export function gruCellBackward(
  gates: usize,
  hPrev: usize,
  dh: usize,
  dGates: usize,
  dRec: usize,
  dStep: usize,
  n: i32,
  T: i32,
  t: i32,
  U: i32,
  act: i32,
  ract: i32,
): void {
  const u = (<usize>U) << 2;
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const go = gates + row * 4 * u;
    const xo = row * 3 * u;
    const dg = dGates + xo;
    const dr = dRec + xo;
    const ds = dStep + <usize>b * 3 * u;
    const hp = hPrev + row * u;
    const hs = dh + <usize>b * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      const z = ld(go + o, one);
      const r = ld(go + u + o, one);
      const hh = ld(go + 2 * u + o, one);
      const rh = ld(go + 3 * u + o, one);
      const dhv = ld(hs + o, one);
      const dHH = f32x4.mul(f32x4.mul(dhv, f32x4.sub(f32x4.splat(1), z)), derivative4(act, hh));
      const dZ = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ld(hp + o, one), hh)), derivative4(ract, z));
      const dR = f32x4.mul(f32x4.mul(dHH, rh), derivative4(ract, r));
      const dRH = f32x4.mul(dHH, r);
      st(dg + o, dZ, one);
      st(ds + o, dZ, one);
      st(dr + o, dZ, one);
      st(dg + u + o, dR, one);
      st(ds + u + o, dR, one);
      st(dr + u + o, dR, one);
      st(dg + 2 * u + o, dHH, one);
      st(ds + 2 * u + o, dRH, one);
      st(dr + 2 * u + o, dRH, one);
      st(hs + o, f32x4.mul(dhv, z), one);
      j += one ? 1 : 4;
    }
  }
}

/** The cell activation of n floats at p, into q (bench and tests compare it with Math's). */
export function cellActivation(kind: i32, p: usize, q: usize, n: i32): void {
  for (let j = 0; j < n;) {
    const one = n - j < 4;
    const o = (<usize>j) << 2;
    st(q + o, activate4(kind, ld(p + o, one)), one);
    j += one ? 1 : 4;
  }
}
