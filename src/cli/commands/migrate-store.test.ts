/**
 * `session-buddy migrate-store` into a PostgreSQL store that a running Session Buddy server uses:
 * refused, naming the connections to stop, with or without --force, and nothing copied (the server
 * read its salt when it started and would go on hashing users with it, splitting every user in two).
 * Once the server is stopped the copy goes through, and the users keep their hashes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../../testing/backends.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');

describe('migrate-store into a store a server uses', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);

  it('is refused while another Session Buddy process is connected, --force too, and copies once it is stopped', {
    skip: skip ?? false,
    timeout: 120_000,
  }, async () => {
    const schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrate-store-'));
    const sqliteDir = path.join(root, 'sqlite');
    const serverDir = path.join(root, 'server');
    const run = (dataDir: string, args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, '--log-level', 'error', ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: root },
        timeout: 60_000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    try {
      for (const session of ['s1', 's2']) {
        const rec = run(sqliteDir, ['record', '--skill', 'lint', '--user', 'alice', '--session', session, '--duration', '40']);
        assert.equal(rec.code, 0, rec.err);
      }
      const from = `sqlite:${path.join(sqliteDir, 'session-buddy.db')}`;

      // A server on the empty target, as in the README's team set-up before the copy.
      const started = run(serverDir, ['start', '--port', '0', '--no-detect', '--store', schema.url]);
      assert.equal(started.code, 0, started.err);
      try {
        for (const force of [[], ['--force']]) {
          const refused = run(sqliteDir, ['migrate-store', '--from', from, '--to', schema.url, ...force]);
          assert.equal(refused.code, 1, refused.out);
          assert.match(
            refused.err,
            /^error: \d+ other Session Buddy connection\(s\) to this database are open \(.*\(session-buddy \d+\.[0-9a-f]+ sb_test_[0-9a-f]+\)\): stop those servers and commands before copying into it, and start them again after the copy/,
          );
          assert.equal(refused.err.split('\n').length, 2, 'one line, no stack trace');
          assert.equal(refused.out, '');
          assert.equal(await count('skill_invocations'), 0, 'nothing copied');
        }
      } finally {
        assert.equal(run(serverDir, ['stop']).code, 0);
      }

      const copied = run(sqliteDir, ['migrate-store', '--from', from, '--to', schema.url]);
      assert.equal(copied.code, 0, copied.err);
      assert.match(copied.out, /row counts verified table by table/);
      assert.equal(await count('skill_invocations'), 2);
      // The server's data directory takes the copied salt when it opens the store again: alice is one user.
      const rec = run(serverDir, ['record', '--skill', 'lint', '--user', 'alice', '--session', 's3', '--duration', '40', '--store', schema.url]);
      assert.equal(rec.code, 0, rec.err);
      assert.equal(await count('users'), 1);
    } finally {
      await db.end();
      run(serverDir, ['stop']);
      fs.rmSync(root, { recursive: true, force: true });
      await schema.drop();
    }
  });
});

describe('migrate-store --from', () => {
  it('names --from, with exit 2, when the SQLite file it names does not exist', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrate-from-'));
    try {
      const missing = path.join(dir, 'missing.db');
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'migrate-store', '--from', `sqlite:${missing}`, '--to', 'postgres://127.0.0.1:1/none'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dir },
        timeout: 60_000,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr, `error: --from: no SQLite database at ${missing}\n`);
      assert.ok(!fs.existsSync(missing));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
