import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { AppError } from '../errors.js';
import { createTestApp } from '../testing/harness.js';
import { databaseErrorAdvice, runDoctor } from './doctor.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const wrap = (code: string) => new AppError('STORE_UNAVAILABLE', 'cannot open database x.db: boom', {}, { cause: Object.assign(new Error('boom'), { code }) });

const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Whether an unprivileged user can run node on the sources here (setpriv present, checkout readable). */
function canRunAsNobody(): boolean {
  const probe = spawnSync('setpriv', [...AS_NOBODY, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.R_OK)`], {
    cwd: '/tmp',
  });
  return probe.status === 0;
}

describe('doctor advice', () => {
  it('advises by cause: permissions are fixed with chown/chmod, only damage with a restore', () => {
    for (const code of ['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'EACCES', 'SQLITE_PERM']) {
      const advice = databaseErrorAdvice(wrap(code), '/nowhere/x.db');
      assert.match(advice, /\(chown -R, then chmod 700 the data directory and 600 its files\); the data is not damaged, do not restore$/, code);
      assert.doesNotMatch(advice, /restore from a backup/, code);
    }
    assert.match(databaseErrorAdvice(wrap('SQLITE_CORRUPT'), 'x.db'), /the file is damaged; restore from a backup/);
    assert.match(databaseErrorAdvice(wrap('SQLITE_NOTADB'), 'x.db'), /restore from a backup/);
    assert.match(databaseErrorAdvice(wrap('SQLITE_BUSY'), 'x.db'), /holds a lock on it; retry .* \(no restore needed\)$/);
    assert.match(databaseErrorAdvice(wrap('SQLITE_FULL'), 'x.db'), /disk is full/);
    assert.doesNotMatch(databaseErrorAdvice(wrap('SQLITE_IOERR'), 'x.db'), /^.*restore from a backup \(/);
    // An I/O error (the -shm file cannot grow) on a file system with no free space: a full disk, not a check to run.
    const noSpace = databaseErrorAdvice(wrap('SQLITE_IOERR_SHMSIZE'), '/data/x.db', () => 0);
    assert.match(noSpace, /: the disk is full; free space on the data directory's file system \(no restore needed\)$/);
    assert.match(
      databaseErrorAdvice(wrap('SQLITE_IOERR_SHMSIZE'), '/data/x.db', () => 50 * 1024 ** 3),
      /doctor --deep/,
    );
  });

  it('a database this user may not read gets the permission fix, not a restore', async (t) => {
    const app = createTestApp();
    try {
      await app.close();
      if (process.getuid?.() === 0) {
        if (!canRunAsNobody()) return t.skip('running as root and cannot run the CLI as an unprivileged user (setpriv missing or checkout unreadable)');
        // root reads everything: run doctor as an unprivileged user against a root-owned 0600 database.
        fs.chmodSync(app.dir, 0o777);
        fs.chmodSync(app.config.dbPath, 0o600);
        const out = spawnSync('setpriv', [...AS_NOBODY, process.execPath, BIN, 'doctor', '--data-dir', app.dir], {
          encoding: 'utf8',
          cwd: '/tmp',
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp' },
        });
        const line = out.stdout.split('\n').find((l) => l.includes('database:')) ?? `(no database line in ${out.stdout}${out.stderr})`;
        assert.match(line, /^FAIL {2}database: .*session-buddy\.db \(owner uid 0, mode 600\) is not readable and writable by this user \(uid 65534\)/);
        assert.match(line, /do not restore$/);
        assert.doesNotMatch(out.stdout, /restore from a backup/);
      } else {
        fs.chmodSync(app.config.dbPath, 0o000);
        const config = parseConfig({ flags: { dataDir: app.dir, port: 0 }, env: {} });
        const checks = await runDoctor({ config });
        const db = checks.find((c) => c.name === 'database');
        assert.equal(db?.status, 'fail');
        assert.match(db!.detail, /do not restore$/);
      }
    } finally {
      fs.rmSync(app.dir, { recursive: true, force: true });
    }
  });
});
