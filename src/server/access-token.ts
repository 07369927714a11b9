/**
 * The access token of the live stream: 32 random bytes (base64url) in
 * `<data dir>/token`, readable by the owner only (0600). Created on first use
 * (`init` or the first start) and kept across restarts; delete the file to
 * rotate it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { ensureDir } from '../ensure-dir.js';

const TOKEN_FILE = 'token';

export function tokenPath(dataDir: string): string {
  return path.join(dataDir, TOKEN_FILE);
}

/** Reads the token, creating the file (0600) when it does not exist yet. */
export function loadOrCreateToken(dataDir: string): string {
  const file = tokenPath(dataDir);
  ensureDir(dataDir);
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A copied or hand-made file may be group/world readable: tighten it.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const token = fs.readFileSync(file, 'utf8').trim();
  if (token.length < 16) {
    throw new AppError('INTERNAL', `${file} holds no usable token (fewer than 16 characters); delete it to generate a new one`);
  }
  return token;
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
