import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketBounds, bucketValue, durationBucket, GAMMA, histogramQuantile, ZERO_BUCKET } from './histogram.js';
import { mulberry32 } from './prng.js';

// Reference values computed independently with 40-digit arithmetic (mpmath), GAMMA = 101/99.
describe('histogram (DDSketch mapping, 1 % relative accuracy)', () => {
  it('maps durations to ceil(log_gamma(x)), zero to its own bucket', () => {
    assert.equal(GAMMA, 1.01 / 0.99);
    assert.equal(durationBucket(0), ZERO_BUCKET);
    assert.equal(durationBucket(1), 0);
    assert.equal(durationBucket(2), 35); // gamma^34 = 1.973922, gamma^35 = 2.013800
    assert.equal(durationBucket(100), 231); // (99.49957, 101.50966]
    assert.equal(durationBucket(1000), 346); // (992.50298, 1012.55354]
    assert.equal(durationBucket(86_400_000), 914); // 24 h, the largest accepted duration
  });

  it('puts integers on either side of a bucket edge in the right bucket', () => {
    // gamma^826 = 14954916.99494: 14954916 is the last integer of bucket 826, 14954917 the first of 827.
    assert.equal(durationBucket(14_954_916), 826);
    assert.equal(durationBucket(14_954_917), 827);
    // gamma^902 = 68380713.01842: 68380713 is the last integer of bucket 902.
    assert.equal(durationBucket(68_380_713), 902);
    assert.equal(durationBucket(68_380_714), 903);
  });

  it('states bounds and a value within 1 % of every value of the bucket', () => {
    const [lo, hi] = bucketBounds(231);
    assert.ok(Math.abs(lo - 99.49957199) < 1e-6 && Math.abs(hi - 101.50966435) < 1e-6);
    assert.ok(Math.abs(bucketValue(231) - 100.49456771) < 1e-6);
    assert.ok(Math.abs(bucketValue(231) - lo) / lo <= 0.01 + 1e-12);
    assert.ok(Math.abs(bucketValue(231) - hi) / hi <= 0.01 + 1e-12);
    assert.deepEqual(bucketBounds(ZERO_BUCKET), [0, 0]);
    assert.equal(bucketValue(ZERO_BUCKET), 0);
  });

  it('reports the bucket value of the nearest-rank quantile', () => {
    // 19 × 100 ms and 1 × 5000 ms: p95 is the 19th value (100 ms), p50 the 10th.
    const counts = [
      { bucket: durationBucket(100), count: 19 },
      { bucket: durationBucket(5000), count: 1 },
    ];
    assert.ok(Math.abs(histogramQuantile(counts, 0.95)! - 100.49456771) < 1e-6);
    assert.ok(Math.abs(histogramQuantile(counts, 0.5)! - 100.49456771) < 1e-6);
    // 0.96 × 20 = 19.2: the 20th value.
    assert.ok(Math.abs(histogramQuantile(counts, 0.96)! / 5000 - 1) <= 0.01);
    assert.equal(histogramQuantile([], 0.5), null);
    assert.equal(histogramQuantile([{ bucket: ZERO_BUCKET, count: 3 }], 0.95), 0);
  });

  it('never reports above the largest nor below the smallest duration observed', () => {
    // 1000 ms lies in bucket 346, whose value is 1002.428: without the range the p95 exceeds every value.
    const counts = [{ bucket: durationBucket(1000), count: 50 }];
    assert.ok(Math.abs(histogramQuantile(counts, 0.95)! - 1002.42801) < 1e-4);
    assert.equal(histogramQuantile(counts, 0.95, { min: 1000, max: 1000 }), 1000);
    assert.equal(histogramQuantile(counts, 0.95, { min: 10, max: 1000 }), 1000);
    // 2 ms lies in bucket 35, whose value 1.99366 is below it.
    assert.equal(histogramQuantile([{ bucket: 35, count: 4 }], 0.5, { min: 2, max: 2 }), 2);
  });

  it('keeps the planted skill of issue 14 within 1 %: 7500 ms lies in bucket 447, reported as 7557.14', () => {
    assert.equal(durationBucket(7500), 447);
    assert.equal(durationBucket(8000), 450);
    const p95 = histogramQuantile([{ bucket: 447, count: 1 }], 0.95)!;
    assert.ok(Math.abs(p95 - 7557.13691) < 1e-3);
    assert.ok(Math.abs(p95 - 7500) / 7500 <= 0.01);
  });

  it('stays within 1 % of the exact nearest-rank quantile on skewed random data, inside [min, max]', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + trial * 97;
      // Log-normal-ish integer durations from 0 ms to about 20 s, with a long tail.
      const xs = Array.from({ length: n }, () => Math.round(Math.exp(rand() * 6 + rand() * rand() * 4)) - 1).sort((a, b) => a - b);
      const counts = new Map<number, number>();
      for (const x of xs) counts.set(durationBucket(x), (counts.get(durationBucket(x)) ?? 0) + 1);
      const buckets = [...counts].map(([bucket, count]) => ({ bucket, count }));
      for (const q of [0.5, 0.9, 0.95, 0.99]) {
        const exact = xs[Math.ceil(q * n) - 1]!;
        const est = histogramQuantile(buckets, q, { min: xs[0]!, max: xs.at(-1)! })!;
        assert.ok(Math.abs(est - exact) <= 0.01 * exact + 1e-9, `n=${n} q=${q}: ${est} vs exact ${exact}`);
        assert.ok(est >= xs[0]! && est <= xs.at(-1)!);
      }
    }
  });
});
