/**
 * Live versus backfill: month-old invocations (an import of old transcripts,
 * demo data) go to the store and the analytics, but move no live Prometheus
 * series, are not pushed on /ws as live, and so cannot fire the failure-rate
 * alert. They are counted in skill_invocations_backfilled_total instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { createApp } from '../app.js';
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startHttpServer } from '../server/http-server.js';
import { createTestApp } from '../testing/harness.js';
import { MetricsExporter } from './metrics-exporter.js';
import { parsePromText, sampleKey } from './prom-text.js';
import { createRealtime } from './realtime-mounts.js';

const DAY = 86_400_000;
const inv = (completed: boolean, invokedAt: number, i: number) => ({
  skill_name: 'deploy',
  user_id: 'u',
  session_id: `s${i}`,
  workflow_phase: 'deployment',
  completed,
  duration_ms: 2000,
  invoked_at: invokedAt,
});
const total = (completed: boolean) =>
  sampleKey('skill_invocations_total', { skill_name: 'deploy', workflow_phase: 'deployment', completed: String(completed) });

describe('backfilled invocations', () => {
  it('an import of 500 month-old failures moves no live series and no /ws push; the store and analytics have them', async () => {
    const app = createTestApp();
    const rt = await createRealtime(app, { metrics: true, ws: true, dashboard: false, eventFlushMs: 10 });
    const http = await startHttpServer(app, rt.mounts);
    const ws = new WebSocket(`ws://127.0.0.1:${http.port}/ws`);
    const pushed: Array<{ completed: boolean; invoked_at: number }> = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; events?: Array<{ completed: boolean; invoked_at: number }> };
      if (m.type === 'invocations') pushed.push(...m.events!);
    });
    try {
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ v: 1, type: 'subscribe', skills: '*', channels: ['invocations'] }));
      await new Promise((r) => setTimeout(r, 50));
      const now = Date.now();
      // The import: 500 failures from 30 days ago. Then live traffic: 4 successes, one just now and one
      // 4 minutes ago (inside the 5-minute threshold), and a failure 6 minutes ago (outside: backfill).
      await app.tracker.trackBatch(Array.from({ length: 500 }, (_, i) => inv(false, now - 30 * DAY + i * 1000, i)));
      await app.tracker.trackBatch([inv(true, now, 1), inv(true, now - 4 * 60_000, 2), inv(true, now, 3), inv(true, now, 4)]);
      await app.tracker.trackBatch([inv(false, now - 6 * 60_000, 5)]);
      // Wait for the live push of the 4 successes.
      for (let i = 0; i < 100 && pushed.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        pushed.map((e) => e.completed),
        [true, true, true, true],
        'only the live invocations are pushed',
      );

      const m = parsePromText(await rt.exporter!.metrics());
      assert.equal(m.get(total(true)), 4);
      assert.equal(m.get(total(false)), undefined, 'no live failure series: the failure-rate alert has nothing to fire on');
      assert.equal(m.get(sampleKey('skill_invocations_backfilled_total', { skill_name: 'deploy' })), 501);
      assert.equal(m.get(sampleKey('skill_duration_seconds_count', { skill_name: 'deploy' })), 4);

      // History is still history after re-reading the stored totals and after a restart of the exporter.
      await rt.exporter!.reconcile();
      const again = parsePromText(await rt.exporter!.metrics());
      assert.equal(again.get(total(true)), 4);
      assert.equal(again.get(total(false)), undefined);
      const restarted = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, logger: app.logger, version: app.version },
        { maxSkillLabels: 500, processMetrics: false },
      );
      try {
        const r = parsePromText(await restarted.metrics());
        assert.equal(r.get(total(true)), 4);
        assert.equal(r.get(total(false)), undefined);
      } finally {
        restarted.close();
      }

      // The store and the analytics have every row.
      const totals = (await app.stores.analyticsQueries.phaseTotals()).filter((t) => t.skill === 'deploy');
      assert.deepEqual(
        totals.map((t) => [t.completed, t.invocations, t.backfilled]),
        [
          [false, 501, 501],
          [true, 4, 0],
        ],
      );
    } finally {
      ws.close();
      await http.close();
      await app.dispose();
    }
  });

  it('rows another process backfills into the same database stay out of the live counter', async () => {
    const app = createTestApp();
    const exporter = await MetricsExporter.create(
      { bus: app.bus, store: app.stores.analyticsQueries, logger: app.logger, version: app.version },
      { maxSkillLabels: 500, processMetrics: false, reconcileMs: 0 },
    );
    // A second app on the same file plays the CLI's `import` (another process, another connection).
    const other = createApp(parseConfig({ flags: { dataDir: app.dir }, env: { SESSION_BUDDY_AUDIT: 'off' } }), { logger: createLogger('silent') });
    try {
      const now = Date.now();
      await other.tracker.trackBatch([...Array.from({ length: 50 }, (_, i) => inv(false, now - 40 * DAY, i)), inv(true, now, 99)]);
      await exporter.reconcile();
      const m = parsePromText(await exporter.metrics());
      assert.equal(m.get(total(true)), 1, 'the live row written elsewhere is picked up');
      assert.equal(m.get(total(false)), undefined, 'the 50 backfilled failures are not');
    } finally {
      exporter.close();
      await other.close();
      await app.dispose();
    }
  });
});
