import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { fitChange, fitLine, skillTrend, thirdsChange } from './trend.js';
import type { HourlyRollup } from './types.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2025, 2, 10); // 2025-03-10T00:00:00Z (midnight UTC)

function row(hourMs: number, invocations: number, successes: number, durationSum = 0, timed = invocations): HourlyRollup {
  return { skill: 'lint', hour: hourMs / H, invocations, successes, timed, durationSum, durationSqSum: 0, lastAt: hourMs };
}

/**
 * Two-sided p of Student's t with 3 degrees of freedom, closed form:
 * F(t) = 1/2 + (1/π)(u/(1+u²) + atan u) with u = t/√3, so p = 1 − (2/π)(u/(1+u²) + atan u).
 */
function pT3(tSquared: number): number {
  const u = Math.sqrt(tSquared / 3);
  return 1 - (2 / Math.PI) * (u / (1 + u * u) + Math.atan(u));
}

const close = (a: number | null, b: number, eps: number) => assert.ok(a !== null && Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

describe('skillTrend', () => {
  it('zero-fills hourly buckets and fits the success rate over non-empty ones, keeping gaps on the x axis', () => {
    // Hours 0..4 (range widened from 00:30 to 04:30 → buckets 00:00..04:00, 5 buckets).
    // Rates 0.5, 0.6, (empty), 0.8, 0.9 at x = 0, 1, 3, 4: an exact line 0.5 + 0.1 x → slope 0.1, r² 1, p 0.
    const rows = [
      row(T0, 10, 5, 1000),
      row(T0 + H, 10, 6),
      row(T0 + 3 * H, 10, 8),
      row(T0 + 4 * H, 10, 9),
      row(T0 - H, 99, 0), // before the range: ignored
      row(T0 + 5 * H, 99, 0), // after the range: ignored
    ];
    const t = skillTrend({ rows, granularity: 'hour', fromMs: T0 + H / 2, toMs: T0 + 4.5 * H });
    assert.equal(t.from, '2025-03-10T00:00:00.000Z');
    assert.equal(t.to, '2025-03-10T05:00:00.000Z');
    assert.equal(t.points.length, 5);
    assert.deepEqual(t.points[0], {
      bucket_start: '2025-03-10T00:00:00.000Z',
      invocations: 10,
      successes: 5,
      success_rate: 0.5,
      avg_duration_ms: 100, // 1000 / 10
    });
    assert.deepEqual(t.points[2], {
      bucket_start: '2025-03-10T02:00:00.000Z',
      invocations: 0,
      successes: 0,
      success_rate: null,
      avg_duration_ms: null,
    });
    const s = t.success_rate_trend;
    assert.equal(s.n_points, 4);
    close(s.slope_per_bucket, 0.1, 1e-9);
    close(s.intercept, 0.5, 1e-9);
    assert.equal(s.r_squared, 1);
    close(s.p_value, 0, 1e-9);
    assert.equal(s.classification, 'improving');
    // Fitted at x = 0 and x = 4 (the first and last non-empty buckets): 0.5 and 0.9.
    close(s.start_value, 0.5, 1e-9);
    close(s.end_value, 0.9, 1e-9);
    // 4 fitted rates, thirds of ⌈4/3⌉ = 2: (0.5 + 0.6) / 2 = 0.55 → (0.8 + 0.9) / 2 = 0.85; 0.3 / 0.55 = +54.55 % → 54.5.
    assert.equal(s.change_percent, 54.5);
    assert.equal(s.change_note, null);
    // Usage: invocations 10, 10, 0, 10, 10 at x = 0..4; x̄ = 2, ȳ = 8,
    // Sxy = (−2)(2) + (−1)(2) + 0(−8) + (1)(2) + (2)(2) = 0 → slope 0, r² 0, p 1 → flat.
    const u = t.usage_trend;
    assert.equal(u.n_points, 5);
    close(u.slope_per_bucket, 0, 1e-9);
    close(u.intercept, 8, 1e-9);
    assert.equal(u.r_squared, 0);
    close(u.p_value, 1, 1e-9);
    assert.equal(u.classification, 'flat');
    // Thirds of ⌈5/3⌉ = 2 buckets: (10 + 10) / 2 = 10 → (10 + 10) / 2 = 10: 0 %.
    assert.deepEqual([u.start_value, u.end_value, u.change_percent, u.change_note], [8, 8, 0, null]);
  });

  it('aggregates hours into UTC days and hand-checks a noisy decline and a non-significant rise', () => {
    // Days 0..4; each day's invocations split over 03:00 and 20:00.
    // invocations 10, 30, 20, 50, 40; successes 9, 24, 16, 30, 20 → rates 0.9, 0.8, 0.8, 0.6, 0.5.
    const inv = [10, 30, 20, 50, 40];
    const succ = [9, 24, 16, 30, 20];
    const rows = inv.flatMap((n, d) => [
      row(T0 + d * D + 3 * H, n / 2, Math.floor(succ[d]! / 2)),
      row(T0 + d * D + 20 * H, n / 2, succ[d]! - Math.floor(succ[d]! / 2)),
    ]);
    const t = skillTrend({ rows, granularity: 'day', fromMs: T0, toMs: T0 + 5 * D });
    assert.deepEqual(
      t.points.map((p) => [p.bucket_start.slice(0, 10), p.invocations, p.success_rate]),
      [
        ['2025-03-10', 10, 0.9],
        ['2025-03-11', 30, 0.8],
        ['2025-03-12', 20, 0.8],
        ['2025-03-13', 50, 0.6],
        ['2025-03-14', 40, 0.5],
      ],
    );
    // Rates: x̄ = 2, ȳ = 0.72, Sxx = 10, Sxy = (−2)(.18) + (−1)(.08) + 0 + (1)(−.12) + (2)(−.22) = −1.0
    //   slope −0.1, intercept 0.72 + 0.2 = 0.92, Syy = 0.108, SSres = 0.108 − 0.1 = 0.008, r² = 0.1/0.108 = 0.9259
    //   SE = sqrt(0.008 / 3 / 10), t² = 0.01 / (0.008/30) = 37.5, df 3 → p ≈ 0.0086 < 0.05 → declining
    const s = t.success_rate_trend;
    close(s.slope_per_bucket, -0.1, 1e-6);
    close(s.intercept, 0.92, 1e-6);
    assert.equal(s.r_squared, 0.9259);
    close(s.p_value, pT3(37.5), 1e-6);
    assert.equal(s.classification, 'declining');
    // Fitted 0.92 at day 0 and 0.92 − 4 × 0.1 = 0.52 at day 4.
    close(s.start_value, 0.92, 1e-6);
    close(s.end_value, 0.52, 1e-6);
    // Thirds of 2 days: (0.9 + 0.8) / 2 = 0.85 → (0.6 + 0.5) / 2 = 0.55: −0.3 / 0.85 = −35.29 % → −35.3.
    assert.equal(s.change_percent, -35.3);
    // Usage: ȳ = 30, Sxy = (−2)(−20) + (−1)(0) + 0 + (1)(20) + (2)(10) = 80 → slope 8, intercept 30 − 16 = 14;
    //   Syy = 400 + 0 + 100 + 400 + 100 = 1000, r² = 8 · 80 / 1000 = 0.64; SSres = 360, SE = sqrt(360/3/10) = sqrt(12)
    //   t² = 64 / 12 = 16/3 → u = 4/3, p = 1 − (2/π)(0.48 + atan(4/3)) = 0.1041 ≥ 0.05 → flat despite slope > 0
    const u = t.usage_trend;
    close(u.slope_per_bucket, 8, 1e-6);
    close(u.intercept, 14, 1e-6);
    assert.equal(u.r_squared, 0.64);
    close(u.p_value, 1 - (2 / Math.PI) * (0.48 + Math.atan(4 / 3)), 1e-4);
    close(u.p_value, 0.1041, 1e-4);
    assert.equal(u.classification, 'flat');
    // Fitted 14 at day 0 and 14 + 4 × 8 = 46 at day 4; thirds: (10 + 30) / 2 = 20 → (50 + 40) / 2 = 45: +125 %.
    assert.deepEqual([u.start_value, u.end_value, u.change_percent], [14, 46, 125]);
  });

  it('reports insufficient_data with fewer than 3 points and stable for a constant rate', () => {
    const two = skillTrend({ rows: [row(T0, 4, 2), row(T0 + H, 4, 3)], granularity: 'hour', fromMs: T0, toMs: T0 + 4 * H });
    assert.deepEqual(two.success_rate_trend, {
      slope_per_bucket: null,
      intercept: null,
      r_squared: null,
      n_points: 2,
      p_value: null,
      start_value: null,
      end_value: null,
      change_percent: null,
      change_note: 'fewer than 3 fitted buckets',
      classification: 'insufficient_data',
    });
    assert.equal(two.usage_trend.n_points, 4); // 4, 4, 0, 0 over all buckets
    const single = skillTrend({ rows: [], granularity: 'day', fromMs: T0, toMs: T0 + D });
    assert.equal(single.points.length, 1);
    assert.equal(single.usage_trend.classification, 'insufficient_data');

    // 9/10, 18/20, 27/30 are all exactly 0.9: slope 0, r² undefined, p 1 → stable.
    const flat = skillTrend({
      rows: [row(T0, 10, 9), row(T0 + H, 20, 18), row(T0 + 2 * H, 30, 27)],
      granularity: 'hour',
      fromMs: T0,
      toMs: T0 + 3 * H,
    });
    assert.deepEqual(flat.success_rate_trend, {
      slope_per_bucket: 0,
      intercept: 0.9,
      r_squared: null,
      n_points: 3,
      p_value: 1,
      start_value: 0.9,
      end_value: 0.9,
      change_percent: 0,
      change_note: null,
      classification: 'stable',
    });
  });

  it('averages durations over the measured invocations of each bucket', () => {
    // Hour 0: 4 invocations, 2 measured (1734 ms); hour 1: 2 typed activations only; hour 2: 3 measured (300 ms).
    const t = skillTrend({
      rows: [row(T0, 4, 4, 1734, 2), row(T0 + H, 2, 1, 0, 0), row(T0 + 2 * H, 3, 3, 300)],
      granularity: 'hour',
      fromMs: T0,
      toMs: T0 + 3 * H,
    });
    assert.deepEqual(
      t.points.map((p) => [p.invocations, p.success_rate, p.avg_duration_ms]),
      [
        [4, 1, 867], // 1734 / 2
        [2, 0.5, null], // counted, but no latency
        [3, 1, 100],
      ],
    );
    // Per day: 9 invocations, 2034 ms over 5 measured = 406.8.
    const d = skillTrend({
      rows: [row(T0, 4, 4, 1734, 2), row(T0 + H, 2, 1, 0, 0), row(T0 + 2 * H, 3, 3, 300)],
      granularity: 'day',
      fromMs: T0,
      toMs: T0 + D,
    });
    assert.deepEqual([d.points[0]!.invocations, d.points[0]!.avg_duration_ms], [9, 406.8]);
  });

  it('rejects bad input', () => {
    assert.throws(() => skillTrend({ rows: [], granularity: 'hour', fromMs: T0, toMs: T0 }), AppError);
    assert.throws(() => skillTrend({ rows: [], granularity: 'week' as 'day', fromMs: T0, toMs: T0 + D }), AppError);
    assert.throws(() => skillTrend({ rows: [], granularity: 'hour', fromMs: T0, toMs: T0 + 10_001 * H }), AppError);
    const mixed = [row(T0, 1, 1), { ...row(T0, 1, 1), skill: 'other' }];
    assert.throws(() => skillTrend({ rows: mixed, granularity: 'hour', fromMs: T0, toMs: T0 + H }), AppError);
  });
});

describe('fitLine', () => {
  it('fits y = 1 + 2x exactly', () => {
    const f = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
    close(f.slope, 2, 1e-12);
    close(f.intercept, 1, 1e-12);
    close(f.rSquared, 1, 1e-12);
    assert.equal(f.pValue < 1e-6, true);
  });
});

describe('fitChange', () => {
  it('clamps the fitted ends to the metric range', () => {
    // y = 1.2 − 0.3x over x = 0..2: 1.2 → clamped 1, 0.6.
    const r = fitChange({ intercept: 1.2, slope: -0.3 }, 0, 2, { min: 0, max: 1 });
    assert.equal(r.start, 1);
    close(r.end, 0.6, 1e-12);
    // y = −2 + 3x over x = 0..2 on a count: −2 → 0, 4.
    assert.deepEqual(fitChange({ intercept: -2, slope: 3 }, 0, 2, { min: 0, max: Infinity }), { start: 0, end: 4 });
  });
});

describe('thirdsChange', () => {
  it('compares the means of the first and the last ⌈n/3⌉ values', () => {
    // n = 3: single values, 2 → 3: +50 %.
    assert.deepEqual(thirdsChange([2, 100, 3]), { k: 1, first: 2, last: 3, changePercent: 50, note: null });
    // n = 7: thirds of 3, the middle value left out: (1 + 2 + 3) / 3 = 2 → (5 + 6 + 7) / 3 = 6: +200 %.
    assert.deepEqual(thirdsChange([1, 2, 3, 99, 5, 6, 7]), { k: 3, first: 2, last: 6, changePercent: 200, note: null });
    // A fall: 4 → 1, −75 %.
    assert.equal(thirdsChange([4, 4, 0, 1, 1]).changePercent, -75);
  });

  it('gives no percentage of a first third that averages 0, and says why', () => {
    const r = thirdsChange([0, 0, 0, 5, 9, 12]);
    assert.deepEqual([r.k, r.first, r.last, r.changePercent], [2, 0, 10.5, null]);
    assert.equal(r.note, 'the first third of the fitted buckets (2 of 6) averages 0: a change from 0 has no percentage');
    assert.throws(() => thirdsChange([]), AppError);
  });

  it('takes a late take-off from what it started at, not from the fitted line near 0', () => {
    // 7 days of usage 340, 340, 600, 1100, 1500, 2200, 2700 (the shape of seed-demo's `deploy`):
    // x̄ = 3, ȳ = 8780 / 7 = 1254.2857; Sxy = −3·340 − 2·340 − 600 + 1500 + 2·2200 + 3·2700 = 11700, Sxx = 28
    // → slope 417.857, intercept 1254.2857 − 1253.5714 = 0.714: a fitted start of 0.714 would make +351,000 %.
    // Thirds: (340 + 340 + 600) / 3 = 426.667 → (1500 + 2200 + 2700) / 3 = 2133.333: +400 %.
    const counts = [340, 340, 600, 1100, 1500, 2200, 2700];
    const rows = counts.map((n, d) => row(T0 + d * D + 9 * H, n, n));
    const u = skillTrend({ rows, granularity: 'day', fromMs: T0, toMs: T0 + 7 * D }).usage_trend;
    assert.equal(u.classification, 'rising');
    close(u.slope_per_bucket, 11700 / 28, 1e-6);
    close(u.start_value, 0.714286, 1e-6);
    assert.equal(u.change_percent, 400);
    assert.equal(u.change_note, null);
  });
});
