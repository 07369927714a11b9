/**
 * The hook can never hurt the agent: whatever the data directory, the server
 * or stdin do, `session-buddy hook` ends by itself with status 0 and nothing
 * on stdout. Its bound comes from hook-deadline.ts (a 1.2 s timer, a
 * watchdog thread at 1.4 s for a process spinning on the CPU), proven by the
 * last test with a process stuck in synchronous code; the CLI cases are killed only after a generous limit, so
 * a loaded machine (slow Node start-up) cannot fail them while a hook that
 * hangs still does. Without these fixes a data directory under /proc made
 * Node's recursive mkdir spin for ever, and a usage error exited 2.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { fallbackDropFile, readDrops } from '../capture/drop-counter.js';
import { HOOK_HARD_DEADLINE_MS, HOOK_SOFT_DEADLINE_MS } from './hook-deadline.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, '../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-hook-deadline-'));
const unusable = ['/proc/self/sb', path.join(root, 'a-file'), path.join(root, 'a-file', 'sub')];
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
  // What the hooks counted as dropped for the unusable directories went to the temp directory.
  for (const d of unusable) fs.rmSync(fallbackDropFile(d), { force: true });
});
const KILL_AFTER_MS = 20_000;

const post = (id: string) =>
  JSON.stringify({
    session_id: 's',
    cwd: root,
    hook_event_name: 'PostToolUse',
    tool_name: 'Read',
    tool_input: {},
    tool_use_id: id,
    tool_response: {},
    duration_ms: 3,
  });

function hook(args: string[], input: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: KILL_AFTER_MS, env: { PATH: '/usr/bin:/bin', HOME: root } });
  return { status: r.status, signal: r.signal, stdout: r.stdout };
}

function assertHarmless(r: { status: number | null; signal: string | null; stdout: string }, what: string) {
  assert.equal(r.signal, null, `${what}: still running at ${KILL_AFTER_MS} ms`);
  assert.equal(r.status, 0, what);
  assert.equal(r.stdout, '', what);
}

describe('session-buddy hook never hurts the agent', () => {
  it('exits 0 by itself with an unusable data directory', () => {
    const [proc, file, below] = unusable as [string, string, string];
    fs.writeFileSync(file, '');
    assertHarmless(hook(['--data-dir', proc, 'hook'], post('t1')), 'data dir under /proc');
    assertHarmless(hook(['--data-dir', file, 'hook'], post('t2')), 'data dir is a file');
    assertHarmless(hook(['--data-dir', below, 'hook'], post('t3')), 'data dir below a file');
    // and the lost call is counted where status and doctor look
    assert.equal(readDrops(file).count, 1);
  });

  it('exits 0 on a usage error (exit 2 would block a PreToolUse call) and on garbage input', () => {
    assertHarmless(hook(['hook', '--no-such-flag'], post('t4')), 'unknown flag');
    assertHarmless(hook(['--data-dir', path.join(root, 'd0'), 'hook'], '{"not": "a hook event"'), 'truncated JSON');
  });

  it('exits 0 by itself when the server accepts the connection and never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const dataDir = path.join(root, 'd1');
    fs.mkdirSync(dataDir);
    const port = (silent.address() as net.AddressInfo).port;
    fs.writeFileSync(path.join(dataDir, 'server.pid'), JSON.stringify({ pid: process.pid, host: '127.0.0.1', port, startedAt: new Date().toISOString() }));
    try {
      const pre = JSON.stringify({ session_id: 's', cwd: root, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: {}, tool_use_id: 't5' });
      // spawnSync would block this process, and with it the silent server's accept loop: spawn instead.
      for (const input of [pre, post('t5')]) {
        const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'hook'], { env: { PATH: '/usr/bin:/bin', HOME: root } });
        child.stdin.end(input);
        const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
        const [code, signal] = (await new Promise((r) => child.on('exit', (c, s) => r([c, s])))) as [number | null, string | null];
        clearTimeout(killer);
        assert.equal(signal, null, `still running at ${KILL_AFTER_MS} ms`);
        assert.equal(code, 0);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('exits 0 by itself when stdin stays open without a complete event', async () => {
    const child = spawn(process.execPath, [BIN, '--data-dir', path.join(root, 'd2'), 'hook'], { env: { PATH: '/usr/bin:/bin', HOME: root } });
    child.stdin.write('{"session_id": "s", "hook_event_name": "PreTo');
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    const [code, signal] = (await new Promise((r) => child.on('exit', (c, s) => r([c, s])))) as [number | null, string | null];
    clearTimeout(killer);
    child.stdin.destroy();
    assert.equal(signal, null);
    assert.equal(code, 0);
  });

  it('the watchdog ends a process stuck in synchronous code, and a stuck wait with status 0', () => {
    const deadline = path.join(HERE, 'hook-deadline.ts');
    const run = (body: string, timeout = 20_000) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', `const { armHookDeadline } = await import(${JSON.stringify(deadline)}); ${body}`],
        {
          encoding: 'utf8',
          timeout,
          cwd: path.resolve(HERE, '../..'),
        },
      );
    // Only the watchdog thread can end this one: the main thread never yields.
    const spin = run('armHookDeadline(60_000, 0); for (;;) {}');
    assert.equal(spin.signal, 'SIGKILL', spin.stderr);
    const wait = run('armHookDeadline(0, 60_000); setInterval(() => {}, 1000);');
    assert.equal(wait.signal, null, wait.stderr);
    assert.equal(wait.status, 0, wait.stderr);
    assert.ok(HOOK_SOFT_DEADLINE_MS < HOOK_HARD_DEADLINE_MS && HOOK_HARD_DEADLINE_MS < 2000);
    // Without the watchdog (the command install-hooks writes is killed from outside instead), nothing in
    // the process ends a busy main thread: spawnSync's own 3 s timeout (SIGTERM) does.
    const unwatched = run('armHookDeadline(60_000, 0, 0, false); for (;;) {}', 3000);
    assert.equal(unwatched.signal, 'SIGTERM', unwatched.stderr);
  });
});
