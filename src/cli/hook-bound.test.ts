/**
 * The 2 s bound of the hook as installed: `install-hooks --write` writes the
 * command, which is run here as Claude Code runs it (`/bin/sh -c <command>`,
 * event on stdin, from another directory, PATH without the project), and
 * timed from outside, from before the spawn to the exit. The cases are the
 * ones the hook's own deadlines cannot all cover: the hook process stopped
 * (SIGSTOP — the limit of being starved of CPU: it never runs again by
 * itself), a server that accepts the connection and never answers, an
 * unusable data directory, stdin left open. Each must end in under 2 s; the
 * external kill comes at 1.6 s, and the test kills only after 20 s, so a
 * loaded machine cannot make a correct hook fail it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { installedHookCommand } from '../capture/capture-checks.js';
import { fallbackDropFile } from '../capture/drop-counter.js';
import { HOOK_KILL_AFTER_SECONDS } from '../capture/entry-command.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, '../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-hook-bound-'));
const elsewhere = path.join(root, 'elsewhere');
fs.mkdirSync(elsewhere);
const env = { PATH: '/usr/bin:/bin', HOME: root };
const BOUND_MS = 2000;
const SAFETY_KILL_MS = 20_000;
after(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(fallbackDropFile('/proc/self/sb-bound'), { force: true });
});

/** The PostToolUse command `install-hooks --write` puts into a fresh settings file. */
function installedCommand(dataDir: string): string {
  const file = path.join(root, `settings-${path.basename(dataDir)}.json`);
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'install-hooks', '--write', '--file', file], { encoding: 'utf8', env, cwd: elsewhere });
  assert.equal(r.status, 0, r.stderr);
  const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(settings.hooks.PostToolUse[0].hooks[0].timeout, 2, 'Claude Code kills the hook at 2 s too');
  const command = installedHookCommand(settings);
  assert.ok(command, 'a hook command was installed');
  return command;
}

const post = (id: string) =>
  JSON.stringify({
    session_id: 's',
    cwd: elsewhere,
    hook_event_name: 'PostToolUse',
    tool_name: 'Read',
    tool_input: {},
    tool_use_id: id,
    tool_response: {},
    duration_ms: 3,
  });

/** Descendants of `pid` (children first), from /proc. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let children: string;
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return out;
  }
  for (const c of children.trim().split(/\s+/).filter(Boolean).map(Number)) out.push(c, ...descendants(c));
  return out;
}

/** The hook's Node process (not the `timeout` around it, whose arguments name the script too). */
function isHookNode(pid: number): boolean {
  try {
    const [exe, script] = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return exe === process.execPath && script === fs.realpathSync(BIN);
  } catch {
    return false;
  }
}

interface Outcome {
  ms: number;
  code: number | null;
  signal: string | null;
  /** The hook's Node process, when `stop` found it. */
  stopped: number | null;
}

/** Runs the command as Claude Code does and times it from outside. */
async function runInstalled(command: string, input: string, opts: { stop?: boolean; keepStdinOpen?: boolean } = {}): Promise<Outcome> {
  const t0 = performance.now();
  const child = spawn('/bin/sh', ['-c', command], { cwd: elsewhere, env, stdio: ['pipe', 'ignore', 'ignore'] });
  if (opts.keepStdinOpen) child.stdin.write(input);
  else child.stdin.end(input);
  child.stdin.on('error', () => undefined);
  const killer = setTimeout(() => child.kill('SIGKILL'), SAFETY_KILL_MS);
  let stopped: number | null = null;
  const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  if (opts.stop) {
    // Stop the hook's Node process as soon as it exists: from then on it never runs by itself.
    while (!done && stopped === null) {
      const pid = [child.pid!, ...descendants(child.pid!)].find(isHookNode);
      if (pid !== undefined) {
        process.kill(pid, 'SIGSTOP');
        stopped = pid;
      } else await new Promise((r) => setTimeout(r, 5));
    }
  }
  const [code, signal] = await exited;
  const ms = performance.now() - t0;
  clearTimeout(killer);
  child.stdin.destroy();
  return { ms, code, signal, stopped };
}

/** Dead: gone, or a zombie waiting to be reaped by init (its parent, `timeout`, was killed with it). */
function dead(pid: number): boolean {
  const state = stateOf(pid);
  return state === null || state === 'Z' || state === 'X';
}

function stateOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? null;
  } catch {
    return null;
  }
}

describe('the installed hook command ends within 2 s in every case', () => {
  it('is wrapped in an absolute `timeout -s KILL`', () => {
    const command = installedCommand(path.join(root, 'd0'));
    assert.match(command, new RegExp(`^/\\S*timeout -s KILL ${HOOK_KILL_AFTER_SECONDS} /`));
    assert.ok(HOOK_KILL_AFTER_SECONDS < BOUND_MS / 1000);
  });

  it('when the hook process is stopped (SIGSTOP) and can never run again', async () => {
    const command = installedCommand(path.join(root, 'd1'));
    const r = await runInstalled(command, post('b1'), { stop: true });
    assert.ok(r.stopped !== null, 'the hook process was found and stopped');
    // SIGKILL is delivered asynchronously: the process dies as soon as the kernel schedules it.
    for (let i = 0; i < 100 && !dead(r.stopped); i++) await new Promise((res) => setTimeout(res, 20));
    assert.ok(dead(r.stopped), `the stopped hook process was killed (${stateOf(r.stopped)})`);
    // Killed from outside: SIGKILL (timeout kills its process group, itself included).
    assert.ok(r.signal === 'SIGKILL' || r.code === 137, `killed: code ${r.code}, signal ${r.signal}`);
    assert.ok(r.ms < BOUND_MS, `ended after ${Math.round(r.ms)} ms`);
  });

  it('when the server accepts the connection and never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const dataDir = path.join(root, 'd2');
    fs.mkdirSync(dataDir);
    const port = (silent.address() as net.AddressInfo).port;
    fs.writeFileSync(path.join(dataDir, 'server.pid'), JSON.stringify({ pid: process.pid, host: '127.0.0.1', port, startedAt: new Date().toISOString() }));
    try {
      const r = await runInstalled(installedCommand(dataDir), post('b2'));
      assert.ok(r.ms < BOUND_MS, `ended after ${Math.round(r.ms)} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('with an unusable data directory, and with stdin left open', async () => {
    // A data directory that became a file after the hooks were installed (install-hooks refuses a file).
    const file = path.join(root, 'a-file');
    const commands = ['/proc/self/sb-bound', file].map((dataDir) => ({ dataDir, command: installedCommand(dataDir) }));
    fs.rmSync(file, { recursive: true, force: true });
    fs.writeFileSync(file, '');
    for (const { dataDir, command } of commands) {
      const r = await runInstalled(command, post('b3'));
      assert.ok(r.ms < BOUND_MS, `${dataDir}: ended after ${Math.round(r.ms)} ms`);
    }
    const r = await runInstalled(installedCommand(path.join(root, 'd3')), '{"session_id": "s", "hook_event_name": "PreTo', { keepStdinOpen: true });
    assert.ok(r.ms < BOUND_MS, `stdin open: ended after ${Math.round(r.ms)} ms`);
  });
});
