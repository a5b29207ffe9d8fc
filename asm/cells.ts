/**
 * The SimpleRNN cell and the GRU cell with reset_after=False on wasm SIMD, forward and backward
 * (src/kernels/recurrent.ts simpleStep, gruResetBeforeStep and their backwards are the
 * reference), beside kernels.ts's LSTM and GRU (reset_after=True) cells and with their
 * activations (activate4, derivative4: Cephes's float32 e^x and tanhf, within a few float32
 * ulps of Math's). Layouts are recurrent.ts's: batch-major (b, t) rows, time index t of n
 * samples, U units; every address is a byte offset in the block, 0 for "none".
 */

// @ts-nocheck — AssemblyScript: v128, f32x4, load<T> and friends are its built-ins.
import { activate4, derivative4, ld, st } from './lanes';

/**
 * Keras 3's SimpleRNNCell at time index t: h′ = act(xw + bias + rec). xw and gates are (n·T, U)
 * rows, rec and h (n, U); the activated output is both the saved gate and the new state.
 */
export function simpleRnnCell(
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
): void {
  const u = (<usize>U) << 2;
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const xo = xw + row * u;
    const go = gates + row * u;
    const ro = rec + <usize>b * u;
    const hs = h + <usize>b * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      let x = ld(xo + o, one);
      if (bias) x = f32x4.add(x, ld(bias + o, one));
      const v = activate4(act, f32x4.add(x, ld(ro + o, one)));
      st(go + o, v, one);
      st(hs + o, v, one);
      j += one ? 1 : 4;
    }
  }
}

/**
 * Its backward at time index t: dh (n, U) times act′ at the saved output is the pre-activation's
 * gradient, into dGates (n·T, U) rows and dStep (n, U) for the recurrent product.
 */
export function simpleRnnCellBackward(
  gates: usize,
  dh: usize,
  dGates: usize,
  dStep: usize,
  n: i32,
  T: i32,
  t: i32,
  U: i32,
  act: i32,
): void {
  const u = (<usize>U) << 2;
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const go = row * u;
    const bo = <usize>b * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      const v = f32x4.mul(ld(dh + bo + o, one), derivative4(act, ld(gates + go + o, one)));
      st(dGates + go + o, v, one);
      st(dStep + bo + o, v, one);
      j += one ? 1 : 4;
    }
  }
}

/**
 * Keras 3's GRUCell with reset_after=False at time index t: z, r = σ(x_z + b_z + r_z),
 * σ(x_r + b_r + r_r); h̃ = act(x_h + b_h + (r∘h)·U_h); h′ = z·h + (1 − z)·h̃. xw (n·T, 3U) rows,
 * rec (n, 3U) (its h block unread), bias (3U), gates (n·T, 4U): z, r, h̃ and r∘h; h (n, U); rk
 * the recurrent kernel (U, 3U), of which U_h is the last column block. drop: recurrent_dropout's
 * state masks (n, 3U), the third block multiplying the h that r resets (0: none).
 */
