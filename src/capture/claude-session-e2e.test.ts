/**
 * A real Claude Code session, played end to end as a user would have it:
 * `install-hooks --write` and `mcp-config` run with a fresh HOME (default data
 * directory, nothing pinned by hand), then every hook event is fed to the very
 * command written into ~/.claude/settings.json, through /bin/sh, from a
 * project directory outside the clone, with a PATH that lacks node and the
 * project. Payloads carry the fields Claude Code documents. Once with the
 * server up (hooks POST), once with it down (hooks spool; the next start
 * ingests the spool). Then the MCP tools, /metrics and the dashboard's live
 * snapshot must show exactly those calls with the durations that were sent,
 * and the project directory must hold nothing of ours.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import WebSocket from 'ws';
import { findTimeoutCommand, HOOK_KILL_AFTER_SECONDS } from './entry-command.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-claude-session-'));
const HOME = path.join(root, 'home');
const PROJECT = path.join(root, 'work', 'shop');
fs.mkdirSync(HOME, { recursive: true });
fs.mkdirSync(PROJECT, { recursive: true });
/** What a hook gets: no node, no clone on PATH. */
const HOOK_ENV = { PATH: '/usr/bin:/bin', HOME };
const DATA_DIR = path.join(HOME, '.session-buddy');

let server: ChildProcess | null = null;
after(async () => {
  await stopServer();
  fs.rmSync(root, { recursive: true, force: true });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT, env: { ...HOOK_ENV, SESSION_BUDDY_AUDIT: 'off' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function startServer(): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'start', '--foreground', '--port', '0', '--log-level', 'info'], {
    cwd: PROJECT,
    env: { ...HOOK_ENV, SESSION_BUDDY_AUDIT: 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server = child;
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

async function stopServer(): Promise<void> {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

type Settings = { hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ command: string; async?: boolean }> }>> };

/** Runs the hook command installed for `event`, as Claude Code does: through the shell, payload on stdin. */
function fire(settings: Settings, payload: Record<string, unknown>): void {
  const event = payload.hook_event_name as string;
  const command = settings.hooks[event]![0]!.hooks[0]!.command;
  const r = spawnSync('/bin/sh', ['-c', command], { cwd: PROJECT, env: HOOK_ENV, input: JSON.stringify(payload), encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${event}: exit ${r.status} ${r.stderr}`);
  assert.equal(r.stdout, '', `${event} printed on stdout`);
}

interface Call {
  tool: string;
  input: Record<string, unknown>;
  response?: unknown;
  error?: string;
  duration: number;
}

/** One session: SessionStart, Pre/Post for every call (PostToolUseFailure when `error`), Stop, SessionEnd. */
function playSession(settings: Settings, sessionId: string, calls: Call[], opts: { end?: boolean } = {}): void {
  const common = {
    session_id: sessionId,
    transcript_path: path.join(HOME, '.claude', 'projects', '-work-shop', `${sessionId}.jsonl`),
    cwd: PROJECT,
    permission_mode: 'default',
  };
  fire(settings, { ...common, hook_event_name: 'SessionStart', source: 'startup', model: 'claude-sonnet-4-5' });
  calls.forEach((c, i) => {
    const tool = { tool_name: c.tool, tool_input: c.input, tool_use_id: `toolu_${sessionId}_${i}` };
    fire(settings, { ...common, hook_event_name: 'PreToolUse', ...tool });
    if (c.error !== undefined) {
      fire(settings, { ...common, hook_event_name: 'PostToolUseFailure', ...tool, error: c.error, is_interrupt: false, duration_ms: c.duration });
    } else {
      fire(settings, { ...common, hook_event_name: 'PostToolUse', ...tool, tool_response: c.response ?? {}, duration_ms: c.duration });
    }
  });
  fire(settings, { ...common, hook_event_name: 'Stop', stop_hook_active: false });
  if (opts.end !== false) endSession(settings, sessionId);
}

function endSession(settings: Settings, sessionId: string): void {
  fire(settings, { session_id: sessionId, cwd: PROJECT, hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' });
}

function session(durations: { read: number; bash: number; fail: number; skill: number; task: number; mcp: number }): Call[] {
  return [
    {
      tool: 'Read',
      input: { file_path: `${PROJECT}/src/cart.ts` },
      response: { type: 'text', file: { filePath: `${PROJECT}/src/cart.ts`, content: '…' } },
      duration: durations.read,
    },
    {
      tool: 'Bash',
      input: { command: 'npm test', description: 'Run tests' },
      response: { stdout: 'ok', stderr: '', interrupted: false },
      duration: durations.bash,
    },
    { tool: 'Bash', input: { command: 'npm run lint' }, error: 'Command exited with non-zero status code 1', duration: durations.fail },
    { tool: 'Skill', input: { skill: 'code-review' }, response: { success: true, commandName: 'code-review' }, duration: durations.skill },
    {
      tool: 'Task',
      input: { description: 'Find callers', prompt: '…', subagent_type: 'Explore' },
      response: { content: [{ type: 'text', text: 'done' }] },
      duration: durations.task,
    },
    { tool: 'mcp__github__create_issue', input: { title: 'Cart total is off' }, response: [{ type: 'text', text: '{"number":7}' }], duration: durations.mcp },
  ];
}

async function mcpTopSkills(baseUrl: string) {
  const client = new Client({ name: 'claude-session-e2e', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`));
  await client.connect(transport);
  try {
    const r = await client.callTool({ name: 'get_real_time_metrics', arguments: { limit: 20, time_window_hours: 24 } });
    assert.ok(!r.isError, JSON.stringify(r.content));
    return (r.structuredContent as { top_skills: Array<{ skill_name: string; invocations: number; successes: number; avg_duration_ms: number }> }).top_skills;
  } finally {
    await transport.terminateSession().catch(() => {});
    await client.close();
  }
}

async function dashboardSnapshot(baseUrl: string): Promise<Array<{ skill_name: string; invocations: number; avg_duration_ms: number }>> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  try {
    return await new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'subscribe', skills: '*', channels: ['snapshot'] })));
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as { type: string; top_skills?: Array<{ skill_name: string; invocations: number; avg_duration_ms: number }> };
        if (msg.type === 'snapshot' && msg.top_skills && msg.top_skills.length > 0) resolve(msg.top_skills);
      });
    });
  } finally {
    ws.close();
  }
}

