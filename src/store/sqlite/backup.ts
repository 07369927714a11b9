/**
 * Online backup (SQLite backup API: consistent while the server keeps
 * writing) and restore. Both verify the copy before reporting success, and
 * restore keeps the database it replaces.
 *
 * Neither leaves anything behind: the copy is written to a hidden 0600
 * `.<name>.sb-backup-<pid>.partial` file (removed on failure, and by the next
 * backup into that directory when its process died) and switched to a
 * rollback journal before it is opened again, so no `-wal`/`-shm` files
 * appear beside it; restore copies the source first and never opens it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.js';
import { openDatabase, type SqliteDb } from '../database.js';
import { Migrator } from './migrator.js';
import { loadMigrations, migrationsDir } from '../migrations.js';
import { processAlive } from '../../process-alive.js';
import { ensureDir } from '../../ensure-dir.js';

export interface VerifiedCopy {
  file: string;
  bytes: number;
  schemaVersion: number;
  invocations: number;
}

/** Checks that `file` is an intact Session Buddy database and describes it (messages name `label`). */
export function verifyDatabaseFile(file: string, label = file): VerifiedCopy {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `no such file: ${label}`);
  const db = openDatabase(file, { readonly: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new AppError('STORE_UNAVAILABLE', `${label} failed the integrity check: ${String(check)}`);
    const hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!hasMigrations) throw new AppError('INVALID_INPUT', `${label} is a SQLite database but not a Session Buddy one (no schema_migrations table)`);
    const schemaVersion = (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
    const hasInvocations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'skill_invocations'").get();
    const invocations = hasInvocations ? (db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number) : 0;
    return { file, bytes: fs.statSync(file).size, schemaVersion, invocations };
  } finally {
    db.close();
  }
}

const PARTIAL = /^\..+\.sb-(?:backup|restore)-(\d+)\.partial(?:-journal|-wal|-shm)?$/;

/** Removes partial copies (and their journals) that a killed backup or restore left in `dir`. */
function removeDeadPartials(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const m = PARTIAL.exec(name);
    if (m && (Number(m[1]) === process.pid || !processAlive(Number(m[1])))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function removeWithJournals(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** Switches a copy to a rollback journal (folding in any WAL), so later opens create no -wal/-shm files. */
function toRollbackJournal(file: string): void {
  const db = openDatabase(file);
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The hidden partial file a copy to `dest` is written to, created empty with mode 0600. */
function createPartial(dest: string, kind: 'backup' | 'restore'): string {
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.sb-${kind}-${process.pid}.partial`);
  removeWithJournals(tmp);
  fs.closeSync(fs.openSync(tmp, 'wx', 0o600));
  return tmp;
}

function requireDirectory(dir: string): void {
  let isDir = false;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new AppError('INVALID_INPUT', `the directory ${dir} does not exist; create it first (nothing was written)`, {
      field: 'file',
      rule: 'its directory must exist',
    });
  }
}

export async function backupDatabase(db: SqliteDb, dest: string, onProgress?: (fraction: number) => void): Promise<VerifiedCopy> {
  dest = path.resolve(dest);
  if (fs.existsSync(dest)) throw new AppError('INVALID_INPUT', `${dest} already exists; choose a new file name`, { field: 'file', rule: 'must not exist yet' });
  const dir = path.dirname(dest);
  requireDirectory(dir);
  removeDeadPartials(dir);
  const tmp = createPartial(dest, 'backup');
  try {
    await db.backup(tmp, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages === 0 ? 1 : (totalPages - remainingPages) / totalPages);
        return 2000;
      },
    });
    toRollbackJournal(tmp);
    const verified = verifyDatabaseFile(tmp, dest);
    fs.chmodSync(tmp, 0o600);
    fsyncFile(tmp);
    fs.renameSync(tmp, dest);
    return { ...verified, file: dest };
  } catch (err) {
    removeWithJournals(tmp);
    throw err;
  }
}

export interface RestoreResult extends VerifiedCopy {
  /** Where the replaced database was kept, if there was one. */
  previous: string | null;
}

/** Replaces the database at `dbPath` with the verified backup `source`. The server must be stopped. */
export function restoreDatabase(source: string, dbPath: string, now = Date.now()): RestoreResult {
  if (!fs.statSync(source, { throwIfNoEntry: false })?.isFile()) {
    throw new AppError('INVALID_INPUT', `no such file: ${source}`, { field: 'file', rule: 'must be a backup file' });
  }
  // Work on a copy beside the target: opening the source itself could leave -wal/-shm files beside it.
  const dir = path.dirname(path.resolve(dbPath));
  ensureDir(dir);
  removeDeadPartials(dir);
  const tmp = createPartial(path.resolve(dbPath), 'restore');
  try {
    fs.copyFileSync(source, tmp);
    fs.chmodSync(tmp, 0o600);
    let verified: VerifiedCopy;
    try {
      toRollbackJournal(tmp);
      verified = verifyDatabaseFile(tmp, source);
    } catch (err) {
      // The file the user named is at fault, not the copy this makes of it (whose name the driver's error carries).
      if (!(err instanceof AppError) || err.code === 'INTERNAL') throw err;
      const driverCode = (err.cause as { code?: unknown } | undefined)?.code;
      const why = err.message.includes(tmp) ? `not a valid Session Buddy database (${typeof driverCode === 'string' ? driverCode : 'unreadable'})` : null;
      throw new AppError('INVALID_INPUT', why ? `${source} is ${why}` : err.message, {
        field: 'file',
        rule: 'must be a backup made by `session-buddy backup`',
      });
    }
    const latest = loadMigrations(migrationsDir('sqlite')).length;
    if (verified.schemaVersion > latest) {
      throw new AppError('INVALID_INPUT', `${source} has schema version ${verified.schemaVersion}, newer than this program supports (${latest})`);
    }
    fsyncFile(tmp);
  } catch (err) {
    removeWithJournals(tmp);
    throw err;
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
  fs.renameSync(tmp, dbPath);
  const db = openDatabase(dbPath);
  try {
    new Migrator(db).up();
  } finally {
    db.close();
  }
  return { ...verifyDatabaseFile(dbPath), previous };
}
