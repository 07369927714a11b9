import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { openDatabase } from '../database.js';
import { createTestApp } from '../../testing/harness.js';
import { archiveDir, archiveInvocations } from './archive.js';

const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../testing/archive-child.ts');
const DAY = 86_400_000;
const ROWS = 3000;
const PER_FILE = 500;

/** A data dir with ROWS invocations 400 days old and 50 recent ones; returns it and the old ids. */
async function seeded(): Promise<{ dir: string; dbPath: string; oldIds: string[]; before: number }> {
  const app = createTestApp();
  const now = Date.now();
  const old = await app.tracker.trackBatch(
    Array.from({ length: ROWS }, (_, i) => ({
      skill_name: `skill-${i % 5}`,
      user_id: `u${i % 7}`,
      session_id: `s${i % 40}`,
      workflow_phase: 'testing',
      completed: i % 4 !== 0,
      duration_ms: i,
      invoked_at: now - 400 * DAY + i * 1000,
    })),
  );
  await app.tracker.trackBatch(
    Array.from({ length: 50 }, (_, i) => ({ skill_name: 'recent', user_id: 'u', session_id: 'r', workflow_phase: 'testing', completed: true, duration_ms: i })),
  );
  const dbPath = app.config.dbPath;
  await app.close(); // keeps the directory (dispose would remove it)
  return { dir: app.dir, dbPath, oldIds: old.ids, before: now - 365 * DAY };
}

/** Runs the archive child; kills it with SIGKILL on `READY`, or after `killAfterFiles` FILE lines, or lets it finish. */
function runChild(args: string[], kill: { onReady?: boolean; afterFiles?: number }): Promise<'killed' | 'done'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let files = 0;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      if (kill.onReady && text.includes('READY')) child.kill('SIGKILL');
      files += text.split('FILE').length - 1;
      if (kill.afterFiles !== undefined && files >= kill.afterFiles) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('done');
      else reject(new Error(`archive child failed (${code}): ${stderr}`));
    });
  });
}

/** Every id in every recorded archive file, and the recorded files. */
async function archivedIds(dbPath: string): Promise<{ ids: string[]; recorded: string[] }> {
  const db = openDatabase(dbPath, { readonly: true });
  const recorded = db.prepare('SELECT file FROM archives ORDER BY id').pluck().all() as string[];
  db.close();
  const ids: string[] = [];
  for (const f of recorded) {
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(f), columns: ['id'] })) as { id: string }[];
    ids.push(...rows.map((r) => r.id));
  }
  return { ids, recorded };
}

async function assertArchivedOnce(s: { dir: string; dbPath: string; oldIds: string[] }): Promise<void> {
  const { ids, recorded } = await archivedIds(s.dbPath);
  assert.equal(ids.length, ROWS, `archives hold ${ids.length} rows for ${ROWS} archived invocations`);
  assert.deepEqual([...ids].sort(), [...s.oldIds].sort());
  // every file in the archive directory is recorded; no .partial, no lock left
  assert.deepEqual(fs.readdirSync(archiveDir(s.dir)).sort(), recorded.map((f) => path.basename(f)).sort());
  const db = openDatabase(s.dbPath, { readonly: true });
  try {
    assert.equal(db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 50);
  } finally {
    db.close();
  }
}

describe('archive across SIGKILL', () => {
  it('adopts the complete file a run killed before its delete left, instead of archiving its rows again', async () => {
    const s = await seeded();
    try {
      const args = [s.dir, s.dbPath, String(s.before), String(PER_FILE)];
      assert.equal(await runChild([...args, '2'], { onReady: true }), 'killed');
      // file 1 recorded, file 2 complete on disk but unrecorded, its rows still live
      const before = await archivedIds(s.dbPath);
      assert.equal(before.recorded.length, 1);
      assert.equal(fs.readdirSync(archiveDir(s.dir)).filter((n) => n.endsWith('.parquet')).length, 2);
      fs.writeFileSync(path.join(archiveDir(s.dir), 'invocations-x.parquet.partial'), 'half a file');

      const db = openDatabase(s.dbPath);
      const result = await archiveInvocations({ db, dataDir: s.dir, before: s.before, rowsPerFile: PER_FILE });
      db.close();
      assert.equal(result.adopted.length, 1);
      assert.equal(result.adopted[0]!.rows, PER_FILE);
      assert.equal(result.rows, ROWS - 2 * PER_FILE);
      assert.equal(result.removedPartials, 1);
      assert.deepEqual(result.ignored, []);
      await assertArchivedOnce(s);
    } finally {
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });

  it('archives every row exactly once over 5 runs killed at different files, then a complete run', async (t) => {
    const s = await seeded();
    try {
      const args = [s.dir, s.dbPath, String(s.before), String(PER_FILE)];
      let kills = 0;
      for (const afterFiles of [1, 1, 2, 0, 1]) {
        if ((await runChild(afterFiles === 0 ? [...args, '1'] : args, afterFiles === 0 ? { onReady: true } : { afterFiles })) === 'killed') kills++;
      }
      assert.ok(kills >= 4, `only ${kills} runs were killed`);
      assert.equal(await runChild(args, {}), 'done');
      await assertArchivedOnce(s);
      t.diagnostic(`${kills} SIGKILLs during archive, ${ROWS} rows checked: each archived exactly once`);
    } finally {
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });
});
