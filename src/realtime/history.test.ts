import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationBucket } from '../analytics/histogram.js';
import { HOUR_MS, type HourlyRollup } from '../analytics/types.js';
import { createTestApp } from '../testing/harness.js';
import { HistoryWindows, historyPoint, historyTimes } from './history.js';
import type { SnapshotData } from './snapshot.js';

const H = 480_000; // an epoch hour (2024-10-04T00:00Z)
const MIN = 60_000;

function row(skill: string, hour: number, invocations: number, successes: number, durationSum: number): HourlyRollup {
  return { skill, hour, invocations, successes, timed: invocations, durationSum, durationSqSum: 0, lastAt: hour * HOUR_MS + MIN };
}

describe('history series', () => {
  it('puts one point on each of the last whole hours, oldest first', () => {
    assert.deepEqual(historyTimes(H * HOUR_MS + 30 * MIN, 3), [(H - 2) * HOUR_MS, (H - 1) * HOUR_MS, H * HOUR_MS]);
    // On the hour itself, that hour is the newest point.
    assert.deepEqual(historyTimes(H * HOUR_MS, 2), [(H - 1) * HOUR_MS, H * HOUR_MS]);
  });

  it('makes a point of the snapshot summary of the window loaded at its time', () => {
    const data: SnapshotData = {
      at: H * HOUR_MS,
      fromMs: (H - 1) * HOUR_MS,
      rows: [row('a', H - 1, 4, 3, 400), row('b', H - 1, 6, 6, 1200)],
      histograms: [
        { skill: 'a', buckets: [{ bucket: durationBucket(100), count: 4 }] },
        { skill: 'b', buckets: [{ bucket: durationBucket(200), count: 6 }] },
      ],
    };
    // all: 9 of 10 succeeded, (400 + 1200) / 10 = 160 ms; 95th of 10 is the 10th value, in the bucket of 200 ms: (196.40, 200.37], whose value 2·1.0202^265 / 2.0202 = 198.37 rounds to 198.4
    assert.deepEqual(historyPoint(data, null), {
      at: new Date(H * HOUR_MS).toISOString(),
      invocations: 10,
      success_rate: 0.9,
      avg_duration_ms: 160,
      p95_duration_ms: 198.4,
    });
    // only a: 3 of 4, 100 ms each: bucket (99.50, 101.51], value 100.49 (no observed range in these rows to clamp to)
    assert.deepEqual(historyPoint(data, new Set(['a'])), {
      at: new Date(H * HOUR_MS).toISOString(),
      invocations: 4,
      success_rate: 0.75,
      avg_duration_ms: 100,
      p95_duration_ms: 100.5,
    });
  });

  it('reads each point with the window rule from the store', async () => {
    const now = H * HOUR_MS + 20 * MIN;
    const app = createTestApp({ now: () => now });
    try {
      const inv = (skill: string, at: number, completed: boolean, ms: number) => ({
        skill_name: skill,
        user_id: 'u',
        session_id: 's',
        workflow_phase: 'testing' as const,
        completed,
        duration_ms: ms,
        invoked_at: at,
      });
      await app.tracker.trackBatch([
        inv('a', (H - 2) * HOUR_MS + 10 * MIN, true, 100),
        inv('a', (H - 1) * HOUR_MS + 5 * MIN, false, 300),
        inv('b', (H - 1) * HOUR_MS + 30 * MIN, true, 200),
        inv('b', H * HOUR_MS + 5 * MIN, true, 50), // after the newest boundary: in no point
      ]);
      const history = new HistoryWindows(app.stores.analyticsQueries, 1, 3);
      const points = await history.series(now, null);
      assert.deepEqual(points, [
        // window [H-3 h, H-2 h]: nothing
        { at: new Date((H - 2) * HOUR_MS).toISOString(), invocations: 0, success_rate: null, avg_duration_ms: null, p95_duration_ms: null },
        // window [H-2 h, H-1 h]: a 100 ms ok (the quantile kept within the observed 100 ms)
        { at: new Date((H - 1) * HOUR_MS).toISOString(), invocations: 1, success_rate: 1, avg_duration_ms: 100, p95_duration_ms: 100 },
        // window [H-1 h, H h]: a 300 ms failed, b 200 ms ok: 1 of 2, 250 ms, p95 = the larger, 300 ms (kept within the observed maximum)
        { at: new Date(H * HOUR_MS).toISOString(), invocations: 2, success_rate: 0.5, avg_duration_ms: 250, p95_duration_ms: 300 },
      ]);
      const onlyB = await history.series(now, new Set(['b']));
      assert.deepEqual(
        onlyB.map((p) => [p.invocations, p.success_rate, p.avg_duration_ms]),
        [
          [0, null, null],
          [0, null, null],
          [1, 1, 200],
        ],
      );
    } finally {
      await app.dispose();
    }
  });
});
