/**
 * A known path asked with a method it does not serve gets 405 with `Allow`, on every route of the
 * real server (the realtime mounts included); an unknown path keeps 404.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRealtime } from '../realtime/realtime-mounts.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { createLogger } from '../logger.js';
import { buildHttpApp, startHttpServer, type RunningHttpServer } from './http-server.js';
import { McpSessions } from './mcp-sessions.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe('HTTP methods per route', () => {
  let app: TestApp;
  let http: RunningHttpServer;
  before(async () => {
    app = createTestApp();
    const rt = await createRealtime(app, {});
    http = await startHttpServer(app, rt.mounts);
  });
  after(async () => {
    await http.close();
    await app.dispose();
  });
  const send = (method: string, p: string) => fetch(`${http.url}${p}`, { method });

  it('answers another method on a known path with 405, Allow and a structured error', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/api/invocations', 'POST'],
      ['GET', '/api/invocations', 'POST'],
      ['DELETE', '/api/invocations', 'POST'],
      ['POST', '/api/skill-report', 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
      ['DELETE', '/metrics', 'GET, HEAD'],
      ['POST', '/', 'GET, HEAD'],
      ['PUT', '/dashboard/dashboard.js', 'GET, HEAD'],
      ['OPTIONS', '/health', 'GET, HEAD'],
      ['POST', '/ws', 'GET, HEAD'],
    ];
    for (const [method, p, allow] of cases) {
      const res = await send(method, p);
      assert.equal(res.status, 405, `${method} ${p}`);
      assert.equal(res.headers.get('allow'), allow, `${method} ${p}`);
      const body = (await res.json()) as ErrorBody;
      assert.deepEqual(body.error, {
        code: 'METHOD_NOT_ALLOWED',
        message: `${method} is not served on ${p}; it serves ${allow}`,
        details: { allow: allow.split(', ') },
      });
    }
  });

  it('answers a plain GET of the WebSocket endpoint with 426 and how to connect', async () => {
    const res = await send('GET', '/ws');
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('upgrade'), 'websocket');
    const body = (await res.json()) as ErrorBody;
    assert.equal(body.error.code, 'UPGRADE_REQUIRED');
    assert.match(body.error.message, /\/ws is a WebSocket endpoint: connect with a WebSocket client/);
    // How full it is and whether it needs the token: what the dashboard says when its stream is refused.
    assert.deepEqual(body.error.details, { clients: 0, max_clients: 1000, token_required: false });
  });

  it('answers HEAD on a POST-only path with 405 and Allow (no body)', async () => {
    const res = await send('HEAD', '/api/invocations');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.equal(await res.text(), '');
  });

  it('keeps serving the methods it serves, HEAD with GET', async () => {
    assert.equal((await send('GET', '/health')).status, 200);
    assert.equal((await send('HEAD', '/health')).status, 200);
    assert.equal((await send('GET', '/metrics')).status, 200);
  });

  it('keeps 404 for an unknown path, also one under a parameterised route whose handler finds nothing', async () => {
    for (const [method, p] of [
      ['GET', '/nope'],
      ['PUT', '/nope'],
      ['GET', '/api/invocations/1'],
      ['GET', '/dashboard/secret.txt'],
      ['GET', '/health/'],
    ] as const) {
      const res = await send(method, p);
      assert.equal(res.status, 404, `${method} ${p}`);
      assert.equal(res.headers.get('allow'), null);
      assert.deepEqual(await res.json(), { error: { code: 'NOT_FOUND', message: `no route for ${method} ${p}` } });
    }
  });

  it('answers another method on an OTLP signal with the same Allow, in its Status format', async () => {
    const res = await send('PUT', '/v1/metrics');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.deepEqual(await res.json(), { code: 12, message: 'PUT is not accepted on /v1/metrics: POST an ExportMetricsServiceRequest' });
  });
});

describe('HTTP methods behind the token', () => {
  it('refuses a caller without the token with 401 before saying which methods a path serves', async () => {
    const app = createTestApp({ flags: { host: '0.0.0.0' } });
    const mcp = new McpSessions({ createServer: (id) => app.createMcpServer(id), logger: createLogger('silent') });
    try {
      const hono = buildHttpApp(app, mcp, [], () => 8678);
      const url = 'http://10.1.2.3:8678/api/invocations';
      const res = await hono.request(url, { method: 'PUT' });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('allow'), null);
      const token = fs.readFileSync(path.join(app.dir, 'token'), 'utf8').trim();
      const authorised = await hono.request(url, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
      assert.equal(authorised.status, 405);
      assert.equal(authorised.headers.get('allow'), 'POST');
    } finally {
      await mcp.closeAll();
      await app.dispose();
    }
  });
});
