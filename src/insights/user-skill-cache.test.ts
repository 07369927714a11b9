import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserSkillStat } from '../analytics/types.js';
import { EventBus, type InvocationEvent } from '../events.js';
import { UserSkillCache } from './user-skill-cache.js';

function event(user: string, skill: string, completed: boolean): InvocationEvent {
  return {
    id: `${user}-${skill}`,
    skill_name: skill,
    session_id: 's',
    user_hash: user,
    workflow_phase: 'testing',
    completed,
    duration_ms: 1,
    error_type: null,
    invoked_at: 1,
    project: null,
    agent: null,
  };
}

describe('UserSkillCache', () => {
  it('builds lazily, follows the bus, rebuilds when the change token moves, and stops on dispose', async () => {
    let rows: UserSkillStat[] = [
      { user: 'T', skill: 'a', invocations: 1, successes: 1, lastAt: 1 },
      { user: 'U', skill: 'a', invocations: 1, successes: 1, lastAt: 1 },
      { user: 'U', skill: 'b', invocations: 2, successes: 1, lastAt: 1 },
    ];
    let reads = 0;
    let token = 1;
    const bus = new EventBus();
    const cache = new UserSkillCache({
      store: {
        async userSkillStats() {
          reads += 1;
          return rows;
        },
      },
      bus,
      changeToken: () => token,
    });
    // Events before the first build are ignored: the build reads them from the store.
    bus.emit('invocations.recorded', [event('T', 'x', true)]);
    assert.equal(reads, 0);

    // T {a}, U {a, b}: Jaccard 1/2; b scores 1/2 · (1/2) / (1/2) = 0.5 (U succeeded once in 2).
    let r = (await cache.get()).recommend('T', 5);
    assert.deepEqual(r.recommendations, [{ skill_name: 'b', score: 0.5, supporting_users: 1, neighbor_success_rate: 0.5 }]);
    assert.equal(reads, 1);

    // U succeeds with b once more: 2 of 3. Applied in memory, no re-read.
    bus.emit('invocations.recorded', [event('U', 'b', true)]);
    r = (await cache.get()).recommend('T', 5);
    assert.equal(r.recommendations[0]!.neighbor_success_rate, 2 / 3);
    assert.equal(reads, 1);

    // Events relayed from another instance are not applied (that instance wrote to the store itself).
    bus.emit('invocations.recorded', [event('U', 'b', true)], { origin: 'instance-2' });
    r = (await cache.get()).recommend('T', 5);
    assert.equal(r.recommendations[0]!.neighbor_success_rate, 2 / 3);

    // Another process wrote: the token moves and the index is rebuilt from the store.
    rows = [...rows, { user: 'U', skill: 'c', invocations: 1, successes: 1, lastAt: 1 }];
    token = 2;
    r = (await cache.get()).recommend('T', 5);
    assert.equal(reads, 2);
    // The rebuilt index holds the store's rows only (b: 1 of 2 again), plus c:
    // T {a}, U {a, b, c}: Jaccard 1/3; b: (1/3 · 1/2) / (1/3) = 0.5, c: (1/3 · 1) / (1/3) = 1.
    assert.deepEqual(
      r.recommendations.map((x) => [x.skill_name, x.score]),
      [
        ['c', 1],
        ['b', 0.5],
      ],
    );

    // Concurrent first uses share one build.
    cache.invalidate();
    const [x, y] = await Promise.all([cache.get(), cache.get()]);
    assert.equal(x, y);
    assert.equal(reads, 3);

    cache.dispose();
    await assert.rejects(cache.get(), { code: 'INTERNAL' });
    bus.emit('invocations.recorded', [event('U', 'b', true)]); // no listener left: nothing happens
  });
});

describe('UserSkillCache on a shared store', () => {
  it('applies events relayed from other instances, and rebuilds when the periodic token moves', async () => {
    let rows: UserSkillStat[] = [
      { user: 'T', skill: 'a', invocations: 1, successes: 1, lastAt: 1 },
      { user: 'U', skill: 'a', invocations: 1, successes: 1, lastAt: 1 },
      { user: 'U', skill: 'b', invocations: 2, successes: 1, lastAt: 1 },
    ];
    let reads = 0;
    let token = 0;
    const bus = new EventBus();
    const cache = new UserSkillCache({
      store: {
        async userSkillStats() {
          reads += 1;
          return rows;
        },
      },
      bus,
      changeToken: () => token,
      applyRemoteEvents: true,
    });
    // U: b 1 of 2 → neighbour success rate 1/2.
    assert.equal((await cache.get()).recommend('T', 5).recommendations[0]!.neighbor_success_rate, 0.5);
    // Another instance recorded U succeeding with b (it wrote to the same store): applied, 2 of 3.
    bus.emit('invocations.recorded', [event('U', 'b', true)], { origin: 'instance-2' });
    assert.equal((await cache.get()).recommend('T', 5).recommendations[0]!.neighbor_success_rate, 2 / 3);
    assert.equal(reads, 1);
    // The periodic rebuild replaces the index with the store's rows (which by now hold that write and one more): 3 of 4.
    rows = rows.map((r) => (r.user === 'U' && r.skill === 'b' ? { ...r, invocations: 4, successes: 3 } : r));
    token = 1;
    assert.equal((await cache.get()).recommend('T', 5).recommendations[0]!.neighbor_success_rate, 3 / 4);
    assert.equal(reads, 2);
    cache.dispose();
  });
});
