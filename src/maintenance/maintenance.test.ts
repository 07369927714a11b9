import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { HOUR_MS } from '../analytics/types.js';
import { parseConfig } from '../config.js';
import { openDatabase } from '../store/database.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { parseAge } from '../age.js';
import { archiveInvocations } from '../store/sqlite/archive.js';
import { backupDatabase, restoreDatabase, verifyDatabaseFile } from '../store/sqlite/backup.js';
import { compactionAdvice } from '../session/storage.js';
import { runDoctor } from './doctor.js';
import type { AppError } from '../errors.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const DAY = 24 * HOUR_MS;

async function seed(app: TestApp, n: number, ageDays: (i: number) => number) {
  await app.tracker.trackBatch(
    Array.from({ length: n }, (_, i) => ({
      skill_name: `skill-${i % 3}`,
      user_id: `u${i % 4}`,
      session_id: `s${i % 10}`,
      workflow_phase: 'testing',
      completed: i % 5 !== 0,
      duration_ms: 100 + i,
      invoked_at: NOW - ageDays(i) * DAY - i * 1000,
      metadata: i % 7 === 0 ? { note: `n${i}` } : undefined,
    })),
  );
}

async function duck(sql: string, dir: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:', {
    extension_directory: path.join(dir, 'duck-ext'),
    home_directory: dir,
    autoinstall_known_extensions: 'false',
  });
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('backup and restore', () => {
  it('backs up online to a verified copy and restores it, keeping the replaced database', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      await seed(app, 200, () => 1);
      const dest = path.join(app.dir, 'copy.db');
      // Writes continue while the backup runs; the copy is consistent either way.
      const [copy] = await Promise.all([backupDatabase(app.db, dest), seed(app, 50, () => 0)]);
      assert.equal(verifyDatabaseFile(dest).invocations, copy.invocations);
      assert.ok(copy.invocations === 200 || copy.invocations === 250);
      assert.equal(fs.statSync(dest).mode & 0o777, 0o600);
      await assert.rejects(backupDatabase(app.db, dest), /already exists/);

      const target = path.join(app.dir, 'restored', 'session-buddy.db');
      fs.mkdirSync(path.dirname(target));
      fs.copyFileSync(dest, target);
      const result = restoreDatabase(dest, target, { dataDir: app.dir, now: 123 });
      assert.equal(result.invocations, copy.invocations);
      assert.equal(result.previous, `${target}.before-restore-123`);
      assert.ok(fs.existsSync(result.previous!));
    } finally {
      await app.dispose();
    }
  });

  it('refuses files that are not Session Buddy databases', async () => {
    const app = createTestApp();
    try {
      const junk = path.join(app.dir, 'junk.db');
      fs.writeFileSync(junk, 'nope'.repeat(1000));
      assert.throws(() => verifyDatabaseFile(junk), /not a valid|not a database/);
      const other = path.join(app.dir, 'other.db');
      const db = openDatabase(other);
      db.exec('CREATE TABLE t (x)');
      db.close();
      assert.throws(() => restoreDatabase(other, path.join(app.dir, 'x.db'), { dataDir: app.dir }), /not a Session Buddy one/);
      // The error names the file given (not the copy restore works on) and is bad input (exit 2).
      assert.throws(
        () => restoreDatabase(junk, path.join(app.dir, 'x.db'), { dataDir: app.dir }),
        (e: AppError) => e.code === 'INVALID_INPUT' && e.message === `${junk} is not a valid Session Buddy database (SQLITE_NOTADB)`,
      );
      assert.throws(
        () => restoreDatabase(path.join(app.dir, 'none.db'), path.join(app.dir, 'x.db'), { dataDir: app.dir }),
        (e: AppError) => e.code === 'INVALID_INPUT',
      );
    } finally {
      await app.dispose();
    }
  });
});

