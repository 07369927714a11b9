import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { hooksStateDir, parseHookEvent, processHookEvent, responseFailure, sweepStaleState, type HookEvent } from './hook-event.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-hook-event-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(root, `d${n++}`);

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0); // 2026-01-05T10:00:00Z

function ev(fields: Record<string, unknown>): HookEvent {
  const e = parseHookEvent({
    session_id: 'sess-1',
    transcript_path: '/home/u/.claude/projects/-home-u-shop/sess-1.jsonl',
    cwd: '/home/u/shop',
    permission_mode: 'default',
    ...fields,
  });
  assert.ok(e, 'event should parse');
  return e;
}

describe('parseHookEvent', () => {
  it('reads the documented fields', () => {
    const e = ev({
      hook_event_name: 'PostToolUseFailure',
      tool_name: 'Bash',
      tool_input: { command: 'npm test' },
      tool_use_id: 'toolu_01',
      error: 'Command exited with non-zero status code 1',
      is_interrupt: false,
    });
    assert.equal(e.event, 'PostToolUseFailure');
    assert.equal(e.sessionId, 'sess-1');
    assert.equal(e.cwd, '/home/u/shop');
    assert.equal(e.toolName, 'Bash');
    assert.deepEqual(e.toolInput, { command: 'npm test' });
    assert.equal(e.toolUseId, 'toolu_01');
    assert.equal(e.error, 'Command exited with non-zero status code 1');
    assert.equal(e.isInterrupt, false);
  });

  it('returns null for what it does not handle', () => {
    assert.equal(parseHookEvent(null), null);
    assert.equal(parseHookEvent([]), null);
    assert.equal(parseHookEvent({ hook_event_name: 'Notification', session_id: 's' }), null);
    assert.equal(parseHookEvent({ hook_event_name: 'PreToolUse', tool_name: 'Bash' }), null); // no session
    assert.equal(parseHookEvent({ hook_event_name: 'PreToolUse', session_id: 's' }), null); // no tool
    assert.ok(parseHookEvent({ hook_event_name: 'SessionStart', session_id: 's', source: 'startup' }));
  });
});

describe('responseFailure', () => {
  it('detects error flags in tool_response', () => {
    assert.deepEqual(responseFailure({ filePath: '/a', success: true }), { failed: false, errorType: null });
    assert.deepEqual(responseFailure('plain text'), { failed: false, errorType: null });
    assert.deepEqual(responseFailure({ stdout: '', stderr: '', interrupted: true }), { failed: true, errorType: 'interrupted' });
    assert.deepEqual(responseFailure({ is_error: true, content: 'Command timed out' }), { failed: true, errorType: 'timeout' });
    assert.deepEqual(responseFailure({ isError: true, content: [{ type: 'text', text: 'boom' }] }), { failed: true, errorType: 'tool_error' });
    assert.deepEqual(responseFailure({ error: 'ENOENT: no such file' }), { failed: true, errorType: 'not_found' });
    assert.deepEqual(responseFailure({ success: false }), { failed: true, errorType: 'tool_error' });
  });
});

