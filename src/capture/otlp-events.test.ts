import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiRequestUsage, eventKind, TYPED_MATCH_WINDOW_MS, toolResultInvocation, typedActivation, typedInvocation, typedOrdinal } from './otlp-events.js';

const NOW = 1_800_000_000_000;
const rec = (eventName: string, attrs: Record<string, string | number | boolean>, timeMs: number | null = NOW - 10) => ({ eventName, timeMs, attrs });

describe('Claude Code events', () => {
  it('names events without the claude_code. prefix', () => {
    assert.equal(eventKind(rec('claude_code.tool_result', {})), 'tool_result');
    assert.equal(eventKind(rec('api_request', {})), 'api_request');
  });

  it('maps a failed Bash tool_result like a hook: start = end - duration, cc:<tool_use_id>, classified error', () => {
    const m = toolResultInvocation(
      rec('claude_code.tool_result', {
        'session.id': 's',
        'user.id': 'd',
        tool_use_id: 'toolu_9',
        tool_name: 'Bash',
        success: 'false',
        duration_ms: '1500',
        error: 'Command timed out after 2m',
        tool_parameters: '{"bash_command":"pytest","full_command":"pytest -q"}',
      }),
      NOW,
    );
    assert.ok(m.ok);
    assert.deepEqual(
      { ...m.value, metadata: undefined },
      {
        skill_name: 'Bash',
        user_id: 'd',
        session_id: 's',
        workflow_phase: 'testing',
        completed: false,
        duration_ms: 1500,
        error_type: 'timeout',
        invoked_at: NOW - 10 - 1500,
        agent: 'claude-code',
        dedupe_key: 'cc:toolu_9',
        metadata: undefined,
      },
    );
  });

  it('rejects a tool_result that cannot be joined', () => {
    const m = toolResultInvocation(rec('tool_result', { 'session.id': 's', tool_name: 'Read' }), NOW);
    assert.deepEqual(m, { ok: false, reason: 'tool_result without tool_use_id' });
  });

  it('classifies a failure by error_type when the full error is not sent (OTEL_LOG_TOOL_DETAILS off)', () => {
    const m = toolResultInvocation(
      rec('tool_result', { 'session.id': 's', tool_use_id: 't1', tool_name: 'Read', success: 'false', error_type: 'Error:ENOENT' }),
      NOW,
    );
    assert.ok(m.ok);
    assert.equal(m.value.error_type, 'not_found');
  });

  it('names tools whose stored name comes from tool_parameters only when they are sent, never a made-up name', () => {
    const base = { 'session.id': 's', tool_use_id: 't2', success: 'true', duration_ms: 5 };
    const skillWithout = toolResultInvocation(rec('tool_result', { ...base, tool_name: 'Skill' }), NOW);
    assert.deepEqual(skillWithout, { ok: false, reason: 'Skill tool_result without tool_parameters (set OTEL_LOG_TOOL_DETAILS=1)' });
    const skill = toolResultInvocation(rec('tool_result', { ...base, tool_name: 'Skill', tool_parameters: '{"skill_name":"pdf"}' }), NOW);
    assert.ok(skill.ok);
    assert.equal(skill.value.skill_name, 'skill:pdf');
    assert.equal(skill.value.trigger, 'model', 'an automatic activation, as the hook and the import record it');
    const agentWithout = toolResultInvocation(rec('tool_result', { ...base, tool_name: 'Agent' }), NOW);
    assert.equal(agentWithout.ok, false);
    const agent = toolResultInvocation(rec('tool_result', { ...base, tool_name: 'Agent', tool_parameters: '{"subagent_type":"Explore"}' }), NOW);
    assert.ok(agent.ok);
    assert.equal(agent.value.skill_name, 'agent:Explore');
    assert.equal(agent.value.trigger, undefined);
    const mcp = toolResultInvocation(
      rec('tool_result', { ...base, tool_name: 'mcp_tool', tool_parameters: '{"mcp_server_name":"github","mcp_tool_name":"create_issue"}' }),
      NOW,
    );
    assert.ok(mcp.ok);
    assert.equal(mcp.value.skill_name, 'mcp__github__create_issue');
    assert.equal(toolResultInvocation(rec('tool_result', { ...base, tool_name: 'mcp_tool' }), NOW).ok, false);
  });

  it('turns an api_request naming a skill into a telemetry usage row, keyed by request id; none without a skill', () => {
    const hash = (u: string) => `h(${u})`;
    const attrs = {
      'session.id': 's',
      'user.id': 'd',
      request_id: 'req_1',
      model: 'm',
      input_tokens: 10,
      output_tokens: '5',
      cache_read_tokens: 7,
      cache_creation_tokens: 3,
      cost_usd: '0.01',
    };
    assert.deepEqual(apiRequestUsage(rec('api_request', { ...attrs, 'skill.name': '/deploy' }), hash, NOW), {
      ok: true,
      value: {
        key: 'req_1:telemetry',
        skill: 'skill:deploy',
        attribution: 'telemetry',
        userHash: 'h(d)',
        sessionKey: 's',
        model: 'm',
        at: NOW - 10,
        inputTokens: 10,
        outputTokens: 5,
        cacheWriteTokens: 3,
        cacheWrite1hTokens: null,
        cacheReadTokens: 7,
        costUsd: 0.01,
      },
    });
    assert.equal(apiRequestUsage(rec('api_request', attrs), hash, NOW), null);
    const noId = apiRequestUsage(rec('api_request', { ...attrs, request_id: '', 'prompt.id': 'p1', 'event.sequence': 4, 'skill.name': 'x' }), hash, NOW);
    assert.equal(noId?.ok && noId.value.key, 'p1:4:telemetry');
    const clientId = apiRequestUsage(rec('api_request', { ...attrs, request_id: '', client_request_id: 'c-7', 'skill.name': 'x' }), hash, NOW);
    assert.equal(clientId?.ok && clientId.value.key, 'c-7:telemetry');
  });

  it('rejects an api_request whose cost_usd is not a finite number >= 0; without cost_usd the cost is unknown', () => {
    const attrs = { 'session.id': 's', request_id: 'req_c', model: 'm', input_tokens: 1, 'skill.name': 'deploy' };
    const reason = 'api_request cost_usd: must be a finite number >= 0 (USD); not stored';
    for (const cost_usd of ['abc', '', -0.5, '-1', 'Infinity', true]) {
      assert.deepEqual(
        apiRequestUsage(rec('api_request', { ...attrs, cost_usd }), (u) => u, NOW),
        { ok: false, reason },
        String(cost_usd),
      );
    }
    // Rejected also without a skill name: the event is malformed either way.
    const { 'skill.name': _skill, ...unnamed } = attrs;
    assert.deepEqual(
      apiRequestUsage(rec('api_request', { ...unnamed, cost_usd: 'abc' }), (u) => u, NOW),
      { ok: false, reason },
    );
    const missing = apiRequestUsage(rec('api_request', attrs), (u) => u, NOW);
    assert.equal(missing?.ok && missing.value.costUsd, null);
    const zero = apiRequestUsage(rec('api_request', { ...attrs, cost_usd: 0 }), (u) => u, NOW);
    assert.equal(zero?.ok && zero.value.costUsd, 0);
  });

  it('stores no usage under a masked skill name (third-party, custom_skill)', () => {
    const attrs = { 'session.id': 's', request_id: 'req_9', model: 'm', input_tokens: 1 };
    assert.equal(
      apiRequestUsage(rec('api_request', { ...attrs, 'skill.name': 'third-party' }), (u) => u, NOW),
      null,
    );
    assert.equal(
      apiRequestUsage(rec('api_request', { ...attrs, 'skill.name': 'custom_skill' }), (u) => u, NOW),
      null,
    );
  });
});

