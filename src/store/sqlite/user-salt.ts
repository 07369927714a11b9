/**
 * Which salt a SQLite database's users were hashed with. On SQLite the salt is the data directory's
 * `salt` file (salt.ts), but the database may live elsewhere (`--store sqlite:PATH`) and be opened
 * from any data directory, and a salt file may be replaced: hashing with another salt than the one
 * its users were hashed with counts every one of them as a second user, and finds no data for them.
 *
 * So the database records the fingerprint (saltFingerprint) of its users' salt in `settings`
 * (`user_salt_fingerprint`): when a data directory first opens it (bindUserSalt), and in every
 * backup (backup.ts). Every later open from a data directory whose salt file has another
 * fingerprint, or none, is refused, saying what to do. A database that records none was made by an
 * older version: when it lies outside the data directory and already has users, the salt file beside
 * it (its own installation's, as `migrate-store` reads it) tells its users' salt; otherwise the
 * data directory opening it is taken to be its own, and recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.js';
import type { SqliteDb } from '../database.js';
import { isSalt, loadOrCreateSalt, readSalt, SALT_FILE, saltFingerprint } from '../salt.js';

/** The `settings` key of the fingerprint (saltFingerprint) of the salt a database's users were hashed with. */
const SALT_FINGERPRINT_KEY = 'user_salt_fingerprint';

function hasTable(db: SqliteDb, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** The salt fingerprint `db` records (its users were hashed with that salt); null: none (no settings table, or made by an older version). */
export function recordedSaltFingerprint(db: SqliteDb): string | null {
  if (!hasTable(db, 'settings')) return null;
  return (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(SALT_FINGERPRINT_KEY) as string | undefined) ?? null;
}

/**
 * Records in `db` that its users were hashed with the salt of `fingerprint` (a database older than
 * the settings table records nothing); `keep`: unless it records one already.
 */
export function recordSaltFingerprint(db: SqliteDb, fingerprint: string, keep = false): void {
  if (!hasTable(db, 'settings')) return;
  db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO ${keep ? 'NOTHING' : 'UPDATE SET value = excluded.value'}`).run(
    SALT_FINGERPRINT_KEY,
    fingerprint,
  );
}

/** Whether any row of `db` holds a user hash. */
export function hasUserHashes(db: SqliteDb): boolean {
  const tables = db
    .prepare("SELECT m.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'user_hash'")
    .all() as { name: string }[];
  return tables.some(({ name }) => db.prepare(`SELECT 1 FROM "${name.replaceAll('"', '""')}" LIMIT 1`).get() !== undefined);
}

/** The salt in `dir`'s salt file; null when it is missing, unreadable or malformed. */
function saltIn(dir: string): string | null {
  try {
    const salt = readSalt(dir);
    return salt !== null && isSalt(salt) ? salt : null;
  } catch {
    return null;
  }
}

/** Salt files in `dir` (kept by earlier restores, `salt.before-restore-*`) whose salt has `fingerprint`. */
export function saltFilesWith(dir: string, fingerprint: string): string[] {
  const found: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return found; // no data directory yet
  }
  for (const name of names) {
    if (!name.startsWith(`${SALT_FILE}.before-restore-`)) continue;
    try {
      const salt = fs.readFileSync(path.join(dir, name), 'utf8').trim();
      if (isSalt(salt) && saltFingerprint(salt) === fingerprint) found.push(path.join(dir, name));
    } catch {
      // unreadable: not offered
    }
  }
  return found;
}

function isDataDirDatabase(dbPath: string, dataDir: string): boolean {
  return path.resolve(path.dirname(dbPath)) === path.resolve(dataDir);
}

/** The salt a database's users were hashed with, as far as it tells (usersSalt). */
export interface UsersSalt {
  fingerprint: string;
  /** null: the database records it; else the salt file beside a database that records none (made by an older version). */
  saltFile: string | null;
}

