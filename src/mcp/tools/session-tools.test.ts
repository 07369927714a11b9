import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createReflectionService } from '../../memory/reflection-service.js';
import { SqliteReflectionStore } from '../../store/sqlite/reflection-store.js';
import { git, makeRichProject, removeDir } from '../../session/fixture-projects.js';
import { SessionManager } from '../../session/session-manager.js';
import { createSqlSessionSkillMetrics } from '../../store/sqlite/session-skill-metrics.js';
import { readSqliteStorageStats } from '../../store/sqlite/storage-stats.js';
import { callErr, callOk, connectInMemory, createTestApp, type TestApp } from '../../testing/harness.js';
import type { ToolDeps } from '../tool-deps.js';
import { registerCheckpointTool } from './checkpoint.js';
import { registerEndTool } from './end.js';
import { registerReflectionStatsTool } from './reflection-stats.js';
import { registerSearchReflectionsTool } from './search-reflections.js';
import { registerStartTool } from './start.js';
import { registerStatusTool } from './status.js';
import { registerStoreReflectionTool } from './store-reflection.js';
import { LOCAL_ADMIN } from '../caller-identity.js';

const NOW = Date.parse('2026-01-12T12:00:00Z'); // two days after the fixture's commit

/** Registers the session tools the way the composition root will (ToolDeps + sessions + reflections). */
function buildServer(app: TestApp): McpServer {
  const reflections = createReflectionService(new SqliteReflectionStore(app.db, { now: app.now }));
  const sessions = new SessionManager({
    memory: reflections,
    dataDir: app.config.dataDir,
    logger: app.logger,
    now: app.now,
    audit: 'off',
    sessionSkillMetrics: createSqlSessionSkillMetrics(app.db),
    storageStats: async () => readSqliteStorageStats(app.db, app.config.dbPath, ['skill_invocations', 'reflections']),
    compaction: { compactThresholdBytes: app.config.compactThresholdBytes },
  });
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
    clientId: 'test',
    caller: LOCAL_ADMIN,
    now: app.now,
    sessions,
    reflections,
  };
  const server = new McpServer({ name: 'session-buddy', version: 'test' }, { capabilities: { tools: {} } });
  registerStartTool(server, deps);
  registerCheckpointTool(server, deps);
  registerEndTool(server, deps);
  registerStatusTool(server, deps);
  registerStoreReflectionTool(server, deps);
  registerSearchReflectionsTool(server, deps);
  registerReflectionStatsTool(server, deps);
  return server;
}

