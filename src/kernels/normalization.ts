/**
 * Normalization layers over the last axis of x: [rows, C] (rows = every leading dimension
 * flattened): BatchNormalization (statistics over rows, per channel), LayerNormalization
 * (statistics over C, per row) and UnitNormalization (L2 norm per row). Moments are two-pass
 * and summed in float64; variances are biased (divide by the count), as Keras's ops.moments.
 */

/**
 * BatchNormalization in training (Keras 3 `training and trainable`): per channel c, the batch
 * mean and biased variance over rows; y = gamma·(x − mean)/√(var + eps) + beta (gamma 1 and
 * beta 0 when null: scale/center False), y overwritten and may be x; saveMean[c] and
 * saveInvStd[c] = 1/√(var + eps) are overwritten for the backward pass; movingMean and
 * movingVar are updated in place: moving = moving·momentum + batch·(1 − momentum), with the
 * biased batch variance (as Keras does).
 */
export function batchNormTrainForward(
  x: Float32Array,
  y: Float32Array,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  movingMean: Float32Array,
  movingVar: Float32Array,
  saveMean: Float32Array,
  saveInvStd: Float32Array,
  rows: number,
  C: number,
  momentum: number,
  epsilon: number,
): void {
  const n = rows * C;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let p = c; p < n; p += C) sum += x[p]!;
    const mean = sum / rows;
    let sq = 0;
    for (let p = c; p < n; p += C) {
      const d = x[p]! - mean;
      sq += d * d;
    }
    const variance = sq / rows;
    const invStd = 1 / Math.sqrt(variance + epsilon);
    const scale = gamma === null ? invStd : gamma[c]! * invStd;
    const shift = beta === null ? 0 : beta[c]!;
    for (let p = c; p < n; p += C) y[p] = (x[p]! - mean) * scale + shift;
    saveMean[c] = mean;
    saveInvStd[c] = invStd;
    movingMean[c] = movingMean[c]! * momentum + mean * (1 - momentum);
    movingVar[c] = movingVar[c]! * momentum + variance * (1 - momentum);
  }
}

/**
 * BatchNormalization at inference: y = gamma·(x − movingMean)/√(movingVar + eps) + beta per
 * channel (gamma 1, beta 0 when null); y is overwritten and may be x.
 */
export function batchNormInferenceForward(
  x: Float32Array,
  y: Float32Array,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  movingMean: Float32Array,
  movingVar: Float32Array,
  rows: number,
  C: number,
  epsilon: number,
): void {
  const n = rows * C;
  for (let c = 0; c < C; c++) {
    const mean = movingMean[c]!;
    const invStd = 1 / Math.sqrt(movingVar[c]! + epsilon);
    const scale = gamma === null ? invStd : gamma[c]! * invStd;
    const shift = beta === null ? 0 : beta[c]!;
    for (let p = c; p < n; p += C) y[p] = (x[p]! - mean) * scale + shift;
  }
}

/**
 * The full BatchNormalization training gradient, through the batch statistics: with
 * x̂ = (x − mean)·invStd from batchNormTrainForward's saves and N = rows,
 * dx = gamma·invStd·(dy − mean_N(dy) − x̂·mean_N(dy·x̂)) (dx overwritten, may be dy);
 * dgamma[c] = Σ dy·x̂ and dbeta[c] = Σ dy are overwritten (either may be null to skip it).
 */
export function batchNormBackward(
  x: Float32Array,
  dy: Float32Array,
  gamma: Float32Array | null,
  saveMean: Float32Array,
  saveInvStd: Float32Array,
  dx: Float32Array | null,
  dgamma: Float32Array | null,
  dbeta: Float32Array | null,
  rows: number,
  C: number,
): void {
  const n = rows * C;
  for (let c = 0; c < C; c++) {
    const mean = saveMean[c]!;
    const invStd = saveInvStd[c]!;
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let p = c; p < n; p += C) {
      const g = dy[p]!;
      sumDy += g;
      sumDyXhat += g * (x[p]! - mean) * invStd;
    }
    if (dgamma !== null) dgamma[c] = sumDyXhat;
    if (dbeta !== null) dbeta[c] = sumDy;
    if (dx === null) continue; // the first layer: no one needs dx
    const k = (gamma === null ? 1 : gamma[c]!) * invStd;
    const meanDy = sumDy / rows;
    const meanDyXhat = sumDyXhat / rows;
    for (let p = c; p < n; p += C) {
      const xhat = (x[p]! - mean) * invStd;
      dx[p] = k * (dy[p]! - meanDy - xhat * meanDyXhat);
    }
  }
}

/**
 * LayerNormalization over the last axis, per row of x: [rows, C]: y = gamma·(x − mean)/√(var + eps)
 * + beta (gamma 1 and beta 0 when null). With rmsScaling (Keras's rms_scaling=True) it is, as in
 * Keras 3's ops.layer_normalization, y = gamma·x/√(var + eps) with the *centered* variance, no
 * mean subtraction and no beta. y is overwritten and may be x; saveMean[r] and saveInvStd[r] =
 * 1/√(var + eps) are overwritten for the backward pass.
 */
export function layerNormForward(
  x: Float32Array,
  y: Float32Array,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  saveMean: Float32Array,
  saveInvStd: Float32Array,
  rows: number,
  C: number,
  epsilon: number,
  rmsScaling = false,
): void {
  for (let r = 0; r < rows; r++) {
    const off = r * C;
    const end = off + C;
    let sum = 0;
    for (let p = off; p < end; p++) sum += x[p]!;
    const mean = sum / C;
    let sq = 0;
    for (let p = off; p < end; p++) {
      const d = x[p]! - mean;
      sq += d * d;
    }
    const invStd = 1 / Math.sqrt(sq / C + epsilon);
    saveMean[r] = mean;
    saveInvStd[r] = invStd;
    const center = rmsScaling ? 0 : mean;
    let c = 0;
    for (let p = off; p < end; p++, c++) {
      const g = gamma === null ? 1 : gamma[c]!;
      const b = beta === null || rmsScaling ? 0 : beta[c]!;
      y[p] = (x[p]! - center) * invStd * g + b;
    }
  }
}

