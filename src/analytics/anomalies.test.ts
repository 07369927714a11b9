import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { durationT, detectAnomalies, fisherExactTwoSidedP, proportionZ, twoProportionZ } from './anomalies.js';
import type { HourlyRollup } from './types.js';

const H = 3_600_000;
const NOW = Date.UTC(2025, 5, 1, 12); // 2025-06-01T12:00:00Z

/** One hourly row from explicit durations; the first `successes` invocations succeeded. */
function window(skill: string, hour: number, durations: number[], successes: number): HourlyRollup {
  return {
    skill,
    hour,
    invocations: durations.length,
    successes,
    timed: durations.length,
    durationSum: durations.reduce((a, b) => a + b, 0),
    durationSqSum: durations.reduce((a, b) => a + b * b, 0),
    lastAt: hour * H,
  };
}
const rep = (value: number, times: number): number[] => Array.from({ length: times }, () => value);

const RECENT_HOUR = NOW / H - 1;
const BASE_HOUR = NOW / H - 48;

// Baseline with mean 100 ms and sd exactly 10 ms: 12 × 90, 12 × 110, 1 × 100
// → Σ(x − 100)² = 24 × 100 = 2400, sample variance 2400 / 24 = 100.
const sd10Baseline = [...rep(90, 12), ...rep(110, 12), 100];

