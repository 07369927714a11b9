import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createApp } from '../../app.js';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { testBackends } from '../../testing/backends.js';
import { callErr, callOk, connectInMemory, createTestApp, type TestApp } from '../../testing/harness.js';
import type { ToolDeps } from '../tool-deps.js';
import { createInsightServices, type InsightServiceOptions } from '../../insights/insight-services.js';
import { registerInsightTools } from './insight-tools.js';
import { LOCAL_ADMIN } from '../caller-identity.js';

/** Fixed clock: 2025-06-10T12:30:00Z. */
const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const MIN = 60_000;

interface Inv {
  user: string;
  skill: string;
  completed: boolean;
  at?: number;
  phase?: string;
}

interface Setup {
  app: TestApp;
  client: Client;
  services: ReturnType<typeof createInsightServices>;
  close(): Promise<void>;
}

/** `communityMinUsers` is k of the recommendations; 1 shows every skill (the tests of scoring, not of k). */
async function setup(data: Inv[], communityMinUsers = 1, options: InsightServiceOptions = {}): Promise<Setup> {
  const app = createTestApp({ now: () => NOW });
  await track(app, data);
  const services = createInsightServices({ stores: app.stores, bus: app.bus, logger: app.logger, communityMinUsers, now: app.now }, options);
  const server = new McpServer({ name: 't', version: '0' });
  const deps: ToolDeps = {
    store: app.store,
    analyticsQueries: app.stores.analyticsQueries,
    analyticsRecords: app.stores.analyticsRecords,
    anomalies: app.anomalies,
    baselines: app.baselines,
    skillReport: app.skillReport,
    tracker: app.tracker,
    bus: app.bus,
    logger: app.logger,
    hashUser: app.hashUser,
    rateLimiter: app.rateLimiter,
    clientId: 't',
    caller: LOCAL_ADMIN,
    now: app.now,
    sessions: app.sessions,
    reflections: app.reflections,
  };
  registerInsightTools(server, deps, services);
  const client = await connectInMemory(server);
  return {
    app,
    client,
    services,
    async close() {
      await client.close();
      await services.dispose();
      await app.dispose();
    },
  };
}

async function track(app: TestApp, data: Inv[]): Promise<void> {
  if (data.length === 0) return;
  await app.tracker.trackBatch(
    data.map((d, i) => ({
      skill_name: d.skill,
      user_id: d.user,
      session_id: `s-${d.user}`,
      workflow_phase: d.phase ?? 'implementation',
      completed: d.completed,
      duration_ms: 100,
      invoked_at: d.at ?? NOW - (data.length - i) * MIN,
    })),
  );
}

const n = (user: string, skill: string, ok: number, failed = 0): Inv[] => [
  ...Array.from({ length: ok }, () => ({ user, skill, completed: true })),
  ...Array.from({ length: failed }, () => ({ user, skill, completed: false })),
];

interface Recs {
  recommendations: { skill_name: string; score: number; supporting_users: number; neighbor_success_rate: number }[];
  neighbors_considered: number;
  target_skill_count: number;
  reason: string | null;
  basis: 'similar_users' | 'cold_start';
  cold_start_rule: string | null;
  community_min_users: number;
}

