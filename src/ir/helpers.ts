/** Small facts about plans that lowering, passes, backends and printers share. */
import type { Plan, PlanBuffer, RowsCols } from './types.js';

/** Bytes of a plan's arenas: what the engine allocates for it. */
export function planBytes(plan: Plan): { work: number; params: number; total: number } {
  const work = plan.workSize * 4;
  const params = plan.paramSize * 4;
  return { work, params, total: work + params };
}

/** Elements a buffer occupies at the plan's batch size. */
export function bufferLength(b: PlanBuffer, batchSize: number): number {
  return b.perSample ? b.size * batchSize : b.size;
}

/** Which arena a buffer lives in: weights, gradients and optimizer state persist; the rest is work. */
export function arenaOf(b: PlanBuffer): 'params' | 'work' {
  return b.role === 'param' || b.role === 'grad' || b.role === 'state' ? 'params' : 'work';
}

/** Rows per sample and columns when a kernel acts on the last axis: (None, 5, 8) → 5 × 8. */
export function lastAxis(shape: readonly (number | null)[]): RowsCols {
  const dims = shape.slice(1).map((d) => d ?? 1);
  const cols = dims.at(-1) ?? 1;
  return { rows: dims.slice(0, -1).reduce((a, b) => a * b, 1), cols };
}

/** Buffer ids with -1 for the optional ones left out. */
export function optional(...ids: (number | null)[]): number[] {
  return ids.map((id) => id ?? -1);
}
