/**
 * The switch at the end of a restore (backup.ts), made crash-safe. The switch is a few renames:
 * the live database aside (as `<db>.before-restore-<time>` or `.damaged-<time>`, with the WAL of
 * a damaged one), the verified copy into place, then the staged salt file over the data
 * directory's. A process killed between two of them would leave no database at the live path
 * (the next open would create an empty one) or the restored data with the old salt.
 *
 * So before the first rename an intent record naming every path involved is written and flushed
 * beside the database (`.<db name>.sb-restore-intent.json`), and removed after the last one. Whoever
 * next opens that database (openDatabase), runs a command on it (the CLI checks first, and says what
 * it did) or restores into it finds the record of a process that is gone and completes the switch
 * from what is on disk: forward when the restored copy is in place or still complete beside it
 * (the restore is finished, its salt installed with it), back otherwise (the replaced database and
 * its salt stay, what the restore staged is removed). Either way the database and the salt file
 * agree. The record of a restore still running (its process alive, written under a minute ago) is
 * left alone: opening the database is refused until it is done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.js';
import { processAlive } from '../../process-alive.js';

/** Everything the switch touches, written down before it starts. */
export interface RestoreIntent {
  version: 1;
  pid: number;
  /** When the switch started (ms since the epoch). */
  startedAt: number;
  /** The backup file restored (for messages only). */
  source: string;
  /** The live database. */
  db: string;
  /** The verified copy of the backup, renamed over `db`. */
  staged: string;
  /** Where the live database goes (null: there was none). */
  previous: string | null;
  /** The live database is damaged: its WAL goes with it (`<previous>-wal`). */
  damaged: boolean;
  /** The salt installed with the data: `staged` renamed over `file`; the replaced salt was copied to `kept`. */
  salt: { staged: string; file: string; kept: string | null } | null;
}

/** The points between the steps of the switch, in order (for the crash tests). */
export type SwitchStep = 'intent-written' | 'moved-aside' | 'wal-moved-aside' | 'restored-in-place' | 'salt-installed';

/** What was done about the record of a restore that did not finish. */
export interface RecoveredRestore {
  /** finished: the restored database is in place with its salt; undone: the replaced database is back (or none, as before). */
  outcome: 'finished' | 'undone';
  intent: RestoreIntent;
}

/** How long a switch may take before the record of a process still alive counts as left by another (its pid reused). */
const SWITCH_MAX_MS = 60_000;

/** The intent record of a restore into `dbPath`. */
export function restoreIntentFile(dbPath: string): string {
  const db = path.resolve(dbPath);
  return path.join(path.dirname(db), `.${path.basename(db)}.sb-restore-intent.json`);
}

const exists = (file: string) => fs.existsSync(file);

/** Flushes a directory's entries (the renames in it); not every platform can. */
function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // best effort
  }
}

function flushDirs(intent: RestoreIntent): void {
  fsyncDir(path.dirname(intent.db));
  if (intent.salt && path.dirname(intent.salt.file) !== path.dirname(intent.db)) fsyncDir(path.dirname(intent.salt.file));
}

function inProgress(other: RestoreIntent | null, db: string, file: string): AppError {
  const who = other ? `a restore (pid ${other.pid}) of ${other.source}` : 'another restore';
  return new AppError('CONFLICT', `${who} is switching ${db} to the backup; try again when it has finished`, { path: file });
}

/** Writes the record and flushes it; refused when another restore's is there. */
function writeIntent(intent: RestoreIntent): void {
  const file = restoreIntentFile(intent.db);
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw inProgress(readIntent(file), intent.db, file);
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(intent)}\n`);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fsyncDir(path.dirname(file));
}

function readIntent(file: string): RestoreIntent | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const v = JSON.parse(text) as RestoreIntent;
    if (v?.version === 1 && typeof v.db === 'string' && typeof v.staged === 'string') return v;
  } catch {
    // written only in part: see recoverInterruptedRestore
  }
  return null;
}

/** The restored copy is at the live path (it is no longer beside it, and the replaced database is aside). */
function restoredInPlace(intent: RestoreIntent): boolean {
  return exists(intent.db) && !exists(intent.staged) && (intent.previous === null || exists(intent.previous));
}

/** Completes the switch from any point at which the restored copy is in place or complete beside it. */
function rollForward(intent: RestoreIntent, onStep: (step: SwitchStep) => void): void {
  const { db, previous, staged } = intent;
  if (!restoredInPlace(intent)) {
    // A damaged database's WAL goes with it; any other -wal/-shm at the live path is stale.
    if (previous !== null && intent.damaged && exists(`${db}-wal`) && !exists(`${previous}-wal`)) {
      fs.renameSync(`${db}-wal`, `${previous}-wal`);
      onStep('wal-moved-aside');
    }
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${db}${suffix}`, { force: true });
    fs.renameSync(staged, db);
    onStep('restored-in-place');
  }
  // The salt goes with the data: one rename right after the database's.
  if (intent.salt && exists(intent.salt.staged)) {
    fs.renameSync(intent.salt.staged, intent.salt.file);
    onStep('salt-installed');
  }
}

