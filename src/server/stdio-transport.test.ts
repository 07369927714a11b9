/**
 * `session-buddy mcp` as an MCP client launches it: a request line over the
 * stdio limit gets a JSON-RPC error naming the limit, an oversize notification
 * is dropped and logged, and the same connection keeps serving. Lines that are
 * not valid JSON-RPC get the JSON-RPC error their id awaits (or none, for a
 * notification or a response), and the same process keeps serving.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
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

describe('session-buddy mcp (stdio) with lines that are not valid JSON-RPC', () => {
  it('answers each that awaits an answer under its id (id null: unparseable or no usable id), answers no notification or response, and keeps serving', {
    timeout: 120_000,
  }, async (t) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', path.join(root, 'data-invalid'), 'mcp'], {
      env: { PATH: process.env.PATH ?? '', HOME: root, SESSION_BUDDY_AUDIT: 'off', SESSION_BUDDY_EMBEDDINGS: 'off' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    t.after(() => child.kill()); // a no-op once it has exited
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const replies: { id: unknown; error?: { code: number; message: string; data?: unknown }; result?: unknown }[] = [];
    let wanted: { ids: unknown[]; resolve: () => void } | null = null;
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      replies.push(JSON.parse(line));
      if (wanted?.ids.every((id) => replies.some((r) => r.id === id))) wanted.resolve();
    });
    const until = (ids: unknown[]) => new Promise<void>((resolve) => (wanted = { ids, resolve }));

    const send = (...lines: string[]) => child.stdin.write(lines.map((l) => `${l}\n`).join(''));
    const started = until([1]);
    send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    );
    await started;
    replies.length = 0;

    // `end` is answered after everything the transport answers on reading a line (those answers are
    // written as the line is read); tools/list is answered by the server, whenever its handler is done.
    const done = until(['end', 5]);
    send(
      '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":[1]}',
      '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":null}',
      '{not json',
      '{"jsonrpc":"2.0","id":70}',
      '{"jsonrpc":"2.0","id":"s","method":7}',
      '{"id":72,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
      '[1,2]',
      '{"jsonrpc":"2.0","method":"notifications/progress","params":null}',
      '{"jsonrpc":"2.0","id":73,"result":5}',
      '',
      '{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"cursor":5}}',
      '{"jsonrpc":"2.0","id":"end","method":"ping"}',
    );
    await done;
    const error = (code: number, message: string) => ({
      code,
      message,
      data: { field: message.split(': ')[0], rule: message.slice(message.indexOf(': ') + 2) },
    });
    const parseError = replies.find((r) => r.error?.code === -32700);
    assert.match(parseError?.error?.message ?? '', /^Parse error: \S.*$/);
    assert.equal(parseError?.id, null);
    // Answered by the server's handler: before or after `end`.
    const badParams = replies.find((r) => r.id === 5);
    assert.deepEqual(badParams, { jsonrpc: '2.0', id: 5, error: error(-32602, 'params.cursor: must be a string, not a number') });
    assert.deepEqual(
      replies.filter((r) => r !== parseError && r !== badParams),
      [
        { jsonrpc: '2.0', id: 2, error: error(-32602, 'params: must be an object of named parameters, not an array') },
        { jsonrpc: '2.0', id: 3, error: error(-32602, 'params: must be an object of named parameters, not null') },
        { jsonrpc: '2.0', id: 70, error: error(-32600, 'method: is required') },
        { jsonrpc: '2.0', id: 's', error: error(-32600, 'method: must be a string, not 7') },
        { jsonrpc: '2.0', id: 72, error: error(-32600, 'jsonrpc: is required (must be "2.0")') },
        { jsonrpc: '2.0', id: null, error: error(-32600, 'id: must be a string or an integer, not 1.5') },
        { jsonrpc: '2.0', id: null, error: error(-32600, '(message): must be a JSON object, not an array') },
        { jsonrpc: '2.0', id: 'end', result: {} },
      ],
    );

    child.stdin.end();
    assert.equal(await exited, 0, stderr);
    const refused = stderr
      .split('\n')
      .filter((l) => l.includes('not valid JSON-RPC'))
      .map((l) => JSON.parse(l) as { level: string; code: number; answered: boolean; reason?: string });
    assert.equal(refused.length, 10, stderr);
    assert.ok(refused.every((l) => l.level === 'warn'));
    assert.deepEqual(
      refused.filter((l) => !l.answered).map((l) => [l.code, l.reason]),
      [
        [-32602, 'a notification or a response is never answered'],
        [-32600, 'a notification or a response is never answered'],
      ],
    );
  });
});
