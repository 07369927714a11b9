/**
 * Per-user tokens on a shared server: each caller is answered about itself
 * only, admins see the team, /ws hides who did what from non-admins.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocket } from 'ws';
import { createDashboardMount } from '../realtime/dashboard-routes.js';
import { createRealtime } from '../realtime/realtime-mounts.js';
import { callErr, callOk, createTestApp, type TestApp } from '../testing/harness.js';
import { buildHttpApp, startHttpServer, type RunningHttpServer } from './http-server.js';
import { McpSessions } from './mcp-sessions.js';
import { createLogger } from '../logger.js';

const inv = (user_id: string, skill_name: string, completed: boolean) => ({
  skill_name,
  user_id,
  session_id: `s-${user_id}`,
  workflow_phase: 'testing' as const,
  completed,
  duration_ms: 100,
  project: `proj-${user_id}`,
});

async function mcpAs(url: string, token: string | null): Promise<{ client: Client; close(): Promise<void> }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {});
  const client = new Client({ name: 'privacy-test', version: '1' });
  await client.connect(transport);
  return {
    client,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

/** Opens /ws with a token, subscribes to invocations and resolves with the first invocations push. */
function firstInvocations(url: string, token: string | null): { ready: Promise<void>; events: Promise<Record<string, unknown>[]>; close(): void } {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  const events = new Promise<Record<string, unknown>[]>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'subscribe', skills: '*', channels: ['invocations'] })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; events?: Record<string, unknown>[] };
      if (m.type === 'subscribed') onReady();
      if (m.type === 'invocations') resolve(m.events!);
    });
  });
  return { ready, events, close: () => ws.close() };
}

