/**
 * /mcp over HTTP with bodies that are JSON but not valid JSON-RPC: 400 with
 * -32600 Invalid Request (or -32602 Invalid params when the params are at
 * fault) naming the field and the rule, under the message's id, where the
 * SDK's transport says -32700 Parse error of any of them. The session keeps
 * serving its client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectHttp, createTestApp } from '../testing/harness.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** The error response JSON-RPC gives `message` (`field: rule`) with, and its data. */
const error = (id: unknown, code: number, message: string) => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, data: { field: message.slice(0, message.indexOf(': ')), rule: message.slice(message.indexOf(': ') + 2) } },
});

describe('/mcp with a body that is JSON but not valid JSON-RPC', () => {
  const app = createTestApp();
  let conn: Awaited<ReturnType<typeof connectHttp>>;
  let post: (body: string, session?: boolean) => Promise<{ status: number; body: unknown }>;
  before(async () => {
    conn = await connectHttp(app);
    const sid = (conn.client.transport as StreamableHTTPClientTransport).sessionId!;
    assert.ok(sid);
    post = async (body, session = true) => {
      const res = await fetch(`${conn.http.url}/mcp`, {
        method: 'POST',
        headers: session ? { ...HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' } : HEADERS,
        body,
      });
      return { status: res.status, body: await res.json() };
    };
  });
  after(async () => {
    await conn.close();
    app.close();
  });

  it('in a session: 400 with -32600, or -32602 for params, under the id it carries (else id null)', async () => {
    const cases: [string, unknown][] = [
      ['{"jsonrpc":"2.0","id":2,"method":"tools/call","params":[1]}', error(2, -32602, 'params: must be an object of named parameters, not an array')],
      ['{"jsonrpc":"2.0","id":3,"method":"tools/call","params":null}', error(3, -32602, 'params: must be an object of named parameters, not null')],
      ['{"jsonrpc":"2.0","id":70}', error(70, -32600, 'method: is required')],
      ['{"id":"x","method":"ping"}', error('x', -32600, 'jsonrpc: is required (must be "2.0")')],
      ['{"jsonrpc":"2.0","method":5}', error(null, -32600, 'method: must be a string, not 5')],
      ['{"jsonrpc":"2.0","id":{},"method":"ping"}', error(null, -32600, 'id: must be a string or an integer, not an object')],
      ['{"jsonrpc":"2.0","method":"notifications/progress","params":null}', error(null, -32602, 'params: must be an object of named parameters, not null')],
      ['"ping"', error(null, -32600, '(message): must be a JSON object, not a string')],
      ['[]', error(null, -32600, '(batch): must hold at least 1 message')],
      ['[{"jsonrpc":"2.0","id":8,"method":"ping"},{"jsonrpc":"2.0","id":9}]', error(9, -32600, '1.method: is required')],
      ['[{"jsonrpc":"2.0","id":8,"method":"ping"},7]', error(null, -32600, '1: must be a JSON object, not 7')],
    ];
    for (const [body, expected] of cases) {
      assert.deepEqual(await post(body), { status: 400, body: expected }, body);
    }
    // Not JSON at all: a parse error, as before.
    assert.deepEqual(await post('{not json'), {
      status: 400,
      body: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: body is not valid JSON' } },
    });
    // The session still serves, its own client and raw requests alike.
    await conn.client.ping();
    assert.deepEqual(await post('{"jsonrpc":"2.0","id":10,"method":"ping"}'), { status: 200, body: { jsonrpc: '2.0', id: 10, result: {} } });
  });

  it('a protocol request with bad params: -32602 naming the field, from the session’s server', async () => {
    assert.deepEqual(await post('{"jsonrpc":"2.0","id":11,"method":"tools/list","params":{"cursor":5}}'), {
      status: 200,
      body: error(11, -32602, 'params.cursor: must be a string, not a number'),
    });
  });

  it('without a session: an invalid message or an initialize with bad params is named, not taken for a missing session', async () => {
    assert.deepEqual(await post('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":null}', false), {
      status: 400,
      body: error(3, -32602, 'params: must be an object of named parameters, not null'),
    });
    assert.deepEqual(await post('{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"capabilities":{}}}', false), {
      status: 400,
      body: error(4, -32602, 'params.protocolVersion: is required'),
    });
    assert.deepEqual(await post('{"jsonrpc":"2.0","id":5,"method":"ping"}', false), {
      status: 400,
      body: { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: no valid session ID provided' } },
    });
  });
});
