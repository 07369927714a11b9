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
 * it (symmetric; ascending). Candidates come from a prefix filter (each set's
 * rarest |x| - ceil(t·|x|) + 1 shingles are indexed: two sets with Jaccard
 * >= t share one of them), and each candidate pair is then scored exactly, so
 * the result is that of comparing every pair, at a fraction of the cost when
 * descriptions differ. A threshold <= 0 compares every pair.
 */
export function nearDuplicates(texts: readonly string[], threshold = DUPLICATE_THRESHOLD): number[][] {
  const sets = texts.map((t) => wordShingles(t));
  const out: number[][] = texts.map(() => []);
  const pair = (i: number, j: number) => {
    if (jaccard(sets[i]!, sets[j]!) >= threshold) {
      out[i]!.push(j);
      out[j]!.push(i);
    }
  };
  if (threshold <= 0) {
    for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++) if (sets[i]!.size > 0 && sets[j]!.size > 0) pair(i, j);
    return out;
  }
  const frequency = new Map<string, number>();
  for (const s of sets) for (const sh of s) frequency.set(sh, (frequency.get(sh) ?? 0) + 1);
  const rarestFirst = (a: string, b: string) => frequency.get(a)! - frequency.get(b)! || (a < b ? -1 : a > b ? 1 : 0);
  const index = new Map<string, number[]>();
  for (let i = 0; i < sets.length; i++) {
    const ordered = [...sets[i]!].sort(rarestFirst);
    const prefix = ordered.slice(0, ordered.length - Math.ceil(threshold * ordered.length) + 1);
    const candidates = new Set<number>();
    for (const sh of prefix) for (const j of index.get(sh) ?? []) candidates.add(j);
    for (const j of [...candidates].sort((a, b) => a - b)) pair(j, i);
    for (const sh of prefix) {
      const list = index.get(sh);
      if (list) list.push(i);
      else index.set(sh, [i]);
    }
  }
  for (const list of out) list.sort((a, b) => a - b);
  return out;
}
