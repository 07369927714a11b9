import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, it } from 'node:test';
import { createApp, type App } from '../../app.js';
import { HOUR_MS } from '../../analytics/types.js';
import { parseConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { testBackends, type OpenedBackend, type TestBackend } from '../../testing/backends.js';
import { callOk, connectInMemory, createTestApp } from '../../testing/harness.js';

const NOW = Date.UTC(2025, 5, 10, 12, 30, 0);

describe('get_community_baselines text', () => {
  it('counts as "+N more" the matching skills the text does not name, whatever the limit and with user_id', async () => {
    // k = 1: every skill (each of one user) is shown in the per-user answers too.
    const app = createTestApp({ now: () => NOW, env: { SESSION_BUDDY_COMMUNITY_MIN_USERS: '1' } });
    try {
      // 8 skills, s0 … s7, each run 3 times by u1.
      await app.tracker.trackBatch(
        Array.from({ length: 24 }, (_, i) => ({
          skill_name: `s${i % 8}`,
          user_id: 'u1',
          session_id: 'a',
          workflow_phase: 'implementation' as const,
          completed: true,
          duration_ms: 100,
          invoked_at: NOW - HOUR_MS + i * 1000,
        })),
      );
      const client = await connectInMemory(app.createMcpServer('t'));
      const text = async (args: Record<string, unknown>) => {
        const r = (await client.callTool({ name: 'get_community_baselines', arguments: args })) as CallToolResult;
        assert.notEqual(r.isError, true);
        return (r.content[0] as { text: string }).text;
      };
      const named = (t: string) => t.match(/\d+× by/g)?.length ?? 0;
      const more = (t: string) => Number(t.match(/; \+(\d+) more\./)?.[1] ?? 0);
      for (const user of [{}, { user_id: 'u1' }]) {
        // limit 3: 3 named, 5 not named (not 8 − 5 = 3).
        const three = await text({ limit: 3, ...user });
        assert.match(three, /^Baselines of 8 skill\(s\) \(3 listed\)/);
        assert.deepEqual([named(three), more(three)], [3, 5], three);
        // limit 5: 5 named, 3 more.
        const five = await text({ limit: 5, ...user });
        assert.deepEqual([named(five), more(five)], [5, 3], five);
        // The default limit lists all 8; the text names 5: 3 more.
        const all = await text({ ...user });
        assert.deepEqual([named(all), more(all)], [5, 3], all);
        // One skill asked for: named, nothing more.
        const one = await text({ skill_name: 's2', ...user });
        assert.deepEqual([named(one), more(one)], [1, 0], one);
        assert.match(one, /\.( |$)/);
      }
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});

/**
 * common: 5 users (u0 … u4), 6 runs each, u0's all ok, the others' 3 of 6; pair: u0 and u1, 6 runs each;
 * other: u5 alone, 3 runs.
 */
function data() {
  const runs = (skill: string, user: string, n: number, ok: number, at: number) =>
    Array.from({ length: n }, (_, i) => ({
      skill_name: skill,
      user_id: user,
      session_id: `s-${user}`,
      workflow_phase: 'implementation' as const,
      completed: i < ok,
      duration_ms: 100 + i,
      invoked_at: at + i * 1000,
    }));
  return [
    ...['u0', 'u1', 'u2', 'u3', 'u4'].flatMap((u, j) => runs('common', u, 6, u === 'u0' ? 6 : 3, NOW - 5 * HOUR_MS + j * 60_000)),
    ...runs('pair', 'u0', 6, 6, NOW - 4 * HOUR_MS),
    ...runs('pair', 'u1', 6, 1, NOW - 3 * HOUR_MS),
    ...runs('other', 'u5', 3, 3, NOW - 2 * HOUR_MS),
  ];
}

async function withApp(backend: TestBackend, env: Record<string, string>, fn: (app: App) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-baselines-${backend.name}-`));
  let b: OpenedBackend | null = null;
  let app: App | null = null;
  try {
    b = await backend.open({ now: () => NOW, salt: 'be'.repeat(32) });
    const config = parseConfig({ flags: { dataDir: dir, port: 0 }, env: { SESSION_BUDDY_AUDIT: 'off', SESSION_BUDDY_EMBEDDINGS: 'off', ...env } });
    app = createApp(config, { stores: b.stores, now: () => NOW, logger: createLogger('silent') });
    await app.tracker.trackBatch(data());
    await fn(app);
  } finally {
    await app?.close();
    await b?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Answer = any;

async function ask(client: Client, args: Record<string, unknown>): Promise<{ r: Answer; text: string }> {
  const res = (await client.callTool({ name: 'get_community_baselines', arguments: args })) as CallToolResult;
  assert.notEqual(res.isError, true, JSON.stringify(res.content));
  return { r: res.structuredContent, text: (res.content[0] as { text: string }).text };
}

describe('get_community_baselines per user and k', async () => {
  for (const backend of await testBackends()) {
    it(`withholds baselines of skills fewer than k users used from a per-user answer, on ${backend.name}`, { skip: backend.skip ?? false }, async () => {
      await withApp(backend, {}, async (app) => {
        const admin = await connectInMemory(app.createMcpServer('admin'));
        const { token } = await app.userTokens.create({ userId: 'u0', admin: false });
        const caller = await app.userTokens.verify(token);
        assert.equal(caller?.role, 'user');
        const own = await connectInMemory(app.createMcpServer('u0', caller!));
        // Computed now, then stored: both answers withhold alike.
        for (const stored of [false, true]) {
          if (stored) {
            // The update's `top` follows k for the per-user token too; an admin's lists every skill.
            const mine: Answer = await callOk(own, 'update_community_baselines', {});
            assert.deepEqual([mine.top.map((b: Answer) => b.skill_name), mine.community_min_users], [['common'], 5]);
            const team: Answer = await callOk(admin, 'update_community_baselines', {});
            assert.equal(team.top.length, 3);
          }
          // An admin without a user: every skill, nothing withheld.
          const all = await ask(admin, {});
          assert.equal(all.r.source, stored ? 'stored' : 'computed_now');
          assert.deepEqual(all.r.baselines.map((b: Answer) => [b.skill_name, b.users]).sort(), [
            ['common', 5],
            ['other', 1],
            ['pair', 2],
          ]);
          assert.deepEqual([all.r.per_user, all.r.community_min_users, all.r.withheld_skills, all.r.user_comparison], [false, 5, 0, null]);

          // Per user: an admin naming u0, the per-user token without user_id and naming itself.
          for (const [client, args] of [
            [admin, { user_id: 'u0' }],
            [own, {}],
            [own, { user_id: 'u0' }],
          ] as const) {
            const { r, text } = await ask(client, args);
            assert.deepEqual(
              r.baselines.map((b: Answer) => b.skill_name),
              ['common'],
            );
            assert.deepEqual([r.per_user, r.community_min_users, r.withheld_skills, r.total_skills], [true, 5, 2, 3]);
            const cmp = new Map<string, Answer>(r.user_comparison.skills.map((s: Answer) => [s.skill_name, s]));
            // common: 5 users: compared (u0 6/6 against 18/30 = 0.6).
            assert.deepEqual([cmp.get('common').community_users, cmp.get('common').community_success_rate, cmp.get('common').reason], [5, 0.6, null]);
            // pair: 2 users: u0's own figures only, no community figure.
            assert.deepEqual(cmp.get('pair'), {
              skill_name: 'pair',
              user_invocations: 6,
              user_successes: 6,
              user_success_rate: 1,
              community_success_rate: null,
              community_invocations: null,
              community_users: null,
              difference: null,
              z_score: null,
              label: 'insufficient_data',
              reason: 'community figures withheld: fewer than 5 users used this skill',
            });
            assert.equal(r.user_comparison.withheld, 1);
            assert.match(r.user_comparison.rule, /fewer than 5 users \(community_min_users\) used has no community figures/);
            assert.match(text, /2 skill\(s\) withheld: fewer than 5 users used them\./);
            assert.match(text, /\(1 with community figures withheld: fewer than 5 users\)\.$/);
            assert.ok(!/pair|other/.test(text), text);
          }

          // One skill of fewer than k users asked for: nothing listed, and the text says why.
          const other = await ask(own, { skill_name: 'other' });
          assert.deepEqual([other.r.baselines, other.r.withheld_skills], [[], 1]);
          assert.match(other.text, /^No baselines listed: 1 skill\(s\) withheld, fewer than 5 users used them\./);
          const pair = await ask(admin, { skill_name: 'pair', user_id: 'u1' });
          assert.deepEqual([pair.r.baselines, pair.r.withheld_skills, pair.r.user_comparison.skills[0].community_users], [[], 1, null]);
        }
        await own.close();
        await admin.close();
      });
    });

    it(`follows SESSION_BUDDY_COMMUNITY_MIN_USERS on ${backend.name}`, { skip: backend.skip ?? false }, async () => {
      await withApp(backend, { SESSION_BUDDY_COMMUNITY_MIN_USERS: '2' }, async (app) => {
        const client = await connectInMemory(app.createMcpServer('t'));
        const { r } = await ask(client, { user_id: 'u0' });
        assert.equal(r.community_min_users, 2);
        // pair (2 users) is shown and compared (u0 6/6 against 7/12 = .5833: z = .4167 / sqrt(.5833 · .4167 / 6) = 2.07,
        // above); other (1 user) still withheld.
        assert.deepEqual(r.baselines.map((b: Answer) => b.skill_name).sort(), ['common', 'pair']);
        assert.equal(r.withheld_skills, 1);
        const pair = r.user_comparison.skills.find((s: Answer) => s.skill_name === 'pair');
        assert.deepEqual([pair.community_users, pair.community_success_rate, pair.label], [2, 0.5833, 'above']);
        await client.close();
      });
    });
  }
});
