import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { detectAnomalies, proportionZ } from './anomalies.js';
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
  // flaky: baseline 90/100 succeed, recent 12/20. Durations constant 100 ms in both (no duration change).
  //   z = (0.6 − 0.9) / sqrt(0.9 · 0.1 / 20) = −0.3 / sqrt(0.0045) = −sqrt(20) = −4.4721
  //   p = 2 · P(X ≤ 12 | 20, 0.9) = 8.31e-4 (exact binomial)
  // slow: baseline sd10Baseline (all succeed), recent 16 invocations 8 × 100 + 8 × 125 → mean 1800/16 = 112.5
  //   z = (112.5 − 100) / (10 / sqrt(16)) = 12.5 / 2.5 = 5
  // steady: baseline 45/50, 25 × 90 + 25 × 110; recent 9/10, 5 × 90 + 5 × 110 → both z = 0
  // slow's p = Student t(5, df 15) = 1.6e-4. Benjamini–Hochberg over the 6 tests at q = 0.005:
  //   1.6e-4 ≤ 1 × 0.005 / 6 ✓, 8.31e-4 ≤ 2 × 0.005 / 6 = 1.67e-3 ✓, the other four (p = 1) ✗.
  // rare: only 3 recent invocations; fresh: no baseline at all.
  const recent = [
    window('flaky', RECENT_HOUR, rep(100, 20), 12),
    window('slow', RECENT_HOUR, [...rep(100, 8), ...rep(125, 8)], 16),
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
        observed_value: 112.5,
        deviation_score: 5,
        z_score: 5,
        direction: 'up',
        severity: 'critical', // 5 ≥ 1.5 × 2
        recent_invocations: 16,
        baseline_invocations: 25,
      },
      {
        skill_name: 'flaky',
        metric: 'success_rate',
        baseline_value: 0.9,
        observed_value: 0.6,
        deviation_score: 4.47,
        z_score: -4.47,
        direction: 'down',
        severity: 'critical', // 4.47 ≥ 3
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
    // Lowering the minimum lets 'rare' be checked: 0/3 vs 100/100 is a large drop.
    const r2 = detectAnomalies({ recent, baseline, threshold: 2, now: NOW, minRecent: 3 });
    assert.ok(r2.anomalies.some((a) => a.skill_name === 'rare' && a.metric === 'success_rate'));
    assert.deepEqual(
      r2.insufficient_data.map((s) => s.skill_name),
      ['fresh'],
    );
  });

  it('puts the critical/warning boundary at exactly 1.5 × threshold and the warning boundary at threshold', () => {
    // Recent 16 invocations 8 × 100 + 8 × 115 → mean 1720/16 = 107.5; z = 7.5 / (10/4) = 3 exactly.
    const rec = [window('edge', RECENT_HOUR, [...rep(100, 8), ...rep(115, 8)], 16)];
    const base = [window('edge', BASE_HOUR, sd10Baseline, 25)];
    // At q = 0.05 the run's 2 tests need p ≤ 0.025: Student t(3, df 15) = 0.00897 is a discovery.
    const sev = (threshold: number) => detectAnomalies({ recent: rec, baseline: base, threshold, now: NOW, fdrQ: 0.05 }).anomalies.map((a) => a.severity);
    assert.deepEqual(sev(2), ['critical']); // 3 ≥ 1.5 × 2 = 3
    assert.deepEqual(sev(2.01), ['warning']); // 3 < 3.015, 3 ≥ 2.01
    assert.deepEqual(sev(3), ['warning']); // 3 ≥ 3
    assert.deepEqual(sev(3.01), []); // 3 < 3.01
    // At the default q = 0.005 the same deviation is no discovery: 0.00897 > 1 × 0.005 / 2.
    assert.deepEqual(detectAnomalies({ recent: rec, baseline: base, threshold: 2, now: NOW }).anomalies, []);
  });

  it('reports a deviation only when it is a Benjamini-Hochberg discovery across every test of the run', () => {
    // flaky alone (2 tests): success 12/20 vs 0.9 → exact binomial 2 · P(X ≤ 12 | 20, 0.9); duration z = 0 (p 1).
    // Alone it is a discovery at q = 0.005: 8.31e-4 (below) ≤ 1 × 0.005 / 2 = 0.0025.
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
    // 2 · P(X ≤ 12 | 20, 0.9) = 2 · 4.156e-4 = 8.31e-4 > 8.06e-5: no longer a discovery among 62 tests.
    assert.deepEqual(crowd.anomalies, []);
  });

  it('floors the variance when the baseline rate is 1 or the baseline durations do not vary', () => {
    // Baseline 40/40 → p clamped to 1 − 0.5/40 = 0.9875.
    //   z = (0.8 − 1) / sqrt(0.9875 · 0.0125 / 10) = −0.2 / 0.0351337 = −5.6925
    const z = proportionZ(8 / 10, 10, 1, 40);
    assert.ok(Math.abs(z - -5.692545) < 1e-5);
    // Constant 100 ms baseline (sd 0 → floor 1 ms), recent constant 101 ms, n = 9:
    //   z = (101 − 100) / (1 / 3) = 3
    // (q = 0.05: Student t(3, df 8) = 0.0171 ≤ 0.025 is a discovery among the 2 tests.)
    const r = detectAnomalies({
      recent: [window('c', RECENT_HOUR, rep(101, 9), 9)],
      baseline: [window('c', BASE_HOUR, rep(100, 30), 30)],
      threshold: 2,
      now: NOW,
      fdrQ: 0.05,
    });
    assert.equal(r.anomalies.length, 1);
    assert.equal(r.anomalies[0]!.metric, 'duration');
    assert.ok(Math.abs(r.anomalies[0]!.z_score - 3) < 1e-9);
  });

  it('rejects bad parameters', () => {
    assert.throws(() => detectAnomalies({ recent, baseline, threshold: 0, now: NOW }), AppError);
    assert.throws(() => detectAnomalies({ recent, baseline, threshold: 2, now: NOW, minRecent: 0 }), AppError);
    assert.throws(() => detectAnomalies({ recent, baseline, threshold: 2, now: NOW, minBaseline: 2.5 }), AppError);
  });
});