describe('detectAnomalies', () => {
  // flaky: baseline 90/100 succeed, recent 10/20. Durations constant 100 ms in both (no duration change: t = 0).
  //   pooled rate (10 + 90) / 120 = 5/6; z = (0.5 − 0.9) / sqrt(5/6 · 1/6 · (1/20 + 1/100))
  //   = −0.4 / sqrt(0.0083333) = −0.4 / 0.0912871 = −4.3818
  //   p = Fisher's exact, two-sided = 1.2024e-4 (scipy.stats.fisher_exact([[10, 10], [90, 10]]))
  // slow: baseline sd10Baseline (25, all succeed), recent 16 invocations 8 × 120 + 8 × 130 → mean 2000/16 = 125
  //   Σ(x − mean)²: recent 16 × 5² = 400, baseline 2400 → pooled variance 2800 / (16 + 25 − 2) = 71.795, s = 8.4732
  //   t = (125 − 100) / (8.4732 · sqrt(1/16 + 1/25)) = 25 / (8.4732 · 0.320156) = 25 / 2.71274 = 9.2158
  //   p = Student t(9.2158, df 16 − 1 = 15) = 1.45e-7
  // steady: baseline 45/50, 25 × 90 + 25 × 110; recent 9/10, 5 × 90 + 5 × 110 → equal rates and means: z = t = 0
  // Benjamini–Hochberg over the 6 tests at q = 0.005:
  //   1.45e-7 ≤ 1 × 0.005 / 6 ✓, 1.2024e-4 ≤ 2 × 0.005 / 6 = 1.67e-3 ✓, the other four (p = 1) ✗.
  // rare: only 3 recent invocations; fresh: no baseline at all.
  const recent = [
    window('flaky', RECENT_HOUR, rep(100, 20), 10),
    window('slow', RECENT_HOUR, [...rep(120, 8), ...rep(130, 8)], 16),
    window('steady', RECENT_HOUR, [...rep(90, 5), ...rep(110, 5)], 9),
    window('rare', RECENT_HOUR, rep(100, 3), 0),
    window('fresh', RECENT_HOUR, rep(100, 10), 10),
  ];
  const baseline = [
    // flaky's baseline split over two hours: 60 + 40 invocations, 54 + 36 successes
    window('flaky', BASE_HOUR, rep(100, 60), 54),
    window('flaky', BASE_HOUR + 1, rep(100, 40), 36),
    window('slow', BASE_HOUR, sd10Baseline, 25),
    window('steady', BASE_HOUR, [...rep(90, 25), ...rep(110, 25)], 45),
    window('rare', BASE_HOUR, rep(100, 100), 100),
  ];

  it('flags a failure spike and a slowdown, sorted by deviation, and nothing for a normal skill', () => {
    const r = detectAnomalies({ recent, baseline, threshold: 2, now: NOW });
    assert.equal(r.detected_at, '2025-06-01T12:00:00.000Z');
    assert.equal(r.critical_threshold, 3);
    assert.equal(r.skills_checked, 3); // flaky, slow, steady
    assert.deepEqual(r.anomalies, [
      {
        skill_name: 'slow',
        metric: 'duration',
        baseline_value: 100,
        observed_value: 125,
        deviation_score: 9.22,
        z_score: 9.22,
        direction: 'up',
        severity: 'critical', // 9.22 ≥ 1.5 × 2
        recent_invocations: 16,
        baseline_invocations: 25,
      },
      {
        skill_name: 'flaky',
        metric: 'success_rate',
        baseline_value: 0.9,
        observed_value: 0.5,
        deviation_score: 4.38,
        z_score: -4.38,
        direction: 'down',
        severity: 'critical', // 4.38 ≥ 3
        recent_invocations: 20,
        baseline_invocations: 100,
      },
    ]);
  });

  it('lists skills with too few invocations instead of dropping them', () => {
    const r = detectAnomalies({ recent, baseline, threshold: 2, now: NOW });
    assert.deepEqual(r.insufficient_data, [
      { skill_name: 'fresh', recent_invocations: 10, baseline_invocations: 0 },
      { skill_name: 'rare', recent_invocations: 3, baseline_invocations: 100 },
    ]);
    // Lowering the minimum lets 'rare' be checked: 0/3 vs 100/100 is a large drop
    // (z = −1 / sqrt(100/103 · 3/103 · (1/3 + 1/100)) = −10.15; Fisher p = 1 / C(103, 3) = 5.65e-6).
    const r2 = detectAnomalies({ recent, baseline, threshold: 2, now: NOW, minRecent: 3 });
    assert.ok(r2.anomalies.some((a) => a.skill_name === 'rare' && a.metric === 'success_rate'));
    assert.deepEqual(
      r2.insufficient_data.map((s) => s.skill_name),
      ['fresh'],
    );
  });

  it('puts the critical/warning boundary at exactly 1.5 × threshold and the warning boundary at threshold', () => {
    // Baseline 32 × 100 ms; recent 24 × 101 + 8 × 100 → mean 3224/32 = 100.75.
    // Σ(x − mean)² = 24 · 0.25² + 8 · 0.75² = 6 (baseline 0): pooled sd sqrt(6/62) = 0.31 → floor 1 ms;
    // t = 0.75 / (1 · sqrt(1/32 + 1/32)) = 0.75 / 0.25 = 3 exactly.
    const rec = [window('edge', RECENT_HOUR, [...rep(101, 24), ...rep(100, 8)], 32)];
    const base = [window('edge', BASE_HOUR, rep(100, 32), 32)];
    // At q = 0.05 the run's 2 tests need p ≤ 0.025: Student t(3, df 31) = 0.00529 is a discovery.
    const sev = (threshold: number) => detectAnomalies({ recent: rec, baseline: base, threshold, now: NOW, fdrQ: 0.05 }).anomalies.map((a) => a.severity);
    assert.deepEqual(sev(2), ['critical']); // 3 ≥ 1.5 × 2 = 3
    assert.deepEqual(sev(2.01), ['warning']); // 3 < 3.015, 3 ≥ 2.01
    assert.deepEqual(sev(3), ['warning']); // 3 ≥ 3
    assert.deepEqual(sev(3.01), []); // 3 < 3.01
    // At the default q = 0.005 the same deviation is no discovery: 0.00529 > 1 × 0.005 / 2.
    assert.deepEqual(detectAnomalies({ recent: rec, baseline: base, threshold: 2, now: NOW }).anomalies, []);
  });

  it('reports a deviation only when it is a Benjamini-Hochberg discovery across every test of the run', () => {
    // flaky alone (2 tests): success 12/20 vs 90/100 → z = (0.6 − 0.9) / sqrt(0.85 · 0.15 · 0.06) = −3.43,
    // Fisher's exact p = 0.0023348 (scipy.stats.fisher_exact([[12, 8], [90, 10]])); duration t = 0 (p 1).
    // Alone it is a discovery at q = 0.005: 0.0023348 ≤ 1 × 0.005 / 2 = 0.0025.
    // Add 30 steady skills (60 more tests, all p = 1): m = 62, flaky needs p ≤ 0.005 / 62 = 8.06e-5.
    const flakyRecent = [window('flaky', RECENT_HOUR, rep(100, 20), 12)];
    const flakyBase = [window('flaky', BASE_HOUR, rep(100, 100), 90)];
    const alone = detectAnomalies({ recent: flakyRecent, baseline: flakyBase, threshold: 2, now: NOW });
    assert.equal(alone.tests, 2);
    assert.deepEqual(
      alone.anomalies.map((a) => [a.skill_name, a.metric]),
      [['flaky', 'success_rate']],
    );
    const steadyR = Array.from({ length: 30 }, (_, i) => window(`s${i}`, RECENT_HOUR, rep(100, 10), 9));
    const steadyB = Array.from({ length: 30 }, (_, i) => window(`s${i}`, BASE_HOUR, rep(100, 50), 45));
    const crowd = detectAnomalies({ recent: [...flakyRecent, ...steadyR], baseline: [...flakyBase, ...steadyB], threshold: 2, now: NOW });
    assert.equal(crowd.tests, 62);
    // 0.0023348 > 8.06e-5: no longer a discovery among 62 tests.
    assert.deepEqual(crowd.anomalies, []);
  });

  it('needs no variance floor for rates of 0 or 1, and floors the pooled duration sd at 1 ms', () => {
    // One-sample z (community comparison, baselines.ts): baseline 40/40 → p clamped to 1 − 0.5/40 = 0.9875.
    //   z = (0.8 − 1) / sqrt(0.9875 · 0.0125 / 10) = −0.2 / 0.0351337 = −5.6925
    assert.ok(Math.abs(proportionZ(8 / 10, 10, 1, 40) - -5.692545) < 1e-5);
    // Two-proportion z (anomalies): 8/10 vs 40/40 → pooled 48/50 = 0.96;
    //   z = −0.2 / sqrt(0.96 · 0.04 · (1/10 + 1/40)) = −0.2 / sqrt(0.0048) = −2.886751
    assert.ok(Math.abs(twoProportionZ(8, 10, 40, 40) - -2.886751) < 1e-6);
    // All succeeded (or all failed) in both windows: equal rates, z = 0, p = 1.
    assert.equal(twoProportionZ(10, 10, 40, 40), 0);
    assert.equal(twoProportionZ(0, 10, 0, 40), 0);
    assert.equal(fisherExactTwoSidedP(10, 10, 40, 40), 1);
    // Constant 100 ms baseline (n = 80), recent constant 101 ms (n = 20): pooled sd 0 → floor 1 ms;
    //   t = (101 − 100) / (1 · sqrt(1/20 + 1/80)) = 1 / 0.25 = 4; p = Student t(4, df 19) = 7.66e-4 ≤ 0.005 / 2.
    const r = detectAnomalies({
      recent: [window('c', RECENT_HOUR, rep(101, 20), 20)],
      baseline: [window('c', BASE_HOUR, rep(100, 80), 80)],
      threshold: 2,
      now: NOW,
    });
    assert.equal(r.anomalies.length, 1);
    assert.equal(r.anomalies[0]!.metric, 'duration');
    assert.equal(r.anomalies[0]!.z_score, 4);
  });

  it("gives Fisher's exact two-sided p-values (checked against scipy.stats.fisher_exact)", () => {
    const close = (actual: number, expected: number) => assert.ok(Math.abs(actual / expected - 1) < 1e-9, `${actual} vs ${expected}`);
    // Arguments: recent successes, recent n, baseline successes, baseline n.
    close(fisherExactTwoSidedP(3, 10, 9, 10), 0.019766611097880443);
    close(fisherExactTwoSidedP(12, 20, 90, 100), 0.0023347743175178106);
    close(fisherExactTwoSidedP(500, 1000, 600, 1000), 8.453719674485626e-6);
    close(fisherExactTwoSidedP(0, 50, 40, 60), 2.7131258306396233e-15);
    // One recent failure against 40/40: P(X = 0) = 1/41, the only table as unlikely.
    close(fisherExactTwoSidedP(0, 1, 40, 40), 1 / 41);
    // Symmetric table: the mirrored tables tie and count, p = 1.
    assert.equal(fisherExactTwoSidedP(5, 10, 5, 10), 1);
  });

  it('does not report a same-distribution window that the one-sample z flagged (the audit case, in small)', () => {
    // 40 baseline and 36 recent durations, all drawn from one log-normal (median 8000 ms, σ 0.5;
    // numpy default_rng(451), rounded to ms): the recent mean is high by chance and its spread wide.
    const baseDur = [
      10519, 4924, 8851, 9066, 6175, 6041, 10308, 3348, 4077, 8774, 11817, 11059, 7167, 5785, 7313, 10257, 5942, 7109, 9707, 4613, 9252, 11641, 3678, 8448,
      9127, 8668, 6065, 9612, 5881, 10087, 12038, 5037, 4475, 7576, 5414, 7941, 9566, 10276, 3438, 7532,
    ];
    const recentDur = [
      5859, 21575, 14563, 9892, 17511, 3403, 18329, 12086, 11169, 7551, 9016, 9642, 6133, 3613, 7819, 3456, 9424, 8879, 11547, 6595, 7669, 3369, 16218, 5548,
      15880, 11535, 10282, 15943, 5635, 10373, 6807, 5219, 18685, 11508, 11126, 5793,
    ];
    // Sums: baseline n 40, Σx 308604, Σx² 2623619054 → mean 7715.1, variance 6223290.6 (sd 2494.65);
    //       recent n 36, Σx 359652, Σx² 4395157220 → mean 9990.33, variance 22917538.7 (sd 4787.23).
    // Old one-sample z = 2275.23 / (2494.65 / 6) = 5.47 → critical, p = Student t(5.47, df 35) = 3.8e-6, a discovery.
    // Pooled: s² = (35 · 22917538.7 + 39 · 6223290.6) / 74 = 14119218.8, s = 3757.55;
    //   t = 2275.23 / (3757.55 · sqrt(1/36 + 1/40)) = 2275.23 / 863.239 = 2.6357 (scipy.stats.ttest_ind 2.635694)
    //   p = Student t(2.6357, df 35) = 0.0124 > 1 × 0.005 / 2: no discovery.
    const rec = [window('changelog', RECENT_HOUR, recentDur, 36)];
    const base = [window('changelog', BASE_HOUR, baseDur, 40)];
    const oldZ = (recentDur.reduce((a, b) => a + b, 0) / 36 - 7715.1) / (2494.6524 / 6);
    assert.ok(oldZ > 5.47 && oldZ < 5.48);
    const d = durationT(
      { n: 36, successes: 36, timed: 36, durationSum: 359652, durationSqSum: 4395157220 },
      { n: 40, successes: 40, timed: 40, durationSum: 308604, durationSqSum: 2623619054 },
    );
    assert.ok(Math.abs(d.t - 2.635694424) < 1e-6);
    assert.equal(d.df, 35);
    const r = detectAnomalies({ recent: rec, baseline: base, threshold: 2, now: NOW });
    assert.equal(r.tests, 2);
    assert.deepEqual(r.anomalies, []);

    // A real slowdown of the same skill is still found: the same recent draws × 1.5 (rounded half up to ms),
    //   Σx 539490, Σx² 9889457112 → mean 14985.83; t = 6.0167 (scipy.stats.ttest_ind), p(df 35) = 7.3e-7.
    const slower = recentDur.map((x) => Math.round(x * 1.5));
    const r2 = detectAnomalies({ recent: [window('changelog', RECENT_HOUR, slower, 36)], baseline: base, threshold: 2, now: NOW });
    assert.deepEqual(
      r2.anomalies.map((a) => [a.metric, a.baseline_value, a.observed_value, a.z_score, a.direction, a.severity]),
      [['duration', 7715.1, 14985.8, 6.02, 'up', 'critical']],
    );
  });

  it('handles a recent window of one invocation (minRecent = 1)', () => {
    // One recent duration has no spread: s_pool = s_base = 10 (sd10Baseline) and df = 0, so p = 1.
    //   t = (130 − 100) / (10 · sqrt(1 + 1/25)) = 30 / 10.19804 = 2.94174
    const one = { n: 1, successes: 0, timed: 1, durationSum: 130, durationSqSum: 130 * 130 };
    const sd10 = { n: 25, successes: 25, timed: 25, durationSum: 2500, durationSqSum: sd10Baseline.reduce((a, b) => a + b * b, 0) };
    const d = durationT(one, sd10);
    assert.ok(Math.abs(d.t - 2.94174) < 1e-5);
    assert.equal(d.df, 0);
    // One invocation in each window: nothing estimates the spread (floor 1 ms), df 0.
    assert.deepEqual(durationT(one, { n: 1, successes: 1, timed: 1, durationSum: 100, durationSqSum: 10_000 }).df, 0);
    // detectAnomalies with minRecent = 1, at q = 0.1 (2 tests: rank 1 needs p ≤ 0.05):
    //   success 0/1 vs 25/25: z = −1 / sqrt(25/26 · 1/26 · (1 + 1/25)) = −sqrt(26) = −5.10,
    //   Fisher p = P(X = 0) = 1/26 = 0.0385 → reported; duration |t| 2.94 ≥ 2 but p = 1 → never.
    const r = detectAnomalies({
      recent: [window('once', RECENT_HOUR, [130], 0)],
      baseline: [window('once', BASE_HOUR, sd10Baseline, 25)],
      threshold: 2,
      now: NOW,
      minRecent: 1,
      fdrQ: 0.1,
    });
    assert.deepEqual(
      r.anomalies.map((a) => [a.metric, a.z_score]),
      [['success_rate', -5.1]],
    );
  });

  it('tests durations over the measured invocations only, when they alone reach the minimum counts', () => {
    // Recent: 6 invocations, 2 measured (100, 110 ms) and 4 typed (stored as 0 ms, not measured); baseline sd10Baseline.
    //   mean_recent = 210 / 2 = 105 (not 210 / 6 = 35), s_recent^2 = 50; mean_base = 100, s_base^2 = 100;
    //   s_pool^2 = (1 · 50 + 24 · 100) / 25 = 98; t = 5 / (sqrt(98) · sqrt(1/2 + 1/25)) = 0.687322, df = 2 − 1 = 1.
    const recentRow = { ...window('mixed', RECENT_HOUR, [100, 110], 6), invocations: 6 };
    const baseRow = window('mixed', BASE_HOUR, sd10Baseline, 25);
    const d = durationT(
      { n: 6, successes: 6, timed: 2, durationSum: 210, durationSqSum: 100 ** 2 + 110 ** 2 },
      { n: 25, successes: 25, timed: 25, durationSum: 2500, durationSqSum: sd10Baseline.reduce((a, b) => a + b * b, 0) },
    );
    assert.ok(Math.abs(d.t - 0.687322) < 1e-6, String(d.t));
    assert.deepEqual([d.df, d.meanRecent, d.meanBase], [1, 105, 100]);
    // 6 recent invocations reach minRecent 5, their 2 measured durations do not: only the success rate is tested.
    const r = detectAnomalies({ recent: [recentRow], baseline: [baseRow], threshold: 2, now: NOW });
    assert.deepEqual([r.skills_checked, r.tests], [1, 1]);
    // With minRecent 2 the durations are tested too (and are no anomaly: t 0.69).
    const r2 = detectAnomalies({ recent: [recentRow], baseline: [baseRow], threshold: 2, now: NOW, minRecent: 2 });
    assert.deepEqual([r2.tests, r2.anomalies.length], [2, 0]);
  });

  it('rejects bad parameters', () => {
    assert.throws(() => detectAnomalies({ recent, baseline, threshold: 0, now: NOW }), AppError);
    assert.throws(() => detectAnomalies({ recent, baseline, threshold: 2, now: NOW, minRecent: 0 }), AppError);
    assert.throws(() => detectAnomalies({ recent, baseline, threshold: 2, now: NOW, minBaseline: 2.5 }), AppError);
  });
});
