/**
 * `doctor` compares the salt fingerprint the database records (every database opened from a data
 * directory records its users' salt, and so does a backup) with the data directory's salt file: a
 * difference fails, naming both fingerprints and the fix (the kept `salt.before-restore-*` file, or
 * for `--store sqlite:PATH` the data directory that database belongs to); agreement is an ok line,
 * and a database that records none gets no line.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { readSalt, saltFingerprint } from '../store/salt.js';
import { createTestApp } from '../testing/harness.js';
import { runDoctor } from './doctor.js';

const saltCheck = async (dir: string, store?: string) =>
  (await runDoctor({ config: parseConfig({ flags: { dataDir: dir, port: 0, ...(store ? { store } : {}) }, env: {} }) })).find(
    (c) => c.name === 'salt fingerprint',
  );

describe('doctor: the salt the database records', () => {
  it('fails when the salt file is another, naming both fingerprints and the kept salt file that fixes it', async () => {
    const app = createTestApp();
    try {
      const salt = path.join(app.dir, 'salt');
      const current = saltFingerprint(readSalt(app.dir)!);
      const record = (fp: string) =>
        app.db.prepare("INSERT INTO settings (key, value) VALUES ('user_salt_fingerprint', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(fp);

      // Opened from its data directory, the database recorded that directory's salt.
      assert.deepEqual(await saltCheck(app.dir), {
        name: 'salt fingerprint',
        status: 'ok',
        detail: `the database's users were hashed with ${salt} (fingerprint ${current})`,
      });

      app.db.prepare("DELETE FROM settings WHERE key = 'user_salt_fingerprint'").run();
      assert.equal(await saltCheck(app.dir), undefined, 'none recorded (made by an older version): no line');

      // The users were hashed with another salt than the file's (e.g. a restore's salt replaced by hand).
      const other = crypto.randomBytes(32).toString('hex');
      const otherFp = saltFingerprint(other);
      record(otherFp);
      let check = await saltCheck(app.dir);
      assert.equal(check?.status, 'fail');
      assert.equal(
        check?.detail,
        `the database records that its users were hashed with the salt of fingerprint ${otherFp}, but ${salt} has fingerprint ${current}: ` +
          `commands refuse ${path.join(app.dir, 'session-buddy.db')} until they agree (hashed with ${salt}, each user would count as a second user); ` +
          `no salt.before-restore-* file in ${app.dir} has fingerprint ${otherFp}: stop the server and put back the salt file of the installation the data comes from`,
      );

      // A restore kept that salt: the fix names it.
      fs.writeFileSync(path.join(app.dir, 'salt.before-restore-1'), `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      const kept = path.join(app.dir, 'salt.before-restore-2');
      fs.writeFileSync(kept, `${other}\n`, { mode: 0o600 });
      check = await saltCheck(app.dir);
      assert.equal(check?.status, 'fail');
      assert.match(check?.detail ?? '', new RegExp(`fingerprint ${otherFp}, but .* has fingerprint ${current}: `));
      assert.ok(check?.detail.endsWith(`; ${kept} has fingerprint ${otherFp}: stop the server and put it back (\`cp ${kept} ${salt}\`)`), check?.detail);
    } finally {
      await app.dispose();
    }
  });

  it('fails for a --store sqlite:PATH of another data directory, naming that directory (also for a database that records no salt, by the salt file beside it)', async () => {
    const owner = createTestApp();
    const other = createTestApp();
    try {
      await owner.tracker.track({ skill_name: 's', user_id: 'u', session_id: 'x', workflow_phase: 'testing', completed: true, duration_ms: 5 });
      const dbPath = path.join(owner.dir, 'session-buddy.db');
      const ownerFp = saltFingerprint(readSalt(owner.dir)!);
      const otherFp = saltFingerprint(readSalt(other.dir)!);
      const fix = `give --data-dir the data directory that database belongs to (${owner.dir}), or --store a database of ${other.dir}`;

      let check = await saltCheck(other.dir, `sqlite:${dbPath}`);
      assert.equal(check?.status, 'fail');
      assert.equal(
        check?.detail,
        `the database records that its users were hashed with the salt of fingerprint ${ownerFp}, but ${path.join(other.dir, 'salt')} has fingerprint ${otherFp}: ` +
          `commands refuse ${dbPath} until they agree (hashed with ${path.join(other.dir, 'salt')}, each user would count as a second user); ${fix}`,
      );

      // Made by an older version (it records none): the salt file beside it is its installation's.
      owner.db.prepare("DELETE FROM settings WHERE key = 'user_salt_fingerprint'").run();
      check = await saltCheck(other.dir, `sqlite:${dbPath}`);
      assert.equal(check?.status, 'fail');
      assert.ok(
        check?.detail.startsWith(
          `the database's users were hashed (it records no salt; ${path.join(owner.dir, 'salt')} beside it is its installation's) with the salt of fingerprint ${ownerFp}, `,
        ),
        check?.detail,
      );
      assert.ok(check?.detail.endsWith(`; ${fix}`), check?.detail);
      // From its own data directory nothing fails (it records none there: no line).
      assert.equal(await saltCheck(owner.dir, `sqlite:${dbPath}`), undefined);
    } finally {
      await owner.dispose();
      await other.dispose();
    }
  });
});

describe('doctor: spooled lines hashed with another salt, on SQLite', () => {
  it('gives the SQLite advice (keep the salt the database records), not the team-mode one (migrate-store)', async () => {
    const app = createTestApp();
    try {
      const reason = "user_id: is pre-hashed with another salt (fingerprint 0123abcd; this store's salt has 89abcdef), so it cannot be hashed like the raw id";
      fs.writeFileSync(path.join(app.dir, 'spool.rejected.jsonl'), `${JSON.stringify({ rejected_at: 1, reason, line: '{}' })}\n`);
      const checks = await runDoctor({ config: parseConfig({ flags: { dataDir: app.dir, port: 0 }, env: {} }) });
      const rejected = checks.find((c) => c.name === 'rejected spool lines');
      assert.equal(rejected?.status, 'warn');
      assert.match(rejected!.detail, /1 of them because their user id was hashed with another salt than the store's/);
      assert.match(rejected!.detail, /keep the salt file the `salt fingerprint` check accepts/);
      assert.doesNotMatch(rejected!.detail, /migrate-store|shared salt/);
    } finally {
      app.close();
    }
  });
});
