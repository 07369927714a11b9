/** `session-buddy record` as a user runs it: every bad or missing flag at once, nothing written on bad input. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-record-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const rows = () => (fs.existsSync(path.join(dir, 'session-buddy.db')) ? JSON.parse(run(['status', '--json']).out).database.rows.skill_invocations : 0);

describe('session-buddy record (CLI)', () => {
  it('lists every bad and every missing flag at once', () => {
    const bad = run(['record', '--skill', 'x', '--user', 'a', '--session', 's', '--at', 'yesterday', '--duration', 'abc']);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.err,
      'error: --duration: must be an integer between 0 and 86400000 milliseconds (24 h)\nerror: --at: must be an ISO-8601 date-time or epoch milliseconds\n',
    );
    const missing = run(['record', '--skill', 'x', '--at', 'yesterday', '--duration', 'abc']);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.err,
      'error: missing --user, --session: are required (or pass --json and JSON on stdin)\n' +
        'error: --duration: must be an integer between 0 and 86400000 milliseconds (24 h)\n' +
        'error: --at: must be an ISO-8601 date-time or epoch milliseconds\n',
    );
    assert.equal(rows(), 0);
  });

  it('refuses a --duration out of range in one error naming the flag and the range, writing nothing', () => {
    // 1e20 as digits passes a digits-only check and was then refused again by the schema ("must be an integer", "must be <= …").
    for (const duration of ['100000000000000000000', '1e20', '86400001', '1.5', 'Infinity', '0x10']) {
      const r = run(['record', '--skill', 'x', '--user', 'a', '--session', 's', '--duration', duration]);
      assert.deepEqual([r.code, r.err], [2, 'error: --duration: must be an integer between 0 and 86400000 milliseconds (24 h)\n'], duration);
    }
    assert.equal(fs.existsSync(path.join(dir, 'session-buddy.db')), false);
  });

  it('refuses --error without --failed (an error type is what a failed invocation has)', () => {
    const r = run(['record', '--skill', 'x', '--user', 'a', '--session', 's', '--error', 'Boom']);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'error: --error: only with --failed (an error type describes a failed invocation)\n');
    assert.equal(rows(), 0);
    const failed = run(['record', '--skill', 'x', '--user', 'a', '--session', 's', '--error', 'Boom', '--failed']);
    assert.equal(failed.code, 0, failed.err);
    assert.equal(rows(), 1);
  });

  it('refuses the flags --json does not read, naming each, and says bad JSON in one line', () => {
    const json = JSON.stringify({ skill_name: 'y', user_id: 'a', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: 5 });
    const r = run(['record', '--json', '--skill', 'x', '--phase', 'review'], json);
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      'error: --skill: cannot be combined with --json (the JSON on stdin holds the whole invocation)\n' +
        'error: --phase: cannot be combined with --json (the JSON on stdin holds the whole invocation)\n',
    );
    assert.equal(rows(), 1);
    // V8 quotes the input, line breaks included: still one line.
    const multiLine = run(['record', '--json'], '[1,\n2,,]');
    assert.equal(multiLine.code, 2);
    assert.equal(multiLine.err.split('\n').length, 2, multiLine.err);
    assert.match(multiLine.err, /^error: stdin: must be valid JSON \(.*\[1,\\n2,,\].*\)\n$/);
    assert.equal(run(['record', '--json'], json).code, 0);
    assert.equal(rows(), 2);
  });

  it('refuses more than 64 MiB on stdin in one line naming it, writing nothing', () => {
    const r = run(['record', '--json'], `[${' '.repeat(64 * 1024 * 1024)}]`);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, 'error: stdin: must be at most 64.0 MiB\n');
    assert.equal(rows(), 2);
  });
});
