/**
 * Per-installation salt for hashing user identifiers. Generated once, kept in
 * the data directory with owner-only permissions; raw user ids are never stored.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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
  fs.mkdirSync(dataDir, { recursive: true });
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

/** Hashes user ids, remembering recent results (ingest sees the same few users over and over). */
export function createUserHasher(salt: string, cacheSize = 50_000): UserHasher {
  const cache = new Map<string, string>();
  return (userId) => {
    let hash = cache.get(userId);
    if (hash === undefined) {
      hash = crypto.createHash('sha256').update(salt).update('\0').update(userId).digest('hex');
      if (cache.size >= cacheSize) cache.clear();
      cache.set(userId, hash);
    }
    return hash;
  };
}
