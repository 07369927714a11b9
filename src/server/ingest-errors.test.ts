import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../logger.js';
import { callErr, connectHttp, createTestApp } from '../testing/harness.js';
import { buildHttpApp } from './http-server.js';
import { McpSessions } from './mcp-sessions.js';

const VALID = { skill_name: 's', user_id: 'u', session_id: 'x', workflow_phase: 'testing', completed: true, duration_ms: 5 };

/** `{ a: { a: … { a: 1 } } }`, `depth` objects deep, built as text (no recursion). */
function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function setup() {
  const lines: string[] = [];
  const app = createTestApp({ logger: createLogger('info', { write: (s: string) => lines.push(s) }) });
  const mcp = new McpSessions({ createServer: (id) => app.createMcpServer(id), logger: createLogger('silent') });
  const hono = buildHttpApp(app, mcp, [], () => 8678);
  const post = (body: string) =>
    hono.request('http://127.0.0.1:8678/api/invocations', { method: 'POST', headers: { host: '127.0.0.1:8678', 'content-type': 'application/json' }, body });
  return { app, post, lines };
}

describe('ingest errors over HTTP', () => {
  it('answers metadata nested 10,000 deep with 400 INVALID_INPUT naming metadata, and writes nothing', async () => {
    const { app, post } = setup();
    try {
      const res = await post(`[${JSON.stringify(VALID).slice(0, -1)},"metadata":${nestedJson(10_000)}}]`);
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: { code: string; details: { field: string; rule: string } } };
      assert.equal(body.error.code, 'INVALID_INPUT');
      assert.equal(body.error.details.field, 'invocations.0.metadata');
      assert.equal(body.error.details.rule, 'must not nest deeper than 16 levels');
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), 0);
    } finally {
      await app.dispose();
    }
  });

  it('accepts metadata exactly 16 levels deep and rejects 17', async () => {
    const { app } = setup();
    try {
      const ok = await app.tracker.track({ ...VALID, metadata: JSON.parse(nestedJson(16)) as Record<string, unknown> });
      assert.equal(ok.duplicate, false);
      await assert.rejects(app.tracker.track({ ...VALID, metadata: JSON.parse(nestedJson(17)) as Record<string, unknown> }), {
        code: 'INVALID_INPUT',
        message: 'metadata: must not nest deeper than 16 levels',
      });
      // arrays count as levels too
      await assert.rejects(app.tracker.track({ ...VALID, metadata: { a: JSON.parse(`${'['.repeat(16)}${']'.repeat(16)}`) as unknown } }), {
        code: 'INVALID_INPUT',
      });
    } finally {
      await app.dispose();
    }
  });
});

describe('a full disk', () => {
  it('is reported as DISK_FULL (507 on /api/invocations, "disk full" over MCP), not INTERNAL, and nothing is written', async () => {
    const { app, post } = setup();
    try {
      await app.tracker.track(VALID); // schema and lookup rows exist
      const pages = app.db.pragma('page_count', { simple: true }) as number;
      // SQLite answers SQLITE_FULL once the file may not grow, exactly as on a full disk.
      app.db.pragma(`max_page_count = ${pages}`);
      const before = app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get();
      const big = Array.from({ length: 300 }, (_, i) => ({ ...VALID, session_id: `s${i}`, skill_name: `skill-${i}`, metadata: { pad: 'x'.repeat(2000) } }));
      const res = await post(JSON.stringify(big));
      assert.equal(res.status, 507);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'DISK_FULL');
      assert.match(body.error.message, /^disk full: /);
      assert.equal(app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get(), before);

      const { connectInMemory, callErr } = await import('../testing/harness.js');
      const client = await connectInMemory(app.createMcpServer('t'));
      const err = await callErr(client, 'track_skill_invocations', { invocations: big });
      assert.equal(err.error?.code, 'DISK_FULL');
      await client.close();
    } finally {
      await app.dispose();
    }
  });
});

describe('a batch over 1,000 invocations on /api/invocations', () => {
  it('is refused whole with 400 naming the limit, as track_skill_invocations refuses it; 1,000 still land', async () => {
    const app = createTestApp();
    const { client, http, close } = await connectHttp(app);
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ ...VALID, session_id: `s${i}` }));
    const post = (items: unknown[]) =>
      fetch(`${http.url}/api/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items) });
    const rows = () => app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get();
    try {
      const overMcp = await callErr(client, 'track_skill_invocations', { invocations: batch(1001) });
      for (const n of [1001, 5000]) {
        const res = await post(batch(n));
        assert.equal(res.status, 400, `${n} items`);
        const body = (await res.json()) as { error: { code: string; message: string; details: { field: string; rule: string } } };
        assert.deepEqual(body.error, {
          code: 'INVALID_INPUT',
          message: 'invocations: must hold at most 1000 items',
          details: { field: 'invocations', rule: 'must hold at most 1000 items' },
        });
        // The same field and rule as the MCP tool's answer.
        assert.equal(overMcp.error?.code, body.error.code);
        assert.equal(overMcp.error?.message, body.error.message);
      }
      assert.equal(rows(), 0);
      // An empty batch, as the MCP tool answers it too.
      const empty = await post([]);
      assert.equal(empty.status, 400);
      const emptyBody = (await empty.json()) as { error: { message: string } };
      assert.equal(emptyBody.error.message, 'invocations: must hold at least 1 item');
      assert.equal((await callErr(client, 'track_skill_invocations', { invocations: [] })).error?.message, emptyBody.error.message);
      const ok = await post(batch(1000));
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { inserted: number }).inserted, 1000);
      assert.equal(rows(), 1000);
    } finally {
      await close();
      await app.dispose();
    }
  });
});
