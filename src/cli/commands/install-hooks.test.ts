/** `session-buddy install-hooks` as a user runs it: what it refuses writes nothing. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-install-hooks-cli-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function run(args: string[], cwd = root, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', path.join(root, 'data'), 'install-hooks', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: path.join(root, 'home'), ...env },
    cwd,
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every file and directory under `dir`. */
const tree = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : []);

describe('session-buddy install-hooks (CLI)', () => {
  it('says --file is a directory in one line (no stack trace), exit 2', () => {
    const dir = path.join(root, 'a-dir');
    fs.mkdirSync(dir);
    const r = run(['--write', '--file', dir]);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'error: --file: is a directory\n');
    assert.deepEqual(tree(dir), []);
  });

  it('refuses a --file whose directory does not exist and creates nothing, but creates the .claude directory of a default file', () => {
    const missing = path.join(root, 'no-such', 'dir', 'settings.json');
    const r = run(['--write', '--file', missing]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `error: --file: the directory ${path.dirname(missing)} does not exist; create it first (nothing was written)\n`);
    assert.equal(r.out, '');
    assert.equal(fs.existsSync(path.join(root, 'no-such')), false);
    // --project and --local write into the project's .claude, created when missing; so does the user file.
    const proj = path.join(root, 'proj');
    fs.mkdirSync(proj);
    const local = run(['--write', '--local'], proj);
    assert.equal(local.code, 0, local.err);
    assert.ok(fs.statSync(path.join(proj, '.claude', 'settings.local.json')).isFile());
    const user = run(['--write']);
    assert.equal(user.code, 0, user.err);
    assert.ok(fs.statSync(path.join(root, 'home', '.claude', 'settings.json')).isFile());
  });

  it('writes a team store into the hook command, shows it without its password, and says the file holds it', () => {
    const file = path.join(root, 'team-settings.json');
    const url = 'postgres://sb:secret@db.internal:5432/sb';
    const r = run(['--write', '--file', file], root, { SESSION_BUDDY_STORE: url });
    assert.equal(r.code, 0, r.err);
    const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> };
    const command = settings.hooks.PreToolUse![0]!.hooks[0]!.command;
    assert.ok(command.includes(` --data-dir ${path.join(root, 'data')} --store ${url} hook`), command);
    assert.ok(!r.out.includes('secret') && r.out.includes('store: postgres://sb:***@db.internal:5432/sb'), r.out);
    // (After a note that the user settings of the tests before run an older command.)
    assert.ok(
      r.err.endsWith(
        `note: the store URL's password is written into ${file}; to keep it out, give --store a URL without it and put the password in ~/.pgpass or PGPASSWORD where Claude Code runs\n`,
      ),
      r.err,
    );
  });

  it('takes a --timeout of 1 to 600 seconds (the default of Claude Code for a command hook), naming the range otherwise', () => {
    for (const timeout of ['99999999999', '601', '1e300', '1.5', '0']) {
      const r = run(['--timeout', timeout]);
      assert.deepEqual([r.code, r.err, r.out], [2, 'error: --timeout: must be an integer between 1 and 600 seconds\n', ''], timeout);
    }
    const max = run(['--timeout', '600']);
    assert.equal(max.code, 0, max.err);
    const timeouts = Object.values(JSON.parse(max.out).hooks as Record<string, Array<{ hooks: Array<{ timeout: number }> }>>).map(
      (e) => e[0]!.hooks[0]!.timeout,
    );
    assert.ok(timeouts.length > 0 && timeouts.every((t) => t === 600), String(timeouts));
  });

  it('refuses an empty --command and flags that do nothing without --write, listing every bad flag', () => {
    const proj = path.join(root, 'proj-empty');
    fs.mkdirSync(proj);
    for (const command of ['', '   ']) {
      const r = run(['--write', '--local', '--command', command], proj);
      assert.equal(r.code, 2);
      assert.equal(r.err, 'error: --command: must not be empty\n');
    }
    assert.deepEqual(tree(proj), []);
    const both = run(['--command', '', '--timeout', '0']);
    assert.equal(both.err, 'error: --timeout: must be an integer between 1 and 600 seconds\nerror: --command: must not be empty\n');
    const printOnly = run(['--project'], proj);
    assert.equal(printOnly.code, 2);
    assert.equal(printOnly.err, 'error: --project: only with --write or --remove (without them the hooks are printed)\n');
    const two = run(['--write', '--local', '--file', path.join(proj, 'x.json')], proj);
    assert.equal(two.err, 'error: --local: choose one of --local, --file, not several\n');
    assert.equal(run(['--write', '--file', ''], proj).err, 'error: --file: must not be empty\n');
    assert.deepEqual(tree(proj), []);
  });

  it('--remove takes out only its own hooks, keeps every other hook and setting, and writes nothing when there is nothing to take out', () => {
    const file = path.join(root, 'remove-settings.json');
    const theirs = { type: 'command', command: 'my-linter --fix' };
    fs.writeFileSync(
      file,
      `${JSON.stringify({ model: 'opus', hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [theirs] }], Notification: [{ hooks: [theirs] }] } }, null, 2)}\n`,
    );
    fs.chmodSync(file, 0o640);
    assert.equal(run(['--write', '--file', file]).code, 0);
    // A hook of theirs in the same group as one of ours (merged by hand) stays.
    const mixed = JSON.parse(fs.readFileSync(file, 'utf8'));
    mixed.hooks.Stop[0].hooks.push(theirs);
    fs.writeFileSync(file, JSON.stringify(mixed));

    const r = run(['--remove', '--file', file]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^.*remove-settings\.json: removed the session-buddy hooks of PreToolUse, PostToolUse, PostToolUseFailure, SessionStart, Stop, SessionEnd, PreCompact, UserPromptExpansion\n$/,
    );
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), {
      model: 'opus',
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [theirs] }], Notification: [{ hooks: [theirs] }], Stop: [{ hooks: [theirs] }] },
    });
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);

    const again = run(['--remove', '--file', file]);
    assert.deepEqual([again.code, again.out], [0, `${file}: no session-buddy hooks, nothing changed\n`]);
    // Only ours in the file: the hooks key goes too.
    const onlyOurs = path.join(root, 'only-ours.json');
    assert.equal(run(['--write', '--file', onlyOurs]).code, 0);
    assert.equal(run(['--remove', '--file', onlyOurs]).code, 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(onlyOurs, 'utf8')), {});
  });

  it('--remove leaves a missing file missing and an invalid one untouched, and is not taken with --write', () => {
    const missing = path.join(root, 'remove-missing.json');
    const r = run(['--remove', '--file', missing]);
    assert.deepEqual([r.code, r.out], [0, `${missing}: does not exist, nothing changed\n`]);
    assert.equal(fs.existsSync(missing), false);
    const bad = path.join(root, 'remove-bad.json');
    fs.writeFileSync(bad, '{"hooks": ');
    const b = run(['--remove', '--file', bad]);
    assert.deepEqual([b.code, b.err], [2, `error: --file: ${bad} is not valid JSON; fix or remove it first\n`]);
    assert.equal(fs.readFileSync(bad, 'utf8'), '{"hooks": ');
    const both = run(['--remove', '--write', '--file', bad]);
    assert.deepEqual([both.code, both.err], [2, 'error: --remove: not with --write: choose one\n']);
  });
});