/** skill_invocations_total summed per skill from the Prometheus text. */
async function metricsTotals(baseUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^skill_invocations_total\{([^}]*)\} (\d+)/gm)) {
    const skill = /skill_name="([^"]*)"/.exec(m[1]!)![1]!;
    out[skill] = (out[skill] ?? 0) + Number(m[2]);
  }
  return out;
}

/** Polls until `check` passes (the server ingests the spool and refreshes totals in the background). */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => void, what: string): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 300; i++) {
    const v = await read();
    try {
      check(v);
      return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} never matched: ${(last as Error).message}`);
}

const bySkill = <T extends { skill_name: string }>(rows: T[]) => Object.fromEntries(rows.map((r) => [r.skill_name, r]));

describe('a Claude Code session played through the installed commands', () => {
  it('is recorded with the sent durations, server up (POST) and down (spool), and shows in MCP, /metrics and the dashboard', { timeout: 300_000 }, async () => {
    const installed = cli(['install-hooks', '--write']);
    assert.match(installed, /settings\.json: created; added PreToolUse, PostToolUse, PostToolUseFailure, SessionStart, Stop, SessionEnd/);
    const settings = JSON.parse(fs.readFileSync(path.join(HOME, '.claude', 'settings.json'), 'utf8')) as Settings;
    const command = settings.hooks.PostToolUse![0]!.hooks[0]!.command;
    const killer = findTimeoutCommand(undefined);
    assert.equal(
      command,
      `${killer ? `${killer} -s KILL ${HOOK_KILL_AFTER_SECONDS} ` : ''}${process.execPath} ${fs.realpathSync(BIN)} --data-dir ${DATA_DIR} hook${killer ? ' --no-watchdog' : ''}`,
    );
    assert.doesNotMatch(cli(['mcp-config']), /npx/);

    // 1. Server up: hooks POST to it.
    let url = await startServer();
    playSession(settings, 'sess-up-1', session({ read: 4, bash: 1520, fail: 37, skill: 250, task: 8000, mcp: 620 }));
    // Posted (or, when the loaded server misses the hook's 300 ms timeout, spooled and drained by the server).
    await eventually(
      () => mcpTopSkills(url),
      (top) =>
        assert.deepEqual(Object.fromEntries(top.map((v) => [v.skill_name, [v.invocations, v.successes, v.avg_duration_ms]])), {
          Read: [1, 1, 4],
          Bash: [2, 1, 778.5], // (1520 + 37) / 2; the lint run failed
          'skill:code-review': [1, 1, 250],
          'agent:Explore': [1, 1, 8000],
          mcp__github__create_issue: [1, 1, 620],
        }),
      'MCP get_real_time_metrics (server up)',
    );

    // 2. Server down: the same hooks spool; the next start ingests the spool exactly once.
    // (SessionEnd comes after the restart: without a server it would ingest the small spool itself.)
    await stopServer();
    playSession(settings, 'sess-down-2', session({ read: 6, bash: 1480, fail: 43, skill: 350, task: 12000, mcp: 380 }), { end: false });
    const spool = fs.readFileSync(path.join(DATA_DIR, 'spool.jsonl'), 'utf8');
    assert.equal(spool.trim().split('\n').length, 6);
    assert.doesNotMatch(spool, new RegExp(os.userInfo().username === 'root' ? '"user_id":"root"' : os.userInfo().username), 'raw user id on disk');
    url = await startServer();
    endSession(settings, 'sess-down-2');

    const expected = {
      Read: [2, 2, 5], // (4 + 6) / 2
      Bash: [4, 2, 770], // (1520 + 37 + 1480 + 43) / 4
      'skill:code-review': [2, 2, 300],
      'agent:Explore': [2, 2, 10000],
      mcp__github__create_issue: [2, 2, 500],
    };
    await eventually(
      () => mcpTopSkills(url),
      (top) => assert.deepEqual(Object.fromEntries(top.map((v) => [v.skill_name, [v.invocations, v.successes, v.avg_duration_ms]])), expected),
      'MCP get_real_time_metrics',
    );
    await eventually(
      () => metricsTotals(url),
      (totals) => assert.deepEqual(totals, { Read: 2, Bash: 4, 'skill:code-review': 2, 'agent:Explore': 2, mcp__github__create_issue: 2 }),
      '/metrics skill_invocations_total',
    );
    const snapshot = bySkill(await dashboardSnapshot(url));
    assert.deepEqual(
      Object.fromEntries(Object.entries(snapshot).map(([k, v]) => [k, [v.invocations, v.avg_duration_ms]])),
      Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, [v[0], v[2]]])),
    );
    assert.equal(fs.existsSync(path.join(DATA_DIR, 'spool.jsonl')), false, 'spool ingested');
    await stopServer();

    // Nothing of ours in the user's project.
    assert.deepEqual(fs.readdirSync(PROJECT), []);
  });
});
