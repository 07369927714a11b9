/**
 * A database file whose header is damaged, beside a -wal that holds committed writes: opening it
 * must not cost the -wal (SQLite deletes it when such an open fails), and a -wal that carries a good
 * first page still opens as before.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { openDatabase } from './database.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A database file and its -wal, copied while the writer is open (so the -wal is still there), then the header overwritten. */
function damagedPair(checkpointFirst: boolean): { file: string; walBytes: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-damaged-header-'));
  dirs.push(dir);
  const live = path.join(dir, 'live.db');
  const db = new Database(live);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (x INTEGER)');
  // With a checkpoint here the -wal holds only the inserts: its frames do not include page 1.
  if (checkpointFirst) db.pragma('wal_checkpoint(TRUNCATE)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 0; i < 200; i++) insert.run(i);
  const file = path.join(dir, 'copy.db');
  fs.copyFileSync(live, file);
  fs.copyFileSync(`${live}-wal`, `${file}-wal`);
  db.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.from('not a database!!'), 0, 16, 0);
  fs.closeSync(fd);
  return { file, walBytes: fs.readFileSync(`${file}-wal`) };
}

describe('opening a database whose header is damaged', () => {
  it('is refused as not a database, and its -wal is left exactly as it was', () => {
    const { file, walBytes } = damagedPair(true);
    assert.throws(
      () => openDatabase(file),
      (e: unknown) =>
        e instanceof AppError &&
        e.code === 'STORE_UNAVAILABLE' &&
        /not a valid Session Buddy database \(SQLITE_NOTADB\): its header is damaged; its write-ahead log .*-wal was left as it is$/.test(e.message) &&
        (e.cause as { code?: string }).code === 'SQLITE_NOTADB',
    );
    assert.deepEqual(fs.readFileSync(`${file}-wal`), walBytes);
    // Read-only opens (status, skills…) keep it too.
    assert.throws(() => openDatabase(file, { readonly: true }), /SQLITE_NOTADB/);
    assert.deepEqual(fs.readFileSync(`${file}-wal`), walBytes);
  });

  it('opens as before when the -wal carries a good first page', () => {
    const { file } = damagedPair(false);
    const db = openDatabase(file);
    try {
      assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 200);
    } finally {
      db.close();
    }
  });
});
