/**
 * Hybrid retrieval, pure parts: reciprocal-rank fusion of ranked lists and a
 * brute-force nearest-neighbour scan over L2-normalised vectors.
 *
 * Reciprocal-rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): an item
 * at 1-based rank r in a list earns 1 / (k + r) from that list, and its fused
 * score is the sum over the lists it appears in; items absent from a list earn
 * nothing from it. k = 60 (the paper's value) damps the head of each list, so
 * an item ranked well by both lists beats one ranked first by only one. Only
 * ranks are used: BM25 scores and cosine similarities, which live on
 * different scales, never need calibrating against each other. Ties in fused
 * score go to the item that reached its best rank first in list order.
 *
 * Reported relevance (relativeToBest): whatever the raw scale (BM25, ts_rank_cd,
 * a fused score), a result list is reported as each score over the list's best,
 * so the best hit is 1 and the others are the fraction of its score they reach.
 */
import { roundRelevance } from './round.js';

export const RRF_K = 60;

/**
 * Raw relevance scores (higher = better) as 0 to 1 relative to the best: score / max, rounded to 3
 * significant digits, so the best is 1 and order is kept (ties may appear after rounding). A negative
 * score counts as 0; a list whose best is not above 0 (no relevance: a filter-only listing) is all 0.
 */
export function relativeToBest(scores: readonly number[]): number[] {
  const best = scores.reduce((m, s) => Math.max(m, s), 0);
  if (!(best > 0 && Number.isFinite(best))) return scores.map(() => 0);
  return scores.map((s) => roundRelevance(s > 0 ? Math.min(1, s / best) : 0));
}

export interface FusedItem {
  id: number;
  score: number;
  /** The item's 1-based rank in each input list, null where absent. */
  ranks: (number | null)[];
}

export function reciprocalRankFusion(lists: readonly (readonly number[])[], k: number = RRF_K): FusedItem[] {
  if (!(k >= 0)) throw new RangeError('k must be a non-negative number');
  const byId = new Map<number, FusedItem & { order: number }>();
  let order = 0;
  lists.forEach((list, li) => {
    const seen = new Set<number>();
    list.forEach((id, i) => {
      if (seen.has(id)) return; // a repeated id keeps its first (best) rank
      seen.add(id);
      let item = byId.get(id);
      if (!item) {
        item = { id, score: 0, ranks: lists.map(() => null), order: order++ };
        byId.set(id, item);
      }
      item.ranks[li] = i + 1;
      item.score += 1 / (k + i + 1);
    });
  });
  return [...byId.values()].sort((a, b) => b.score - a.score || a.order - b.order).map(({ id, score, ranks }) => ({ id, score, ranks }));
}

/**
 * The `n` entries of `scores` (one per entry of `ids`, only the first `rows`
 * read) with the highest score, best first. Ties: lower index first.
 */
export function topByScore(scores: Float32Array, ids: readonly number[], n: number, rows: number = scores.length): { id: number; similarity: number }[] {
  const count = Math.min(rows, ids.length, scores.length);
  if (n <= 0 || count === 0) return [];
  // A small sorted buffer of the best n (n is tens to hundreds; rows up to ~10^5): most rows fail the first comparison.
  const bestSim: number[] = [];
  const bestRow: number[] = [];
  let floor = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < count; r++) {
    const s = scores[r]!;
    if (s <= floor && bestSim.length === n) continue;
    let at = bestSim.length;
    while (at > 0 && bestSim[at - 1]! < s) at--;
    bestSim.splice(at, 0, s);
    bestRow.splice(at, 0, r);
    if (bestSim.length > n) {
      bestSim.pop();
      bestRow.pop();
    }
    if (bestSim.length === n) floor = bestSim[n - 1]!;
  }
  return bestRow.map((r, i) => ({ id: ids[r]!, similarity: bestSim[i]! }));
}

/**
 * The `n` rows of `matrix` (row-major, `dims` columns, one row per entry of
 * `ids`) with the highest dot product with `query`, best first; for
 * L2-normalised vectors that is cosine similarity. Ties: lower row first.
 * The plain-JavaScript reference of the embedding worker's vector index
 * (memory/vector-index.ts), which computes the same products on the WASM backend.
 */
export function nearestByDot(matrix: Float32Array, dims: number, ids: readonly number[], query: Float32Array, n: number): { id: number; similarity: number }[] {
  if (query.length !== dims) throw new RangeError(`query has ${query.length} dimensions, expected ${dims}`);
  const rows = Math.min(ids.length, Math.floor(matrix.length / dims));
  if (n <= 0 || rows === 0) return [];
  const scores = new Float32Array(rows);
  const tail = dims - (dims % 4);
  for (let r = 0, off = 0; r < rows; r++, off += dims) {
    // Four independent sums: the additions need not wait for each other.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d < tail; d += 4) {
      s0 += matrix[off + d]! * query[d]!;
      s1 += matrix[off + d + 1]! * query[d + 1]!;
      s2 += matrix[off + d + 2]! * query[d + 2]!;
      s3 += matrix[off + d + 3]! * query[d + 3]!;
    }
    for (; d < dims; d++) s0 += matrix[off + d]! * query[d]!;
    scores[r] = s0 + s1 + s2 + s3;
  }
  return topByScore(scores, ids, n, rows);
}

/** `v` scaled to unit length (a zero vector is returned unchanged). */
export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}
