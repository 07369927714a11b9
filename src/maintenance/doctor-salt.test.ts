/**
 * `doctor` compares the salt fingerprint the database records (a restored backup records the salt
 * its users were hashed with) with the data directory's salt file: a difference fails, naming both
 * fingerprints and the kept `salt.before-restore-*` file that fixes it; agreement is an ok line,
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

const saltCheck = async (dir: string) =>
  (await runDoctor({ config: parseConfig({ flags: { dataDir: dir, port: 0 }, env: {} }) })).find((c) => c.name === 'salt fingerprint');

describe('doctor: the salt the database records', () => {
  it('fails when the salt file is another, naming both fingerprints and the kept salt file that fixes it', async () => {
    const app = createTestApp();
    try {
      const salt = path.join(app.dir, 'salt');
      const current = saltFingerprint(readSalt(app.dir)!);
      const record = (fp: string) =>
        app.db.prepare("INSERT INTO settings (key, value) VALUES ('user_salt_fingerprint', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(fp);

      assert.equal(await saltCheck(app.dir), undefined, 'none recorded: no line');

      record(current);
      assert.deepEqual(await saltCheck(app.dir), {
        name: 'salt fingerprint',
        status: 'ok',
        detail: `the database's users were hashed with ${salt} (fingerprint ${current})`,
      });

      // The users were hashed with another salt than the file's (e.g. a restore's salt replaced by hand).
      const other = crypto.randomBytes(32).toString('hex');
      const otherFp = saltFingerprint(other);
      record(otherFp);
      let check = await saltCheck(app.dir);
      assert.equal(check?.status, 'fail');
      assert.equal(
        check?.detail,
        `the database records that its users were hashed with the salt of fingerprint ${otherFp}, but ${salt} has fingerprint ${current}: ` +
          `each user recorded from now on counts as a second user; no salt.before-restore-* file in ${app.dir} has fingerprint ${otherFp}: ` +
          'stop the server and put back the salt file of the installation the data comes from',
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
});
