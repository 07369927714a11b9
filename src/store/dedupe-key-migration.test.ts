/**
 * Migration 0011: Claude Code dedupe keys `cc:<session>:<tool_use_id>` become
 * `cc:<tool_use_id>`, on every back-end; rows that collapse to one key keep
 * one holder of the new key, and no row is lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PgStore } from './postgres/store.js';
import { testBackends, testTracker, type OpenedBackend } from '../testing/backends.js';

const T0 = Date.UTC(2026, 10, 20, 12);
const call = (session: string, key: string, i: number) => ({
  skill_name: 'Read',
  session_id: session,
  user_id: 'u1',
  workflow_phase: 'planning' as const,
  completed: true,
  duration_ms: 10,
  invoked_at: T0 + i * 1000,
  dedupe_key: key,
});

describe('migration 0011: tool_use_id-only dedupe keys', async () => {
  for (const backend of await testBackends()) {
    describe(backend.name, { skip: backend.skip ?? false }, () => {
      let b: OpenedBackend;
      const migrator = () => b.stores.sqlite?.migrator ?? (b.store as PgStore).migrator;
      const keys = async () => (await b.query<{ k: string }>('SELECT dedupe_key AS k FROM skill_invocations ORDER BY rowid_')).map((r) => r.k);
      before(async () => {
        if (!backend.skip) b = await backend.open();
      });
      after(async () => {
        await b?.dispose();
      });

      it('rewrites keys, keeps one holder per tool_use_id, and the old copies stay counted', async () => {
        // Rows with the old keys are written by today's writer (it writes the latest schema), then the
        // schema is taken back to 0010 (0011's down leaves session-qualified keys as they are) and up again.
        const { tracker } = testTracker(b.store);
        await tracker.trackBatch([
          call('sess-a', 'cc:sess-a:toolu_1', 0),
          call('sess-a', 'cc:sess-a:toolu_2', 1),
          call('sess-fork', 'cc:sess-fork:toolu_1', 2), // the same call copied into a forked transcript
          call('sess-a', 'cc:sess-a:h-0123456789abcdef01234567:1764000000000', 3), // hook call without a tool_use_id
          call('sess-a', 'spool:1b4e28ba-2fa1-4d2e-883f-0016d3cca427', 4),
        ]);
        await migrator().to(10);
        await migrator().to(migrator().latestVersion);
        assert.deepEqual(await keys(), [
          'cc:toolu_1',
          'cc:toolu_2',
          'cc:sess-fork:toolu_1',
          'cc:sess-a:h-0123456789abcdef01234567:1764000000000',
          'spool:1b4e28ba-2fa1-4d2e-883f-0016d3cca427',
        ]);
        // Importing or hooking either copy again adds nothing.
        const again = await tracker.trackBatch([call('sess-new', 'cc:toolu_1', 5), call('sess-a', 'cc:toolu_2', 1)]);
        assert.equal(again.inserted, 0);
        assert.equal(again.duplicates, 2);
        const total = await b.query<{ n: number | string }>('SELECT invocations AS n FROM skill_totals');
        assert.equal(Number(total[0]?.n), 5);
      });

      it('rolls back to session-qualified keys', async () => {
        await migrator().to(10);
        assert.deepEqual((await keys()).slice(0, 3), ['cc:sess-a:toolu_1', 'cc:sess-a:toolu_2', 'cc:sess-fork:toolu_1']);
        await migrator().to(migrator().latestVersion);
        assert.deepEqual((await keys()).slice(0, 2), ['cc:toolu_1', 'cc:toolu_2']);
      });
    });
  }
});
