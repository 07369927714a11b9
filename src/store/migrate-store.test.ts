/**
 * migrate-store: a SQLite store with rows in every table, copied into a fresh
 * PostgreSQL schema, reads back the same (rollups spot-checked), keeps its
 * ids, continues its sequences, and the copy refuses a non-empty target
 * unless forced.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HOUR_MS, hourOf } from '../analytics/types.js';
import { ExperimentService } from '../insights/experiment-service.js';
import { createReflectionService } from '../memory/reflection-service.js';
import { openDatabase, type SqliteDb } from './database.js';
import { COPY_TABLES, migrateSqliteToPg } from './migrate-store.js';
import { openSqliteStores } from './open-stores.js';
import { PgAnalyticsQueries } from './postgres/analytics-queries.js';
import { newPgInstance } from './postgres/pool.js';
import { PgReflectionStore } from './postgres/reflection-store.js';
import { PgStore } from './postgres/store.js';
import type { Stores } from './stores.js';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable, testTracker } from '../testing/backends.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const SALT = 'cd'.repeat(32);
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');

/** 40 invocations (one repeated dedupe key: 39 stored) of 4 skills by 3 users in 6 sessions, over 40 hours. */
function invocations() {
  return Array.from({ length: 40 }, (_, i) => ({
    skill_name: `skill-${i % 4}`,
    user_id: `user-${i % 3}`,
    session_id: `session-${i % 6}`,
    workflow_phase: i % 2 ? 'testing' : 'review',
    completed: i % 5 !== 0,
    duration_ms: 10 * (i + 1),
    invoked_at: NOW - i * HOUR_MS,
    dedupe_key: i === 7 || i === 8 ? 'same' : undefined,
  }));
}

async function fill(stores: Stores): Promise<void> {
  await testTracker(stores.invocations, () => NOW).tracker.trackBatch(invocations());
  await stores.analyticsRecords.saveAnomalies(
    [
      {
        skill_name: 'skill-1',
        metric: 'duration',
        baseline_value: 1,
        observed_value: 2,
        deviation_score: 3,
        direction: 'up',
        severity: 'warning',
        detected_at: NOW,
      },
      {
        skill_name: 'skill-2',
        metric: 'success_rate',
        baseline_value: 1,
        observed_value: 0.5,
        deviation_score: 4,
        direction: 'down',
        severity: 'critical',
        detected_at: NOW,
      },
    ],
    24,
  );
  const baseline = {
    invocations: 10,
    users: 3,
    success_rate: 0.8,
    mean_duration_ms: 100,
    p50_duration_ms: 90,
    p95_duration_ms: null,
    effectiveness_score: 0.5,
    effectiveness_percentile: 50,
  };
  await stores.analyticsRecords.replaceCommunityBaselines(
    [
      { skill_name: 'skill-0', ...baseline },
      { skill_name: 'skill-3', ...baseline },
    ],
    NOW,
  );
  const experiments = new ExperimentService(stores.experiments);
  await experiments.create({ name: 'exp', variants: ['a', 'b'], trafficSplit: [0.5, 0.5], metric: 'm', minSampleSize: 2 }, NOW);
  for (const [u, v] of [
    ['h1', 1],
    ['h2', 2],
    ['h1', 3],
  ] as const)
    await experiments.recordOutcome('exp', u, v, NOW);
  for (const n of [1, 2, 3]) await stores.models.save({ trainedAt: NOW + n, windowDays: 7, samples: n, accuracy: null, report: { n }, model: { n } });
  const reflections = createReflectionService(stores.reflections);
  await reflections.store({ content: 'Rollups are updated in the same transaction', tags: ['store'] });
  await reflections.store({ content: 'Second note' });
  await reflections.store({ content: 'Second note', project: 'web' }); // the same text, kept for another project too
  stores
    .sqlite!.db.prepare("INSERT INTO archives (file, rows, from_at, to_at, sha256, created_at, keys_recorded) VALUES ('a.parquet', 5, 1, 2, 'x', 3, 1)")
    .run();
}

