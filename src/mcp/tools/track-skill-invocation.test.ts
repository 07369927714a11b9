import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callErr, callOk, connectHttp, connectInMemory, createTestApp, type TestApp } from '../../testing/harness.js';

const valid = {
  skill_name: 'run-tests',
  user_id: 'alice@example.com',
  session_id: 'sess-1',
  workflow_phase: 'testing',
  completed: true,
  duration_ms: 1200,
};

function rowCount(app: TestApp): number {
  return app.db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number;
}

for (const transport of ['in-memory', 'http'] as const) {
  describe(`track_skill_invocation over ${transport}`, () => {
    let app: TestApp;
    let client: Client;
    let closeHttp: (() => Promise<void>) | undefined;

    before(async () => {
      app = createTestApp();
      // (listTools below makes the client validate structured results against output schemas)
      if (transport === 'http') {
        const c = await connectHttp(app);
        client = c.client;
        closeHttp = c.close;
      } else {
        client = await connectInMemory(app.createMcpServer('test'));
      }
      await client.listTools();
    });
    after(async () => {
      await closeHttp?.();
      await client.close();
      await app.dispose();
    });

    it('stores an optional trigger, and rejects a bad one naming the field without a write', async () => {
      const out = await callOk<{ id: string }>(client, 'track_skill_invocation', {
        ...valid,
        skill_name: 'skill:review',
        trigger: 'typed',
        slash_after_miss: true,
      });
      const row = app.db.prepare('SELECT activation_trigger AS t, slash_after_miss AS m FROM skill_invocations WHERE id = ?').get(out.id);
      assert.deepEqual(row, { t: 'typed', m: 1 });
      const before = rowCount(app);
      const bad = await callErr(client, 'track_skill_invocation', { ...valid, trigger: 'user' });
      assert.equal(bad.error?.field, 'trigger');
      const orphan = await callErr(client, 'track_skill_invocation', { ...valid, trigger: 'model', slash_after_miss: true });
      assert.equal(orphan.error?.field, 'slash_after_miss');
      assert.equal(rowCount(app), before);
    });

    it('records an invocation and returns a sortable id', async () => {
      const out = await callOk<{ id: string; duplicate: boolean }>(client, 'track_skill_invocation', valid);
      assert.match(out.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.equal(out.duplicate, false);
      const row = app.db.prepare('SELECT * FROM skill_invocations WHERE id = ?').get(out.id) as Record<string, unknown>;
      assert.equal(row.duration_ms, 1200);
      assert.equal(row.completed, 1);
    });

    it('never stores the raw user id', async () => {
      const hashes = app.db.prepare('SELECT user_hash FROM users').pluck().all() as string[];
      assert.ok(hashes.length >= 1);
      for (const h of hashes) {
        assert.match(h, /^[0-9a-f]{64}$/);
        assert.notEqual(h, valid.user_id);
      }
      const dump = JSON.stringify(app.db.prepare('SELECT * FROM skill_invocations').all());
      assert.ok(!dump.includes('alice@example.com'));
    });

    it('rejects bad input naming the field and rule, writing nothing', async () => {
      const before = rowCount(app);
      const neg = await callErr(client, 'track_skill_invocation', { ...valid, duration_ms: -5 });
      assert.match(neg.text, /duration_ms/);
      assert.match(neg.text, /must be >= 0/);
      const phase = await callErr(client, 'track_skill_invocation', { ...valid, workflow_phase: 'lunch' });
      assert.match(phase.text, /workflow_phase/);
      const long = await callErr(client, 'track_skill_invocation', { ...valid, skill_name: 'x'.repeat(129) });
      assert.match(long.text, /skill_name/);
      assert.match(long.text, /at most 128/);
      const future = await callErr(client, 'track_skill_invocation', { ...valid, invoked_at: Date.now() + 3_600_000 });
      assert.match(future.text, /invoked_at/);
      assert.equal(future.error?.field, 'invoked_at');
      assert.equal(future.error?.code, 'INVALID_INPUT');
      const meta = await callErr(client, 'track_skill_invocation', { ...valid, metadata: { blob: 'y'.repeat(9000) } });
      assert.match(meta.text, /metadata/);
      // A value of neither accepted type still gets its rule, not zod's bare "Invalid input".
      for (const invoked_at of [1_764_640_000_000.5, null, true]) {
        const odd = await callErr(client, 'track_skill_invocation', { ...valid, invoked_at });
        assert.deepEqual(
          [odd.error?.field, odd.error?.rule],
          ['invoked_at', 'must be epoch milliseconds (an integer) or an ISO-8601 date-time with an offset'],
          JSON.stringify(invoked_at),
        );
      }
      // Success with an error class contradicts itself.
      const both = await callErr(client, 'track_skill_invocation', { ...valid, completed: true, error_type: 'timeout' });
      assert.deepEqual(
        [both.error?.field, both.error?.rule],
        ['error_type', 'must be null when completed is true (an error class describes a failed invocation)'],
      );
      assert.equal(rowCount(app), before);
    });

    it('is idempotent with a dedupe_key', async () => {
      const first = await callOk<{ id: string; duplicate: boolean }>(client, 'track_skill_invocation', { ...valid, dedupe_key: `k-${transport}` });
      const second = await callOk<{ id: string; duplicate: boolean }>(client, 'track_skill_invocation', { ...valid, dedupe_key: `k-${transport}` });
      assert.equal(second.duplicate, true);
      assert.equal(second.id, first.id);
    });

    it('records a batch atomically', async () => {
      const before = rowCount(app);
      const bad = await callErr(client, 'track_skill_invocations', {
        invocations: [valid, { ...valid, completed: 'yes' }],
      });
      assert.match(bad.text, /invocations/);
      assert.match(bad.text, /completed/);
      assert.equal(rowCount(app), before);
      const ok = await callOk<{ inserted: number; ids: string[] }>(client, 'track_skill_invocations', {
        invocations: [valid, { ...valid, skill_name: 'lint', completed: false, error_type: 'timeout' }],
      });
      assert.equal(ok.inserted, 2);
      assert.equal(rowCount(app), before + 2);
    });
  });
}