/**
 * The fingerprint of the salt the users of `db` (the file `dbPath`) were hashed with: the one it
 * records; for a database that records none, lies outside `dataDir` and has users, that of the salt
 * file beside it; else null (nothing tells, or there is nobody to split).
 */
export function usersSalt(db: SqliteDb, dbPath: string, dataDir: string): UsersSalt | null {
  const recorded = recordedSaltFingerprint(db);
  if (recorded !== null) return { fingerprint: recorded, saltFile: null };
  if (isDataDirDatabase(dbPath, dataDir)) return null;
  const beside = saltIn(path.dirname(dbPath));
  if (beside === null || !hasUserHashes(db)) return null;
  return { fingerprint: saltFingerprint(beside), saltFile: path.join(path.dirname(dbPath), SALT_FILE) };
}

/**
 * What to do when the data directory's salt file is not the one the users of the database at
 * `dbPath` were hashed with (a salt file a restore kept that is, when there is one, is named).
 */
export function saltMismatchFix(dbPath: string, dataDir: string, users: UsersSalt): string {
  const file = path.join(dataDir, SALT_FILE);
  const keptSalt = saltFilesWith(dataDir, users.fingerprint)[0] ?? null;
  if (!isDataDirDatabase(dbPath, dataDir)) {
    const home = saltIn(path.dirname(dbPath));
    const owner =
      home !== null && saltFingerprint(home) === users.fingerprint
        ? ` (${path.dirname(dbPath)})`
        : ` (the one whose salt file has fingerprint ${users.fingerprint})`;
    return `give --data-dir the data directory that database belongs to${owner}, or --store a database of ${dataDir}`;
  }
  return keptSalt !== null
    ? `${keptSalt} has fingerprint ${users.fingerprint}: put it back (\`cp ${keptSalt} ${file}\`)`
    : `put back the salt file of the installation the data comes from; if that salt is lost, move ${dbPath} aside and \`session-buddy merge-data\` it (its users then count apart from new ones)`;
}

function saltMismatch(dbPath: string, dataDir: string, users: UsersSalt, local: string | null): AppError {
  const file = path.join(dataDir, SALT_FILE);
  const whose = users.saltFile === null ? '' : ` (${users.saltFile}, beside it)`;
  return new AppError(
    'CONFLICT',
    `the users of ${dbPath} were hashed with the salt of fingerprint ${users.fingerprint}${whose}, but ${file} ` +
      `${local === null ? 'is missing: hashed with a new salt' : `has fingerprint ${saltFingerprint(local)}: hashed with it`}, each of them would count as a second user; ` +
      `${saltMismatchFix(dbPath, dataDir, users)}; nothing was recorded`,
    { dataDir, store: dbPath, fingerprint: users.fingerprint },
  );
}

/**
 * The salt to hash the users of `db` (the file `dbPath`) with, opened from `dataDir`: its salt file,
 * which must be the one the database's users were hashed with (see the head of this file), else a
 * CONFLICT naming both and the fix. A database that records none records it now (created with the salt file when there
 * is none yet), unless `readonly`: then the salt file is only read (null: none).
 */
export function bindUserSalt(db: SqliteDb, dbPath: string, dataDir: string, opts: { readonly: boolean }): string | null {
  const local = readSalt(dataDir);
  const users = usersSalt(db, dbPath, dataDir);
  if (users !== null && (local === null || saltFingerprint(local) !== users.fingerprint)) {
    throw saltMismatch(dbPath, dataDir, users, local);
  }
  if (opts.readonly) return local;
  if (local !== null && users?.saltFile === null) return local; // recorded, and the same
  const salt = local ?? loadOrCreateSalt(dataDir);
  recordSaltFingerprint(db, saltFingerprint(salt), true);
  // Another data directory may have recorded its salt first (both opening a database that recorded none).
  const recorded = recordedSaltFingerprint(db);
  if (recorded !== null && recorded !== saltFingerprint(salt)) {
    throw saltMismatch(dbPath, dataDir, { fingerprint: recorded, saltFile: null }, salt);
  }
  return salt;
}
