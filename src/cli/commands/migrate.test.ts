/** `session-buddy migrate` and `restore`: flags that would be ignored, and paths that are not what they should be, are refused. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { newPgInstance } from '../../store/postgres/pool.js';
import { PgStore } from '../../store/postgres/store.js';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../../testing/backends.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrate-'));
// Asked before any test runs: the CLI tests block the event loop while their child runs.
const skip = await pgReachable(DEFAULT_TEST_PG_URL);
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', path.join(dir, 'data'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('session-buddy migrate and restore (CLI)', () => {
  it('refuses --status with --rollback or --to (as --rollback with --to), changing nothing', () => {
    assert.equal(run(['init']).code, 0);
    const status = run(['migrate', '--status', '--rollback']);
    assert.equal(status.code, 2);
    assert.equal(status.err, 'error: --status: cannot be combined with --rollback (it changes nothing)\n');
    assert.equal(status.out, '');
    const all = run(['migrate', '--status', '--rollback', '--to', '1']);
    assert.equal(
      all.err,
      'error: --rollback: cannot be combined with --to\nerror: --status: cannot be combined with --rollback or --to (it changes nothing)\n',
    );
    assert.doesNotMatch(run(['migrate', '--status']).out, /pending/);
  });

  it('reports a malformed --to as bad input (exit 2) even while the server runs', () => {
    assert.equal(run(['init']).code, 0);
    const pidFile = path.join(dir, 'data', 'server.pid');
    // A live pid (this test process) stands for the running server.
    fs.writeFileSync(pidFile, JSON.stringify({ pid: process.pid, host: '127.0.0.1', port: 47199, startedAt: new Date().toISOString() }));
    try {
      for (const to of ['abc', '-1', '1.5']) {
        const r = run(['migrate', '--to', to]);
        assert.deepEqual([r.code, r.err], [2, 'error: --to: must be a non-negative integer\n'], to);
      }
      // A well-formed one meets the running server.
      const valid = run(['migrate', '--to', '3']);
      assert.equal(valid.code, 1);
      assert.match(valid.err, /^error: the server is running \(pid \d+\); stop it first/);
    } finally {
      fs.rmSync(pidFile, { force: true });
    }
  });

  it('says a directory given to restore is a directory', () => {
    const r = run(['restore', dir]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `error: ${dir} is a directory, not a backup file\n`);
    assert.equal(run(['restore', path.join(dir, 'none.db')]).err, `error: no such file: ${path.join(dir, 'none.db')}\n`);
  });

  it('refuses an empty --data-dir instead of using the default directory', () => {
    const r = spawnSync(process.execPath, [BIN, '--data-dir', '', 'init'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir } });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'error: --data-dir: must not be empty\n');
    assert.equal(fs.existsSync(path.join(dir, '.session-buddy')), false);
  });
});

describe('session-buddy migrate on PostgreSQL (CLI)', () => {
  it('refuses to change a schema other Session Buddy processes use, naming them; --status still reads', { skip: skip ?? false, timeout: 120_000 }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrate-pg-'));
    const pgRun = (args: string[]) => {
      // No server runs for this data directory: only the database knows about the other instance.
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args, '--store', schema.url], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dataDir },
        timeout: 60_000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    // Another team member's server: this test process holds the store open (one pooled connection).
    const other = await PgStore.open(schema.url, { poolSize: 1, instance: newPgInstance() });
    try {
      const status = pgRun(['migrate', '--status']);
      assert.equal(status.code, 0, status.err);
      const [, current, latest] = /^schema version (\d+) of (\d+)$/m.exec(status.out)!.map(Number);
      assert.equal(current, latest);

      const refused = pgRun(['migrate', '--rollback', '--yes']);
      assert.equal(refused.code, 1, refused.out);
      assert.match(
        refused.err,
        /^error: 1 other Session Buddy connection\(s\) to this database are open \(from (127\.0\.0\.1|::1) \(session-buddy \d+\.[0-9a-f]+ sb_test_[0-9a-f]+\)\): stop those servers and commands before changing the schema/,
      );
      assert.equal(refused.err.split('\n').length, 2, 'one line, no stack trace');
      assert.equal(refused.out, '');
      assert.equal(pgRun(['migrate', '--to', '1']).code, 1);
      // Nothing to change: nothing refused.
      assert.equal(pgRun(['migrate']).code, 0);
      assert.match(pgRun(['migrate', '--status']).out, new RegExp(`^schema version ${latest} of ${latest}$`, 'm'));

      await other.close();
      const down = pgRun(['migrate', '--rollback', '--yes']);
      assert.equal(down.code, 0, down.err);
      assert.match(down.out, new RegExp(`schema version is now ${latest! - 1}`));
    } finally {
      await other.close().catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    }
  });

  it('reports a store it cannot open on one line, as the other commands do', { skip: skip ?? false, timeout: 60_000 }, () => {
    const missingDb = new URL(DEFAULT_TEST_PG_URL);
    missingDb.pathname = '/sb_no_such_database';
    const a = run(['migrate', '--status', '--store', missingDb.toString()]);
    assert.equal(a.code, 1);
    assert.equal(
      a.err,
      `error: cannot open the PostgreSQL store at ${missingDb.host} (from --store ${missingDb.toString()}): database "sb_no_such_database" does not exist\n`,
    );
    // Port 1 on loopback: nothing listens there.
    const b = run(['migrate', '--store', 'postgres://127.0.0.1:1/x']);
    assert.equal(b.code, 1);
    assert.equal(b.err, 'error: cannot open the PostgreSQL store at 127.0.0.1:1 (from --store postgres://127.0.0.1:1/x): connect ECONNREFUSED 127.0.0.1:1\n');
  });

  it('names the variable that set an unreachable store, and the server, without the password', { skip: skip ?? false, timeout: 60_000 }, () => {
    const badRole = new URL(DEFAULT_TEST_PG_URL);
    badRole.username = 'sb_no_such_role';
    badRole.password = 's3cret';
    const r = spawnSync(process.execPath, [BIN, '--data-dir', path.join(dir, 'data'), 'migrate'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir, SESSION_BUDDY_STORE: badRole.toString() },
      timeout: 60_000,
    });
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      `error: cannot open the PostgreSQL store at ${badRole.host} (from SESSION_BUDDY_STORE=${badRole.toString().replace(':s3cret@', ':***@')}): ` +
        'role "sb_no_such_role" does not exist\n',
    );
  });
});
