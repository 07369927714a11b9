/**
 * Online backup (SQLite backup API: consistent while the server keeps
 * writing) and restore. Both verify the copy before reporting success, and
 * restore keeps the database it replaces (a damaged one too, as `<db>.damaged-<time>`).
 *
 * Neither leaves anything behind: the copy is written to a hidden 0600
 * `.<name>.sb-backup-<pid>.partial` file (removed on failure, and by the next
 * backup into that directory when its process died) and switched to a
 * rollback journal before it is opened again, so no `-wal`/`-shm` files
 * appear beside it; restore copies the source first and never opens it.
 *
 * Restore switches the database (and the salt file) with a few renames recorded first in an intent
 * record, so that a process killed between two of them leaves a switch that the next open of the
 * database completes, forward or back (restore-switch.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.js';
import { openDatabase, type SqliteDb } from '../database.js';
import { Migrator } from './migrator.js';
import { loadMigrations, migrationsDir } from '../migrations.js';
import { processAlive } from '../../process-alive.js';
import { ensureDir } from '../../ensure-dir.js';
import { isSalt, readSalt, saltFingerprint, SALT_FILE, stageSalt, type StagedSalt } from '../salt.js';
import { recordedSaltFingerprint, recordSaltFingerprint, saltFilesWith } from './user-salt.js';
import { recoverInterruptedRestore, switchRestored, type SwitchStep } from './restore-switch.js';

const FINGERPRINT = /^[0-9a-f]{8}$/;

export interface VerifiedCopy {
  file: string;
  bytes: number;
  schemaVersion: number;
  invocations: number;
  /** The fingerprint of the salt its users were hashed with (user-salt.ts); null when it records none (made by an older version). */
  saltFingerprint: string | null;
}

