/**
 * The shipped monitoring artefacts (deploy/grafana/session-buddy.json,
 * deploy/prometheus/alerts.yml) must only use metrics the exporter really
 * exports. With promtool on the PATH the rules and their unit tests run too
 * (scripts/check-prometheus.sh runs the same checks in CI and insists on promtool).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { SKILL_ACTIVATIONS, TELEMETRY_FAMILIES } from '../capture/otlp-metrics.js';
import { createLogger } from '../logger.js';
import { createTestApp } from '../testing/harness.js';
import { MetricsExporter } from './metrics-exporter.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const grafanaFile = path.join(root, 'deploy/grafana/session-buddy.json');
const alertsFile = path.join(root, 'deploy/prometheus/alerts.yml');
const alertTestsFile = path.join(root, 'deploy/prometheus/alerts.test.yml');
const promtool = spawnSync('promtool', ['--version']).status === 0;

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}

/** Metric names used in a PromQL expression (every selector here has a `{...}` matcher). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!);
}

let exported: Set<string>;

before(async () => {
  const app = createTestApp();
  const exporter = await MetricsExporter.create(
    { bus: app.bus, store: app.stores.analyticsQueries, costs: app.stores.skillCosts, logger: createLogger('silent'), version: app.version },
    { maxSkillLabels: 10, processMetrics: true },
  );
  // Claude Code's families exist once telemetry arrives: one count of each, as /v1/metrics and /v1/logs give them.
  const families = [...Object.values(TELEMETRY_FAMILIES), SKILL_ACTIVATIONS];
  app.bus.emit(
    'telemetry.counted',
    families.map((family) => ({ family, labels: Object.fromEntries(Object.values(family.labels).map((l) => [l, 'x'])), value: 1 })),
  );
  const text = await exporter.metrics();
  exporter.close();
  await app.dispose();
  exported = new Set(['up']); // added by Prometheus itself for every target
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(name! + s);
    else exported.add(name!);
  }
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(grafanaFile, 'utf8')) as {
    uid: string;
    title: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: { name: string; type: string }[] };
  };

  it('is an importable dashboard document', () => {
    assert.equal(dashboard.uid, 'session-buddy');
    assert.equal(dashboard.title, 'Session Buddy');
    assert.ok(dashboard.schemaVersion >= 30);
    assert.deepEqual(
      dashboard.templating.list.map((v) => [v.name, v.type]),
      [
        ['datasource', 'datasource'],
        ['job', 'query'],
        ['skill', 'query'],
      ],
    );
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const p of dashboard.panels) {
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `panel ${p.id} fits the 24-column grid`);
      if (p.type === 'row') continue;
      assert.equal(p.datasource?.uid, '${datasource}', `panel ${p.id} uses the datasource variable`);
      assert.ok((p.targets ?? []).length > 0, `panel ${p.id} has a query`);
    }
  });

  it('covers rate, success rate, p95 per skill, anomalies and connections', () => {
    const byTitle = new Map(dashboard.panels.map((p) => [p.title, (p.targets ?? []).map((t) => t.expr).join('\n')]));
    assert.match(byTitle.get('Invocation rate by skill')!, /sum by \(skill_name\) \(rate\(skill_invocations_total/);
    assert.match(byTitle.get('Success rate by skill')!, /completed="true"/);
    assert.match(byTitle.get('p95 duration by skill')!, /histogram_quantile\(0\.95, sum by \(skill_name, le\) \(rate\(skill_duration_seconds_bucket/);
    assert.match(byTitle.get('Anomalies by severity')!, /skill_anomalies_total/);
    assert.match(byTitle.get('WebSocket connections')!, /websocket_connections_active/);
  });

  it("covers Claude Code's telemetry (cost by model, tokens by type) and the skill cost", () => {
    const byTitle = new Map(dashboard.panels.map((p) => [p.title, p]));
    const expr = (title: string) => (byTitle.get(title)?.targets ?? []).map((t) => t.expr).join('\n');
    assert.match(
      expr('Claude Code cost by model (USD per hour)'),
      /sum by \(model\) \(rate\(claude_code_cost_usd_total\{job=~"\$job"\}\[\$__rate_interval\]\)\) \* 3600/,
    );
    assert.match(expr('Claude Code tokens by type (per second)'), /sum by \(type\) \(rate\(claude_code_tokens_total/);
    assert.match(expr('Skill cost, all time (USD)'), /sum by \(skill_name, attribution\) \(skill_cost_usd\{/);
  });

  it('queries only metrics the exporter exports', () => {
    for (const p of dashboard.panels) {
      for (const t of p.targets ?? []) {
        const names = metricNames(t.expr);
        assert.ok(names.length > 0, `panel ${p.id}: no metric in ${t.expr}`);
        for (const n of names) assert.ok(exported.has(n), `panel ${p.id} ("${p.title}") uses unknown metric ${n}`);
      }
    }
  });
});

describe('README', () => {
  it('names every metric family /metrics exports (the process_* and nodejs_* runtime metrics as a group)', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const families = [...exported].filter((n) => n !== 'up' && !/^(process|nodejs)_/.test(n)).map((n) => n.replace(/_(bucket|sum|count)$/, ''));
    assert.ok(families.length >= 20, `${families.length} families`);
    for (const f of new Set(families)) assert.ok(readme.includes(`\`${f}`), `README.md does not name ${f}`);
  });
});

describe('Prometheus alert rules', () => {
  it('use only metrics the exporter exports', () => {
    const text = fs.readFileSync(alertsFile, 'utf8');
    const exprs = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    const names = new Set(exprs.flatMap((l) => metricNames(l)).filter((n) => !['labels', 'annotations'].includes(n)));
    assert.ok(names.size >= 5);
    for (const n of names) assert.ok(exported.has(n), `alerts.yml uses unknown metric ${n}`);
  });

  it('pass promtool check rules and their unit tests', { skip: promtool ? false : 'promtool not installed' }, () => {
    const check = spawnSync('promtool', ['check', 'rules', alertsFile], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const test = spawnSync('promtool', ['test', 'rules', alertTestsFile], { encoding: 'utf8' });
    assert.equal(test.status, 0, test.stdout + test.stderr);
  });

  it('accept every dashboard query as valid PromQL', { skip: promtool ? false : 'promtool not installed' }, () => {
    const rules = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/grafana-rules.ts'), grafanaFile], { encoding: 'utf8' });
    assert.equal(rules.status, 0, rules.stderr);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-grafana-rules-'));
    try {
      fs.writeFileSync(path.join(dir, 'q.yml'), rules.stdout);
      const check = spawnSync('promtool', ['check', 'rules', path.join(dir, 'q.yml')], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stdout + check.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
