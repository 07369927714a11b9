import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationBucket } from '../analytics/histogram.js';
import { HOUR_MS, type HourlyRollup, type SkillHistogram } from '../analytics/types.js';
import { buildSnapshot, loadSnapshotData, type SnapshotData } from './snapshot.js';
import { trendPoints } from './trend-points.js';

const H = 480_000; // an epoch hour (2024-10-04T00:00Z)

function row(skill: string, hour: number, invocations: number, successes: number, durationSum: number): HourlyRollup {
  return { skill, hour, invocations, successes, timed: invocations, durationSum, durationSqSum: 0, lastAt: hour * HOUR_MS + 60_000 };
}

const data: SnapshotData = {
  at: H * HOUR_MS + 30 * 60_000,
  fromMs: (H - 1) * HOUR_MS + 30 * 60_000,
  rows: [row('a', H - 1, 4, 4, 400), row('a', H, 6, 3, 1200), row('b', H, 20, 19, 2000), row('c', H, 1, 0, 50)],
  histograms: [
    { skill: 'a', buckets: [{ bucket: durationBucket(100), count: 10 }] },
    { skill: 'b', buckets: [{ bucket: durationBucket(100), count: 20 }] },
  ] satisfies SkillHistogram[],
};

describe('buildSnapshot', () => {
  it('covers every skill for a "*" subscription', () => {
    const s = buildSnapshot(data, null, 2, 5);
    assert.equal(s.v, 1);
    assert.equal(s.type, 'snapshot');
    assert.equal(s.connections, 5);
    assert.equal(s.window.from, new Date((H - 1) * HOUR_MS + 30 * 60_000).toISOString());
    assert.equal(s.at, new Date(data.at).toISOString());
    // b has 20, a has 4 + 6 = 10, c has 1: top 2 = b, a
    assert.deepEqual(
      s.top_skills.map((t) => [t.skill_name, t.invocations]),
      [
        ['b', 20],
        ['a', 10],
      ],
    );
    // a: successes 4 + 3 = 7 of 10; avg (400 + 1200) / 10 = 160 ms
    assert.equal(s.top_skills[1]!.success_rate, 0.7);
    assert.equal(s.top_skills[1]!.avg_duration_ms, 160);
    // all: 31 invocations, 26 successes, (400 + 1200 + 2000 + 50) / 31 = 117.74 ms
    assert.equal(s.summary.invocations, 31);
    assert.equal(s.summary.successes, 26);
    assert.equal(s.summary.avg_duration_ms, 117.7);
    assert.equal(s.summary.active_skills, 3);
    // every histogram entry is in the bucket of 100 ms (bucket 231, value 100.4946), so p95 is that bucket's value
    assert.equal(s.summary.p95_duration_ms, 100.5);
  });

  it('restricts summary and top list to the subscribed skills', () => {
    const s = buildSnapshot(data, new Set(['a', 'c']), 10, 1);
    assert.deepEqual(
      s.top_skills.map((t) => t.skill_name),
      ['a', 'c'],
    );
    assert.equal(s.summary.invocations, 11); // 10 + 1
    assert.equal(s.summary.successes, 7);
  });

  it('reports an empty window with null rates', () => {
    const s = buildSnapshot({ ...data, rows: [], histograms: [] }, null, 10, 0);
    assert.deepEqual(s.top_skills, []);
    assert.equal(s.summary.invocations, 0);
    assert.equal(s.summary.success_rate, null);
    assert.equal(s.summary.p95_duration_ms, null);
  });
});

describe('loadSnapshotData', () => {
  it('asks the store for the last N hours ending now (the rolling window of the tools)', async () => {
    const ranges: unknown[] = [];
    const queries = {
      windowTotals: async (r: { fromMs: number; toMs: number }) => {
        ranges.push([r.fromMs, r.toMs]);
        return [];
      },
      windowHistograms: async (r: { fromMs: number; toMs: number }, skills: readonly string[] | null) => {
        ranges.push([r.fromMs, r.toMs, skills]);
        return [];
      },
    };
    const now = H * HOUR_MS + 5;
    const d = await loadSnapshotData(queries, now, 1.5);
    // 1.5 h = 5,400,000 ms before now; histograms of every skill.
    assert.deepEqual(ranges, [
      [now - 5_400_000, now],
      [now - 5_400_000, now, null],
    ]);
    assert.equal(d.fromMs, now - 5_400_000);
    assert.equal(d.at, now);
  });

  it('bounds the summary p95 by the largest duration of the rows', () => {
    // 1000 ms lies in bucket 346 whose value is 1002.4: the rows say nothing was slower than 1000 ms.
    const rows = [{ ...row('a', H, 3, 3, 3000), durationMin: 1000, durationMax: 1000 }];
    const s = buildSnapshot({ ...data, rows, histograms: [{ skill: 'a', buckets: [{ bucket: durationBucket(1000), count: 3 }] }] }, null, 5, 1);
    assert.equal(s.summary.p95_duration_ms, 1000);
    assert.equal(s.top_skills[0]!.p95_duration_ms, 1000);
  });
});

describe('trendPoints', () => {
  it('gives one point per hour, zero-filled, with rates from the sums', () => {
    const points = trendPoints([row('a', H, 4, 3, 1000), row('a', H - 2, 2, 2, 50), row('a', H - 9, 5, 5, 5)], H - 2, H);
    assert.deepEqual(
      points.map((p) => [p.hour, p.invocations, p.success_rate, p.avg_duration_ms]),
      [
        [H - 2, 2, 1, 25], // 50 / 2
        [H - 1, 0, null, null],
        [H, 4, 0.75, 250], // 3 / 4, 1000 / 4
      ],
    );
    assert.equal(points[0]!.at, new Date((H - 2) * HOUR_MS).toISOString());
  });

  it('averages over the measured invocations of the hour; none measured gives no average', () => {
    // Hour H: 4 invocations, 2 measured (1734 ms); hour H - 1: 2 typed activations only.
    const points = trendPoints(
      [
        { ...row('a', H, 4, 4, 1734), timed: 2 },
        { ...row('a', H - 1, 2, 2, 0), timed: 0 },
      ],
      H - 1,
      H,
    );
    assert.deepEqual(
      points.map((p) => [p.invocations, p.success_rate, p.avg_duration_ms]),
      [
        [2, 1, null],
        [4, 1, 867],
      ],
    );
  });
});
