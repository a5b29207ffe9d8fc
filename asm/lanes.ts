/**
 * f32x4 helpers the kernel files share — e^x, sigmoid, tanh, the recurrent cells' activations
 * and their derivatives, loads and stores of a row's tail — in a module of their own rather
 * than in kernels.ts: what the entry file exports becomes a wasm export, and v128 functions
 * there are exports JavaScript cannot call (asc warns AS112).
 */

// @ts-nocheck — AssemblyScript: v128, f32x4, load<T> and friends are its built-ins.

// Activations by the code of src/kernels/recurrent.ts cellActivationNames: 0 linear, 1 tanh,
// 2 sigmoid, 3 relu, 4 hard_sigmoid. e^x is Cephes's expf (range reduction by ln 2 in two parts,
// a degree-6 polynomial, 2ⁿ by the exponent bits; relative error ~1e-7), tanh near zero its
// tanhf polynomial (no cancellation in 1 − e), so every lane is within a few float32 ulps of the
// JavaScript kernels' float64 Math.exp and Math.tanh over the whole range.

/** e^x for x ≤ 0 (clamped at −87, where e^x ≈ 1.6e−38 is still a normal float). */
export function expNeg(x: v128): v128 {
  const v = f32x4.max(x, f32x4.splat(-87));
  const n = f32x4.floor(
    f32x4.add(f32x4.mul(v, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)),
  );
  let r = f32x4.sub(v, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.1219444e-4)));
  let p = f32x4.splat(1.98756915e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** σ(x) = 1/(1 + e^−x) as 1/(1 + e^−|x|) or e^−|x|/(1 + e^−|x|), so e never overflows. */
function sigmoid4(x: v128): v128 {
  const e = expNeg(f32x4.neg(f32x4.abs(x)));
  const inv = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  const neg = f32x4.lt(x, f32x4.splat(0));
  return v128.bitselect(f32x4.mul(e, inv), inv, neg);
}

/** tanh: x + x³·P(x²) for |x| < 0.625, else sign(x)·(1 − e)/(1 + e) with e = e^−2|x|. */
function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = expNeg(f32x4.mul(a, f32x4.splat(-2)));
  const big = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  // The sign of x onto the large branch (tanh is odd).
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(0.625)));
}

/** A cell activation on four lanes. */
export function activate4(kind: i32, v: v128): v128 {
  if (kind == 1) return tanh4(v);
  if (kind == 2) return sigmoid4(v);
  if (kind == 3) return v128.and(v, f32x4.gt(v, f32x4.splat(0)));
  if (kind == 4) {
    const h = f32x4.add(f32x4.div(v, f32x4.splat(6)), f32x4.splat(0.5));
    return f32x4.min(f32x4.max(h, f32x4.splat(0)), f32x4.splat(1));
  }
  return v;
}

/** f′ from f's output y on four lanes (recurrent.ts cellDerivative). */
export function derivative4(kind: i32, y: v128): v128 {
  if (kind == 1) return f32x4.sub(f32x4.splat(1), f32x4.mul(y, y));
  if (kind == 2) return f32x4.mul(y, f32x4.sub(f32x4.splat(1), y));
  if (kind == 3) return v128.and(f32x4.splat(1), f32x4.gt(y, f32x4.splat(0)));
  if (kind == 4) {
    const inside = v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, f32x4.splat(1)));
    return v128.and(f32x4.splat(1.0 / 6), inside);
  }
  return f32x4.splat(1);
}

/** Four floats at p, or (one = true) the one float there in lane 0: the tail past U mod 4. */
export function ld(p: usize, one: bool): v128 {
  return one ? f32x4.splat(load<f32>(p)) : v128.load(p);
}

/** Stores four lanes at p, or (one = true) lane 0 only. */
export function st(p: usize, v: v128, one: bool): void {
  if (one) store<f32>(p, f32x4.extract_lane(v, 0));
  else v128.store(p, v);
}