describe('archive', () => {
  it('parses retention ages', () => {
    assert.equal(parseAge('365d'), 365 * DAY);
    assert.equal(parseAge('2w'), 14 * DAY);
    assert.equal(parseAge('48h'), 48 * HOUR_MS);
    assert.throws(() => parseAge('a year'), /older-than/);
  });

  it('moves old raw rows to Parquet that DuckDB reads back, deletes exactly those, and leaves rollups intact', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      // 120 rows 400 days old, 80 rows 10 days old.
      await seed(app, 200, (i) => (i < 120 ? 400 : 10));
      const totalsBefore = await app.stores.analyticsQueries.skillTotals();
      const oldSum = app.db
        .prepare('SELECT sum(duration_ms) FROM skill_invocations WHERE invoked_at < ?')
        .pluck()
        .get(NOW - 365 * DAY) as number;

      const result = await archiveInvocations({ db: app.db, dataDir: app.dir, before: NOW - 365 * DAY, rowsPerFile: 50, now: () => NOW });
      assert.equal(result.rows, 120);
      assert.equal(result.files.length, 3); // 50 + 50 + 20
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 80);
      assert.equal(app.db.prepare('SELECT count(*) FROM archives').pluck().get(), 3);

      const glob = path.join(app.dir, 'archive', '*.parquet');
      const [row] = await duck(
        `SELECT count(*) AS n, sum(duration_ms) AS d, count(DISTINCT id) AS ids, min(invoked_at) AS first FROM read_parquet('${glob}')`,
        app.dir,
      );
      assert.equal(Number(row!.n), 120);
      assert.equal(Number(row!.ids), 120);
      assert.equal(Number(row!.d), oldSum);
      const [meta] = await duck(`SELECT count(*) AS n FROM read_parquet('${glob}') WHERE metadata IS NOT NULL`, app.dir);
      // Rows 0, 7, ..., 119 carry metadata: 18 of the first 120.
      assert.equal(Number(meta!.n), 18);

      assert.deepEqual(await app.stores.analyticsQueries.skillTotals(), totalsBefore);
    } finally {
      await app.dispose();
    }
  });
});