describe('typed activations from skill_activated', () => {
  const activated = (attrs: Record<string, string>, at = NOW - 10) =>
    rec('claude_code.skill_activated', { 'session.id': 's1', 'user.id': 'd', 'prompt.id': 'p1', 'skill.source': 'userSettings', ...attrs }, at);
  const none = new Map<string, Set<string>>();

  it('takes user-slash activations only; proactive and nested ones are Skill tool calls', () => {
    const typed = typedActivation(activated({ 'skill.name': 'deploy', invocation_trigger: 'user-slash' }), NOW, none);
    assert.deepEqual(typed, {
      ok: true,
      value: { sessionId: 's1', skill: 'skill:deploy', at: NOW - 10, userId: 'd', nameFrom: 'skill_activated', source: 'userSettings' },
    });
    assert.equal(typedActivation(activated({ 'skill.name': 'deploy', invocation_trigger: 'claude-proactive' }), NOW, none), null);
    assert.equal(typedActivation(activated({ 'skill.name': 'deploy', invocation_trigger: 'nested-skill' }), NOW, none), null);
    assert.equal(typedActivation(activated({ 'skill.name': 'clear', invocation_trigger: 'user-slash' }), NOW, none), null);
  });

  it("resolves custom_skill from the prompt's api_request names only when they name exactly one skill", () => {
    const masked = activated({ 'skill.name': 'custom_skill', invocation_trigger: 'user-slash' });
    const one = new Map([['s1\u0000p1', new Set(['changelog-writer'])]]);
    const m = typedActivation(masked, NOW, one);
    assert.ok(m?.ok);
    assert.equal(m.value.skill, 'skill:changelog-writer');
    assert.equal(m.value.nameFrom, 'api_request');
    const two = new Map([['s1\u0000p1', new Set(['changelog-writer', 'deploy'])]]);
    assert.equal(typedActivation(masked, NOW, two)?.ok, false);
    assert.equal(typedActivation(masked, NOW, none)?.ok, false);
  });

  it('matches the nearest stored row within the window, once; otherwise takes the next free ordinal', () => {
    const rows = new Map([
      [1, 1_000_000],
      [2, 1_100_000],
    ]);
    assert.deepEqual(typedOrdinal(rows, 1_001_500), { ordinal: 1, matched: true });
    assert.deepEqual(typedOrdinal(rows, 1_090_000), { ordinal: 2, matched: true });
    assert.deepEqual(typedOrdinal(rows, 1_001_500, new Set([1])), { ordinal: 3, matched: false });
    assert.deepEqual(typedOrdinal(rows, 1_100_000 + TYPED_MATCH_WINDOW_MS), { ordinal: 2, matched: true });
    assert.deepEqual(typedOrdinal(rows, 1_100_001 + TYPED_MATCH_WINDOW_MS), { ordinal: 3, matched: false });
    assert.deepEqual(typedOrdinal(new Map(), 5), { ordinal: 1, matched: false });
  });

  it('builds the row a hook would write for a typed skill', () => {
    const row = typedInvocation(
      { sessionId: 's1', skill: 'skill:deploy', at: NOW - 10, userId: 'd', nameFrom: 'skill_activated', source: 'plugin' },
      'cc-typed:s1:skill:deploy:1',
    );
    assert.deepEqual(row, {
      skill_name: 'skill:deploy',
      user_id: 'd',
      session_id: 's1',
      workflow_phase: 'deployment',
      completed: true,
      duration_ms: 0,
      error_type: null,
      invoked_at: NOW - 10,
      agent: 'claude-code',
      metadata: { source: 'otel', tool: 'slash_command', duration_source: 'unknown', name_from: 'skill_activated', skill_source: 'plugin' },
      dedupe_key: 'cc-typed:s1:skill:deploy:1',
      trigger: 'typed',
    });
  });
});
