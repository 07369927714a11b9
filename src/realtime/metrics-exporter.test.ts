import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { createApp } from '../app.js';
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { callOk, connectInMemory, createTestApp, type TestApp } from '../testing/harness.js';
import { MetricsExporter } from './metrics-exporter.js';
import { parsePromText, sampleKey, type PromSamples } from './prom-text.js';

const silent = createLogger('silent');

function inv(skill: string, phase: string, completed: boolean, durationMs: number, extra: Record<string, unknown> = {}) {
  return { skill_name: skill, user_id: 'u1', session_id: 's1', workflow_phase: phase, completed, duration_ms: durationMs, ...extra };
}

async function scrape(exporter: MetricsExporter): Promise<PromSamples> {
  return parsePromText(await exporter.metrics());
}

const invocationsKey = (skill: string, phase: string, completed: boolean) =>
  sampleKey('skill_invocations_total', { skill_name: skill, workflow_phase: phase, completed: String(completed) });
const bucketKey = (skill: string, le: string) => sampleKey('skill_duration_seconds_bucket', { skill_name: skill, le });

describe('MetricsExporter on several instances', () => {
  it('counts only this instance’s events; without restoreTotals it starts from zero', async () => {
    const app = createTestApp();
    try {
      await app.tracker.trackBatch([inv('lint', 'review', true, 10)]);
      const exporter = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, logger: silent, version: app.version },
        { maxSkillLabels: 500, processMetrics: false, restoreTotals: false },
      );
      try {
        // The stored lint invocation is not restored: each instance of a shared store counts what it records.
        assert.equal((await scrape(exporter)).get(invocationsKey('lint', 'review', true)), undefined);
        await app.tracker.trackBatch([inv('lint', 'review', true, 10)]);
        const relayed = {
          id: 'r1',
          skill_name: 'lint',
          session_id: 's',
          user_hash: 'h',
          workflow_phase: 'review',
          completed: true,
          duration_ms: 10,
          error_type: null,
          invoked_at: 1,
          project: null,
          agent: null,
        };
        app.bus.emit('invocations.recorded', [relayed, relayed], { origin: 'instance-2' });
        const anomaly = {
          skill_name: 'lint',
          metric: 'duration' as const,
          baseline_value: 1,
          observed_value: 2,
          deviation_score: 3,
          direction: 'up' as const,
          severity: 'critical' as const,
          detected_at: 1,
        };
        app.bus.emit('anomalies.detected', [anomaly], { origin: 'instance-2' });
        const m = await scrape(exporter);
        // 1 local invocation; the 2 relayed ones are the other instance's to count.
        assert.equal(m.get(invocationsKey('lint', 'review', true)), 1);
        assert.equal(m.get(sampleKey('skill_anomalies_total', { severity: 'critical' })), 0);
      } finally {
        exporter.close();
      }
    } finally {
      await app.dispose();
    }
  });
});

describe('MetricsExporter and writes from another process', () => {
  it('picks up rows another connection wrote when it re-reads the totals, counting each row once', async () => {
    const app = createTestApp();
    // A second app on the same data directory: its own connection and event bus, like the CLI's `record`.
    const other = createApp(parseConfig({ flags: { dataDir: app.dir }, env: { SESSION_BUDDY_AUDIT: 'off' } }), { logger: silent });
    const exporter = await MetricsExporter.create(
      { bus: app.bus, store: app.stores.analyticsQueries, logger: silent, version: app.version },
      { maxSkillLabels: 500, processMetrics: false, reconcileMs: 0 },
    );
    const lint = async () => (await scrape(exporter)).get(invocationsKey('lint', 'review', true));
    try {
      await app.tracker.trackBatch([inv('lint', 'review', true, 10)]);
      assert.equal(await lint(), 1);
      await other.tracker.trackBatch([inv('lint', 'review', true, 10), inv('lint', 'review', true, 10)]);
      assert.equal(await lint(), 1, 'not seen before the totals are re-read');
      await exporter.reconcile();
      assert.equal(await lint(), 3);
      await exporter.reconcile();
      assert.equal(await lint(), 3, 'a second re-read adds nothing');
      // A local row: counted at once only when the local count passes the stored total; never twice.
      await app.tracker.trackBatch([inv('lint', 'review', true, 10)]);
      assert.equal(await lint(), 3, 'the local count (2) is still below the last stored total (3)');
      await exporter.reconcile();
      assert.equal(await lint(), 4);
    } finally {
      exporter.close();
      await other.close();
      await app.dispose();
    }
  });
});

