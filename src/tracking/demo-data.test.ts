/**
 * The demo shows the product: the recent hours are the busiest and the two
 * injected anomalies sit in the last hours, where a server started right
 * after seeding looks (dashboard window, scheduled detection).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR_MS } from '../analytics/types.js';
import { createTestApp } from '../testing/harness.js';
import { callCost } from '../analytics/model-prices.js';
import { shippedPriceTable } from '../capture/model-price-file.js';
import {
  createDemoCostGenerator,
  DEMO_ANOMALY_HOURS,
  DEMO_FAILING_SKILL,
  DEMO_SLOW_SKILL,
  DEMO_UNPRICED_MODEL,
  DEMO_UNPRICED_SKILL,
  demoDedupeKey,
  generateDemoInvocations,
} from './demo-data.js';
import type { InvocationInput } from './invocation-input.js';

const NOW = Date.UTC(2026, 10, 30, 10, 30);
const N = 20_000;
const rows: InvocationInput[] = [...generateDemoInvocations({ invocations: N, now: NOW })].flat();
const at = (r: InvocationInput) => r.invoked_at as number;
const share = (from: number, to: number) => rows.filter((r) => at(r) >= from && at(r) < to).length / rows.length;

describe('demo data', () => {
  it('makes the recent hours the busiest', () => {
    assert.equal(rows.length, N);
    assert.ok(
      rows.every((r) => at(r) <= NOW),
      'nothing in the future',
    );
    // Session ends: 70 % exponential with mean 48 h, 30 % uniform over 30 days.
    // Last 24 h: 0.7 · (1 − e^(−0.5)) + 0.3 · 24/720 = 0.7 · 0.3935 + 0.01 = 0.285 (rows trail their session end by ≤ 80 min).
    const day = share(NOW - 24 * HOUR_MS, NOW + 1);
    assert.ok(day > 0.24 && day < 0.33, `share of the last 24 h: ${day}`);
    // Last 3 h: 0.7 · (1 − e^(−3/48)) + 0.3 · 3/720 = 0.0437. The day a week earlier (7–8 days ago):
    // 0.7 · (e^(−168/48) − e^(−192/48)) + 0.3 · 24/720 = 0.0183, i.e. 0.0023 per 3 hours: the recent hours
    // are about 19 times busier (asserted: more than 5 times; rows come in sessions of up to 40, so shares are lumpy).
    const last3 = share(NOW - 3 * HOUR_MS, NOW + 1);
    const weekAgoPer3h = share(NOW - 192 * HOUR_MS, NOW - 168 * HOUR_MS) / 8;
    assert.ok(last3 > 0.03 && last3 < 0.06, `share of the last 3 h: ${last3}`);
    assert.ok(last3 > 5 * weekAgoPer3h, `last 3 h ${last3} vs 3 h a week before ${weekAgoPer3h}`);
    // The most recent hour holds data (the dashboard's default window is not empty).
    assert.ok(share(NOW - HOUR_MS, NOW + 1) > 0.01);
  });

  it('gives skill activations their trigger: about 12 % typed (no duration, a third after a miss), the rest model', () => {
    const skills = rows.filter((r) => r.skill_name.startsWith('skill:'));
    const typed = skills.filter((r) => r.trigger === 'typed');
    assert.ok(skills.length > 200, String(skills.length));
    assert.ok(skills.every((r) => r.trigger === 'typed' || r.trigger === 'model'));
    assert.ok(rows.every((r) => r.skill_name.startsWith('skill:') || r.trigger === undefined));
    // Binomial(n, 0.12): within 4 standard deviations.
    const sd = Math.sqrt(skills.length * 0.12 * 0.88);
    assert.ok(Math.abs(typed.length - 0.12 * skills.length) < 4 * sd, `${typed.length} of ${skills.length}`);
    assert.ok(typed.every((r) => r.duration_ms === 0 && r.completed && r.error_type === null));
    const misses = typed.filter((r) => r.slash_after_miss === true).length;
    assert.ok(misses > 0 && misses < typed.length, `${misses} of ${typed.length}`);
    assert.ok(rows.every((r) => r.slash_after_miss === undefined || r.trigger === 'typed'));
  });

  it('puts the injected anomalies in the last hours, and only there', () => {
    const start = NOW - DEMO_ANOMALY_HOURS * HOUR_MS;
    const of = (skill: string, from: number, to: number) => rows.filter((r) => r.skill_name === skill && at(r) >= from && at(r) < to);
    const failing = of(DEMO_FAILING_SKILL, start, NOW + 1);
    const failingBefore = of(DEMO_FAILING_SKILL, NOW - 7 * 24 * HOUR_MS, start);
    const rate = (rs: InvocationInput[]) => rs.filter((r) => r.completed).length / rs.length;
    assert.ok(failing.length >= 40, `${failing.length} ${DEMO_FAILING_SKILL} rows in the anomaly hours`);
    assert.ok(rate(failing) < 0.35, `success rate ${rate(failing)} (generated at 0.2)`);
    assert.ok(rate(failingBefore) > 0.88, `success rate before ${rate(failingBefore)} (generated at 0.93)`);
    const slow = of(DEMO_SLOW_SKILL, start, NOW + 1);
    const slowBefore = of(DEMO_SLOW_SKILL, NOW - 7 * 24 * HOUR_MS, start);
    const mean = (rs: InvocationInput[]) => rs.reduce((a, r) => a + r.duration_ms, 0) / rs.length;
    assert.ok(slow.length >= 20, `${slow.length} ${DEMO_SLOW_SKILL} rows in the anomaly hours`);
    const ratio = mean(slow) / mean(slowBefore);
    assert.ok(ratio > 3.5 && ratio < 7, `mean duration ratio ${ratio} (generated at 5x)`);
  });

  it('is what the scheduled detection finds: both anomalies, critical, in its 3-hour window', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      await app.tracker.trackBatch(rows);
      const run = await app.anomalies.run({ threshold: 2, timeWindowHours: 3, baselineDays: 7 });
      const found = run.report.anomalies.map((a) => [a.skill_name, a.metric, a.direction, a.severity]);
      assert.deepEqual(found.filter(([s]) => s === DEMO_FAILING_SKILL || s === DEMO_SLOW_SKILL).sort(), [
        [DEMO_FAILING_SKILL, 'success_rate', 'down', 'critical'],
        [DEMO_SLOW_SKILL, 'duration', 'up', 'critical'],
      ]);
      assert.equal(found.length, 2, `nothing else: ${JSON.stringify(found)}`);
    } finally {
      await app.dispose();
    }
  });

  it('gives the Skill invocations synthetic token costs under both attributions, stamped overstating', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      const prices = shippedPriceTable();
      const chunks = [...generateDemoInvocations({ invocations: 5_000, now: NOW, seed: 7 }, 1_000)];
      const costs = createDemoCostGenerator(7, { prices, hashUser: app.hashUser });
      const usage = chunks.flatMap((c) => costs(c));
      // Same seed, same rows (a fresh generator over the same chunks).
      assert.deepEqual(chunks.flatMap(createDemoCostGenerator(7, { prices, hashUser: app.hashUser })), usage);
      const skillRuns = chunks.flat().filter((r) => r.skill_name.startsWith('skill:')).length;
      assert.ok(skillRuns > 0, 'the demo has Skill invocations');
      assert.ok(usage.every((u) => u.skill.startsWith('skill:')));
      // Every cost is the pricing function's, null exactly for the unpriced model.
      for (const u of usage) {
        const t = { input: u.inputTokens, output: u.outputTokens, cacheWrite: u.cacheWriteTokens, cacheRead: u.cacheReadTokens };
        assert.equal(u.costUsd, callCost(prices, u.model, t));
        assert.equal(u.costUsd === null, u.model === DEMO_UNPRICED_MODEL);
        if (u.costUsd === null) assert.equal(u.skill, DEMO_UNPRICED_SKILL);
      }
      const stored = await app.stores.skillCosts.record(usage);
      assert.deepEqual(stored, { inserted: usage.length, duplicates: 0 });
      const totals = await app.stores.skillCosts.totals();
      const skills = [...new Set(usage.map((u) => u.skill))];
      let unpriced = 0;
      for (const skill of skills) {
        const stamped = totals.find((t) => t.skill === skill && t.attribution === 'stamped');
        const bounded = totals.find((t) => t.skill === skill && t.attribution === 'bounded');
        assert.ok(stamped && bounded, `${skill}: both attributions`);
        assert.ok(stamped.apiCalls > bounded.apiCalls, `${skill}: the stamp covers the later calls too`);
        assert.ok(stamped.costUsd >= bounded.costUsd && bounded.costUsd > 0, `${skill}: ${stamped.costUsd} >= ${bounded.costUsd}`);
        assert.ok(stamped.inputTokens + stamped.outputTokens > bounded.inputTokens + bounded.outputTokens);
        unpriced += stamped.unpricedCalls;
        // Only the one skill has calls without a price: the others' costs are known.
        if (skill !== DEMO_UNPRICED_SKILL) assert.equal(stamped.unpricedCalls + bounded.unpricedCalls, 0, skill);
      }
      assert.ok(skills.includes(DEMO_UNPRICED_SKILL) && skills.length >= 2, skills.join(', '));
      const stampedCalls = usage.filter((u) => u.attribution === 'stamped').length;
      assert.equal(unpriced, usage.filter((u) => u.attribution === 'stamped' && u.costUsd === null).length);
      assert.ok(unpriced > 0 && unpriced < stampedCalls * 0.05, `a small share of calls without a price: ${unpriced} of ${stampedCalls}`);
    } finally {
      await app.dispose();
    }
  });

  it('keys the n-th invocation of a seed demo:<seed>:<n>, the same invocation whatever the count, and its costs with it', () => {
    const prices = shippedPriceTable();
    const hashUser = (u: string) => `h-${u}`;
    // 700 and 1000 of seed 3 (the same user count): the first 700 agree, the session cut at 700 included.
    const short = [...generateDemoInvocations({ invocations: 700, seed: 3, now: NOW, dedupeKeys: true }, 300)];
    const long = [...generateDemoInvocations({ invocations: 1000, seed: 3, now: NOW, dedupeKeys: true }, 300)];
    assert.deepEqual(
      short.flat().map((r) => r.dedupe_key),
      Array.from({ length: 700 }, (_, i) => demoDedupeKey(3, i + 1)),
    );
    assert.deepEqual(short.flat(), long.flat().slice(0, 700));
    const shortCosts = short.flatMap(createDemoCostGenerator(3, { prices, hashUser }));
    const longCosts = long.flatMap(createDemoCostGenerator(3, { prices, hashUser }));
    assert.ok(shortCosts.length > 0);
    assert.deepEqual(shortCosts, longCosts.slice(0, shortCosts.length));
    // Over another span and clock: the same skills in the same sessions (times differ).
    const later = [...generateDemoInvocations({ invocations: 700, seed: 3, now: NOW + 86_400_000, days: 7, dedupeKeys: true })].flat();
    assert.deepEqual(
      later.map((r) => [r.dedupe_key, r.skill_name, r.session_id]),
      short.flat().map((r) => [r.dedupe_key, r.skill_name, r.session_id]),
    );
    // Without the option (benchmarks), no keys.
    assert.ok(rows.every((r) => r.dedupe_key === undefined));
  });
});