describe('insight tools', () => {
  it('registers exactly the seven insight tools', async () => {
    const s = await setup([]);
    try {
      const { tools } = await s.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), [
        'assign_ab_test_variant',
        'create_ab_test',
        'get_ab_test_results',
        'get_collaborative_recommendations',
        'predict_skill_success',
        'record_ab_test_outcome',
        'train_success_model',
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('get_collaborative_recommendations', () => {
  let s: Setup;
  // Successful skill sets: T {a, b}; U1 {a, b, c}; U2 {a, d} (U2 also failed c once); U3 {e}.
  before(async () => {
    s = await setup([
      ...n('T', 'a', 1),
      ...n('T', 'b', 1),
      ...n('U1', 'a', 1),
      ...n('U1', 'b', 1),
      ...n('U1', 'c', 3, 1),
      ...n('U2', 'a', 1),
      ...n('U2', 'd', 1, 1),
      ...n('U2', 'c', 0, 1),
      ...n('U3', 'e', 2),
    ]);
  });
  after(() => s.close());

  it('scores untried skills by similarity-weighted neighbour success', async () => {
    const r = await callOk<Recs>(s.client, 'get_collaborative_recommendations', { user_id: 'T', limit: 5 });
    // Jaccard(T, U1) = |{a,b}| / |{a,b,c}| = 2/3; Jaccard(T, U2) = |{a}| / |{a,b,d}| = 1/3; U3 shares nothing.
    // Similarity sum = 1.
    // c: U1 2/3 · 3/4 = 0.5 (U2 never succeeded with c: no weight, but its try counts in the rate): score 0.5,
    //    neighbour rate (3 + 0) / (4 + 1) = 0.6.
    // d: U2 1/3 · 1/2 = 1/6 = 0.1667; neighbour rate 1/2. e is not used by any neighbour.
    assert.deepEqual(r.recommendations, [
      { skill_name: 'c', score: 0.5, supporting_users: 1, neighbor_success_rate: 0.6 },
      { skill_name: 'd', score: 0.1667, supporting_users: 1, neighbor_success_rate: 0.5 },
    ]);
    assert.equal(r.neighbors_considered, 2);
    assert.equal(r.target_skill_count, 2);
    assert.equal(r.reason, null);
    assert.equal(r.basis, 'similar_users');
    assert.equal(r.cold_start_rule, null);
    const limited = await callOk<Recs>(s.client, 'get_collaborative_recommendations', { user_id: 'T', limit: 1 });
    assert.deepEqual(
      limited.recommendations.map((x) => x.skill_name),
      ['c'],
    );
  });

  it("never returns other users' identities", async () => {
    const res = await s.client.callTool({ name: 'get_collaborative_recommendations', arguments: { user_id: 'T' } });
    const dump = JSON.stringify(res);
    for (const u of ['U1', 'U2', 'U3']) {
      assert.ok(!dump.includes(s.app.hashUser(u)), `hash of ${u} leaked`);
      assert.ok(!dump.includes(`"${u}"`), `${u} leaked`);
    }
  });

  it('follows new invocations without rebuilding the index', async () => {
    const builds = s.services.userSkillCache.builds;
    // T fails c once: T has now tried c, so only d is left.
    await track(s.app, [{ user: 'T', skill: 'c', completed: false, at: NOW }]);
    let r = await callOk<Recs>(s.client, 'get_collaborative_recommendations', { user_id: 'T' });
    assert.deepEqual(
      r.recommendations.map((x) => x.skill_name),
      ['d'],
    );
    // T succeeds with c: T {a,b,c}. Jaccard U1 = 3/3 = 1, U2 = |{a}| / |{a,b,c,d}| = 1/4; sum 5/4.
    // d: (1/4 · 1/2) / (5/4) = 0.1.
    await track(s.app, [{ user: 'T', skill: 'c', completed: true, at: NOW }]);
    r = await callOk<Recs>(s.client, 'get_collaborative_recommendations', { user_id: 'T' });
    assert.deepEqual(r.recommendations, [{ skill_name: 'd', score: 0.1, supporting_users: 1, neighbor_success_rate: 0.5 }]);
    assert.equal(s.services.userSkillCache.builds, builds);
  });

  it('answers a user without history from the whole community, and rejects bad input', async () => {
    const r = await callOk<Recs>(s.client, 'get_collaborative_recommendations', { user_id: 'nobody' });
    // Totals now: a 3/3, b 2/2, c 4/7, d 1/2, e 2/2. Wilson lower bounds: a .4385, b = e .3424 (b first by name),
    // c .2505, d .0945.
    assert.equal(r.basis, 'cold_start');
    assert.deepEqual(
      r.recommendations.map((x) => x.skill_name),
      ['a', 'b', 'e', 'c', 'd'],
    );
    assert.equal(r.reason, 'user has no successful invocations: most successful skills overall instead');
    const bad = await callErr(s.client, 'get_collaborative_recommendations', { user_id: 'T', limit: 0 });
    assert.match(bad.text, /limit/);
    assert.match(bad.text, /must be >= 1/);
    const empty = await callErr(s.client, 'get_collaborative_recommendations', { user_id: '' });
    assert.match(empty.text, /user_id/);
  });
});

describe('get_collaborative_recommendations cold start', () => {
  let s: Setup;
  // No skill is shared: steady 3/3 (A), pair 2/2 (B), shaky 1/2 (C), z 1/1 (L).
  before(async () => {
    s = await setup([...n('A', 'steady', 3), ...n('B', 'pair', 2), ...n('C', 'shaky', 1, 1), ...n('L', 'z', 1)]);
  });
  after(() => s.close());

  // Wilson 95 % lower bounds, (p + z²/2n − z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), z² = 3.8416:
  //   3/3: (1 + .640267 − 1.96 · .326667) / 2.280533 = .4385     2/2: (1 + .9604 − 1.96 · .49) / 2.9208 = .3424
  //   1/1: (1 + 1.9208 − 1.96 · .98) / 4.8416 = .2065            1/2: (.5 + .9604 − 1.96 · .604235) / 2.9208 = .0945
  it('gives a user with no history the most successful skills overall, marked as such', async () => {
    const r = await callOk<Recs>(s.client, 'get_collaborative_recommendations', { user_id: 'new-user', limit: 3 });
    assert.equal(r.basis, 'cold_start');
    assert.match(r.cold_start_rule ?? '', /Wilson/);
    assert.deepEqual(r.recommendations, [
      { skill_name: 'steady', score: 0.4385, supporting_users: 1, neighbor_success_rate: 1 },
      { skill_name: 'pair', score: 0.3424, supporting_users: 1, neighbor_success_rate: 1 },
      { skill_name: 'z', score: 0.2065, supporting_users: 1, neighbor_success_rate: 1 },
    ]);
    assert.equal(r.neighbors_considered, 0);
  });

  it('gives a user without similar users the same, leaving out what the user has tried', async () => {
    const r = await callOk<Recs>(s.client, 'get_collaborative_recommendations', { user_id: 'L' });
    assert.equal(r.basis, 'cold_start');
    assert.equal(r.reason, 'no similar users: most successful skills overall instead');
    assert.equal(r.target_skill_count, 1);
    assert.deepEqual(
      r.recommendations.map((x) => [x.skill_name, x.score, x.neighbor_success_rate]),
      [
        ['steady', 0.4385, 1],
        ['pair', 0.3424, 1],
        ['shaky', 0.0945, 0.5],
      ],
    );
  });
});

interface Results {
  winner: string | null;
  decision: string;
  variants: { variant: string; n: number; mean: number | null; std_dev: number | null; assigned_users: number }[];
  comparisons: { variant: string; t: number | null; df: number | null; p_value: number | null; lift: number | null; significant: boolean }[];
}

describe('A/B test tools', () => {
  let s: Setup;
  before(async () => {
    s = await setup([]);
  });
  after(() => s.close());

  /** Assigns user-0, user-1, … until one user of each variant is found. */
  async function oneUserPerVariant(experiment: string): Promise<{ control: string; treatment: string }> {
    const found: Record<string, string> = {};
    for (let i = 0; !(found.control && found.treatment); i++) {
      const user = `user-${i}`;
      const a = await callOk<{ variant: string }>(s.client, 'assign_ab_test_variant', { experiment, user_id: user });
      found[a.variant] ??= user;
    }
    return { control: found.control!, treatment: found.treatment! };
  }

  async function record(experiment: string, user: string, values: number[]): Promise<void> {
    for (const value of values) await callOk(s.client, 'record_ab_test_outcome', { experiment, user_id: user, value });
  }

  it('creates an experiment with the benchmark arguments and refuses a duplicate', async () => {
    const out = await callOk<{ experiment: Record<string, unknown> }>(s.client, 'create_ab_test', {
      name: 'bench-experiment',
      variants: ['control', 'treatment'],
      traffic_split: [0.5, 0.5],
    });
    assert.deepEqual(out.experiment, {
      name: 'bench-experiment',
      description: '',
      variants: ['control', 'treatment'],
      traffic_split: [0.5, 0.5],
      metric: 'outcome',
      min_sample_size: 30,
      status: 'running',
      created_at: new Date(NOW).toISOString(),
    });
    const dup = await callErr(s.client, 'create_ab_test', { name: 'bench-experiment', variants: ['x', 'y'] });
    assert.match(dup.text, /^CONFLICT/);
    assert.equal(dup.error?.field, 'name');
    const results = await callOk<Results>(s.client, 'get_ab_test_results', { experiment: 'bench-experiment' });
    assert.equal(results.winner, null);
    assert.match(results.decision, /needs at least 30 outcomes per variant/);
  });

  it('rejects bad definitions naming the field and rule', async () => {
    const sum = await callErr(s.client, 'create_ab_test', { name: 'e1', variants: ['a', 'b'], traffic_split: [0.6, 0.6] });
    assert.match(sum.text, /traffic_split/);
    assert.match(sum.text, /must sum to 1/);
    assert.equal(sum.error?.field, 'traffic_split');
    assert.equal(sum.error?.code, 'INVALID_INPUT');
    const len = await callErr(s.client, 'create_ab_test', { name: 'e1', variants: ['a', 'b', 'c'], traffic_split: [0.5, 0.5] });
    assert.match(len.text, /traffic_split/);
    assert.match(len.text, /one weight per variant/);
    const one = await callErr(s.client, 'create_ab_test', { name: 'e1', variants: ['a'] });
    assert.match(one.text, /variants/);
    assert.match(one.text, /at least 2 variants/);
    const dupVariant = await callErr(s.client, 'create_ab_test', { name: 'e1', variants: ['a', 'a'] });
    assert.match(dupVariant.text, /variants\.1/);
    const neg = await callErr(s.client, 'create_ab_test', { name: 'e1', variants: ['a', 'b'], traffic_split: [-0.5, 1.5] });
    assert.match(neg.text, /traffic_split/);
    // A variant with no traffic never collects its minimum sample, so the experiment could never decide.
    const zero = await callErr(s.client, 'create_ab_test', { name: 'e1', variants: ['a', 'b'], traffic_split: [1, 0] });
    assert.match(zero.text, /^INVALID_INPUT/);
    assert.match(zero.text, /traffic_split\.1: must be > 0 \(a variant without traffic never reaches its minimum sample\)/);
    assert.equal(zero.error?.field, 'traffic_split.1');
    const zeroFirst = await callErr(s.client, 'create_ab_test', { name: 'e1', variants: ['a', 'b', 'c'], traffic_split: [0, 0.5, 0.5] });
    assert.match(zeroFirst.text, /traffic_split\.0: must be > 0/);
    const none = await callErr(s.client, 'get_ab_test_results', { experiment: 'e1' });
    assert.match(none.text, /^NOT_FOUND/);
    const missing = await callErr(s.client, 'get_ab_test_results', { experiment: 'no-such-test' });
    assert.match(missing.text, /^NOT_FOUND/);
  });

  it('assigns stably and attributes outcomes to the stored variant', async () => {
    await callOk(s.client, 'create_ab_test', { name: 'stable', variants: ['control', 'treatment'], traffic_split: [0.5, 0.5] });
    const first = await callOk<{ variant: string; newly_assigned: boolean }>(s.client, 'assign_ab_test_variant', {
      experiment: 'stable',
      user_id: 'alice',
    });
    assert.equal(first.newly_assigned, true);
    for (let i = 0; i < 3; i++) {
      const again = await callOk<{ variant: string; newly_assigned: boolean }>(s.client, 'assign_ab_test_variant', {
        experiment: 'stable',
        user_id: 'alice',
      });
      assert.deepEqual([again.variant, again.newly_assigned], [first.variant, false]);
    }
    const rec = await callOk<{ variant: string; assigned_now: boolean }>(s.client, 'record_ab_test_outcome', {
      experiment: 'stable',
      user_id: 'alice',
      value: 1,
    });
    assert.equal(rec.variant, first.variant);
    assert.equal(rec.assigned_now, false);
    // A user without an assignment is assigned when the first outcome arrives.
    const bob = await callOk<{ variant: string; assigned_now: boolean }>(s.client, 'record_ab_test_outcome', {
      experiment: 'stable',
      user_id: 'bob',
      value: 0,
    });
    assert.equal(bob.assigned_now, true);
    const bobAgain = await callOk<{ variant: string }>(s.client, 'assign_ab_test_variant', { experiment: 'stable', user_id: 'bob' });
    assert.equal(bobAgain.variant, bob.variant);
    const wrong = first.variant === 'control' ? 'treatment' : 'control';
    const mismatch = await callErr(s.client, 'record_ab_test_outcome', { experiment: 'stable', user_id: 'alice', value: 1, variant: wrong });
    assert.match(mismatch.text, /variant/);
    const nan = await callErr(s.client, 'record_ab_test_outcome', { experiment: 'stable', user_id: 'alice', value: 'high' });
    assert.match(nan.text, /value/);
  });

  it('declares a winner only when significant with the minimum sample met', async () => {
    await callOk(s.client, 'create_ab_test', { name: 'welch', variants: ['control', 'treatment'], min_sample_size: 3 });
    const u = await oneUserPerVariant('welch');
    await record('welch', u.control, [2, 4, 6]);
    await record('welch', u.treatment, [7, 8, 9, 10]);
    const r = await callOk<Results>(s.client, 'get_ab_test_results', { experiment: 'welch' });
    // control: mean 4, variance ((−2)² + 0 + 2²) / 2 = 4; treatment: mean 8.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3.
    // se² = 4/3 + (5/3)/4 = 1.75; t = 4.5 / √1.75 = 3.4017;
    // df = 1.75² / ((4/3)²/2 + (5/12)²/3) = 3.0625 / 0.946759 = 3.2347; p = 0.03782 (scipy ttest_ind, equal_var=False).
    const c = r.comparisons[0]!;
    assert.equal(c.t, 3.4017);
    assert.equal(c.df, 3.23);
    assert.ok(Math.abs(c.p_value! - 0.03782) < 1e-5, `p ${c.p_value}`);
    assert.equal(c.lift, 1.125); // (8.5 − 4) / 4
    assert.equal(c.significant, true);
    assert.equal(r.winner, 'treatment');
    assert.deepEqual(
      r.variants.map((v) => [v.variant, v.n, v.mean, v.std_dev]),
      [
        ['control', 3, 4, 2],
        ['treatment', 4, 8.5, 1.290994], // √(5/3) = 1.2909944
      ],
    );
    // When lower is better, the treatment is significantly worse: the control is the winner.
    const lower = await callOk<Results>(s.client, 'get_ab_test_results', { experiment: 'welch', direction: 'lower' });
    assert.equal(lower.winner, 'control');

    // The same data with the default minimum of 30: significant, but no winner.
    await callOk(s.client, 'create_ab_test', { name: 'welch-30', variants: ['control', 'treatment'] });
    const v = await oneUserPerVariant('welch-30');
    await record('welch-30', v.control, [2, 4, 6]);
    await record('welch-30', v.treatment, [7, 8, 9, 10]);
    const r30 = await callOk<Results>(s.client, 'get_ab_test_results', { experiment: 'welch-30' });
    assert.equal(r30.winner, null);
    assert.equal(r30.comparisons[0]!.significant, false);
    assert.match(r30.decision, /needs at least 30 outcomes per variant/);

    // Not significant: control 1, 2, 3 vs treatment 2, 3, 4: t = 1 / √(1/3 + 1/3) = 1.2247, df 4, p = 0.2879.
    await callOk(s.client, 'create_ab_test', { name: 'flat', variants: ['control', 'treatment'], min_sample_size: 3 });
    const w = await oneUserPerVariant('flat');
    await record('flat', w.control, [1, 2, 3]);
    await record('flat', w.treatment, [2, 3, 4]);
    const flat = await callOk<Results>(s.client, 'get_ab_test_results', { experiment: 'flat' });
    assert.equal(flat.comparisons[0]!.t, 1.2247);
    assert.ok(Math.abs(flat.comparisons[0]!.p_value! - 0.2879) < 1e-4);
    assert.equal(flat.winner, null);
    assert.match(flat.decision, /no variant is significantly better/);
  });
});

describe('success prediction tools', () => {
  const SKILLS = ['good-a', 'good-b', 'flaky-deploy'];
  const PHASES = ['implementation', 'testing', 'deployment', 'review'];
  /** 600 invocations, one every 10 minutes up to NOW; skill i mod 3 (flaky-deploy always fails), user i mod 10. */
  const synthetic: Inv[] = Array.from({ length: 600 }, (_, i) => ({
    user: `user-${i % 10}`,
    skill: SKILLS[i % 3]!,
    completed: i % 3 !== 2,
    phase: PHASES[i % 4]!,
    at: NOW - (600 - i) * 10 * MIN,
  }));

  interface Trained {
    status: string;
    model_id: number | null;
    reason: string | null;
    samples: number;
    holdout_size: number | null;
    holdout_accuracy: number | null;
    baseline_accuracy: number | null;
    beats_baseline: boolean | null;
    feature_importance: { feature: string; importance: number }[];
    ran_in: string;
  }

  it('says honestly when there is too little data, and predicts nothing before training', async () => {
    const s = await setup(synthetic.slice(0, 12));
    try {
      const p = await callErr(s.client, 'predict_skill_success', { skill_name: 'good-a', workflow_phase: 'testing', user_id: 'user-1' });
      assert.match(p.text, /^NOT_FOUND/);
      assert.match(p.text, /train_success_model/);
      const t = await callOk<Trained>(s.client, 'train_success_model', {});
      assert.equal(t.status, 'insufficient_data');
      assert.equal(t.reason, 'need at least 200 samples, have 12');
      assert.equal(t.model_id, null);
      assert.equal(t.holdout_accuracy, null);
      const text = ((await s.client.callTool({ name: 'train_success_model', arguments: {} })).content as { text: string }[])[0]!.text;
      assert.match(text, /^Not enough data/);
      assert.match(
        (await callErr(s.client, 'predict_skill_success', { skill_name: 'good-a', workflow_phase: 'testing', user_id: 'user-1' })).text,
        /^NOT_FOUND/,
      );
    } finally {
      await s.close();
    }
  });

  it('says which share of a capped window it trained on, as an English ordinal', async () => {
    // 600 invocations, at most 300 read: every ceil(600 / 300) = 2nd one.
    const s = await setup(synthetic, 1, { trainingSampleLimit: 300, trainOptions: { nEstimators: 3, maxDepth: 4 } });
    try {
      const res = (await s.client.callTool({ name: 'train_success_model', arguments: {} })) as CallToolResult;
      const t = res.structuredContent as unknown as Trained;
      assert.equal(t.status, 'trained');
      assert.equal(t.samples, 300);
      assert.match((res.content[0] as { text: string }).text, /\(every 2nd of 600\)/);
    } finally {
      await s.close();
    }
  });

  it('learns that one skill always fails and predicts from the stored model', async () => {
    const s = await setup(synthetic);
    try {
      const t = await callOk<Trained>(s.client, 'train_success_model', { days: 30 });
      assert.equal(t.status, 'trained');
      assert.equal(t.ran_in, 'worker');
      assert.equal(t.samples, 600);
      // Holdout: the most recent floor(600 · 0.2) = 120 invocations, i = 480..599: 40 of each skill,
      // 80 successes, so always guessing "success" scores 80/120 = 0.6667.
      assert.equal(t.holdout_size, 120);
      assert.equal(t.baseline_accuracy, 0.6667);
      // The skill (or its success rate) separates the outcomes exactly.
      assert.equal(t.holdout_accuracy, 1);
      assert.equal(t.beats_baseline, true);
      const top = t.feature_importance[0]!.feature;
      assert.ok(['skill', 'skill_prior_success_rate'].includes(top), top);
      const skillShare = t.feature_importance
        .filter((f) => f.feature === 'skill' || f.feature === 'skill_prior_success_rate')
        .reduce((a, f) => a + f.importance, 0);
      assert.ok(skillShare > 0.8, `skill share ${skillShare}`);

      interface Prediction {
        probability: number;
        user_success_rate: number;
        user_invocations: number;
        skill_success_rate: number;
        skill_invocations: number;
        hour_of_day: number;
        unknown_skill: boolean;
        model: { id: number };
        caveats: string[];
      }
      const flaky = await callOk<Prediction>(s.client, 'predict_skill_success', {
        skill_name: 'flaky-deploy',
        workflow_phase: 'deployment',
        user_id: 'user-1',
      });
      // flaky-deploy: 200 invocations, 0 successes: (0 + 1) / (200 + 2) = 0.00495 -> 0.005.
      assert.equal(flaky.skill_invocations, 200);
      assert.equal(flaky.skill_success_rate, 0.005);
      // user-1: i = 1, 11, …, 591 (60 invocations); 10 ≡ 1 (mod 3), so i mod 3 cycles: 20 of each skill,
      // 40 successes: (40 + 1) / (60 + 2) = 0.66129 -> 0.6613.
      assert.equal(flaky.user_invocations, 60);
      assert.equal(flaky.user_success_rate, 0.6613);
      assert.equal(flaky.hour_of_day, 12); // NOW is 12:30 UTC
      assert.equal(flaky.model.id, t.model_id);
      assert.ok(flaky.probability < 0.2, `flaky ${flaky.probability}`);
      const good = await callOk<Prediction>(s.client, 'predict_skill_success', {
        skill_name: 'good-a',
        workflow_phase: 'implementation',
        user_id: 'user-1',
        hour_of_day: 3,
      });
      assert.ok(good.probability > 0.8, `good ${good.probability}`);
      assert.equal(good.hour_of_day, 3);
      assert.deepEqual(good.caveats, []);
      const unknown = await callOk<Prediction>(s.client, 'predict_skill_success', {
        skill_name: 'never-seen',
        workflow_phase: 'testing',
        user_id: 'someone-new',
      });
      assert.equal(unknown.unknown_skill, true);
      assert.equal(unknown.user_invocations, 0);
      assert.equal(unknown.caveats.length, 2);
      assert.match(unknown.caveats[0]!, /averaged over the 3 skills it knows, each with its own success rate/);
      // Averaged over the known skills: the mean of what the same user, phase and hour get for each of them
      // (each with its own success rate, not the unknown skill's 1/2); each answer is rounded to 4 decimals.
      const known = await Promise.all(
        SKILLS.map((skill_name) =>
          callOk<Prediction>(s.client, 'predict_skill_success', {
            skill_name,
            workflow_phase: 'testing',
            user_id: 'someone-new',
            hour_of_day: unknown.hour_of_day,
          }),
        ),
      );
      const mean = known.reduce((a, p) => a + p.probability, 0) / known.length;
      assert.ok(Math.abs(unknown.probability - mean) <= 1e-4, `unknown ${unknown.probability} vs mean of known ${mean}`);

      const badHour = await callErr(s.client, 'predict_skill_success', { skill_name: 'good-a', workflow_phase: 'testing', user_id: 'u', hour_of_day: 24 });
      assert.match(badHour.text, /hour_of_day/);
      assert.match(badHour.text, /must be <= 23/);
      const badPhase = await callErr(s.client, 'predict_skill_success', { skill_name: 'good-a', workflow_phase: 'lunch', user_id: 'u' });
      assert.match(badPhase.text, /workflow_phase/);
      const badDays = await callErr(s.client, 'train_success_model', { days: 91 });
      assert.match(badDays.text, /days/);
      assert.match(badDays.text, /must be <= 90/);
    } finally {
      await s.close();
    }
  });
});

describe('get_collaborative_recommendations under k (community_min_users)', () => {
  let s: Setup;
  // k = 2. Successful skill sets: T {common}; U1 {common, popular, rare}; U2 {common, popular}; V {rare};
  // N {noisy} (50 of 50: one user, many calls).
  before(async () => {
    s = await setup(
      [
        ...n('T', 'common', 1),
        ...n('U1', 'common', 1),
        ...n('U1', 'popular', 1),
        ...n('U1', 'rare', 1),
        ...n('U2', 'common', 1),
        ...n('U2', 'popular', 1),
        ...n('V', 'rare', 1),
        ...n('N', 'noisy', 50),
      ],
      2,
    );
  });
  after(() => s.close());

  it('recommends from similar users only the skills at least k of them used successfully', async () => {
    const res = await s.client.callTool({ name: 'get_collaborative_recommendations', arguments: { user_id: 'T' } });
    const r = res.structuredContent as unknown as Recs;
    // Jaccard(T, U1) = 1/3, Jaccard(T, U2) = 1/2; sum 5/6. popular: (1/3 · 1 + 1/2 · 1) / (5/6) = 1, 2 supporters.
    // rare: U1 alone (1 < k): withheld, its name in no part of the answer.
    assert.equal(r.basis, 'similar_users');
    assert.equal(r.community_min_users, 2);
    assert.deepEqual(r.recommendations, [{ skill_name: 'popular', score: 1, supporting_users: 2, neighbor_success_rate: 1 }]);
    assert.ok(!JSON.stringify(res).includes('rare'), 'rare leaked');
  });

  it('answers empty, without saying whether a skill was withheld, when no untried skill has k supporters', async () => {
    // V's only neighbour is U1 (Jaccard 1/3): common and popular have one supporter each.
    const res = await s.client.callTool({ name: 'get_collaborative_recommendations', arguments: { user_id: 'V' } });
    const r = res.structuredContent as unknown as Recs;
    assert.equal(r.basis, 'similar_users');
    assert.deepEqual(r.recommendations, []);
    assert.equal(r.neighbors_considered, 1);
    assert.equal(r.reason, 'no skill this user has not tried is used successfully by at least 2 similar users');
    const dump = JSON.stringify(res);
    for (const name of ['common', 'popular']) assert.ok(!dump.includes(name), `${name} leaked`);
  });

  it('gives a user without history only skills at least k users used: one user cannot set the list', async () => {
    const res = await s.client.callTool({ name: 'get_collaborative_recommendations', arguments: { user_id: 'new-user', limit: 3 } });
    const r = res.structuredContent as unknown as Recs;
    // noisy (50/50, Wilson lower bound .9287) would lead, but only N used it. common 3/3 (.4385), popular and
    // rare 2/2 (.3424, tied: by name).
    assert.equal(r.basis, 'cold_start');
    assert.deepEqual(
      r.recommendations.map((x) => [x.skill_name, x.score, x.supporting_users]),
      [
        ['common', 0.4385, 3],
        ['popular', 0.3424, 2],
        ['rare', 0.3424, 2],
      ],
    );
    assert.match(r.cold_start_rule ?? '', /at least 2 distinct user\(s\)/);
    assert.ok(!JSON.stringify(res).includes('noisy'), 'noisy leaked');
  });
});

describe('get_collaborative_recommendations with the configured k, on every back-end', async () => {
  const use = (user: string, skill: string, times: number) =>
    Array.from({ length: times }, (_, i) => ({
      skill_name: skill,
      user_id: user,
      session_id: `s-${user}`,
      workflow_phase: 'implementation' as const,
      completed: true,
      duration_ms: 10,
      invoked_at: NOW - (i + 1) * MIN,
    }));
  for (const backend of await testBackends()) {
    it(`withholds skills fewer than SESSION_BUDDY_COMMUNITY_MIN_USERS (default 5) users used, on ${backend.name}`, {
      skip: backend.skip ?? false,
    }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-recs-${backend.name}-`));
      const b = await backend.open({ now: () => NOW, salt: 'ef'.repeat(32) });
      const config = parseConfig({ flags: { dataDir: dir, port: 0 }, env: { SESSION_BUDDY_AUDIT: 'off', SESSION_BUDDY_EMBEDDINGS: 'off' } });
      const app = createApp(config, { stores: b.stores, now: () => NOW, logger: createLogger('silent') });
      try {
        const client = await connectInMemory(app.createMcpServer('t'));
        const ask = async () => {
          const res = await client.callTool({ name: 'get_collaborative_recommendations', arguments: { user_id: 'brand-new-user', limit: 3 } });
          return { r: res.structuredContent as unknown as Recs, text: JSON.stringify(res) };
        };
        // The user test's case: one agent records 200 calls each of conc-0 and conc-1.
        await app.tracker.trackBatch([...use('agent', 'conc-0', 200), ...use('agent', 'conc-1', 200)]);
        const alone = await ask();
        assert.equal(alone.r.community_min_users, 5);
        assert.equal(alone.r.basis, 'cold_start');
        assert.deepEqual(alone.r.recommendations, []);
        assert.equal(
          alone.r.reason,
          'user has no successful invocations: most successful skills overall instead (none recorded that this user has not tried and at least 5 users used)',
        );
        assert.ok(!alone.text.includes('conc-'), 'a skill of one user named');

        // Four more users use conc-1: 5 users, shown; conc-0 (one user) still withheld.
        await app.tracker.trackBatch(['u1', 'u2', 'u3', 'u4'].flatMap((u) => use(u, 'conc-1', 1)));
        const five = await ask();
        assert.deepEqual(
          five.r.recommendations.map((x) => [x.skill_name, x.supporting_users]),
          [['conc-1', 5]],
        );
        assert.ok(!five.text.includes('conc-0'), 'conc-0 (one user) named');
        await client.close();
      } finally {
        await app.close();
        await b.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