describe('per-user tokens on a shared server', () => {
  let app: TestApp;
  let http: RunningHttpServer;
  let alice: string;
  let teamAdmin: string;
  let revoked: string;
  before(async () => {
    app = createTestApp();
    // alice: lint 2 of 3 ok; bob: lint 0 of 2, build 1 of 1.
    await app.tracker.trackBatch([
      inv('alice', 'lint', true),
      inv('alice', 'lint', true),
      inv('alice', 'lint', false),
      inv('bob', 'lint', false),
      inv('bob', 'lint', false),
      inv('bob', 'build', true),
    ]);
    alice = (await app.userTokens.create({ userId: 'alice', admin: false })).token;
    teamAdmin = (await app.userTokens.create({ userId: 'carol', admin: true, label: 'lead' })).token;
    const r = await app.userTokens.create({ userId: 'dave', admin: false });
    revoked = r.token;
    await app.userTokens.revoke(r.record.id);
    const rt = await createRealtime(app, { dashboard: true, metrics: true });
    http = await startHttpServer(app, rt.mounts);
  });
  after(async () => {
    await http.close();
    await app.dispose();
  });

  it('stores only hashes: neither the token nor the user id is in the table', async () => {
    const rows = app.db.prepare('SELECT * FROM api_tokens').all() as Record<string, unknown>[];
    assert.equal(rows.length, 3);
    const dump = JSON.stringify(rows);
    for (const secret of [alice, teamAdmin, revoked, 'alice', 'carol', 'dave']) assert.ok(!dump.includes(`"${secret}"`), secret);
    assert.equal(rows.find((r) => r.role === 'admin')?.user_hash, app.hashUser('carol'));
  });

  it('answers a per-user token about its own user and refuses questions about others', async () => {
    const c = await mcpAs(http.url, alice);
    try {
      for (const [tool, args] of [
        ['get_community_baselines', { user_id: 'bob' }],
        ['get_collaborative_recommendations', { user_id: 'bob' }],
        ['predict_skill_success', { user_id: 'bob', skill_name: 'lint', workflow_phase: 'testing' }],
      ] as const) {
        const { error } = await callErr(c.client, tool, args);
        assert.equal(error?.code, 'FORBIDDEN', tool);
        assert.equal(error?.field, 'user_id', tool);
      }
      type Cmp = { user_comparison: { skills: { skill_name: string; user_invocations: number; user_successes: number }[] } | null };
      const own = await callOk<Cmp>(c.client, 'get_community_baselines', { user_id: 'alice' });
      assert.deepEqual(
        own.user_comparison?.skills.map((s) => [s.skill_name, s.user_invocations, s.user_successes]),
        [['lint', 3, 2]],
      );
      // No user_id: the caller itself.
      type Own = Cmp & { baselines: unknown[]; withheld_skills: number; user_comparison: { skills: { community_success_rate: number | null }[] } };
      const implicit = await callOk<Own>(c.client, 'get_community_baselines', {});
      assert.deepEqual(
        implicit.user_comparison?.skills.map((s) => [s.skill_name, s.user_invocations, s.user_successes]),
        [['lint', 3, 2]],
      );
      // lint (alice and bob) and build (bob) have fewer than k = 5 users: no figure across users reaches alice.
      assert.deepEqual([implicit.baselines, implicit.withheld_skills], [[], 2]);
      assert.equal(implicit.user_comparison.skills[0]?.community_success_rate, null);
    } finally {
      await c.close();
    }
  });

  it('lists in a per-user skill report no skill only colleagues used, fewer than k of them, and counts it', async () => {
    type Report = {
      per_user: boolean;
      withheld_skills: number;
      total_skills: number;
      skills: { skill: string; usage: unknown; you: { invocations_all_time: number } | null }[];
    };
    // lint: alice and bob, 2 users < k = 5, listed as alice used it (her own figures only); build: bob alone, withheld.
    const check = (r: Report, where: string) => {
      assert.equal(r.per_user, true, where);
      assert.deepEqual(
        r.skills.filter((s) => !s.skill.includes(':')).map((s) => [s.skill, s.usage, s.you?.invocations_all_time]),
        [['lint', null, 3]],
        where,
      );
      assert.equal(r.withheld_skills, 1, where);
    };
    const c = await mcpAs(http.url, alice);
    try {
      const res = await c.client.callTool({ name: 'get_skill_report', arguments: {} });
      check(res.structuredContent as Report, 'get_skill_report');
      const text = (res.content as { type: string; text: string }[])[0]!.text;
      assert.match(text, /1 skill\(s\) withheld, not listed: fewer than 5 users used them/);
      assert.doesNotMatch(text, /build/);
      // Named: answered as the baselines are, withheld, not listed.
      const named = await callOk<Report>(c.client, 'get_skill_report', { skill: 'build' });
      assert.deepEqual([named.skills, named.withheld_skills, named.total_skills], [[], 1, 0]);
    } finally {
      await c.close();
    }
    const api = await fetch(`${http.url}/api/skill-report`, { headers: { Authorization: `Bearer ${alice}` } });
    assert.equal(api.status, 200);
    check((await api.json()) as Report, '/api/skill-report');
    // An admin sees every skill, nothing withheld.
    const lead = await fetch(`${http.url}/api/skill-report`, { headers: { Authorization: `Bearer ${teamAdmin}` } });
    const all = (await lead.json()) as Report;
    assert.deepEqual([all.per_user, all.withheld_skills, all.skills.filter((s) => !s.skill.includes(':')).map((s) => s.skill)], [false, 0, ['lint', 'build']]);
  });

  it('serves /metrics (figures across all users) to admins, not to a per-user token', async () => {
    const get = (token: string | null) => fetch(`${http.url}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    const refused = await get(alice);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /not a per-user token/);
    for (const token of [teamAdmin, app.access.installationToken(), null]) {
      const res = await get(token);
      assert.equal(res.status, 200, String(token));
      assert.match(await res.text(), /skill_invocations_total/);
    }
  });

  it('lets an admin token and the installation token ask about anyone', async () => {
    for (const token of [teamAdmin, app.access.installationToken()]) {
      const c = await mcpAs(http.url, token);
      try {
        type Cmp = { user_comparison: { skills: { skill_name: string; user_invocations: number }[] } | null };
        const bob = await callOk<Cmp>(c.client, 'get_community_baselines', { user_id: 'bob' });
        assert.deepEqual(bob.user_comparison?.skills.map((s) => [s.skill_name, s.user_invocations]).sort(), [
          ['build', 1],
          ['lint', 2],
        ]);
        const none = await callOk<Cmp>(c.client, 'get_community_baselines', {});
        assert.equal(none.user_comparison, null);
      } finally {
        await c.close();
      }
    }
  });

  it('lets a per-user token record its own invocations only, writing nothing otherwise', async () => {
    const post = (body: unknown) =>
      fetch(`${http.url}/api/invocations`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const before = (app.db.prepare('SELECT count(*) AS n FROM skill_invocations').get() as { n: number }).n;
    const mixed = await post([inv(' alice ', 'fmt', true), inv('bob', 'fmt', true)]);
    assert.equal(mixed.status, 403);
    assert.equal(((await mixed.json()) as { error: { details: { field: string } } }).error.details.field, 'invocations.1.user_id');
    assert.equal((app.db.prepare('SELECT count(*) AS n FROM skill_invocations').get() as { n: number }).n, before);
    const own = await post(inv('alice', 'fmt', true));
    assert.equal(own.status, 200);
    assert.equal((app.db.prepare('SELECT count(*) AS n FROM skill_invocations').get() as { n: number }).n, before + 1);
  });

  it('lets a per-user token write through the MCP tools for its own user only', async () => {
    const count = (sql: string) => (app.db.prepare(sql).get() as { n: number }).n;
    const rows = () => count('SELECT count(*) AS n FROM skill_invocations');
    const outcomes = () => count('SELECT count(*) AS n FROM ab_outcomes');
    const admin = await mcpAs(http.url, teamAdmin);
    const c = await mcpAs(http.url, alice);
    try {
      await callOk(admin.client, 'create_ab_test', { name: 'own-user-writes', variants: ['a', 'b'] });
      const before = rows();
      const refused = [
        ['track_skill_invocation', inv('bob', 'fmt', true), 'user_id'],
        ['track_skill_invocations', { invocations: [inv('alice', 'fmt', true), inv('bob', 'fmt', true)] }, 'invocations.1.user_id'],
        ['assign_ab_test_variant', { experiment: 'own-user-writes', user_id: 'bob' }, 'user_id'],
        ['record_ab_test_outcome', { experiment: 'own-user-writes', user_id: 'bob', value: 1 }, 'user_id'],
      ] as const;
      for (const [tool, args, field] of refused) {
        const { error } = await callErr(c.client, tool, args);
        assert.equal(error?.code, 'FORBIDDEN', tool);
        assert.equal(error?.field, field, tool);
      }
      assert.equal(rows(), before, 'nothing recorded: neither the other user nor the rest of the batch');
      assert.equal(outcomes(), 0);
      await callOk(c.client, 'track_skill_invocations', { invocations: [inv('alice', 'fmt', true)] });
      await callOk(c.client, 'record_ab_test_outcome', { experiment: 'own-user-writes', user_id: 'alice', value: 1 });
      // An admin token records for anyone.
      await callOk(admin.client, 'track_skill_invocation', inv('bob', 'fmt', true));
      await callOk(admin.client, 'record_ab_test_outcome', { experiment: 'own-user-writes', user_id: 'bob', value: 0 });
      assert.equal(rows(), before + 2);
      assert.equal(outcomes(), 2);
    } finally {
      await c.close();
      await admin.close();
    }
  });

  it('refuses a revoked or unknown token', async () => {
    for (const token of [revoked, 'sbu_not-a-real-token']) {
      const res = await fetch(`${http.url}/mcp`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 401, token);
      // The same words for both: whether a token ever existed is not told.
      assert.match(await res.text(), /invalid or revoked token/, token);
    }
  });

  it('on /ws shows user_hash, session_id and project to admins only', async () => {
    const user = firstInvocations(http.url, alice);
    const admin = firstInvocations(http.url, teamAdmin);
    try {
      await Promise.all([user.ready, admin.ready]);
      await app.tracker.track(inv('bob', 'deploy', true));
      const [u, a] = await Promise.all([user.events, admin.events]);
      assert.equal(u[0]!.skill_name, 'deploy');
      assert.deepEqual(
        ['user_hash', 'session_id', 'project'].filter((k) => k in u[0]!),
        [],
      );
      assert.equal(a[0]!.user_hash, app.hashUser('bob'));
      assert.equal(a[0]!.session_id, 's-bob');
      assert.equal(a[0]!.project, 'proj-bob');
    } finally {
      user.close();
      admin.close();
    }
  });
});

describe('a team (non-loopback) bind', () => {
  it('requires a token; a per-user token opens /mcp, and ?token= is refused off /ws', async () => {
    const app = createTestApp({ flags: { host: '0.0.0.0' } });
    try {
      const { token } = await app.userTokens.create({ userId: 'alice', admin: false });
      const mcp = new McpSessions({ createServer: (id, caller) => app.createMcpServer(id, caller), logger: createLogger('silent') });
      const hono = buildHttpApp(app, mcp, [], () => 8678);
      const init = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      assert.equal((await hono.request('http://10.0.0.1:8678/mcp', { method: 'POST', headers, body: init })).status, 401);
      assert.equal((await hono.request(`http://10.0.0.1:8678/mcp?token=${token}`, { method: 'POST', headers, body: init })).status, 401);
      assert.equal(
        (await hono.request(`http://10.0.0.1:8678/api/invocations?token=${app.access.installationToken()}`, { method: 'POST', headers, body: '[]' })).status,
        401,
      );
      // The dashboard's static page loads without a token (its data comes over /ws, which needs one).
      const mounted = buildHttpApp(app, mcp, [createDashboardMount()], () => 8678);
      assert.equal((await mounted.request('http://10.0.0.1:8678/')).status, 200);
      assert.equal((await mounted.request('http://10.0.0.1:8678/dashboard/dashboard.js')).status, 200);
      assert.equal((await mounted.request('http://10.0.0.1:8678/', { method: 'POST' })).status, 401);
      const ok = await hono.request('http://10.0.0.1:8678/mcp', { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body: init });
      assert.equal(ok.status, 200);
      await mcp.closeAll();
    } finally {
      await app.dispose();
    }
  });
});
