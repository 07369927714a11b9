/**
 * A data directory this user can read but not write (`chmod -R a-w`, as a mounted backup or
 * another account's copy is): the commands that only read work on it as it is, saying once on
 * stderr that nothing is recorded; an older schema is named as what to migrate, by whom; the
 * commands that write fail in one line naming the directory and why; the hook exits 0 and counts
 * a drop. As root (which file permissions do not stop) the CLI runs as the unprivileged user
 * 65534, on a copy it owns.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { fallbackDropFile } from '../capture/drop-counter.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const UID = AS_ROOT ? NOBODY : (process.getuid?.() ?? 0);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-readonly-'));
fs.chmodSync(root, 0o755);
const HOME = path.join(root, 'home');
fs.mkdirSync(HOME);

/** Whether an unprivileged user can run node on the sources here (setpriv present, checkout readable). */
function canRunAsNobody(): boolean {
  const probe = spawnSync('setpriv', [...AS_NOBODY, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.R_OK)`], {
    cwd: '/tmp',
  });
  return probe.status === 0;
}
const skip = AS_ROOT && !canRunAsNobody() ? 'running as root and cannot run the CLI as an unprivileged user (setpriv missing or checkout unreadable)' : false;

/** The CLI as the user the data directory is read-only for. */
function sb(dataDir: string, args: string[], input?: string) {
  const argv = [BIN, '--data-dir', dataDir, ...args];
  const r = spawnSync(AS_ROOT ? 'setpriv' : process.execPath, AS_ROOT ? [...AS_NOBODY, process.execPath, ...argv] : argv, {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI as the owner, to build a data directory. */
function owner(dataDir: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
}

function walk(p: string, fn: (p: string, dir: boolean) => void): void {
  const dir = fs.statSync(p).isDirectory();
  if (dir) for (const name of fs.readdirSync(p)) walk(path.join(p, name), fn);
  fn(p, dir);
}

/** `chmod -R a-w` (owned by the unprivileged user first when running as root). */
function makeReadOnly(dir: string): void {
  walk(dir, (p, isDir) => {
    if (AS_ROOT) fs.chownSync(p, NOBODY, NOBODY);
    fs.chmodSync(p, isDir ? 0o500 : 0o400);
  });
}

const data = path.join(root, 'data');
const older = path.join(root, 'older');
const walCopy = path.join(root, 'wal-copy');
const transcripts = path.join(root, 'transcripts');

before(() => {
  if (skip) return;
  fs.chmodSync(HOME, 0o777);
  owner(data, ['seed-demo', '--invocations', '200']);
  owner(older, ['seed-demo', '--invocations', '50']);
  owner(older, ['migrate', '--to', '20']);
  // A copy of a live directory without its -shm file: committed rows still in the -wal file.
  const live = path.join(root, 'live');
  owner(live, ['seed-demo', '--invocations', '50']);
  // A second connection that has read keeps the log from being checkpointed away when the CLI closes.
  const hold = new Database(path.join(live, 'session-buddy.db'));
  hold.prepare('SELECT count(*) FROM sqlite_master').get();
  try {
    owner(live, ['record', '--skill', 'lint', '--user', 'ann', '--session', 's1']);
    owner(live, ['record', '--skill', 'lint', '--user', 'ann', '--session', 's2']);
    fs.mkdirSync(walCopy);
    for (const f of ['salt', 'session-buddy.db', 'session-buddy.db-wal']) fs.copyFileSync(path.join(live, f), path.join(walCopy, f));
    assert.ok(fs.statSync(path.join(walCopy, 'session-buddy.db-wal')).size > 0);
  } finally {
    hold.close();
  }
  fs.mkdirSync(path.join(transcripts, 'p'), { recursive: true });
  fs.writeFileSync(path.join(transcripts, 'p', 't.jsonl'), '');
  fs.chmodSync(path.join(transcripts, 'p', 't.jsonl'), 0o644);
  for (const d of [data, older, walCopy]) makeReadOnly(d);
});

after(() => {
  for (const d of [data, older, walCopy]) fs.rmSync(fallbackDropFile(d), { force: true });
  walk(root, (p, isDir) => {
    try {
      fs.chmodSync(p, isDir ? 0o700 : 0o600);
    } catch {
      // removed below either way when running as root
    }
  });
  fs.rmSync(root, { recursive: true, force: true });
});

const note = (dir: string) =>
  `note: the data directory ${dir} is read-only: permission denied for this user, uid ${UID} (EACCES); it is read as it is (no migrations) and nothing is recorded\n`;

describe('a read-only data directory', { skip }, () => {
  it('status, doctor, skills and migrate --status read it as it is, saying so once', () => {
    const status = sb(data, ['status']);
    assert.equal(status.code, 0, status.err);
    assert.equal(status.err, note(data));
    assert.match(status.out, /^schema: {4}version (\d+) of \1\n {2}skill_invocations {4}200$/m);

    const json = sb(data, ['status', '--json']);
    assert.equal(json.code, 0, json.err);
    const s = JSON.parse(json.out) as { read_only: { code: string; path: string }; database: { rows: Record<string, number> } };
    assert.deepEqual([s.read_only.code, s.read_only.path, s.database.rows.skill_invocations], ['EACCES', data, 200]);

    const doctor = sb(data, ['doctor']);
    assert.equal(doctor.code, 0, doctor.out + doctor.err);
    assert.equal(doctor.err, note(data));
    assert.match(
      doctor.out,
      new RegExp(
        `^WARN {2}data directory: ${data} is read-only for this user \\(EACCES, uid ${UID}\\): checked as it is, and nothing is recorded there; to record there, run session-buddy as the owner`,
        'm',
      ),
    );
    assert.match(doctor.out, /^ok {4}quick check: ok/m);
    assert.doesNotMatch(doctor.out, /^FAIL/m);

    const skills = sb(data, ['skills', '--json']);
    assert.equal(skills.code, 0, skills.err);
    assert.equal(skills.err, note(data));
    assert.ok((JSON.parse(skills.out) as { skills: unknown[] }).skills.length > 0);

    const migrate = sb(data, ['migrate', '--status']);
    assert.equal(migrate.code, 0, migrate.err);
    assert.match(migrate.out, /^schema version (\d+) of \1\n/);
    // Nothing was written: no -wal, -shm or token file appeared.
    assert.deepEqual(fs.readdirSync(data).sort(), ['salt', 'session-buddy.db']);
  });

  it('an older schema is named as what to migrate, by someone who can write it', () => {
    const status = sb(older, ['status']);
    assert.equal(status.code, 0, status.err);
    assert.match(
      status.out,
      /^schema: {4}version 20 of \d+ — older than this program's: the data directory needs `session-buddy migrate`, run by someone who can write it$/m,
    );
    const skills = sb(older, ['skills']);
    assert.equal(skills.code, 1);
    assert.equal(
      skills.err.replace(note(older), ''),
      `error: ${older}/session-buddy.db has schema version 20, older than this program's ${/of (\d+)/.exec(status.out)![1]}, and is read-only here: ` +
        'its data directory needs `session-buddy migrate`, run by someone who can write it\n',
    );
    assert.match(
      sb(older, ['doctor']).out,
      /^WARN {2}schema version: version 20 of \d+, older than this program's: the data directory needs `session-buddy migrate`/m,
    );
  });

  it('reads the rows a copy holds in its write-ahead log without the -shm file', () => {
    const status = sb(walCopy, ['status', '--json']);
    assert.equal(status.code, 0, status.err);
    assert.equal((JSON.parse(status.out) as { database: { rows: Record<string, number> } }).database.rows.skill_invocations, 52);
  });

  it('the commands that write fail in one line naming the directory and why; the hook exits 0 and counts a drop', () => {
    const refused = `error: cannot write ${data}: permission denied for this user, uid ${UID} (EACCES); nothing can be recorded or changed there (status, doctor and skills still read it)\n`;
    for (const args of [
      ['record', '--skill', 'lint', '--user', 'ann', '--session', 's1'],
      ['import', transcripts],
      ['start', '--foreground', '--port', '0'],
    ]) {
      const r = sb(data, args);
      assert.equal(r.code, 1, `${args[0]}: ${r.out}${r.err}`);
      assert.equal(r.err, refused, args[0]);
    }
    const event = { hook_event_name: 'PostToolUse', session_id: 's1', tool_name: 'Bash', tool_use_id: 't1', tool_input: {}, tool_response: {} };
    const hook = sb(data, ['hook'], JSON.stringify(event));
    assert.equal(hook.code, 0, hook.err);
    assert.equal(hook.out, '');
    assert.match(sb(data, ['status']).out, /^hooks: .*1 invocation\(s\) DROPPED/m);
  });

  it('backup copies it as it is to a file named elsewhere, and asks for one instead of writing into it', () => {
    const before = fs.readdirSync(data).sort();
    const refused = sb(data, ['backup']);
    assert.equal(refused.code, 2, refused.out + refused.err);
    assert.equal(
      refused.err.replace(note(data), ''),
      `error: file: must be named outside ${data}: the data directory is read-only, so its backups/ folder cannot be written\n`,
    );
    const out = path.join(root, 'target-backups');
    fs.mkdirSync(out);
    if (AS_ROOT) fs.chownSync(out, NOBODY, NOBODY);
    const r = sb(data, ['backup', path.join(out, 'copy.db')]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`^backed up to ${path.join(out, 'copy.db')} \\(.*, 200 invocations, integrity ok`), r.out);
    assert.deepEqual(fs.readdirSync(data).sort(), before, 'backup wrote into the read-only data directory');
  });

  it('merge-data reads it from a copy: an older schema and rows still in its -wal are merged, and nothing is written there', () => {
    // A target the unprivileged user owns and may write.
    const target = path.join(root, 'target');
    fs.mkdirSync(target);
    if (AS_ROOT) fs.chownSync(target, NOBODY, NOBODY);
    // `older` (schema 20) first; then the -wal copy, whose 50 demo rows are the same demo rows (same seed),
    // so only its 2 recorded rows, which are in its -wal file alone, are new.
    for (const [source, rows, inserted] of [
      [older, 50, 50],
      [walCopy, 52, 2],
    ] as const) {
      const before = fs.readdirSync(source).sort();
      const r = sb(target, ['merge-data', source, '--json']);
      assert.equal(r.code, 0, r.out + r.err);
      const sum = JSON.parse(r.out) as { rows: number; inserted: number };
      assert.deepEqual([sum.rows, sum.inserted], [rows, inserted], r.out);
      assert.deepEqual(fs.readdirSync(source).sort(), before, 'merge-data wrote into the read-only source');
    }
  });
});
