/** Every back-end keeps the backfilled part of the per-phase totals apart (what the live counter subtracts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../events.js';
import { Tracker } from '../tracking/tracker.js';
import { createUlidFactory } from '../tracking/ulid.js';
import { testBackends, testHash } from '../testing/backends.js';

const NOW = Date.UTC(2026, 10, 30, 12);
const MIN = 60_000;

describe('backfilled phase totals', async () => {
  for (const backend of await testBackends()) {
    it(`${backend.name}: counts rows recorded more than 5 minutes after they happened as backfilled`, { skip: backend.skip ?? false }, async () => {
      const { store, stores, dispose } = await backend.open();
      try {
        const bus = new EventBus();
        const published: Array<[number, boolean]> = [];
        bus.on('invocations.recorded', (events, meta) => published.push([events.length, meta?.backfill === true]));
        const tracker = new Tracker({ store, hashUser: testHash, newId: createUlidFactory(), bus, maxMetadataBytes: 8192, now: () => NOW });
        const row = (completed: boolean, ageMin: number) => ({
          skill_name: 'lint',
          user_id: 'u',
          session_id: 's',
          workflow_phase: 'review',
          completed,
          duration_ms: 10,
          invoked_at: NOW - ageMin * MIN,
        });
        // Ages 0, 5 (exactly the threshold: live), 5.5 and 30 days (backfill); one batch, split when published.
        await tracker.trackBatch([row(true, 0), row(true, 5), row(true, 5.5), row(false, 30 * 24 * 60), row(false, 1)]);
        assert.deepEqual(published, [
          [3, false],
          [2, true],
        ]);
        const totals = (await stores.analyticsQueries.phaseTotals()).map((t) => [t.skill, t.workflowPhase, t.completed, t.invocations, t.backfilled]);
        assert.deepEqual(totals, [
          ['lint', 'review', false, 2, 1],
          ['lint', 'review', true, 3, 1],
        ]);
      } finally {
        await dispose();
      }
    });
  }
});
