/**
 * A SQLite database opened from a data directory records the fingerprint of the salt its users are
 * hashed with; opened from a data directory whose salt file is another (`--store sqlite:PATH` of
 * another installation, a replaced or lost salt file) it is refused, before anything is hashed, with
 * the fix. A database made before it recorded one is judged by the salt file beside it when it lies
 * outside the data directory and has users; otherwise the data directory opening it is its own.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AppError } from '../../errors.js';
import { openDatabase } from '../database.js';
import { loadOrCreateSalt, readSalt, saltFingerprint } from '../salt.js';
import { openSqliteStores } from './stores.js';
import { recordedSaltFingerprint } from './user-salt.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-user-salt-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => path.join(root, `d${++n}`);

/** Opens `file` from `dataDir` (as every command does), runs `fn`, closes. */
async function withStores<T>(file: string, dataDir: string, fn: (stores: ReturnType<typeof openSqliteStores>) => T | Promise<T>, readonly = false): Promise<T> {
  const stores = openSqliteStores(file, { dataDir, readonly });
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, 'CONFLICT');
    return err;
  }
  assert.fail('not refused');
}

const recorded = (file: string) => {
  const db = openDatabase(file, { readonly: true });
  try {
    return recordedSaltFingerprint(db);
  } finally {
    db.close();
  }
};

describe("a SQLite database and the data directory's salt", () => {
  it('records the salt of the data directory that opens it (made when missing) and hashes with it', async () => {
    const dir = newDir();
    const file = path.join(dir, 'session-buddy.db');
    const salt = await withStores(file, dir, (s) => s.userSalt);
    assert.equal(salt, readSalt(dir));
    assert.equal(recorded(file), saltFingerprint(salt!));
    assert.equal(await withStores(file, dir, (s) => s.userSalt), salt);
  });

  it('is refused from another data directory, naming the one it belongs to; nothing is made there', async () => {
    const owner = newDir();
    const file = path.join(owner, 'session-buddy.db');
    const salt = await withStores(file, owner, (s) => s.userSalt!);
    const other = newDir();
    const missing = refusal(() => openSqliteStores(file, { dataDir: other }));
    assert.equal(
      missing.message,
      `the users of ${file} were hashed with the salt of fingerprint ${saltFingerprint(salt)}, but ${path.join(other, 'salt')} is missing: ` +
        `hashed with a new salt, each of them would count as a second user; give --data-dir the data directory that database belongs to (${owner}), ` +
        `or --store a database of ${other}; nothing was recorded`,
    );
    assert.equal(fs.existsSync(path.join(other, 'salt')), false);
    const otherSalt = loadOrCreateSalt(other);
    const differs = refusal(() => openSqliteStores(file, { dataDir: other }));
    assert.match(differs.message, new RegExp(`but ${path.join(other, 'salt')} has fingerprint ${saltFingerprint(otherSalt)}: hashed with it, each of them`));
    // Read-only too (`skills`, `token list` on a store this user cannot write).
    refusal(() => openSqliteStores(file, { dataDir: other, readonly: true }));
    assert.equal(recorded(file), saltFingerprint(salt), 'the record is left as it was');
  });

  it('is refused when its own salt file was replaced, naming the salt file a restore kept', async () => {
    const dir = newDir();
    const file = path.join(dir, 'session-buddy.db');
    const salt = await withStores(file, dir, (s) => s.userSalt!);
    fs.renameSync(path.join(dir, 'salt'), path.join(dir, 'salt.before-restore-1'));
    fs.writeFileSync(path.join(dir, 'salt'), `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const err = refusal(() => openSqliteStores(file, { dataDir: dir }));
    assert.ok(
      err.message.endsWith(
        `; ${path.join(dir, 'salt.before-restore-1')} has fingerprint ${saltFingerprint(salt)}: put it back (\`cp ${path.join(dir, 'salt.before-restore-1')} ${path.join(dir, 'salt')}\`); nothing was recorded`,
      ),
      err.message,
    );
  });

  it('made by an older version (none recorded): judged by the salt file beside it when outside the data directory and it has users', async () => {
    const owner = newDir();
    const file = path.join(owner, 'session-buddy.db');
    const ownerSalt = await withStores(file, owner, (s) => s.userSalt!);
    const db = openDatabase(file);
    db.prepare("DELETE FROM settings WHERE key = 'user_salt_fingerprint'").run();
    db.prepare('INSERT INTO users (user_hash) VALUES (?)').run('ab'.repeat(32));
    db.close();
    const other = newDir();
    loadOrCreateSalt(other);
    const err = refusal(() => openSqliteStores(file, { dataDir: other }));
    assert.match(err.message, new RegExp(`fingerprint ${saltFingerprint(ownerSalt)} \\(${path.join(owner, 'salt')}, beside it\\)`));
    assert.equal(recorded(file), null);
    // Without users there is nobody to split: the data directory opening it takes it.
    const empty = path.join(owner, 'empty.db');
    assert.equal(await withStores(empty, other, (s) => s.userSalt), readSalt(other));
    assert.equal(recorded(empty), saltFingerprint(readSalt(other)!));
    // In its own data directory it is that directory's, and records it.
    assert.equal(await withStores(file, owner, (s) => s.userSalt), ownerSalt);
    assert.equal(recorded(file), saltFingerprint(ownerSalt));
  });
});
