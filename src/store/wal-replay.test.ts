/**
 * applyWal: a WAL database's main file plus its -wal file read as SQLite reads them, without the
 * -shm index (what a read-only open of a directory this process cannot write gets, database.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { applyWal } from './wal-replay.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-wal-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Sum and count of `t.v` in an image of the database. */
function read(image: Buffer): { n: number; sum: number; check: string } {
  const db = new Database(image, { readonly: true });
  try {
    const { n, sum } = db.prepare('SELECT count(*) AS n, coalesce(sum(v), 0) AS sum FROM t').get() as { n: number; sum: number };
    return { n, sum, check: String(db.pragma('integrity_check', { simple: true })) };
  } finally {
    db.close();
  }
}

describe('applyWal', () => {
  it('applies the committed transactions of the log, and leaves out one cut short', () => {
    const file = path.join(dir, 'a.db');
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, pad TEXT)');
    writer.exec('PRAGMA wal_checkpoint(TRUNCATE)'); // the table is in the main file, the rows only in the log
    const insert = writer.prepare('INSERT INTO t (v, pad) VALUES (?, ?)');
    writer.transaction(() => {
      for (let i = 1; i <= 300; i++) insert.run(i, 'x'.repeat(200));
    })();
    writer.transaction(() => {
      for (let i = 1; i <= 50; i++) insert.run(1000, 'y'.repeat(200));
    })();
    const main = fs.readFileSync(file);
    const wal = fs.readFileSync(`${file}-wal`);
    writer.close();

    assert.equal(read(Buffer.from(main).fill(1, 18, 20)).n, 0, 'the main file alone holds no row');
    const whole = applyWal(main, wal);
    assert.ok(whole.frames > 2);
    assert.deepEqual(read(whole.image), { n: 350, sum: (300 * 301) / 2 + 50 * 1000, check: 'ok' });
    assert.deepEqual([whole.image[18], whole.image[19]], [1, 1], 'marked as a rollback-journal file');

    // The last frame cut short (a writer killed mid-commit): its whole transaction is left out.
    const cut = applyWal(main, wal.subarray(0, wal.length - 100));
    assert.deepEqual(read(cut.image), { n: 300, sum: (300 * 301) / 2, check: 'ok' });

    // A frame whose checksum fails ends the log there, as in SQLite's recovery.
    const damaged = Buffer.from(wal);
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 1) ^ 0xff, damaged.length - 1);
    assert.equal(read(applyWal(main, damaged).image).n, 300);

    // A log whose header checksum fails is not read at all.
    const badHeader = Buffer.from(wal);
    badHeader.writeUInt8(badHeader.readUInt8(24) ^ 0xff, 24);
    const none = applyWal(main, badHeader);
    assert.equal(none.frames, 0);
    assert.equal(none.image, main);
  });
});
