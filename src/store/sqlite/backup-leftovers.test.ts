import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../database.js';
import { createTestApp } from '../../testing/harness.js';
import { readSalt } from '../salt.js';
import { backupDatabase, restoreDatabase } from './backup.js';

const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../testing/backup-child.ts');

const tmpDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `sb-${name}-`));

describe('backup and restore leave nothing behind', () => {
  it('backup writes only the backup file (0600), no -wal/-shm/.partial beside it', async () => {
    const app = createTestApp();
    const out = tmpDir('bk');
    try {
      await app.tracker.track({ skill_name: 's', user_id: 'u', session_id: 'x', workflow_phase: 'testing', completed: true, duration_ms: 5 });
      const dest = path.join(out, 'b.db');
      const copy = await backupDatabase(app.db, dest);
      assert.equal(copy.invocations, 1);
      assert.deepEqual(fs.readdirSync(out), ['b.db']);
      assert.equal(fs.statSync(dest).mode & 0o777, 0o600);
    } finally {
      await app.dispose();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('backup into a directory that does not exist is refused with a clear message and creates nothing', async () => {
    const app = createTestApp();
    const out = tmpDir('bk');
    try {
      const dest = path.join(out, 'missing', 'b.db');
      await assert.rejects(backupDatabase(app.db, dest), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'INVALID_INPUT');
        assert.equal(err.message, `the directory ${path.join(out, 'missing')} does not exist; create it first (nothing was written)`);
        return true;
      });
      assert.deepEqual(fs.readdirSync(out), []);
    } finally {
      await app.dispose();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('restore leaves nothing beside the file it read, even when that file is in WAL mode', async () => {
    const app = createTestApp();
    const src = tmpDir('rs');
    try {
      await app.tracker.track({ skill_name: 's', user_id: 'u', session_id: 'x', workflow_phase: 'testing', completed: true, duration_ms: 5 });
      const backup = path.join(src, 'b.db');
      await backupDatabase(app.db, backup);
      // A copy made another way may still be in WAL mode.
      const walCopy = path.join(src, 'wal.db');
      fs.copyFileSync(backup, walCopy);
      const w = new Database(walCopy);
      w.pragma('journal_mode = WAL');
      w.close();
      assert.deepEqual(fs.readdirSync(src).sort(), ['b.db', 'wal.db']);
      const target = path.join(app.dir, 'restored', 'session-buddy.db');
      for (const file of [backup, walCopy]) {
        // Into another data directory: with the salt its users were hashed with (the database records it).
        const result = restoreDatabase(file, target, { dataDir: path.dirname(target), salt: readSalt(app.dir)! });
        assert.equal(result.invocations, 1);
        assert.deepEqual(fs.readdirSync(src).sort(), ['b.db', 'wal.db'], `restore of ${path.basename(file)} left files beside it`);
      }
    } finally {
      await app.dispose();
      fs.rmSync(src, { recursive: true, force: true });
    }
  });

  it('a backup killed with SIGKILL half-way leaves only a 0600 partial file, which the next backup removes', async () => {
    const work = tmpDir('bk-kill');
    try {
      const source = path.join(work, 'source.db');
      const db = openDatabase(source);
      db.exec('CREATE TABLE blobs (b BLOB)');
      const insert = db.prepare('INSERT INTO blobs VALUES (randomblob(65536))');
      db.transaction(() => {
        for (let i = 0; i < 384; i++) insert.run();
      })();
      db.close();
      const out = path.join(work, 'out');
      fs.mkdirSync(out);
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, source, path.join(out, 'killed.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('COPYING')) child.kill('SIGKILL');
        });
        child.on('exit', (_c, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child was not killed: ${stderr}`))));
      });
      const left = fs.readdirSync(out);
      assert.ok(left.length > 0, 'the killed backup left no partial file (killed too late?)');
      for (const name of left) {
        assert.ok(!name.endsWith('killed.db') || name.includes('partial'), `a complete-looking backup ${name} was left`);
        assert.equal(fs.statSync(path.join(out, name)).mode & 0o777, 0o600, `${name} is readable by others`);
      }
      const src = openDatabase(source, { readonly: true });
      try {
        // The next backup into the same directory cleans up after the dead one (it then fails verification: not a Session Buddy database).
        await assert.rejects(backupDatabase(src, path.join(out, 'next.db')), /not a Session Buddy one/);
      } finally {
        src.close();
      }
      assert.deepEqual(fs.readdirSync(out), []);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
