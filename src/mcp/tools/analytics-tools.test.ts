import assert from 'node:assert/strict';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { durationBucket } from '../../analytics/histogram.js';
import { HOUR_MS } from '../../analytics/types.js';
import type { AnomalyEvent } from '../../events.js';
import { callErr, callOk, connectInMemory, createTestApp, type TestApp } from '../../testing/harness.js';

/** The fixed clock of every test: 2025-06-10T12:30:00Z, i.e. half way through hour H. */
const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const MIN = 60_000;
const DAY = 24 * HOUR_MS;
/** Start of the hour that contains NOW (12:00). */
const H0 = Date.UTC(2025, 5, 10, 12, 0, 0);

interface Inv {
  skill: string;
  completed: boolean;
  ms: number;
  at: number;
  user?: string;
  session?: string;
}

function toInput(i: Inv, n: number) {
  return {
    skill_name: i.skill,
    user_id: i.user ?? 'user-1',
    session_id: i.session ?? `s-${n}`,
    workflow_phase: 'implementation',
    completed: i.completed,
    duration_ms: i.ms,
    invoked_at: i.at,
  };
}

async function setup(data: Inv[], env: Record<string, string> = {}): Promise<{ app: TestApp; client: Client }> {
  const app = createTestApp({ now: () => NOW, env });
  if (data.length > 0) await app.tracker.trackBatch(data.map(toInput));
  const server = app.createMcpServer('t');
  return { app, client: await connectInMemory(server) };
}

/** n invocations of `skill`, one minute apart from `start`, the first `ok` of them successful. */
function run(skill: string, start: number, n: number, ok: number, ms: number | ((i: number) => number), extra: Partial<Inv> = {}): Inv[] {
  return Array.from({ length: n }, (_, i) => ({
    skill,
    completed: i < ok,
    ms: typeof ms === 'number' ? ms : ms(i),
    at: start + i * MIN,
    ...extra,
  }));
}

describe('analytics tools', () => {
  it('registers the six analytics tools, each with an output schema', async () => {
    const { app, client } = await setup([]);
    const { tools } = await client.listTools();
    const names = new Set(tools.map((t) => t.name));
    for (const name of [
      'detect_anomalies',
      'get_community_baselines',
      'get_real_time_metrics',
      'get_skill_dependencies',
      'get_skill_trend',
      'update_community_baselines',
    ])
      assert.ok(names.has(name), `${name} is registered`);
    for (const t of tools) assert.ok(t.outputSchema, `${t.name} declares an output schema`);
    await client.close();
    await app.dispose();
  });
});

