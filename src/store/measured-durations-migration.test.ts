/**
 * Migration 0025 (measured durations) on every back-end: a store at the
 * previous schema, whose rollups count typed activations and unmatched hook
 * calls as 0 ms, is migrated; its rows are marked, nothing is lost, and every
 * duration rollup comes out as the writer now keeps it (and back).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { durationBucket } from '../analytics/histogram.js';
import { HOUR_MS } from '../analytics/types.js';
import type { PgStore } from './postgres/store.js';
import { verifyRollupConsistency, verifyRollups } from './sqlite/rollup-check.js';
import { testBackends, testTracker, type OpenedBackend } from '../testing/backends.js';

const NOW = Date.UTC(2025, 8, 3, 10, 30);
const MIN = 60_000;

type Row = [string, ...number[]];

/** Rows as [skill name, numbers...], ordered by skill name and then the other columns (skill ids differ between back-ends). */
async function read(b: OpenedBackend, sql: string): Promise<Row[]> {
  const rows = (await b.query<Record<string, unknown>>(sql)).map((r) => Object.values(r).map((v, i) => (i === 0 ? String(v) : Number(v))) as Row);
  return rows.sort((x, y) => {
    if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
    for (let i = 1; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return 0;
  });
}

/** The rollup tables' rows (what the readers read) and the raw rows. */
async function rollups(b: OpenedBackend) {
  const j = (table: string, columns: string) => read(b, `SELECT s.name, ${columns} FROM ${table} x JOIN skills s ON s.id = x.skill_id`);
  return {
    hourly: await j(
      'skill_hourly',
      'x.hour, x.invocations, x.successes, x.timed, x.duration_sum, x.duration_sq_sum, x.duration_min, x.duration_max, x.last_at',
    ),
    daily: await j('skill_daily', 'x.day, x.invocations, x.successes, x.timed, x.duration_sum, x.duration_sq_sum, x.duration_min, x.duration_max, x.last_at'),
    totals: await j(
      'skill_totals',
      'x.invocations, x.successes, x.timed, x.duration_sum, x.duration_sq_sum, x.duration_min, x.duration_max, x.sessions, x.users',
    ),
    phases: await j(
      'skill_phase_totals',
      "CASE WHEN x.workflow_phase = 'review' THEN 1 ELSE 0 END, x.completed, x.invocations, x.timed, x.duration_sum, x.backfilled",
    ),
    hourlyHist: await j('skill_hourly_durations', 'x.hour, x.bucket, x.count'),
    dailyHist: await j('skill_daily_durations', 'x.day, x.bucket, x.count'),
    hist: await j('skill_durations', 'x.bucket, x.count'),
    raw: await j('skill_invocations', 'x.invoked_at, x.duration_ms, x.duration_known'),
  };
}

describe('migration 0025: measured durations', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      let written: Awaited<ReturnType<typeof rollups>>;
      const migrator = () => b.stores.sqlite?.migrator ?? (b.store as PgStore).migrator;

      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        const inv = (skill: string, ms: number, at: number, extra: Record<string, unknown> = {}) => ({
          skill_name: skill,
          user_id: 'u',
          session_id: 's',
          workflow_phase: 'review',
          completed: true,
          duration_ms: ms,
          invoked_at: at,
          ...extra,
        });
        const h0 = Math.floor(NOW / HOUR_MS) * HOUR_MS;
        await testTracker(b.store, () => NOW).tracker.trackBatch([
          // skill:deploy, this hour: measured 800 and 934 ms, two typed activations.
          inv('skill:deploy', 800, h0 + 1 * MIN, { trigger: 'model' }),
          inv('skill:deploy', 934, h0 + 2 * MIN, { trigger: 'model' }),
          inv('skill:deploy', 0, h0 + 3 * MIN, { trigger: 'typed' }),
          inv('skill:deploy', 0, h0 + 4 * MIN, { trigger: 'typed' }),
          // Two days earlier: one measured call and one typed activation.
          inv('skill:deploy', 500, h0 - 48 * HOUR_MS + MIN, { trigger: 'model' }),
          inv('skill:deploy', 0, h0 - 48 * HOUR_MS + 2 * MIN, { trigger: 'typed', completed: false, error_type: 'cancelled' }),
          // A skill only ever typed.
          inv('skill:notes', 0, h0 + 5 * MIN, { trigger: 'typed' }),
          // Tool calls: measured, and not measured (one with a stray duration, taken out of its bucket too).
          inv('Bash', 40, h0 + 6 * MIN, { metadata: { duration_source: 'claude_code' } }),
          inv('Bash', 0, h0 + 7 * MIN, { metadata: { duration_source: 'unknown' } }),
          inv('Bash', 120, h0 - HOUR_MS + MIN, { metadata: { duration_source: 'unknown', source: 'otel' } }),
          inv('Bash', 0, h0 - HOUR_MS + 2 * MIN, { workflow_phase: 'testing' }),
        ]);
        written = await rollups(b);
      });
      after(async () => {
        await b?.dispose();
      });

      it('writes only the measured calls into the duration rollups', () => {
        // [skill, invocations, successes, timed, duration sum, min, max]
        assert.deepEqual(
          written.totals.map(([skill, n, ok, timed, sum, , lo, hi]) => [skill, n, ok, timed, sum, lo, hi]),
          [
            ['Bash', 4, 4, 2, 40, 0, 40],
            ['skill:deploy', 6, 5, 3, 2234, 500, 934],
            ['skill:notes', 1, 1, 0, 0, 0, 0],
          ],
        );
        // Histograms: 2 + 3 + 0 measured durations (Bash's 0 ms call was measured).
        assert.deepEqual(written.hist, [
          ['Bash', durationBucket(0), 1],
          ['Bash', durationBucket(40), 1],
          ['skill:deploy', durationBucket(500), 1],
          ['skill:deploy', durationBucket(800), 1],
          ['skill:deploy', durationBucket(934), 1],
        ]);
        assert.deepEqual(
          written.raw.map((r) => r[3]),
          [0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0],
        );
      });

      it('at the previous schema, has the rollups the old writer kept: every row counted, 0 ms included', async () => {
        await migrator().to(24);
        await assert.rejects(b.query('SELECT duration_known FROM skill_invocations'));
        await assert.rejects(b.query('SELECT timed FROM skill_totals'));
        const read = async (sql: string) => (await b.query<Record<string, unknown>>(sql)).map((r) => Object.values(r).map(Number));
        // What the old writer keeps: the raw rows summed as they are, histograms with a 0 ms bucket for each typed row.
        assert.deepEqual(
          await read('SELECT skill_id, hour, invocations, duration_sum, duration_min, duration_max FROM skill_hourly ORDER BY 1, 2'),
          await read(
            'SELECT skill_id, invoked_at / 3600000 AS hour, count(*), sum(duration_ms), min(duration_ms), max(duration_ms) FROM skill_invocations GROUP BY 1, 2 ORDER BY 1, 2',
          ),
        );
        assert.deepEqual(
          await read('SELECT skill_id, sum(count) FROM skill_durations GROUP BY 1 ORDER BY 1'),
          await read('SELECT skill_id, count(*) FROM skill_invocations GROUP BY 1 ORDER BY 1'),
        );
        assert.deepEqual(
          await read('SELECT skill_id, invocations, duration_sum, duration_min, duration_max FROM skill_totals ORDER BY 1'),
          await read('SELECT skill_id, count(*), sum(duration_ms), min(duration_ms), max(duration_ms) FROM skill_invocations GROUP BY 1 ORDER BY 1'),
        );
        assert.deepEqual(
          (await read('SELECT skill_id, day, invocations, duration_min FROM skill_daily ORDER BY 1, 2')).map((r) => r[3]),
          [0, 0, 0, 0],
        );
      });

      it('marks the existing rows and recomputes the duration rollups, losing nothing', async () => {
        await migrator().to(migrator().latestVersion);
        assert.deepEqual(await rollups(b), written);
        const db = b.stores.sqlite?.db;
        if (db) {
          assert.deepEqual(verifyRollups(db), []);
          assert.deepEqual(verifyRollupConsistency(db), []);
        }
      });

      it('fixes the rollups of an hour whose raw rows were archived as far as they are there', async () => {
        // The raw rows of two days ago go (as `archive` moves them out); the rollups keep them, measured or not.
        await migrator().to(24);
        const h0 = Math.floor(NOW / HOUR_MS) * HOUR_MS;
        await b.exec(`DELETE FROM skill_invocations WHERE invoked_at < ${h0 - 24 * HOUR_MS}`);
        await migrator().to(migrator().latestVersion);
        const now = await rollups(b);
        // Everything else as written; skill:deploy's archived hour keeps its typed activation as a 0 ms call
        // (2 invocations, 2 timed, minimum 0): its raw row is not there to mark.
        const archivedHour = Math.floor((h0 - 48 * HOUR_MS) / HOUR_MS);
        assert.deepEqual(now.hist, [
          ['Bash', durationBucket(0), 1],
          ['Bash', durationBucket(40), 1],
          ['skill:deploy', durationBucket(0), 1],
          ['skill:deploy', durationBucket(500), 1],
          ['skill:deploy', durationBucket(800), 1],
          ['skill:deploy', durationBucket(934), 1],
        ]);
        assert.deepEqual(
          now.totals.map(([skill, n, , timed, sum, , lo, hi]) => [skill, n, timed, sum, lo, hi]),
          [
            ['Bash', 4, 2, 40, 0, 40],
            ['skill:deploy', 6, 4, 2234, 0, 934],
            ['skill:notes', 1, 0, 0, 0, 0],
          ],
        );
        assert.deepEqual(
          now.hourly,
          written.hourly.map((r) =>
            r[0] === 'skill:deploy' && r[1] === archivedHour ? (['skill:deploy', archivedHour, 2, 1, 2, 500, 250_000, 0, 500, r[9]!] as Row) : r,
          ),
        );
        const db = b.stores.sqlite?.db;
        if (db) assert.deepEqual(verifyRollupConsistency(db), []);
      });
    });
  }
});
