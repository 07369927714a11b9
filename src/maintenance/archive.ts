/**
 * Moves raw invocations older than a cutoff into Parquet files and deletes
 * them from the live table. Rollups are left intact, so analytics over the
 * archived period keep working. Each file is read back and checked (row
 * count and every id) before a single transaction deletes exactly the rows
 * it holds: nothing is deleted that is not safely on disk.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { AppError } from '../errors.js';
import type { SqliteDb } from '../store/database.js';

export interface ArchiveOptions {
  db: SqliteDb;
  dataDir: string;
  /** Invocations with invoked_at strictly before this time (epoch ms) are archived. */
  before: number;
  /** Rows per Parquet file. */
  rowsPerFile?: number;
  now?: () => number;
  onProgress?: (done: number, total: number) => void;
}

export interface ArchiveFile {
  file: string;
  rows: number;
  fromAt: number;
  toAt: number;
  sha256: string;
}

export interface ArchiveResult {
  files: ArchiveFile[];
  rows: number;
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
}

export function archiveDir(dataDir: string): string {
  return path.join(dataDir, 'archive');
}

export async function archiveInvocations(opts: ArchiveOptions): Promise<ArchiveResult> {
  const { db } = opts;
  const now = opts.now ?? Date.now;
  const perFile = opts.rowsPerFile ?? 500_000;
  const total = db.prepare('SELECT count(*) FROM skill_invocations WHERE invoked_at < ?').pluck().get(opts.before) as number;
  const dir = archiveDir(opts.dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const select = db.prepare(`SELECT i.rowid_, i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash, i.workflow_phase,
      i.completed, i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent, i.metadata, i.dedupe_key
    FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id JOIN users u ON u.id = i.user_id
    WHERE i.invoked_at < ? AND i.rowid_ > ? ORDER BY i.rowid_ LIMIT ?`);
  const del = db.prepare('DELETE FROM skill_invocations WHERE rowid_ = ?');
  const record = db.prepare('INSERT INTO archives (file, rows, from_at, to_at, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)');

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
    fs.renameSync(tmp, file);
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    db.transaction(() => {
      for (const r of rows) del.run(r.rowid_);
      record.run(file, rows.length, fromAt, toAt, sha256, now());
    }).immediate();
    files.push({ file, rows: rows.length, fromAt, toAt, sha256 });
    done += rows.length;
    opts.onProgress?.(done, total);
  }
  return { files, rows: done };
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

/** Parses a retention like `365d`, `12w`, `48h` into milliseconds. */
export function parseAge(text: string, field = 'older-than'): number {
  const m = /^(\d+)\s*([dhw])$/.exec(text.trim());
  if (!m) throw AppError.invalid(field, 'must look like 365d, 12w or 48h');
  const n = Number(m[1]);
  if (n <= 0) throw AppError.invalid(field, 'must be positive');
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'd' ? 86_400_000 : 7 * 86_400_000;
  return n * unit;
}
