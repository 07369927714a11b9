import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createApp, type App } from '../../app.js';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { testBackends, type OpenedBackend, type TestBackend } from '../../testing/backends.js';
import { callErr, callOk, connectInMemory } from '../../testing/harness.js';
import type { Attribution, AttributedUsage } from '../../store/skill-cost-types.js';
import { makeClaudeFixture } from '../../testing/claude-fixture.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A Claude configuration directory with four user skills: pdf, flaky, idle (never used) and broken (no SKILL.md). */
function claudeDir(root: string): string {
  const dir = path.join(root, 'claude');
  const skill = (name: string, description: string) => {
    fs.mkdirSync(path.join(dir, 'skills', name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'skills', name, 'SKILL.md'), `---\nname: ${name}\ndescription: ${description}\n---\nBody.\n`);
  };
  skill('pdf', 'Fill, merge and split PDF forms');
  skill('flaky', 'Run the integration suite against staging');
  skill('idle', 'Draw architecture diagrams from code');
  fs.mkdirSync(path.join(dir, 'skills', 'broken'), { recursive: true });
  return dir;
}

interface Inv {
  skill_name: string;
  user_id: string;
  completed: boolean;
  duration_ms: number;
  invoked_at: number;
}

function data(): Inv[] {
  const out: Inv[] = [];
  const add = (skill: string, n: number, ok: number, user: (i: number) => string, ms: (i: number) => number, age: (i: number) => number) => {
    for (let i = 0; i < n; i++) out.push({ skill_name: skill, user_id: user(i), completed: i < ok, duration_ms: ms(i), invoked_at: NOW - age(i) });
  };
  // pdf: 20 runs by 5 users over the last 10 days, 18 succeed, 100..1900 ms.
  add(
    'skill:pdf',
    20,
    18,
    (i) => `u${i % 5}`,
    (i) => 100 * (i + 1),
    (i) => (i + 1) * 12 * HOUR,
  );
  // flaky: 10 runs by u0, 3 succeed.
  add(
    'skill:flaky',
    10,
    3,
    () => 'u0',
    () => 500,
    (i) => (i + 1) * HOUR,
  );
  // gone: used 4 times by u1, not installed.
  add(
    'skill:gone',
    4,
    4,
    () => 'u1',
    () => 50,
    (i) => (i + 1) * DAY,
  );
  // Bash: a built-in tool.
  add(
    'Bash',
    6,
    6,
    () => 'u0',
    () => 20,
    (i) => (i + 1) * HOUR,
  );
  // idle was used 40 days ago only: outside the 30-day window.
  add(
    'skill:idle',
    1,
    1,
    () => 'u2',
    () => 10,
    () => 40 * DAY,
  );
  // MCP tools count under their server.
  add(
    'mcp__github__create_issue',
    3,
    3,
    () => 'u0',
    () => 300,
    (i) => (i + 1) * HOUR,
  );
  add(
    'mcp__github__list_prs',
    2,
    2,
    () => 'u0',
    () => 100,
    (i) => (i + 1) * HOUR,
  );
  return out;
}

/**
 * Attributed API calls of pdf: stamped, two priced calls (0.01 + 0.03 USD, 1000 + 3000 tokens) by u0 and u1;
 * bounded, the same two plus one of a model without a price (500 tokens) by u0; and one stamped call
 * 40 days ago (outside the window).
 */
function costs(app: App): AttributedUsage[] {
  const call = (key: string, attribution: Attribution, user: string, tokens: number, costUsd: number | null, age: number): AttributedUsage => ({
    key: `${key}:${attribution}`,
    skill: 'skill:pdf',
    attribution,
    userHash: app.hashUser(user),
    sessionKey: 's0',
    model: costUsd === null ? 'mystery-model' : 'claude-sonnet-4-5',
    at: NOW - age,
    inputTokens: tokens / 2,
    outputTokens: tokens / 4,
    cacheWriteTokens: tokens / 8,
    cacheReadTokens: tokens / 8,
    costUsd,
  });
  return [
    call('m1', 'stamped', 'u0', 1000, 0.01, HOUR),
    call('m2', 'stamped', 'u1', 3000, 0.03, 2 * HOUR),
    call('m1', 'bounded', 'u0', 1000, 0.01, HOUR),
    call('m2', 'bounded', 'u1', 3000, 0.03, 2 * HOUR),
    call('m3', 'bounded', 'u0', 496, null, 3 * HOUR),
    call('m0', 'stamped', 'u0', 8000, 0.5, 40 * DAY),
  ];
}