/**
 * Gradients of layerNormForward from its saves: with x̂ = (x − mean)·invStd and ĝ = dy·gamma,
 * dx = invStd·(ĝ − mean_C(ĝ) − x̂·mean_C(ĝ·x̂)); with rmsScaling,
 * dx = invStd·ĝ − invStd³·(x − mean)·mean_C(ĝ·x). dx is overwritten and may be dy;
 * dgamma[c] = Σ_rows dy·x̂ (rms: dy·x·invStd) and dbeta[c] = Σ_rows dy are overwritten
 * (either may be null to skip it; dbeta is not meaningful with rmsScaling).
 */
export function layerNormBackward(
  x: Float32Array,
  dy: Float32Array,
  gamma: Float32Array | null,
  saveMean: Float32Array,
  saveInvStd: Float32Array,
  dx: Float32Array | null,
  dgamma: Float32Array | null,
  dbeta: Float32Array | null,
  rows: number,
  C: number,
  rmsScaling = false,
): void {
  layerNormParamGrads(x, dy, saveMean, saveInvStd, dgamma, dbeta, rows, C, rmsScaling);
  if (dx === null) return; // the first layer: no one needs dx
  for (let r = 0; r < rows; r++) {
    const off = r * C;
    const end = off + C;
    const mean = saveMean[r]!;
    const invStd = saveInvStd[r]!;
    let sumG = 0;
    let sumGX = 0;
    let c = 0;
    for (let p = off; p < end; p++, c++) {
      const g = dy[p]! * (gamma === null ? 1 : gamma[c]!);
      sumG += g;
      sumGX += g * (rmsScaling ? x[p]! : (x[p]! - mean) * invStd);
    }
    c = 0;
    if (rmsScaling) {
      const k = (invStd * invStd * invStd * sumGX) / C;
      for (let p = off; p < end; p++, c++) {
        const g = dy[p]! * (gamma === null ? 1 : gamma[c]!);
        dx[p] = invStd * g - k * (x[p]! - mean);
      }
    } else {
      const meanG = sumG / C;
      const meanGX = sumGX / C;
      for (let p = off; p < end; p++, c++) {
        const g = dy[p]! * (gamma === null ? 1 : gamma[c]!);
        dx[p] = invStd * (g - meanG - (x[p]! - mean) * invStd * meanGX);
      }
    }
  }
}

/** dgamma[c] = Σ_rows dy·x̂ and dbeta[c] = Σ_rows dy for layerNormBackward, summed in float64 per channel. */
function layerNormParamGrads(
  x: Float32Array,
  dy: Float32Array,
  saveMean: Float32Array,
  saveInvStd: Float32Array,
  dgamma: Float32Array | null,
  dbeta: Float32Array | null,
  rows: number,
  C: number,
  rmsScaling: boolean,
): void {
  if (dgamma === null && dbeta === null) return;
  for (let c = 0; c < C; c++) {
    let sg = 0;
    let sb = 0;
    for (let r = 0, p = c; r < rows; r++, p += C) {
      const g = dy[p]!;
      const center = rmsScaling ? 0 : saveMean[r]!;
      sg += g * (x[p]! - center) * saveInvStd[r]!;
      sb += g;
    }
    if (dgamma !== null) dgamma[c] = sg;
    if (dbeta !== null) dbeta[c] = sb;
  }
}

/** UnitNormalization's floor on Σx²: Keras normalizes with epsilon 1e-12 on the norm, i.e. 1e-24 on its square. */
const UNIT_NORM_FLOOR = 1e-24;

/** UnitNormalization per row of x: [rows, C]: y = x·rsqrt(max(Σx², 1e-24)); y is overwritten and may be x. */
export function unitNormForward(x: Float32Array, y: Float32Array, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const off = r * C;
    const end = off + C;
    let sq = 0;
    for (let p = off; p < end; p++) sq += x[p]! * x[p]!;
    const inv = 1 / Math.sqrt(sq > UNIT_NORM_FLOOR ? sq : UNIT_NORM_FLOOR);
    for (let p = off; p < end; p++) y[p] = x[p]! * inv;
  }
}

/**
 * Gradient of unitNormForward: with s = Σx² and inv = 1/√s per row, dx = inv·(dy − ŷ·Σ dy·ŷ),
 * ŷ = x·inv; where s is at or below the floor the norm is a constant and dx = dy·inv.
 * dx is overwritten and may be dy.
 */
export function unitNormBackward(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  rows: number,
  C: number,
): void {
  for (let r = 0; r < rows; r++) {
    const off = r * C;
    const end = off + C;
    let sq = 0;
    let dot = 0;
    for (let p = off; p < end; p++) {
      sq += x[p]! * x[p]!;
      dot += dy[p]! * x[p]!;
    }
    if (sq > UNIT_NORM_FLOOR) {
      const inv = 1 / Math.sqrt(sq);
      const k = dot * inv * inv;
      for (let p = off; p < end; p++) dx[p] = inv * (dy[p]! - x[p]! * k);
    } else {
      const inv = 1 / Math.sqrt(UNIT_NORM_FLOOR);
      for (let p = off; p < end; p++) dx[p] = dy[p]! * inv;
    }
  }
}
