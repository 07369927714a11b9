/**
 * `session-buddy mcp` as an MCP client launches it: a request line over the
 * stdio limit gets a JSON-RPC error naming the limit, an oversize notification
 * is dropped and logged, and the same connection keeps serving.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sizedInvocation } from '../testing/harness.js';
import { MAX_STDIO_REQUEST_BYTES } from './request-size-limit.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-stdio-oversize-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('session-buddy mcp (stdio) with a request over the size limit', () => {
  it('answers it with a JSON-RPC error naming the limit, and keeps serving the same connection', { timeout: 120_000 }, async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, '--data-dir', path.join(root, 'data'), 'mcp'],
      env: { HOME: root, SESSION_BUDDY_AUDIT: 'off', SESSION_BUDDY_EMBEDDINGS: 'off' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'stdio-oversize-test', version: '1' });
    const clientErrors: Error[] = [];
    client.onerror = (err) => clientErrors.push(err);
    let closed = false;
    client.onclose = () => (closed = true);
    await client.connect(transport);
    try {
      // 1,000 items with 12 KiB of metadata each: one line of about 12 MiB (the documented 8 KiB are checked by the tool, never reached).
      const invocations = Array.from({ length: 1000 }, (_, i) => sizedInvocation(i, { pad: 'x'.repeat(12 * 1024) }));
      const big = Buffer.byteLength(JSON.stringify({ invocations }));
      assert.ok(big > MAX_STDIO_REQUEST_BYTES, `${big} bytes`);
      const err = await client.callTool({ name: 'track_skill_invocations', arguments: { invocations } }).then(
        () => assert.fail('the oversize request succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof McpError, String(err));
      assert.equal(err.code, ErrorCode.InvalidRequest);
      const said = /^MCP error -32600: request of (\d+\.\d) MiB is larger than the 10 MiB a request may be over stdio$/.exec(err.message);
      assert.ok(said, err.message);
      // The size of the whole line: the arguments and the JSON-RPC envelope around them, rounded up.
      assert.ok(Math.abs(Number(said[1]) - big / 1024 / 1024) <= 0.1, `${said[1]} MiB for ${big} bytes of arguments`);

      // A notification that large has no id to answer: dropped, logged on stderr, nothing written back.
      await transport.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1, pad: 'y'.repeat(11 * 1024 * 1024) } });

      const ok = (await client.callTool({
        name: 'track_skill_invocations',
        arguments: { invocations: [sizedInvocation(1), sizedInvocation(2)] },
      })) as CallToolResult;
      assert.equal(ok.isError, undefined, JSON.stringify(ok.content));
      assert.equal((ok.structuredContent as { inserted: number }).inserted, 2);
      await client.ping();
      assert.equal(closed, false);
      assert.deepEqual(clientErrors, []);

      const logs = stderr
        .split('\n')
        .filter((l) => l.includes('larger than stdio accepts'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(logs.length, 2, stderr);
      assert.deepEqual(
        logs.map(({ level, method, answered, limit_bytes }) => ({ level, method, answered, limit_bytes })),
        [
          { level: 'warn', method: 'tools/call', answered: true, limit_bytes: MAX_STDIO_REQUEST_BYTES },
          { level: 'warn', method: 'notifications/progress', answered: false, limit_bytes: MAX_STDIO_REQUEST_BYTES },
        ],
      );
      assert.equal(logs[1]!.reason, 'no request id found');
    } finally {
      await client.close();
    }
  });
});
