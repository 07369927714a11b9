/**
 * AnalyticsQueries on every back-end (SqliteAnalyticsQueries, PgAnalyticsQueries).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HOUR_MS, hourOf } from '../../analytics/types.js';
import type { AnalyticsQueries } from '../analytics-types.js';
import { testBackends, testTracker, type OpenedBackend } from '../../testing/backends.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const H = hourOf(NOW);

describe('AnalyticsQueries', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let q: AnalyticsQueries;

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        const inv = (skill: string, session: string, completed: boolean, ms: number, at: number) => ({
          skill_name: skill,
          user_id: 'u',
          session_id: session,
          workflow_phase: 'testing',
          completed,
          duration_ms: ms,
          invoked_at: at,
        });
        await testTracker(b.store, () => NOW).tracker.trackBatch([
          inv('a', 's1', true, 10, NOW - 2 * HOUR_MS), // hour H-2
          inv('a', 's1', false, 30, NOW - HOUR_MS), // hour H-1
          inv('a', 's2', true, 20, NOW), // hour H
          inv('b', 's1', true, 5, NOW - HOUR_MS), // hour H-1
          inv('b', 's2', true, 7, NOW - 5 * HOUR_MS), // hour H-5
          inv('c', 's2', true, 1, NOW - 5 * HOUR_MS),
        ]);
        q = b.stores.analyticsQueries;
      });
      after(async () => {
        await b?.dispose();
      });

      it('sums each skill over an hour range in one row', async () => {
        // Hours H-1..H: a = 30 ms (failed) + 20 ms (ok); b = 5 ms (ok). c has nothing there.
        assert.deepEqual(await q.windowTotals(H - 1, H), [
          { skill: 'a', hour: H - 1, invocations: 2, successes: 1, durationSum: 50, durationSqSum: 900 + 400, lastAt: NOW },
          { skill: 'b', hour: H - 1, invocations: 1, successes: 1, durationSum: 5, durationSqSum: 25, lastAt: NOW - HOUR_MS },
        ]);
        assert.deepEqual(await q.windowTotals(H + 1, H + 5), []);
      });

      it('sums duration histograms over a window, directly or as all-time minus the hours outside', async () => {
        // Buckets: floor(log2(ms) × 4) + 1 → 5 ms: 10, 7 ms: 12, 10 ms: 14, 20 ms: 18, 30 ms: 20.
        const h = (skill: string, ...buckets: number[]) => ({ skill, buckets: buckets.map((bucket) => ({ bucket, count: 1 })) });
        // [H-1, H]: 2 hours inside, 4 outside (a and b span H-5..H) → read directly.
        assert.deepEqual(await q.windowHistograms(H - 1, H, ['a', 'b']), [h('a', 18, 20), h('b', 10)]);
        // [H-4, H]: 1 hour outside (H-5, holding b's 7 ms) → all-time minus that hour.
        assert.deepEqual(await q.windowHistograms(H - 4, H, ['a', 'b']), [h('a', 14, 18, 20), h('b', 10)]);
        // [H-5, H-1]: 1 hour outside after the window (H, holding a's 20 ms).
        assert.deepEqual(await q.windowHistograms(H - 5, H - 1, ['a', 'b']), [h('a', 14, 20), h('b', 10, 12)]);
        // c only at H-5; window [H-4, H] subtracts everything it has: no entry.
        assert.deepEqual(await q.windowHistograms(H - 4, H, ['c']), []);
        assert.deepEqual(await q.windowHistograms(H - 4, H, []), []);
        assert.deepEqual(await q.windowHistograms(H - 4, H, ['nope']), []);
      });

      it('lists pairs by minimum co-occurrence and by skill', async () => {
        // s1 = {a, b}, s2 = {a, b, c}: a–b in 2 sessions, a–c and b–c in 1.
        const key = (p: { a: string; b: string; sessions: number }) => `${[p.a, p.b].sort().join('+')}:${p.sessions}`;
        assert.deepEqual((await q.frequentPairs(1)).map(key).sort(), ['a+b:2', 'a+c:1', 'b+c:1']);
        assert.deepEqual((await q.frequentPairs(2)).map(key), ['a+b:2']);
        assert.deepEqual((await q.pairsWith('c')).map(key).sort(), ['a+c:1', 'b+c:1']);
        assert.deepEqual(await q.pairsWith('nope'), []);
      });

      it('knows which skills exist', async () => {
        assert.equal(await q.skillExists('a'), true);
        assert.equal(await q.skillExists('zzz'), false);
      });

      it('sorts skill names by byte order on every back-end', async () => {
        // "B" (0x42) < "a" (0x61) < "b" in byte order; a locale collation would put "a" first.
        await testTracker(b.store, () => NOW).tracker.trackBatch(
          ['b', 'B'].map((skill) => ({ skill_name: skill, user_id: 'u', session_id: 's3', workflow_phase: 'testing', completed: true, duration_ms: 1, invoked_at: NOW + 1 })),
        );
        assert.deepEqual(
          (await q.windowTotals(H, H)).map((r) => r.skill),
          ['B', 'a', 'b'],
        );
      });
    });
  }
});
