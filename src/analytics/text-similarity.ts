/**
 * Normalised text similarity for near-duplicate detection: the Jaccard index
 * of the two texts' sets of words, where a word is a run of letters or digits
 * after Unicode NFKC normalisation and lower-casing (punctuation, whitespace
 * and word order are ignored). 1 = the same words, 0 = no word in common.
 */
export function wordSet(text: string): Set<string> {
  return new Set(
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [],
  );
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}