describe('get_real_time_metrics', () => {
  let app: TestApp;
  let client: Client;
  before(async () => {
    ({ app, client } = await setup([
      // In the 2-hour window (10:30–12:30):
      { skill: 'alpha', completed: true, ms: 100, at: H0 - 50 * MIN }, // 11:10
      { skill: 'alpha', completed: true, ms: 200, at: H0 - 40 * MIN }, // 11:20
      { skill: 'alpha', completed: true, ms: 300, at: H0 }, // 12:00
      { skill: 'alpha', completed: false, ms: 400, at: H0 + 10 * MIN }, // 12:10
      { skill: 'beta', completed: true, ms: 1000, at: H0 - 30 * MIN }, // 11:30
      { skill: 'beta', completed: true, ms: 3000, at: H0 + 20 * MIN }, // 12:20
      { skill: 'gamma', completed: false, ms: 50, at: H0 - 55 * MIN }, // 11:05
      // Outside it (10:29, 121 minutes before now):
      { skill: 'alpha', completed: true, ms: 10_000, at: H0 - 91 * MIN },
    ]));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('ranks the window by invocations with exact rates and means', async () => {
    const out = await callOk<any>(client, 'get_real_time_metrics', { limit: 2, time_window_hours: 2 });
    assert.deepEqual(out.window, { from: '2025-06-10T10:30:00.000Z', to: '2025-06-10T12:30:00.000Z', hours: 2 });
    assert.equal(out.as_of, '2025-06-10T12:30:00.000Z');
    // 7 invocations in the window; successes 3 (alpha) + 2 (beta) + 0 (gamma) = 5; 5/7 = 0.714285… → 0.7143.
    // Mean duration (100+200+300+400 + 1000+3000 + 50) / 7 = 5050/7 = 721.43 → 721.4.
    assert.deepEqual(out.summary, {
      invocations: 7,
      successes: 5,
      success_rate: 0.7143,
      avg_duration_ms: 721.4,
      active_skills: 3,
      last_invoked_at: '2025-06-10T12:20:00.000Z',
    });
    assert.equal(out.top_skills.length, 2);
    const [alpha, beta] = out.top_skills;
    // alpha: 4 invocations (the 10:29 one is outside), 3 ok → 0.75, mean (100+200+300+400)/4 = 250.
    assert.equal(alpha.skill_name, 'alpha');
    assert.equal(alpha.invocations, 4);
    assert.equal(alpha.successes, 3);
    assert.equal(alpha.success_rate, 0.75);
    assert.equal(alpha.avg_duration_ms, 250);
    assert.equal(alpha.last_invoked_at, '2025-06-10T12:10:00.000Z');
    // p95: nearest rank ceil(0.95 × 4) = 4, the 400 ms one: bucket ceil(ln(400) / ln(1.01 / 0.99)) = ceil(299.55) = 300,
    // value 2 × 1.0202^300 / 2.0202 = 399.474 → 399.5 (within 1 % of 400, below the maximum 400).
    assert.equal(durationBucket(400), 300);
    assert.equal(alpha.p95_duration_ms, 399.5);
    // beta: 2 invocations, both ok, mean (1000+3000)/2 = 2000; p95 = rank 2, 3000 ms: bucket 401, value 3011.57,
    // above the largest duration recorded (3000 ms), so reported as 3000.
    assert.deepEqual([beta.skill_name, beta.invocations, beta.success_rate, beta.avg_duration_ms], ['beta', 2, 1, 2000]);
    assert.equal(beta.p95_duration_ms, 3000);
  });

  it('defaults to the last hour ending now and breaks ties by name', async () => {
    const out = await callOk<any>(client, 'get_real_time_metrics', {});
    assert.deepEqual(out.window, { from: '2025-06-10T11:30:00.000Z', to: '2025-06-10T12:30:00.000Z', hours: 1 });
    // 11:30–12:30: alpha 300 ms ok + 400 ms failed; beta 1000 ms (at 11:30, exactly an hour ago: inside) + 3000 ms.
    // gamma (11:05) is outside. alpha 2 = beta 2: by name.
    assert.deepEqual(
      out.top_skills.map((s: any) => [s.skill_name, s.invocations, s.success_rate, s.avg_duration_ms]),
      [
        ['alpha', 2, 0.5, 350],
        ['beta', 2, 1, 2000],
      ],
    );
  });

  /** A tool's text answer (what the agent reads beside the JSON). */
  async function textOf(name: string, args: Record<string, unknown>): Promise<string> {
    const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
    assert.ok(!res.isError, JSON.stringify(res.content));
    return res.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  }

  it('takes fractional windows: 0.25 h is exactly the last 15 minutes', async () => {
    const out = await callOk<any>(client, 'get_real_time_metrics', { time_window_hours: 0.25 });
    assert.deepEqual(out.window, { from: '2025-06-10T12:15:00.000Z', to: '2025-06-10T12:30:00.000Z', hours: 0.25 });
    // 12:15–12:30: only beta's 3000 ms at 12:20 (alpha's 12:10 is 20 minutes old).
    assert.deepEqual(
      out.top_skills.map((s: any) => [s.skill_name, s.invocations, s.p95_duration_ms]),
      [['beta', 1, 3000]],
    );
    // 5 minutes is the shortest window: [12:25, 12:30] holds nothing.
    const five = await callOk<any>(client, 'get_real_time_metrics', { time_window_hours: 5 / 60 });
    assert.equal(five.window.from, '2025-06-10T12:25:00.000Z');
    assert.equal(five.summary.invocations, 0);
    // The figure the README and the error print (0.0833 h) is accepted: 299.88 s back from 12:30.
    const printed = await callOk<any>(client, 'get_real_time_metrics', { time_window_hours: 0.0833 });
    assert.equal(printed.window.from, '2025-06-10T12:25:00.120Z');
    // Said in minutes in the text (the JSON keeps the hours as given).
    assert.equal(printed.window.hours, 0.0833);
    assert.match(await textOf('get_real_time_metrics', { time_window_hours: 0.0833 }), /^No invocations in the last 5 min \(since /);
    assert.match(await textOf('detect_anomalies', { time_window_hours: 0.0833, baseline_days: 1 }), /\(last 5 min vs the 1 day\(s\) before\)/);
    const anomalies = await callOk<any>(client, 'detect_anomalies', { time_window_hours: 0.0833, baseline_days: 1 });
    assert.match(anomalies.rule, /Recent window: the last 5 min; baseline/);
    const under = await callErr(client, 'get_real_time_metrics', { time_window_hours: 0.0832 });
    assert.match(under.text, /time_window_hours: must be >= 5 minutes \(0\.0833 h\)/);
  });

  it('reports an empty window without failing', async () => {
    const out = await callOk<any>(client, 'get_real_time_metrics', { time_window_hours: 1, limit: 5 });
    assert.ok(out.top_skills.length > 0);
    const { app: empty, client: c2 } = await setup([]);
    const none = await callOk<any>(c2, 'get_real_time_metrics', {});
    assert.deepEqual(none.top_skills, []);
    assert.equal(none.summary.invocations, 0);
    assert.equal(none.summary.success_rate, null);
    await c2.close();
    await empty.dispose();
  });

  it('rejects bad input naming the field', async () => {
    const zero = await callErr(client, 'get_real_time_metrics', { limit: 0 });
    assert.match(zero.text, /limit/);
    assert.match(zero.text, /must be >= 1/);
    const big = await callErr(client, 'get_real_time_metrics', { time_window_hours: 721 });
    assert.match(big.text, /time_window_hours/);
    assert.match(big.text, /must be <= 720/);
    const frac = await callErr(client, 'get_real_time_metrics', { limit: 2.5 });
    assert.match(frac.text, /limit/);
    const short = await callErr(client, 'get_real_time_metrics', { time_window_hours: 0.08 });
    assert.match(short.text, /time_window_hours/);
    assert.match(short.text, /must be >= 5 minutes \(0\.0833 h\)/);
  });
});

describe('detect_anomalies', () => {
  let app: TestApp;
  let client: Client;
  const BASE = NOW - 2 * DAY; // inside the baseline (the 7 days before the recent 24 h)
  const RECENT = NOW - HOUR_MS; // inside the recent window
  before(async () => {
    ({ app, client } = await setup([
      // deploy: baseline 40 runs, 38 ok (0.95), all 1000 ms; recent 10 runs, 2 ok (0.2), all 1000 ms.
      ...run('deploy', BASE, 40, 38, 1000),
      ...run('deploy', RECENT, 10, 2, 1000),
      // lint: baseline 40 runs, 38 ok, 900 / 1100 ms alternating; recent 10 runs, 9 ok, all 1070 ms.
      ...run('lint', BASE - HOUR_MS, 40, 38, (i) => (i % 2 === 0 ? 900 : 1100)),
      ...run('lint', RECENT + 10 * MIN, 10, 9, 1070),
      // rare: 3 recent runs, no baseline.
      ...run('rare', RECENT, 3, 3, 10),
    ]));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('finds the failure spike and the slowdown with hand-computed z, stores and publishes them', async () => {
    const published: AnomalyEvent[][] = [];
    const off = app.bus.on('anomalies.detected', (events) => published.push(events));
    const out = await callOk<any>(client, 'detect_anomalies', { threshold: 2 });
    off();

    // Recent = the last 24 hours ending now: [2025-06-09T12:30, 2025-06-10T12:30];
    // baseline = the 168 hours before that, up to 1 ms before the recent window.
    assert.deepEqual(out.recent_window, { from: '2025-06-09T12:30:00.000Z', to: '2025-06-10T12:30:00.000Z', hours: 24 });
    assert.deepEqual(out.baseline_window, { from: '2025-06-02T12:30:00.000Z', to: '2025-06-09T12:29:59.999Z', hours: 168 });
    assert.equal(out.skills_checked, 2);
    assert.equal(out.critical_threshold, 3);
    assert.deepEqual(out.insufficient_data, [{ skill_name: 'rare', recent_invocations: 3, baseline_invocations: 0 }]);
    assert.equal(out.insufficient_data_total, 1);

    // deploy success rate: pooled (2 + 38) / 50 = 0.8; z = (0.2 − 0.95) / sqrt(0.8 × 0.2 × (1/10 + 1/40))
    //   = −0.75 / sqrt(0.02) = −5.303 → critical (≥ 3).
    // deploy duration: equal means, t = 0.  lint success rate: pooled 47/50 = 0.94;
    //   (0.9 − 0.95) / sqrt(0.94 × 0.06 × 0.125) = −0.595 → nothing.
    // lint duration: Σ(x − mean)² = 40 × 100² (baseline) + 0 (recent) → pooled sd sqrt(400000 / 48) = 91.287;
    //   t = (1070 − 1000) / (91.287 × sqrt(1/10 + 1/40)) = 70 / 32.275 = 2.169 ≥ 2, but not a discovery across
    //   the run's 4 tests:
    // p-values (scipy.stats.fisher_exact, Student t): deploy success Fisher [[2, 8], [38, 2]] = 3.456e-6;
    //   lint duration Student t(2.169, df 10 − 1 = 9) = 0.0582; lint success Fisher [[9, 1], [38, 2]] = 0.496;
    //   deploy duration 1.
    // Benjamini–Hochberg at q = 0.005, m = 4: 3.456e-6 ≤ 1 × 0.005 / 4 = 0.00125 ✓, 0.0582 > 2 × 0.005 / 4 ✗ → only deploy.
    assert.equal(out.fdr_q, 0.005);
    assert.equal(out.tests, 4);
    assert.deepEqual(
      out.anomalies.map((a: any) => [a.skill_name, a.metric, a.baseline_value, a.observed_value, a.z_score, a.deviation_score, a.direction, a.severity]),
      [['deploy', 'success_rate', 0.95, 0.2, -5.3, 5.3, 'down', 'critical']],
    );
    assert.equal(out.anomalies[0].recent_invocations, 10);
    assert.equal(out.anomalies[0].baseline_invocations, 40);
    assert.deepEqual(
      out.anomalies.map((a: any) => a.newly_detected),
      [true],
    );
    assert.equal(out.stored, 1);

    assert.equal(published.length, 1);
    assert.deepEqual(
      published[0]!.map((e) => [e.skill_name, e.metric, e.severity, e.detected_at]),
      [['deploy', 'success_rate', 'critical', NOW]],
    );
    const stored = await app.stores.analyticsRecords.recentAnomalies({ limit: 10 });
    assert.deepEqual(stored.map((a) => [a.skill_name, a.metric, a.deviation_score, a.window_hours, a.detected_at]).sort(), [
      ['deploy', 'success_rate', 5.3, 24, NOW],
    ]);
  });

  it('reports an ongoing anomaly again without storing, counting or publishing it again', async () => {
    let events = 0;
    const off = app.bus.on('anomalies.detected', () => events++);
    const res = (await client.callTool({ name: 'detect_anomalies', arguments: { threshold: 2 } })) as CallToolResult;
    off();
    const out = res.structuredContent as any;
    assert.deepEqual(
      out.anomalies.map((a: any) => [a.skill_name, a.newly_detected]),
      [['deploy', false]],
    );
    assert.equal(out.stored, 0);
    assert.equal(events, 0);
    assert.match((res.content[0] as { text: string }).text, /0 new \(stored and published\), 1 already reported/);
    assert.equal((await app.stores.analyticsRecords.recentAnomalies({ limit: 10 })).length, 1);
  });

  it('uses the threshold: at 2.5 the critical level moves to 3.75', async () => {
    const out = await callOk<any>(client, 'detect_anomalies', { threshold: 2.5 });
    // critical threshold 3.75; deploy's 5.3 is still critical (and already stored).
    assert.deepEqual(
      out.anomalies.map((a: any) => [a.skill_name, a.severity, a.newly_detected]),
      [['deploy', 'critical', false]],
    );
  });

  it('checks nothing and publishes nothing when the baseline window holds too little data', async () => {
    let events = 0;
    const off = app.bus.on('anomalies.detected', () => events++);
    // Recent = the last 23.5 hours, from 2025-06-09T13:00; baseline of 1 day = [2025-06-08T13:00, 2025-06-09T12:59:59.999].
    // deploy's baseline runs (2025-06-08 12:30–13:09) put only 10 in it and lint's (11:30–12:09) none: both below
    // the 20 needed, so nothing is checked.
    const out = await callOk<any>(client, 'detect_anomalies', { baseline_days: 1, time_window_hours: 23.5 });
    off();
    assert.deepEqual(out.baseline_window, { from: '2025-06-08T13:00:00.000Z', to: '2025-06-09T12:59:59.999Z', hours: 24 });
    assert.equal(out.skills_checked, 0);
    assert.deepEqual(
      out.insufficient_data.map((d: any) => [d.skill_name, d.recent_invocations, d.baseline_invocations]),
      [
        ['deploy', 10, 10],
        ['lint', 10, 0],
        ['rare', 3, 0],
      ],
    );
    assert.deepEqual(out.anomalies, []);
    assert.equal(out.stored, 0);
    assert.equal(events, 0);
  });

  it('rejects bad input naming the field', async () => {
    const low = await callErr(client, 'detect_anomalies', { threshold: 0.1 });
    assert.match(low.text, /threshold/);
    assert.match(low.text, /must be >= 0.5/);
    const days = await callErr(client, 'detect_anomalies', { baseline_days: 0 });
    assert.match(days.text, /baseline_days/);
    const hours = await callErr(client, 'detect_anomalies', { time_window_hours: 'a day' });
    assert.match(hours.text, /time_window_hours/);
  });
});

describe('get_skill_trend', () => {
  let app: TestApp;
  let client: Client;
  // Days D-4 … D (D = 2025-06-10): 10 runs each at 01:00, with 5, 6, 8, 8, 9 successes.
  const D4 = Date.UTC(2025, 5, 6, 1, 0, 0);
  const successes = [5, 6, 8, 8, 9];
  before(async () => {
    ({ app, client } = await setup(successes.flatMap((ok, day) => run('refactor', D4 + day * DAY, 10, ok, 100 + day * 10))));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('classifies a steadily improving skill over 5 days', async () => {
    const out = await callOk<any>(client, 'get_skill_trend', { skill_name: 'refactor', days: 5, granularity: 'day' });
    assert.deepEqual(out.window, { from: '2025-06-06T00:00:00.000Z', to: '2025-06-11T00:00:00.000Z', hours: 120 });
    assert.deepEqual(
      out.points.map((p: any) => [p.bucket_start.slice(0, 10), p.invocations, p.success_rate, p.avg_duration_ms]),
      [
        ['2025-06-06', 10, 0.5, 100],
        ['2025-06-07', 10, 0.6, 110],
        ['2025-06-08', 10, 0.8, 120],
        ['2025-06-09', 10, 0.8, 130],
        ['2025-06-10', 10, 0.9, 140],
      ],
    );
    // x = 0..4 (mean 2), y = .5 .6 .8 .8 .9 (mean .72): Sxy = .44+.12+0+.08+.36 = 1.0, Sxx = 10 → slope 0.1,
    // intercept .72 − .2 = .52. Residuals −.02 −.02 .08 −.02 −.02 → SSres = .008; Syy = .108 → r² = .9259.
    // SE = sqrt(.008 / 3 / 10) = .016330, t = 6.1237, df 3 → p = 0.008754 (< 0.05) → improving.
    const sr = out.success_rate_trend;
    assert.equal(sr.classification, 'improving');
    assert.equal(sr.slope_per_bucket, 0.1);
    assert.equal(sr.intercept, 0.52);
    assert.equal(sr.r_squared, 0.9259);
    assert.equal(sr.n_points, 5);
    assert.equal(sr.p_value, 0.008754);
    // 10 invocations every day: all equal → slope 0, p = 1, flat.
    assert.deepEqual([out.usage_trend.classification, out.usage_trend.slope_per_bucket, out.usage_trend.p_value], ['flat', 0, 1]);
    assert.match(out.significance_rule, /0\.05/);
    // Fitted success rate at day 0: .52, at day 4: .52 + 4 × .1 = .92. The change compares the first and the
    // last ⌈5/3⌉ = 2 days: (.5 + .6) / 2 = .55 → (.8 + .9) / 2 = .85: .3 / .55 = 54.55 % → 54.5.
    assert.deepEqual([sr.start_value, sr.end_value, sr.change_percent, sr.change_note], [0.52, 0.92, 54.5, null]);
    assert.deepEqual([out.usage_trend.start_value, out.usage_trend.end_value, out.usage_trend.change_percent], [10, 10, 0]);
    assert.match(out.significance_rule, /change_percent compares the mean of the last third/);
    const text = ((await client.callTool({ name: 'get_skill_trend', arguments: { skill_name: 'refactor', days: 5 } })) as CallToolResult).content[0] as {
      text: string;
    };
    assert.match(
      text.text,
      /Success rate improving \(fitted 0\.52 → 0\.92, \+54\.5% last third vs first third; slope 0\.1\/day, p=0\.008754\); usage flat \(slope 0\/day, p=1, 0% last third vs first third\)\.$/,
    );
  });

  it('gives no usage percentage when the first third of the window had no invocations, and says why', async () => {
    // Days D-7 … D: nothing before D-4, so the first ⌈8/3⌉ = 3 days average 0.
    const out = await callOk<any>(client, 'get_skill_trend', { skill_name: 'refactor', days: 8 });
    assert.deepEqual(
      out.points.map((p: any) => p.invocations),
      [0, 0, 0, 10, 10, 10, 10, 10],
    );
    assert.equal(out.usage_trend.change_percent, null);
    assert.equal(out.usage_trend.change_note, 'the first third of the fitted buckets (3 of 8) averages 0: a change from 0 has no percentage');
  });

  it('builds hourly series ending with the current hour', async () => {
    const out = await callOk<any>(client, 'get_skill_trend', { skill_name: 'refactor', days: 1, granularity: 'hour' });
    // The current hour (12:00) and the 23 before it: from 2025-06-09T13:00.
    assert.equal(out.points.length, 24);
    assert.deepEqual(out.window, { from: '2025-06-09T13:00:00.000Z', to: '2025-06-10T13:00:00.000Z', hours: 24 });
    // Only today's 01:00 hour has data (10 runs, 9 ok).
    const busy = out.points.filter((p: any) => p.invocations > 0);
    assert.deepEqual(
      busy.map((p: any) => [p.bucket_start, p.invocations, p.success_rate]),
      [['2025-06-10T01:00:00.000Z', 10, 0.9]],
    );
    assert.equal(out.success_rate_trend.classification, 'insufficient_data');
  });

  it('rejects bad input and unknown skills naming the field', async () => {
    const week = await callErr(client, 'get_skill_trend', { skill_name: 'refactor', granularity: 'week' });
    assert.match(week.text, /granularity/);
    const long = await callErr(client, 'get_skill_trend', { skill_name: 'x'.repeat(129) });
    assert.match(long.text, /skill_name/);
    assert.match(long.text, /at most 128/);
    const missing = await callErr(client, 'get_skill_trend', { days: 3 });
    assert.match(missing.text, /skill_name/);
    const days = await callErr(client, 'get_skill_trend', { skill_name: 'refactor', days: 366 });
    assert.match(days.text, /days/);
    const hourly = await callErr(client, 'get_skill_trend', { skill_name: 'refactor', days: 32, granularity: 'hour' });
    assert.match(hourly.text, /days: must be <= 31 when granularity is 'hour'/);
    assert.equal(hourly.error?.field, 'days');
    const unknown = await callErr(client, 'get_skill_trend', { skill_name: 'no-such-skill' });
    assert.match(unknown.text, /NOT_FOUND/);
    assert.equal(unknown.error?.field, 'skill_name');
    // The skill report's name of an MCP server: the answer says its tools are recorded one by one.
    const server = await callErr(client, 'get_skill_trend', { skill_name: 'mcp:slack' });
    assert.match(server.text, /'mcp:slack' sums an MCP server's tools, recorded one by one as 'mcp__slack__<tool>': name one of them/);
  });
});

describe('get_skill_dependencies', () => {
  let app: TestApp;
  let client: Client;
  // Sessions: s1 {plan, edit}, s2 {plan, edit, test}, s3 {plan}, s4 {test}.
  // N = 4; sessions with plan 3, edit 2, test 2; together: plan+edit 2, plan+test 1, edit+test 1.
  before(async () => {
    const t = NOW - DAY;
    const inv = (skill: string, session: string, k: number): Inv => ({ skill, session, completed: true, ms: 10, at: t + k * MIN });
    ({ app, client } = await setup([
      inv('plan', 's1', 0),
      inv('edit', 's1', 1),
      inv('edit', 's1', 2),
      inv('plan', 's2', 3),
      inv('edit', 's2', 4),
      inv('test', 's2', 5),
      inv('plan', 's3', 6),
      inv('test', 's4', 7),
    ]));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('computes support, confidence and lift by hand', async () => {
    const out = await callOk<any>(client, 'get_skill_dependencies', { min_support: 0 });
    assert.equal(out.total_sessions, 4);
    assert.equal(out.rules_matched, 6);
    const byRule = new Map(out.rules.map((r: any) => [`${r.antecedent}>${r.consequent}`, [r.sessions_together, r.support, r.confidence, r.lift]]));
    // edit→plan: support 2/4 = .5, confidence 2/2 = 1, lift 1 / (3/4) = 1.3333
    assert.deepEqual(byRule.get('edit>plan'), [2, 0.5, 1, 1.3333]);
    // plan→edit: support .5, confidence 2/3 = .6667, lift .6667 / (2/4) = 1.3333
    assert.deepEqual(byRule.get('plan>edit'), [2, 0.5, 0.6667, 1.3333]);
    // edit→test and test→edit: support 1/4, confidence 1/2, lift .5 / (2/4) = 1
    assert.deepEqual(byRule.get('edit>test'), [1, 0.25, 0.5, 1]);
    assert.deepEqual(byRule.get('test>edit'), [1, 0.25, 0.5, 1]);
    // plan→test: confidence 1/3, lift (1/3) / (2/4) = .6667; test→plan: confidence 1/2, lift .5 / (3/4) = .6667
    assert.deepEqual(byRule.get('plan>test'), [1, 0.25, 0.3333, 0.6667]);
    assert.deepEqual(byRule.get('test>plan'), [1, 0.25, 0.5, 0.6667]);
    // Highest lift first; equal lift and support: higher confidence first (edit→plan before plan→edit, test→plan before
    // plan→test); equal in all three: by name (edit→test before test→edit). The description says so.
    assert.deepEqual(
      out.rules.map((r: any) => `${r.antecedent}>${r.consequent}`),
      ['edit>plan', 'plan>edit', 'edit>test', 'test>edit', 'test>plan', 'plan>test'],
    );
    assert.match(out.rule, /rules equal in all three by antecedent name, then consequent name/);
    // Lift 1.3333 > 1.1: complements; 1 (edit/test): independent; .6667 < .9: substitutes.
    const rel = new Map(out.rules.map((r: any) => [`${r.antecedent}>${r.consequent}`, r.relationship]));
    assert.equal(rel.get('edit>plan'), 'complements');
    assert.equal(rel.get('edit>test'), 'independent');
    assert.equal(rel.get('plan>test'), 'substitutes');
    assert.match(out.rule, /lift > 1\.1 complements/);
  });

  it('filters by min_lift', async () => {
    const out = await callOk<any>(client, 'get_skill_dependencies', { min_support: 0, min_lift: 1 });
    // Lifts 1.3333 (×2) and 1 (×2) stay; the two at .6667 go.
    assert.deepEqual(
      out.rules.map((r: any) => `${r.antecedent}>${r.consequent}`),
      ['edit>plan', 'plan>edit', 'edit>test', 'test>edit'],
    );
    assert.equal(out.rules_matched, 4);
    const bad = await callErr(client, 'get_skill_dependencies', { min_lift: -1 });
    assert.equal(bad.error?.field, 'min_lift');
  });

  it('filters by min_support, skill and limit', async () => {
    // support ≥ 0.3: only the plan/edit pair (0.5) qualifies.
    const strong = await callOk<any>(client, 'get_skill_dependencies', { min_support: 0.3 });
    assert.deepEqual(
      strong.rules.map((r: any) => `${r.antecedent}>${r.consequent}`),
      ['edit>plan', 'plan>edit'],
    );
    const plan = await callOk<any>(client, 'get_skill_dependencies', { skill_name: 'plan', min_support: 0 });
    assert.deepEqual(
      plan.rules.map((r: any) => `${r.antecedent}>${r.consequent}`),
      ['plan>edit', 'plan>test'],
    );
    const one = await callOk<any>(client, 'get_skill_dependencies', { min_support: 0, limit: 1 });
    assert.equal(one.rules.length, 1);
    assert.equal(one.rules_matched, 6);
    const none = await callOk<any>(client, 'get_skill_dependencies', { min_support: 0.9 });
    assert.deepEqual(none.rules, []);
    assert.equal(none.reason, 'no skill pair co-occurs in at least 90 % of sessions');
  });

  it('rejects bad input naming the field', async () => {
    const sup = await callErr(client, 'get_skill_dependencies', { min_support: 1.5 });
    assert.match(sup.text, /min_support/);
    assert.match(sup.text, /must be <= 1/);
    const lim = await callErr(client, 'get_skill_dependencies', { limit: 101 });
    assert.match(lim.text, /limit/);
    const unknown = await callErr(client, 'get_skill_dependencies', { skill_name: 'nope' });
    assert.match(unknown.text, /skill_name/);
  });
});

describe('community baselines', () => {
  let app: TestApp;
  let client: Client;
  const t = NOW - DAY;
  before(async () => {
    ({ app, client } = await setup(
      [
        // x: u1 10 runs all ok, u2 10 runs 4 ok → 14/20 = 0.7; all 100 ms.
        ...run('x', t, 10, 10, 100, { user: 'u1', session: 'a' }),
        ...run('x', t + HOUR_MS, 10, 4, 100, { user: 'u2', session: 'b' }),
        // y: u1 5 runs all ok, 1000 ms; a single user.
        ...run('y', t + 2 * HOUR_MS, 5, 5, 1000, { user: 'u1', session: 'a' }),
      ],
      // k = 2: in a per-user answer x (2 users) is shown, y (1 user) withheld.
      { SESSION_BUDDY_COMMUNITY_MIN_USERS: '2' },
    ));
  });
  after(async () => {
    await client.close();
    await app.dispose();
  });

  it('computes baselines on the fly when none are stored, then reads the stored set', async () => {
    const first = await callOk<any>(client, 'get_community_baselines', {});
    assert.equal(first.source, 'computed_now');
    assert.equal(first.computed_at, '2025-06-10T12:30:00.000Z');
    // Wilson 95 % lower bounds: x (14/20): (.7 + .09604 − 1.96·sqrt(.0105 + .002401)) / 1.19208 = .4810;
    // y (5/5): (1 + .38416 − 1.96·.196) / 1.76832 = .5655. y ranks above x: percentiles 100 and 50.
    assert.deepEqual(
      first.baselines.map((b: any) => [
        b.skill_name,
        b.invocations,
        b.users,
        b.success_rate,
        b.mean_duration_ms,
        b.effectiveness_score,
        b.effectiveness_percentile,
      ]),
      [
        ['y', 5, 1, 1, 1000, 0.5655, 100],
        ['x', 20, 2, 0.7, 100, 0.481, 50],
      ],
    );
    // x's durations are all 100 ms: bucket 231 (value 100.49), bounded by the recorded min = max = 100 ms.
    assert.equal(durationBucket(100), 231);
    const x = first.baselines[1];
    assert.deepEqual([x.p50_duration_ms, x.p95_duration_ms], [100, 100]);
    assert.equal(app.db.prepare('SELECT count(*) FROM community_baselines').pluck().get(), 0, 'a read stores nothing');

    const upd = await callOk<any>(client, 'update_community_baselines', {});
    assert.equal(upd.skills_updated, 2);
    assert.equal(upd.computed_at, '2025-06-10T12:30:00.000Z');
    assert.deepEqual(
      upd.top.map((b: any) => b.skill_name),
      ['y', 'x'],
    );

    const stored = await callOk<any>(client, 'get_community_baselines', {});
    assert.equal(stored.source, 'stored');
    assert.deepEqual(stored.baselines, first.baselines);
    assert.equal(stored.user_comparison, null);
    assert.equal(stored.total_skills, 2);
    // Without a user nothing is withheld, whatever k.
    assert.deepEqual([stored.per_user, stored.community_min_users, stored.withheld_skills], [false, 2, 0]);
  });

  it('lists at most limit baselines, most effective first', async () => {
    const one = await callOk<any>(client, 'get_community_baselines', { limit: 1 });
    assert.deepEqual(
      one.baselines.map((b: any) => b.skill_name),
      ['y'],
    );
    assert.ok(one.total_skills >= 2);
    const bad = await callErr(client, 'get_community_baselines', { limit: 0 });
    assert.equal(bad.error?.field, 'limit');
  });

  it("compares a user's success rate with the community", async () => {
    const u1 = await callOk<any>(client, 'get_community_baselines', { user_id: 'u1' });
    // u1 on x: 10/10 vs .7 over 20: z = (1 − .7) / sqrt(.7 · .3 / 10) = .3 / .144914 = 2.07 ≥ 1.96 → above.
    // u1 on y: y has 1 user, fewer than k = 2: no community figures → insufficient_data.
    assert.deepEqual(
      u1.user_comparison.skills.map((s: any) => [
        s.skill_name,
        s.user_invocations,
        s.user_success_rate,
        s.community_success_rate,
        s.difference,
        s.z_score,
        s.label,
      ]),
      [
        ['x', 10, 1, 0.7, 0.3, 2.07, 'above'],
        ['y', 5, 1, null, null, null, 'insufficient_data'],
      ],
    );
    assert.deepEqual(u1.user_comparison.summary, { above: 1, typical: 0, below: 0, insufficient_data: 1 });
    assert.equal(u1.user_comparison.withheld, 1);
    assert.equal(u1.user_comparison.skills[1].reason, 'community figures withheld: fewer than 2 users used this skill');
    // The per-user answer lists x only: y's baseline is withheld (counted, not listed).
    assert.deepEqual(
      u1.baselines.map((b: any) => b.skill_name),
      ['x'],
    );
    assert.deepEqual([u1.per_user, u1.community_min_users, u1.withheld_skills, u1.total_skills], [true, 2, 1, 2]);
    assert.ok(!JSON.stringify(u1).includes('u1"'), 'the user id is not echoed');

    // u2 on x: 4/10: z = (.4 − .7) / .144914 = −2.07 → below. Restricting to skill x keeps one baseline.
    const u2 = await callOk<any>(client, 'get_community_baselines', { user_id: 'u2', skill_name: 'x' });
    assert.deepEqual(
      u2.baselines.map((b: any) => b.skill_name),
      ['x'],
    );
    assert.equal(u2.baselines[0].effectiveness_percentile, 50);
    // total_skills counts the skills the baselines cover (x and y), not the one listed.
    assert.equal(u2.total_skills, 2);
    assert.deepEqual(
      u2.user_comparison.skills.map((s: any) => [s.skill_name, s.z_score, s.label]),
      [['x', -2.07, 'below']],
    );

    const stranger = await callOk<any>(client, 'get_community_baselines', { user_id: 'nobody' });
    assert.deepEqual(stranger.user_comparison.skills, []);
  });

  it('computes on the fly when the skill asked for is newer than the stored set', async () => {
    await app.tracker.trackBatch(run('z', NOW - HOUR_MS, 2, 2, 10, { user: 'u3' }).map(toInput));
    const z = await callOk<any>(client, 'get_community_baselines', { skill_name: 'z' });
    assert.equal(z.source, 'computed_now');
    assert.deepEqual(
      z.baselines.map((b: any) => [b.skill_name, b.invocations]),
      [['z', 2]],
    );
    assert.equal(z.total_skills, 3);
    const zText = ((await client.callTool({ name: 'get_community_baselines', arguments: { skill_name: 'z' } })) as CallToolResult).content[0] as {
      text: string;
    };
    assert.match(zText.text, /^Baselines of 3 skill\(s\) \(1 listed\) \(computed now/);
    const x = await callOk<any>(client, 'get_community_baselines', { skill_name: 'x' });
    assert.equal(x.source, 'stored');
  });

  it('rejects bad input naming the field', async () => {
    const long = await callErr(client, 'get_community_baselines', { user_id: 'u'.repeat(257) });
    assert.match(long.text, /user_id/);
    const empty = await callErr(client, 'get_community_baselines', { skill_name: '' });
    assert.match(empty.text, /skill_name/);
    const unknown = await callErr(client, 'get_community_baselines', { skill_name: 'nope' });
    assert.match(unknown.text, /NOT_FOUND/);
  });
});
