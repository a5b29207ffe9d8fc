/** Did-you-mean: the closest known spelling by edit distance, case-insensitive. */

/**
 * Optimal string alignment distance (Damerau–Levenshtein without repeated edits of a
 * substring): insertions, deletions, substitutions and swaps of neighbouring letters cost one
 * each, so `rleu` is one edit from `relu`. Exits early once the distance exceeds `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      row[j] = d;
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** The candidate closest to `name`, if any is close enough to be a plausible typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = c === lower ? 0 : editDistance(lower, c, limit);
    if (
      d < bestDistance ||
      (d === bestDistance && best !== undefined && candidate.length < best.length)
    ) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
