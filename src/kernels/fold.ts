/**
 * BatchNormalization folded into the Dense before it, for inference:
 * s[j] = γ[j]/√(σ²[j] + ε); kernel'[i,j] = kernel[i,j]·s[j]; bias'[j] = (bias[j] − μ[j])·s[j] + β[j].
 * kernel: [I, O], bias/γ/β/μ/σ²: [O] (bias, γ, β may be null: 0, 1, 0). Outputs are overwritten.
 */
export function foldBatchNorm(
  kernel: Float32Array,
  bias: Float32Array | null,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  mean: Float32Array,
  variance: Float32Array,
  foldedKernel: Float32Array,
  foldedBias: Float32Array,
  I: number,
  O: number,
  epsilon: number,
): void {
  for (let j = 0; j < O; j++) {
    const scale = (gamma ? gamma[j]! : 1) / Math.sqrt(variance[j]! + epsilon);
    foldedBias[j] = ((bias ? bias[j]! : 0) - mean[j]!) * scale + (beta ? beta[j]! : 0);
  }
  for (let i = 0; i < I; i++) {
    const row = i * O;
    for (let j = 0; j < O; j++) {
      foldedKernel[row + j] =
        kernel[row + j]! * ((gamma ? gamma[j]! : 1) / Math.sqrt(variance[j]! + epsilon));
    }
  }
}
