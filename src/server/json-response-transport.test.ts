import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callOk, connectHttp, createTestApp, type TestApp } from '../testing/harness.js';

describe('MCP over HTTP in JSON-response mode does not keep answered requests', () => {
  let app: TestApp;
  let conn: Awaited<ReturnType<typeof connectHttp>>;
  before(async () => {
    app = createTestApp({ env: { SESSION_BUDDY_RATE_LIMIT: '100000/100000' } });
    conn = await connectHttp(app);
  });
  after(async () => {
    await conn.close();
    await app.dispose();
  });

  it('holds no per-request stream entry after 300 sequential calls on one session', async () => {
    assert.equal(conn.http.mcp.size, 1);
    for (let i = 0; i < 300; i++) await callOk(conn.client, 'get_real_time_metrics', { limit: 1 });
    // Without the release in json-response-transport.ts the SDK keeps one entry per POST (301 here).
    assert.equal(conn.http.mcp.pendingStreamEntries(), 0);
  });

  it('answers concurrent calls on one session correctly and releases every entry', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `concurrent-${i}`);
    const results = await Promise.all(
      names.map((skill_name) =>
        callOk<{ skill_name: string }>(conn.client, 'track_skill_invocation', {
          skill_name,
          user_id: 'u',
          session_id: 's',
          workflow_phase: 'testing',
          completed: true,
          duration_ms: 5,
        }),
      ),
    );
    assert.equal(results.length, 25);
    const top = await callOk<{ top_skills: { skill_name: string }[] }>(conn.client, 'get_real_time_metrics', { limit: 50 });
    assert.deepEqual(top.top_skills.map((s) => s.skill_name).sort(), [...names].sort());
    assert.equal(conn.http.mcp.pendingStreamEntries(), 0);
  });
});
