/**
 * Per-installation salt for hashing user identifiers. Generated once, kept in
 * the data directory with owner-only permissions; raw user ids are never stored.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir } from '../ensure-dir.js';

export const SALT_FILE = 'salt';

export function loadOrCreateSalt(dataDir: string): string {
  const file = path.join(dataDir, SALT_FILE);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(existing)) return existing;
    throw new Error(`${file} is not a 64-character hex salt; refusing to replace it (hashes would change)`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  ensureDir(dataDir, 0o777);
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

export type UserHasher = (userId: string) => string;

/**
 * A user id already hashed with a salt: `salted-sha256:<salt fingerprint>:<hash>`.
 * The hook writes ids in this form into its spool, so raw ids never reach disk;
 * a hasher whose salt has that fingerprint stores the hash as it is, any other
 * hasher treats the whole string as an opaque id (hashed again).
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
      hash = pre && pre[1] === fingerprint ? pre[2]! : saltedHash(salt, userId);
      if (cache.size >= cacheSize) cache.clear();
      cache.set(userId, hash);
    }
    return hash;
  };
}
