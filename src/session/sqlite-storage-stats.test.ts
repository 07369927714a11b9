import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../store/database.js';
import { Migrator } from '../store/migrator.js';
import { readSqliteStorageStats } from './sqlite-storage-stats.js';

describe('readSqliteStorageStats', () => {
  it('reads page counts and row counts; skips unknown or unsafe table names', () => {
    const db = openDatabase(':memory:');
    new Migrator(db).up();
    db.prepare("INSERT INTO reflections (content, content_hash, tags, created_at) VALUES ('x', 'h', '[]', 0)").run();
    const s = readSqliteStorageStats(db, ':memory:', ['reflections', 'nope', 'bad name; drop']);
    assert.ok(s.pageSize > 0);
    assert.ok(s.pageCount > 0);
    assert.equal(typeof s.freelistCount, 'number');
    assert.equal(s.walBytes, null);
    assert.deepEqual(s.rows, { reflections: 1 });
    db.close();
  });
});
