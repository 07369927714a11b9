/**
 * `session-buddy backup` / `restore` across installations: a backup records the fingerprint of
 * the salt its users were hashed with, and restore keeps the database and the salt file in
 * agreement: a backup of another installation is refused (nothing changed) unless `--salt` gives
 * that installation's salt, which is then installed with the data; a backup made before backups
 * recorded the fingerprint is restored with a note of what could not be checked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-restore-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function sb(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: root },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const record = (dataDir: string, session: string) => assert.equal(sb(dataDir, 'record', '--skill', 'lint', '--user', 'ann', '--session', session).code, 0);
const salt = (dataDir: string) => fs.readFileSync(path.join(dataDir, 'salt'), 'utf8');
const users = (dataDir: string) => {
  const db = new Database(path.join(dataDir, 'session-buddy.db'), { readonly: true });
  try {
    return db.prepare('SELECT user_hash FROM users ORDER BY user_hash').pluck().all() as string[];
  } finally {
    db.close();
  }
};
const kept = (dataDir: string, prefix: string) => fs.readdirSync(dataDir).filter((f) => f.startsWith(prefix));

describe('restore of a backup made by another installation', () => {
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');

  it('refuses it without its salt, changing nothing, and naming the flag', () => {
    record(a, 's1');
    record(b, 's2');
    const backup = sb(a, 'backup', path.join(root, 'a.db'));
    assert.equal(backup.code, 0, backup.err);
    assert.match(backup.out, /integrity ok, users hashed with the salt of fingerprint [0-9a-f]{8}\)\n$/);

    const before = { salt: salt(b), db: fs.readFileSync(path.join(b, 'session-buddy.db')) };
    const r = sb(b, 'restore', path.join(root, 'a.db'));
    assert.equal(r.code, 2, r.out);
    assert.equal(r.out, '');
    assert.match(
      r.err,
      /^error: --salt: needed to restore .*\/a\.db: its users were hashed with another salt than this installation's \(fingerprint [0-9a-f]{8}; this installation's is [0-9a-f]{8}\), so each of them would count as a second user here; give the salt file of the installation that made it to install it with the data, .*nothing was changed\n$/,
    );
    assert.equal(r.err.split('\n').length, 2, 'one line');
    assert.equal(salt(b), before.salt);
    assert.deepEqual(fs.readFileSync(path.join(b, 'session-buddy.db')), before.db);
    assert.deepEqual(kept(b, 'session-buddy.db.before-restore-'), []);
    assert.deepEqual(kept(b, 'salt.before-restore-'), []);
    // A salt file that is not the one the backup's users were hashed with is refused too.
    const wrong = sb(b, 'restore', path.join(root, 'a.db'), '--salt', path.join(b, 'salt'));
    assert.equal(wrong.code, 2);
    assert.match(
      wrong.err,
      /^error: --salt: has fingerprint [0-9a-f]{8}, but the users of .*a\.db were hashed with the salt of fingerprint [0-9a-f]{8} \(nothing was changed\)\n$/,
    );
    assert.equal(salt(b), before.salt);
  });

  it('with --salt installs that salt with the data (0600), so the same person stays one user', () => {
    const oldB = salt(b);
    const r = sb(b, 'restore', path.join(root, 'a.db'), '--salt', path.join(a, 'salt'));
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /; installed the salt given \(fingerprint [0-9a-f]{8}\) with it; the replaced salt \(fingerprint [0-9a-f]{8}\) was kept as .*\/salt\.before-restore-\d+\n$/,
    );
    assert.equal(salt(b), salt(a));
    assert.equal(fs.statSync(path.join(b, 'salt')).mode & 0o777, 0o600);
    const [keptSalt] = kept(b, 'salt.before-restore-');
    assert.equal(fs.readFileSync(path.join(b, keptSalt!), 'utf8'), oldB);
    assert.equal(fs.statSync(path.join(b, keptSalt!)).mode & 0o777, 0o600);
    // ann's next call is hashed as her restored rows were.
    record(b, 's3');
    assert.deepEqual(users(b), users(a));
    assert.equal(users(b).length, 1);
  });

  it('points at the kept salt when the replaced database is restored, and puts it back with it', () => {
    const [previous] = kept(b, 'session-buddy.db.before-restore-');
    const [keptSalt] = kept(b, 'salt.before-restore-');
    const refused = sb(b, 'restore', path.join(b, previous!));
    assert.equal(refused.code, 2);
    assert.match(refused.err, new RegExp(`give the salt file of the installation that made it \\(${path.join(b, keptSalt!)} is one\\)`));
    const back = sb(b, 'restore', path.join(b, previous!), '--salt', path.join(b, keptSalt!));
    assert.equal(back.code, 0, back.err);
    assert.equal(salt(b), fs.readFileSync(path.join(b, keptSalt!), 'utf8'));
    assert.equal(users(b).length, 1);
    assert.notDeepEqual(users(b), users(a));
  });

  it('restores a backup of its own installation as before, saying the salt is the same', () => {
    assert.equal(sb(a, 'backup', path.join(root, 'a2.db')).code, 0);
    const r = sb(a, 'restore', path.join(root, 'a2.db'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /; its users were hashed with this installation's salt \(fingerprint [0-9a-f]{8}\)\n$/);
    assert.equal(r.err, '');
  });

  it('restores a backup made before backups recorded the salt, saying what could not be checked', () => {
    const old = path.join(root, 'old.db');
    fs.copyFileSync(path.join(root, 'a2.db'), old);
    const db = new Database(old);
    db.prepare("DELETE FROM settings WHERE key = 'user_salt_fingerprint'").run();
    db.close();
    // Into its own installation: a user both databases hold shows the salts agree.
    const own = sb(a, 'restore', old);
    assert.equal(own.code, 0, own.err);
    assert.match(own.out, /; 1 of its users are users of the replaced database too: hashed with this installation's salt \(fingerprint [0-9a-f]{8}\)\n$/);
    assert.equal(own.err, '');
    // Into another one: restored, with a note of what could not be checked and what to do.
    const c = path.join(root, 'c');
    record(c, 's9');
    const other = sb(c, 'restore', old);
    assert.equal(other.code, 0, other.err);
    assert.match(
      other.err,
      /^note: .*old\.db records no salt fingerprint \(made by an older version\), so it could not be checked that its users were hashed with this installation's salt \(fingerprint [0-9a-f]{8}\); if it came from another installation, restore it again with --salt FILE/,
    );
    // Given the salt, it is installed, said to be unchecked.
    const given = sb(c, 'restore', old, '--salt', path.join(a, 'salt'));
    assert.equal(given.code, 0, given.err);
    assert.match(given.err, /could not be checked that its users were hashed with the salt given/);
    assert.equal(salt(c), salt(a));
  });
});

describe('restore over a damaged database', () => {
  it('replaces a database overwritten with random bytes or truncated, keeping the damaged file aside', () => {
    const dir = path.join(root, 'damaged');
    record(dir, 's1');
    const bk = path.join(root, 'damaged-bk.db');
    assert.equal(sb(dir, 'backup', bk).code, 0);
    record(dir, 's2');
    const dbFile = path.join(dir, 'session-buddy.db');
    const full = fs.readFileSync(dbFile);
    const damages: Array<[string, Buffer]> = [
      ['random bytes', Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) % 251))],
      ['truncated', full.subarray(0, 6000)],
    ];
    for (const [what, bytes] of damages) {
      for (const f of kept(dir, 'session-buddy.db')) fs.rmSync(path.join(dir, f));
      fs.writeFileSync(dbFile, bytes);
      assert.match(sb(dir, 'doctor').out, /FAIL {2}database: .*the file is damaged; restore from a backup/, what);
      const r = sb(dir, 'restore', bk);
      assert.equal(r.code, 0, `${what}: ${r.err}`);
      const aside = kept(dir, 'session-buddy.db.damaged-');
      assert.equal(aside.length, 1, what);
      assert.match(r.out, new RegExp(`; the previous database \\(damaged\\) was kept as ${path.join(dir, aside[0]!)};`), what);
      assert.deepEqual(fs.readFileSync(path.join(dir, aside[0]!)), bytes, `${what}: kept as it was`);
      assert.equal(JSON.parse(sb(dir, 'status', '--json').out).database.rows.skill_invocations, 1, what);
    }
  });

  it('still refuses a damaged backup file, changing nothing', () => {
    const dir = path.join(root, 'damaged-2');
    record(dir, 's1');
    const bad = path.join(root, 'bad-bk.db');
    fs.writeFileSync(bad, Buffer.alloc(8192, 7));
    const before = fs.readFileSync(path.join(dir, 'session-buddy.db'));
    const r = sb(dir, 'restore', bad);
    assert.equal(r.code, 2);
    assert.equal(r.err, `error: ${bad} is not a valid Session Buddy database (SQLITE_NOTADB)\n`);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'session-buddy.db')), before);
    assert.deepEqual(kept(dir, 'session-buddy.db.'), []);
  });
});