describe('processHookEvent', () => {
  it("leaves a paired call's state to its caller until delivered; a hook killed before that leaves it for the next Stop, same dedupe key", () => {
    const dataDir = freshDir();
    const state = () => fs.readdirSync(path.join(hooksStateDir(dataDir), 'sess-1')).filter((f) => /\.(pre|post)\.json$/.test(f));
    const base = { tool_name: 'Bash', tool_input: { command: 'npm test' }, tool_use_id: 'toolu_K' };
    processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base }), { dataDir, userId: 'u', now: T0, settled: [] });
    const settled: string[] = [];
    const [paired] = processHookEvent(ev({ hook_event_name: 'PostToolUse', ...base, tool_response: { success: true }, duration_ms: 42 }), {
      dataDir,
      userId: 'u',
      now: T0 + 500,
      settled,
    });
    assert.equal(paired?.dedupe_key, 'cc:toolu_K');
    // Not removed yet: the caller removes them once the call is delivered.
    assert.equal(settled.length, 2);
    assert.deepEqual(state().sort(), ['toolu_K.post.json', 'toolu_K.pre.json']);
    // Killed before delivering: the session's next Stop (its first, here) records the call from the files.
    const stopSettled: string[] = [];
    const flushed = processHookEvent(ev({ hook_event_name: 'Stop' }), { dataDir, userId: 'u', now: T0 + 900, settled: stopSettled });
    assert.deepEqual(flushed, [paired]);
    assert.equal(stopSettled.length, 2);
    // Without a collector (as before), a paired call's files go at once.
    processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base, tool_use_id: 'toolu_L' }), { dataDir, userId: 'u', now: T0 });
    processHookEvent(ev({ hook_event_name: 'PostToolUse', ...base, tool_use_id: 'toolu_L', tool_response: {} }), { dataDir, userId: 'u', now: T0 + 1 });
    assert.ok(!state().some((f) => f.startsWith('toolu_L')));
  });

  it('pairs PreToolUse and PostToolUse by tool_use_id', () => {
    const dataDir = freshDir();
    const pre = ev({ hook_event_name: 'PreToolUse', tool_name: 'Skill', tool_input: { skill: 'code-review' }, tool_use_id: 'toolu_A' });
    assert.deepEqual(processHookEvent(pre, { dataDir, userId: 'alice', now: T0 }), []);
    assert.equal(fs.readdirSync(path.join(hooksStateDir(dataDir), 'sess-1')).filter((f) => f.endsWith('.pre.json')).length, 1);

    const post = ev({
      hook_event_name: 'PostToolUse',
      tool_name: 'Skill',
      tool_input: { skill: 'code-review' },
      tool_use_id: 'toolu_A',
      tool_response: { success: true },
    });
    const out = processHookEvent(post, { dataDir, userId: 'alice', now: T0 + 1234 });
    assert.deepEqual(out, [
      {
        skill_name: 'skill:code-review',
        session_id: 'sess-1',
        user_id: 'alice',
        workflow_phase: 'review',
        completed: true,
        duration_ms: 1234, // (T0 + 1234) - T0
        error_type: null,
        invoked_at: T0,
        project: 'shop',
        agent: 'claude-code',
        metadata: { source: 'hook', tool: 'Skill', duration_source: 'hook_gap' },
        dedupe_key: 'cc:toolu_A',
        trigger: 'model',
      },
    ]);
    // The pairing state is removed; the finished call stays in the session's activity log (for PreCompact),
    // the model activation in the slash-after-miss log.
    assert.deepEqual(fs.readdirSync(path.join(hooksStateDir(dataDir), 'sess-1')).sort(), ['activations.json', 'activity.jsonl'], 'state removed');
  });

  it('records PostToolUseFailure as a failure with a classified error', () => {
    const dataDir = freshDir();
    const base = { tool_name: 'Bash', tool_input: { command: 'npm test' }, tool_use_id: 'toolu_B' };
    processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base }), { dataDir, userId: 'u', now: T0 });
    const [inv] = processHookEvent(ev({ hook_event_name: 'PostToolUseFailure', ...base, error: 'Command exited with non-zero status code 1' }), {
      dataDir,
      userId: 'u',
      now: T0 + 500,
    });
    assert.equal(inv?.completed, false);
    assert.equal(inv?.error_type, 'nonzero_exit');
    assert.equal(inv?.workflow_phase, 'testing');
    assert.equal(inv?.duration_ms, 500); // T0+500 - T0
    processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base, tool_use_id: 'toolu_C' }), { dataDir, userId: 'u', now: T0 });
    const [interrupted] = processHookEvent(ev({ hook_event_name: 'PostToolUseFailure', ...base, tool_use_id: 'toolu_C', error: 'x', is_interrupt: true }), {
      dataDir,
      userId: 'u',
      now: T0,
    });
    assert.equal(interrupted?.error_type, 'interrupted');
  });

  it('pairs in either order: a Post that arrives first waits for its Pre', () => {
    const dataDir = freshDir();
    const base = { tool_name: 'mcp__github__create_issue', tool_input: { title: 't' }, tool_use_id: 'toolu_D' };
    // async hooks: the Post process got there before the Pre process
    assert.deepEqual(processHookEvent(ev({ hook_event_name: 'PostToolUse', ...base, tool_response: [] }), { dataDir, userId: 'u', now: T0 + 900 }), []);
    const [inv] = processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base }), { dataDir, userId: 'u', now: T0 });
    assert.equal(inv?.skill_name, 'mcp__github__create_issue');
    assert.equal(inv?.completed, true);
    assert.equal(inv?.duration_ms, 900); // (T0 + 900) - T0
    assert.equal(inv?.invoked_at, T0);
    assert.deepEqual(inv?.metadata, { source: 'hook', tool: 'mcp__github__create_issue', duration_source: 'hook_gap' });
    assert.deepEqual(fs.readdirSync(path.join(hooksStateDir(dataDir), 'sess-1')), ['activity.jsonl']);
  });

  it('uses the duration_ms Claude Code sends, not the gap between the hook processes', () => {
    const dataDir = freshDir();
    const base = { tool_name: 'Read', tool_input: { file_path: '/a.ts' }, tool_use_id: 'toolu_R' };
    processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base }), { dataDir, userId: 'u', now: T0 });
    const [inv] = processHookEvent(ev({ hook_event_name: 'PostToolUse', ...base, tool_response: {}, duration_ms: 4 }), { dataDir, userId: 'u', now: T0 + 279 });
    assert.equal(inv?.duration_ms, 4); // sent, although the hooks started 279 ms apart
    assert.equal(inv?.invoked_at, T0);
    assert.equal(inv?.metadata.duration_source, 'claude_code');
    // PostToolUseFailure carries it too
    processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base, tool_use_id: 'toolu_S' }), { dataDir, userId: 'u', now: T0 });
    const [failed] = processHookEvent(ev({ hook_event_name: 'PostToolUseFailure', ...base, tool_use_id: 'toolu_S', error: 'x', duration_ms: 12.6 }), {
      dataDir,
      userId: 'u',
      now: T0 + 900,
    });
    assert.equal(failed?.duration_ms, 13); // 12.6 rounded
    assert.equal(failed?.metadata.duration_source, 'claude_code');
  });

  it('never turns the Post-before-Pre race into a measured 0 ms', () => {
    const dataDir = freshDir();
    const base = { tool_name: 'Edit', tool_input: { file_path: '/a.ts' } };
    // async hooks: the Post process started 30 ms before the Pre process
    processHookEvent(ev({ hook_event_name: 'PostToolUse', ...base, tool_use_id: 'toolu_P', tool_response: {} }), { dataDir, userId: 'u', now: T0 });
    const [race] = processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base, tool_use_id: 'toolu_P' }), { dataDir, userId: 'u', now: T0 + 30 });
    assert.equal(race?.metadata.duration_source, 'unknown');
    // With duration_ms the race does not matter
    processHookEvent(ev({ hook_event_name: 'PostToolUse', ...base, tool_use_id: 'toolu_Q', tool_response: {}, duration_ms: 61 }), {
      dataDir,
      userId: 'u',
      now: T0,
    });
    const [timed] = processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base, tool_use_id: 'toolu_Q' }), { dataDir, userId: 'u', now: T0 + 30 });
    assert.equal(timed?.duration_ms, 61);
    assert.equal(timed?.metadata.duration_source, 'claude_code');
  });

  it('pairs by tool name + input hash when there is no tool_use_id', () => {
    const dataDir = freshDir();
    const base = { tool_name: 'Read', tool_input: { file_path: '/a.ts' } };
    processHookEvent(ev({ hook_event_name: 'PreToolUse', ...base }), { dataDir, userId: 'u', now: T0 });
    const [inv] = processHookEvent(ev({ hook_event_name: 'PostToolUse', ...base, tool_response: {} }), { dataDir, userId: 'u', now: T0 + 40 });
    assert.equal(inv?.duration_ms, 40); // T0+40 - T0
    assert.match(inv?.dedupe_key ?? '', /^cc:sess-1:h-[0-9a-f]{24}:\d+$/);
    assert.ok(inv?.dedupe_key.endsWith(`:${T0}`), 'keyed by the Pre start time');
  });

  it('records calls still unmatched one turn later: Pre only as no_result, Post only untimed', () => {
    const dataDir = freshDir();
    const ctx = (now: number) => ({ dataDir, userId: 'u', now });
    processHookEvent(ev({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'make' }, tool_use_id: 'toolu_E' }), ctx(T0));
    processHookEvent(ev({ hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: {}, tool_use_id: 'toolu_F', tool_response: {} }), ctx(T0 + 10));
    // First Stop: the Post of toolu_E might still be on its way, so nothing is flushed yet.
    assert.deepEqual(processHookEvent(ev({ hook_event_name: 'Stop', stop_hook_active: false }), ctx(T0 + 3000)), []);
    // A call of the next turn, after that Stop
    processHookEvent(ev({ hook_event_name: 'PreToolUse', tool_name: 'Grep', tool_input: {}, tool_use_id: 'toolu_G' }), ctx(T0 + 50_000));

    const flushed = processHookEvent(ev({ hook_event_name: 'Stop' }), ctx(T0 + 60_000));
    const byKey = new Map(flushed.map((i) => [i.dedupe_key, i]));
    assert.equal(flushed.length, 2); // E and F started before the previous Stop (T0+3000); G did not
    const e = byKey.get('cc:toolu_E');
    assert.equal(e?.completed, false);
    assert.equal(e?.error_type, 'no_result');
    assert.equal(e?.duration_ms, 0);
    assert.equal(e?.invoked_at, T0);
    const f = byKey.get('cc:toolu_F');
    assert.equal(f?.completed, true);
    assert.equal(f?.duration_ms, 0);
    assert.equal(f?.invoked_at, T0 + 10);
    assert.equal(f?.metadata.duration_source, 'unknown');

    // SessionEnd flushes what predates the last Stop (T0+60000): toolu_G
    const atEnd = processHookEvent(ev({ hook_event_name: 'SessionEnd', reason: 'exit' }), ctx(T0 + 70_000));
    assert.deepEqual(
      atEnd.map((i) => i.dedupe_key),
      ['cc:toolu_G'],
    );
    assert.deepEqual(fs.readdirSync(path.join(hooksStateDir(dataDir), 'sess-1')).sort(), ['activations.json', 'activity.jsonl', 'last-stop.json']);
  });

  it('hashes session ids that are not safe file names', () => {
    const dataDir = freshDir();
    const e = parseHookEvent({ hook_event_name: 'PreToolUse', session_id: '../../etc', tool_name: 'Read', tool_input: {}, tool_use_id: 'x/y' });
    assert.ok(e);
    processHookEvent(e, { dataDir, userId: 'u', now: T0 });
    const dirs = fs.readdirSync(hooksStateDir(dataDir));
    assert.equal(dirs.length, 1);
    assert.match(dirs[0]!, /^[0-9a-f]{40}$/);
  });
});

