/**
 * Timing for the engine benchmark: a warm-up that also calibrates how many calls fill a run,
 * then several timed runs of that many calls; each run gives one "seconds per call" sample.
 * Samples from every round of the benchmark are pooled and summarized by their median.
 */
import type { WorkloadId } from './workloads.js';

/** How long to warm up and measure one cell of the table in one round. */
export interface Budget {
  /** Warm-up time (at least `minCalls` calls): lets V8 optimize and calibrates the run length. */
  warmupMs: number;
  /** Timed runs per round; each run is one sample. */
  runs: number;
  /** Target duration of one timed run. */
  runMs: number;
  /** Fewest calls in the warm-up and in a run (slow workloads take longer than runMs). */
  minCalls: number;
}

/** Seconds per call, one value per timed run. */
export type Samples = number[];

/** One cell of the table: an engine measured on a workload. */
export interface Runner {
  engine: string;
  workload: WorkloadId;
  /** How the engine was driven, for the notes under the table. */
  how: string;
  measure(budget: Budget): Promise<Samples>;
}

/** Times a synchronous call: warm-up, then `budget.runs` runs of a calibrated number of calls. */
export function measureSync(fn: () => void, budget: Budget): Samples {
  let calls = 0;
  const w0 = performance.now();
  while (calls < budget.minCalls || performance.now() - w0 < budget.warmupMs) {
    fn();
    calls++;
  }
  const perCall = (performance.now() - w0) / calls;
  const n = Math.max(budget.minCalls, Math.ceil(budget.runMs / perCall));
  const out: Samples = [];
  for (let r = 0; r < budget.runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    out.push((performance.now() - t0) / 1000 / n);
  }
  return out;
}

/** As measureSync, for a call that returns a promise (TF.js's trainOnBatch and fit). */
export async function measureAsync(fn: () => Promise<unknown>, budget: Budget): Promise<Samples> {
  let calls = 0;
  const w0 = performance.now();
  while (calls < budget.minCalls || performance.now() - w0 < budget.warmupMs) {
    await fn();
    calls++;
  }
  const perCall = (performance.now() - w0) / calls;
  const n = Math.max(budget.minCalls, Math.ceil(budget.runMs / perCall));
  const out: Samples = [];
  for (let r = 0; r < budget.runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    out.push((performance.now() - t0) / 1000 / n);
  }
  return out;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
