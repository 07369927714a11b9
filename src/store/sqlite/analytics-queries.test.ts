/**
 * AnalyticsQueries on every back-end (SqliteAnalyticsQueries, PgAnalyticsQueries).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HOUR_MS, hourOf } from '../../analytics/types.js';
import { rollingWindow, windowBefore } from '../../analytics/window.js';
import type { AnalyticsQueries } from '../analytics-types.js';
import { testBackends, testTracker, type OpenedBackend } from '../../testing/backends.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const H = hourOf(NOW);
const MIN = 60_000;
const win = (hours: number) => rollingWindow(NOW, hours);

describe('AnalyticsQueries', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let q: AnalyticsQueries;
      let inv2: (skill: string, ms: number, at: number) => object;

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
        inv2 = (skill: string, ms: number, at: number) => inv(skill, 's4', true, ms, at);
        await testTracker(b.store, () => NOW).tracker.trackBatch([
          inv('a', 's1', true, 10, NOW - 2 * HOUR_MS), // hour H-2
          inv('a', 's1', false, 30, NOW - HOUR_MS), // hour H-1
          inv('a', 's2', true, 20, NOW), // hour H
          inv('b', 's1', true, 5, NOW - HOUR_MS), // hour H-1
          inv('b', 's2', true, 7, NOW - 5 * HOUR_MS), // hour H-5
          inv('c', 's2', true, 1, NOW - 5 * HOUR_MS),
          inv('d', 's5', true, 40, NOW - 61 * MIN), // 11:29, outside the last hour
          inv('d', 's5', true, 50, NOW - 59 * MIN), // 11:31, inside it
          inv('e', 's6', true, 60, NOW - 15 * MIN), // 12:15:00.000, the first ms of the last 15 minutes
          inv('e', 's6', false, 70, NOW - 15 * MIN - 1), // 12:14:59.999, just outside them
        ]);
        q = b.stores.analyticsQueries;
      });
      after(async () => {
        await b?.dispose();
      });

      it('sums each skill over the last N hours ending now, edges included', async () => {
        // Last hour = [11:30:00.000, 12:30:00.000]: a 30 ms (failed, at 11:30 exactly) + 20 ms; b 5 ms;
        // d only 50 ms (40 ms is 61 minutes old); e 60 ms + 70 ms (failed). Hour of 11:30 = H - 1.
        const row = (skill: string, invocations: number, successes: number, sum: number, sq: number, lastAt: number, min: number, max: number) => ({
          skill,
          hour: H - 1,
          invocations,
          successes,
          timed: invocations,
          durationSum: sum,
          durationSqSum: sq,
          lastAt,
          durationMin: min,
          durationMax: max,
        });
        assert.deepEqual(await q.windowTotals(win(1)), [
          row('a', 2, 1, 50, 900 + 400, NOW, 20, 30),
          row('b', 1, 1, 5, 25, NOW - HOUR_MS, 5, 5),
          row('d', 1, 1, 50, 2500, NOW - 59 * MIN, 50, 50),
          row('e', 2, 1, 130, 3600 + 4900, NOW - 15 * MIN, 60, 70),
        ]);
        // 0.25 h = exactly the last 15 minutes, [12:15:00.000, 12:30:00.000]: a 20 ms and e 60 ms only.
        assert.deepEqual(
          (await q.windowTotals(win(0.25))).map((r) => [r.skill, r.hour, r.invocations, r.durationSum]),
          [
            ['a', H, 1, 20],
            ['e', H, 1, 60],
          ],
        );
        // 2.5 h = [10:00, 12:30]: whole hours 10 and 11 plus the current hour.
        assert.deepEqual(
          (await q.windowTotals(win(2.5))).map((r) => [r.skill, r.invocations, r.durationSum]),
          [
            ['a', 3, 60],
            ['b', 1, 5],
            ['d', 2, 90],
            ['e', 2, 130],
          ],
        );
        // The 4 hours before the last hour: [07:30:00.000, 11:29:59.999].
        const before = windowBefore(win(1), 4);
        assert.equal(before.window.from, '2025-06-10T07:30:00.000Z');
        assert.equal(before.window.to, '2025-06-10T11:29:59.999Z');
        assert.deepEqual(
          (await q.windowTotals(before)).map((r) => [r.skill, r.invocations, r.durationSum]),
          [
            ['a', 1, 10],
            ['b', 1, 7],
            ['c', 1, 1],
            ['d', 1, 40],
          ],
        );
        assert.deepEqual(await q.windowTotals(rollingWindow(NOW + 10 * HOUR_MS, 1)), []);
      });

      it('sums duration histograms over a window, directly or as all-time minus the hours outside', async () => {
        // Buckets ceil(ln(ms) / ln(1.01 / 0.99)): 1 ms: 0, 5: 81, 7: 98, 10: 116, 20: 150, 30: 171, 40: 185, 50: 196, 60: 205, 70: 213.
        const h = (skill: string, ...buckets: number[]) => ({ skill, buckets: buckets.map((bucket) => ({ bucket, count: 1 })) });
        assert.deepEqual(await q.windowHistograms(win(1), ['a', 'b', 'd']), [h('a', 150, 171), h('b', 81), h('d', 196)]);
        assert.deepEqual(await q.windowHistograms(win(0.25), null), [h('a', 150), h('e', 205)]);
        // 4.5 h = [08:00, 12:30]: 1 hour outside before (07:30, b's 7 ms and c) → all-time minus that hour for the whole hours.
        assert.deepEqual(await q.windowHistograms(win(4.5), ['a', 'b']), [h('a', 116, 150, 171), h('b', 81)]);
        // The 4 hours before the last hour: raw edges at both ends.
        assert.deepEqual(await q.windowHistograms(windowBefore(win(1), 4), ['a', 'b', 'c', 'd']), [h('a', 116), h('b', 98), h('c', 0), h('d', 185)]);
        assert.deepEqual(await q.windowHistograms(win(4.5), ['c']), []);
        assert.deepEqual(await q.windowHistograms(win(4.5), []), []);
        assert.deepEqual(await q.windowHistograms(win(4.5), ['nope']), []);
      });

      it('leaves rows after now out of a window that ends now', async () => {
        // A row stamped 4 minutes in the future (the tracker accepts up to 5) lands in the current hour's rollup; the window reads that hour raw.
        await testTracker(b.store, () => NOW).tracker.trackBatch([inv2('a', 80, NOW + 4 * MIN)]);
        assert.deepEqual(
          (await q.windowTotals(win(1))).map((r) => [r.skill, r.invocations, r.durationSum, r.lastAt]),
          [
            ['a', 2, 50, NOW],
            ['b', 1, 5, NOW - HOUR_MS],
            ['d', 1, 50, NOW - 59 * MIN],
            ['e', 2, 130, NOW - 15 * MIN],
          ],
        );
        const hist = await q.windowHistograms(win(1), ['a']);
        assert.deepEqual(hist, [
          {
            skill: 'a',
            buckets: [
              { bucket: 150, count: 1 },
              { bucket: 171, count: 1 },
            ],
          },
        ]);
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
          ['b', 'B'].map((skill) => ({
            skill_name: skill,
            user_id: 'u',
            session_id: 's3',
            workflow_phase: 'testing',
            completed: true,
            duration_ms: 1,
            invoked_at: NOW - 1,
          })),
        );
        assert.deepEqual(
          (await q.windowTotals(win(0.5))).map((r) => r.skill),
          ['B', 'a', 'b', 'e'],
        );
      });
    });
  }
});