describe('sweepStaleState', () => {
  it('removes session directories older than the limit', () => {
    const dataDir = freshDir();
    const oldDir = path.join(hooksStateDir(dataDir), 'old');
    const newDir = path.join(hooksStateDir(dataDir), 'new');
    fs.mkdirSync(oldDir, { recursive: true });
    fs.mkdirSync(newDir, { recursive: true });
    const now = Date.now();
    const threeDaysAgo = new Date(now - 3 * 86_400_000);
    fs.utimesSync(oldDir, threeDaysAgo, threeDaysAgo);
    assert.equal(sweepStaleState(dataDir, now), 1);
    assert.deepEqual(fs.readdirSync(hooksStateDir(dataDir)), ['new']);
  });
});

/** A UserPromptExpansion payload as documented in the Claude Code hooks reference. */
function expansion(command: string, extra: Record<string, unknown> = {}): HookEvent {
  return ev({
    hook_event_name: 'UserPromptExpansion',
    expansion_type: 'slash_command',
    command_name: command,
    command_args: 'PR 42',
    command_source: 'skill',
    prompt: `/${command} PR 42`,
    ...extra,
  });
}

describe('UserPromptExpansion (typed skills)', () => {
  it('records a typed skill once per expansion with the shared dedupe key and trigger typed', () => {
    const dataDir = freshDir();
    const ctx = (now: number) => ({ dataDir, userId: 'alice', now });
    const [first] = processHookEvent(expansion('review-pr'), ctx(T0));
    assert.deepEqual(first, {
      skill_name: 'skill:review-pr',
      session_id: 'sess-1',
      user_id: 'alice',
      workflow_phase: 'review',
      completed: true,
      duration_ms: 0,
      error_type: null,
      invoked_at: T0,
      project: 'shop',
      agent: 'claude-code',
      metadata: { source: 'hook', tool: 'slash_command', duration_source: 'unknown', command_source: 'skill' },
      dedupe_key: 'cc-typed:sess-1:skill:review-pr:1',
      trigger: 'typed',
      slash_after_miss: false, // the session's first prompt
    });
    // Turn 1 ends; turn 2 is a plain prompt (no review); turn 3 types /review-pr again: slash after miss.
    processHookEvent(ev({ hook_event_name: 'Stop' }), ctx(T0 + 1000));
    processHookEvent(ev({ hook_event_name: 'Stop' }), ctx(T0 + 2000));
    const [second] = processHookEvent(expansion('/review-pr'), ctx(T0 + 3000));
    assert.equal(second?.dedupe_key, 'cc-typed:sess-1:skill:review-pr:2');
    assert.equal(second?.slash_after_miss, true);
  });

  it('does not count a slash after turns that all used the skill', () => {
    const dataDir = freshDir();
    const ctx = (now: number) => ({ dataDir, userId: 'alice', now });
    const pre = (id: string) => ev({ hook_event_name: 'PreToolUse', tool_name: 'Skill', tool_input: { skill: 'deploy' }, tool_use_id: id });
    processHookEvent(pre('t1'), ctx(T0)); // turn 1: the model used deploy
    processHookEvent(ev({ hook_event_name: 'Stop' }), ctx(T0 + 1000));
    const [typed] = processHookEvent(expansion('deploy'), ctx(T0 + 2000)); // turn 2
    assert.equal(typed?.slash_after_miss, false);
  });

  it('records nothing for built-in commands and MCP prompts', () => {
    const dataDir = freshDir();
    const ctx = { dataDir, userId: 'alice', now: T0 };
    assert.deepEqual(processHookEvent(expansion('compact'), ctx), []);
    assert.deepEqual(processHookEvent(expansion('init', { command_source: 'builtin' }), ctx), []);
    assert.deepEqual(processHookEvent(expansion('mcp__github__review', { expansion_type: 'mcp_prompt', command_source: 'mcp' }), ctx), []);
  });

  it('ignores an expansion without a command name', () => {
    assert.equal(parseHookEvent({ hook_event_name: 'UserPromptExpansion', session_id: 's', prompt: '/x' }), null);
  });
});
