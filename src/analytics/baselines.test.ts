import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.js';
import { compareUserToCommunity, computeCommunityBaselines, wilsonLowerBound } from './baselines.js';
import type { SkillTotals, UserSkillStat } from './types.js';

const NOW = Date.UTC(2025, 6, 1); // 2025-07-01T00:00:00Z

function totals(skill: string, invocations: number, successes: number, meanMs: number, users = 3, timed = invocations): SkillTotals {
  return {
    skill,
    category: null,
    modality: null,
    invocations,
    successes,
    timed,
    durationSum: meanMs * timed,
    durationSqSum: 0,
    sessions: 1,
    users,
    firstAt: 0,
    lastAt: NOW,
  };
}

describe('wilsonLowerBound', () => {
  it('matches hand-computed bounds', () => {
    // 10/10: p = 1 → (1 + 3.8416/20 − 1.96 · sqrt(3.8416/400)) / (1 + 0.38416) = (1.19208 − 0.19208) / 1.38416 = 0.72246
    assert.ok(Math.abs(wilsonLowerBound(10, 10) - 0.72246) < 1e-5);
    // 95/100: (0.95 + 0.019208 − 1.96 · sqrt(0.000475 + 0.00009604)) / 1.038416 = 0.88825
    assert.ok(Math.abs(wilsonLowerBound(95, 100) - 0.88825) < 1e-5);
    assert.equal(wilsonLowerBound(0, 0), 0);
  });
});

describe('computeCommunityBaselines', () => {
  it('ranks four skills by Wilson score, ties by lower mean duration, and computes percentiles', () => {
    // Scores: A 95/100 → 0.8882 (200 ms), C 95/100 → 0.8882 (150 ms, faster), B 10/10 → 0.7225, D 50/100 → 0.4038.
    // Ranking C > A > B > D. Percentile = 100 × #(ranked at or below, incl. itself) / 4:
    //   C: all 4 → 100; A: A, B, D → 75 (C ties on score but is faster, so it is above A); B: B, D → 50; D → 25.
    // B has the highest raw rate (1.0) but the smallest sample, so it ranks below A and C.
    const r = computeCommunityBaselines({
      totals: [totals('A', 100, 95, 200), totals('B', 10, 10, 100), totals('C', 100, 95, 150), totals('D', 100, 50, 50), totals('unused', 0, 0, 0)],
      histograms: [
        { skill: 'A', buckets: [{ bucket: 346, count: 12 }] },
        { skill: 'A', buckets: [{ bucket: 346, count: 8 }] },
      ],
      now: NOW,
    });
    assert.equal(r.computed_at, '2025-07-01T00:00:00.000Z');
    assert.deepEqual(
      r.skills.map((s) => [s.skill_name, s.effectiveness_percentile]),
      [
        ['C', 100],
        ['A', 75],
        ['B', 50],
        ['D', 25],
      ],
    );
    const a = r.skills[1]!;
    assert.equal(a.success_rate, 0.95);
    assert.equal(a.mean_duration_ms, 200);
    assert.equal(a.effectiveness_score, 0.8882);
    assert.equal(a.users, 3);
    // Bucket 346 = (992.503, 1012.554] holds all 20: p50 and p95 are its value 2 × 1.0202^346 / 2.0202 = 1002.428 → 1002.4
    assert.equal(a.p50_duration_ms, 1002.4);
    assert.equal(a.p95_duration_ms, 1002.4);
    assert.equal(r.skills[0]!.p50_duration_ms, null); // no histogram for C
  });

  it('takes the mean over the measured invocations; a skill with none has no mean and ranks as slowest on a tie', () => {
    // E: 10/10, 4 measured at 250 ms (sum 1000) and 6 typed: mean 1000 / 4 = 250, not 100.
    // F: 10/10, only typed: no mean; same Wilson score as E, so it ranks below E (no duration counts as slowest).
    const r = computeCommunityBaselines({ totals: [totals('E', 10, 10, 250, 3, 4), totals('F', 10, 10, 0, 3, 0)], histograms: [], now: NOW });
    assert.deepEqual(
      r.skills.map((s) => [s.skill_name, s.mean_duration_ms, s.p50_duration_ms, s.effectiveness_percentile]),
      [
        ['E', 250, null, 100],
        ['F', null, null, 50],
      ],
    );
  });

  it('gives exact ties the same percentile', () => {
    // A and E identical (95/100, 200 ms): each counts the other. 5 skills:
    //   C 5/5 = 100; A, E: {A, E, B, D} = 4/5 = 80; B 2/5 = 40; D 1/5 = 20.
    const r = computeCommunityBaselines({
      totals: [totals('A', 100, 95, 200), totals('B', 10, 10, 100), totals('C', 100, 95, 150), totals('D', 100, 50, 50), totals('E', 100, 95, 200)],
      histograms: [],
      now: NOW,
    });
    assert.deepEqual(
      r.skills.map((s) => [s.skill_name, s.effectiveness_percentile]),
      [
        ['C', 100],
        ['A', 80],
        ['E', 80],
        ['B', 40],
        ['D', 20],
      ],
    );
  });
});