async function callText(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.ok(!res.isError, JSON.stringify(res.content));
  return res.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

describe('session lifecycle and reflection tools over MCP', () => {
  let app: TestApp;
  let client: Client;
  let project: string;

  before(async () => {
    app = createTestApp({ now: () => NOW });
    project = makeRichProject();
    client = await connectInMemory(buildServer(app));
  });
  after(async () => {
    await client.close();
    await app.dispose();
    removeDir(project);
  });

  it('lists the seven tools', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['checkpoint', 'end', 'reflection_stats', 'search_reflections', 'start', 'status', 'store_reflection']);
  });

  it('checkpoint and end without a session are NOT_FOUND errors', async () => {
    const c = await callErr(client, 'checkpoint', {});
    assert.match(c.text, /^NOT_FOUND: no open session/);
    const e = await callErr(client, 'end', {});
    assert.match(e.text, /^NOT_FOUND/);
  });

  it('start rejects a relative or missing directory, naming the field', async () => {
    const rel = await callErr(client, 'start', { working_directory: 'some/dir' });
    assert.match(rel.text, /working_directory: must be an absolute path/);
    assert.equal(rel.error?.field, 'working_directory');
    const missing = await callErr(client, 'start', { working_directory: `${project}/nope` });
    assert.match(missing.text, /working_directory: does not exist/);
  });

  let sessionId = '';

  it('start returns the session, project facts and baseline score as structured content and Markdown', async () => {
    const res = (await client.callTool({ name: 'start', arguments: { working_directory: project } })) as CallToolResult;
    assert.ok(!res.isError);
    const s = res.structuredContent as {
      session: { id: string; git: { branch: string } };
      resumed: boolean;
      project: { name: string; types: string[] };
      quality: { total: number; dimensions: Record<string, number> };
      previous_handoff: unknown;
      markdown: string;
    };
    sessionId = s.session.id;
    assert.equal(s.resumed, false);
    assert.equal(s.project.name, 'rich-app');
    assert.deepEqual(s.project.types, ['node', 'typescript']);
    assert.equal(s.session.git.branch, 'main');
    assert.equal(s.quality.total, 99.4); // see quality/score.test.ts for the arithmetic
    assert.equal(s.quality.dimensions.typing, 94);
    assert.equal(s.previous_handoff, null);
    assert.equal(res.content[0]?.type === 'text' && res.content[0].text, s.markdown);
  });

  it('store_reflection dedups and search_reflections finds it at once with score and date', async () => {
    const a = await callOk<{ id: number; created: boolean; tags: string[] }>(client, 'store_reflection', {
      content: 'The FTS5 index is kept in sync by triggers',
      tags: ['SQLite', 'search'],
      project: 'rich-app',
    });
    assert.equal(a.created, true);
    assert.deepEqual(a.tags, ['sqlite', 'search']);
    const again = { content: ' The FTS5 index is kept in sync  by triggers ', project: 'rich-app' };
    const b = await callOk<{ id: number; created: boolean }>(client, 'store_reflection', again);
    assert.deepEqual(b, { ...b, id: a.id, created: false });
    assert.match(await callText(client, 'store_reflection', again), new RegExp(`^Already stored for rich-app as reflection ${a.id} on .*; nothing added\\.$`));
    await callOk(client, 'store_reflection', { content: 'Dashboards poll every five seconds', tags: ['ui'] });

    const found = await callOk<{ count: number; results: { id: number; score: number; created_at: string }[] }>(client, 'search_reflections', {
      query: 'trigger sync',
    });
    assert.equal(found.count, 1);
    assert.equal(found.results[0]!.id, a.id);
    assert.ok(found.results[0]!.score > 0);
    assert.match(found.results[0]!.created_at, /^\d{4}-\d{2}-\d{2}T/);
    const text = await callText(client, 'search_reflections', { query: 'trigger' });
    assert.match(text, /^1 reflection\(s\) for "trigger":\n1\. \[score [0-9.]+, \d{4}-/);

    const byTag = await callOk<{ count: number }>(client, 'search_reflections', { query: 'dashboards triggers', tags: ['ui'] });
    assert.equal(byTag.count, 1);
    const byProject = await callOk<{ count: number }>(client, 'search_reflections', { query: 'dashboards triggers', project: 'rich-app' });
    assert.equal(byProject.count, 1);

    // The same text under another project is that project's note: stored, found there, and idempotent there.
    const other = { content: 'The FTS5 index is kept in sync by triggers', project: 'other-app' };
    const stored = await callText(client, 'store_reflection', other);
    const id = Number(/^Stored reflection (\d+) for other-app\.$/.exec(stored)?.[1]);
    assert.ok(id > a.id, stored);
    assert.match(await callText(client, 'store_reflection', other), new RegExp(`^Already stored for other-app as reflection ${id} on `));
    const inOther = await callOk<{ results: { id: number; project: string }[] }>(client, 'search_reflections', { query: 'triggers', project: 'other-app' });
    assert.deepEqual(
      inOther.results.map((r) => [r.id, r.project]),
      [[id, 'other-app']],
    );
    // Unfiltered, each project's copy is listed once, and the text says whose it is.
    const both = await callText(client, 'search_reflections', { query: 'triggers' });
    assert.deepEqual(
      both
        .split('\n')
        .filter((l) => /^\d+\. /.test(l))
        .map((l) => /, project ([\w-]+)[,\]]/.exec(l)?.[1])
        .sort(),
      ['other-app', 'rich-app'],
    );
  });

  it('store_reflection links a near-duplicate; search_reflections filters by file without a query; reflection_stats counts', async () => {
    const n1 = await callOk<{ id: number; files: string[] }>(client, 'store_reflection', {
      content: 'Checkout rounding bug lives in src/checkout/total.ts',
      project: 'mem',
    });
    assert.deepEqual(n1.files, ['src/checkout/total.ts']);
    const n2 = await callOk<{ id: number; duplicate_of: number; near_duplicate: { id: number; similarity: number } }>(client, 'store_reflection', {
      content: 'checkout rounding bug lives in src/checkout/total.ts!!',
      project: 'mem',
    });
    // Same words, different punctuation and case: similarity 1, yet not the same text.
    assert.deepEqual([n2.duplicate_of, n2.near_duplicate.id, n2.near_duplicate.similarity], [n1.id, n1.id, 1]);
    const text = await callText(client, 'store_reflection', { content: 'Checkout rounding bug lives in total.ts here', project: 'mem' });
    assert.match(text, /^Stored reflection \d+ for mem\.$/); // 7 words shared of 9 distinct = 0.78 < 0.8: not linked
    const byFile = await callOk<{ query: string; results: { id: number; score: number }[] }>(client, 'search_reflections', {
      file: 'total.ts',
      project: 'mem',
    });
    assert.equal(byFile.results.length, 3);
    assert.deepEqual(
      byFile.results.slice(1).map((r) => r.id),
      [n2.id, n1.id],
    );
    const bad = await callErr(client, 'search_reflections', { since: 'last week' });
    assert.match(bad.text, /since/);
    const noFilter = await callErr(client, 'search_reflections', {});
    assert.match(noFilter.text, /query/);
    const stats = await callOk<{ total: number; near_duplicates: number; by_kind: { note: number } }>(client, 'reflection_stats', {});
    assert.deepEqual([stats.total, stats.near_duplicates, stats.by_kind.note], [6, 1, 6]);
  });

  it('search_reflections treats FTS5 syntax literally and rejects an empty query', async () => {
    for (const query of ['"unbalanced', 'NEAR(a b)', 'col:x*', 'AND OR NOT']) {
      await callOk(client, 'search_reflections', { query });
    }
    const empty = await callErr(client, 'search_reflections', { query: '' });
    assert.match(empty.text, /query/);
    const tooMany = await callErr(client, 'store_reflection', { content: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) });
    assert.match(tooMany.text, /tags/);
  });

  it('checkpoint returns the full report: quality with evidence, delta, metrics, storage, recommendations', async () => {
    await app.tracker.track({
      skill_name: 'run-tests',
      user_id: 'u',
      session_id: 'agent-1',
      workflow_phase: 'testing',
      completed: false,
      duration_ms: 40,
      project: 'rich-app',
    });
    const r = await callOk<{
      kind: string;
      session: { id: string; checkpoints: number };
      quality: { total: number; measured_weight: number; dimensions: { id: string; evidence: string[] }[] };
      delta: { since_start: number };
      work: { measured: boolean; commits: unknown[] };
      session_metrics: { measured: boolean; invocations: number; failures: number };
      storage: { database: { measured: boolean; rows: Record<string, number>; compaction: { recommended: boolean } } };
      recommendations: { priority: string }[];
      history: { reflection_id: number; points: { total: number }[]; summary: string };
      markdown: string;
    }>(client, 'checkpoint', {});
    assert.equal(r.kind, 'checkpoint');
    assert.equal(r.session.id, sessionId);
    assert.equal(r.session.checkpoints, 1);
    assert.equal(r.quality.total, 99.4);
    assert.equal(r.delta.since_start, 0);
    assert.equal(r.quality.dimensions.length, 7);
    assert.ok(r.quality.dimensions.every((d) => d.evidence.length > 0));
    assert.deepEqual([r.work.measured, r.work.commits.length], [true, 0]);
    assert.deepEqual([r.session_metrics.measured, r.session_metrics.invocations, r.session_metrics.failures], [true, 1, 1]);
    assert.equal(r.storage.database.measured, true);
    // Measured after the checkpoint was kept as a reflection: it is counted.
    assert.equal(r.storage.database.rows.reflections, 7);
    assert.equal(r.history.reflection_id, 7);
    assert.equal(r.storage.database.compaction.recommended, false);
    assert.match(r.markdown, /## Quality Score V2: 99\.4\/100 — production-grade/);
    // The checkpoint was kept as a reflection and opens the project's score history.
    assert.deepEqual(
      r.history.points.map((p) => p.total),
      [99.4],
    );
    assert.match(r.history.summary, /^99\.4 \(1 checkpoint\)$/);
    const kept = await callOk<{ count: number; results: { id: number; kind: string }[] }>(client, 'search_reflections', { query: 'run-tests' });
    assert.deepEqual(
      kept.results.map((x) => [x.id, x.kind]),
      [[r.history.reflection_id, 'checkpoint']],
    );
    assert.match(r.markdown, /Skill invocations: 1 \(0% successful\), 1 failed, 1 distinct skills/);
  });

  it('status shows the current session, store and reflection counts', async () => {
    const s = await callOk<{
      current: { id: string };
      reflections: { total: number };
      history: { project: string; points: unknown[] };
      storage: { database: { measured: boolean } };
    }>(client, 'status', {});
    assert.equal(s.current.id, sessionId);
    assert.equal(s.reflections.total, 7); // six notes and the checkpoint's record
    assert.deepEqual([s.history.project, s.history.points.length], ['rich-app', 1]);
    assert.equal(s.storage.database.measured, true);
  });

  it('end writes the handoff that the next start returns', async () => {
    const e = await callOk<{ kind: string; handoff: { markdown_path: string; json_path: string } }>(client, 'end', {});
    assert.equal(e.kind, 'end');
    assert.ok(fs.existsSync(e.handoff.markdown_path));
    assert.ok(fs.existsSync(e.handoff.json_path));
    assert.match(fs.readFileSync(e.handoff.markdown_path, 'utf8'), /^# Session handoff — rich-app/);

    const s = await callOk<{ resumed: boolean; session: { id: string }; previous_handoff: { markdown_path: string; session_id: string; markdown: string } }>(
      client,
      'start',
      { working_directory: project },
    );
    assert.equal(s.resumed, false);
    assert.notEqual(s.session.id, sessionId);
    assert.equal(s.previous_handoff.markdown_path, e.handoff.markdown_path);
    assert.equal(s.previous_handoff.session_id, sessionId);
    assert.match(s.previous_handoff.markdown, /## Open recommendations/);
  });

  it('a copy of the project in another directory has a score history of its own', async () => {
    const copy = fs.realpathSync(makeRichProject()); // the same package.json name, rich-app
    try {
      const s = await callOk<{ session: { id: string } }>(client, 'start', { working_directory: copy });
      const c = await callOk<{ history: { points: unknown[] }; markdown: string }>(client, 'checkpoint', { session_id: s.session.id });
      assert.equal(c.history.points.length, 1); // not the first copy's checkpoint and end
      assert.ok(c.markdown.includes(`Score history of rich-app (${copy}): `));
      const st = await callOk<{ history: { working_directory: string; points: unknown[] } }>(client, 'status', {});
      assert.deepEqual([st.history.working_directory, st.history.points.length], [copy, 1]);
      const first = await callOk<{ history: { points: unknown[] } }>(client, 'checkpoint', { working_directory: project });
      assert.equal(first.history.points.length, 3); // its checkpoint, its end, and this one
      await callOk(client, 'end', { session_id: s.session.id });
    } finally {
      removeDir(copy);
    }
  });

  it('start says why the maturity is capped in its structured snapshot, as checkpoint does', async () => {
    const root = fs.realpathSync(makeRichProject());
    try {
      fs.writeFileSync(`${root}/settings.py`, ['DB_PASSWORD = "S3cr3t', 'P4ssw0rdValue"\n'].join(''));
      git(root, ['add', '-A']);
      git(root, ['commit', '-qm', 'chore: settings']);
      const s = await callOk<{ session: { id: string }; quality: { total: number; maturity: string; maturity_reason: string | null } }>(client, 'start', {
        working_directory: root,
      });
      assert.ok(s.quality.total >= 85);
      assert.equal(s.quality.maturity, 'developing');
      assert.equal(s.quality.maturity_reason, 'capped at developing (production-grade by score) while possible secrets are committed');
      const c = await callOk<{ quality: { maturity_reason: string | null } }>(client, 'checkpoint', { session_id: s.session.id });
      assert.equal(c.quality.maturity_reason, s.quality.maturity_reason);
      await callOk(client, 'end', { session_id: s.session.id });
    } finally {
      removeDir(root);
    }
  });

  it('a session whose directory was deleted cannot checkpoint (field and rule) but ends, writing its handoff', async () => {
    const gone = fs.realpathSync(makeRichProject());
    const s = await callOk<{ session: { id: string } }>(client, 'start', { working_directory: gone });
    removeDir(gone);
    const c = await callErr(client, 'checkpoint', {});
    assert.match(c.text, /^INVALID_INPUT: working_directory: no longer exists/);
    assert.equal(c.error?.field, 'working_directory');
    const e = await callOk<{
      session: { id: string; open: boolean };
      quality: { total: number | null };
      work: { measured: boolean; reason: string };
      handoff: { markdown_path: string };
      markdown: string;
    }>(client, 'end', {});
    assert.deepEqual([e.session.id, e.session.open, e.quality.total], [s.session.id, false, null]);
    assert.equal(e.work.reason, `the working directory ${gone} no longer exists`);
    assert.match(e.markdown, /no longer exists/);
    assert.match(fs.readFileSync(e.handoff.markdown_path, 'utf8'), /^# Session handoff — rich-app/);
    const st = await callOk<{ open_sessions: { id: string }[]; recent_sessions: { id: string }[] }>(client, 'status', {});
    assert.ok(!st.open_sessions.some((o) => o.id === s.session.id));
    assert.ok(st.recent_sessions.some((o) => o.id === s.session.id));
  });
});
