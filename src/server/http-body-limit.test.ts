/**
 * The 4 MiB body limit over HTTP: /mcp answers a larger request with a
 * JSON-RPC error an MCP client reads (and its session stays usable), while
 * /api/invocations keeps its `{error:{code,message}}` shape.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectHttp, createTestApp, sizedInvocation } from '../testing/harness.js';
import { MAX_BODY_BYTES } from './http-server.js';

describe('an HTTP request body over the limit', () => {
  it('gets a JSON-RPC error naming the limit on /mcp, and the MCP session keeps working', async () => {
    const app = createTestApp();
    const { client, http, close } = await connectHttp(app);
    try {
      // 1,000 items with 8 KiB of metadata each, every field within its own limit: about 8 MiB.
      const invocations = Array.from({ length: 1000 }, (_, i) => sizedInvocation(i, { pad: 'x'.repeat(8 * 1024 - 10) }));
      await assert.rejects(client.callTool({ name: 'track_skill_invocations', arguments: { invocations } }), (err: Error & { code?: number }) => {
        assert.equal(err.code, 413);
        assert.match(err.message, /"code":-32600,"message":"request of 8\.0 MiB is larger than the 4 MiB a request may be over HTTP"/);
        return true;
      });
      const ok = (await client.callTool({ name: 'track_skill_invocations', arguments: { invocations: invocations.slice(0, 400) } })) as CallToolResult;
      assert.equal(ok.isError, undefined, JSON.stringify(ok.content));
      assert.equal((ok.structuredContent as { inserted: number }).inserted, 400);

      const body = 'x'.repeat(MAX_BODY_BYTES + 1);
      const raw = await fetch(`${http.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
      assert.equal(raw.status, 413);
      assert.match(raw.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await raw.json(), {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'request of 4.1 MiB is larger than the 4 MiB a request may be over HTTP' },
      });
      // Streamed without a Content-Length: the size is not known, the limit is still named.
      const streamed = await fetch(`${http.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: new Blob([body]).stream(),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      assert.deepEqual(await streamed.json(), {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'request is larger than the 4 MiB a request may be over HTTP' },
      });

      const ingest = await fetch(`${http.url}/api/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(ingest.status, 413);
      assert.deepEqual(await ingest.json(), { error: { code: 'INVALID_INPUT', message: `request body exceeds ${MAX_BODY_BYTES} bytes` } });
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 400);
    } finally {
      await close();
      await app.dispose();
    }
  });

  it('reads a refused body to its end, so the client gets the answer and its kept-alive connection stays usable', async () => {
    const app = createTestApp();
    const { http: server, close } = await connectHttp(app);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const { port } = new URL(server.url);
    const post = (p: string, body: string) =>
      new Promise<{ status: number; body: string; reused: boolean }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: p,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, reused: req.reusedSocket }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const big = 'x'.repeat(MAX_BODY_BYTES + 200_000);
      for (let round = 0; round < 3; round++) {
        const refused = await post('/mcp', big);
        assert.equal(refused.status, 413);
        assert.match(refused.body, /larger than the 4 MiB a request may be over HTTP/);
        const next = await post('/api/invocations', JSON.stringify(sizedInvocation(round)));
        assert.equal(next.status, 200, next.body);
        // The same socket: the server kept the connection, the body having been read.
        assert.equal(next.reused, true, `round ${round}`);
      }
    } finally {
      agent.destroy();
      await close();
      await app.dispose();
    }
  });
});
