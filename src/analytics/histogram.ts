/**
 * Duration histogram with a DDSketch-style logarithmic mapping (relative
 * accuracy ALPHA = 1 %). A duration x > 0 ms falls into bucket
 * i = ceil(log_GAMMA(x)) with GAMMA = (1 + ALPHA) / (1 - ALPHA) = 1.01 / 0.99,
 * i.e. bucket i holds (GAMMA^(i-1), GAMMA^i]; durations of 0 ms have their own
 * bucket (ZERO_BUCKET). Every value of bucket i is within ALPHA of the bucket's
 * estimate 2·GAMMA^i / (GAMMA + 1), so:
 *
 *   Guarantee: the quantile q of n recorded durations is reported within 1 %
 *   (relative) of the exact nearest-rank quantile, the ⌈q·n⌉-th smallest
 *   duration (0 ms exactly), and never below the smallest nor above the
 *   largest duration recorded in the range (when the caller passes them).
 *
 * Clamping to [min, max] can only move an estimate towards the exact value,
 * which lies in that interval, so it keeps the guarantee.
 */
const ALPHA = 0.01;
export const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LN_GAMMA = Math.log(GAMMA);
/** Bucket of durations of 0 ms. */
export const ZERO_BUCKET = -1;
/** Highest bucket: GAMMA^2000 ms is far beyond any accepted duration (24 h is bucket 914). */
const MAX_BUCKET = 2000;

export function durationBucket(ms: number): number {
  if (!(ms > 0)) return ZERO_BUCKET;
  if (ms <= 1) return 0;
  const b = Math.ceil(Math.log(ms) / LN_GAMMA);
  return Math.min(b, MAX_BUCKET);
}

/** Exclusive lower and inclusive upper bound of a bucket, in ms ([0, 0] for the zero bucket). */
export function bucketBounds(bucket: number): [number, number] {
  if (bucket === ZERO_BUCKET) return [0, 0];
  return [GAMMA ** (bucket - 1), GAMMA ** bucket];
}

/** The value a bucket stands for: within ALPHA of every value in it. */
export function bucketValue(bucket: number): number {
  if (bucket === ZERO_BUCKET) return 0;
  return (2 * GAMMA ** bucket) / (GAMMA + 1);
}

export interface BucketCount {
  bucket: number;
  count: number;
}

/** Smallest and largest duration observed in the range the counts cover. */
export interface ObservedRange {
  min: number;
  max: number;
}

/**
 * Quantile q in [0, 1] of the distribution described by bucket counts (any
 * order, buckets may repeat and are summed): the estimate of the bucket that
 * holds the ⌈q·n⌉-th smallest value (at least the first), clamped to
 * `observed` when given. Returns null when empty.
 */
export function histogramQuantile(counts: readonly BucketCount[], q: number, observed?: ObservedRange | null): number | null {
  let total = 0;
  // Already ascending without repeats (how the readers return them): walked as they are.
  let ascending = true;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c.count > 0) total += c.count;
    if (i > 0 && c.bucket <= counts[i - 1]!.bucket) ascending = false;
  }
  if (total === 0) return null;
  let sorted: readonly BucketCount[] = counts;
  if (!ascending) {
    const merged = new Map<number, number>();
    for (const { bucket, count } of counts) if (count > 0) merged.set(bucket, (merged.get(bucket) ?? 0) + count);
    sorted = [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, count]) => ({ bucket, count }));
  }
  // Nearest rank; the epsilon keeps 0.95 * 20 = 19.000000000000004 at rank 19.
  const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * total - 1e-9));
  let cumulative = 0;
  let bucket = Number.NaN;
  for (const c of sorted) {
    if (c.count <= 0) continue;
    bucket = c.bucket;
    cumulative += c.count;
    if (cumulative >= rank) break;
  }
  const estimate = bucketValue(bucket);
  if (!observed) return estimate;
  return Math.min(Math.max(estimate, observed.min), observed.max);
}
