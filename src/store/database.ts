/**
 * Opens the embedded SQLite database with the pragmas the store relies on:
 * WAL journal, a busy timeout so concurrent processes wait instead of failing,
 * and foreign keys.
 *
 * A read-only open of a WAL database needs its -shm file, which SQLite creates
 * when missing: in a directory this process cannot write (a mounted backup,
 * another account's copy) that fails (SQLITE_READONLY_DIRECTORY,
 * SQLITE_CANTOPEN), and the `immutable=1` URI that would avoid it is not
 * available (better-sqlite3 builds SQLite without URI filenames). The
 * database is then read from a copy in memory: its main file with the
 * committed frames of its -wal file applied (wal-replay.ts). A writable open
 * of a store this process cannot write is refused before SQLite tries, in one
 * line naming the directory and the reason (sqlite-access.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { ensureDir } from '../ensure-dir.js';
import { cannotWriteMessage, sqliteWriteProblem } from './sqlite-access.js';
import { recoverInterruptedRestore } from './sqlite/restore-switch.js';
import { applyWal } from './wal-replay.js';

export type SqliteDb = Database.Database;

export interface OpenOptions {
  synchronous?: 'NORMAL' | 'FULL';
  readonly?: boolean;
  /** Milliseconds to wait for a lock held by another connection. */
  busyTimeoutMs?: number;
  /** Largest page cache in MiB (default 128); a one-off batch writer such as `import` uses less. */
  cacheMiB?: number;
}

/** Error codes of a read-only open that could not create or write what SQLite keeps beside the file. */
function cannotOpenInPlace(err: unknown): boolean {
  const e = err instanceof AppError ? err.cause : err;
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM';
}

/** The contents of `file`, or null when there is none. */
function readIfPresent(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The database read from a copy in memory: its main file with the committed frames of its -wal file
 * applied, marked as a rollback-journal file (an in-memory database has no WAL).
 */
function openCopyInMemory(file: string, opts: OpenOptions): SqliteDb {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
    const wal = readIfPresent(`${file}-wal`);
    if (wal !== null) bytes = applyWal(bytes, wal).image;
  } catch (err) {
    throw new AppError('STORE_UNAVAILABLE', `cannot open database ${file}: ${(err as Error).message}`, {}, { cause: err });
  }
  // Bytes 18 and 19 of the header: file format write and read versions, 2 for WAL.
  if (bytes.length >= 100 && bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  try {
    return new Database(bytes, { readonly: true, timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new AppError('STORE_UNAVAILABLE', `cannot open database ${file}: ${(err as Error).message}`, {}, { cause: err });
  }
}

export function openDatabase(file: string, opts: OpenOptions = {}): SqliteDb {
  if (file !== ':memory:') {
    ensureDir(path.dirname(file), 0o777);
    // A restore killed while switching this file may have left no database at its path: completed
    // first, so an empty one is never created in its place (the CLI has said so already, see runner.ts).
    recoverInterruptedRestore(file);
    refuseDamagedHeaderWithWal(file, opts);
  }
  if (!opts.readonly) {
    const problem = sqliteWriteProblem(file);
    if (problem) throw new AppError('STORE_UNAVAILABLE', cannotWriteMessage(problem), { path: problem.path, errno: problem.code });
  }
  let db: SqliteDb;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (err) {
    if (opts.readonly && cannotOpenInPlace(err)) return configure(openCopyInMemory(file, opts), file, opts);
    throw new AppError('STORE_UNAVAILABLE', `cannot open database ${file}: ${(err as Error).message}`, {}, { cause: err });
  }
  try {
    return configure(db, file, opts);
  } catch (err) {
    if (opts.readonly && cannotOpenInPlace(err)) return configure(openCopyInMemory(file, opts), file, opts);
    throw err;
  }
}

/** The 16 bytes every SQLite database file starts with. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * A database file whose header is damaged, beside a non-empty -wal file: SQLite fails to open it
 * (SQLITE_NOTADB) and, closing, deletes the -wal, which may hold the last committed writes. So
 * SQLite is not let near such a file unless the database the WAL completes is readable (the WAL may
 * carry a good first page): checked on a copy in memory, which leaves both files untouched. A
 * refusal keeps the -wal for `restore` (which keeps it with the damaged file) or for recovery by hand.
 */
function refuseDamagedHeaderWithWal(file: string, opts: OpenOptions): void {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      read = fs.readSync(fd, head, 0, head.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return; // no file yet, or unreadable: the open below says why
  }
  if (read === 0 || (read === head.length && head.equals(SQLITE_HEADER))) return;
  if ((fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) === 0) return;
  try {
    const copy = openCopyInMemory(file, opts);
    try {
      copy.prepare('SELECT count(*) FROM sqlite_master').get();
      return;
    } finally {
      copy.close();
    }
  } catch {
    // Refused below, as SQLite would have refused it, but with the -wal kept.
  }
  const cause = Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
  throw new AppError(
    'STORE_UNAVAILABLE',
    `${file} is not a valid Session Buddy database (SQLITE_NOTADB): its header is damaged; its write-ahead log ${file}-wal was left as it is`,
    {},
    { cause },
  );
}

/** Sets the pragmas and reads the schema once, so a file that is not a database fails here (closed), not later. */
function configure(db: SqliteDb, file: string, opts: OpenOptions): SqliteDb {
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
