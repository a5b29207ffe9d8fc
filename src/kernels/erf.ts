/**
 * The complementary error function in float64, for the exact (erf-form) GELU. Abramowitz–Stegun
 * 7.1.26 and similar short fits are good to ~1e-7 *absolute*, which is far off in relative terms
 * in the negative tail of GELU; this one is accurate to ~2e-15 *relative* on the whole real line.
 *
 * Method: erfc(z) = t·exp(−z² + g(t)) with t = 2/(2 + z) for z ≥ 0, where g is smooth on
 * t ∈ [0, 1]; g is a 24-term Chebyshev interpolant in u = 2t − 1, fitted at the Chebyshev nodes
 * against 40-digit values (mpmath) and evaluated by Clenshaw's recurrence. z < 0 uses
 * erfc(z) = 2 − erfc(−z).
 */

/** Chebyshev coefficients c₀…c₂₃ of g(t) = log(erfc(z)·e^{z²}/t), t = 2/(2 + z), in u = 2t − 1. */
export const ERFC_CHEBYSHEV = new Float64Array([
  -0.6513268598908547, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
  -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-5, -2.0278578112534242e-5,
  -1.6242900046470256e-6, 1.3036558355805232e-6, 1.5626441722066106e-8, -8.523809591492667e-8,
  6.52905443909973e-9, 5.059343495549831e-9, -9.913641564964226e-10, -2.2736512226526028e-10,
  9.646791096045918e-11, 2.3940380092707057e-12, -6.886026681889785e-12, 8.944855992048146e-13,
  3.130920899042402e-13, -1.1268005698279505e-13, 2.600668065964953e-16, 7.20067255932215e-15,
]);

/** erfc(z) = 1 − erf(z), in float64, to ~2e-15 relative error. */
export function erfc(z: number): number {
  const a = z < 0 ? -z : z;
  const t = 2 / (2 + a);
  const u = 2 * t - 1;
  let b1 = 0;
  let b2 = 0;
  for (let j = ERFC_CHEBYSHEV.length - 1; j > 0; j--) {
    const b0 = 2 * u * b1 - b2 + ERFC_CHEBYSHEV[j]!;
    b2 = b1;
    b1 = b0;
  }
  const g = u * b1 - b2 + ERFC_CHEBYSHEV[0]!;
  const r = t * Math.exp(-a * a + g);
  return z < 0 ? 2 - r : r;
}
