import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-'));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('session-buddy CLI', () => {
  after(() => {
    run(['stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('init creates the database, the salt (0600) and is idempotent', () => {
    const r = run(['init']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /schema version \d+/);
    assert.equal(fs.statSync(path.join(dir, 'salt')).mode & 0o777, 0o600);
    assert.equal(run(['init']).code, 0);
  });

  it('records from flags and from JSON on stdin, and reports counts in status', () => {
    const a = run(['record', '--skill', 'lint', '--user', 'bob', '--session', 's1', '--duration', '40', '--phase', 'review']);
    assert.equal(a.code, 0, a.err);
    assert.match(JSON.parse(a.out).id, /^[0-9A-Z]{26}$/);
    const json = JSON.stringify([
      { skill_name: 'run-tests', user_id: 'bob', session_id: 's1', workflow_phase: 'testing', completed: false, duration_ms: 900, error_type: 'timeout' },
      { skill_name: 'run-tests', user_id: 'bob', session_id: 's1', workflow_phase: 'testing', completed: true, duration_ms: 800 },
    ]);
    const b = run(['record', '--json'], json);
    assert.equal(b.code, 0, b.err);
    assert.equal(JSON.parse(b.out).inserted, 2);
    const s = run(['status', '--json']);
    assert.equal(s.code, 0, s.err);
    const status = JSON.parse(s.out);
    assert.equal(status.database.rows.skill_invocations, 3);
    assert.equal(status.database.rows.skills, 2);
    assert.equal(status.server.running, false);
  });

  it('fails with exit code 2 and a clear message on bad input, writing nothing', () => {
    const bad = run(['record', '--skill', 'lint', '--user', 'bob', '--session', 's1', '--phase', 'lunch']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^error: --phase: /m);
    assert.doesNotMatch(bad.err, /workflow_phase/);
    // Every bad flag at once, each named as typed.
    const two = run(['record', '--skill', 'lint', '--user', 'bob', '--session', 's1', '--phase', 'lunch', '--at', 'yesterday']);
    assert.equal(two.code, 2);
    assert.match(two.err, /^error: --phase: .*\nerror: --at: must be an ISO-8601/m);
    const missing = run(['record', '--skill', 'lint']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^error: missing --user, --session: are required \(or pass --json/m);
    const help = run(['record', '--help']);
    assert.match(help.out, /--skill <name> +skill name \(required unless --json\)/);
    assert.match(help.out, /--session <id> +session id \(required unless --json\)/);
    assert.match(run(['checkpoint', '--dir', path.join(dir, 'no-such-dir')]).err, /^error: --dir: does not exist/m);
    assert.match(run(['migrate', '--to', '99']).err, /^error: --to: must be an integer between 0 and \d+/m);
    // A configuration value names the flag when typed, the environment variable otherwise.
    assert.match(run(['status', '--log-level', 'loud']).err, /^error: --log-level: must be one of/m);
    const fromEnv = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'status'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), SESSION_BUDDY_PORT: 'eighty' },
    });
    assert.match(fromEnv.stderr, /^error: SESSION_BUDDY_PORT: must be an integer port/m);
    const badJson = run(['record', '--json'], '{not json');
    assert.equal(badJson.code, 2);
    assert.match(badJson.err, /stdin: must be valid JSON/);
    const unknown = run(['seed-demo', '--invocations', 'lots']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /--invocations/);
    assert.equal(run(['no-such-command']).code, 2);
    // Commands that check their flags themselves list every bad one too.
    const skills = run(['skills', '--days', '0', '--limit', 'x']);
    assert.equal(skills.code, 2);
    assert.equal(skills.err, 'error: --days: must be an integer between 1 and 365\nerror: --limit: must be an integer between 1 and 1000\n');
    const imp = run(['import', '--max-line-mib', 'abc', '--settle-minutes', 'x', path.join(dir, 'nope-1'), path.join(dir, 'nope-2')]);
    assert.equal(imp.code, 2);
    assert.equal(
      imp.err,
      `error: --settle-minutes: must be a number >= 0 and <= 43200\nerror: --max-line-mib: must be a number > 0 and <= 1024\nerror: paths: not found: ${path.join(dir, 'nope-1')}, ${path.join(dir, 'nope-2')}\n`,
    );
    // A number with no bound in practice (1e300 minutes) is refused like a word.
    assert.equal(run(['import', '--settle-minutes', '1e300']).err, 'error: --settle-minutes: must be a number >= 0 and <= 43200\n');
    assert.equal(run(['seed-demo', '--invocations', '0', '--days', 'x']).err.split('\n').filter(Boolean).length, 2);
    assert.equal(JSON.parse(run(['status', '--json']).out).database.rows.skill_invocations, 3);
  });

  it('refuses a value typed empty (an unset variable in a script) instead of falling back to a default, all at once', () => {
    const cases: Array<[string[], string]> = [
      [['archive', '--older-than', ''], 'error: --older-than: must not be empty\n'],
      [['import', ''], 'error: paths: must not be empty\n'],
      [['start', '--foreground', '--host', ' ', '--port', '0'], 'error: --host: must not be empty\n'],
      [['backup', ''], 'error: file: must not be empty\n'],
      [['skills', '--project', '', '--days', ''], 'error: --days: must not be empty\nerror: --project: must not be empty\n'],
      [['token', 'create', '--user', 'bob', '--label', ''], 'error: --label: must not be empty\n'],
      [['--log-level', '', 'status'], 'error: --log-level: must not be empty\n'],
    ];
    const before = fs.readdirSync(dir).sort();
    for (const [args, err] of cases) {
      const r = run(args);
      assert.deepEqual([r.code, r.err, r.out], [2, err, ''], args.join(' '));
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), before, 'nothing written');
  });

  it('migrates down and up again, keeping the data', () => {
    const down = run(['migrate', '--to', '1']);
    assert.equal(down.code, 0, down.err);
    assert.match(down.out, /reverted/);
    // Going down drops what later versions added: a verified backup is taken first.
    const backup = /^backed up to (.*session-buddy-before-migrate-\d+-to-1-.*\.db) before moving down \(3 invocations;/m.exec(down.out);
    assert.ok(backup, down.out);
    assert.ok(fs.existsSync(backup[1]!));
    // After going down, --status lists the pending steps too, in order.
    const status = run(['migrate', '--status']);
    assert.equal(status.code, 0, status.err);
    const lines = status.out.trim().split('\n');
    assert.match(lines[0]!, /^schema version 1 of (\d+)$/);
    const latest = Number(/of (\d+)/.exec(lines[0]!)![1]);
    assert.match(lines[1]!, /^ {2}applied {2}0001 init \(\d{4}-\d\d-\d\dT/);
    assert.match(lines[2]!, /^ {2}pending {2}0002 prediction_models$/);
    assert.equal(lines.filter((l) => l.startsWith('  pending ')).length, latest - 1);
    assert.equal(lines.at(-1), `${latest - 1} pending: \`session-buddy migrate\` applies them`);
    const up = run(['migrate']);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /applied/);
    assert.match(run(['migrate']).out, /nothing to do/);
    assert.equal(JSON.parse(run(['status', '--json']).out).database.rows.skill_invocations, 3);
  });

  it('seeds demo data and compacts', () => {
    const seed = run(['seed-demo', '--invocations', '3000', '--seed', '1']);
    assert.equal(seed.code, 0, seed.err);
    assert.match(seed.out, /seeded 3000 invocations/);
    assert.match(seed.err, /100%/);
    // Not a terminal: a few lines at most, not one per update.
    assert.ok(seed.err.trim().split('\n').length <= 4, seed.err);
    // The Skill invocations got synthetic costs under both attributions, the stamp overstating.
    const report = JSON.parse(run(['skills', '--skill', 'skill:pdf', '--json']).out) as {
      skills: { usage: { cost: Record<'stamped' | 'bounded', { api_calls: number; cost_usd: number | null } | null> } }[];
    };
    const cost = report.skills[0]!.usage.cost;
    assert.ok(cost.stamped && cost.bounded, JSON.stringify(cost));
    assert.ok(cost.stamped.api_calls > cost.bounded.api_calls && cost.bounded.api_calls > 0, JSON.stringify(cost));
    assert.ok(cost.stamped.cost_usd! > cost.bounded.cost_usd! && cost.bounded.cost_usd! > 0, JSON.stringify(cost));
    const backup = run(['backup', path.join(dir, 'copy.db')]);
    assert.equal(backup.code, 0, backup.err);
    assert.match(backup.err, /^backup \[#{30}\] 100% 100\/100 /);
    assert.equal(backup.err.trim().split('\n').length, 1, backup.err);
    const c = run(['compact']);
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /compacted .* -> /);
  });

  it('starts in the background, answers /health, and stops', async () => {
    const start = run(['start', '--port', '0']);
    assert.equal(start.code, 0, start.err);
    const url = /at (http:\/\/[^\s]+)/.exec(start.out)?.[1];
    assert.ok(url, start.out);
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
    assert.equal(health.status, 'ok');
    const again = run(['start', '--port', '0']);
    assert.equal(again.code, 1);
    assert.match(again.err, /already running/);
    const status = JSON.parse(run(['status', '--json']).out);
    assert.equal(status.server.running, true);
    // Asked about another store than the server's, status says the server is not on it.
    const elsewhere = run(['--store', 'postgres://postgres@127.0.0.1:1/none', 'status']);
    assert.match(elsewhere.out, /^note: +that server uses a SQLite store, not the one described above/m);
    // The schema is not changed under a running server (restore refuses the same); --status still answers.
    const migrate = run(['migrate', '--rollback']);
    assert.equal(migrate.code, 1);
    assert.match(migrate.err, /^error: the server is running \(pid \d+\); stop it first/m);
    assert.equal(run(['migrate', '--status']).code, 0);
    const stop = run(['stop']);
    assert.equal(stop.code, 0, stop.err);
    assert.match(stop.out, /stopped/);
  });

  it('says a port is in use in one line, without a stack trace, in the foreground and in the background', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as net.AddressInfo).port);
    try {
      const fg = run(['start', '--foreground', '--port', port]);
      assert.equal(fg.code, 1);
      assert.equal(fg.err, `error: port ${port} on 127.0.0.1 is already in use (is another session-buddy running? try --port)\n`);
      const bg = run(['start', '--port', port]);
      assert.equal(bg.code, 1);
      assert.match(bg.err, /already in use/);
      assert.doesNotMatch(bg.err, /^\s+at /m);
    } finally {
      blocker.close();
    }
  });

  it('reports a corrupt database clearly', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-corrupt-'));
    try {
      fs.writeFileSync(path.join(other, 'session-buddy.db'), 'this is not a database'.repeat(100));
      const r = spawnSync(process.execPath, [BIN, '--data-dir', other, 'record', '--skill', 'a', '--user', 'b', '--session', 'c'], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /not a valid Session Buddy database|not a database/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('session-buddy with a data directory it cannot use', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-datadir-'));
  const file = path.join(base, 'a-file');
  fs.writeFileSync(file, 'x');
  after(() => fs.rmSync(base, { recursive: true, force: true }));
  const sb = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: base, ...env }, timeout: 30_000 });

  it('refuses a file as data directory before any command runs, naming the flag or variable, and writes nothing', () => {
    for (const cmd of [['init'], ['status'], ['doctor'], ['import'], ['seed-demo', '--invocations', '10'], ['install-hooks'], ['mcp-config'], ['skills']]) {
      const r = sb(['--data-dir', file, ...cmd]);
      assert.equal(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, `error: --data-dir: ${file} is a file, not a directory\n`, cmd.join(' '));
    }
    const under = sb(['status'], { SESSION_BUDDY_DATA_DIR: path.join(file, 'sub') });
    assert.equal(under.status, 2);
    assert.equal(under.stderr, `error: SESSION_BUDDY_DATA_DIR: ${file} (in ${path.join(file, 'sub')}) is a file, not a directory\n`);
    assert.equal(fs.readFileSync(file, 'utf8'), 'x');
    // The hook still exits 0 (it never fails the agent).
    assert.equal(sb(['--data-dir', file, 'hook'], {}).status, 0);
  });

  it('ends with a one-line error where the directory cannot be created (no endless mkdir, no stack trace)', { skip: process.platform !== 'linux' }, () => {
    const r = sb(['--data-dir', '/proc/session-buddy-test', 'init']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, 'error: cannot use /proc/session-buddy-test: cannot be created there (ENOENT)\n');
  });
});

