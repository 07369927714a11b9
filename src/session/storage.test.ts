import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { removeDir, tempDir, writeFiles } from './fixture-projects.js';
import { compactionAdvice, measureDataDir, pastArchiveThreshold } from './storage.js';

const MiB = 1024 * 1024;
const T = { compactThresholdBytes: 10 * MiB };

describe('compactionAdvice', () => {
  it('not needed for a small, dense database', () => {
    // 4096 · 256 = 1 MiB = 10% of 10 MiB; 2/256 = 0.78% free
    const a = compactionAdvice({ pageSize: 4096, pageCount: 256, freelistCount: 2, walBytes: 0 }, T);
    assert.equal(a.recommended, false);
    assert.equal(a.databaseBytes, MiB);
    assert.equal(a.freeBytes, 8192);
    assert.equal(a.summary, 'not needed: database 1.0 MiB is 10.0% of the 10.0 MiB threshold, 0.8% free pages');
  });

  it('recommends archive then compact only past the size threshold (strictly above it), as doctor does', () => {
    // 4096 · 2560 = 10 MiB: at the threshold, not past it.
    const at = compactionAdvice({ pageSize: 4096, pageCount: 2560, freelistCount: 0 }, T);
    assert.deepEqual(at.actions, []);
    assert.equal(at.summary, 'not needed: database 10.0 MiB is 100.0% of the 10.0 MiB threshold, 0.0% free pages');
    assert.equal(pastArchiveThreshold(10 * MiB, 10 * MiB), false);
    // One page more: past it.
    const a = compactionAdvice({ pageSize: 4096, pageCount: 2561, freelistCount: 0 }, T);
    assert.deepEqual(
      a.actions.map((x) => x.action),
      ['compact'],
    );
    assert.match(a.actions[0]!.reason, /10\.0 MiB, past the 10\.0 MiB threshold/);
    assert.equal(pastArchiveThreshold(10 * MiB + 1, 10 * MiB), true);
  });

  it("advises reclaiming free pages by doctor's rule: at least 8 MiB free and a tenth of the file", () => {
    const advise = (pageCount: number, freelistCount: number) =>
      compactionAdvice({ pageSize: 4096, pageCount, freelistCount }, { compactThresholdBytes: 1024 * MiB }).actions.map((x) => x.action);
    // 100 MiB with 10 MiB free (10 %): worth a rewrite.
    assert.deepEqual(advise(25_600, 2_560), ['vacuum']);
    // …with 9.96 MiB free (just under 10 %): not.
    assert.deepEqual(advise(25_600, 2_550), []);
    // 4 MiB with 1.2 MiB free (30 %): too little to reclaim, whatever the share.
    assert.deepEqual(advise(1_024, 307), []);
    // 40 MiB with 7.99 MiB free (20 %): under 8 MiB; 8 MiB (20 %): worth it.
    assert.deepEqual(advise(10_240, 2_047), []);
    assert.deepEqual(advise(10_240, 2_048), ['vacuum']);
    const a = compactionAdvice({ pageSize: 4096, pageCount: 10_000, freelistCount: 3_000 }, { compactThresholdBytes: 1024 * MiB });
    assert.equal(a.freeRatio, 0.3);
    assert.equal(a.actions[0]!.reason, '30.0% of pages are free (11.7 MiB reclaimable; worth it from 8.0 MiB and 10% of the file)');
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
