/**
 * Opens the embedded SQLite database with the pragmas the store relies on:
 * WAL journal, a busy timeout so concurrent processes wait instead of failing,
 * and foreign keys.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { ensureDir } from '../ensure-dir.js';

export type SqliteDb = Database.Database;

export interface OpenOptions {
  synchronous?: 'NORMAL' | 'FULL';
  readonly?: boolean;
  /** Milliseconds to wait for a lock held by another connection. */
  busyTimeoutMs?: number;
  /** Largest page cache in MiB (default 128); a one-off batch writer such as `import` uses less. */
  cacheMiB?: number;
}

export function openDatabase(file: string, opts: OpenOptions = {}): SqliteDb {
  if (file !== ':memory:') ensureDir(path.dirname(file), 0o777);
  let db: SqliteDb;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new AppError('STORE_UNAVAILABLE', `cannot open database ${file}: ${(err as Error).message}`, {}, { cause: err });
  }
  try {
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    }
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    // Up to 128 MiB page cache by default (grows only as pages are used).
    db.pragma(`cache_size = -${Math.max(1, Math.round((opts.cacheMiB ?? 128) * 1024))}`);
    // Touch the schema so a file that is not a database fails here, not later.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new AppError('STORE_UNAVAILABLE', `${file} is not a valid Session Buddy database (${code})`, {}, { cause: err });
    }
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new AppError('STORE_UNAVAILABLE', `${file} is locked by another process`, {}, { cause: err });
    }
    throw new AppError('STORE_UNAVAILABLE', `cannot open database ${file}: ${(err as Error).message}`, {}, { cause: err });
  }
  return db;
}
