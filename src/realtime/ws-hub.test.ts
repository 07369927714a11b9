import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startHttpServer, type RunningHttpServer } from '../server/http-server.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { HISTORY_REUSE_MS } from './history.js';
import { parsePromText } from './prom-text.js';
import { createRealtime, type Realtime } from './realtime-mounts.js';
import type { RealtimeOptions } from './options.js';

interface Msg {
  v: number;
  type: string;
  [k: string]: unknown;
}

/** A ws client that queues every message so tests can wait for the next one of a type. */
class TestClient {
  readonly received: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Msg;
      this.received.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  static open(url: string, opts: { headers?: Record<string, string> } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: opts.headers });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  /** The first message (already received or future) matching `pred`, removing it from the backlog. */
  next(type: string, pred: (m: Msg) => boolean = () => true, timeoutMs = 3000): Promise<Msg> {
    const match = (m: Msg) => m.type === type && pred(m);
    const i = this.received.findIndex(match);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a "${type}" message`)), timeoutMs);
      this.waiters.push({
        pred: match,
        resolve: (m) => {
          clearTimeout(timer);
          this.received.splice(this.received.indexOf(m), 1);
          resolve(m);
        },
      });
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

function rejectionStatus(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => {
      throw new Error('connection unexpectedly accepted');
    },
    (err: { status?: number }) => err.status ?? -1,
  );
}

async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function inv(skill: string, completed: boolean, durationMs: number) {
  return { skill_name: skill, user_id: 'alice', session_id: 's-1', workflow_phase: 'testing', completed, duration_ms: durationMs };
}

async function startServer(
  options: Partial<RealtimeOptions> = {},
): Promise<{ app: TestApp; rt: Realtime; http: RunningHttpServer; wsUrl: string; close(): Promise<void> }> {
  const app = createTestApp();
  const rt = await createRealtime(app, { dashboard: false, ...options });
  const http = await startHttpServer(app, rt.mounts);
  return {
    app,
    rt,
    http,
    wsUrl: `ws://127.0.0.1:${http.port}/ws`,
    async close() {
      await http.close();
      await app.dispose();
    },
  };
}

