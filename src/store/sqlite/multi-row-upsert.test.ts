import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MultiRowUpsert } from './multi-row-upsert.js';

const TABLE = 'CREATE TABLE h (k INTEGER NOT NULL, b INTEGER NOT NULL, count INTEGER NOT NULL CHECK (count > 0), PRIMARY KEY (k, b)) WITHOUT ROWID';
const CONFLICT = 'ON CONFLICT (k, b) DO UPDATE SET count = count + excluded.count';

function open() {
  const db = new Database(':memory:');
  db.exec(TABLE);
  return db;
}

const rows = (db: Database.Database) => db.prepare('SELECT k, b, count FROM h ORDER BY k, b').raw().all();

describe('multi-row upsert', () => {
  it('leaves the table as one upsert per row would, across full and partial sets of rows', () => {
    const many = open();
    const single = open();
    const upsert = new MultiRowUpsert(many, 'INSERT INTO h (k, b, count)', 3, CONFLICT);
    const one = single.prepare(`INSERT INTO h (k, b, count) VALUES (?, ?, ?) ${CONFLICT}`);
    // 3 batches of 150 rows (two full sets of 64 and a rest of 22 each), keys repeating within and across batches.
    for (let batch = 0; batch < 3; batch++) {
      for (let i = 0; i < 150; i++) {
        const row = [i % 37, (i * 7 + batch) % 5, 1 + (i % 3)] as const;
        for (const v of row) upsert.put(v);
        one.run(...row);
      }
      upsert.finish();
    }
    assert.ok(rows(single).length > 64);
    assert.deepEqual(rows(many), rows(single));
  });

  it('holds nothing back after a failed write', () => {
    const db = open();
    const upsert = new MultiRowUpsert(db, 'INSERT INTO h (k, b, count)', 3, CONFLICT);
    assert.throws(() => {
      for (let i = 0; i < 64; i++) for (const v of [i, 0, i === 10 ? 0 : 1]) upsert.put(v); // count 0 breaks the CHECK
    }, /CHECK constraint failed/);
    assert.throws(() => {
      for (const v of [1, 1, 0]) upsert.put(v);
      upsert.finish();
    }, /CHECK constraint failed/);
    for (const v of [1, 1, 5]) upsert.put(v);
    upsert.finish();
    assert.deepEqual(rows(db), [[1, 1, 5]]);
  });
});
