import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createTestApp } from '../testing/harness.js';
import { openDatabase } from './database.js';
import { Migrator } from './sqlite/migrator.js';
import { loadMigrations, migrationsDir } from './migrations.js';
import { verifyRollups } from './sqlite/rollup-check.js';

function tables(db: ReturnType<typeof openDatabase>): string[] {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
}

describe('migrations', () => {
  it('ship as complete up/down pairs numbered without gaps', () => {
    const list = loadMigrations(migrationsDir('sqlite'));
    assert.ok(list.length >= 2);
    list.forEach((m, i) => assert.equal(m.version, i + 1));
  });

  it('are idempotent: a second up changes nothing', () => {
    const db = openDatabase(':memory:');
    const m = new Migrator(db);
    const first = m.up();
    assert.equal(first.length, m.latestVersion);
    const schema = db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all();
    assert.deepEqual(m.up(), []);
    assert.deepEqual(db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all(), schema);
    assert.equal(m.currentVersion(), m.latestVersion);
    db.close();
  });

  it('go up, down and up again on a database holding data without losing what the down step did not drop', async () => {
    const app = createTestApp();
    try {
      const now = Date.now();
      await app.tracker.trackBatch(
        Array.from({ length: 50 }, (_, i) => ({
          skill_name: `skill-${i % 5}`,
          user_id: `u${i % 7}`,
          session_id: `s${i % 9}`,
          workflow_phase: 'testing',
          completed: i % 4 !== 0,
          duration_ms: i * 10,
          invoked_at: now - i * 60_000,
        })),
      );
      const db = app.db;
      const m = app.sqlite.migrator;
      // The columns of version 1 (later columns, such as activation_trigger, go with their migration's down step).
      const snapshot = () =>
        JSON.stringify(
          db
            .prepare(
              `SELECT rowid_, id, skill_id, session_id, user_id, workflow_phase, completed, duration_ms, error_type, invoked_at,
                 project, agent, metadata, dedupe_key FROM skill_invocations ORDER BY id`,
            )
            .all(),
        );
      const before = snapshot();
      const latest = m.latestVersion;

      // Down to version 1: every later migration's tables go, the base tables and their rows stay.
      const down = m.to(1);
      assert.equal(down.length, latest - 1);
      assert.ok(down.every((s) => s.direction === 'down'));
      assert.ok(!tables(db).includes('prediction_models'));
      assert.equal(snapshot(), before);

      const up = m.up();
      assert.equal(up.length, latest - 1);
      assert.ok(tables(db).includes('prediction_models'));
      assert.equal(snapshot(), before);
      assert.deepEqual(verifyRollups(db), []);

      // Rolling back one step removes only the newest migration.
      m.rollback();
      assert.equal(m.currentVersion(), latest - 1);
      m.up();

      // All the way down drops exactly what 0001 created, and nothing else survives.
      m.to(0);
      assert.deepEqual(tables(db), ['schema_migrations']);
      m.up();
      assert.equal(db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 0);
      assert.equal(db.prepare('SELECT count(*) FROM skill_categories').pluck().get(), 6);
      assert.equal(db.prepare('SELECT count(*) FROM skill_modalities').pluck().get(), 4);
    } finally {
      await app.dispose();
    }
  });

  it('read a database through a read-only handle without writing: no bookkeeping table is version 0', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-mig-ro-')), 'empty.db');
    fs.writeFileSync(file, '');
    const db = openDatabase(file, { readonly: true });
    try {
      const m = new Migrator(db);
      assert.equal(m.currentVersion(), 0);
      assert.deepEqual(m.applied(), []);
      assert.equal(m.status().filter((s) => s.appliedAt === null).length, m.latestVersion);
    } finally {
      db.close();
    }
    assert.equal(fs.statSync(file).size, 0);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('leave the schema at the previous version when a step fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-mig-'));
    try {
      fs.writeFileSync(path.join(dir, '0001_a.up.sql'), 'CREATE TABLE a (x INTEGER);');
      fs.writeFileSync(path.join(dir, '0001_a.down.sql'), 'DROP TABLE a;');
      fs.writeFileSync(path.join(dir, '0002_b.up.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);');
      fs.writeFileSync(path.join(dir, '0002_b.down.sql'), 'DROP TABLE b;');
      const db = openDatabase(':memory:');
      const m = new Migrator(db, loadMigrations(dir));
      assert.throws(() => m.up(), /0002_b \(up\) failed/);
      assert.equal(m.currentVersion(), 1);
      assert.deepEqual(tables(db), ['a', 'schema_migrations']);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse to run when an applied migration was edited', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-mig-'));
    try {
      fs.writeFileSync(path.join(dir, '0001_a.up.sql'), 'CREATE TABLE a (x INTEGER);');
      fs.writeFileSync(path.join(dir, '0001_a.down.sql'), 'DROP TABLE a;');
      const db = openDatabase(':memory:');
      new Migrator(db, loadMigrations(dir)).up();
      fs.writeFileSync(path.join(dir, '0001_a.up.sql'), 'CREATE TABLE a (x INTEGER, y TEXT);');
      assert.throws(() => new Migrator(db, loadMigrations(dir)).up(), /checksum mismatch/);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
