/**
 * The server watches by itself: an anomaly planted in the store is found by
 * the scheduled detection, with no tool called, and shows up on /ws and in
 * skill_anomalies_total.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { parsePromText, sampleKey } from '../realtime/prom-text.js';
import { createRealtime } from '../realtime/realtime-mounts.js';
import { callOk, connectInMemory, createTestApp } from '../testing/harness.js';
import { startHttpServer } from './http-server.js';
import { startScheduledWork } from './scheduled-work.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function nextMessage(ws: WebSocket, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (data: unknown) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (m.type !== type) return;
      ws.off('message', on);
      resolve(m);
    };
    ws.on('message', on);
  });
}

describe('scheduled detection', () => {
  it('finds a planted failure spike on its own: stored once, pushed on /ws, counted in skill_anomalies_total', async () => {
    // Detection every 50 ms (the default is 60 s) over the last 3 hours against the 7 days before.
    const app = createTestApp({ env: { SESSION_BUDDY_DETECT_INTERVAL: '0.05', SESSION_BUDDY_BASELINES_REFRESH: '0' } });
    const rt = await createRealtime(app, { metrics: true, ws: true, dashboard: false });
    const http = await startHttpServer(app, rt.mounts);
    const now = Date.now();
    const base = { user_id: 'u', session_id: 's', workflow_phase: 'testing' };
    // deploy: 200 runs 2–5 days ago, 190 ok (0.95); 40 runs in the last 30 minutes, 20 ok (0.5).
    // z = (0.5 − 0.95) / sqrt(0.95 · 0.05 / 40) = −0.45 / 0.034460 = −13.06: critical at any sensible FDR level.
    await app.tracker.trackBatch(
      Array.from({ length: 200 }, (_, i) => ({
        ...base,
        skill_name: 'deploy',
        completed: i >= 10,
        duration_ms: 1000,
        invoked_at: now - 2 * DAY - i * 20 * MIN,
      })),
    );
    await app.tracker.trackBatch(
      Array.from({ length: 40 }, (_, i) => ({
        ...base,
        skill_name: 'deploy',
        completed: i % 2 === 0,
        duration_ms: 1000,
        invoked_at: now - 30 * MIN + i * 30_000,
      })),
    );
    const ws = new WebSocket(`ws://127.0.0.1:${http.port}/ws`);
    await new Promise((r) => ws.once('open', r));
    const subscribed = nextMessage(ws, 'subscribed');
    ws.send(JSON.stringify({ v: 1, type: 'subscribe', skills: '*', channels: ['anomalies'] }));
    await subscribed;
    const pushed = nextMessage(ws, 'anomalies');
    const work = startScheduledWork(app);
    try {
      const msg = await pushed;
      const events = msg.events as Array<Record<string, unknown>>;
      assert.deepEqual(
        events.map((e) => [e.skill_name, e.metric, e.direction, e.severity, e.baseline_value, e.observed_value]),
        [['deploy', 'success_rate', 'down', 'critical', 0.95, 0.5]],
      );
      const metrics = parsePromText(await rt.exporter!.metrics());
      assert.equal(metrics.get(sampleKey('skill_anomalies_total', { severity: 'critical' })), 1);
      assert.equal(metrics.get(sampleKey('skill_anomalies_total', { severity: 'warning' })), 0);

      // Later runs (new slots) see the same ongoing episode: nothing stored, counted or pushed again.
      let ran = 0;
      while (ran < 2) {
        await new Promise((r) => setTimeout(r, 60));
        if (await work.detection!.tick()) ran++;
      }
      assert.equal((await app.stores.analyticsRecords.recentAnomalies({ limit: 10 })).length, 1);
      assert.equal(parsePromText(await rt.exporter!.metrics()).get(sampleKey('skill_anomalies_total', { severity: 'critical' })), 1);
    } finally {
      ws.close();
      await work.stop();
      await http.close();
      await app.dispose();
    }
  });

  it('is off with --no-detect or an interval of 0', () => {
    const off = createTestApp({ flags: { detect: false } });
    const zero = createTestApp({ env: { SESSION_BUDDY_DETECT_INTERVAL: '0', SESSION_BUDDY_BASELINES_REFRESH: 'off' } });
    try {
      for (const app of [off, zero]) {
        const work = startScheduledWork(app);
        assert.equal(work.detection, null);
        void work.stop();
      }
      assert.equal(zero.config.baselinesRefreshMs, null);
      assert.equal(off.config.detection.intervalMs, null);
    } finally {
      void off.dispose();
      void zero.dispose();
    }
  });
});

describe('scheduled baseline refresh', () => {
  it('keeps the stored community baselines fresh, and get_community_baselines says how old they are', async () => {
    const T = Date.UTC(2026, 10, 30, 9, 0, 0);
    let clock = T;
    const app = createTestApp({ now: () => clock, env: { SESSION_BUDDY_DETECT_INTERVAL: '0', SESSION_BUDDY_BASELINES_REFRESH: '60' } });
    const client = await connectInMemory(app.createMcpServer('t'));
    const base = { user_id: 'u', session_id: 's', workflow_phase: 'testing', duration_ms: 100 };
    await app.tracker.trackBatch([
      { ...base, skill_name: 'lint', completed: true },
      { ...base, skill_name: 'lint', completed: false },
    ]);
    const work = startScheduledWork(app);
    try {
      await work.baselines!.tick(); // the run of T's slot (the start-up run, scheduled next, then finds it claimed)
      await new Promise((r) => setImmediate(r));
      await work.baselines!.tick();
      clock = T + 125_000;
      const first = await callOk<any>(client, 'get_community_baselines', {});
      assert.equal(first.source, 'stored');
      assert.equal(first.computed_at, new Date(T).toISOString());
      assert.equal(first.age_seconds, 125);
      assert.deepEqual(
        first.baselines.map((b: any) => [b.skill_name, b.invocations, b.success_rate]),
        [['lint', 2, 0.5]],
      );

      // New data, and the next 60-second slot: the refresh picks it up with no client asking.
      await app.tracker.trackBatch([
        { ...base, skill_name: 'lint', completed: true },
        { ...base, skill_name: 'lint', completed: true },
      ]);
      assert.equal(await work.baselines!.tick(), true);
      const second = await callOk<any>(client, 'get_community_baselines', {});
      assert.equal(second.computed_at, new Date(T + 125_000).toISOString());
      assert.equal(second.age_seconds, 0);
      assert.deepEqual(
        second.baselines.map((b: any) => [b.skill_name, b.invocations, b.success_rate]),
        [['lint', 4, 0.75]],
      );
    } finally {
      await work.stop();
      await client.close();
      await app.dispose();
    }
  });
});
