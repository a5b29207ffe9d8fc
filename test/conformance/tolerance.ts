/**
 * The suite's one tolerance and its bookkeeping. A value passes when
 * |ours − reference| ≤ RTOL·|reference| + ATOL: 1e-5 relative, with an absolute floor of 1e-6
 * for values near zero (a loss that reached 0, a weight crossing 0). The same rule holds for
 * TF.js comparisons and for the Keras 3 formula paths; no case loosens it.
 */
import { describe, expect, it } from 'vitest';

/** Relative tolerance of every comparison. */
export const RTOL = 1e-5;
/** Absolute floor, for values whose magnitude is below ATOL / RTOL = 0.1. */
export const ATOL = 1e-6;

/** The worst element of one comparison: its index, both values and its relative error. */
export interface Mismatch {
  index: number;
  ours: number;
  reference: number;
  /** |ours − reference| / max(|reference|, ATOL / RTOL): the error the tolerance sees. */
  relative: number;
  /** |ours − reference| / (RTOL·|reference| + ATOL): ≤ 1 passes. */
  ratio: number;
}

/** Compares element-wise and returns the worst element (ratio 0 for two empty arrays). */
export function worstMismatch(ours: ArrayLike<number>, reference: ArrayLike<number>): Mismatch {
  if (ours.length !== reference.length) {
    throw new Error(`length mismatch: ours ${ours.length}, reference ${reference.length}`);
  }
  let worst: Mismatch = { index: -1, ours: 0, reference: 0, relative: 0, ratio: 0 };
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = reference[i]!;
    const diff = Math.abs(a - b);
    const ratio = Number.isFinite(diff) ? diff / (RTOL * Math.abs(b) + ATOL) : Infinity;
    if (worst.index === -1 || ratio > worst.ratio) {
      worst = {
        index: i,
        ours: a,
        reference: b,
        relative: diff / Math.max(Math.abs(b), ATOL / RTOL),
        ratio,
      };
    }
  }
  return worst;
}

/** The largest relative error seen per group and quantity, for the suite's closing report. */
export class ErrorLog {
  private readonly worst = new Map<string, { relative: number; where: string }>();

  /** Records one comparison's worst element under `group` / `quantity`. */
  record(group: string, quantity: string, where: string, m: Mismatch): void {
    const key = `${group} · ${quantity}`;
    const seen = this.worst.get(key);
    if (!seen || m.relative > seen.relative) this.worst.set(key, { relative: m.relative, where });
  }

  /** One line per group and quantity: the largest relative error and the case it came from. */
  lines(): string[] {
    return [...this.worst.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, v]) => `${key}: ${v.relative.toExponential(2)} (${v.where})`);
  }
}

/** A readable failure message for a comparison that broke the tolerance. */
export function describeMismatch(what: string, m: Mismatch): string {
  return (
    `${what}: element ${m.index} ours ${m.ours} vs reference ${m.reference} ` +
    `(relative error ${m.relative.toExponential(2)}, ${m.ratio.toFixed(2)}× the tolerance ` +
    `${RTOL}·|ref| + ${ATOL})`
  );
}

/** Collects the comparisons of one case: each is logged, and each failure described. */
export class Comparisons {
  readonly failures: string[] = [];
  constructor(
    private readonly log: ErrorLog,
    private readonly group: string,
    private readonly label: string,
  ) {}

  check(
    quantity: string,
    detail: string,
    ours: ArrayLike<number>,
    reference: ArrayLike<number>,
  ): void {
    const m = worstMismatch(ours, reference);
    this.log.record(this.group, quantity, this.label, m);
    if (m.ratio > 1) this.failures.push(describeMismatch(`${quantity} ${detail}`, m));
  }

  /**
   * Every weight after training (get_weights() order, named by `specs`) against the reference's,
   * failing outright when training moved none from `before`: the comparison would be vacuous.
   */
  weightsAfterTraining(
    specs: readonly { layer: string; name: string }[],
    before: readonly ArrayLike<number>[],
    after: readonly Float32Array[],
    reference: readonly ArrayLike<number>[],
  ): void {
    const moved = after.some((w, i) => w.some((v, j) => v !== before[i]![j]));
    if (!moved) this.failures.push('training moved no weight: the comparison would be vacuous');
    after.forEach((w, i) =>
      this.check(
        'weights',
        `${specs[i]!.layer}/${specs[i]!.name} after training`,
        w,
        reference[i]!,
      ),
    );
  }
}

/** One describe() per group of cases, one test per case, passing when `run` finds no failures. */
export function describeByGroup<C extends { group: string }>(
  title: string,
  cases: readonly C[],
  name: (c: C) => string,
  run: (c: C) => Promise<string[]>,
): void {
  describe(title, () => {
    for (const group of [...new Set(cases.map((c) => c.group))]) {
      describe(group, () => {
        for (const c of cases.filter((x) => x.group === group)) {
          it(name(c), async () => {
            expect(await run(c)).toEqual([]);
          });
        }
      });
    }
  });
}
