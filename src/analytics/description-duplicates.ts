/**
 * Near-identical descriptions: two texts are near-duplicates when the Jaccard
 * index of their sets of word 2-shingles (adjacent word pairs) is at least
 * DUPLICATE_THRESHOLD (0.6). Words are runs of letters or digits after NFKC
 * normalisation and lower-casing, so case, punctuation and spacing do not
 * matter but word order does. A text of one word is compared by that word.
 * Texts without any word are never duplicates of anything.
 */
import { jaccard } from './text-similarity.js';

const DUPLICATE_THRESHOLD = 0.6;
const SHINGLE_WORDS = 2;

export const DUPLICATE_RULE = `Jaccard index of word ${SHINGLE_WORDS}-shingles >= ${DUPLICATE_THRESHOLD} (case, punctuation and spacing ignored)`;

function words(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The set of adjacent word pairs (`"review code"`); a one-word text gives that word. */
export function wordShingles(text: string, size = SHINGLE_WORDS): Set<string> {
  const w = words(text);
  if (w.length === 0) return new Set();
  if (w.length < size) return new Set([w.join(' ')]);
  const out = new Set<string>();
  for (let i = 0; i + size <= w.length; i++) out.add(w.slice(i, i + size).join(' '));
  return out;
}

export function descriptionSimilarity(a: string, b: string): number {
  const sa = wordShingles(a);
  const sb = wordShingles(b);
  if (sa.size === 0 || sb.size === 0) return 0;
  return jaccard(sa, sb);
}

/**
 * For each index, the indices of the other texts that are near-duplicates of
 * it (symmetric; ascending). Pairwise: n² comparisons of small sets, fine for
 * the hundreds of items a configuration holds.
 */
export function nearDuplicates(texts: readonly string[], threshold = DUPLICATE_THRESHOLD): number[][] {
  const sets = texts.map((t) => wordShingles(t));
  const out: number[][] = texts.map(() => []);
  for (let i = 0; i < sets.length; i++) {
    if (sets[i]!.size === 0) continue;
    for (let j = i + 1; j < sets.length; j++) {
      if (sets[j]!.size === 0) continue;
      if (jaccard(sets[i]!, sets[j]!) >= threshold) {
        out[i]!.push(j);
        out[j]!.push(i);
      }
    }
  }
  return out;
}
