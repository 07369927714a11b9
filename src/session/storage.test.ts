import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { removeDir, tempDir, writeFiles } from './fixture-projects.js';
import { compactionAdvice, measureDataDir } from './storage.js';

const MiB = 1024 * 1024;
const T = { compactThresholdBytes: 10 * MiB, vacuumFreeRatio: 0.25, vacuumMinFreeBytes: MiB };

describe('compactionAdvice', () => {
  it('not needed for a small, dense database', () => {
    // 4096 · 256 = 1 MiB = 10% of 10 MiB; 2/256 = 0.78% free
    const a = compactionAdvice({ pageSize: 4096, pageCount: 256, freelistCount: 2, walBytes: 0 }, T);
    assert.equal(a.recommended, false);
    assert.equal(a.databaseBytes, MiB);
    assert.equal(a.freeBytes, 8192);
    assert.equal(a.summary, 'not needed: database 1.0 MiB is 10.0% of the 10.0 MiB threshold, 0.8% free pages');
  });

  it('recommends compact at the size threshold', () => {
    // 4096 · 2560 = 10 MiB ≥ 10 MiB
    const a = compactionAdvice({ pageSize: 4096, pageCount: 2560, freelistCount: 0 }, T);
    assert.deepEqual(
      a.actions.map((x) => x.action),
      ['compact'],
    );
    assert.match(a.actions[0]!.reason, /10\.0 MiB, at or above the 10\.0 MiB threshold/);
  });

  it('recommends vacuum only when both the free ratio and the free bytes pass', () => {
    // 1000 pages · 4096 B; 300 free = 30% and 1.17 MiB → vacuum
    const a = compactionAdvice({ pageSize: 4096, pageCount: 1000, freelistCount: 300 }, T);
    assert.deepEqual(
      a.actions.map((x) => x.action),
      ['vacuum'],
    );
    assert.equal(a.freeRatio, 0.3);
    // 100 pages, 50 free = 50% but only 200 KiB → no vacuum
    const b = compactionAdvice({ pageSize: 4096, pageCount: 100, freelistCount: 50 }, T);
    assert.equal(b.recommended, false);
  });

  it('PostgreSQL: never compact; vacuum only when autovacuum is off and dead row versions pass the ratio', () => {
    const pg = (autovacuum: boolean, liveRows: number, deadRows: number) =>
      compactionAdvice({ pageSize: 8192, pageCount: 100_000, freelistCount: 0, walBytes: null, postgres: { autovacuum, liveRows, deadRows } }, T);
    // 819 MB is far past the 10 MiB compact threshold: irrelevant on PostgreSQL.
    const quiet = pg(true, 700, 300);
    assert.equal(quiet.recommended, false);
    assert.equal(quiet.summary, 'not needed: PostgreSQL store of 781.3 MiB, 30.0% of row versions are dead (300 of 1000), autovacuum on');
    const off = pg(false, 700, 300); // 30% ≥ 25%
    assert.deepEqual(
      off.actions.map((x) => x.action),
      ['vacuum'],
    );
    assert.match(off.actions[0]!.reason, /30\.0% of row versions are dead \(300 of 1000\) and autovacuum is off: run VACUUM \(ANALYZE\)/);
    assert.equal(off.freeRatio, 0, 'no free pages on PostgreSQL');
    assert.equal(pg(false, 800, 200).recommended, false, '20% < 25%');
    assert.equal(pg(false, 0, 0).recommended, false);
  });

  it('an empty database has ratio 0', () => {
    assert.equal(compactionAdvice({ pageSize: 4096, pageCount: 0, freelistCount: 0 }, T).freeRatio, 0);
  });
});

describe('measureDataDir', () => {
  it('sums files recursively and groups by top-level entry', () => {
    const dir = tempDir('data');
    try {
      writeFiles(dir, { 'a.db': 'x'.repeat(100), 'a.db-wal': 'x'.repeat(10), 'handoffs/h1.md': 'x'.repeat(5), 'handoffs/h1.json': 'x'.repeat(7) });
      const u = measureDataDir(dir);
      assert.equal(u.totalBytes, 122); // 100 + 10 + 5 + 7
      assert.equal(u.fileCount, 4);
      assert.deepEqual(u.byEntry, [
        { path: 'a.db', bytes: 100 },
        { path: 'handoffs', bytes: 12 },
        { path: 'a.db-wal', bytes: 10 },
      ]);
      assert.equal(u.largest[0]!.path, 'a.db');
    } finally {
      removeDir(dir);
    }
  });
  it('reports a missing data dir', () => {
    const dir = tempDir('gone');
    fs.rmSync(dir, { recursive: true });
    assert.equal(measureDataDir(dir).exists, false);
  });
});