/**
 * Undoes the switch from any point: the restored copy is moved back beside the database, the
 * replaced database back into place, the replaced salt too, then what the restore staged is removed
 * (the copy last, so that a process killed in here leaves a state this function or rollForward completes).
 */
function rollBack(intent: RestoreIntent): void {
  const { db, previous, staged } = intent;
  if (restoredInPlace(intent)) fs.renameSync(db, staged);
  if (previous !== null && !exists(db) && exists(previous)) {
    if (intent.damaged && exists(`${previous}-wal`)) fs.renameSync(`${previous}-wal`, `${db}-wal`);
    fs.renameSync(previous, db);
  }
  if (intent.salt) {
    const { staged: stagedSalt, file, kept } = intent.salt;
    const installed = !exists(stagedSalt);
    fs.rmSync(stagedSalt, { force: true });
    // The replaced salt back (`kept` is a copy of it: the same file when it was never replaced), or none, as there was none.
    if (kept !== null) {
      if (exists(kept)) fs.renameSync(kept, file);
    } else if (installed) {
      fs.rmSync(file, { force: true });
    }
  }
  for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(`${staged}${suffix}`, { force: true });
}

/**
 * Switches `intent.db` to the verified copy `intent.staged` (and the salt file to the staged
 * salt), recording the intent first. On a failure everything is put back as it was (what the
 * restore staged removed) and the error thrown. `onStep` is called at each point between two steps,
 * from 'intent-written' on (before it, nothing was changed).
 */
export function switchRestored(intent: RestoreIntent, onStep: (step: SwitchStep) => void = () => {}): void {
  writeIntent(intent);
  try {
    onStep('intent-written');
    if (intent.previous !== null) {
      fs.renameSync(intent.db, intent.previous);
      onStep('moved-aside');
    }
    rollForward(intent, onStep);
    flushDirs(intent);
  } catch (err) {
    try {
      rollBack(intent);
    } catch (undo) {
      // The record stays: the next open completes the switch from it.
      throw new AppError(
        'STORE_UNAVAILABLE',
        `restoring ${intent.source} failed (${(err as Error).message}) and could not be undone (${(undo as Error).message}); ` +
          `the next command completes it from ${restoreIntentFile(intent.db)}`,
        {},
        { cause: err },
      );
    }
    flushDirs(intent);
    fs.rmSync(restoreIntentFile(intent.db), { force: true });
    throw err;
  }
  fs.rmSync(restoreIntentFile(intent.db), { force: true });
}

/**
 * Completes the switch of a restore into `dbPath` that did not finish (its process was killed, or
 * the machine lost power), from its intent record: see the head of this file. Null when there is
 * none. Refused (CONFLICT) while the restore that wrote it is still switching.
 */
export function recoverInterruptedRestore(dbPath: string, now = Date.now()): RecoveredRestore | null {
  const file = restoreIntentFile(dbPath);
  if (!exists(file)) return null;
  const intent = readIntent(file);
  if (intent === null) {
    // Being written (refused, as a restore switching), or written only in part by a process that
    // died: the record is flushed before the first rename, so nothing was switched.
    if (now - fs.statSync(file).mtimeMs < SWITCH_MAX_MS) throw inProgress(null, path.resolve(dbPath), file);
    fs.rmSync(file, { force: true });
    return null;
  }
  if (intent.pid !== process.pid && processAlive(intent.pid) && now - intent.startedAt < SWITCH_MAX_MS) throw inProgress(intent, intent.db, file);
  let outcome: RecoveredRestore['outcome'];
  try {
    if (restoredInPlace(intent) || (exists(intent.staged) && !exists(intent.db))) {
      rollForward(intent, () => {});
      outcome = 'finished';
    } else {
      rollBack(intent);
      outcome = 'undone';
    }
    flushDirs(intent);
  } catch (err) {
    throw new AppError(
      'STORE_UNAVAILABLE',
      `a restore of ${intent.source} into ${intent.db} (pid ${intent.pid}) was interrupted, and what it left could not be put in order: ${(err as Error).message}; ` +
        `fix that and run any command again (${file} names every file involved)`,
      { path: file },
      { cause: err },
    );
  }
  fs.rmSync(file, { force: true });
  return { outcome, intent };
}

/** One line on what recoverInterruptedRestore did. */
export function describeRecoveredRestore({ outcome, intent }: RecoveredRestore): string {
  const what = `a restore of ${intent.source} into ${intent.db} (pid ${intent.pid}) was interrupted part-way`;
  if (outcome === 'finished') {
    return (
      `${what}; it was finished: the restored database is in place` +
      `${intent.previous ? `, the one it replaced kept as ${intent.previous}` : ''}` +
      `${intent.salt ? ', and the salt given was installed with it' : ''}`
    );
  }
  return `${what}; it was undone: ${intent.previous ? 'the database it was replacing is back in place with its salt' : 'there is no database, as before'}; nothing of the backup was kept`;
}