describe('migrate-store (SQLite → PostgreSQL)', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);
  let dir: string;
  let sqlite: Stores;
  let source: SqliteDb;
  const schemas: { url: string; drop(): Promise<void> }[] = [];

  before(async () => {
    if (skip) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrate-store-'));
    sqlite = openSqliteStores(path.join(dir, 'session-buddy.db'));
    await fill(sqlite);
    source = openDatabase(path.join(dir, 'session-buddy.db'), { readonly: true });
  });
  after(async () => {
    if (skip) return;
    source.close();
    await sqlite.close();
    for (const s of schemas) await s.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("takes a target that only a server's bookkeeping has touched as empty (its salt hashed nothing yet)", { skip: skip ?? false }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    schemas.push(schema);
    const target = await PgStore.open(schema.url, { poolSize: 2, instance: newPgInstance() });
    try {
      // What `start` leaves on an empty target: its own salt and the scheduled jobs' leases.
      await target.pool.query("INSERT INTO settings (key, value) VALUES ('user_salt', $1), ('job:anomaly-detection', '{}') ON CONFLICT (key) DO NOTHING", [
        'f'.repeat(64),
      ]);
      const result = await migrateSqliteToPg({ source, target, salt: SALT });
      assert.equal(result.tables.find((t) => t.table === 'skill_invocations')?.target, 39);
      assert.equal((await target.pool.query("SELECT value FROM settings WHERE key = 'user_salt'")).rows[0].value, SALT);
    } finally {
      await target.close();
    }
  });

  it('refuses a source whose archive files hold keys it has not recorded yet (archived by an older version), copying nothing', {
    skip: skip ?? false,
  }, async () => {
    const copy = path.join(dir, 'old-archive.db');
    await source.backup(copy);
    const old = openDatabase(copy);
    try {
      old.exec('UPDATE archives SET keys_recorded = 0');
    } finally {
      old.close();
    }
    const oldSource = openDatabase(copy, { readonly: true });
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    schemas.push(schema);
    const target = await PgStore.open(schema.url, { poolSize: 2, instance: newPgInstance() });
    try {
      await assert.rejects(migrateSqliteToPg({ source: oldSource, target, salt: SALT }), {
        code: 'CONFLICT',
        message: /archive files whose dedupe keys are not recorded in it yet .*nothing was copied$/,
      });
      assert.equal((await target.pool.query('SELECT count(*)::int AS n FROM skill_invocations')).rows[0].n, 0);
    } finally {
      oldSource.close();
      await target.close();
    }
  });

  it('copies every row with its id, verifies the counts and continues the sequences', { skip: skip ?? false }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    schemas.push(schema);
    const target = await PgStore.open(schema.url, { poolSize: 2, instance: newPgInstance() });
    try {
      const progress: number[] = [];
      const result = await migrateSqliteToPg({ source, target, salt: SALT, chunkRows: 7, onProgress: (d) => progress.push(d) });
      const counts = Object.fromEntries(result.tables.map((t) => [t.table, t.target]));
      // Hand-counted: 39 invocations (40, one dedupe repeat); skills 4, users 3, sessions 6;
      // 2 anomalies, 2 baselines; 1 experiment, 2 assigned users, 3 outcomes; 3 models; 3 reflections; 1 archive;
      // the taxonomy seeds (6 categories, 4 modalities, 4 rules); settings: the salt.
      assert.deepEqual(
        [counts.skill_invocations, counts.skills, counts.users, counts.sessions, counts.skill_anomalies, counts.community_baselines],
        [39, 4, 3, 6, 2, 2],
      );
      assert.deepEqual(
        [counts.ab_experiments, counts.ab_assignments, counts.ab_outcomes, counts.prediction_models, counts.reflections, counts.archives],
        [1, 2, 3, 3, 3, 1],
      );
      assert.deepEqual([counts.skill_categories, counts.skill_modalities, counts.skill_dependency_rules, counts.settings], [6, 4, 4, 1]);
      assert.equal(result.tables.length, COPY_TABLES.length);
      assert.ok(result.tables.every((t) => t.source === t.target));
      assert.equal(progress.at(-1), result.rows);

      // Rollup spot check: what the target answers is what the source answers.
      const src = sqlite.analyticsQueries;
      const dst = new PgAnalyticsQueries(target.pool);
      assert.deepEqual(await dst.skillTotals(), await src.skillTotals());
      const range = { fromHour: hourOf(NOW) - 48, toHour: hourOf(NOW) };
      assert.deepEqual(await dst.hourlyRollups(range), await src.hourlyRollups(range));
      assert.deepEqual(await dst.skillHistograms(), await src.skillHistograms());
      const sessionSql = `SELECT x.session_key, x.project, x.agent, x.first_at, x.last_at, x.invocations, x.successes, k.name, y.invocations AS n, y.successes AS ok
        FROM sessions x JOIN session_skills y ON y.session_id = x.id JOIN skills k ON k.id = y.skill_id WHERE x.session_key = 'session-1' ORDER BY k.name`;
      const [pgSession, sqliteSession] = [(await target.pool.query(sessionSql)).rows, source.prepare(sessionSql).all()];
      assert.ok(sqliteSession.length > 0);
      assert.deepEqual(pgSession, sqliteSession);
      // skill-0 = i ≡ 0 (mod 4): i = 0, 4, …, 36 minus i = 8 (a dedupe repeat of i = 7): 9 invocations;
      // failed when i ≡ 0 (mod 5): i = 0, 20 → 7 successes.
      const [s0] = await dst.skillTotals(['skill-0']);
      assert.deepEqual([s0?.invocations, s0?.successes], [9, 7]);

      // Ids kept (raw invocations by id and rowid_, experiments, models), the salt adopted.
      const ids = (db: { query(sql: string): Promise<{ rows: unknown[] }> } | SqliteDb, sql: string) =>
        'prepare' in db ? db.prepare(sql).all() : db.query(sql).then((r) => r.rows);
      const sql = 'SELECT rowid_, id, skill_id, session_id, user_id FROM skill_invocations ORDER BY rowid_';
      assert.deepEqual(await ids(target.pool, sql), await ids(source, sql));
      assert.deepEqual(await ids(target.pool, 'SELECT id FROM prediction_models ORDER BY id'), [{ id: 1 }, { id: 2 }, { id: 3 }]);
      assert.equal((await target.pool.query("SELECT value FROM settings WHERE key = 'user_salt'")).rows[0].value, SALT);

      // Sequences continue after the copied ids: a new skill gets id 4 + 1 = 5; the new raw row rowid_ 39 + 1 = 40
      // (the 39 stored rows have rowid_ 1..39: SQLite gave the skipped dedupe repeat none).
      await target.record([
        {
          id: 'NEW1',
          skillName: 'skill-new',
          userHash: 'x',
          sessionKey: 'new',
          workflowPhase: 'testing',
          completed: true,
          durationMs: 1,
          errorType: null,
          invokedAt: NOW,
          project: null,
          agent: null,
          metadata: null,
          dedupeKey: null,
        },
      ]);
      assert.equal((await target.pool.query("SELECT id FROM skills WHERE name = 'skill-new'")).rows[0].id, 5);
      assert.equal((await target.pool.query("SELECT rowid_ FROM skill_invocations WHERE id = 'NEW1'")).rows[0].rowid_, 40);
      // Reflections are searchable on the target (its generated search column was computed on insert).
      const { rows: found } = await target.pool.query("SELECT content FROM reflections WHERE search @@ plainto_tsquery('english', 'rollup')");
      assert.deepEqual(found, [{ content: 'Rollups are updated in the same transaction' }]);
      // Each copy of a note stays its project's: storing it again adds nothing, another project gets a new id.
      const targetNotes = createReflectionService(new PgReflectionStore(target.pool));
      const [web, ops] = [
        await targetNotes.store({ content: 'Second note', project: 'web' }),
        await targetNotes.store({ content: 'Second note', project: 'ops' }),
      ];
      assert.deepEqual([web.created, web.id, ops.created, ops.project], [false, 3, true, 'ops']);
      assert.ok(ops.id > 3); // past the copied ids (a conflicting insert may use up a sequence value)

      // Not empty any more: refused without force; replaced with it.
      await assert.rejects(migrateSqliteToPg({ source, target }), { code: 'CONFLICT' });
      const again = await migrateSqliteToPg({ source, target, force: true });
      assert.equal(again.tables.find((t) => t.table === 'skill_invocations')?.target, 39);
    } finally {
      await target.close();
    }
  });

  it('runs as `session-buddy migrate-store` with a progress bar and verified counts', { skip: skip ?? false, timeout: 60_000 }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    schemas.push(schema);
    fs.writeFileSync(path.join(dir, 'salt'), `${SALT}\n`, { mode: 0o600 });
    const r = spawnSync(process.execPath, [BIN, 'migrate-store', '--from', `sqlite:${path.join(dir, 'session-buddy.db')}`, '--to', schema.url], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() },
      cwd: dir,
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /skill_invocations\s+39\n/);
    assert.match(r.stdout, /row counts verified table by table/);
    assert.match(r.stderr, /copying \[#+\] 100%/);
    // A second run refuses the now non-empty target (exit 1, CONFLICT).
    const again = spawnSync(process.execPath, [BIN, 'migrate-store', '--from', `sqlite:${path.join(dir, 'session-buddy.db')}`, '--to', schema.url], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() },
      cwd: dir,
      timeout: 60_000,
    });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /not empty .*--force/);
  });
});
