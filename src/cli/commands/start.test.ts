/** `session-buddy start` with an address it cannot bind: one line naming the flag, exit 2, in the foreground and in the background. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-start-'));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, '--log-level', 'error', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A name that never resolves (RFC 6761); offline, the lookup may fail instead of finding nothing. */
const NO_SUCH_HOST = 'no-such-host.invalid';
const lookupFailed = (flag: string) =>
  new RegExp(`^error: ${flag}: cannot bind no-such-host\\.invalid \\((no such address|the name lookup failed; try again or give an IP address)\\)\\n$`);
/** TEST-NET-1 (RFC 5737): documentation only, an address of no machine. */
const FOREIGN = '192.0.2.1';

describe('session-buddy start --help', () => {
  it('says --ws-require-token demands the token on every route on loopback, not only on /ws (what it does: http-access.test.ts)', () => {
    const help = run(['start', '--help']);
    assert.equal(help.code, 0, help.err);
    // The option's words once the wrapping is undone, up to the next option.
    const flag = /--ws-require-token (.*?) --ws-allowed-origins/.exec(help.out.replace(/\s+/g, ' '))?.[1];
    assert.equal(
      flag,
      'require the access token on loopback too, as on other binds: on every route, not only /ws (/mcp, /api, /v1, /ws, and /metrics unless --metrics-public); /health and the dashboard page never need it',
    );
  });
});

describe('session-buddy start on an address it cannot bind', () => {
  after(() => {
    run(['stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names --host (or the variable that set it) in one line, exit 2, without a stack trace', () => {
    const fg = run(['start', '--foreground', '--port', '0', '--host', NO_SUCH_HOST]);
    assert.equal(fg.code, 2, fg.err);
    assert.match(fg.err, lookupFailed('--host'));
    const foreign = run(['start', '--foreground', '--port', '0', '--metrics-port', '0', '--host', FOREIGN]);
    assert.equal(foreign.code, 2, foreign.err);
    assert.equal(foreign.err, `error: --host: cannot bind ${FOREIGN} (not an address of this machine)\n`);
    const bg = run(['start', '--port', '0', '--host', NO_SUCH_HOST]);
    assert.equal(bg.code, 2, bg.err);
    assert.match(bg.err, lookupFailed('--host'));
    const fromEnv = run(['start', '--port', '0'], { SESSION_BUDDY_HOST: FOREIGN });
    assert.equal(fromEnv.code, 2, fromEnv.err);
    assert.equal(fromEnv.err, `error: SESSION_BUDDY_HOST: cannot bind ${FOREIGN} (not an address of this machine)\n`);
    assert.equal(JSON.parse(run(['status', '--json']).out).server.running, false);
  });
});

describe('session-buddy start with a store or a fan-out it cannot reach', () => {
  // Port 1 on loopback: nothing listens there. The URLs carry a password, which no message may show.
  const STORE = 'postgres://sb:s3cret@127.0.0.1:1/sb';
  const PUBSUB = 'redis://:s3cret@127.0.0.1:1';

  it('names the flag or variable that set the URL and the host:port, in the foreground and in the background', () => {
    const fg = run(['start', '--foreground', '--port', '0', '--pubsub', PUBSUB]);
    assert.equal(fg.code, 1, fg.err);
    assert.equal(fg.err, 'error: cannot connect to Redis at 127.0.0.1:1 (from --pubsub redis://:***@127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1\n');
    const fgEnv = run(['start', '--foreground', '--port', '0'], { SESSION_BUDDY_STORE: STORE });
    assert.equal(fgEnv.code, 1, fgEnv.err);
    assert.equal(
      fgEnv.err,
      'error: cannot open the PostgreSQL store at 127.0.0.1:1 (from SESSION_BUDDY_STORE=postgres://sb:***@127.0.0.1:1/sb): connect ECONNREFUSED 127.0.0.1:1\n',
    );
    // The background server gets the URLs in its environment (not argv): it still names the flags typed.
    const bg = run(['start', '--port', '0', '--store', STORE]);
    assert.equal(bg.code, 1, bg.err);
    assert.match(
      bg.err,
      /^error: cannot open the PostgreSQL store at 127\.0\.0\.1:1 \(from --store postgres:\/\/sb:\*\*\*@127\.0\.0\.1:1\/sb\): connect ECONNREFUSED/m,
    );
    const bgEnv = run(['start', '--port', '0'], { SESSION_BUDDY_PUBSUB: PUBSUB });
    assert.equal(bgEnv.code, 1, bgEnv.err);
    assert.match(
      bgEnv.err,
      /^error: cannot connect to Redis at 127\.0\.0\.1:1 \(from SESSION_BUDDY_PUBSUB=redis:\/\/:\*\*\*@127\.0\.0\.1:1\): connect ECONNREFUSED/m,
    );
    for (const r of [fg, fgEnv, bg, bgEnv]) assert.doesNotMatch(r.err, /s3cret/);
  });
});

describe('session-buddy stop and start with a pid file left by a server that died', () => {
  it('leaves alone a process that has the pid since (started after the server): not a running server', { skip: !fs.existsSync('/proc/self/stat') }, () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-stale-pid-'));
    // Another program that now has the pid of a server killed 10 minutes ago (SIGKILL, a reboot).
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const at = (args: string[]) =>
      spawnSync(process.execPath, [BIN, '--data-dir', data, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: data }, timeout: 60_000 });
    try {
      assert.equal(at(['init']).status, 0);
      const pidFile = path.join(data, 'server.pid');
      const stale = { pid: other.pid, host: '127.0.0.1', port: 47196, startedAt: new Date(Date.now() - 600_000).toISOString() };
      fs.writeFileSync(pidFile, JSON.stringify(stale));
      assert.match(at(['status']).stdout, /^server: {4}not running$/m);
      assert.equal(at(['migrate', '--to', '23']).status, 0, 'migrate is not refused');
      const stop = at(['stop']);
      assert.deepEqual([stop.status, stop.stdout], [0, 'no server is running\n']);
      assert.equal(other.exitCode, null);
      assert.doesNotThrow(() => process.kill(other.pid!, 0), 'the other program was not signalled');
      assert.equal(fs.existsSync(pidFile), false, 'the stale pid file is removed');
      // The same pid recorded after that process started is a server: status says it runs.
      fs.writeFileSync(pidFile, JSON.stringify({ ...stale, startedAt: new Date().toISOString() }));
      assert.match(at(['status']).stdout, /^server: {4}running \(pid \d+/m);
    } finally {
      other.kill();
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  it('takes a server that exited but was not reaped yet (a zombie) for a stopped one', { skip: !fs.existsSync('/proc/self/stat') }, async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-zombie-pid-'));
    // `sleep 1` exits after its parent has become `sleep 30`, which never reaps it. (A child that exits
    // before the exec, as `sleep 0` could, may be reaped by the shell: no zombie is left.)
    const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const at = (args: string[]) =>
      spawnSync(process.execPath, [BIN, '--data-dir', data, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: data }, timeout: 60_000 });
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
      // Up to 10 s: on a loaded machine `sleep 1` can take longer to start and exit.
      for (let i = 0; i < 500 && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), /\) Z /, 'a zombie');
      assert.equal(at(['init']).status, 0);
      fs.writeFileSync(path.join(data, 'server.pid'), JSON.stringify({ pid, host: '127.0.0.1', port: 47195, startedAt: new Date().toISOString() }));
      assert.match(at(['status']).stdout, /^server: {4}not running$/m);
      assert.deepEqual([at(['stop']).stdout], ['no server is running\n']);
    } finally {
      parent.kill();
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
