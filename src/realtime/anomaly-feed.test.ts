/**
 * Anomalies another process stores (the instance that ran the scheduled detection while its Redis
 * connection was down, an instance without fan-out, a stdio MCP server's detect_anomalies) reach this
 * server's live stream and the hello of later connections, once; those this process carried on its
 * bus are not pushed twice, and none is counted in this instance's Prometheus counter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { AnomalyEvent } from '../events.js';
import { startHttpServer } from '../server/http-server.js';
import { createTestApp } from '../testing/harness.js';
import { createRealtime } from './realtime-mounts.js';

const anomaly = (skill: string, detectedAt: number): AnomalyEvent => ({
  skill_name: skill,
  metric: 'success_rate',
  baseline_value: 0.95,
  observed_value: 0.3,
  deviation_score: -12,
  direction: 'down',
  severity: 'critical',
  detected_at: detectedAt,
  window_hours: 3,
});

/** Polls `read` every 20 ms until it holds, for at most 10 s. */
async function until(read: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!read() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('anomalies stored by other processes', () => {
  it('are pushed on /ws once and listed in the hello of later connections; this process’s own are not pushed twice', async () => {
    const app = createTestApp();
    const rt = await createRealtime(app, { metrics: true, ws: true, dashboard: false, eventFlushMs: 10, anomalyFeedMs: 20 });
    const http = await startHttpServer(app, rt.mounts);
    const ws = new WebSocket(`ws://127.0.0.1:${http.port}/ws`);
    const pushed: string[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; events?: AnomalyEvent[] };
      if (m.type === 'anomalies') pushed.push(...m.events!.map((e) => e.skill_name));
    });
    try {
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ v: 1, type: 'subscribe', skills: '*', channels: ['anomalies'] }));
      await new Promise((r) => ws.once('message', r)); // subscribed
      // Backfilled (a day old), so they push no invocation: the skills exist, as anomalies need.
      const now = Date.now();
      for (const skill of ['elsewhere', 'here'])
        await app.tracker.track({
          skill_name: skill,
          user_id: 'u',
          session_id: 's',
          workflow_phase: 'testing',
          completed: true,
          duration_ms: 5,
          invoked_at: now - 86_400_000,
        });
      // Another process: stored, never on this process's bus.
      await app.stores.analyticsRecords.saveAnomalies([anomaly('elsewhere', now)], 3);
      // This process: stored, then published on its bus (as the anomaly service does).
      const mine = await app.stores.analyticsRecords.saveAnomalies([anomaly('here', now + 1)], 3);
      app.bus.emit('anomalies.detected', mine);
      await until(() => pushed.includes('elsewhere') && pushed.includes('here'));
      // Several more polls: nothing is pushed again.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(pushed.sort(), ['elsewhere', 'here']);

      // A later connection's hello lists it.
      const later = new WebSocket(`ws://127.0.0.1:${http.port}/ws`);
      const hello = await new Promise<{ recent_anomalies: AnomalyEvent[] }>((resolve) => later.once('message', (d) => resolve(JSON.parse(String(d)))));
      later.close();
      assert.deepEqual(hello.recent_anomalies.map((a) => a.skill_name).sort(), ['elsewhere', 'here']);

      // Counted by the process that detected it only: here, not elsewhere.
      const metrics = await rt.exporter!.metrics();
      assert.match(metrics, /^skill_anomalies_total\{severity="critical"\} 1$/m);
    } finally {
      ws.close();
      await http.close();
      await app.dispose();
    }
  });
});
