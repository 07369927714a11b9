/**
 * Migration 0009 (DDSketch buckets, min/max per rollup) on every back-end:
 * histograms recomputed from the raw rows, archived hours converted and marked,
 * and back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PgStore } from './postgres/store.js';
import { testBackends, testTracker, type OpenedBackend } from '../testing/backends.js';

const T0 = Date.UTC(2025, 5, 10, 12, 0, 0);
const H0 = T0 / 3_600_000;
const MIN = 60_000;

async function migrateTo(b: OpenedBackend, version?: number): Promise<void> {
  const m = b.stores.sqlite?.migrator ?? (b.store as PgStore).migrator;
  await m.to(version ?? m.latestVersion);
}

type Row = { hour: number; bucket: number; count: number };

describe('migration 0009: accurate quantiles', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      before(async () => {
        if (backend.skip) return;
        b = await backend.open();
        const inv = (ms: number, at: number) => ({
          skill_name: 'a',
          user_id: 'u',
          session_id: 's',
          workflow_phase: 'testing',
          completed: true,
          duration_ms: ms,
          invoked_at: at,
        });
        await testTracker(b.store, () => T0 + HOUR_END).tracker.trackBatch([
          inv(100, T0 + MIN),
          inv(1000, T0 + 2 * MIN),
          inv(0, T0 + 3 * MIN), // hour H0
          inv(2, T0 - 2 * 3_600_000 + MIN),
          inv(5000, T0 - 2 * 3_600_000 + 2 * MIN), // hour H0 - 2
        ]);
      });
      after(async () => {
        await b?.dispose();
      });
      const hist = async () =>
        (await b.query<Row>('SELECT hour, bucket, count FROM skill_hourly_durations ORDER BY hour, bucket')).map((r) => [
          Number(r.hour) - H0,
          Number(r.bucket),
          Number(r.count),
        ]);

      it('writes the new buckets and the min/max on ingest', async () => {
        // ceil(ln(ms) / ln(1.01 / 0.99)): 0 ms → -1, 2 → 35, 100 → 231, 1000 → 346, 5000 → ceil(425.83) = 426.
        assert.deepEqual(await hist(), [
          [-2, 35, 1],
          [-2, 426, 1],
          [0, -1, 1],
          [0, 231, 1],
          [0, 346, 1],
        ]);
        const t = await b.query<{ lo: number; hi: number }>('SELECT duration_min AS lo, duration_max AS hi FROM skill_totals');
        assert.deepEqual(
          t.map((r) => [Number(r.lo), Number(r.hi)]),
          [[0, 5000]],
        );
      });

      it('goes back to the 19 % buckets recomputed from the raw rows', async () => {
        await migrateTo(b, 8);
        // floor(log2(ms) × 4) + 1: 0 ms → 0, 2 → 5, 100 → 27, 1000 → 40, 5000 → 50.
        assert.deepEqual(await hist(), [
          [-2, 5, 1],
          [-2, 50, 1],
          [0, 0, 1],
          [0, 27, 1],
          [0, 40, 1],
        ]);
      });

      it('recomputes from the raw rows, and converts and marks an hour whose raw rows were archived', async () => {
        await b.exec(`DELETE FROM skill_invocations WHERE invoked_at < ${T0}`); // "archive" hour H0 - 2
        await migrateTo(b);
        // H0 from raw rows; H0 - 2 from its old buckets 5 and 50 at their geometric middles
        // 2^(4.5/4) = 2.181 → bucket 39 and 2^(49.5/4) = 5311.85 → bucket 429.
        assert.deepEqual(await hist(), [
          [-2, 39, 1],
          [-2, 429, 1],
          [0, -1, 1],
          [0, 231, 1],
          [0, 346, 1],
        ]);
        const hours = await b.query<{ hour: number; lo: number; hi: number; exact: number }>(
          'SELECT hour, duration_min AS lo, duration_max AS hi, durations_exact AS exact FROM skill_hourly ORDER BY hour',
        );
        // Archived hour: min/max are the old buckets' outer bounds, floor(2^(4/4)) = 2 and ceil(2^(50/4)) = 5793.
        assert.deepEqual(
          hours.map((r) => [Number(r.hour) - H0, Number(r.lo), Number(r.hi), Number(r.exact)]),
          [
            [-2, 2, 5793, 0],
            [0, 0, 1000, 1],
          ],
        );
        const all = await b.query<Row>('SELECT bucket, count FROM skill_durations ORDER BY bucket');
        assert.deepEqual(
          all.map((r) => [Number(r.bucket), Number(r.count)]),
          [
            [-1, 1],
            [39, 1],
            [231, 1],
            [346, 1],
            [429, 1],
          ],
        );
        const t = await b.query<{ lo: number; hi: number }>('SELECT duration_min AS lo, duration_max AS hi FROM skill_totals');
        assert.deepEqual(
          t.map((r) => [Number(r.lo), Number(r.hi)]),
          [[0, 5793]],
        );
      });
    });
  }
});

const HOUR_END = 3_600_000 - 1;
