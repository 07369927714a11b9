/**
 * Online backup (SQLite backup API: consistent while the server keeps
 * writing) and restore. Both verify the copy before reporting success, and
 * restore keeps the database it replaces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { openDatabase, type SqliteDb } from '../store/database.js';
import { loadMigrations, Migrator, migrationsDir } from '../store/migrator.js';

export interface VerifiedCopy {
  file: string;
  bytes: number;
  schemaVersion: number;
  invocations: number;
}

/** Checks that `file` is an intact Session Buddy database and describes it. */
export function verifyDatabaseFile(file: string): VerifiedCopy {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `no such file: ${file}`);
  const db = openDatabase(file, { readonly: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new AppError('STORE_UNAVAILABLE', `${file} failed the integrity check: ${String(check)}`);
    const hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!hasMigrations) throw new AppError('INVALID_INPUT', `${file} is a SQLite database but not a Session Buddy one (no schema_migrations table)`);
    const schemaVersion = (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
    const hasInvocations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'skill_invocations'").get();
    const invocations = hasInvocations ? (db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number) : 0;
    return { file, bytes: fs.statSync(file).size, schemaVersion, invocations };
  } finally {
    db.close();
  }
}

export async function backupDatabase(db: SqliteDb, dest: string, onProgress?: (fraction: number) => void): Promise<VerifiedCopy> {
  if (fs.existsSync(dest)) throw new AppError('CONFLICT', `${dest} already exists; choose a new file name`);
  fs.mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
  const tmp = `${dest}.partial`;
  fs.rmSync(tmp, { force: true });
  await db.backup(tmp, {
    progress: ({ totalPages, remainingPages }) => {
      onProgress?.(totalPages === 0 ? 1 : (totalPages - remainingPages) / totalPages);
      return 2000;
    },
  });
  try {
    const verified = verifyDatabaseFile(tmp);
    fs.renameSync(tmp, dest);
    fs.chmodSync(dest, 0o600);
    return { ...verified, file: dest };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export interface RestoreResult extends VerifiedCopy {
  /** Where the replaced database was kept, if there was one. */
  previous: string | null;
}

/** Replaces the database at `dbPath` with the verified backup `source`. The server must be stopped. */
export function restoreDatabase(source: string, dbPath: string, now = Date.now()): RestoreResult {
  const verified = verifyDatabaseFile(source);
  const latest = loadMigrations(migrationsDir('sqlite')).length;
  if (verified.schemaVersion > latest) {
    throw new AppError('INVALID_INPUT', `${source} has schema version ${verified.schemaVersion}, newer than this program supports (${latest})`);
  }
  let previous: string | null = null;
  if (fs.existsSync(dbPath)) {
    // Fold the WAL into the main file so the kept copy is complete.
    const current = openDatabase(dbPath);
    current.pragma('wal_checkpoint(TRUNCATE)');
    current.close();
    previous = `${dbPath}.before-restore-${now}`;
    fs.renameSync(dbPath, previous);
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(`${dbPath}${suffix}`, { force: true });
  const tmp = `${dbPath}.restoring`;
  fs.copyFileSync(source, tmp);
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, dbPath);
  const db = openDatabase(dbPath);
  try {
    new Migrator(db).up();
  } finally {
    db.close();
  }
  return { ...verifyDatabaseFile(dbPath), previous };
}
