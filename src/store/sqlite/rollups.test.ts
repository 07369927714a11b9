import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { HOUR_MS } from '../../analytics/types.js';
import { createTestApp } from '../../testing/harness.js';
import { verifyRollups } from './rollup-check.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/** A pair as `a-b` with the names in order (the stores keep pairs in storage order). */
const pairName = (p: { a: string; b: string }) => (p.a <= p.b ? `${p.a}-${p.b}` : `${p.b}-${p.a}`);

/** Small deterministic PRNG so a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

describe('incremental rollups', () => {
  const app = createTestApp({ now: () => NOW });
  after(() => app.dispose());

  it('agree with a recomputation from raw rows on random data (several batches, repeated sessions, duplicates)', async () => {
    const rand = prng(7);
    const skills = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (let batch = 0; batch < 12; batch++) {
      const size = 1 + Math.floor(rand() * 400);
      const items = Array.from({ length: size }, (_, i) => ({
        skill_name: skills[Math.floor(rand() * rand() * skills.length)]!,
        user_id: `u${Math.floor(rand() * 15)}`,
        // Sessions recur across batches so pair counts must merge with stored sets.
        session_id: `s${Math.floor(rand() * 40)}`,
        workflow_phase: rand() < 0.5 ? 'testing' : 'implementation',
        completed: rand() < 0.8,
        duration_ms: Math.floor(rand() ** 3 * 600_000),
        invoked_at: NOW - Math.floor(rand() * 72 * HOUR_MS),
        dedupe_key: rand() < 0.1 ? `dup-${Math.floor(rand() * 30)}` : undefined,
        error_type: null,
        project: `p${i % 3}`,
      }));
      await app.tracker.trackBatch(items);
    }
    // A batch of one, as the MCP tool writes it.
    await app.tracker.track({ skill_name: 'a', user_id: 'u1', session_id: 's1', workflow_phase: 'review', completed: false, duration_ms: 0 });
    const rows = app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number;
    assert.ok(rows > 100);
    assert.deepEqual(verifyRollups(app.db), []);
    assert.ok((app.db.prepare('SELECT count(*) FROM skill_daily').pluck().get() as number) >= 7 * 3, 'daily rows over three days');
  });

  it('reports a daily rollup that differs from the sum of its hours', async () => {
    const t = createTestApp({ now: () => NOW });
    try {
      const base = { skill_name: 'x', user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true };
      await t.tracker.trackBatch([
        { ...base, duration_ms: 10, invoked_at: NOW - 1000 },
        { ...base, duration_ms: 30, invoked_at: NOW - 30 * HOUR_MS },
      ]);
      assert.deepEqual(verifyRollups(t.db), []);
      t.db.prepare('UPDATE skill_daily SET duration_max = duration_max + 1 WHERE day = ?').run(Math.floor((NOW - 1000) / (24 * HOUR_MS)));
      t.db.prepare('UPDATE skill_daily_durations SET count = count + 1 WHERE day = ?').run(Math.floor((NOW - 30 * HOUR_MS) / (24 * HOUR_MS)));
      assert.deepEqual(
        verifyRollups(t.db).map((m) => m.table),
        ['skill_daily', 'skill_daily_durations'],
      );
    } finally {
      await t.dispose();
    }
  });

  it('counts hand-checked pairs, sessions and users', async () => {
    const t = createTestApp({ now: () => NOW });
    try {
      const base = { workflow_phase: 'testing', completed: true, duration_ms: 10, invoked_at: NOW - 1000 };
      // Session 1: x, y, z. Session 2: x, y (user 2). Session 3: x (user 1 again), over two batches.
      await t.tracker.trackBatch([
        { ...base, skill_name: 'x', user_id: 'u1', session_id: 's1' },
        { ...base, skill_name: 'y', user_id: 'u1', session_id: 's1' },
        { ...base, skill_name: 'x', user_id: 'u2', session_id: 's2' },
      ]);
      await t.tracker.trackBatch([
        { ...base, skill_name: 'z', user_id: 'u1', session_id: 's1' },
        { ...base, skill_name: 'y', user_id: 'u2', session_id: 's2' },
        { ...base, skill_name: 'x', user_id: 'u1', session_id: 's3' },
        { ...base, skill_name: 'x', user_id: 'u1', session_id: 's3' },
      ]);
      const pairs = await t.stores.analyticsQueries.frequentPairs(1);
      const byKey = Object.fromEntries(pairs.map((p) => [pairName(p), p.sessions]));
      // x&y together in s1 and s2; x&z and y&z only in s1.
      assert.deepEqual(byKey, { 'x-y': 2, 'x-z': 1, 'y-z': 1 });
      const totals = Object.fromEntries((await t.stores.analyticsQueries.skillTotals()).map((r) => [r.skill, [r.invocations, r.sessions, r.users]]));
      // x: 4 invocations in sessions s1, s2, s3 by users u1, u2.
      assert.deepEqual(totals, { x: [4, 3, 2], y: [2, 2, 2], z: [1, 1, 1] });
      assert.equal(await t.stores.analyticsQueries.sessionCount(), 3);
      assert.deepEqual(verifyRollups(t.db), []);
    } finally {
      await t.dispose();
    }
  });

  it('writes nothing from a batch with one invalid item', async () => {
    const t = createTestApp({ now: () => NOW });
    try {
      const ok = { skill_name: 'x', user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: 5 };
      await assert.rejects(t.tracker.trackBatch([ok, { ...ok, duration_ms: 1.5 }]), (err: Error & { details?: { field?: string } }) => {
        assert.equal(err.details?.field, 'invocations.1.duration_ms');
        return true;
      });
      const tables = ['skill_invocations', 'skills', 'users', 'sessions', 'skill_hourly', 'skill_daily', 'skill_daily_durations', 'skill_totals'];
      for (const table of tables) assert.equal(t.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), 0, table);
    } finally {
      await t.dispose();
    }
  });
});

describe('rollup reader', () => {
  it('returns the pairs of one skill', async () => {
    const t = createTestApp({ now: () => NOW });
    try {
      const base = { workflow_phase: 'testing', completed: true, duration_ms: 10, invoked_at: NOW - 1000, user_id: 'u' };
      await t.tracker.trackBatch([
        { ...base, skill_name: 'x', session_id: 's1' },
        { ...base, skill_name: 'y', session_id: 's1' },
        { ...base, skill_name: 'z', session_id: 's2' },
        { ...base, skill_name: 'y', session_id: 's2' },
      ]);
      // y pairs with x (s1) and z (s2); x only with y.
      assert.deepEqual((await t.stores.analyticsQueries.pairsWith('y')).map(pairName).sort(), ['x-y', 'y-z']);
      assert.deepEqual((await t.stores.analyticsQueries.pairsWith('x')).map(pairName), ['x-y']);
    } finally {
      await t.dispose();
    }
  });
});
