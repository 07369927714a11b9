import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appendToSpool, drainSpool } from '../capture/spool.js';
import { parseConfig } from '../config.js';
import { openPgStores } from '../store/postgres/stores.js';
import { newPgInstance } from '../store/postgres/pool.js';
import { writeSalt } from '../store/salt.js';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../testing/backends.js';
import { openTracker } from '../tracking/open-tracker.js';
import { runDoctor } from './doctor.js';
import type { PgHealth } from '../store/store-health.js';
import type { Check } from './doctor-check.js';
import { postgresChecks } from './pg-doctor.js';

function checks(rollups: PgHealth['rollups']): Check[] {
  const out: Check[] = [];
  const health: PgHealth = {
    kind: 'postgres',
    location: 'postgres://sb@localhost/sb',
    server: 'localhost:5432 (from --store postgres://sb@localhost/sb)',
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

describe('doctor and status on PostgreSQL: spooled lines the store refused', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);
  const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');

  it('warns about lines hashed with another salt instead of reporting the salt and the hooks as fine', { skip: skip ?? false, timeout: 120_000 }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-pg-doctor-'));
    try {
      const seeded = await openPgStores(schema.url, { salt: 'd'.repeat(64), poolSize: 1, instance: newPgInstance() });
      await seeded.close();
      const config = parseConfig({ flags: { dataDir, store: schema.url, port: 0 }, env: {} });
      const clean = await runDoctor({ config });
      assert.deepEqual(
        clean.filter((c) => c.name === 'rejected spool lines'),
        [{ name: 'rejected spool lines', status: 'ok', detail: 'none' }],
      );

      // Spooled by a hook before any process opened the store from this data directory: hashed with the old local salt.
      writeSalt(dataDir, '1'.repeat(64));
      appendToSpool(dataDir, [
        {
          skill_name: 'Bash',
          session_id: 's1',
          user_id: 'alice',
          workflow_phase: 'unknown',
          completed: true,
          duration_ms: 1,
          error_type: null,
          invoked_at: Date.now() - 60_000,
          project: 'p',
          agent: 'claude-code',
          metadata: { source: 'hook' },
          dedupe_key: 'cc:s1:toolu_1',
        },
      ]);
      const opened = await openTracker(config);
      try {
        assert.equal((await drainSpool(dataDir, (inputs) => opened.tracker.trackBatch(inputs))).rejected, 1);
      } finally {
        await opened.close();
      }

      const checks = await runDoctor({ config });
      assert.equal(checks.find((c) => c.name === 'user salt')?.status, 'ok');
      const rejected = checks.find((c) => c.name === 'rejected spool lines');
      assert.equal(rejected?.status, 'warn');
      assert.match(rejected!.detail, /^1 spooled invocation\(s\) were not recorded, kept with the reason in .*spool\.rejected\.jsonl, last \d{4}-/);
      assert.match(rejected!.detail, /1 of them because their user id was hashed with another salt than the store's/);
      assert.match(rejected!.detail, /`migrate-store` that database, or move it out of the directory/);

      const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'status', '--json'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dataDir, SESSION_BUDDY_STORE: schema.url },
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const capture = (JSON.parse(r.stdout) as { capture: { spool_rejected: { count: number; salt_mismatch: number; last_reason: string } } }).capture;
      assert.equal(capture.spool_rejected.count, 1);
      assert.equal(capture.spool_rejected.salt_mismatch, 1);
      assert.match(capture.spool_rejected.last_reason, /^user_id: is pre-hashed with another salt \(fingerprint [0-9a-f]{8};/);
      const text = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'status'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dataDir, SESSION_BUDDY_STORE: schema.url },
        timeout: 60_000,
      });
      assert.match(text.stdout, /^hooks: .*; 1 spooled invocation\(s\) REJECTED by the store \(1 hashed with another salt\) — see `session-buddy doctor`$/m);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    }
  });
});
