/**
 * Moves raw invocations older than a cutoff into Parquet files and deletes
 * them from the live table. Rollups are left intact, so analytics over the
 * archived period keep working. Each file is read back and checked (row
 * count and every id) before a single transaction deletes exactly the rows
 * it holds: nothing is deleted that is not safely on disk.
 *
 * Crash safety: a file is written as `.partial`, fsynced and renamed before
 * the transaction that deletes its rows and records it in `archives`. A run
 * killed between the rename and that commit leaves a complete file nobody
 * recorded; the next run adopts it (its rows, compared id by id with the
 * live table, are deleted and the file recorded) instead of archiving the
 * same rows again, and removes every `.partial` left behind. One run at a
 * time: `archive/.lock` holds the pid of the running archive.
 *
 * The dedupe keys of the deleted rows go into archived_dedupe_keys in the same
 * transaction, so a call recorded again later is still a duplicate (the rollups
 * keep counting the archived row). Files archived before that table existed
 * (archives.keys_recorded = 0) have their keys read back from the file, one file
 * per transaction: when the store is opened for writing (openStores, before
 * anything can record such a call again), and by every archive run.
 *
 * A file holds every column of the raw row (names resolved: skill name, session
 * key, user hash), so `merge-data` can record its rows in another store
 * (archived-invocations.ts reads them back).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { AppError } from '../../errors.js';
import type { SqliteDb } from '../database.js';
import { processAlive } from '../../process-alive.js';
import { ensureDir } from '../../ensure-dir.js';
import { findArchiveFile, readArchivedKeys } from './archive-files.js';

export interface ArchiveOptions {
  db: SqliteDb;
  dataDir: string;
  /** Invocations with invoked_at strictly before this time (epoch ms) are archived. */
  before: number;
  /** Rows per Parquet file. */
  rowsPerFile?: number;
  now?: () => number;
  onProgress?: (done: number, total: number) => void;
  /** Called when a file is verified and in place, before its rows are deleted (crash tests stop the run here). */
  onFileReady?: (file: string) => void;
}

interface ArchiveFile {
  file: string;
  rows: number;
  fromAt: number;
  toAt: number;
  sha256: string;
}

export interface ArchiveResult {
  files: ArchiveFile[];
  rows: number;
  /** Complete files an interrupted run left unrecorded, adopted now (their rows are not in `rows`). */
  adopted: ArchiveFile[];
  /** Unrecorded files that could not be adopted (left in place), with the reason. */
  ignored: { file: string; reason: string }[];
  /** `.partial` files of interrupted runs that were removed. */
  removedPartials: number;
  /** Files archived before their dedupe keys were recorded, whose keys this run read back and recorded. */
  keysBackfilled: { file: string; keys: number }[];
  /** Such files whose keys could not be read (missing or unreadable; tried again by the next run), with the reason. */
  keysMissing: { file: string; reason: string }[];
}

interface RawRow {
  rowid_: number;
  id: string;
  skill_name: string;
  session_id: string;
  user_hash: string;
  workflow_phase: string;
  completed: number;
  duration_ms: number;
  error_type: string | null;
  invoked_at: number;
  project: string | null;
  agent: string | null;
  metadata: string | null;
  dedupe_key: string | null;
  activation_trigger: 'model' | 'typed' | null;
  slash_after_miss: number | null;
  duration_known: number;
}

export function archiveDir(dataDir: string): string {
  return path.join(dataDir, 'archive');
}

/** Takes `archive/.lock` (a dead holder's lock is taken over); returns its release. */
function lockArchive(dir: string): () => void {
  const lock = path.join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        throw new AppError('CONFLICT', `another archive is running (pid ${holder}); wait for it to finish`);
      }
      fs.rmSync(lock, { force: true });
    }
  }
  throw new AppError('CONFLICT', `could not take ${lock}`);
}

