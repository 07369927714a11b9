import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { describe, it } from 'node:test';
import { startHttpServer } from '../server/http-server.js';
import { createTestApp } from '../testing/harness.js';
import { DASHBOARD_CSP } from './dashboard-routes.js';
import { parsePromText, sampleKey } from './prom-text.js';
import { createRealtime, createRealtimeMounts } from './realtime-mounts.js';

/** GET with an explicit Host header (fetch does not allow setting it). */
function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('createRealtimeMounts', () => {
  it('serves /metrics, the dashboard and /ws with everything on', async () => {
    const app = createTestApp();
    const http = await startHttpServer(app, await createRealtimeMounts(app));
    try {
      await app.tracker.track({ skill_name: 'probe', user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: 5 });
      const metrics = await get(http.port, '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const m = parsePromText(metrics.body);
      assert.equal(m.get(sampleKey('skill_invocations_total', { skill_name: 'probe', workflow_phase: 'testing', completed: 'true' })), 1);

      const page = await get(http.port, '/');
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.equal(page.headers['content-security-policy'], DASHBOARD_CSP);
      assert.match(page.body, /<script src="\/dashboard\/dashboard\.js"/);
      assert.doesNotMatch(page.body, /https?:\/\//, 'the page loads nothing from the network');
      const js = await get(http.port, '/dashboard/dashboard.js');
      assert.equal(js.status, 200);
      assert.match(String(js.headers['content-type']), /^text\/javascript/);
      assert.equal((await get(http.port, '/dashboard/dashboard.css')).status, 200);
      assert.equal((await get(http.port, '/dashboard/..%2F..%2Fapp.ts')).status, 404);
      assert.equal((await get(http.port, '/dashboard/secret.txt')).status, 404);

      // DNS-rebinding guard on a loopback bind
      assert.equal((await get(http.port, '/metrics', `evil.example:${http.port}`)).status, 403);
      assert.ok(fs.existsSync(`${app.dir}/token`), 'the token is created at first start');
    } finally {
      await http.close();
      await app.dispose();
    }
  });

  it('leaves out what is turned off', async () => {
    const app = createTestApp();
    const rt = await createRealtime(app, { metrics: false, ws: false, dashboard: false });
    const http = await startHttpServer(app, rt.mounts);
    try {
      assert.equal(rt.exporter, null);
      assert.equal(rt.hub, null);
      assert.equal(rt.token, null);
      assert.equal((await get(http.port, '/metrics')).status, 404);
      assert.equal((await get(http.port, '/')).status, 404);
      assert.equal((await get(http.port, '/health')).status, 200);
    } finally {
      await http.close();
      await app.dispose();
    }
  });

  it('also serves /metrics on the dedicated metrics port, and only that', async () => {
    const metricsPort = await freePort();
    const app = createTestApp({ flags: { metricsPort } });
    const rt = await createRealtime(app, { ws: false, dashboard: false });
    try {
      assert.equal(rt.metricsServer?.port, metricsPort);
      const res = await get(metricsPort, '/metrics');
      assert.equal(res.status, 200);
      assert.ok(parsePromText(res.body).has('websocket_connections_active'));
      assert.equal((await get(metricsPort, '/')).status, 404);
      // Another method on /metrics: 405 with Allow, as on the main port.
      const del = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'DELETE' });
      assert.equal(del.status, 405);
      assert.equal(del.headers.get('allow'), 'GET, HEAD');
      assert.equal((await get(metricsPort, '/metrics', `evil.example:${metricsPort}`)).status, 403);
      // Figures across all users: an admin's, not a per-user token's, as on the main port.
      const scrape = (token: string) => fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      const user = await app.userTokens.create({ userId: 'alice', admin: false });
      const lead = await app.userTokens.create({ userId: 'carol', admin: true });
      const refused = await scrape(user.token);
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /not a per-user token/);
      for (const token of [lead.token, app.access.installationToken()]) assert.equal((await scrape(token)).status, 200);
    } finally {
      await rt.close();
      await app.dispose();
    }
    // closed with the rest
    await assert.rejects(get(metricsPort, '/metrics'));
  });

  it('refuses a taken metrics port with a clear error', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const app = createTestApp({ flags: { metricsPort: port } });
    try {
      await assert.rejects(createRealtime(app, { ws: false, dashboard: false }), /metrics port \d+ on 127\.0\.0\.1 is already in use/);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
      await app.dispose();
    }
  });

  it('rejects invalid options', async () => {
    const app = createTestApp();
    try {
      await assert.rejects(createRealtime(app, { wsMaxClients: 0 }), /ws-max-clients: must be an integer >= 1/);
      await assert.rejects(createRealtime(app, { wsAllowedOrigins: ['evil.example'] }), /ws-allowed-origins/);
    } finally {
      await app.dispose();
    }
  });
});