export function gruResetBeforeCell(
  xw: usize,
  rec: usize,
  bias: usize,
  gates: usize,
  h: usize,
  rk: usize,
  drop: usize,
  n: i32,
  T: i32,
  t: i32,
  U: i32,
  act: i32,
  ract: i32,
): void {
  const u = (<usize>U) << 2;
  const gu = 3 * u;
  const uh = rk + 2 * u;
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const xo = xw + row * 3 * u;
    const go = gates + row * 4 * u;
    const ro = rec + <usize>b * 3 * u;
    const hs = h + <usize>b * u;
    const dm = drop + <usize>b * 3 * u + 2 * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      let xz = ld(xo + o, one);
      let xr = ld(xo + u + o, one);
      if (bias) {
        xz = f32x4.add(xz, ld(bias + o, one));
        xr = f32x4.add(xr, ld(bias + u + o, one));
      }
      const z = activate4(ract, f32x4.add(xz, ld(ro + o, one)));
      const r = activate4(ract, f32x4.add(xr, ld(ro + u + o, one)));
      let hv = ld(hs + o, one);
      if (drop) hv = f32x4.mul(hv, ld(dm + o, one));
      st(go + o, z, one);
      st(go + u + o, r, one);
      st(go + 3 * u + o, f32x4.mul(r, hv), one);
      j += one ? 1 : 4;
    }
    // (r∘h)·U_h: r∘h[k] broadcast times row k of U_h, sixteen output columns at a time (four
    // independent sums), then four, then one.
    const rh = go + 3 * u;
    let j = 0;
    for (; j + 16 <= U; j += 16) {
      const o = (<usize>j) << 2;
      let s0 = f32x4.splat(0);
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      for (let k = 0; k < U; k++) {
        const w = uh + <usize>k * gu + o;
        const x = f32x4.splat(load<f32>(rh + ((<usize>k) << 2)));
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(w)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(w + 16)));
        s2 = f32x4.add(s2, f32x4.mul(x, v128.load(w + 32)));
        s3 = f32x4.add(s3, f32x4.mul(x, v128.load(w + 48)));
      }
      candidate(xo, go, hs, bias, u, o, s0, false, act);
      candidate(xo, go, hs, bias, u, o + 16, s1, false, act);
      candidate(xo, go, hs, bias, u, o + 32, s2, false, act);
      candidate(xo, go, hs, bias, u, o + 48, s3, false, act);
    }
    while (j < U) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      let s = f32x4.splat(0);
      for (let k = 0; k < U; k++) {
        const w = ld(uh + <usize>k * gu + o, one);
        s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(rh + ((<usize>k) << 2))), w));
      }
      candidate(xo, go, hs, bias, u, o, s, one, act);
      j += one ? 1 : 4;
    }
  }
}

/**
 * The candidate and the new state at byte offset o of a row, from s = ((r∘h)·U_h) there:
 * h̃ = act(x_h + b_h + s) into the gates' third block, h′ = z·h + (1 − z)·h̃.
 */
function candidate(
  xo: usize,
  go: usize,
  hs: usize,
  bias: usize,
  u: usize,
  o: usize,
  s: v128,
  one: bool,
  act: i32,
): void {
  let xh = ld(xo + 2 * u + o, one);
  if (bias) xh = f32x4.add(xh, ld(bias + 2 * u + o, one));
  const hh = activate4(act, f32x4.add(xh, s));
  const z = ld(go + o, one);
  const hv = ld(hs + o, one);
  st(go + 2 * u + o, hh, one);
  st(hs + o, f32x4.add(f32x4.mul(z, hv), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh)), one);
}

/** Σ_j a[j]·b[j] over U floats: four lanes, then the lanes and the tail added. */
function dot(a: usize, b: usize, U: i32): f32 {
  const U4 = U & ~3;
  let s = f32x4.splat(0);
  for (let j = 0; j < U4; j += 4) {
    const o = (<usize>j) << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let sum = lanes(s);
  for (let j = U4; j < U; j++) {
    const o = (<usize>j) << 2;
    sum += load<f32>(a + o) * load<f32>(b + o);
  }
  return sum;
}

/** The sum of four lanes, pairwise. */
function lanes(s: v128): f32 {
  return (
    f32x4.extract_lane(s, 0) +
    f32x4.extract_lane(s, 1) +
    (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3))
  );
}

/**
 * The dot products of a with four rows of b (row stride sb bytes) in the four lanes, four
 * independent sums sharing a's loads; each as dot() sums it.
 */
