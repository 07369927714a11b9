import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-token-cli-'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('session-buddy token', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates, lists and revokes per-user tokens; never lists a secret or a user id', () => {
    const a = run(['token', 'create', '--user', 'alice', '--json']);
    assert.equal(a.code, 0, a.err);
    const created = JSON.parse(a.out) as { id: number; role: string; token: string };
    assert.equal(created.role, 'user');
    assert.match(created.token, /^sbu_/);
    const b = run(['token', 'create', '--user', 'carol', '--admin', '--label', 'team lead']);
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, /token \d+ \(admin\)/);

    const list = run(['token', 'list']);
    assert.equal(list.code, 0, list.err);
    assert.ok(!list.out.includes(created.token) && !list.out.includes('alice') && !list.out.includes('carol'));
    assert.match(list.out, /admin .* active .*team lead/);

    assert.equal(run(['token', 'revoke', String(created.id)]).code, 0);
    const after = JSON.parse(run(['token', 'list', '--json']).out) as { id: number; revoked_at: number | null }[];
    assert.notEqual(after.find((t) => t.id === created.id)?.revoked_at, null);

    const again = run(['token', 'revoke', String(created.id)]);
    assert.notEqual(again.code, 0);
    assert.match(again.err, /no active token with id/);
    const bad = run(['token', 'revoke', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /id/);
    // Past Number.MAX_SAFE_INTEGER the digits would name another id (1e20): refused as input, not looked up.
    for (const id of ['99999999999999999999', '0', '1e3']) {
      const r = run(['token', 'revoke', id]);
      assert.deepEqual([r.code, r.err], [2, 'error: id: must be an integer between 1 and 9007199254740991 (see `token list`)\n'], id);
    }
  });

  it('names --user when the user id is too long (or empty)', () => {
    const long = run(['token', 'create', '--user', 'x'.repeat(257)]);
    assert.deepEqual([long.code, long.err, long.out], [2, 'error: --user: must be 1 to 256 characters\n', '']);
    const empty = run(['token', 'create', '--user', '']);
    assert.deepEqual([empty.code, empty.err, empty.out], [2, 'error: --user: must not be empty\n', '']);
  });
});
