import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvocationEvent } from '../events.js';
import { createLogger } from '../logger.js';
import { testBackends, testTracker } from '../testing/backends.js';
import { eventually } from '../testing/eventually.js';
import { StoreFeed } from './store-feed.js';

function inv(skill: string, i: number) {
  return { skill_name: skill, user_id: 'u', session_id: 's', workflow_phase: 'testing', completed: true, duration_ms: i };
}

describe('StoreFeed: rows other processes write reach the live feed', async () => {
  for (const backend of await testBackends()) {
    it(`${backend.name}: hands over other writers' rows once, never this process's, and counts what it did not read`, {
      skip: backend.skip ?? false,
    }, async () => {
      const { store, dispose } = await backend.open();
      const here = testTracker(store); // this process: publishes on the bus the feed watches
      const other = testTracker(store); // another process: same store, a bus the feed never sees
      const got: { events: InvocationEvent[]; omitted: Record<string, number> }[] = [];
      const feed = new StoreFeed({ bus: here.bus, store, logger: createLogger('silent') }, { intervalMs: 3_600_000, limit: 2 });
      // Ticks (at least twice: rows read at one tick are handed over at the next) until `n` hand-overs
      // arrived; on PostgreSQL other tests' open transactions may hold rows back for a moment.
      const ticksUntil = async (n: number) => {
        await feed.tick();
        await eventually(
          async () => {
            await feed.tick();
            return got.length;
          },
          (handed) => handed >= n,
        );
      };
      try {
        const origin = await store.tailCursor();
        await here.tracker.track(inv('before', 1)); // written before the feed started: not handed over
        // On PostgreSQL the tail reaches a row once older transactions on the server have ended.
        await eventually(
          () => store.invocationsAfter(origin, 10),
          (tail) => tail.events.some((e) => e.skill_name === 'before'),
        );
        feed.start((events, omitted) => got.push({ events, omitted: Object.fromEntries(omitted) }));
        await feed.tick(); // finds its place
        await here.tracker.track(inv('mine', 2));
        await other.tracker.track(inv('theirs', 3));
        await feed.tick(); // reads: held until the next tick
        assert.equal(got.length, 0);
        await ticksUntil(1);
        assert.deepEqual(
          got.map((g) => [g.events.map((e) => [e.skill_name, e.duration_ms]), g.omitted]),
          [[[['theirs', 3]], {}]],
        );

        // More rows than the limit (2): the latest two are read, the others counted per skill; this process's row is left out.
        await other.tracker.trackBatch([inv('theirs', 4), inv('other', 5), inv('theirs', 6), inv('theirs', 7)]);
        await here.tracker.track(inv('mine', 8));
        await ticksUntil(2);
        assert.equal(got.length, 2);
        assert.deepEqual(
          got[1]!.events.map((e) => [e.skill_name, e.duration_ms]),
          [['theirs', 7]],
        );
        assert.deepEqual(got[1]!.omitted, { theirs: 2, other: 1 });

        // This process's rows beyond the limit are not counted as another writer's.
        await other.tracker.track(inv('theirs', 9));
        await here.tracker.trackBatch([inv('mine', 10), inv('mine', 11), inv('mine', 12)]);
        await ticksUntil(3);
        assert.equal(got.length, 3);
        assert.deepEqual(got[2], { events: [], omitted: { theirs: 1 } });

        // Nothing new: nothing handed over.
        await feed.tick();
        await feed.tick();
        assert.equal(got.length, 3);
      } finally {
        feed.stop();
        await dispose();
      }
    });
  }
});