describe('doctor', () => {
  it('passes on a fresh installation and flags a readable salt', async () => {
    const app = createTestApp();
    try {
      const config = parseConfig({ flags: { dataDir: app.dir, port: 0 }, env: {} });
      fs.chmodSync(app.dir, 0o700);
      let checks = await runDoctor({ config, deep: true });
      assert.deepEqual(
        checks.filter((c) => c.status === 'fail'),
        [],
      );
      assert.ok(checks.some((c) => c.name === 'rollups' && c.status === 'ok'));
      fs.chmodSync(path.join(app.dir, 'salt'), 0o644);
      checks = await runDoctor({ config });
      assert.equal(checks.find((c) => c.name === 'salt file')?.status, 'fail');
    } finally {
      await app.dispose();
    }
  });

  it('after an archive, --deep still checks the rollups against each other and says the raw rows were not compared', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      await seed(app, 200, (i) => (i < 120 ? 400 : 10));
      await archiveInvocations({ db: app.db, dataDir: app.dir, before: NOW - 365 * DAY, now: () => NOW });
      const config = parseConfig({ flags: { dataDir: app.dir, port: 0 }, env: {} });
      const rollups = async () => (await runDoctor({ config, deep: true })).find((c) => c.name === 'rollups');
      const skipped = 'rollups against raw rows not compared: 1 archive(s) moved raw rows out of the live table on purpose';

      let check = await rollups();
      assert.equal(check?.status, 'ok');
      assert.equal(check?.detail, `each day equals the sum of its hours, all-time totals equal the hourly rollups; ${skipped}`);

      // A day that is no longer the sum of its hours (as in the audit: +1000 invocations on one skill's days).
      const skill = app.db.prepare('SELECT skill_id FROM skill_daily LIMIT 1').pluck().get();
      app.db.prepare('UPDATE skill_daily SET invocations = invocations + 1000 WHERE skill_id = ?').run(skill);
      check = await rollups();
      assert.equal(check?.status, 'fail');
      assert.equal(check?.detail, `2+ mismatches, first in skill_daily; ${skipped}`);
      app.db.prepare('UPDATE skill_daily SET invocations = invocations - 1000 WHERE skill_id = ?').run(skill);

      // All-time figures that no longer add up to the hourly rollups.
      app.db.prepare('UPDATE skill_totals SET successes = successes + 1 WHERE skill_id = ?').run(skill);
      app.db.prepare('UPDATE skill_durations SET count = count + 1 WHERE skill_id = ?').run(skill);
      check = await rollups();
      assert.equal(check?.status, 'fail');
      assert.match(check?.detail ?? '', /^\d\+ mismatches, first in skill_totals; /);
    } finally {
      await app.dispose();
    }
  });

  it('advises compact only when free pages worth a rewrite would be reclaimed, and says how much', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      await seed(app, 200, () => 1);
      const size = async (env: Record<string, string> = {}) =>
        (await runDoctor({ config: parseConfig({ flags: { dataDir: app.dir, port: 0 }, env }) })).find((c) => c.name === 'size');
      assert.equal(app.db.pragma('freelist_count', { simple: true }), 0);
      // Small, no free pages: nothing to advise.
      let check = await size();
      assert.equal(check?.status, 'ok');
      assert.doesNotMatch(check?.detail ?? '', /compact|archive/);
      // Past the size threshold with no free pages: compact would reclaim nothing; archive is what shrinks it.
      check = await size({ SESSION_BUDDY_COMPACT_THRESHOLD_MB: '0.01' });
      assert.equal(check?.status, 'warn');
      assert.doesNotMatch(check?.detail ?? '', /compact/);
      assert.match(check?.detail ?? '', /^[\d.]+ MiB, 0\.0 MiB free pages, above the 0\.0 MiB threshold: `session-buddy archive` moves old rows out$/);
      // 12 MiB freed (a dropped table): compact would give it back, and says so.
      app.db.exec('CREATE TABLE scratch (b BLOB)');
      const insert = app.db.prepare('INSERT INTO scratch VALUES (zeroblob(65536))');
      for (let i = 0; i < 192; i++) insert.run();
      app.db.exec('DROP TABLE scratch');
      check = await size();
      assert.equal(check?.status, 'warn');
      assert.match(check?.detail ?? '', /^[\d.]+ MiB, 1[23]\.\d MiB free pages: `session-buddy compact` would reclaim about 1[23]\.\d MiB$/);
    } finally {
      await app.dispose();
    }
  });

  it('advises archive past the size threshold, not at it, by the same rule as the checkpoint', async () => {
    const app = createTestApp({ now: () => NOW });
    try {
      await seed(app, 200, () => 1);
      const pragma = (name: string) => app.db.pragma(name, { simple: true }) as number;
      const stats = { pageSize: pragma('page_size'), pageCount: pragma('page_count'), freelistCount: pragma('freelist_count') };
      const bytes = stats.pageSize * stats.pageCount;
      // The threshold in MiB as SESSION_BUDDY_COMPACT_THRESHOLD_MB takes it (a whole number of pages is an exact decimal of MiB).
      for (const [threshold, past] of [
        [bytes, false],
        [bytes - stats.pageSize, true],
      ] as const) {
        const config = parseConfig({ flags: { dataDir: app.dir, port: 0 }, env: { SESSION_BUDDY_COMPACT_THRESHOLD_MB: String(threshold / 1048576) } });
        assert.equal(config.compactThresholdBytes, threshold);
        const check = (await runDoctor({ config })).find((c) => c.name === 'size');
        assert.equal(check?.status, past ? 'warn' : 'ok', `${threshold} bytes: ${check?.detail}`);
        assert.equal(/session-buddy archive/.test(check?.detail ?? ''), past, check?.detail);
        // The checkpoint's storage advice, on the same database and threshold, agrees.
        const advice = compactionAdvice(stats, { compactThresholdBytes: config.compactThresholdBytes });
        assert.deepEqual(
          advice.actions.map((a) => a.action),
          past ? ['compact'] : [],
        );
      }
    } finally {
      await app.dispose();
    }
  });

  it('takes a missing access token as normal until a server runs', async () => {
    const app = createTestApp();
    try {
      const config = parseConfig({ flags: { dataDir: app.dir, port: 0 }, env: {} });
      const token = path.join(app.dir, 'token');
      assert.equal(fs.existsSync(token), false);
      let check = (await runDoctor({ config, privateFiles: ['token'] })).find((c) => c.name === 'token file');
      assert.deepEqual([check?.status, check?.detail], ['ok', `${token} not created yet (the server creates it when it starts)`]);
      check = (await runDoctor({ config, privateFiles: ['token'], runningServer: { pid: process.pid, port: 1 } })).find((c) => c.name === 'token file');
      assert.equal(check?.status, 'warn');
      assert.match(check?.detail ?? '', /missing although the server is running/);
    } finally {
      await app.dispose();
    }
  });
});
