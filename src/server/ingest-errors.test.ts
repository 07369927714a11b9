import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../logger.js';
import { createTestApp } from '../testing/harness.js';
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