describe('WsHub streaming', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  it('greets with a versioned hello', async () => {
    const c = await TestClient.open(s.wsUrl);
    const hello = await c.next('hello');
    assert.equal(hello.v, 1);
    assert.equal(hello.server_version, s.app.version);
    assert.equal(hello.snapshot_interval_ms, 1000);
    await c.close();
  });

  it('sends a subscriber of one skill only that skill’s events', async () => {
    const all = await TestClient.open(s.wsUrl);
    const one = await TestClient.open(s.wsUrl);
    all.send({ v: 1, type: 'subscribe', skills: '*', channels: ['invocations'] });
    one.send({ v: 1, type: 'subscribe', skills: ['alpha'], channels: ['invocations'] });
    assert.deepEqual((await all.next('subscribed')).skills, '*');
    const sub = await one.next('subscribed');
    assert.deepEqual(sub.skills, ['alpha']);
    assert.deepEqual(sub.channels, ['invocations']);

    await s.app.tracker.trackBatch([inv('beta', true, 10), inv('beta', false, 20)]);
    const seenBeta = await all.next('invocations');
    assert.deepEqual(
      (seenBeta.events as { skill_name: string }[]).map((e) => e.skill_name),
      ['beta', 'beta'],
    );

    await s.app.tracker.trackBatch([inv('alpha', true, 30), inv('beta', true, 40), inv('alpha', false, 50)]);
    const got = await one.next('invocations');
    const events = got.events as { skill_name: string; duration_ms: number; completed: boolean; user_hash: string }[];
    assert.deepEqual(
      events.map((e) => [e.skill_name, e.duration_ms, e.completed]),
      [
        ['alpha', 30, true],
        ['alpha', 50, false],
      ],
    );
    assert.equal(got.omitted, 0);
    assert.ok(
      events.every((e) => /^[0-9a-f]{64}$/.test(e.user_hash)),
      'only the salted user hash is sent',
    );
    // the "*" subscriber got all three of the second batch
    const second = await all.next('invocations');
    assert.equal((second.events as unknown[]).length, 3);
    // nothing about beta ever reached the filtered client
    one.send({ v: 1, type: 'ping', id: 'sync' });
    await one.next('pong');
    assert.ok(!one.received.some((m) => m.type === 'invocations'));
    await all.close();
    await one.close();
  });

  it('negotiates permessage-deflate', async () => {
    const c = await TestClient.open(s.wsUrl);
    assert.match(c.ws.extensions, /permessage-deflate/);
    await c.close();
  });

  it('coalesces a burst into one push of at most 100 events and counts the rest', async () => {
    const c = await TestClient.open(s.wsUrl);
    c.send({ v: 1, type: 'subscribe', skills: ['burst'], channels: ['invocations'] });
    await c.next('subscribed');
    // 150 separate recordings within one turn of the event loop
    await Promise.all(Array.from({ length: 150 }, (_, i) => s.app.tracker.track(inv('burst', true, i))));
    const m = await c.next('invocations');
    const events = m.events as { duration_ms: number }[];
    assert.equal(events.length, 100); // maxEventsPerPush
    assert.equal(m.omitted, 50); // 150 - 100
    assert.equal(events[0]!.duration_ms, 50); // the latest 100 are kept: durations 50..149
    c.send({ v: 1, type: 'ping' });
    await c.next('pong');
    assert.ok(!c.received.some((x) => x.type === 'invocations'), 'one push for the whole burst');
    await c.close();
  });

  it('pushes anomalies of the subscribed skills and replays recent ones on connect', async () => {
    const c = await TestClient.open(s.wsUrl);
    c.send({ v: 1, type: 'subscribe', skills: ['alpha'], channels: ['anomalies'] });
    await c.next('subscribed');
    const base = {
      metric: 'duration' as const,
      baseline_value: 100,
      observed_value: 900,
      deviation_score: 5,
      direction: 'up' as const,
      detected_at: Date.now(),
    };
    s.app.bus.emit('anomalies.detected', [
      { ...base, skill_name: 'beta', severity: 'warning' },
      { ...base, skill_name: 'alpha', severity: 'critical' },
    ]);
    const m = await c.next('anomalies');
    assert.deepEqual(
      (m.events as { skill_name: string; severity: string }[]).map((e) => [e.skill_name, e.severity]),
      [['alpha', 'critical']],
    );
    const late = await TestClient.open(s.wsUrl);
    const hello = await late.next('hello');
    const recent = (hello.recent_anomalies as { skill_name: string }[]).map((e) => e.skill_name);
    assert.deepEqual(recent.slice(-2), ['beta', 'alpha']);
    await c.close();
    await late.close();
  });

  it('greets with the anomalies stored before it started (a restart keeps them on the dashboard)', async () => {
    const app = createTestApp();
    await app.tracker.trackBatch([inv('gamma', false, 10)]);
    const at = Date.now() - 3600_000;
    const stored = {
      skill_name: 'gamma',
      metric: 'success_rate' as const,
      baseline_value: 0.9,
      observed_value: 0.2,
      deviation_score: 6,
      direction: 'down' as const,
      severity: 'critical' as const,
      detected_at: at,
    };
    assert.equal((await app.stores.analyticsRecords.saveAnomalies([stored], 24)).length, 1);
    const rt = await createRealtime(app, { dashboard: false });
    const http = await startHttpServer(app, rt.mounts);
    try {
      const c = await TestClient.open(`ws://127.0.0.1:${http.port}/ws`);
      const hello = await c.next('hello');
      // With the window it was detected over, as live anomalies carry it.
      assert.deepEqual(hello.recent_anomalies, [{ ...stored, window_hours: 24 }]);
      await c.close();
    } finally {
      await http.close();
      await app.dispose();
    }
  });

  it('stops pushing after unsubscribe', async () => {
    const c = await TestClient.open(s.wsUrl);
    c.send({ v: 1, type: 'subscribe', skills: ['omega'], channels: ['invocations'] });
    await c.next('subscribed');
    c.send({ v: 1, type: 'unsubscribe' });
    await c.next('unsubscribed');
    await s.app.tracker.track(inv('omega', true, 1));
    await new Promise((r) => setTimeout(r, 150)); // longer than one coalescing interval
    c.send({ v: 1, type: 'ping' });
    await c.next('pong');
    assert.ok(!c.received.some((x) => x.type === 'invocations'));
    await c.close();
  });

  it('pushes a snapshot of the subscribed skills with hand-checked figures', async () => {
    // gamma: 3 calls in this hour, 2 successes, durations 100 + 200 + 600 ms
    await s.app.tracker.trackBatch([inv('gamma', true, 100), inv('gamma', true, 200), inv('gamma', false, 600)]);
    const c = await TestClient.open(s.wsUrl);
    c.send({ v: 1, type: 'subscribe', skills: ['gamma'], channels: ['snapshot'] });
    const snap = await c.next('snapshot');
    const top = snap.top_skills as { skill_name: string; invocations: number; successes: number; success_rate: number; avg_duration_ms: number }[];
    assert.equal(top.length, 1);
    assert.equal(top[0]!.skill_name, 'gamma');
    assert.equal(top[0]!.invocations, 3);
    assert.equal(top[0]!.successes, 2);
    assert.equal(top[0]!.success_rate, 0.6667); // 2 / 3 rounded to 4 decimals
    assert.equal(top[0]!.avg_duration_ms, 300); // (100 + 200 + 600) / 3
    const summary = snap.summary as { invocations: number; active_skills: number };
    assert.equal(summary.invocations, 3);
    assert.equal(summary.active_skills, 1);
    assert.ok((snap.connections as number) >= 1);
    // and again on the next tick
    const again = await c.next('snapshot');
    assert.equal((again.top_skills as unknown[]).length, 1);
    await c.close();
  });

  it('answers get_trend with hourly points of one skill', async () => {
    await s.app.tracker.trackBatch([inv('delta', true, 1000), inv('delta', false, 3000)]);
    const c = await TestClient.open(s.wsUrl);
    c.send({ v: 1, type: 'get_trend', skill: 'delta', hours: 3, id: 7 });
    const t = await c.next('trend');
    assert.equal(t.id, 7);
    assert.equal(t.skill, 'delta');
    const points = t.points as { invocations: number; successes: number; success_rate: number | null; avg_duration_ms: number | null }[];
    assert.equal(points.length, 3);
    assert.deepEqual(
      points.slice(0, 2).map((p) => p.invocations),
      [0, 0],
    );
    assert.equal(points[2]!.invocations, 2);
    assert.equal(points[2]!.success_rate, 0.5); // 1 of 2
    assert.equal(points[2]!.avg_duration_ms, 2000); // (1000 + 3000) / 2
    await c.close();
  });

  it('answers malformed messages with an error and keeps the connection open', async () => {
    const c = await TestClient.open(s.wsUrl);
    c.send('{not json');
    let err = await c.next('error');
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(String(err.message), /not valid JSON/);
    c.send({ v: 1, type: 'launch_rockets' });
    err = await c.next('error');
    assert.match(String(err.message), /^type: must be one of/);
    c.send({ v: 2, type: 'ping' });
    err = await c.next('error');
    assert.match(String(err.message), /^v: /);
    c.send({ v: 1, type: 'subscribe', skills: [], id: 'x' });
    err = await c.next('error');
    assert.equal(err.message, 'id: unknown key'); // an unknown key first, as over MCP (subscribe takes no id)
    assert.equal(err.ref, 'x');
    c.send([1, 2]);
    err = await c.next('error');
    assert.match(String(err.message), /JSON object/);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    err = await c.next('error');
    assert.match(String(err.message), /binary/);
    c.send({ v: 1, type: 'ping', id: 'still-here' });
    assert.equal((await c.next('pong')).id, 'still-here');
    assert.equal(c.ws.readyState, WebSocket.OPEN);
    await c.close();
  });

  it('names the field and the rule of an invalid subscription, and keeps the one in force', async () => {
    const c = await TestClient.open(s.wsUrl);
    c.send({ v: 1, type: 'subscribe', skills: ['alpha'], channels: ['invocations'] });
    await c.next('subscribed');
    const refusals: [unknown, string][] = [
      [{ v: 1, type: 'subscribe', skills: Array.from({ length: 101 }, (_, i) => `s${i}`) }, 'skills: must hold at most 100 names'],
      [{ v: 1, type: 'subscribe', skills: [] }, 'skills: must hold at least 1 name'],
      [{ v: 1, type: 'subscribe', skills: ['a\u0000b'] }, 'skills.0: must not contain control characters'],
      [{ v: 1, type: 'subscribe', skills: '*', channels: ['gossip'] }, 'channels.0: must be one of snapshot, invocations, anomalies'],
      [{ v: 1, type: 'ping', id: { a: 1 } }, 'id: must be a string or a number'],
    ];
    for (const [msg, message] of refusals) {
      c.send(msg);
      const err = await c.next('error');
      assert.equal(err.code, 'INVALID_INPUT');
      assert.equal(err.message, message);
    }
    assert.equal(c.received.filter((m) => m.type === 'subscribed').length, 0);
    // The subscription to alpha still holds: its events arrive, no one else's.
    await s.app.tracker.trackBatch([inv('beta', true, 1), inv('alpha', true, 2)]);
    const pushed = await c.next('invocations');
    assert.deepEqual(
      (pushed.events as { skill_name: string }[]).map((e) => e.skill_name),
      ['alpha'],
    );
    await c.close();
  });

  it('reports connections in websocket_connections_active', async () => {
    const scrapeGauge = async () => parsePromText(await s.rt.exporter!.metrics()).get('websocket_connections_active');
    const a = await TestClient.open(s.wsUrl);
    const b = await TestClient.open(s.wsUrl);
    await until(() => s.rt.hub!.size === 2, 'two clients');
    assert.equal(await scrapeGauge(), 2);
    await a.close();
    await b.close();
    await until(() => s.rt.hub!.size === 0, 'no clients');
    assert.equal(await scrapeGauge(), 0);
  });

  it('refuses foreign Origins and Host headers, accepts its own origin', async () => {
    const port = s.http.port;
    assert.equal(await rejectionStatus(TestClient.open(s.wsUrl, { headers: { Origin: 'http://evil.example' } })), 403);
    assert.equal(await rejectionStatus(TestClient.open(s.wsUrl, { headers: { Host: `rebound.example:${port}` } })), 403);
    const ok = await TestClient.open(s.wsUrl, { headers: { Origin: `http://127.0.0.1:${port}` } });
    await ok.close();
  });

  it('answers upgrades on other paths with 404', async () => {
    assert.equal(await rejectionStatus(TestClient.open(`ws://127.0.0.1:${s.http.port}/nope`)), 404);
  });
});

