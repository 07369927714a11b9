/**
 * Log-bucketed duration histogram. Durations (ms) fall into buckets whose
 * bounds grow by a factor of 2^(1/4) (~19 %), so a quantile estimated by linear
 * interpolation inside its bucket is within ~19 % of the exact value (the
 * bucket width), usually much closer. Bucket 0 holds [0, 1) ms.
 */
export const BUCKETS_PER_DOUBLING = 4;
/** Longest duration we bucket separately: everything above lands in the last bucket. */
export const MAX_BUCKET = 120; // 2^(120/4) ms = 2^30 ms ≈ 12.4 days

export function durationBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  const b = Math.floor(Math.log2(ms) * BUCKETS_PER_DOUBLING) + 1;
  return b > MAX_BUCKET ? MAX_BUCKET : b;
}

/** Inclusive lower and exclusive upper bound of a bucket, in ms. */
export function bucketBounds(bucket: number): [number, number] {
  if (bucket <= 0) return [0, 1];
  return [2 ** ((bucket - 1) / BUCKETS_PER_DOUBLING), 2 ** (bucket / BUCKETS_PER_DOUBLING)];
}

export interface BucketCount {
  bucket: number;
  count: number;
}

/**
 * Quantile q in [0, 1] of the distribution described by bucket counts
 * (any order, buckets may repeat and are summed). Returns null when empty.
 */
export function histogramQuantile(counts: readonly BucketCount[], q: number): number | null {
  const merged = new Map<number, number>();
  let total = 0;
  for (const { bucket, count } of counts) {
    if (count <= 0) continue;
    merged.set(bucket, (merged.get(bucket) ?? 0) + count);
    total += count;
  }
  if (total === 0) return null;
  const sorted = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let cumulative = 0;
  for (const [bucket, count] of sorted) {
    if (cumulative + count >= rank) {
      const [lo, hi] = bucketBounds(bucket);
      const fraction = count === 0 ? 0 : (rank - cumulative) / count;
      return lo + (hi - lo) * fraction;
    }
    cumulative += count;
  }
  return bucketBounds(sorted.at(-1)![0])[1];
}