describe('MetricsExporter', () => {
  let app: TestApp;
  let exporter: MetricsExporter;

  before(async () => {
    app = createTestApp();
    exporter = await MetricsExporter.create(
      { bus: app.bus, store: app.stores.analyticsQueries, logger: silent, version: app.version },
      { maxSkillLabels: 500, processMetrics: true },
    );
    await app.tracker.trackBatch([
      inv('run-tests', 'testing', true, 1200),
      inv('run-tests', 'testing', false, 300),
      inv('run-tests', 'testing', true, 45_000),
      inv('deploy', 'deployment', true, 20, { dedupe_key: 'd-1' }),
    ]);
    // Same dedupe key: stored once, counted once.
    await app.tracker.trackBatch([inv('deploy', 'deployment', true, 20, { dedupe_key: 'd-1' })]);
  });
  after(async () => {
    exporter.close();
    await app.dispose();
  });

  it('counts invocations per skill, phase and outcome', async () => {
    const m = await scrape(exporter);
    assert.equal(m.get(invocationsKey('run-tests', 'testing', true)), 2);
    assert.equal(m.get(invocationsKey('run-tests', 'testing', false)), 1);
    assert.equal(m.get(invocationsKey('deploy', 'deployment', true)), 1); // the duplicate is not counted
    assert.equal(m.get(invocationsKey('deploy', 'deployment', false)), undefined);
  });

  it('observes durations in seconds into the skill buckets', async () => {
    const m = await scrape(exporter);
    // run-tests: 0.3 s, 1.2 s, 45 s
    assert.equal(m.get(sampleKey('skill_duration_seconds_count', { skill_name: 'run-tests' })), 3);
    // 0.3 + 1.2 + 45 = 46.5
    assert.ok(Math.abs(m.get(sampleKey('skill_duration_seconds_sum', { skill_name: 'run-tests' }))! - 46.5) < 1e-9);
    assert.equal(m.get(bucketKey('run-tests', '0.25')), 0);
    assert.equal(m.get(bucketKey('run-tests', '0.5')), 1); // 0.3
    assert.equal(m.get(bucketKey('run-tests', '2.5')), 2); // 0.3, 1.2
    assert.equal(m.get(bucketKey('run-tests', '30')), 2);
    assert.equal(m.get(bucketKey('run-tests', '60')), 3); // + 45
    assert.equal(m.get(bucketKey('run-tests', '+Inf')), 3);
    // deploy: 0.02 s falls in the first bucket (0.025)
    assert.equal(m.get(bucketKey('deploy', '0.025')), 1);
  });

  it('counts anomalies by severity, both series present from the start', async () => {
    const before = await scrape(exporter);
    assert.equal(before.get(sampleKey('skill_anomalies_total', { severity: 'warning' })), 0);
    assert.equal(before.get(sampleKey('skill_anomalies_total', { severity: 'critical' })), 0);
    const a = {
      skill_name: 'run-tests',
      metric: 'success_rate' as const,
      baseline_value: 0.95,
      observed_value: 0.5,
      deviation_score: 4,
      direction: 'down' as const,
      detected_at: Date.now(),
    };
    app.bus.emit('anomalies.detected', [
      { ...a, severity: 'critical' },
      { ...a, severity: 'warning' },
      { ...a, severity: 'critical' },
    ]);
    const m = await scrape(exporter);
    assert.equal(m.get(sampleKey('skill_anomalies_total', { severity: 'critical' })), 2);
    assert.equal(m.get(sampleKey('skill_anomalies_total', { severity: 'warning' })), 1);
  });

  it('counts MCP tool calls from real tool invocations', async () => {
    const client = await connectInMemory(app.createMcpServer('metrics-test'));
    try {
      await callOk(client, 'track_skill_invocation', inv('lint', 'review', true, 5));
      const m = await scrape(exporter);
      assert.equal(m.get(sampleKey('mcp_tool_calls_total', { tool: 'track_skill_invocation', outcome: 'ok' })), 1);
      assert.equal(m.get(sampleKey('mcp_tool_duration_seconds_count', { tool: 'track_skill_invocation' })), 1);
      assert.equal(m.get(invocationsKey('lint', 'review', true)), 1);
    } finally {
      await client.close();
    }
  });

  it('exports the connection gauge, the info metric and process metrics', async () => {
    exporter.setConnections(3);
    const text = await exporter.metrics();
    const m = parsePromText(text);
    assert.equal(m.get('websocket_connections_active'), 3);
    assert.equal(m.get(sampleKey('session_buddy_info', { version: app.version })), 1);
    assert.ok((m.get('process_resident_memory_bytes') ?? 0) > 0);
    assert.match(text, /# TYPE skill_duration_seconds histogram/);
    assert.match(exporter.contentType, /^text\/plain; version=0\.0\.4/);
  });

  it('leaves the global prom-client registry alone', async () => {
    const names = (await globalRegistry.getMetricsAsJSON()).map((x) => x.name);
    assert.ok(!names.includes('skill_invocations_total'));
  });
});

describe('MetricsExporter label cap', () => {
  it('reports skills past the cap as __other__, keeping the most used names from the store', async () => {
    const app = createTestApp();
    try {
      // Stored before the exporter starts: busy (3 calls) and medium (2) keep their names, rare (1) does not.
      await app.tracker.trackBatch([
        inv('rare', 'review', true, 10),
        inv('busy', 'testing', true, 10),
        inv('busy', 'testing', true, 10),
        inv('busy', 'testing', true, 10),
        inv('medium', 'testing', true, 10),
        inv('medium', 'testing', true, 10),
      ]);
      const exporter = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, logger: silent, version: app.version },
        { maxSkillLabels: 2, processMetrics: false },
      );
      await app.tracker.trackBatch([inv('newcomer', 'review', false, 10), inv('busy', 'testing', true, 10)]);
      const m = await scrape(exporter);
      exporter.close();
      assert.equal(m.get(invocationsKey('busy', 'testing', true)), 4); // 3 stored + 1 live
      assert.equal(m.get(invocationsKey('medium', 'testing', true)), 2);
      assert.equal(m.get(invocationsKey('__other__', 'review', true)), 1); // rare
      assert.equal(m.get(invocationsKey('__other__', 'review', false)), 1); // newcomer
      assert.equal(m.get(invocationsKey('rare', 'review', true)), undefined);
      assert.equal(m.get(sampleKey('skill_duration_seconds_count', { skill_name: '__other__' })), 1);
      assert.equal(m.get('process_resident_memory_bytes'), undefined); // processMetrics: false
    } finally {
      await app.dispose();
    }
  });

  it('gives the names to skills used live, not to skills only ever imported as history', async () => {
    const app = createTestApp();
    // The CLI's `import` in another process: 6 skills, a month old (backfill), more than the cap of 3.
    const other = createApp(parseConfig({ flags: { dataDir: app.dir }, env: { SESSION_BUDDY_AUDIT: 'off' } }), { logger: silent });
    const monthAgo = Date.now() - 30 * 86_400_000;
    const old = (skill: string) => inv(skill, 'testing', true, 10, { invoked_at: monthAgo });
    try {
      await other.tracker.trackBatch(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map(old));
      const exporter = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, logger: silent, version: app.version },
        { maxSkillLabels: 3, processMetrics: false, reconcileMs: 0 },
      );
      try {
        await other.tracker.trackBatch(['h7', 'h8'].map(old)); // more history while the server runs
        await exporter.reconcile();
        // An import in this process too: counted as backfill, under a cap of its own.
        await app.tracker.trackBatch(['h9', 'h10', 'h11', 'h12'].map(old));
        await app.tracker.trackBatch([inv('new1', 'testing', true, 10), inv('new2', 'testing', false, 10), inv('new3', 'review', true, 10)]);
        await exporter.reconcile();
        await app.tracker.trackBatch([inv('new4', 'review', true, 10)]);
        const m = await scrape(exporter);
        assert.equal(m.get(invocationsKey('new1', 'testing', true)), 1);
        assert.equal(m.get(invocationsKey('new2', 'testing', false)), 1);
        assert.equal(m.get(invocationsKey('new3', 'review', true)), 1);
        assert.equal(m.get(invocationsKey('__other__', 'review', true)), 1, 'new4: past the cap of 3');
        assert.equal(m.get(invocationsKey('__other__', 'testing', true)), undefined, 'history is no live series');
        assert.equal(m.get(sampleKey('skill_invocations_backfilled_total', { skill_name: 'h9' })), 1);
        assert.equal(m.get(sampleKey('skill_invocations_backfilled_total', { skill_name: '__other__' })), 1, 'h12');
      } finally {
        exporter.close();
      }
    } finally {
      await other.close();
      await app.dispose();
    }
  });

  it('keeps part of the cap for skills used live after a restart; a late name counts from when it got its series', async () => {
    const app = createTestApp();
    try {
      // Live history: a×5, b×4, c×3, d×2, e×1. With a cap of 5 the history takes 4 names (80%).
      const history: ReturnType<typeof inv>[] = [];
      ['a', 'b', 'c', 'd', 'e'].forEach((skill, i) => {
        for (let n = 0; n < 5 - i; n++) history.push(inv(skill, 'testing', true, 10));
      });
      await app.tracker.trackBatch(history);
      const exporter = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, logger: silent, version: app.version },
        { maxSkillLabels: 5, processMetrics: false, reconcileMs: 0 },
      );
      try {
        let m = await scrape(exporter);
        assert.equal(m.get(invocationsKey('d', 'testing', true)), 2);
        assert.equal(m.get(invocationsKey('e', 'testing', true)), undefined);
        assert.equal(m.get(invocationsKey('__other__', 'testing', true)), 1, 'e, the least used');
        // e is used live: it takes the name kept free, counting from now; its history stays in __other__.
        await app.tracker.trackBatch([inv('e', 'testing', true, 10)]);
        await exporter.reconcile();
        m = await scrape(exporter);
        assert.equal(m.get(invocationsKey('e', 'testing', true)), 1);
        assert.equal(m.get(invocationsKey('__other__', 'testing', true)), 1);
        // The cap is full now: a new skill goes under __other__, and every named series stays.
        await app.tracker.trackBatch([inv('f', 'testing', true, 10), inv('a', 'testing', true, 10)]);
        await exporter.reconcile();
        m = await scrape(exporter);
        assert.equal(m.get(invocationsKey('__other__', 'testing', true)), 2);
        assert.equal(m.get(invocationsKey('a', 'testing', true)), 6);
        assert.equal(m.get(invocationsKey('e', 'testing', true)), 1);
        let sum = 0;
        for (const [k, v] of m) if (k.startsWith('skill_invocations_total{')) sum += v;
        assert.equal(sum, 18, 'summed over skill_name, every stored live invocation once');
      } finally {
        exporter.close();
      }
    } finally {
      await app.dispose();
    }
  });

  it("caps the skill labels of Claude Code's telemetry apart: many names there take none from the invocation series", async () => {
    const app = createTestApp();
    try {
      const exporter = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, logger: silent, version: app.version },
        { maxSkillLabels: 2, processMetrics: false },
      );
      const family = { name: 'claude_code_cost_usd_total', help: 'cost', labels: { model: 'model', skill: 'skill' } };
      app.bus.emit(
        'telemetry.counted',
        ['custom-0', 'custom-1', 'custom-2'].map((skill) => ({ family, labels: { model: 'm', skill }, value: 0.5 })),
      );
      await app.tracker.trackBatch([inv('brand-new', 'planning', true, 10)]);
      const m = await scrape(exporter);
      exporter.close();
      assert.equal(m.get(invocationsKey('brand-new', 'planning', true)), 1);
      assert.equal(m.get(sampleKey('claude_code_cost_usd_total', { model: 'm', skill: 'custom-0' })), 0.5);
      assert.equal(m.get(sampleKey('claude_code_cost_usd_total', { model: 'm', skill: '__other__' })), 0.5);
    } finally {
      await app.dispose();
    }
  });
});