describe('compareUserToCommunity', () => {
  const baselines = [
    { skill_name: 'build', invocations: 1000, users: 10, success_rate: 0.8 },
    { skill_name: 'deploy', invocations: 1000, users: 10, success_rate: 0.8 },
    { skill_name: 'lint', invocations: 1000, users: 10, success_rate: 0.8 },
    { skill_name: 'solo', invocations: 100, users: 1, success_rate: 0.5 },
    { skill_name: 'tiny', invocations: 1000, users: 10, success_rate: 0.8 },
  ];
  const stat = (skill: string, invocations: number, successes: number): UserSkillStat => ({
    user: 'u1',
    skill,
    invocations,
    successes,
    lastAt: NOW,
  });

  it('labels by the binomial z against the community rate', () => {
    // SE with community rate 0.8 and 50 user invocations: sqrt(0.8 · 0.2 / 50) = 0.056569
    //   build 30/50 = 0.6 → z = −0.2 / 0.056569 = −3.54 → below
    //   deploy 49/50 = 0.98 → z = 0.18 / 0.056569 = 3.18 → above
    //   lint 42/50 = 0.84 → z = 0.04 / 0.056569 = 0.71 → typical
    //   tiny 3/4: fewer than 5 invocations; solo: one user only; mystery: no baseline → insufficient_data
    const r = compareUserToCommunity({
      userStats: [stat('build', 50, 30), stat('deploy', 50, 49), stat('lint', 50, 42), stat('tiny', 4, 3), stat('solo', 20, 10), stat('mystery', 6, 6)],
      baselines,
    });
    assert.deepEqual(
      r.skills.map((s) => [s.skill_name, s.label, s.z_score]),
      [
        ['build', 'below', -3.54],
        ['deploy', 'above', 3.18],
        ['lint', 'typical', 0.71],
        ['solo', 'insufficient_data', null],
        ['mystery', 'insufficient_data', null],
        ['tiny', 'insufficient_data', null],
      ],
    );
    assert.deepEqual(r.skills[0], {
      skill_name: 'build',
      user_invocations: 50,
      user_successes: 30,
      user_success_rate: 0.6,
      community_success_rate: 0.8,
      community_invocations: 1000,
      community_users: 10,
      difference: -0.2,
      z_score: -3.54,
      label: 'below',
      reason: null,
    });
    const tiny = r.skills.find((s) => s.skill_name === 'tiny')!;
    assert.equal(tiny.difference, -0.05); // 0.75 − 0.8, shown even without a label
    const mystery = r.skills.find((s) => s.skill_name === 'mystery')!;
    assert.equal(mystery.community_success_rate, null);
    assert.equal(mystery.difference, null);
    assert.deepEqual(r.summary, { above: 1, typical: 1, below: 1, insufficient_data: 3 });
    assert.deepEqual(
      r.skills.filter((s) => s.label === 'insufficient_data').map((s) => [s.skill_name, s.reason]),
      [
        ['solo', 'fewer than 2 users used this skill (no community to compare with)'],
        ['mystery', 'no community baseline for this skill'],
        ['tiny', 'fewer than 5 invocations by this user'],
      ],
    );
    // k = 1 (the default) withholds nothing.
    assert.equal(r.withheld, 0);
    assert.doesNotMatch(r.rule, /withheld/);
  });

  it('gives no community figures for a skill fewer than k users used, and says why', () => {
    const r = compareUserToCommunity({
      userStats: [stat('build', 50, 30), stat('solo', 20, 10), stat('mystery', 6, 6)],
      baselines: [...baselines, { skill_name: 'pair', invocations: 40, users: 9, success_rate: 0.5 }],
      communityMinUsers: 10,
    });
    const by = new Map(r.skills.map((s) => [s.skill_name, s]));
    // build: 10 users = k: compared as before.
    assert.deepEqual([by.get('build')!.community_success_rate, by.get('build')!.label], [0.8, 'below']);
    // solo: 1 user < k: withheld, none of its figures given.
    assert.deepEqual(by.get('solo'), {
      skill_name: 'solo',
      user_invocations: 20,
      user_successes: 10,
      user_success_rate: 0.5,
      community_success_rate: null,
      community_invocations: null,
      community_users: null,
      difference: null,
      z_score: null,
      label: 'insufficient_data',
      reason: 'community figures withheld: fewer than 10 users used this skill',
    });
    assert.equal(by.get('mystery')!.reason, 'no community baseline for this skill');
    assert.equal(r.withheld, 1);
    assert.deepEqual(r.summary, { above: 0, typical: 0, below: 1, insufficient_data: 2 });
    assert.match(r.rule, /fewer than 10 users \(community_min_users\) used has no community figures/);
    // 9 users with k = 10 is withheld too; with k = 9 it is shown.
    const pair = (k: number) =>
      compareUserToCommunity({
        userStats: [stat('pair', 10, 5)],
        baselines: [{ skill_name: 'pair', invocations: 40, users: 9, success_rate: 0.5 }],
        communityMinUsers: k,
      }).skills[0]!;
    assert.equal(pair(10).community_users, null);
    assert.deepEqual([pair(9).community_users, pair(9).label], [9, 'typical']);
  });

  it('rejects stats of several users', () => {
    assert.throws(() => compareUserToCommunity({ userStats: [stat('a', 5, 5), { ...stat('b', 5, 5), user: 'u2' }], baselines }), AppError);
  });
});
