import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiRequestUsage, eventKind, toolResultInvocation } from './otlp-events.js';

const NOW = 1_800_000_000_000;
const rec = (eventName: string, attrs: Record<string, string | number>, timeMs: number | null = NOW - 10) => ({ eventName, timeMs, attrs });

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
      cacheReadTokens: 7,
      costUsd: 0.01,
    });
    assert.equal(apiRequestUsage(rec('api_request', attrs), hash, NOW), null);
    const noId = apiRequestUsage(rec('api_request', { ...attrs, request_id: '', 'prompt.id': 'p1', 'event.sequence': 4, 'skill.name': 'x' }), hash, NOW);
    assert.equal(noId?.key, 'p1:4:telemetry');
  });
});