describe('session-buddy on a 0-byte database (left by a full disk)', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-empty-'));
  after(() => fs.rmSync(empty, { recursive: true, force: true }));

  it('status and doctor report schema version 0 without a stack trace and write nothing', () => {
    fs.chmodSync(empty, 0o700);
    const db = path.join(empty, 'session-buddy.db');
    fs.writeFileSync(db, '', { mode: 0o600 });
    const sb = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, '--data-dir', empty, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: empty },
        timeout: 60_000,
      });
    const s = sb('status');
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, /^schema: {4}version 0 of \d+/m);
    assert.doesNotMatch(s.stderr, /\n\s+at /);
    const d = sb('doctor');
    assert.match(d.stdout, /^WARN {2}schema version: version 0 of \d+: run `session-buddy migrate`/m);
    assert.doesNotMatch(d.stdout, /readonly|not readable and writable/);
    assert.equal(fs.statSync(db).size, 0);
  });
});

describe('session-buddy doctor run from the TypeScript sources (dist/ stale)', () => {
  it('warns that hooks run through tsx and says how to build the bundle', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-src-'));
    try {
      const main = path.resolve(path.dirname(BIN), '../src/cli/main.ts');
      // The default data directory (under HOME): a named one must hold a database.
      const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'doctor'], {
        encoding: 'utf8',
        cwd: path.dirname(BIN),
        env: { PATH: process.env.PATH ?? '', HOME: data },
        timeout: 60_000,
      });
      assert.match(
        r.stdout,
        /^WARN {2}bundle: dist\/ is missing or older than src\/ in .+: commands and every hook run the TypeScript sources through tsx .*run `npm run build` there$/m,
      );
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('session-buddy piped into a reader that stops early', () => {
  it('exits without a stack trace when stdout is closed (`… | head`)', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-pipe-'));
    try {
      const err = path.join(data, 'stderr.txt');
      // migrate --status reads an existing data directory, with its database.
      const init = spawnSync(process.execPath, [BIN, '--data-dir', path.join(data, 'd'), 'init'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: data },
      });
      assert.equal(init.status, 0, init.stderr);
      // `true` exits at once, long before node has started: every write meets a closed pipe.
      const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" --data-dir "${data}/d" migrate --status 2>"${err}" | true`], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: data },
        timeout: 60_000,
      });
      assert.equal(r.status, 0);
      assert.equal(fs.readFileSync(err, 'utf8'), '');
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('session-buddy archive after restoring a backup taken before an earlier archive', () => {
  it('adopts the earlier Parquet file and counts its rows as archived', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-arch-'));
    const sb = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, '--data-dir', path.join(data, 'd'), ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: data },
        timeout: 60_000,
      });
    try {
      const old = (id: string) => [
        'record',
        '--skill',
        'old',
        '--user',
        'u',
        '--session',
        's',
        '--at',
        new Date(Date.now() - 40 * 86_400_000).toISOString(),
        '--duration',
        id,
      ];
      for (const d of ['10', '20', '30']) assert.equal(sb(...old(d)).status, 0);
      assert.equal(sb('record', '--skill', 'new', '--user', 'u', '--session', 's').status, 0);
      assert.equal(sb('backup', path.join(data, 'b.db')).status, 0);
      assert.match(sb('archive', '--older-than', '30d').stdout, /^archived 3 invocations older than /m);
      assert.equal(sb('restore', path.join(data, 'b.db')).status, 0);
      const again = sb('archive', '--older-than', '30d');
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /adopted .*\.parquet \(3 rows\) written by an earlier run/);
      assert.match(again.stdout, /^archived 3 invocations older than .* \(3 of them into the adopted file\(s\)\)/m);
      const status = JSON.parse(sb('status', '--json').stdout);
      assert.equal(status.database.rows.skill_invocations, 1);
      // The archived rows are said, so the count and the analytics' figures (which keep them) do not seem to disagree.
      assert.deepEqual(status.database.archived, { rows: 3, files: 1 });
      assert.match(sb('status').stdout, /skill_invocations +1 \(\+3 archived in 1 Parquet file\(s\), still in the figures\)/);
      assert.equal(fs.readdirSync(path.join(data, 'd', 'archive')).filter((f) => f.endsWith('.parquet')).length, 1);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('a data directory or SQLite store that does not exist', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-missing-'));
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  const sb = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
      timeout: 60_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  /** Every path under root, to show nothing was created. */
  const tree = () => fs.readdirSync(root, { recursive: true }).map(String).sort();
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const reading = [['status'], ['doctor'], ['skills'], ['migrate', '--status'], ['token', 'list'], ['checkpoint', '--no-audit'], ['reprice'], ['backup']];

  it('is refused by the commands that only read, in one line naming the flag or variable, exit 2, nothing created', () => {
    const typo = path.join(root, 'typo', 'data');
    const db = path.join(root, 'missing', 'dir', 'x.db');
    for (const args of reading) {
      const byFlag = sb(['--data-dir', typo, ...args]);
      assert.deepEqual(
        [byFlag.code, byFlag.err],
        [2, `error: --data-dir: no Session Buddy data at ${typo} (nothing was created); the default is ${path.join(home, '.session-buddy')}\n`],
        args.join(' '),
      );
      const byVariable = sb(args, { SESSION_BUDDY_DATA_DIR: typo });
      assert.equal(byVariable.code, 2, args.join(' '));
      assert.match(byVariable.err, /^error: SESSION_BUDDY_DATA_DIR: no Session Buddy data at .* \(nothing was created\)/);
      const store = sb(['--store', `sqlite:${db}`, ...args]);
      assert.deepEqual([store.code, store.err], [2, `error: --store: no Session Buddy database at ${db} (nothing was created)\n`], args.join(' '));
      const storeVariable = sb(args, { SESSION_BUDDY_STORE: `sqlite:${db}` });
      assert.deepEqual([storeVariable.code, storeVariable.err], [2, `error: SESSION_BUDDY_STORE: no Session Buddy database at ${db} (nothing was created)\n`]);
    }
    assert.deepEqual(tree(), ['home']);
  });

  it('is refused when it exists but Session Buddy never wrote into it (no database), by flag or variable, nothing created', () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    const refusal = (by: string) =>
      `error: ${by}: no Session Buddy database in ${empty} (no session-buddy.db; nothing was created); the default is ${path.join(home, '.session-buddy')}\n`;
    for (const args of [...reading, ['compact'], ['archive', '--older-than', '30d'], ['migrate', '--rollback']]) {
      const byFlag = sb(['--data-dir', empty, ...args]);
      assert.deepEqual([byFlag.code, byFlag.err], [2, refusal('--data-dir')], args.join(' '));
      const byVariable = sb(args, { SESSION_BUDDY_DATA_DIR: empty });
      assert.deepEqual([byVariable.code, byVariable.err], [2, refusal('SESSION_BUDDY_DATA_DIR')], args.join(' '));
    }
    assert.deepEqual(tree(), ['empty', 'home']);
    fs.rmdirSync(empty);
  });

  it('is created by the commands that write, and the default directory still answers status and doctor on a new machine', () => {
    const status = sb(['status']);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /not created yet: run `session-buddy init`/);
    assert.match(sb(['doctor']).out, /data directory: .* does not exist: run `session-buddy init`/);
    assert.deepEqual(tree(), ['home']);
    const data = path.join(root, 'new', 'data');
    const hook = spawnSync(process.execPath, [BIN, '--data-dir', data, 'hook'], {
      cwd: root,
      input: '{}',
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home },
    });
    assert.equal(hook.status, 0, hook.stderr);
    const record = sb(['--data-dir', path.join(root, 'other'), 'record', '--skill', 'lint', '--user', 'u', '--session', 's']);
    assert.equal(record.code, 0, record.err);
    const skills = sb(['--data-dir', path.join(root, 'other'), 'skills', '--json']);
    assert.equal(skills.code, 0, skills.err);
    // An existing, empty directory: the commands that write fill it, then the others read it.
    for (const [i, args] of [['record', '--skill', 'lint', '--user', 'u', '--session', 's'], ['seed-demo', '--invocations', '5'], ['init']].entries()) {
      const dir = path.join(root, `empty-${i}`);
      fs.mkdirSync(dir);
      const wrote = sb(['--data-dir', dir, ...args]);
      assert.equal(wrote.code, 0, `${args.join(' ')}: ${wrote.err}`);
      assert.equal(sb(['--data-dir', dir, 'skills', '--json']).code, 0, args.join(' '));
    }
    // A directory the hooks write to before any database exists there (salt and spool): status says what is spooled.
    const hooked = path.join(root, 'hooked');
    for (const hook_event_name of ['PreToolUse', 'PostToolUse']) {
      const event = { hook_event_name, session_id: 's', tool_name: 'Bash', tool_use_id: 't1', tool_input: {}, tool_response: {} };
      const fed = spawnSync(process.execPath, [BIN, '--data-dir', hooked, 'hook'], {
        cwd: root,
        input: JSON.stringify(event),
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: home },
      });
      assert.equal(fed.status, 0, fed.stderr);
    }
    assert.equal(fs.existsSync(path.join(hooked, 'session-buddy.db')), false);
    const hookedStatus = sb(['--data-dir', hooked, 'status']);
    assert.equal(hookedStatus.code, 0, hookedStatus.err);
    assert.match(hookedStatus.out, /hooks: +\d+ bytes spooled/);
  });
});
