import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { otlpTypes } from '../capture/otlp-schema.js';
import { createLogger } from '../logger.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { buildHttpApp, MAX_BODY_BYTES } from './http-server.js';
import { McpSessions } from './mcp-sessions.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function setup(host: string, env: Record<string, string> = {}) {
  const app = createTestApp({ flags: { host }, env });
  const mcp = new McpSessions({ createServer: (id) => app.createMcpServer(id), logger: createLogger('silent') });
  const hono = buildHttpApp(app, mcp, [], () => 8678);
  const token = fs.readFileSync(path.join(app.dir, 'token'), 'utf8').trim();
  return { app, hono, token, mcp };
}

describe('HTTP access on a non-loopback bind', () => {
  const apps: TestApp[] = [];
  after(async () => {
    for (const a of apps) await a.dispose();
  });

  it('requires the bearer token on /mcp and /api, refuses a wrong one, keeps /health open', async () => {
    const { app, hono, token, mcp } = setup('0.0.0.0');
    apps.push(app);
    const url = 'http://10.1.2.3:8678';
    const noToken = await hono.request(`${url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INIT) });
    assert.equal(noToken.status, 401);
    assert.equal(noToken.headers.get('www-authenticate'), 'Bearer realm="session-buddy"');
    const wrong = await hono.request(`${url}/api/invocations`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: '[]',
    });
    assert.equal(wrong.status, 401);
    const ok = await hono.request(`${url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` }, body: JSON.stringify(INIT) });
    assert.equal(ok.status, 200);
    assert.ok(ok.headers.get('mcp-session-id'));
    const metrics = await hono.request(`${url}/metrics`);
    assert.equal(metrics.status, 401);
    assert.equal((await hono.request(`${url}/health`)).status, 200);
    await mcp.closeAll();
  });

  it('refuses OTLP exports without the right token with a google.rpc.Status (16 UNAUTHENTICATED) in the request encoding', async () => {
    const { app, hono, token } = setup('0.0.0.0');
    apps.push(app);
    const url = 'http://10.1.2.3:8678';
    const status = otlpTypes().status;
    for (const path of ['/v1/logs', '/v1/metrics']) {
      for (const authorization of ['Bearer nope', undefined]) {
        const json = await hono.request(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: '{}',
        });
        assert.equal(json.status, 401);
        assert.equal(json.headers.get('content-type'), 'application/json');
        assert.equal(json.headers.get('www-authenticate'), 'Bearer realm="session-buddy"');
        const body = (await json.json()) as { code: number; message: string };
        assert.equal(body.code, 16);
        assert.match(body.message, /token/);
      }
      const proto = await hono.request(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', authorization: 'Bearer nope' },
        body: new Uint8Array(0),
      });
      assert.equal(proto.status, 401);
      assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');
      const decoded = status.toObject(status.decode(new Uint8Array(await proto.arrayBuffer()))) as { code: number; message: string };
      assert.equal(decoded.code, 16);
      assert.match(decoded.message, /invalid or revoked token/);
    }
    // With the token the request gets through to the receiver (an empty export is accepted).
    const ok = await hono.request(`${url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    assert.equal(ok.status, 200);
    // Other routes keep the JSON error.
    const api = await hono.request(`${url}/api/invocations`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assert.deepEqual(((await api.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  });

  it('can open /metrics for a Prometheus without a token', async () => {
    const { app, hono } = setup('0.0.0.0', { SESSION_BUDDY_METRICS_PUBLIC: '1' });
    apps.push(app);
    // No /metrics route is mounted here, so "not 401" shows the middleware let it through.
    assert.equal((await hono.request('http://10.1.2.3:8678/metrics')).status, 404);
    assert.equal((await hono.request('http://10.1.2.3:8678/mcp', { method: 'POST' })).status, 401);
  });
});

describe('HTTP access on a loopback bind', () => {
  it('rejects foreign Host headers (DNS rebinding) and cross-site Origins, accepts local callers without a token', async () => {
    const { app, hono, mcp } = setup('127.0.0.1');
    try {
      const rebound = await hono.request('http://evil.example:8678/api/invocations', {
        method: 'POST',
        headers: { host: 'evil.example:8678', 'content-type': 'application/json' },
        body: '[]',
      });
      assert.equal(rebound.status, 403);
      const reboundMcp = await hono.request('http://evil.example:8678/mcp', {
        method: 'POST',
        headers: { ...MCP_HEADERS, host: 'evil.example:8678' },
        body: JSON.stringify(INIT),
      });
      assert.equal(reboundMcp.status, 403);
      const crossSite = await hono.request('http://127.0.0.1:8678/mcp', {
        method: 'POST',
        headers: { ...MCP_HEADERS, host: '127.0.0.1:8678', origin: 'https://evil.example' },
        body: JSON.stringify(INIT),
      });
      assert.equal(crossSite.status, 403);
      const local = await hono.request('http://127.0.0.1:8678/mcp', {
        method: 'POST',
        headers: { ...MCP_HEADERS, host: '127.0.0.1:8678', origin: 'http://127.0.0.1:8678' },
        body: JSON.stringify(INIT),
      });
      assert.equal(local.status, 200);
      await mcp.closeAll();
    } finally {
      await app.dispose();
    }
  });

  it('refuses a foreign Host or a cross-site Origin on /health as on every other route (DNS rebinding reads nothing)', async () => {
    const { app, hono } = setup('127.0.0.1');
    try {
      const get = (path: string, headers: Record<string, string>) => hono.request(`http://127.0.0.1:8678${path}`, { headers });
      const refused: Record<string, string>[] = [
        { host: 'evil.example' },
        { host: 'evil.example:8678' },
        { host: '127.0.0.1:8678', origin: 'https://evil.example' },
      ];
      for (const headers of refused) {
        const health = await get('/health', headers);
        const report = await get('/api/skill-report', headers);
        assert.equal(health.status, 403, JSON.stringify(headers));
        assert.equal(report.status, 403, JSON.stringify(headers));
        // The same answer, word for word, and nothing of what /health tells.
        assert.deepEqual(await health.json(), await report.json());
      }
      const local = await get('/health', { host: 'localhost:8678' });
      assert.equal(local.status, 200);
      assert.equal(((await local.json()) as { service: string }).service, 'session-buddy');
    } finally {
      await app.dispose();
    }
  });

  it('limits request bodies and rejects malformed ingest with a structured error and no write', async () => {
    const { app, hono } = setup('127.0.0.1');
    try {
      const big = await hono.request('http://127.0.0.1:8678/api/invocations', {
        method: 'POST',
        headers: { host: '127.0.0.1:8678', 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
        body: 'x'.repeat(MAX_BODY_BYTES + 1),
      });
      assert.equal(big.status, 413);
      const bad = await hono.request('http://127.0.0.1:8678/api/invocations', {
        method: 'POST',
        headers: { host: 'localhost:8678', 'content-type': 'application/json' },
        body: JSON.stringify([{ skill_name: 'x', user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: -1 }]),
      });
      assert.equal(bad.status, 400);
      const body = (await bad.json()) as { error: { code: string; details: { field: string } } };
      assert.equal(body.error.code, 'INVALID_INPUT');
      assert.equal(body.error.details.field, 'invocations.0.duration_ms');
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 0);
      const typed = { skill_name: 'skill:x', user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: 0 };
      const badTrigger = await hono.request('http://127.0.0.1:8678/api/invocations', {
        method: 'POST',
        headers: { host: 'localhost:8678', 'content-type': 'application/json' },
        body: JSON.stringify([
          { ...typed, trigger: 'typed' },
          { ...typed, trigger: 'slash' },
        ]),
      });
      assert.equal(badTrigger.status, 400);
      assert.equal(((await badTrigger.json()) as { error: { details: { field: string } } }).error.details.field, 'invocations.1.trigger');
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 0);
      const good = await hono.request('http://127.0.0.1:8678/api/invocations', {
        method: 'POST',
        headers: { host: 'localhost:8678', 'content-type': 'application/json' },
        body: JSON.stringify([{ ...typed, trigger: 'typed', slash_after_miss: false }]),
      });
      assert.equal(good.status, 200);
      assert.equal(app.db.prepare("SELECT count(*) FROM skill_invocations WHERE activation_trigger = 'typed'").pluck().get(), 1);
    } finally {
      await app.dispose();
    }
  });
});

describe('HTTP access on a loopback bind with --ws-require-token (SESSION_BUDDY_WS_REQUIRE_TOKEN=1)', () => {
  it('demands the token on every route, not only /ws, but /health and the dashboard page (as the help and README say)', async () => {
    const { app, hono, token, mcp } = setup('127.0.0.1', { SESSION_BUDDY_WS_REQUIRE_TOKEN: '1' });
    try {
      const send = (method: string, path: string, auth?: string) =>
        hono.request(`http://127.0.0.1:8678${path}`, {
          method,
          headers: { ...MCP_HEADERS, host: '127.0.0.1:8678', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
          ...(method === 'POST' ? { body: JSON.stringify(INIT) } : {}),
        });
      for (const [method, path] of [
        ['POST', '/mcp'],
        ['POST', '/api/invocations'],
        ['GET', '/api/skill-report'],
        ['POST', '/v1/logs'],
        ['GET', '/metrics'],
        ['GET', '/ws'],
      ] as const) {
        const refused = await send(method, path);
        assert.equal(refused.status, 401, `${method} ${path}`);
        // With the token the request gets past the access check (no route is mounted here but /mcp and the ingest).
        assert.notEqual((await send(method, path, token)).status, 401, `${method} ${path} with the token`);
      }
      assert.equal((await send('GET', '/health')).status, 200);
      // The dashboard page is not mounted here: "not 401" shows the access check let it through.
      assert.equal((await send('GET', '/')).status, 404);
      await mcp.closeAll();
    } finally {
      await app.dispose();
    }
  });
});
