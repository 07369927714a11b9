/**
 * End to end with the real app: hook capture through the HTTP ingest
 * endpoint, spooling while the server is down, draining into the real
 * tracker exactly once, transcript import idempotency, and the CLI commands.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { createCliContext } from '../cli/context.js';
import { registerHookCommand } from '../cli/commands/hook.js';
import { registerImportCommand } from '../cli/commands/import.js';
import { registerInstallHooksCommand } from '../cli/commands/install-hooks.js';
import { registerMcpConfigCommand } from '../cli/commands/mcp-config.js';
import { startHttpServer, type RunningHttpServer } from '../server/http-server.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { invocationsUrl, runHook } from './hook-runner.js';
import { appendToSpool, drainSpool, spoolPath } from './spool.js';
import { importTranscripts } from './transcript-import.js';
import { findTimeoutCommand, HOOK_KILL_AFTER_SECONDS } from './entry-command.js';
import type { CapturedInvocation } from './types.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const SID = 'e2e-session-0001';

let app: TestApp;
let server: RunningHttpServer;
let liveUrl = '';
let deadUrl = '';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-capture-e2e-'));

before(async () => {
  app = createTestApp({ now: () => NOW });
  server = await startHttpServer(app);
  liveUrl = invocationsUrl(server.host, server.port);
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadUrl = invocationsUrl('127.0.0.1', (probe.address() as AddressInfo).port);
  await new Promise<void>((r) => probe.close(() => r()));
});

after(async () => {
  await server.close();
  await app.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const record = (inputs: CapturedInvocation[]) => app.tracker.trackBatch(inputs);
const rows = async () => (await app.store.stats()).rows.skill_invocations ?? 0;
const stdinOf = (v: unknown) => Readable.from([Buffer.from(JSON.stringify(v))]);
const hookEvent = (name: string, id: string, extra: Record<string, unknown> = {}) => ({
  session_id: SID,
  transcript_path: `/home/u/.claude/projects/-home-u-shop/${SID}.jsonl`,
  cwd: '/home/u/shop',
  permission_mode: 'default',
  hook_event_name: name,
  tool_name: 'Bash',
  tool_input: { command: 'npm test' },
  tool_use_id: id,
  ...extra,
});

async function call(url: string | null, id: string, post: Record<string, unknown>, start: number, end: number) {
  // A generous POST timeout: on a loaded machine the hook's 300 ms would turn 'posted' into 'spooled'.
  const base = { dataDir: app.dir, userId: 'alice', url, postTimeoutMs: 30_000 };
  await runHook({ ...base, stdin: stdinOf(hookEvent('PreToolUse', id)), now: () => start });
  return runHook({ ...base, stdin: stdinOf(hookEvent(post.hook_event_name as string, id, post)), now: () => end });
}

describe('hook capture with the real tracker', () => {
  it('spools while the server is down and drains exactly once', async () => {
    const before = await rows();
    const a = await call(
      deadUrl,
      'toolu_e1',
      { hook_event_name: 'PostToolUse', tool_response: { stdout: 'ok', stderr: '', interrupted: false } },
      T0,
      T0 + 1500,
    );
    const b = await call(
      deadUrl,
      'toolu_e2',
      { hook_event_name: 'PostToolUseFailure', error: 'Command exited with non-zero status code 1' },
      T0 + 2000,
      T0 + 2400,
    );
    assert.equal(a.outcome, 'spooled');
    assert.equal(b.outcome, 'spooled');
    assert.equal(await rows(), before);

    // A crash after recording but before deleting: the same lines get drained twice.
    const spooled = fs.readFileSync(spoolPath(app.dir), 'utf8');
    const first = await drainSpool(app.dir, record);
    assert.deepEqual(first, { files: 1, lines: 2, inserted: 2, duplicates: 0, rejected: 0 });
    fs.writeFileSync(spoolPath(app.dir), spooled);
    const second = await drainSpool(app.dir, record);
    assert.deepEqual(second, { files: 1, lines: 2, inserted: 0, duplicates: 2, rejected: 0 });
    assert.equal(await rows(), before + 2);

    const session = app.stores.sqlite!.db.prepare('SELECT invocations, successes FROM sessions WHERE session_key = ?').get(SID);
    assert.deepEqual(session, { invocations: 2, successes: 1 });
    const [bash] = await app.stores.analyticsQueries.skillTotals(['Bash']);
    assert.equal(bash?.durationSum, 1900); // 1500 + (2400 - 2000)
  });

  it('posts to the running server, which also takes the spool', async () => {
    const before = await rows();
    appendToSpool(app.dir, [
      {
        skill_name: 'Read',
        session_id: SID,
        user_id: 'alice',
        workflow_phase: 'planning',
        completed: true,
        duration_ms: 3,
        error_type: null,
        invoked_at: T0 + 3000,
        project: 'shop',
        agent: 'claude-code',
        metadata: { source: 'hook', tool: 'Read', timed: true },
        dedupe_key: `cc:toolu_e3`,
      },
    ]);
    const r = await call(
      liveUrl,
      'toolu_e4',
      { hook_event_name: 'PostToolUse', tool_name: 'Skill', tool_input: { skill: 'code-review' }, tool_response: {} },
      T0 + 4000,
      T0 + 4100,
    );
    assert.equal(r.outcome, 'posted');
    assert.equal(await rows(), before + 2); // the posted call plus the spooled one
    assert.equal(fs.existsSync(spoolPath(app.dir)), false);
  });

  it('posts more calls than the server takes in one request (1,000) in several, all recorded', async () => {
    const before = await rows();
    const sid = 'e2e-many-calls-0001';
    const base = { dataDir: app.dir, userId: 'alice', url: liveUrl, postTimeoutMs: 30_000 };
    const n = 2100;
    // Calls whose PostToolUse never came are flushed by the second Stop after them, all in one delivery.
    for (let i = 0; i < n; i++) {
      await runHook({ ...base, stdin: stdinOf(hookEvent('PreToolUse', `toolu_many_${i}`, { session_id: sid })), now: () => T0 });
    }
    await runHook({ ...base, stdin: stdinOf({ hook_event_name: 'Stop', session_id: sid }), now: () => T0 + 1000 });
    const r = await runHook({ ...base, stdin: stdinOf({ hook_event_name: 'Stop', session_id: sid }), now: () => T0 + 2000 });
    assert.equal(r.invocations, n);
    assert.equal(r.outcome, 'posted', r.reason);
    assert.equal(await rows(), before + n);
  });
});

describe('transcript import with the real tracker', () => {
  const dir = path.join(scratch, 'projects', '-home-u-shop');
  const line = (o: Record<string, unknown>) => JSON.stringify({ sessionId: SID, cwd: '/home/u/shop', version: '2.1.0', isSidechain: false, ...o });
  before(() => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${SID}.jsonl`);
    fs.writeFileSync(
      file,
      [
        line({ type: 'user', uuid: 'u0', timestamp: '2026-01-05T10:00:00.000Z', message: { role: 'user', content: 'go' } }),
        // toolu_e1 was captured by the hook already
        line({
          type: 'assistant',
          uuid: 'a1',
          timestamp: '2026-01-05T10:00:00.000Z',
          message: { id: 'm1', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_e1', name: 'Bash', input: { command: 'npm test' } }] },
        }),
        line({
          type: 'user',
          uuid: 'u1',
          timestamp: '2026-01-05T10:00:01.500Z',
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_e1', content: 'ok' }] },
        }),
        line({
          type: 'assistant',
          uuid: 'a2',
          timestamp: '2026-01-05T10:05:00.000Z',
          message: {
            id: 'm2',
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'toolu_t1', name: 'Grep', input: { pattern: 'x' } },
              { type: 'tool_use', id: 'toolu_t2', name: 'Write', input: { file_path: '/home/u/shop/README.md', content: '#' } },
            ],
          },
        }),
        line({
          type: 'user',
          uuid: 'u2',
          timestamp: '2026-01-05T10:05:00.250Z',
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_t1', content: 'a.ts' }] },
        }),
        line({
          type: 'user',
          uuid: 'u3',
          timestamp: '2026-01-05T10:05:01.000Z',
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_t2', content: 'EACCES: permission denied', is_error: true }] },
        }),
        'garbage {',
      ].join('\n'),
    );
    const old = new Date(NOW - 3_600_000);
    fs.utimesSync(file, old, old);
  });

  it('dedupes against hook capture, and a second import adds nothing', async () => {
    const before = await rows();
    const first = await importTranscripts(path.join(scratch, 'projects'), { userId: 'alice', record, now: NOW });
    const { files, lines, malformed, invocations, inserted, duplicates, rejected, pending, unreadable } = first;
    assert.deepEqual(
      { files, lines, malformed, invocations, inserted, duplicates, rejected, pending, unreadable },
      { files: 1, lines: 7, malformed: 1, invocations: 3, inserted: 2, duplicates: 1, rejected: 0, pending: 0, unreadable: 0 },
    );
    const second = await importTranscripts(path.join(scratch, 'projects'), { userId: 'alice', record, now: NOW });
    assert.equal(second.inserted, 0);
    assert.equal(second.duplicates, 3);
    assert.equal(await rows(), before + 2);
    const [write] = await app.stores.analyticsQueries.skillTotals(['Write']);
    assert.equal(write?.invocations, 1);
    assert.equal(write?.successes, 0);
  });
});

describe('CLI commands', () => {
  function cli(args: string[], stdin: NodeJS.ReadableStream = new PassThrough(), cwd = scratch) {
    const out: string[] = [];
    const err: string[] = [];
    const ctx = createCliContext({
      env: { HOME: path.join(scratch, 'home') },
      cwd,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      stdin,
      binPath: BIN,
    });
    const program = new Command('session-buddy').option('--data-dir <dir>').option('--log-level <level>').exitOverride();
    registerHookCommand(program, ctx);
    registerImportCommand(program, ctx);
    registerInstallHooksCommand(program, ctx);
    registerMcpConfigCommand(program, ctx);
    for (const sub of program.commands) sub.exitOverride();
    return program.parseAsync(['--data-dir', app.dir, ...args], { from: 'user' }).then(() => ({ out: out.join(''), err: err.join('') }));
  }

  it('import reports a summary; running it again adds nothing', async () => {
    const a = await cli(['import', path.join(scratch, 'projects'), '--json', '--user', 'alice']);
    const b = await cli(['import', path.join(scratch, 'projects'), '--json', '--user', 'alice']);
    assert.equal(JSON.parse(a.out).inserted, 0); // already imported above
    assert.equal(JSON.parse(a.out).duplicates, 3);
    assert.match(a.err, /malformed line skipped: .*e2e-session-0001\.jsonl:7: /);
    // The second run finds the file unchanged since the first (cursor) and reads nothing.
    assert.deepEqual([JSON.parse(b.out).unchanged, JSON.parse(b.out).bytes, JSON.parse(b.out).inserted], [1, 0, 0]);
    const text = await cli(['import', path.join(scratch, 'projects'), '--full']);
    assert.match(text.out, /imported 1 file\(s\), 7 line\(s\): 3 tool call\(s\), 0 new, 3 already recorded; 1 malformed line\(s\) skipped/);
  });

  it('hook prints nothing on stdout and, with no server running, spools and ingests at SessionEnd', async () => {
    const before = await rows();
    const run = (ev: unknown) => cli(['hook', '--user', 'alice'], stdinOf(ev));
    const pre = await run(hookEvent('PreToolUse', 'toolu_c1', { tool_name: 'Glob', tool_input: { pattern: '*' } }));
    const post = await run(hookEvent('PostToolUse', 'toolu_c1', { tool_name: 'Glob', tool_input: { pattern: '*' }, tool_response: {} }));
    assert.deepEqual([pre.out, post.out, pre.err, post.err], ['', '', '', '']);
    assert.ok(fs.existsSync(spoolPath(app.dir)), 'no pid file, so the call was spooled');
    await run({ session_id: SID, hook_event_name: 'SessionEnd', reason: 'exit', cwd: '/home/u/shop' });
    assert.equal(fs.existsSync(spoolPath(app.dir)), false);
    assert.equal(await rows(), before + 1);
    const garbage = await cli(['hook', '--verbose'], Readable.from([Buffer.from('nope')]));
    assert.equal(garbage.out, '');
    assert.match(garbage.err, /"outcome":"ignored"/);
  });

  it('install-hooks prints and writes absolute commands, to the user settings by default', async () => {
    const printed = JSON.parse((await cli(['install-hooks'])).out) as { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> };
    const command = printed.hooks.PreToolUse![0]!.hooks[0]!.command;
    const killer = findTimeoutCommand(undefined);
    assert.equal(
      command,
      `${killer ? `${killer} -s KILL ${HOOK_KILL_AFTER_SECONDS} ` : ''}${process.execPath} ${fs.realpathSync(BIN)} --data-dir ${app.dir} hook${killer ? ' --no-watchdog' : ''}`,
    );
    const userFile = path.join(scratch, 'home', '.claude', 'settings.json');
    const w0 = await cli(['install-hooks', '--write']);
    assert.match(w0.out, /created; added PreToolUse, PostToolUse, PostToolUseFailure, SessionStart, Stop, SessionEnd/);
    assert.ok(w0.out.startsWith(userFile));
    const proj = path.join(scratch, 'proj');
    fs.mkdirSync(path.join(proj, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(proj, '.claude', 'settings.json'), JSON.stringify({ model: 'opus' }));
    const w1 = await cli(['install-hooks', '--write', '--project'], new PassThrough(), proj);
    assert.match(w1.out, /updated; added PreToolUse, PostToolUse, PostToolUseFailure, SessionStart, Stop, SessionEnd/);
    const w2 = await cli(['install-hooks', '--write', '--project'], new PassThrough(), proj);
    assert.match(w2.out, /already installed, nothing changed/);
    const settings = JSON.parse(fs.readFileSync(path.join(proj, '.claude', 'settings.json'), 'utf8')) as { model: string };
    assert.equal(settings.model, 'opus');
  });

  it('mcp-config prints stdio and HTTP registrations', async () => {
    const text = (await cli(['mcp-config'])).out;
    assert.ok(text.includes(`claude mcp add --scope user session-buddy -- ${process.execPath} ${fs.realpathSync(BIN)} --data-dir ${app.dir} mcp\n`), text);
    assert.match(text, /^claude mcp add --scope user --transport http session-buddy http:\/\/127\.0\.0\.1:8678\/mcp$/m);
    assert.doesNotMatch(text, /npx/);
    const json = JSON.parse((await cli(['mcp-config', '--json'])).out) as { http: { mcpServers: Record<string, { type: string }> } };
    assert.equal(json.http.mcpServers['session-buddy']?.type, 'http');
  });
});
