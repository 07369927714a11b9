/**
 * A protocol request (not a tool call) whose params break its method's schema
 * gets -32602 Invalid params naming the field and the rule, in one line, through
 * the SDK's own Client; the same server goes on answering.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  EmptyResultSchema,
  ErrorCode,
  GetPromptResultSchema,
  InitializeResultSchema,
  ListToolsResultSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { connectInMemory, createTestApp } from '../testing/harness.js';

const app = createTestApp();
after(() => app.close());

describe('protocol requests with bad params', () => {
  it('are answered -32602 with `field: rule`, not -32603 with the zod issues', async () => {
    const client = await connectInMemory(app.createMcpServer('test'));
    try {
      const cases = [
        { method: 'tools/list', params: { cursor: 5 }, schema: ListToolsResultSchema, said: 'params.cursor: must be a string, not a number' },
        {
          method: 'logging/setLevel',
          params: { level: 'bogus' },
          schema: EmptyResultSchema,
          said: 'params.level: must be one of debug, info, notice, warning, error, critical, alert, emergency',
        },
        {
          method: 'prompts/get',
          params: { name: 'start', arguments: { working_directory: 5 } },
          schema: GetPromptResultSchema,
          said: 'params.arguments.working_directory: must be a string, not a number',
        },
        { method: 'prompts/get', params: {}, schema: GetPromptResultSchema, said: 'params.name: is required' },
        { method: 'initialize', params: { capabilities: {} }, schema: InitializeResultSchema, said: 'params.protocolVersion: is required' },
      ];
      for (const { method, params, schema, said } of cases) {
        const err = await client.request({ method, params } as never, schema).then(
          () => assert.fail(`${method} succeeded`),
          (e: unknown) => e,
        );
        assert.ok(err instanceof McpError, String(err));
        assert.equal(err.code, ErrorCode.InvalidParams, `${method}: ${err.message}`);
        // The client prefixes the code once; the server's message is the one line after it.
        assert.equal(err.message, `MCP error -32602: ${said}`);
        const [field, rule] = said.split(/: (.*)/s);
        assert.deepEqual(err.data, { field, rule });
      }
      // Nothing was broken by them: the same requests with good params are answered.
      assert.ok((await client.listTools()).tools.length > 0);
      await client.setLoggingLevel('info');
      assert.equal((await client.getPrompt({ name: 'start', arguments: { working_directory: '/tmp' } })).messages.length, 1);
    } finally {
      await client.close();
    }
  });
});