function dot4(a: usize, b: usize, sb: usize, U: i32): v128 {
  const U4 = U & ~3;
  let s0 = f32x4.splat(0);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  for (let j = 0; j < U4; j += 4) {
    const o = (<usize>j) << 2;
    const x = v128.load(a + o);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(b + o)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(b + sb + o)));
    s2 = f32x4.add(s2, f32x4.mul(x, v128.load(b + 2 * sb + o)));
    s3 = f32x4.add(s3, f32x4.mul(x, v128.load(b + 3 * sb + o)));
  }
  let d0 = lanes(s0);
  let d1 = lanes(s1);
  let d2 = lanes(s2);
  let d3 = lanes(s3);
  for (let j = U4; j < U; j++) {
    const o = (<usize>j) << 2;
    const x = load<f32>(a + o);
    d0 += x * load<f32>(b + o);
    d1 += x * load<f32>(b + sb + o);
    d2 += x * load<f32>(b + 2 * sb + o);
    d3 += x * load<f32>(b + 3 * sb + o);
  }
  let v = f32x4.splat(d0);
  v = f32x4.replace_lane(v, 1, d1);
  v = f32x4.replace_lane(v, 2, d2);
  return f32x4.replace_lane(v, 3, d3);
}

/**
 * The reset_after=False cell's backward at time index t: from the saved gates and hPrev (n·T, U),
 * dh (n, U) gives dh̃ and dz, then d(r∘h) = dh̃·U_hᵀ gives dr and the part of dh through r∘h.
 * Input side into dGates (n·T, 3U), recurrent side into dRec (n·T, 3U) and dStep (n, 3U), their
 * h blocks zero (U_h's gradient is taken after the loop from r∘h); dh becomes dh·z + d(r∘h)·r·m,
 * the part reaching the previous state directly (the product adds the rest). drop as forward.
 */
export function gruResetBeforeCellBackward(
  gates: usize,
  hPrev: usize,
  dh: usize,
  dGates: usize,
  dRec: usize,
  dStep: usize,
  rk: usize,
  drop: usize,
  n: i32,
  T: i32,
  t: i32,
  U: i32,
  act: i32,
  ract: i32,
): void {
  const u = (<usize>U) << 2;
  const gu = 3 * u;
  const uh = rk + 2 * u;
  const zero = f32x4.splat(0);
  for (let b = 0; b < n; b++) {
    const row = <usize>(b * T + t);
    const go = gates + row * 4 * u;
    const xo = row * 3 * u;
    const dg = dGates + xo;
    const dr = dRec + xo;
    const ds = dStep + <usize>b * 3 * u;
    const hp = hPrev + row * u;
    const hs = dh + <usize>b * u;
    const dm = drop + <usize>b * 3 * u + 2 * u;
    for (let j = 0; j < U;) {
      const one = U - j < 4;
      const o = (<usize>j) << 2;
      const z = ld(go + o, one);
      const hh = ld(go + 2 * u + o, one);
      const dhv = ld(hs + o, one);
      const dHH = f32x4.mul(f32x4.mul(dhv, f32x4.sub(f32x4.splat(1), z)), derivative4(act, hh));
      const dZ = f32x4.mul(f32x4.mul(dhv, f32x4.sub(ld(hp + o, one), hh)), derivative4(ract, z));
      st(dg + o, dZ, one);
      st(ds + o, dZ, one);
      st(dr + o, dZ, one);
      st(dg + 2 * u + o, dHH, one);
      st(ds + 2 * u + o, zero, one);
      st(dr + 2 * u + o, zero, one);
      j += one ? 1 : 4;
    }
    // d(r∘h)[k] = dh̃ · row k of U_h, four k at a time into the lanes.
    const dHH = dg + 2 * u;
    for (let k = 0; k < U;) {
      const one = U - k < 4;
      const o = (<usize>k) << 2;
      const w = uh + <usize>k * gu;
      const s = one ? f32x4.splat(dot(dHH, w, U)) : dot4(dHH, w, gu, U);
      const r = ld(go + u + o, one);
      const m = drop ? ld(dm + o, one) : f32x4.splat(1);
      const dR = f32x4.mul(f32x4.mul(s, f32x4.mul(ld(hp + o, one), m)), derivative4(ract, r));
      st(dg + u + o, dR, one);
      st(ds + u + o, dR, one);
      st(dr + u + o, dR, one);
      const direct = f32x4.mul(ld(hs + o, one), ld(go + o, one));
      st(hs + o, f32x4.add(direct, f32x4.mul(f32x4.mul(s, r), m)), one);
      k += one ? 1 : 4;
    }
  }
}
