/**
 * The CLI on a PostgreSQL store: init, record, status and doctor work against
 * it (status reads without migrating); the SQLite file operations refuse it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../testing/backends.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');

describe('CLI on a PostgreSQL store', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);
  it('initialises, records, reports status, checks it with doctor and refuses the SQLite file operations', {
    skip: skip ?? false,
    timeout: 120_000,
  }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-pg-'));
    // The store comes from the environment here (as for a background server); --store works the same.
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), SESSION_BUDDY_STORE: schema.url },
        timeout: 60_000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    try {
      const before = run(['status', '--json']);
      assert.equal(before.code, 0, before.err);
      assert.equal(JSON.parse(before.out).database.exists, false, 'status does not create the schema');

      const init = run(['init']);
      assert.equal(init.code, 0, init.err);
      assert.match(init.out, /\(postgres, schema version \d+\)/);
      assert.doesNotMatch(init.out, /session-buddy\.db/);

      // Rolled back one step, --status lists the pending step as well.
      // Going down drops what later versions added: on PostgreSQL it asks for --yes (back up with pg_dump first).
      const refused = run(['migrate', '--rollback']);
      assert.equal(refused.code, 2, refused.err);
      assert.match(refused.err, /^error: --yes: moving down from schema version \d+ to \d+ drops what the later versions added/m);
      assert.equal(run(['migrate', '--rollback', '--yes']).code, 0);
      const migrations = run(['migrate', '--status']);
      assert.equal(migrations.code, 0, migrations.err);
      const lines = migrations.out.trim().split('\n');
      const latest = Number(/^schema version (\d+) of (\d+)$/.exec(lines[0]!)![2]);
      assert.equal(lines[0], `schema version ${latest - 1} of ${latest}`);
      assert.match(lines[1]!, /^ {2}applied {2}0001 init \(/);
      assert.match(lines[latest]!, new RegExp(`^  pending  ${String(latest).padStart(4, '0')} [a-z_]+$`));
      assert.equal(run(['migrate']).code, 0);

      // With no data directory, doctor checks PostgreSQL first and only warns about the directory.
      const noDir = spawnSync(process.execPath, [BIN, '--data-dir', path.join(dir, 'missing'), 'doctor', '--json'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), SESSION_BUDDY_STORE: schema.url },
        timeout: 60_000,
      });
      assert.equal(noDir.status, 0, noDir.stderr);
      const noDirChecks = JSON.parse(noDir.stdout) as { name: string; status: string; detail: string }[];
      assert.deepEqual(
        noDirChecks.slice(0, 3).map((c) => [c.name, c.status]),
        [
          ['database', 'ok'],
          ['schema version', 'ok'],
          ['user salt', 'ok'],
        ],
      );
      assert.equal(noDirChecks.find((c) => c.name === 'data directory')?.status, 'warn');
      // The init it advises must reach this store: a bare `init` would set up the default SQLite file.
      assert.match(
        noDirChecks.find((c) => c.name === 'data directory')?.detail ?? '',
        /`session-buddy init` creates it, run with the same `--data-dir` and `--store` \(or SESSION_BUDDY_STORE\)/,
      );

      const rec = run(['record', '--skill', 'lint', '--user', 'bob', '--session', 's1', '--duration', '40']);
      assert.equal(rec.code, 0, rec.err);
      const status = JSON.parse(run(['status', '--json']).out);
      assert.equal(status.database.kind, 'postgres');
      assert.equal(status.database.rows.skill_invocations, 1);
      assert.equal(status.database.rows.users, 1);
      assert.equal(fs.existsSync(path.join(dir, 'session-buddy.db')), false, 'no SQLite file was created');

      const doctor = run(['doctor', '--deep', '--json']);
      assert.equal(doctor.code, 0, doctor.err);
      const checks = new Map((JSON.parse(doctor.out) as { name: string; status: string; detail: string }[]).map((c) => [c.name, c]));
      assert.equal(checks.get('database')?.status, 'ok');
      assert.match(checks.get('database')!.detail, /^PostgreSQL \d+/);
      assert.equal(checks.get('schema version')?.status, 'ok');
      assert.equal(checks.get('user salt')?.status, 'ok');
      assert.match(checks.get('vacuum')!.detail, /autovacuum (on|off)|autovacuum is off/);
      assert.deepEqual([checks.get('rollups')?.status, checks.get('rollups')?.detail], ['ok', 'all-time and hourly totals both sum to the 1 raw invocations']);
      assert.equal(checks.get('daily rollups')?.status, 'ok');
      assert.equal(checks.has('salt file'), false, 'the salt lives in the database, not in the data directory');

      // A rollup that disagrees with the raw rows is a failure.
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: schema.url });
      await client.connect();
      await client.query('UPDATE skill_totals SET invocations = invocations + 1');
      await client.query('UPDATE skill_daily SET duration_min = duration_min - 1');
      await client.end();
      const broken = run(['doctor', '--deep', '--json']);
      assert.equal(broken.code, 1, broken.err);
      const rollups = (JSON.parse(broken.out) as { name: string; status: string; detail: string }[]).find((c) => c.name === 'rollups');
      assert.deepEqual([rollups?.status, rollups?.detail], ['fail', 'raw invocations 1, all-time totals sum to 2, hourly totals to 1']);
      const daily = (JSON.parse(broken.out) as { name: string; status: string; detail: string }[]).find((c) => c.name === 'daily rollups');
      assert.deepEqual([daily?.status, daily?.detail], ['fail', '1 daily rollup row(s) differ from the sum of their hours']);

      for (const cmd of [['backup'], ['compact'], ['archive', '--dry-run']]) {
        const r = run(cmd);
        assert.equal(r.code, 2, `${cmd[0]}: ${r.err}`);
        assert.match(r.err, new RegExp(`\`${cmd[0]}\` works on the SQLite database file; this installation uses a PostgreSQL store`));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await schema.drop();
    }
  });

  it('status and doctor show an unreachable store, naming the flag or variable that set it, and exit 1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-pg-down-'));
    try {
      // Port 1 on loopback: nothing listens there.
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'status', '--store', 'postgres://postgres@127.0.0.1:1/none'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() },
        timeout: 60_000,
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /^database: {2}postgres:\/\/postgres@127\.0\.0\.1:1\/none \(postgres\) \(unreachable: .*ECONNREFUSED/m);
      assert.equal(
        r.stderr,
        'error: cannot open the PostgreSQL store at 127.0.0.1:1 (from --store postgres://postgres@127.0.0.1:1/none): connect ECONNREFUSED 127.0.0.1:1\n',
      );
      // Set by the environment, with a password: the variable is named, the password is not shown.
      const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), SESSION_BUDDY_STORE: 'postgres://sb:s3cret@127.0.0.1:1/none' };
      const fromEnv = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'status'], { encoding: 'utf8', env, timeout: 60_000 });
      assert.equal(fromEnv.status, 1, fromEnv.stderr);
      assert.equal(
        fromEnv.stderr,
        'error: cannot open the PostgreSQL store at 127.0.0.1:1 (from SESSION_BUDDY_STORE=postgres://sb:***@127.0.0.1:1/none): connect ECONNREFUSED 127.0.0.1:1\n',
      );
      const doctor = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'doctor', '--json'], { encoding: 'utf8', env, timeout: 60_000 });
      assert.equal(doctor.status, 1, doctor.stderr);
      const database = (JSON.parse(doctor.stdout) as { name: string; status: string; detail: string }[]).find((c) => c.name === 'database');
      assert.deepEqual(database, {
        name: 'database',
        status: 'fail',
        detail: 'cannot connect to 127.0.0.1:1 (from SESSION_BUDDY_STORE=postgres://sb:***@127.0.0.1:1/none): connect ECONNREFUSED 127.0.0.1:1',
      });
      assert.doesNotMatch(fromEnv.stdout + fromEnv.stderr + doctor.stdout + doctor.stderr, /s3cret/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