describe('MetricsExporter after a restart', () => {
  it('initialises the invocation counter from the store; the histogram starts empty', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-metrics-restart-'));
    try {
      const config = parseConfig({ flags: { dataDir: dir, port: 0 }, env: {} });
      const first = createApp(config, { logger: silent });
      const e1 = await MetricsExporter.create(
        { bus: first.bus, store: first.stores.analyticsQueries, logger: silent, version: first.version },
        { maxSkillLabels: 500, processMetrics: false },
      );
      await first.tracker.trackBatch([
        inv('build', 'implementation', true, 2000),
        inv('build', 'implementation', true, 3000),
        inv('build', 'implementation', false, 100),
      ]);
      const m1 = await scrape(e1);
      assert.equal(m1.get(invocationsKey('build', 'implementation', true)), 2);
      e1.close();
      await first.close();

      const second = createApp(config, { logger: silent });
      const e2 = await MetricsExporter.create(
        { bus: second.bus, store: second.stores.analyticsQueries, logger: silent, version: second.version },
        { maxSkillLabels: 500, processMetrics: false },
      );
      try {
        let m2 = await scrape(e2);
        assert.equal(m2.get(invocationsKey('build', 'implementation', true)), 2);
        assert.equal(m2.get(invocationsKey('build', 'implementation', false)), 1);
        assert.equal(m2.get(sampleKey('skill_duration_seconds_count', { skill_name: 'build' })), undefined);
        await second.tracker.track(inv('build', 'implementation', true, 500));
        m2 = await scrape(e2);
        assert.equal(m2.get(invocationsKey('build', 'implementation', true)), 3); // 2 restored + 1 new
        assert.equal(m2.get(sampleKey('skill_duration_seconds_count', { skill_name: 'build' })), 1);
      } finally {
        e2.close();
        await second.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MetricsExporter skill cost gauges', () => {
  it('exports attributed cost, calls and tokens per skill and rule; no USD series while a call is unpriced', async () => {
    let now = 1_000_000;
    const app = createTestApp();
    try {
      const call = (key: string, skill: string, attribution: 'stamped' | 'bounded', model: string, tokens: number, costUsd: number | null) => ({
        key,
        skill,
        attribution,
        userHash: 'h',
        sessionKey: 's',
        model,
        at: Date.UTC(2025, 0, 1),
        inputTokens: tokens,
        outputTokens: 10,
        cacheWriteTokens: 0,
        cacheReadTokens: 5,
        costUsd,
      });
      await app.stores.skillCosts.record([
        call('a', 'skill:pdf', 'stamped', 'm', 100, 0.25),
        call('b', 'skill:pdf', 'stamped', 'm', 300, 0.5),
        call('c', 'skill:pdf', 'bounded', 'unknown-model', 40, null),
      ]);
      const exporter = await MetricsExporter.create(
        { bus: app.bus, store: app.stores.analyticsQueries, costs: app.stores.skillCosts, now: () => now, logger: silent, version: app.version },
        { maxSkillLabels: 500, processMetrics: false, reconcileMs: 0 },
      );
      try {
        const s = await scrape(exporter);
        assert.equal(s.get(sampleKey('skill_cost_usd', { skill_name: 'skill:pdf', attribution: 'stamped' })), 0.75);
        // Bounded has an unpriced call: its cost is unknown, so no USD series, and the unpriced count says why.
        assert.equal(s.get(sampleKey('skill_cost_usd', { skill_name: 'skill:pdf', attribution: 'bounded' })), undefined);
        assert.equal(s.get(sampleKey('skill_cost_unpriced_calls', { skill_name: 'skill:pdf', attribution: 'bounded' })), 1);
        assert.equal(s.get(sampleKey('skill_attributed_api_calls', { skill_name: 'skill:pdf', attribution: 'stamped' })), 2);
        assert.equal(s.get(sampleKey('skill_attributed_tokens', { skill_name: 'skill:pdf', attribution: 'stamped', kind: 'input' })), 400);
        assert.equal(s.get(sampleKey('skill_attributed_tokens', { skill_name: 'skill:pdf', attribution: 'stamped', kind: 'cache_read' })), 10);

        // New rows show after the refresh interval, not before.
        await app.stores.skillCosts.record([call('d', 'skill:pdf', 'stamped', 'm', 1, 1)]);
        assert.equal((await scrape(exporter)).get(sampleKey('skill_attributed_api_calls', { skill_name: 'skill:pdf', attribution: 'stamped' })), 2);
        now += 60_000;
        assert.equal((await scrape(exporter)).get(sampleKey('skill_attributed_api_calls', { skill_name: 'skill:pdf', attribution: 'stamped' })), 3);
      } finally {
        exporter.close();
      }
    } finally {
      await app.dispose();
    }
  });
});