describe('WsHub access token', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    s = await startServer({ wsRequireToken: true });
  });
  after(() => s.close());

  it('stores the token in the data dir with mode 0600', async () => {
    const fs = await import('node:fs');
    const st = fs.statSync(`${s.app.dir}/token`);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(`${s.app.dir}/token`, 'utf8').trim(), s.rt.token);
    assert.equal(s.rt.tokenRequired, true);
  });

  it('rejects a missing or wrong token with 401', async () => {
    assert.equal(await rejectionStatus(TestClient.open(s.wsUrl)), 401);
    assert.equal(await rejectionStatus(TestClient.open(s.wsUrl, { headers: { Authorization: 'Bearer wrong-token' } })), 401);
    assert.equal(await rejectionStatus(TestClient.open(`${s.wsUrl}?token=${'x'.repeat(43)}`)), 401);
  });

  it('accepts the token as a bearer header or a query parameter', async () => {
    const a = await TestClient.open(s.wsUrl, { headers: { Authorization: `Bearer ${s.rt.token}` } });
    assert.equal((await a.next('hello')).v, 1);
    const b = await TestClient.open(`${s.wsUrl}?token=${encodeURIComponent(s.rt.token!)}`);
    assert.equal((await b.next('hello')).v, 1);
    await a.close();
    await b.close();
  });
});

