/**
 * The CLI on a PostgreSQL store: init, record and status work against it
 * (status reads without migrating); the SQLite file operations refuse it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable } from '../store/testing-backends.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');

describe('CLI on a PostgreSQL store', async () => {
  const skip = await pgReachable(DEFAULT_TEST_PG_URL);
  it('initialises, records, reports status and refuses the SQLite file operations', { skip: skip ?? false, timeout: 60_000 }, async () => {
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

      const rec = run(['record', '--skill', 'lint', '--user', 'bob', '--session', 's1', '--duration', '40']);
      assert.equal(rec.code, 0, rec.err);
      const status = JSON.parse(run(['status', '--json']).out);
      assert.equal(status.database.kind, 'postgres');
      assert.equal(status.database.rows.skill_invocations, 1);
      assert.equal(status.database.rows.users, 1);
      assert.equal(fs.existsSync(path.join(dir, 'session-buddy.db')), false, 'no SQLite file was created');

      for (const cmd of [['backup'], ['compact'], ['archive', '--dry-run'], ['doctor']]) {
        const r = run(cmd);
        assert.equal(r.code, 2, `${cmd[0]}: ${r.err}`);
        assert.match(r.err, new RegExp(`\`${cmd[0]}\` works on the SQLite database file; this installation uses a PostgreSQL store`));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await schema.drop();
    }
  });
});
