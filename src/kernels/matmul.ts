/**
 * Dense matrix products over row-major Float32Arrays, with the two transposed forms that the
 * backward pass of a Dense layer needs, and the bias helpers. One strided core serves all three:
 * it walks C in 4×4 register tiles (16 accumulators, so each load of A and B feeds four
 * multiply-adds) and cuts K into blocks so that the panel of B a tile strip reads stays in cache.
 * Sums are carried in float64 registers and rounded to float32 once per K block.
 */

/** K-block length: a 4-column strip of B over one block is 4·KC floats, well inside L1. */
export const KC = 256;

/** c[M,N] (= or +=) a[M,K]·b[K,N]; all row-major; c is overwritten unless `accumulate`. */
export function matmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  gemm(a, 0, K, 1, b, 0, N, 1, c, 0, N, M, K, N, accumulate);
}

/** c[M,N] (= or +=) aᵀ·b with a stored [K,M] and b [K,N] (dW = xᵀ·dz); c is overwritten unless `accumulate`. */
export function matmulTransA(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  gemm(a, 0, 1, M, b, 0, N, 1, c, 0, N, M, K, N, accumulate);
}

/** c[M,N] (= or +=) a·bᵀ with a stored [M,K] and b [N,K] (dx = dz·Wᵀ); c is overwritten unless `accumulate`. */
export function matmulTransB(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  gemm(a, 0, K, 1, b, 0, 1, K, c, 0, N, M, K, N, accumulate);
}

/** y[r,c] += b[c] for y:[rows,cols], b:[cols]; y is updated in place. */
export function addBias(y: Float32Array, b: Float32Array, rows: number, cols: number): void {
  let p = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      y[p] = y[p]! + b[c]!;
      p++;
    }
  }
}

/** db[c] (= or +=) Σ_r dy[r,c] for dy:[rows,cols], db:[cols]; db is overwritten unless `accumulate`. */
export function biasGrad(
  dy: Float32Array,
  db: Float32Array,
  rows: number,
  cols: number,
  accumulate: boolean,
): void {
  if (!accumulate) db.fill(0, 0, cols);
  let p = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      db[c] = db[c]! + dy[p]!;
      p++;
    }
  }
}

/**
 * The strided core: C(i,j) (= or +=) Σ_k A(i,k)·B(k,j) where A(i,k) = a[ao + i·sai + k·sak],
 * B(k,j) = b[bo + k·sbk + j·sbj] and C(i,j) = c[co + i·ldc + j]. Offsets and strides let a
 * grouped convolution multiply one group's block of each operand in place (no views to allocate).
 */
export function gemm(
  a: Float32Array,
  ao: number,
  sai: number,
  sak: number,
  b: Float32Array,
  bo: number,
  sbk: number,
  sbj: number,
  c: Float32Array,
  co: number,
  ldc: number,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, co + i * ldc, co + i * ldc + N);
    return;
  }
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kl = K - k0 < KC ? K - k0 : KC;
    const add = accumulate || k0 > 0;
    const aK = ao + k0 * sak;
    const bK = bo + k0 * sbk;
    for (let i = 0; i < M4; i += 4) {
      const aRow = i * sai + aK;
      for (let j = 0; j < N4; j += 4) {
        tile4x4(a, aRow, sai, sak, b, bK + j * sbj, sbk, sbj, c, co + i * ldc + j, ldc, kl, add);
      }
      for (let j = N4; j < N; j++) {
        tile4x1(a, aRow, sai, sak, b, bK + j * sbj, sbk, c, co + i * ldc + j, ldc, kl, add);
      }
    }
    for (let i = M4; i < M; i++) {
      const aRow = i * sai + aK;
      for (let j = 0; j < N4; j += 4) {
        tile1x4(a, aRow, sak, b, bK + j * sbj, sbk, sbj, c, co + i * ldc + j, kl, add);
      }
      for (let j = N4; j < N; j++) {
        let s = 0;
        let pa = aRow;
        let pb = bK + j * sbj;
        for (let k = 0; k < kl; k++) {
          s += a[pa]! * b[pb]!;
          pa += sak;
          pb += sbk;
        }
        const pc = co + i * ldc + j;
        c[pc] = add ? c[pc]! + s : s;
      }
    }
  }
}