describe('WsHub on loopback without a required token', () => {
  it('still refuses a wrong token that is presented', async () => {
    const s = await startServer();
    try {
      assert.equal(s.rt.tokenRequired, false);
      assert.equal(await rejectionStatus(TestClient.open(s.wsUrl, { headers: { Authorization: 'Bearer nope' } })), 401);
    } finally {
      await s.close();
    }
  });
});

describe('WsHub limits and liveness', () => {
  it('enforces the connection limit with 503 and frees slots on close', async () => {
    const s = await startServer({ wsMaxClients: 2 });
    try {
      const a = await TestClient.open(s.wsUrl);
      const b = await TestClient.open(s.wsUrl);
      assert.equal(await rejectionStatus(TestClient.open(s.wsUrl)), 503);
      await a.close();
      await until(() => s.rt.hub!.size === 1, 'a freed slot');
      const c = await TestClient.open(s.wsUrl);
      await b.close();
      await c.close();
    } finally {
      await s.close();
    }
  });

  it('drops a client that stops answering pings', async () => {
    const s = await startServer({ heartbeatMs: 50 });
    try {
      // A raw socket that completes the handshake but never answers a ping.
      const sock = net.connect(s.http.port, '127.0.0.1');
      await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
      const key = crypto.randomBytes(16).toString('base64');
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${s.http.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const head = await new Promise<string>((resolve) => sock.once('data', (d) => resolve(String(d))));
      assert.match(head, /^HTTP\/1\.1 101/);
      // A well-behaved client stays connected throughout.
      const good = await TestClient.open(s.wsUrl);
      await until(() => s.rt.hub!.size === 2, 'both clients');
      const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
      await until(() => s.rt.hub!.size === 1, 'the dead client to be dropped');
      await closed;
      assert.equal(good.ws.readyState, WebSocket.OPEN);
      await good.close();
    } finally {
      await s.close();
    }
  });

  it('rate-limits a flood of client messages with one error', async () => {
    const s = await startServer();
    try {
      const c = await TestClient.open(s.wsUrl);
      await c.next('hello');
      for (let i = 0; i < 30; i++) c.send({ v: 1, type: 'ping', id: i });
      const err = await c.next('error');
      assert.equal(err.code, 'RATE_LIMITED');
      await c.next('pong', (m) => m.id === 19); // the 20th message is still answered
      assert.ok(!c.received.some((m) => m.type === 'pong' && (m.id as number) >= 20));
      assert.equal(c.received.filter((m) => m.type === 'error').length, 0);
      await c.close();
    } finally {
      await s.close();
    }
  });
});

describe('WsHub history series', () => {
  const HOUR = 3_600_000;
  const H = 480_000; // an epoch hour
  const now = H * HOUR + 20 * 60_000;
  let app: TestApp;
  let http: RunningHttpServer;
  let wsUrl: string;
  before(async () => {
    app = createTestApp({ now: () => now });
    const rt = await createRealtime(app, { dashboard: false, windowHours: 1 });
    http = await startHttpServer(app, rt.mounts);
    wsUrl = `ws://127.0.0.1:${http.port}/ws`;
    const at = (skill: string, t: number, completed: boolean, ms: number) => ({ ...inv(skill, completed, ms), invoked_at: t });
    await app.tracker.trackBatch([
      at('a', (H - 2) * HOUR + 600_000, true, 100),
      at('a', (H - 1) * HOUR + 300_000, false, 300),
      at('b', (H - 1) * HOUR + 1_800_000, true, 200),
    ]);
  });
  after(async () => {
    await http.close();
    await app.dispose();
  });

  it('sends a new snapshot subscriber the last 24 hours of window figures', async () => {
    const c = await TestClient.open(wsUrl);
    c.send({ v: 1, type: 'subscribe', skills: '*', channels: ['snapshot'] });
    await c.next('subscribed');
    const h = await c.next('history');
    assert.equal(h.v, 1);
    assert.equal(h.skills, '*');
    assert.equal(h.window_hours, 1);
    assert.equal(h.step_ms, HOUR);
    const points = h.points as {
      at: string;
      invocations: number;
      success_rate: number | null;
      avg_duration_ms: number | null;
      p95_duration_ms: number | null;
    }[];
    assert.equal(points.length, 24);
    assert.equal(points[0]!.at, new Date((H - 23) * HOUR).toISOString());
    assert.ok(points.slice(0, 21).every((p) => p.invocations === 0 && p.success_rate === null));
    // 1-hour windows ending at H-1 h (a: 100 ms ok) and at H h (a: 300 ms failed, b: 200 ms ok)
    assert.deepEqual(points.slice(22), [
      { at: new Date((H - 1) * HOUR).toISOString(), invocations: 1, success_rate: 1, avg_duration_ms: 100, p95_duration_ms: 100 },
      { at: new Date(H * HOUR).toISOString(), invocations: 2, success_rate: 0.5, avg_duration_ms: 250, p95_duration_ms: 300 },
    ]);
    // The live snapshot continues the line with the same rule at now (H h 20 min): its window starts at H-1 h 20 min, so only b.
    const snap = await c.next('snapshot');
    assert.equal((snap.summary as { invocations: number }).invocations, 1);
    await c.close();
  });

  it('covers the subscribed skills only, and only snapshot subscriptions', async () => {
    const c = await TestClient.open(wsUrl);
    c.send({ v: 1, type: 'subscribe', skills: ['b'] });
    const h = await c.next('history');
    assert.deepEqual(h.skills, ['b']);
    const last = (h.points as { invocations: number; avg_duration_ms: number | null }[]).at(-1)!;
    assert.deepEqual([last.invocations, last.avg_duration_ms], [1, 200]);
    c.send({ v: 1, type: 'subscribe', skills: '*', channels: ['invocations'] });
    await c.next('subscribed', (m) => m.skills === '*');
    c.send({ v: 1, type: 'ping', id: 'sync' });
    await c.next('pong');
    assert.ok(!c.received.some((m) => m.type === 'history'), 'no history without the snapshot channel');
    await c.close();
  });
});

describe('WsHub history read once for many subscriptions', () => {
  const HOUR = 3_600_000;
  const H = 480_000; // an epoch hour
  let clock = H * HOUR + 20 * 60_000;
  let app: TestApp;
  let http: RunningHttpServer;
  let wsUrl: string;
  /** Store reads of a window ending on a whole hour: the history's (a live snapshot's window ends at now, 20 minutes past). */
  let historyReads = 0;
  before(async () => {
    app = createTestApp({ now: () => clock });
    const queries = app.stores.analyticsQueries;
    const windowTotals = queries.windowTotals.bind(queries);
    queries.windowTotals = (w) => {
      if (w.toMs % HOUR === 0) historyReads++;
      return windowTotals(w);
    };
    const rt = await createRealtime(app, { dashboard: false, windowHours: 1 });
    http = await startHttpServer(app, rt.mounts);
    wsUrl = `ws://127.0.0.1:${http.port}/ws`;
    await app.tracker.trackBatch([
      { ...inv('a', true, 100), invoked_at: (H - 1) * HOUR + 600_000 },
      { ...inv('b', false, 300), invoked_at: (H - 1) * HOUR + 1_200_000 },
    ]);
  });
  after(async () => {
    await http.close();
    await app.dispose();
  });

  const newest = (h: Msg) => (h.points as { at: string; invocations: number }[]).at(-1)!;

  it('reads the 24 windows once for 20 subscriptions at once, each answered for its own skills; again after a minute and in the next hour', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => TestClient.open(wsUrl)));
    try {
      clients.forEach((c, i) => c.send({ v: 1, type: 'subscribe', skills: i % 2 === 0 ? '*' : ['a'], channels: ['snapshot'] }));
      const histories = await Promise.all(clients.map((c) => c.next('history')));
      assert.equal(historyReads, 24);
      // The window ending at H h holds a and b: 2 for every skill, 1 for a alone.
      assert.deepEqual(
        histories.map((h) => newest(h).invocations),
        clients.map((_, i) => (i % 2 === 0 ? 2 : 1)),
      );

      // A row recorded late into the past hour (an import) reaches new subscribers once the read is a minute old.
      await app.tracker.track({ ...inv('a', true, 100), invoked_at: (H - 1) * HOUR + 1_800_000 });
      clock += HISTORY_REUSE_MS - 1;
      clients[0]!.send({ v: 1, type: 'subscribe', skills: ['a'], channels: ['snapshot'] });
      assert.equal(newest(await clients[0]!.next('history')).invocations, 1);
      assert.equal(historyReads, 24);
      clock += 1;
      clients[0]!.send({ v: 1, type: 'subscribe', skills: ['a'], channels: ['snapshot'] });
      assert.equal(newest(await clients[0]!.next('history')).invocations, 2);
      assert.equal(historyReads, 48);

      // The next hour: a new series (one more point at its start).
      clock = (H + 1) * HOUR + 5 * 60_000;
      clients[1]!.send({ v: 1, type: 'subscribe', skills: '*', channels: ['snapshot'] });
      const next = await clients[1]!.next('history');
      assert.equal(newest(next).at, new Date((H + 1) * HOUR).toISOString());
      assert.equal(historyReads, 72);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
