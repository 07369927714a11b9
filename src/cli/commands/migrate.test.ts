/** `session-buddy migrate` and `restore`: flags that would be ignored, and paths that are not what they should be, are refused. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-migrate-'));
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