/** One 4×4 tile of C over kl steps of k: rows from a at pa (row stride sai), columns from b at pb (column stride sbj). */
function tile4x4(
  a: Float32Array,
  pa: number,
  sai: number,
  sak: number,
  b: Float32Array,
  pb: number,
  sbk: number,
  sbj: number,
  c: Float32Array,
  pc: number,
  N: number,
  kl: number,
  add: boolean,
): void {
  // prettier-ignore
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0,
    c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const sai2 = sai + sai;
  const sai3 = sai2 + sai;
  const sbj2 = sbj + sbj;
  const sbj3 = sbj2 + sbj;
  // prettier-ignore
  for (let k = 0; k < kl; k++) {
    const a0 = a[pa]!, a1 = a[pa + sai]!, a2 = a[pa + sai2]!, a3 = a[pa + sai3]!;
    const b0 = b[pb]!, b1 = b[pb + sbj]!, b2 = b[pb + sbj2]!, b3 = b[pb + sbj3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    pa += sak;
    pb += sbk;
  }
  // prettier-ignore
  if (add) {
    c[pc] = c[pc]! + c00; c[pc + 1] = c[pc + 1]! + c01; c[pc + 2] = c[pc + 2]! + c02; c[pc + 3] = c[pc + 3]! + c03;
    pc += N;
    c[pc] = c[pc]! + c10; c[pc + 1] = c[pc + 1]! + c11; c[pc + 2] = c[pc + 2]! + c12; c[pc + 3] = c[pc + 3]! + c13;
    pc += N;
    c[pc] = c[pc]! + c20; c[pc + 1] = c[pc + 1]! + c21; c[pc + 2] = c[pc + 2]! + c22; c[pc + 3] = c[pc + 3]! + c23;
    pc += N;
    c[pc] = c[pc]! + c30; c[pc + 1] = c[pc + 1]! + c31; c[pc + 2] = c[pc + 2]! + c32; c[pc + 3] = c[pc + 3]! + c33;
  } else {
    c[pc] = c00; c[pc + 1] = c01; c[pc + 2] = c02; c[pc + 3] = c03;
    pc += N;
    c[pc] = c10; c[pc + 1] = c11; c[pc + 2] = c12; c[pc + 3] = c13;
    pc += N;
    c[pc] = c20; c[pc + 1] = c21; c[pc + 2] = c22; c[pc + 3] = c23;
    pc += N;
    c[pc] = c30; c[pc + 1] = c31; c[pc + 2] = c32; c[pc + 3] = c33;
  }
}

/** One 4×1 strip of C (four rows, one column) over kl steps of k. */
function tile4x1(
  a: Float32Array,
  pa: number,
  sai: number,
  sak: number,
  b: Float32Array,
  pb: number,
  sbk: number,
  c: Float32Array,
  pc: number,
  N: number,
  kl: number,
  add: boolean,
): void {
  let c0 = 0,
    c1 = 0,
    c2 = 0,
    c3 = 0;
  const sai2 = sai + sai;
  const sai3 = sai2 + sai;
  for (let k = 0; k < kl; k++) {
    const bv = b[pb]!;
    c0 += a[pa]! * bv;
    c1 += a[pa + sai]! * bv;
    c2 += a[pa + sai2]! * bv;
    c3 += a[pa + sai3]! * bv;
    pa += sak;
    pb += sbk;
  }
  if (add) {
    c[pc] = c[pc]! + c0;
    c[pc + N] = c[pc + N]! + c1;
    c[pc + 2 * N] = c[pc + 2 * N]! + c2;
    c[pc + 3 * N] = c[pc + 3 * N]! + c3;
  } else {
    c[pc] = c0;
    c[pc + N] = c1;
    c[pc + 2 * N] = c2;
    c[pc + 3 * N] = c3;
  }
}

/** One 1×4 strip of C (one row, four columns) over kl steps of k. */
function tile1x4(
  a: Float32Array,
  pa: number,
  sak: number,
  b: Float32Array,
  pb: number,
  sbk: number,
  sbj: number,
  c: Float32Array,
  pc: number,
  kl: number,
  add: boolean,
): void {
  let c0 = 0,
    c1 = 0,
    c2 = 0,
    c3 = 0;
  const sbj2 = sbj + sbj;
  const sbj3 = sbj2 + sbj;
  for (let k = 0; k < kl; k++) {
    const av = a[pa]!;
    c0 += av * b[pb]!;
    c1 += av * b[pb + sbj]!;
    c2 += av * b[pb + sbj2]!;
    c3 += av * b[pb + sbj3]!;
    pa += sak;
    pb += sbk;
  }
  if (add) {
    c[pc] = c[pc]! + c0;
    c[pc + 1] = c[pc + 1]! + c1;
    c[pc + 2] = c[pc + 2]! + c2;
    c[pc + 3] = c[pc + 3]! + c3;
  } else {
    c[pc] = c0;
    c[pc + 1] = c1;
    c[pc + 2] = c2;
    c[pc + 3] = c3;
  }
}

/**
 * The three products, as a kernel built on them takes them: the JavaScript ones by default, or
 * another backend's over the same views (the wasm backend's, for the recurrent layers).
 */
export interface Products {
  matmul: typeof matmul;
  matmulTransA: typeof matmulTransA;
  matmulTransB: typeof matmulTransB;
}

export const jsProducts: Products = { matmul, matmulTransA, matmulTransB };
