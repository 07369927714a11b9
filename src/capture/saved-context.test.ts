/**
 * Nothing lost to compaction: the hook's activity log, the context saved on
 * PreCompact, and the context handed back on SessionStart — through runHook
 * and through the `hook` CLI command (stdout JSON, reflection stored).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerHookCommand } from '../cli/commands/hook.js';
import { createCliContext } from '../cli/context.js';
import { writeHandoff } from '../session/handoff.js';
import { createTestApp } from '../testing/harness.js';
import { runHook } from './hook-runner.js';
import { MAX_START_CONTEXT_CHARS } from './saved-context.js';
import { summariseActivity } from './session-activity.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-saved-context-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);

describe('activity summary', () => {
  it('counts calls and failures per skill, files most recent first, failures per error class', () => {
    const s = summariseActivity([
      { at: 3, tool: 'Edit', skill: 'Edit', ok: true, error_type: null, files: ['src/a.ts'] },
      { at: 1, tool: 'Read', skill: 'Read', ok: true, error_type: null, files: ['README.md', 'src/a.ts'] },
      { at: 5, tool: 'Bash', skill: 'Bash', ok: false, error_type: 'timeout', files: [] },
      { at: 7, tool: 'Edit', skill: 'Edit', ok: false, error_type: 'not_found', files: ['src/b.ts'] },
      { at: 9, tool: 'Bash', skill: 'Bash', ok: false, error_type: 'timeout', files: [] },
    ]);
    assert.equal(s.calls, 5);
    assert.equal(s.failures, 3);
    assert.deepEqual(s.skills, [
      { skill: 'Bash', calls: 2, failures: 2 },
      { skill: 'Edit', calls: 2, failures: 1 },
      { skill: 'Read', calls: 1, failures: 0 },
    ]);
    assert.deepEqual(s.files, [
      { path: 'src/b.ts', calls: 1 },
      { path: 'src/a.ts', calls: 2 },
      { path: 'README.md', calls: 1 },
    ]);
    assert.deepEqual(s.errors, [
      { error_type: 'timeout', count: 2 },
      { error_type: 'not_found', count: 1 },
    ]);
    assert.deepEqual([s.firstAt, s.lastAt], [1, 9]);
  });
});

describe('PreCompact saves the session; SessionStart hands it back', () => {
  const dataDir = path.join(scratch, 'data');
  const project = fs.mkdtempSync(path.join(scratch, 'shop-'));
  const realProject = fs.realpathSync(project);
  const sid = 'cc-session-42';
  const stdinOf = (v: unknown) => Readable.from([Buffer.from(JSON.stringify(v))]);
  const ev = (name: string, extra: Record<string, unknown> = {}) => ({ session_id: sid, cwd: project, hook_event_name: name, ...extra });
  const hook = (payload: unknown, at: number) => runHook({ stdin: stdinOf(payload), dataDir, userId: 'alice', url: null, now: () => at });

  it('keeps every finished tool call in the activity log and saves it on PreCompact with the last checkpoint', async () => {
    const calls: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
      ['t1', 'Read', { file_path: `${project}/README.md` }, {}],
      ['t2', 'Edit', { file_path: `${project}/src/cart.ts`, old_string: 'a', new_string: 'b' }, {}],
      ['t3', 'Bash', { command: 'npm test' }, { hook_event_name: 'PostToolUseFailure', error: 'Command timed out after 2m' }],
      ['t4', 'Edit', { file_path: `${project}/src/cart.ts` }, { tool_response: { success: false, error: 'File does not exist' } }],
    ];
    let at = T0;
    for (const [id, tool, input, post] of calls) {
      await hook(ev('PreToolUse', { tool_name: tool, tool_input: input, tool_use_id: id }), (at += 1000));
      await hook(ev('PostToolUse', { tool_name: tool, tool_input: input, tool_use_id: id, ...post }), (at += 1000));
    }
    // The session manager's state for this directory: its last checkpoint and findings.
    fs.mkdirSync(path.join(dataDir, 'sessions'), { recursive: true });
    fs.writeFileSync(
      path.join(dataDir, 'sessions', 'state.json'),
      JSON.stringify({
        version: 1,
        current: 'sb-1',
        sessions: [
          {
            id: 'sb-1',
            workingDirectory: realProject,
            startedAt: '2026-03-01T08:00:00.000Z',
            endedAt: null,
            checkpoints: [{ at: '2026-03-01T08:30:00.000Z', total: 71.5, findings: ['Add a lint configuration'] }],
          },
        ],
      }),
    );

    const r = await hook(ev('PreCompact', { trigger: 'auto', transcript_path: '/nowhere.jsonl' }), T0 + 60_000);
    assert.equal(r.event, 'PreCompact');
    assert.equal(r.outcome, 'nothing');
    const saved = r.saved!;
    assert.equal(saved.trigger, 'auto');
    assert.equal(saved.activity.calls, 4);
    assert.equal(saved.activity.failures, 2);
    assert.deepEqual(saved.activity.errors, [
      { error_type: 'not_found', count: 1 },
      { error_type: 'timeout', count: 1 },
    ]);
    assert.deepEqual(
      saved.activity.files.map((f) => [f.path, f.calls]),
      [
        [`${project}/src/cart.ts`, 2],
        [`${project}/README.md`, 1],
      ],
    );
    assert.deepEqual(saved.last_checkpoint, { at: '2026-03-01T08:30:00.000Z', total: 71.5, findings: ['Add a lint configuration'] });
    const md = saved.markdown;
    assert.match(md, /^# Saved before compaction — shop-\w+ \(auto, 2026-03-01T09:01:00\.000Z\)/);
    // Calls are logged when they finish: the first Post came at T0 + 2 s.
    assert.match(md, /4 tool calls since 2026-03-01T09:00:02\.000Z, 2 failed\./);
    assert.match(md, /- Edit: 2 calls, 1 failed\n/);
    assert.match(md, /- Bash: 1 call, 1 failed\n/);
    assert.match(md, /## Failures by error class\n\n- not_found: 1\n- timeout: 1/);
    assert.match(md, /Quality Score V2 71\.5 at 2026-03-01T08:30:00\.000Z\.\n- Add a lint configuration/);
    const files = fs.readdirSync(path.join(dataDir, 'contexts', sid));
    assert.deepEqual(files, [`${T0 + 60_000}.json`]);
  });

  it('SessionStart after the compaction returns the saved context; a fresh start returns only the handoff', async () => {
    const none = await hook(ev('SessionStart', { source: 'startup' }), T0 + 70_000);
    assert.equal(none.additionalContext, undefined); // no handoff yet, and a startup does not replay the saved context

    const compact = await hook(ev('SessionStart', { source: 'compact' }), T0 + 70_000);
    assert.match(compact.additionalContext!, /^Session Buddy saved this before the conversation was compacted:\n\n# Saved before compaction/);

    writeHandoff(dataDir, {
      version: 1,
      sessionId: 'sb-0',
      project: 'shop',
      projectTypes: [],
      workingDirectory: realProject,
      startedAt: '2026-02-28T08:00:00.000Z',
      endedAt: '2026-02-28T10:00:00.000Z',
      git: { isRepo: false, branch: null, headAtStart: null, headAtEnd: null },
      quality: { start: 60, end: 65, delta: 5, maturity: 'developing' },
      dimensions: [],
      commits: null,
      uncommittedChanges: null,
      workNote: 'not a git repository',
      checkpoints: 1,
      sessionMetrics: null,
      sessionMetricsNote: 'none',
      openRecommendations: [],
    });
    const fresh = await hook(ev('SessionStart', { source: 'startup' }), T0 + 80_000);
    assert.match(fresh.additionalContext!, /^Session Buddy handoff from the previous session in this directory \(ended 2026-02-28T10:00:00\.000Z\):/);
    assert.doesNotMatch(fresh.additionalContext!, /Saved before compaction/);
    const both = await hook(ev('SessionStart', { source: 'compact' }), T0 + 80_000);
    assert.match(both.additionalContext!, /# Saved before compaction[\s\S]*\n---\n[\s\S]*handoff from the previous session/);
    assert.ok(both.additionalContext!.length <= MAX_START_CONTEXT_CHARS);
  });

  it('an unknown directory or an unwritable data directory loses only the extra, never fails', async () => {
    const r = await hook({ session_id: 'x', cwd: path.join(scratch, 'missing'), hook_event_name: 'SessionStart', source: 'resume' }, T0);
    assert.equal(r.outcome, 'nothing');
    assert.equal(r.additionalContext, undefined);
    const file = path.join(scratch, 'a-file');
    fs.writeFileSync(file, 'x');
    const bad = await runHook({ stdin: stdinOf(ev('PreCompact', { trigger: 'manual' })), dataDir: path.join(file, 'data'), userId: 'a', url: null });
    assert.equal(bad.event, 'PreCompact');
    assert.equal(bad.saved, undefined);
  });
});

describe('the hook command', () => {
  it('prints the documented SessionStart output and stores the PreCompact context as a reflection', async () => {
    const app = createTestApp({ now: () => T0 });
    const project = fs.mkdtempSync(path.join(scratch, 'cli-'));
    try {
      const run = async (payload: unknown) => {
        const out: string[] = [];
        const ctx = createCliContext({
          env: { HOME: path.join(scratch, 'home') },
          cwd: project,
          stdout: { write: (s: string) => out.push(s) },
          stderr: { write: () => undefined },
          stdin: Readable.from([Buffer.from(JSON.stringify(payload))]),
          binPath: 'session-buddy',
        });
        const program = new Command('session-buddy').option('--data-dir <dir>').exitOverride();
        registerHookCommand(program, ctx);
        await program.parseAsync(['--data-dir', app.dir, 'hook'], { from: 'user' });
        return out.join('');
      };
      const base = { session_id: 'cli-1', cwd: project };
      const input = { file_path: `${project}/lib/pay.ts` };
      await run({ ...base, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: input, tool_use_id: 'w1' });
      await run({ ...base, hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: input, tool_use_id: 'w1' });
      assert.equal(await run({ ...base, hook_event_name: 'PreCompact', trigger: 'manual' }), ''); // PreCompact prints nothing

      const hits = await app.reflections.search({ query: 'compaction pay' });
      assert.equal(hits.results.length, 1);
      assert.equal(hits.results[0]!.kind, 'precompact');
      assert.deepEqual(hits.results[0]!.files, [`${project}/lib/pay.ts`]);

      const out = await run({ ...base, hook_event_name: 'SessionStart', source: 'compact' });
      const parsed = JSON.parse(out) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
      assert.equal(parsed.hookSpecificOutput.hookEventName, 'SessionStart');
      assert.match(parsed.hookSpecificOutput.additionalContext, /- Write: 1 call\n/);
      assert.equal(await run({ ...base, hook_event_name: 'SessionStart', source: 'startup' }), ''); // nothing to hand over
    } finally {
      await app.dispose();
    }
  });
});
