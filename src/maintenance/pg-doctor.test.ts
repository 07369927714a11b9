import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PgHealth } from '../store/store-health.js';
import type { Check } from './doctor-check.js';
import { postgresChecks } from './pg-doctor.js';

function checks(rollups: PgHealth['rollups']): Check[] {
  const out: Check[] = [];
  const health: PgHealth = {
    kind: 'postgres',
    location: 'postgres://sb@localhost/sb',
    serverVersion: '16.4',
    connectError: null,
    schemaVersion: 1,
    latestVersion: 1,
    hasSalt: true,
    stats: { pageSize: 8192, pageCount: 100, freelistCount: 0, postgres: { autovacuum: true, liveRows: 10, deadRows: 0 } },
    rollups,
  };
  postgresChecks(health, (name, status, detail) => out.push({ name, status, detail }));
  return out.filter((c) => c.name === 'rollups' || c.name === 'daily rollups');
}

describe('doctor --deep on PostgreSQL', () => {
  it('compares the rollup totals with the raw rows when nothing was archived', () => {
    assert.deepEqual(checks({ raw: 40, totals: 40, hourly: 40, archived: 0, dailyMismatches: 0 }), [
      { name: 'rollups', status: 'ok', detail: 'all-time and hourly totals both sum to the 40 raw invocations' },
      { name: 'daily rollups', status: 'ok', detail: 'every day equals the sum of its hours (totals and histograms)' },
    ]);
    assert.equal(checks({ raw: 40, totals: 41, hourly: 40, archived: 0, dailyMismatches: 0 })[0]!.status, 'fail');
  });

  it('after an archive, compares the all-time totals with the hourly ones and says the raw rows were not compared', () => {
    const skipped = 'rollups against raw rows not compared: 1 archive(s) moved raw rows out of the live table on purpose';
    assert.deepEqual(checks({ raw: 40, totals: 100, hourly: 100, archived: 1, dailyMismatches: 0 }), [
      { name: 'rollups', status: 'ok', detail: `all-time totals and hourly totals both sum to 100 invocations; ${skipped}` },
      { name: 'daily rollups', status: 'ok', detail: 'every day equals the sum of its hours (totals and histograms)' },
    ]);
    assert.deepEqual(checks({ raw: 40, totals: 1100, hourly: 100, archived: 1, dailyMismatches: 3 }), [
      { name: 'rollups', status: 'fail', detail: `all-time totals sum to 1100 invocations, hourly totals to 100; ${skipped}` },
      { name: 'daily rollups', status: 'fail', detail: '3 daily rollup row(s) differ from the sum of their hours' },
    ]);
  });
});
