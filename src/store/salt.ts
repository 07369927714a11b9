/**
 * Per-installation salt for hashing user identifiers. Generated once, kept in
 * the data directory with owner-only permissions; raw user ids are never stored.
 *
 * On SQLite the `salt` file is the salt. On PostgreSQL (team mode) the salt
 * lives in the database (postgres/settings.ts) and the file is a copy of it,
 * refreshed whenever the store is opened from that data directory
 * (open-stores.ts), because the hook pre-hashes spooled user ids with the
 * file without ever connecting to the database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir } from '../ensure-dir.js';
import { AppError } from '../errors.js';

export const SALT_FILE = 'salt';
const SALT = /^[0-9a-f]{64}$/;

/** The data directory's salt; null when there is no salt file. A malformed file throws (hashes would change). */
export function readSalt(dataDir: string): string | null {
  const file = path.join(dataDir, SALT_FILE);
  let existing: string;
  try {
    existing = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (SALT.test(existing)) return existing;
  throw malformedSalt(dataDir, file);
}

/** The error of a salt file that is not a salt: names the file and what to put back (a salt file a restore kept, if any). */
function malformedSalt(dataDir: string, file: string): AppError {
  let kept: string[] = [];
  try {
    kept = fs
      .readdirSync(dataDir)
      .filter((n) => n.startsWith(`${SALT_FILE}.before-restore-`))
      .sort()
      .map((n) => path.join(dataDir, n));
  } catch {
    kept = [];
  }
  return new AppError(
    'STORE_UNAVAILABLE',
    `${file} is not a 64-character hex salt (damaged or overwritten); it is not replaced, as every user id would then hash differently: ` +
      `put back the right salt file${kept.length > 0 ? ` (a restore kept ${kept.join(', ')})` : ' (from a backup of the data directory)'}`,
    { path: file },
  );
}

export function loadOrCreateSalt(dataDir: string): string {
  const existing = readSalt(dataDir);
  if (existing !== null) return existing;
  ensureDir(dataDir, 0o777);
  const file = path.join(dataDir, SALT_FILE);
  const salt = crypto.randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(file, `${salt}\n`, { mode: 0o600, flag: 'wx' });
    return salt;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSalt(dataDir);
    throw err;
  }
}

/** Whether `value` has the form of a salt (64 hex digits). */
export function isSalt(value: string): boolean {
  return SALT.test(value);
}

/** A salt file written and flushed beside the data directory's, not yet in place (stageSalt). */
export interface StagedSalt {
  /** The staged file. */
  file: string;
  /** The salt file it replaces, `<dataDir>/salt`. */
  target: string;
  /** Renames it over `<dataDir>/salt` (atomic). */
  commit(): void;
  /** Removes it (after a failed commit too). */
  discard(): void;
}

/**
 * Writes `salt` owner-only beside the data directory's salt file and flushes
 * it, without putting it in place: `commit` renames it over the salt file, so
 * that a caller can do everything that may fail first and then switch the
 * salt with one rename (restore switches it with the database).
 */
export function stageSalt(dataDir: string, salt: string): StagedSalt {
  if (!SALT.test(salt)) throw new Error('a salt must be 64-character hex');
  ensureDir(dataDir, 0o777);
  const file = path.join(dataDir, SALT_FILE);
  const tmp = path.join(dataDir, `.${SALT_FILE}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${salt}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return {
    file: tmp,
    target: file,
    commit: () => fs.renameSync(tmp, file),
    discard: () => fs.rmSync(tmp, { force: true }),
  };
}

/**
 * Makes `salt` the data directory's salt file, atomically: written owner-only
 * beside it, flushed, then renamed over it, so a concurrent reader (a hook
 * spooling) sees the old salt or the new one, never a partial file.
 */
export function writeSalt(dataDir: string, salt: string): void {
  const staged = stageSalt(dataDir, salt);
  try {
    staged.commit();
  } catch (err) {
    staged.discard();
    throw err;
  }
}

export type UserHasher = (userId: string) => string;

/**
 * A user id already hashed with a salt: `salted-sha256:<salt fingerprint>:<hash>`.
 * The hook writes ids in this form into its spool, so raw ids never reach disk;
 * a hasher whose salt has that fingerprint stores the hash as it is. Any other
 * hasher refuses it (INVALID_INPUT): the raw id is unknown, so it cannot be
 * hashed like the live writes of the same user, and hashing the string again
 * would invent a second user for the same person (inflating the distinct-user
 * counts that k-anonymity relies on). A refused spool line is kept in
 * `spool.rejected.jsonl` with the reason.
 */
export const PREHASHED_PREFIX = 'salted-sha256:';
const PREHASHED = /^salted-sha256:([0-9a-f]{8}):([0-9a-f]{64})$/;

function saltedHash(salt: string, userId: string): string {
  return crypto.createHash('sha256').update(salt).update('\0').update(userId).digest('hex');
}

export function saltFingerprint(salt: string): string {
  return crypto.createHash('sha256').update('fingerprint\0').update(salt).digest('hex').slice(0, 8);
}

/** The pre-hashed form of a user id (see PREHASHED_PREFIX); idempotent. */
export function prehashUserId(salt: string, userId: string): string {
  if (PREHASHED.test(userId)) return userId;
  return `${PREHASHED_PREFIX}${saltFingerprint(salt)}:${saltedHash(salt, userId)}`;
}

/** Hashes user ids, remembering recent results (ingest sees the same few users over and over). */
export function createUserHasher(salt: string, cacheSize = 50_000): UserHasher {
  const cache = new Map<string, string>();
  const fingerprint = saltFingerprint(salt);
  return (userId) => {
    let hash = cache.get(userId);
    if (hash === undefined) {
      const pre = PREHASHED.exec(userId);
      if (pre && pre[1] !== fingerprint) {
        throw AppError.invalid(
          'user_id',
          `is pre-hashed with another salt (fingerprint ${pre[1]}; this store's salt has ${fingerprint}), so it cannot be hashed like the raw id`,
        );
      }
      hash = pre ? pre[2]! : saltedHash(salt, userId);
      if (cache.size >= cacheSize) cache.clear();
      cache.set(userId, hash);
    }
    return hash;
  };
}
