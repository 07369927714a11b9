/**
 * "Did you mean …?" for misspelt names: the closest accepted name by edit
 * distance, or one that contains (or is contained in) the typed name.
 */

/** Levenshtein distance (insertions, deletions, substitutions; each costs 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The accepted name meant by `typed`, or undefined when none is close.
 * Close means (case-insensitively) an edit distance of at most
 * max(2, ⌊length/3⌋), or one name containing the other when the shorter is
 * at least 4 characters (`time_window` → `time_window_hours`). The smallest
 * distance wins; ties go to the earlier candidate.
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const c = name.toLowerCase();
    const distance = editDistance(t, c);
    const shorter = Math.min(t.length, c.length);
    const contains = shorter >= 4 && (c.includes(t) || t.includes(c));
    if (distance > Math.max(2, Math.floor(t.length / 3)) && !contains) continue;
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best?.name;
}