async function withApp<T>(backend: TestBackend, env: Record<string, string>, fn: (app: App) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-report-${backend.name}-`));
  let b: OpenedBackend | null = null;
  let app: App | null = null;
  try {
    b = await backend.open({ now: () => NOW, salt: 'cd'.repeat(32) });
    const config = parseConfig({
      flags: { dataDir: path.join(dir, 'data'), port: 0 },
      env: { SESSION_BUDDY_AUDIT: 'off', CLAUDE_CONFIG_DIR: claudeDir(dir), HOME: dir, ...env },
    });
    app = createApp(config, { stores: b.stores, now: () => NOW, logger: createLogger('silent') });
    await app.tracker.trackBatch(data().map((d, i) => ({ ...d, session_id: `s${i % 4}`, workflow_phase: 'implementation' })));
    await app.stores.skillCosts.record(costs(app));
    return await fn(app);
  } finally {
    await app?.close();
    await b?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Report = any;

describe('get_skill_report', async () => {
  for (const backend of await testBackends()) {
    it(`splits a skill's activations by trigger, with the slash-after-miss estimate, on ${backend.name}`, { skip: backend.skip ?? false }, async () => {
      await withApp(backend, {}, async (app) => {
        const one = { skill_name: 'skill:slides', user_id: 'u0', session_id: 'st', workflow_phase: 'implementation' as const, completed: true, duration_ms: 0 };
        await app.tracker.trackBatch([
          { ...one, trigger: 'model' as const, duration_ms: 800, invoked_at: NOW - 5 * HOUR },
          { ...one, trigger: 'model' as const, duration_ms: 934, invoked_at: NOW - 4 * HOUR },
          { ...one, trigger: 'typed' as const, invoked_at: NOW - 3 * HOUR },
          { ...one, trigger: 'typed' as const, slash_after_miss: true, invoked_at: NOW - 2 * HOUR },
          { ...one, trigger: 'typed' as const, invoked_at: NOW - HOUR },
          { ...one, skill_name: 'skill:notes', trigger: 'typed' as const, invoked_at: NOW - HOUR },
        ]);
        const client = await connectInMemory(app.createMcpServer('t'));
        const r: Report = await callOk(client, 'get_skill_report', {});
        const by = new Map<string, Report>(r.skills.map((s: Report) => [s.skill, s]));
        // 2 by the agent, 3 typed (one of them after a prompt that did not use it): shares 0.4 / 0.6, 1 candidate miss.
        assert.deepEqual(by.get('skill:slides').usage.activations, {
          model: 2,
          typed: 3,
          automatic_share: 0.4,
          typed_share: 0.6,
          candidate_misses: 1,
          estimate: true,
        });
        assert.equal(by.get('skill:pdf').usage.activations, null);
        // Latency from the two Skill calls only (800 and 934 ms; the typed activations have no duration):
        // nearest rank p50 = 1st = 800, p95 = 2nd = 934, within 1 %. A skill only ever typed has none.
        const slides = by.get('skill:slides').usage;
        assert.ok(Math.abs(slides.p50_duration_ms - 800) <= 8 && Math.abs(slides.p95_duration_ms - 934) <= 9.34, JSON.stringify(slides));
        const notes = by.get('skill:notes').usage;
        assert.deepEqual([notes.invocations, notes.p50_duration_ms, notes.p95_duration_ms], [1, null, null]);
        assert.match(r.activation_rule, /estimate|prompt/i);
      });
    });

    it(`judges installed and used skills on ${backend.name}`, { skip: backend.skip ?? false }, async () => {
      await withApp(backend, {}, async (app) => {
        const client = await connectInMemory(app.createMcpServer('t'));
        const r: Report = await callOk(client, 'get_skill_report', {});
        const by = new Map<string, Report>(r.skills.map((s: Report) => [s.skill, s]));
        assert.equal(r.window.days, 30);
        assert.equal(r.inventory.read, true);
        assert.equal(r.inventory.items, 4);
        assert.equal(r.per_user, false);
        // Most used first: pdf 20, flaky 10, Bash 6, mcp:github 5, gone 4; then the unused installed items by name.
        assert.deepEqual(
          r.skills.map((s: Report) => s.skill),
          ['skill:pdf', 'skill:flaky', 'Bash', 'mcp:github', 'skill:gone', 'skill:broken', 'skill:idle'],
        );

        const pdf = by.get('skill:pdf');
        assert.equal(pdf.installed, true);
        assert.equal(pdf.usage.invocations, 20);
        assert.equal(pdf.usage.success_rate, 0.9);
        // Durations 100, 200, …, 2000 ms: nearest rank p50 = 10th = 1000 ms, p95 = 19th = 1900 ms (within 1 %).
        assert.ok(Math.abs(pdf.usage.p50_duration_ms - 1000) <= 10, String(pdf.usage.p50_duration_ms));
        assert.ok(Math.abs(pdf.usage.p95_duration_ms - 1900) <= 19, String(pdf.usage.p95_duration_ms));
        assert.equal(pdf.usage.last_used, new Date(NOW - 12 * HOUR).toISOString());
        assert.equal(pdf.verdict, 'keep');
        assert.ok(pdf.always_loaded_tokens > 0);
        // Stamped: 0.04 USD and 4000 tokens over 20 invocations; bounded has an unpriced call: unknown, not 0.04.
        assert.deepEqual(pdf.usage.cost.stamped, {
          api_calls: 2,
          unpriced_calls: 0,
          input_tokens: 2000,
          output_tokens: 1000,
          cache_write_tokens: 500,
          cache_read_tokens: 500,
          tokens: 4000,
          tokens_per_invocation: 200,
          cost_usd: 0.04,
          cost_per_invocation_usd: 0.002,
          cost: 'measured',
        });
        assert.deepEqual(
          [pdf.usage.cost.bounded.tokens, pdf.usage.cost.bounded.unpriced_calls, pdf.usage.cost.bounded.cost_usd, pdf.usage.cost.bounded.cost],
          [4496, 1, null, 'unknown'],
        );
        // Telemetry: no call attributed: not measured (null), never 0.
        assert.equal(pdf.usage.cost.telemetry, null);
        assert.deepEqual(by.get('skill:flaky').usage.cost, { stamped: null, bounded: null, telemetry: null });

        assert.deepEqual([by.get('skill:flaky').verdict, by.get('skill:flaky').flags], ['review', ['failing']]);
        assert.equal(by.get('skill:flaky').reason, 'fails 70% of 10 invocations');
        assert.deepEqual([by.get('skill:gone').verdict, by.get('skill:gone').flags, by.get('skill:gone').installed], ['review', ['not_installed'], false]);
        // The report cannot know it was ever installed: "not installed", never "no longer installed".
        assert.equal(by.get('skill:gone').reason, 'used 4× in the last 30 days but not installed: install it or stop relying on it');
        assert.deepEqual([by.get('skill:idle').verdict, by.get('skill:idle').flags], ['remove', ['unused']]);
        assert.match(by.get('skill:idle').reason, /last used 2025-05-01/);
        assert.deepEqual([by.get('skill:broken').verdict, by.get('skill:broken').flags], ['remove', ['broken', 'never_used']]);
        assert.deepEqual([by.get('Bash').installed, by.get('Bash').kind, by.get('Bash').verdict], [null, 'tool', 'keep']);
        const gh = by.get('mcp:github');
        assert.deepEqual([gh.usage.invocations, gh.kind, gh.installed, gh.verdict], [5, 'mcp-server', false, 'review']);
        // Its tools under the names they were recorded with (as Top skills and get_real_time_metrics name them); none for other rows.
        assert.deepEqual(gh.tools, ['mcp__github__create_issue', 'mcp__github__list_prs']);
        assert.deepEqual([pdf.tools, by.get('Bash').tools], [[], []]);
        assert.deepEqual(r.verdicts, { keep: 2, review: 3, remove: 2 });
        // The verdict counts cover every skill, not only those listed.
        const two: Report = await callOk(client, 'get_skill_report', { limit: 2 });
        assert.deepEqual([two.skills.length, two.total_skills, two.verdicts], [2, 7, { keep: 2, review: 3, remove: 2 }]);

        const one: Report = await callOk(client, 'get_skill_report', { skill: 'skill:idle', days: 60 });
        assert.deepEqual(
          one.skills.map((s: Report) => [s.skill, s.usage.invocations, s.verdict]),
          [['skill:idle', 1, 'review']],
        );
        await client.close();
      });
    });

    it(`withholds community figures below k users, shows the user's own on ${backend.name}`, { skip: backend.skip ?? false }, async () => {
      await withApp(backend, {}, async (app) => {
        const client = await connectInMemory(app.createMcpServer('t'));
        const r: Report = await callOk(client, 'get_skill_report', { user_id: 'u0' });
        const by = new Map<string, Report>(r.skills.map((s: Report) => [s.skill, s]));
        assert.equal(r.per_user, true);
        assert.equal(r.community_min_users, 5);
        // pdf: 5 users in the window (k = 5): shown. flaky: u0 alone: withheld.
        assert.equal(by.get('skill:pdf').usage.invocations, 20);
        assert.equal(by.get('skill:flaky').usage, null);
        assert.deepEqual(by.get('skill:flaky').you, {
          invocations_all_time: 10,
          success_rate_all_time: 0.3,
          last_used: new Date(NOW - HOUR).toISOString(),
          used_in_window: true,
          cost: { stamped: null, bounded: null, telemetry: null },
        });
        // u0 ran pdf at i = 0, 5, 10, 15: 4 times, all succeeded; u0's own costs in the window: m1 (and m3, unpriced).
        assert.equal(by.get('skill:pdf').you.invocations_all_time, 4);
        assert.deepEqual(
          [by.get('skill:pdf').you.cost.stamped.cost_usd, by.get('skill:pdf').you.cost.stamped.tokens, by.get('skill:pdf').you.cost.bounded.cost],
          [0.01, 1000, 'unknown'],
        );
        // gone: u1 alone used it, u0 never did and it is not installed: its name would tell u0 that a colleague
        // used it, so it is withheld (not listed, counted), as get_community_baselines withholds it. idle (no use in
        // the window) and broken (never used) are installed: listed, their names come from the inventory.
        assert.equal(by.has('skill:gone'), false);
        assert.equal(r.withheld_skills, 1);
        assert.equal(r.total_skills, 6);
        assert.equal(r.verdicts.keep + r.verdicts.review + r.verdicts.remove, 6);
        // The order tells nothing withheld: pdf by its shown count, then by u0's own uses (flaky 10, Bash 6,
        // mcp:github 5), then by name.
        assert.deepEqual(
          r.skills.map((s: Report) => s.skill),
          ['skill:pdf', 'skill:flaky', 'Bash', 'mcp:github', 'skill:broken', 'skill:idle'],
        );
        // u0 used both of mcp:github's tools: named. Per user, only the user's own tools are (a colleague's would tell who used what).
        assert.deepEqual(by.get('mcp:github').tools, ['mcp__github__create_issue', 'mcp__github__list_prs']);
        // Named, the same: withheld, not listed.
        const gone: Report = await callOk(client, 'get_skill_report', { user_id: 'u0', skill: 'skill:gone' });
        assert.deepEqual([gone.skills, gone.withheld_skills, gone.total_skills], [[], 1, 0]);
        // limit keeps the first of that order; u1 used gone: listed with u1's own figures only.
        const two: Report = await callOk(client, 'get_skill_report', { user_id: 'u1', limit: 2 });
        assert.deepEqual(
          two.skills.map((s: Report) => [s.skill, s.usage, s.you.invocations_all_time]),
          [
            ['skill:pdf', two.skills[0].usage, 4],
            ['skill:gone', null, 4],
          ],
        );
        // Bash and mcp:github: u0's alone, neither installed; flaky, u0's alone too, is installed.
        assert.equal(two.withheld_skills, 2);
        // An admin (no user): every skill, nothing withheld.
        const admin: Report = await callOk(client, 'get_skill_report', {});
        assert.deepEqual([admin.withheld_skills, admin.skills.some((s: Report) => s.skill === 'skill:gone')], [0, true]);
        // A tool of mcp:github only u1 used: named to an admin, never to u0.
        await app.tracker.track({
          skill_name: 'mcp__github__delete_repo',
          user_id: 'u1',
          session_id: 's9',
          workflow_phase: 'implementation',
          completed: true,
          duration_ms: 10,
          invoked_at: NOW - HOUR,
        });
        const tools = async (args: Record<string, unknown>) =>
          (await callOk<Report>(client, 'get_skill_report', { ...args, skill: 'mcp:github' })).skills[0]?.tools as string[] | undefined;
        assert.deepEqual(await tools({}), ['mcp__github__create_issue', 'mcp__github__delete_repo', 'mcp__github__list_prs']);
        assert.deepEqual(await tools({ user_id: 'u0' }), ['mcp__github__create_issue', 'mcp__github__list_prs']);
        await client.close();
      });
      await withApp(backend, { SESSION_BUDDY_COMMUNITY_MIN_USERS: '1' }, async (app) => {
        const client = await connectInMemory(app.createMcpServer('t'));
        const r: Report = await callOk(client, 'get_skill_report', { user_id: 'u0', skill: 'skill:flaky' });
        assert.equal(r.community_min_users, 1);
        assert.equal(r.skills[0].usage.invocations, 10);
        await client.close();
      });
    });
  }

  it('tells an item that does not load from one that loads with a problem and from one the user turned off', async () => {
    const [sqlite] = await testBackends();
    const fx = makeClaudeFixture(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-report-fx-')));
    try {
      await withApp(sqlite!, { CLAUDE_CONFIG_DIR: fx.claudeDir, HOME: fx.home }, async (app) => {
        // skill:plain (no front matter: loads with a fallback) used 3 times in the window, all succeeded.
        const use = { skill_name: 'skill:plain', user_id: 'u0', session_id: 'sp', workflow_phase: 'implementation' as const, completed: true, duration_ms: 5 };
        await app.tracker.trackBatch([1, 2, 3].map((d) => ({ ...use, invoked_at: NOW - d * DAY })));
        const client = await connectInMemory(app.createMcpServer('t'));
        const r: Report = await callOk(client, 'get_skill_report', { project_dir: fx.project });
        const by = new Map<string, Report>(r.skills.map((s: Report) => [s.skill, s]));
        const judged = (name: string) => [by.get(name).verdict, by.get(name).flags];

        // Loads with a problem: review, "fix it"; never "cannot load" or "remove".
        assert.deepEqual(judged('skill:plain'), ['review', ['loads_with_problem']]);
        assert.match(by.get('skill:plain').reason, /^loads with a problem \(no front matter \(Claude Code falls back .*\)\): fix it$/);
        assert.ok(by.get('skill:plain').always_loaded_tokens > 0);
        // Does not load: broken, remove.
        assert.deepEqual(judged('skill:broken'), ['remove', ['broken', 'never_used']]);
        assert.match(by.get('skill:broken').reason, /^does not load \(unparseable front matter: .*\): fix it or remove it$/);
        assert.deepEqual([...judged('mcp:bad'), by.get('mcp:bad').always_loaded_tokens], ['remove', ['broken', 'never_used'], 0]);
        // Turned off by the user: not broken, no "fix it or remove it"; it costs nothing.
        assert.deepEqual([...judged('mcp:legacy'), by.get('mcp:legacy').always_loaded_tokens], ['keep', ['turned_off', 'never_used'], 0]);
        assert.match(by.get('mcp:legacy').reason, /^turned off in .*settings\.json \(disabledMcpjsonServers\): not loaded, costs nothing$/);
        // Under a name defined twice the row is the copy Claude Code loads (the project's subagent), not the shadowed one.
        assert.equal(by.get('agent:tester').source, path.join(fx.project, '.claude', 'agents', 'tester.md'));
        assert.deepEqual([...judged('agent:tester'), by.get('agent:tester').problems], ['remove', ['never_used'], []]);
        assert.match(by.get('agent:tester').reason, /^installed but never used; it adds about \d+ tokens to every session$/);
        assert.deepEqual(judged('mcp:github'), ['keep', []]);
        assert.equal(by.get('mcp:github').source.includes('projects['), true);

        // The installed total: the known tokens, and how many servers' tool lists it leaves out (bad and legacy load none).
        assert.equal(r.inventory.items, 22);
        assert.equal(r.inventory.mcp_servers_not_counted, 4);
        assert.ok(r.inventory.always_loaded_tokens > 0);
        await client.close();
      });
    } finally {
      fs.rmSync(path.dirname(fx.home), { recursive: true, force: true });
    }
  });

  it('gives the usage change from the first third of the days to the last, and says why when there is none', async () => {
    const [sqlite] = await testBackends();
    await withApp(sqlite!, {}, async (app) => {
      // A 6-day window (Jun 4 13:00 to now, Jun 10 12:30) starts with a partial day, Jun 4 from 13:00: the trend leaves
      // it out and has the 6 whole UTC days Jun 5 … Jun 10, as get_skill_trend's. rocket takes off late: 3 invocations
      // on Jun 4 (in the window, not in the trend), then 3, 3, 6, 12, 24, 30. Thirds of ⌈6/3⌉ = 2 days:
      // (3 + 3) / 2 = 3 → (24 + 30) / 2 = 27: +800 %. (With Jun 4 as a seventh day it would be 3 → 22: +633.3 %.)
      const counts = [3, 3, 3, 6, 12, 24, 30];
      const one = { skill_name: 'skill:rocket', user_id: 'u0', session_id: 'sr', workflow_phase: 'implementation' as const, completed: true, duration_ms: 5 };
      await app.tracker.trackBatch(
        counts.flatMap((n, d) =>
          Array.from({ length: n }, (_, i) => ({ ...one, invoked_at: (d < 6 ? Date.UTC(2025, 5, 4 + d, 20) : Date.UTC(2025, 5, 10, 1)) + i * 1000 })),
        ),
      );
      const client = await connectInMemory(app.createMcpServer('t'));
      const rocket: Report = await callOk(client, 'get_skill_report', { skill: 'skill:rocket', days: 6 });
      assert.equal(rocket.skills[0].usage.invocations, 81);
      assert.deepEqual(rocket.skills[0].usage.trend, { usage: 'rising', usage_change_percent: 800, usage_change_note: null, success_rate: 'stable' });
      // pdf was used in the last 11 of the 30 whole days of 30 days only: the first ⌈30/3⌉ = 10 average 0.
      const pdf: Report = await callOk(client, 'get_skill_report', { skill: 'skill:pdf' });
      assert.equal(pdf.skills[0].usage.trend.usage_change_percent, null);
      assert.equal(
        pdf.skills[0].usage.trend.usage_change_note,
        'the first third of the fitted buckets (10 of 30) averages 0: a change from 0 has no percentage',
      );
      await client.close();
    });
  });

  it('gives the same trend as get_skill_trend (daily) for the same skill and days, the partial first day left out', async () => {
    const [sqlite] = await testBackends();
    await withApp(sqlite!, {}, async (app) => {
      // deploy: a few calls in the first hours of each window (the partial first day of a window ending at 12:30 starts
      // at 13:00) and many on the whole days after it, so counting the partial day as a day would drag the first third down.
      const one = { skill_name: 'skill:deploy', user_id: 'u0', session_id: 'sd', workflow_phase: 'implementation' as const, duration_ms: 5 };
      const rows = [];
      for (let d = 0; d <= 31; d++) {
        const day = Date.UTC(2025, 5, 10) - d * DAY;
        const n = d === 0 ? 2 : 10 + ((d * 7) % 13);
        for (let i = 0; i < n; i++) rows.push({ ...one, completed: i % 4 !== 0, invoked_at: day + 9 * HOUR + i * 60_000 });
        // Late on each day (after 13:00): the only calls of a window's partial first day.
        for (let i = 0; i < 3; i++) rows.push({ ...one, completed: true, invoked_at: day + 20 * HOUR + i * 60_000 });
      }
      await app.tracker.trackBatch(rows.filter((r) => r.invoked_at <= NOW));
      const client = await connectInMemory(app.createMcpServer('t'));
      for (const days of [1, 2, 3, 6, 7, 14, 30]) {
        const report: Report = await callOk(client, 'get_skill_report', { skill: 'skill:deploy', days });
        const trend: Report = await callOk(client, 'get_skill_trend', { skill_name: 'skill:deploy', days, granularity: 'day' });
        assert.equal(trend.points.length, days);
        assert.deepEqual(
          report.skills[0].usage.trend,
          {
            usage: trend.usage_trend.classification,
            usage_change_percent: trend.usage_trend.change_percent,
            usage_change_note: trend.usage_trend.change_note,
            success_rate: trend.success_rate_trend.classification,
          },
          `days ${days}`,
        );
      }
      // The 7-day case has a percentage to compare (not only nulls).
      const seven: Report = await callOk(client, 'get_skill_report', { skill: 'skill:deploy', days: 7 });
      assert.equal(typeof seven.skills[0].usage.trend.usage_change_percent, 'number');
      // Asked for one skill, the text gives its verdict and figures, as the structured answer has them.
      const asked = await client.callTool({ name: 'get_skill_report', arguments: { skill: 'skill:deploy', days: 7 } });
      const text = (asked.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('');
      const u = seven.skills[0].usage;
      assert.ok(
        text.includes(
          `skill:deploy: ${seven.skills[0].verdict} — ${seven.skills[0].reason}. Over the 7 days: ${u.invocations} invocation(s), ` +
            `${(u.success_rate * 100).toFixed(1)}% successful, p50 ${Math.round(u.p50_duration_ms)} ms, p95 ${Math.round(u.p95_duration_ms)} ms, last used ${u.last_used}.`,
        ),
        text,
      );
      await client.close();
    });
  });

  it('answers bad input with the field and the rule', async () => {
    const [sqlite] = await testBackends();
    await withApp(sqlite!, {}, async (app) => {
      const client = await connectInMemory(app.createMcpServer('t'));
      assert.equal((await callErr(client, 'get_skill_report', { days: 0 })).error?.field, 'days');
      assert.equal((await callErr(client, 'get_skill_report', { days: 1.5 })).error?.rule, 'must be an integer');
      assert.equal((await callErr(client, 'get_skill_report', { project_dir: 'relative/dir' })).error?.rule, 'must be an absolute path');
      // A mistyped directory is an error, not a project without .claude/ items.
      const gone = await callErr(client, 'get_skill_report', { project_dir: '/nonexistent/dir' });
      assert.deepEqual(
        [gone.error?.code, gone.error?.field, gone.error?.rule],
        ['INVALID_INPUT', 'project_dir', 'must be an existing directory: /nonexistent/dir'],
      );
      const missing = await callErr(client, 'get_skill_report', { skill: 'skill:nope' });
      assert.equal(missing.error?.code, 'NOT_FOUND');
      assert.equal(missing.error?.field, 'skill');
      // One MCP tool, as recorded: the report names its server instead of saying it was never recorded.
      const tool = await callErr(client, 'get_skill_report', { skill: 'mcp__slack__post' });
      assert.deepEqual(
        [tool.error?.code, tool.error?.field, tool.error?.rule],
        ['INVALID_INPUT', 'skill', "'mcp__slack__post' is a tool of the MCP server 'mcp:slack', which the report judges as a whole: name 'mcp:slack'"],
      );
      await client.close();
    });
  });
});