function fsyncPath(p: string, flags: string): void {
  const fd = fs.openSync(p, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function sha256Of(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Removes `.partial` files and adopts complete, unrecorded Parquet files: a
 * file is adopted only when every row it holds is still in the live table
 * with the same invoked_at and duration (the state a run killed before its
 * delete leaves); its rows are then deleted and it is recorded, in one
 * transaction. Anything else is left alone and reported.
 */
async function recoverInterrupted(db: SqliteDb, dir: string, now: () => number): Promise<Pick<ArchiveResult, 'adopted' | 'ignored' | 'removedPartials'>> {
  const out: Pick<ArchiveResult, 'adopted' | 'ignored' | 'removedPartials'> = { adopted: [], ignored: [], removedPartials: 0 };
  const recorded = new Set((db.prepare('SELECT file FROM archives').pluck().all() as string[]).map((f) => path.basename(f)));
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (name.endsWith('.partial')) {
      fs.rmSync(file, { force: true });
      out.removedPartials++;
      continue;
    }
    if (!name.endsWith('.parquet') || recorded.has(name)) continue;
    let back: { id: string; invoked_at: Date; duration_ms: number; dedupe_key: string | null }[];
    try {
      back = (await parquetReadObjects({
        file: await asyncBufferFromFile(file),
        columns: ['id', 'invoked_at', 'duration_ms', 'dedupe_key'],
      })) as typeof back;
    } catch (err) {
      out.ignored.push({ file, reason: `unreadable: ${(err as Error).message}` });
      continue;
    }
    const live = db.prepare('SELECT invoked_at, duration_ms FROM skill_invocations WHERE id = ?');
    let missing = 0;
    let differ = 0;
    for (const r of back) {
      const row = live.get(r.id) as { invoked_at: number; duration_ms: number } | undefined;
      if (!row) missing++;
      else if (row.invoked_at !== new Date(r.invoked_at).getTime() || row.duration_ms !== Number(r.duration_ms)) differ++;
    }
    if (back.length === 0 || missing > 0 || differ > 0) {
      out.ignored.push({ file, reason: `not recorded and not adoptable: ${missing} of ${back.length} rows are not in the live table, ${differ} differ` });
      continue;
    }
    let fromAt = Infinity;
    let toAt = -Infinity;
    for (const r of back) {
      const at = new Date(r.invoked_at).getTime();
      if (at < fromAt) fromAt = at;
      if (at > toAt) toAt = at;
    }
    const sha256 = sha256Of(file);
    const del = db.prepare('DELETE FROM skill_invocations WHERE id = ?');
    const key = recordKeyStatement(db);
    db.transaction(() => {
      for (const r of back) {
        del.run(r.id);
        if (r.dedupe_key != null) key.run(r.dedupe_key, r.id);
      }
      db.prepare('INSERT INTO archives (file, rows, from_at, to_at, sha256, created_at, keys_recorded) VALUES (?, ?, ?, ?, ?, ?, 1)').run(
        file,
        back.length,
        fromAt,
        toAt,
        sha256,
        now(),
      );
    }).immediate();
    out.adopted.push({ file, rows: back.length, fromAt, toAt, sha256 });
  }
  return out;
}

function recordKeyStatement(db: SqliteDb) {
  return db.prepare('INSERT INTO archived_dedupe_keys (dedupe_key, id) VALUES (?, ?) ON CONFLICT (dedupe_key) DO NOTHING');
}

/**
 * Records the dedupe keys of the files archived before archived_dedupe_keys existed
 * (keys_recorded = 0), read back from each file (at its recorded path, or by name in
 * `dir`): one transaction per file, which also sets its flag. A file that is missing or
 * unreadable is reported and tried again by the next run.
 */
export async function backfillArchivedKeys(db: SqliteDb, dir: string): Promise<Pick<ArchiveResult, 'keysBackfilled' | 'keysMissing'>> {
  const out: Pick<ArchiveResult, 'keysBackfilled' | 'keysMissing'> = { keysBackfilled: [], keysMissing: [] };
  const pending = db.prepare('SELECT id, file FROM archives WHERE keys_recorded = 0 ORDER BY id').all() as { id: number; file: string }[];
  if (pending.length === 0) return out;
  const key = recordKeyStatement(db);
  const done = db.prepare('UPDATE archives SET keys_recorded = 1 WHERE id = ?');
  for (const a of pending) {
    const found = findArchiveFile(a.file, dir);
    if (!found) {
      out.keysMissing.push({ file: a.file, reason: 'file not found' });
      continue;
    }
    let back: { id: string; dedupe_key: string | null }[];
    try {
      back = await readArchivedKeys(found);
    } catch (err) {
      out.keysMissing.push({ file: a.file, reason: `unreadable: ${(err as Error).message}` });
      continue;
    }
    let keys = 0;
    db.transaction(() => {
      for (const r of back) if (r.dedupe_key != null) keys += key.run(r.dedupe_key, r.id).changes;
      done.run(a.id);
    }).immediate();
    out.keysBackfilled.push({ file: a.file, keys });
  }
  return out;
}

/** Raw invocations older than `before` (what an archive run would move). */
export function countArchivable(db: SqliteDb, before: number): number {
  return db.prepare('SELECT count(*) FROM skill_invocations WHERE invoked_at < ?').pluck().get(before) as number;
}

export async function archiveInvocations(opts: ArchiveOptions): Promise<ArchiveResult> {
  const dir = archiveDir(opts.dataDir);
  ensureDir(dir);
  const unlock = lockArchive(dir);
  try {
    return await archiveLocked(opts, dir);
  } finally {
    unlock();
  }
}

async function archiveLocked(opts: ArchiveOptions, dir: string): Promise<ArchiveResult> {
  const { db } = opts;
  const now = opts.now ?? Date.now;
  const perFile = opts.rowsPerFile ?? 500_000;
  const recovered = await recoverInterrupted(db, dir, now);
  const backfilled = await backfillArchivedKeys(db, dir);
  const total = db.prepare('SELECT count(*) FROM skill_invocations WHERE invoked_at < ?').pluck().get(opts.before) as number;
  const select = db.prepare(`SELECT i.rowid_, i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash, i.workflow_phase,
      i.completed, i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent, i.metadata, i.dedupe_key,
      i.activation_trigger, i.slash_after_miss, i.duration_known
    FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id JOIN users u ON u.id = i.user_id
    WHERE i.invoked_at < ? AND i.rowid_ > ? ORDER BY i.rowid_ LIMIT ?`);
  const del = db.prepare('DELETE FROM skill_invocations WHERE rowid_ = ?');
  const record = db.prepare('INSERT INTO archives (file, rows, from_at, to_at, sha256, created_at, keys_recorded) VALUES (?, ?, ?, ?, ?, ?, 1)');
  const key = recordKeyStatement(db);

  const files: ArchiveFile[] = [];
  let done = 0;
  let lastRowid = 0;
  while (done < total) {
    const rows = select.all(opts.before, lastRowid, perFile) as RawRow[];
    if (rows.length === 0) break;
    lastRowid = rows.at(-1)!.rowid_;
    let fromAt = Infinity;
    let toAt = -Infinity;
    for (const r of rows) {
      if (r.invoked_at < fromAt) fromAt = r.invoked_at;
      if (r.invoked_at > toAt) toAt = r.invoked_at;
    }
    const name = `invocations-${new Date(fromAt).toISOString().slice(0, 10)}-${new Date(toAt).toISOString().slice(0, 10)}-${now()}-${files.length}.parquet`;
    const file = path.join(dir, name);
    const tmp = `${file}.partial`;
    writeParquet(tmp, rows);
    await verifyParquet(tmp, rows);
    fsyncPath(tmp, 'r');
    fs.renameSync(tmp, file);
    fsyncPath(dir, 'r');
    opts.onFileReady?.(file);
    const sha256 = sha256Of(file);
    db.transaction(() => {
      for (const r of rows) {
        del.run(r.rowid_);
        if (r.dedupe_key !== null) key.run(r.dedupe_key, r.id);
      }
      record.run(file, rows.length, fromAt, toAt, sha256, now());
    }).immediate();
    files.push({ file, rows: rows.length, fromAt, toAt, sha256 });
    done += rows.length;
    opts.onProgress?.(done, total);
  }
  return { files, rows: done, ...recovered, ...backfilled };
}

function writeParquet(file: string, rows: RawRow[]): void {
  const col = <K extends keyof RawRow>(k: K) => rows.map((r) => r[k]);
  parquetWriteFile({
    filename: file,
    columnData: [
      { name: 'id', data: col('id'), type: 'STRING', nullable: false },
      { name: 'skill_name', data: col('skill_name'), type: 'STRING', nullable: false },
      { name: 'session_id', data: col('session_id'), type: 'STRING', nullable: false },
      { name: 'user_hash', data: col('user_hash'), type: 'STRING', nullable: false },
      { name: 'workflow_phase', data: col('workflow_phase'), type: 'STRING', nullable: false },
      { name: 'completed', data: rows.map((r) => r.completed === 1), type: 'BOOLEAN', nullable: false },
      { name: 'duration_ms', data: col('duration_ms'), type: 'INT32', nullable: false },
      { name: 'error_type', data: col('error_type'), type: 'STRING' },
      { name: 'invoked_at', data: rows.map((r) => new Date(r.invoked_at)), type: 'TIMESTAMP', nullable: false },
      { name: 'project', data: col('project'), type: 'STRING' },
      { name: 'agent', data: col('agent'), type: 'STRING' },
      { name: 'metadata', data: col('metadata'), type: 'STRING' },
      { name: 'dedupe_key', data: col('dedupe_key'), type: 'STRING' },
      // Files written by earlier versions lack these three: archived-invocations.ts reads those with the migrations' defaults.
      { name: 'activation_trigger', data: col('activation_trigger'), type: 'STRING' },
      { name: 'slash_after_miss', data: rows.map((r) => (r.slash_after_miss === null ? null : r.slash_after_miss === 1)), type: 'BOOLEAN' },
      { name: 'duration_known', data: rows.map((r) => r.duration_known === 1), type: 'BOOLEAN', nullable: false },
    ],
    codec: 'SNAPPY',
    createdBy: 'session-buddy archive',
  });
}

async function verifyParquet(file: string, rows: RawRow[]): Promise<void> {
  const back = (await parquetReadObjects({ file: await asyncBufferFromFile(file), columns: ['id', 'duration_ms'] })) as {
    id: string;
    duration_ms: number;
  }[];
  const ok = back.length === rows.length && back.every((r, i) => r.id === rows[i]!.id && Number(r.duration_ms) === rows[i]!.duration_ms);
  if (!ok) {
    fs.rmSync(file, { force: true });
    throw new AppError('INTERNAL', `archive verification failed for ${file}: read back ${back.length} rows, expected ${rows.length}; nothing was deleted`);
  }
}
