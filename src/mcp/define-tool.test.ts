import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCallEvent } from '../events.js';
import { connectHttp, connectInMemory, createTestApp, type TestApp } from '../testing/harness.js';
import { UNKNOWN_TOOL_LABEL } from './define-tool.js';
import { parseErrorResult } from './tool-result.js';

/** A raw tools/call, so that arguments the SDK client's types forbid (arrays, strings) can be sent. */
async function rawCall(client: Client, params: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.request({ method: 'tools/call', params } as never, CallToolResultSchema)) as CallToolResult;
}

function expectStructuredError(res: CallToolResult, code: string, field: string, rule: RegExp): void {
  assert.equal(res.isError, true);
  assert.equal(res.content.length, 2, 'a text block for people and a JSON block for programs');
  const first = res.content[0]!;
  assert.equal(first.type, 'text');
  assert.match((first as { text: string }).text, new RegExp(`^${code}: ${field}: `));
  const err = parseErrorResult(res);
  assert.equal(err?.code, code);
  assert.equal(err?.field, field);
  assert.match(err?.rule ?? '', rule);
}

for (const transport of ['in-memory', 'http'] as const) {
  describe(`every rejected tool call over ${transport} is one structured, counted error`, () => {
    let app: TestApp;
    let client: Client;
    let closeHttp: (() => Promise<void>) | undefined;
    const calls: ToolCallEvent[] = [];

    before(async () => {
      app = createTestApp();
      app.bus.on('tool.called', (e) => calls.push(e));
      if (transport === 'http') {
        const c = await connectHttp(app);
        client = c.client;
        closeHttp = c.close;
      } else {
        client = await connectInMemory(app.createMcpServer('t'));
      }
    });
    after(async () => {
      await closeHttp?.();
      await client.close();
      await app.dispose();
    });

    function lastCall(): ToolCallEvent {
      const e = calls.at(-1);
      assert.ok(e, 'a tool.called event');
      return e;
    }

    it('a value of the wrong type (a schema failure)', async () => {
      const n = calls.length;
      const res = (await client.callTool({ name: 'get_real_time_metrics', arguments: { limit: 'ten' } })) as CallToolResult;
      expectStructuredError(res, 'INVALID_INPUT', 'limit', /must be a number/);
      assert.equal(calls.length, n + 1);
      assert.deepEqual({ ...lastCall(), seconds: 0 }, { tool: 'get_real_time_metrics', outcome: 'error', code: 'INVALID_INPUT', seconds: 0 });
    });

    it('a value out of range', async () => {
      const res = (await client.callTool({ name: 'get_real_time_metrics', arguments: { limit: 0 } })) as CallToolResult;
      expectStructuredError(res, 'INVALID_INPUT', 'limit', /^must be >= 1$/);
    });

    it('a missing required argument', async () => {
      const res = (await client.callTool({ name: 'get_skill_trend', arguments: {} })) as CallToolResult;
      expectStructuredError(res, 'INVALID_INPUT', 'skill_name', /^is required$/);
    });

    it('an unknown argument, naming the one meant', async () => {
      const res = (await client.callTool({ name: 'get_real_time_metrics', arguments: { time_window: 1 } })) as CallToolResult;
      expectStructuredError(res, 'INVALID_INPUT', 'time_window', /^unknown argument; did you mean 'time_window_hours'\?/);
      assert.equal((parseErrorResult(res) as { did_you_mean?: string }).did_you_mean, 'time_window_hours');
      const far = (await client.callTool({ name: 'get_real_time_metrics', arguments: { colour: 'red' } })) as CallToolResult;
      expectStructuredError(far, 'INVALID_INPUT', 'colour', /^unknown argument \(accepted: limit, time_window_hours\)$/);
      assert.equal(lastCall().code, 'INVALID_INPUT');
    });

    it('an unknown argument is rejected even next to valid ones, and nothing is written', async () => {
      const before = app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get();
      const res = (await client.callTool({
        name: 'track_skill_invocation',
        arguments: { skill_name: 's', user_id: 'u', session_id: 'x', workflow_phase: 'testing', completed: true, duration_ms: 1, durationMs: 5 },
      })) as CallToolResult;
      expectStructuredError(res, 'INVALID_INPUT', 'durationMs', /did you mean 'duration_ms'/);
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), before);
    });

    it('non-object arguments (an array, a string, a number)', async () => {
      for (const [args, what] of [
        [[1, 2], 'an array'],
        ['limit=3', 'string'],
        [7, 'number'],
      ] as const) {
        const n = calls.length;
        const res = await rawCall(client, { name: 'get_real_time_metrics', arguments: args });
        expectStructuredError(res, 'INVALID_INPUT', 'arguments', new RegExp(`must be a JSON object .*${what}`));
        assert.equal(calls.length, n + 1);
        assert.equal(lastCall().tool, 'get_real_time_metrics');
      }
    });

    it('absent arguments are an empty object', async () => {
      const res = await rawCall(client, { name: 'get_real_time_metrics' });
      assert.equal(res.isError, undefined);
      assert.equal(lastCall().outcome, 'ok');
    });

    it('an unknown tool, counted under a fixed label', async () => {
      const n = calls.length;
      const res = (await client.callTool({ name: 'get_real_time_metric', arguments: {} })) as CallToolResult;
      expectStructuredError(res, 'NOT_FOUND', 'name', /must name a listed tool/);
      assert.equal(calls.length, n + 1);
      assert.equal(lastCall().tool, UNKNOWN_TOOL_LABEL);
      const noName = await rawCall(client, { name: 42, arguments: {} });
      expectStructuredError(noName, 'INVALID_INPUT', 'name', /must be the name of a tool/);
      const long = await rawCall(client, { name: 'x'.repeat(10_000), arguments: {} });
      assert.ok(JSON.stringify(long).length < 2_000, 'the unknown name is not echoed in full');
    });
  });
}

describe('tools/list', () => {
  let app: TestApp;
  let client: Client;
  before(async () => {
    app = createTestApp();
    client = await connectInMemory(app.createMcpServer('t'));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('advertises closed Draft-07 input schemas whose patterns are plain hex ranges', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.length >= 21);
    const text = JSON.stringify(tools);
    assert.ok(!text.includes('\\\\p{'), 'no Unicode property escapes');
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object');
      assert.equal((t.inputSchema as Record<string, unknown>).additionalProperties, false, t.name);
      assert.equal((t.inputSchema as Record<string, unknown>).$schema, 'http://json-schema.org/draft-07/schema#');
      assert.ok(t.outputSchema, `${t.name} has an output schema`);
    }
    const trend = tools.find((t) => t.name === 'get_skill_trend')!;
    const skill = (trend.inputSchema.properties as Record<string, { pattern?: string }>).skill_name!;
    assert.equal(skill.pattern, '^[^\\x00-\\x1F\\x7F-\\x9F]*$');
  });
});