function hasTable(db: SqliteDb, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Checks that `file` is an intact Session Buddy database and describes it (messages name `label`). */
export function verifyDatabaseFile(file: string, label = file): VerifiedCopy {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `no such file: ${label}`);
  const db = openDatabase(file, { readonly: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new AppError('STORE_UNAVAILABLE', `${label} failed the integrity check: ${String(check)}`);
    if (!hasTable(db, 'schema_migrations'))
      throw new AppError('INVALID_INPUT', `${label} is a SQLite database but not a Session Buddy one (no schema_migrations table)`);
    const schemaVersion = (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
    const invocations = hasTable(db, 'skill_invocations') ? (db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number) : 0;
    const recorded = recordedSaltFingerprint(db);
    if (recorded !== null && !FINGERPRINT.test(recorded)) {
      throw new AppError('INVALID_INPUT', `${label} records a salt fingerprint that is not 8 hex digits (settings user_salt_fingerprint)`);
    }
    return { file, bytes: fs.statSync(file).size, schemaVersion, invocations, saltFingerprint: recorded };
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

/**
 * Switches a copy to a rollback journal (folding in any WAL), so later opens create no -wal/-shm
 * files; with `fingerprint`, records it in the copy first as that of its users' salt.
 */
function toRollbackJournal(file: string, fingerprint: string | null = null): void {
  const db = openDatabase(file);
  try {
    if (fingerprint !== null) recordSaltFingerprint(db, fingerprint);
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

/**
 * A verified copy of `db` at `dest`. `fingerprint` is that of the salt the database's users were
 * hashed with (user-salt.ts): the copy records it, so that restore can tell whether it belongs here.
 */
export async function backupDatabase(
  db: SqliteDb,
  dest: string,
  onProgress?: (fraction: number) => void,
  fingerprint: string | null = null,
): Promise<VerifiedCopy> {
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
    toRollbackJournal(tmp, fingerprint);
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

/** What restore did about the salt file (see the head of this file). */
export type RestoredSalt =
  /** The backup's users were hashed with this installation's salt. */
  | { kind: 'same'; fingerprint: string }
  /** The salt given was installed as `<dataDir>/salt`; the one it replaced is kept as `kept`. */
  | { kind: 'installed'; fingerprint: string; checked: boolean; replaced: { fingerprint: string; kept: string } | null }
  /**
   * The backup records no fingerprint (made by an older version): whether its users were hashed
   * with this installation's salt (`fingerprint`, null: none yet) could not be checked, unless some
   * of them are users of the replaced database too (`sharedUsers` > 0: then the salts agree).
   */
  | { kind: 'unrecorded'; fingerprint: string | null; sharedUsers: number };

export interface RestoreResult extends VerifiedCopy {
  /** Where the replaced database was kept, if there was one. */
  previous: string | null;
  /** The replaced database was damaged (not a database, or corrupt): kept as it was, as `<db>.damaged-<time>`. */
  damaged: boolean;
  salt: RestoredSalt;
}

export interface RestoreOptions {
  /** The data directory, whose `salt` file the restored users must have been hashed with. */
  dataDir: string;
  /** The salt the backup's users were hashed with, when it is another installation's: installed with the data. */
  salt?: string;
  now?: number;
  /** Called at each point between two steps of the switch (restore-switch.ts; the crash tests stop there). */
  onSwitchStep?: (step: SwitchStep) => void;
}

/** Opens an existing database read-only for `fn`; null when it is missing or cannot be read. */
function readExisting<T>(file: string, fn: (db: SqliteDb) => T): T | null {
  if (!fs.existsSync(file)) return null;
  try {
    const db = openDatabase(file, { readonly: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** How many users of the copy `file` are users of the database at `dbPath` too. */
function sharedUsers(file: string, dbPath: string): number {
  const current = readExisting(dbPath, (db) => (hasTable(db, 'users') ? new Set(db.prepare('SELECT user_hash FROM users').pluck().all() as string[]) : null));
  if (!current || current.size === 0) return 0;
  return (
    readExisting(file, (db) => {
      if (!hasTable(db, 'users')) return 0;
      let n = 0;
      for (const h of db.prepare('SELECT user_hash FROM users').pluck().iterate() as IterableIterator<string>) if (current.has(h)) n++;
      return n;
    }) ?? 0
  );
}

interface SaltPlan {
  result: RestoredSalt;
  /** This installation's salt before the restore (null: none). */
  current: string | null;
  /** The salt file to write, and where the one it replaces is kept. */
  install: { salt: string; keep: string | null } | null;
}

/** Decides what to do about the salt; throws when the backup's users were hashed with another salt than the one that would be in place. */
function saltPlan(source: string, copy: VerifiedCopy, dbPath: string, opts: RestoreOptions, now: number): SaltPlan {
  const current = readSalt(opts.dataDir);
  const recorded = copy.saltFingerprint;
  const given = opts.salt;
  if (given !== undefined) {
    if (!isSalt(given)) throw AppError.invalid('salt', 'is not a salt file (64 hex digits)');
    if (recorded !== null && saltFingerprint(given) !== recorded) {
      throw AppError.invalid(
        'salt',
        `has fingerprint ${saltFingerprint(given)}, but the users of ${source} were hashed with the salt of fingerprint ${recorded} (nothing was changed)`,
      );
    }
  }
  if (given === undefined || given === current) {
    if (recorded === null) {
      const result: RestoredSalt = { kind: 'unrecorded', fingerprint: current && saltFingerprint(current), sharedUsers: sharedUsers(copy.file, dbPath) };
      return { result, current, install: null };
    }
    if (current !== null && saltFingerprint(current) === recorded) return { result: { kind: 'same', fingerprint: recorded }, current, install: null };
    const kept = saltFilesWith(opts.dataDir, recorded);
    throw AppError.invalid(
      'salt',
      `needed to restore ${source}: its users were hashed with another salt than this installation's (fingerprint ${recorded}; ` +
        `this installation's ${current === null ? 'has none yet' : `is ${saltFingerprint(current)}`}), so each of them would count as a second user here; ` +
        `give the salt file of the installation that made it${kept.length > 0 ? ` (${kept.join(', ')} is one)` : ''} to install it with the data, ` +
        'or merge the backup with `session-buddy merge-data` instead (its users then count apart); nothing was changed',
    );
  }
  const keep = current === null ? null : path.join(opts.dataDir, `${SALT_FILE}.before-restore-${now}`);
  return {
    result: {
      kind: 'installed',
      fingerprint: saltFingerprint(given),
      checked: recorded !== null,
      replaced: keep === null ? null : { fingerprint: saltFingerprint(current!), kept: keep },
    },
    current,
    install: { salt: given, keep },
  };
}

/**
 * Replaces the database at `dbPath` with the verified backup `source`, and the salt file with the
 * salt it records when that differs (see the head of this file). The server must be stopped.
 */
export function restoreDatabase(source: string, dbPath: string, opts: RestoreOptions): RestoreResult {
  const now = opts.now ?? Date.now();
  if (!fs.statSync(source, { throwIfNoEntry: false })?.isFile()) {
    throw new AppError('INVALID_INPUT', `no such file: ${source}`, { field: 'file', rule: 'must be a backup file' });
  }
  dbPath = path.resolve(dbPath);
  // Work on a copy beside the target: opening the source itself could leave -wal/-shm files beside it.
  const dir = path.dirname(dbPath);
  ensureDir(dir);
  // An earlier restore killed during its switch is completed first (its copy is one of the partials).
  recoverInterruptedRestore(dbPath);
  removeDeadPartials(dir);
  const tmp = createPartial(dbPath, 'restore');
  let plan: SaltPlan;
  let staged: StagedSalt | null = null;
  let keptSalt: string | null = null;
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
    plan = saltPlan(source, verified, dbPath, opts, now);
    fsyncFile(tmp);
    // Everything that may fail before the switch: the new salt written and flushed, the replaced one kept.
    if (plan.install) {
      staged = stageSalt(opts.dataDir, plan.install.salt);
      if (plan.install.keep !== null && plan.current !== null) {
        fs.writeFileSync(plan.install.keep, `${plan.current}\n`, { mode: 0o600, flag: 'wx' });
        keptSalt = plan.install.keep;
      }
    }
  } catch (err) {
    removeWithJournals(tmp);
    staged?.discard();
    if (keptSalt !== null) fs.rmSync(keptSalt, { force: true });
    throw err;
  }
  let previous: string | null = null;
  let damaged = false;
  // Once the switch is recorded, it puts back and removes everything itself (or leaves its record to the next open).
  let recorded = false;
  try {
    if (fs.existsSync(dbPath)) {
      damaged = !foldCurrent(dbPath, plan.current);
      previous = `${dbPath}.${damaged ? 'damaged' : 'before-restore'}-${now}`;
    }
    // The switch: a few renames, recorded first, so that a process killed in between leaves what the next open completes.
    switchRestored(
      {
        version: 1,
        pid: process.pid,
        startedAt: Date.now(),
        source,
        db: dbPath,
        staged: tmp,
        previous,
        damaged,
        salt: staged && { staged: staged.file, file: staged.target, kept: keptSalt },
      },
      (step) => {
        if (step === 'intent-written') recorded = true;
        opts.onSwitchStep?.(step);
      },
    );
  } catch (err) {
    // Undone: the replaced database is in place, nothing of the backup or its salt stays.
    if (!recorded) {
      removeWithJournals(tmp);
      staged?.discard();
      if (keptSalt !== null) fs.rmSync(keptSalt, { force: true });
    }
    throw err;
  }
  const db = openDatabase(dbPath);
  try {
    new Migrator(db).up();
  } finally {
    db.close();
  }
  return { ...verifyDatabaseFile(dbPath), previous, damaged, salt: plan.result };
}

/** Whether `err` says that a database file is damaged or not a database (SQLITE_CORRUPT*, SQLITE_NOTADB). */
function isDamage(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } } | null)?.cause?.code ?? (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

/**
 * Folds the WAL of the database being replaced into its main file, so the kept copy is complete,
 * recording in it the fingerprint of the salt its users were hashed with (`salt`), so that restoring
 * it asks for that salt. False when the file is damaged (often why it is replaced): it is kept as it is.
 */
function foldCurrent(dbPath: string, salt: string | null): boolean {
  let current: SqliteDb;
  try {
    current = openDatabase(dbPath);
  } catch (err) {
    if (isDamage(err)) return false;
    throw err;
  }
  try {
    if (salt !== null) {
      try {
        recordSaltFingerprint(current, saltFingerprint(salt), true);
      } catch {
        // A damaged table: the checkpoint says whether the file is.
      }
    }
    current.pragma('wal_checkpoint(TRUNCATE)');
    return true;
  } catch (err) {
    if (isDamage(err)) return false;
    throw err;
  } finally {
    current.close();
  }
}
