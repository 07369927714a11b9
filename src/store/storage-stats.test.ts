import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from './database.js';
import { Migrator } from './sqlite/migrator.js';
import { testBackends } from '../testing/backends.js';
import { readSqliteStorageStats } from './sqlite/storage-stats.js';

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

describe('storage stats of the store bundle', async () => {
  for (const backend of await testBackends()) {
    it(`reports pages and row counts (${backend.name})`, { skip: backend.skip ?? false }, async () => {
      const b = await backend.open();
      try {
        await b.exec("INSERT INTO reflections (content, content_hash, tags, created_at) VALUES ('x', 'h', '[]', 0)");
        const s = await b.stores.storageStats();
        assert.ok(s.pageSize > 0);
        assert.ok(s.pageCount > 0);
        assert.equal(s.rows?.reflections, 1);
        assert.equal(s.rows?.skill_invocations, 0);
        if (backend.name === 'postgres') {
          assert.equal(s.freelistCount, 0, 'PostgreSQL has no free-page list of its own');
          assert.equal(s.walBytes, null);
          const [setting] = await b.query<{ on: boolean }>("SELECT current_setting('autovacuum') = 'on' AS on");
          assert.equal(s.postgres?.autovacuum, setting!.on);
          assert.equal(typeof s.postgres?.liveRows, 'number');
          assert.equal(typeof s.postgres?.deadRows, 'number');
        } else {
          assert.equal(s.postgres, undefined);
        }
      } finally {
        await b.dispose();
      }
    });
  }
});
