/**
 * Two server instances writing to one PostgreSQL database at the same time,
 * into the same sessions, users and skills: the "distinct" rollups (sessions
 * and users per skill, co-occurring pairs) must count each session, user and
 * pair exactly once, as if the writes had been serial.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HOUR_MS } from '../../analytics/types.js';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable, testTracker } from '../../testing/backends.js';
import { PgAnalyticsQueries } from './analytics-queries.js';
import { newPgInstance } from './pool.js';
import { PgStore } from './store.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const skip = await pgReachable(DEFAULT_TEST_PG_URL);

describe('PostgreSQL store: concurrent writers on one database', { skip: skip ?? false }, () => {
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let a: PgStore;
  let b: PgStore;

  before(async () => {
    schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    a = await PgStore.open(schema.url, { poolSize: 3, instance: newPgInstance() });
    b = await PgStore.open(schema.url, { poolSize: 3, migrate: false, instance: newPgInstance() });
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('counts each session, user and skill pair once', async () => {
    const trackers = [testTracker(a, () => NOW).tracker, testTracker(b, () => NOW).tracker];
    // 240 single invocations sent 24 at a time, alternating instances; each group of 24 opens two new
    // sessions and adds up to 12 skills to each, so both instances add new skills to the same sessions
    // at the same moment. Each instance has its own two users: only the shared sessions order the two
    // instances' transactions.
    const inputs = Array.from({ length: 240 }, (_, i) => ({
      skill_name: `k${(i * 5) % 12}`,
      user_id: `u${(i % 2) * 2 + ((i >> 1) % 2)}`,
      session_id: `s${Math.floor(i / 24)}-${(i >> 2) % 2}`,
      workflow_phase: 'testing' as const,
      completed: i % 3 !== 0,
      duration_ms: 10 + i,
      invoked_at: NOW - (i % 3) * HOUR_MS,
    }));
    for (let i = 0; i < inputs.length; i += 24) {
      await Promise.all(inputs.slice(i, i + 24).map((x, j) => trackers[(i + j) % 2]!.track(x)));
    }

    const sessionsOf = new Map<string, Set<string>>();
    const usersOf = new Map<string, Set<string>>();
    const skillsOf = new Map<string, Set<string>>();
    for (const x of inputs) {
      (sessionsOf.get(x.skill_name) ?? sessionsOf.set(x.skill_name, new Set()).get(x.skill_name)!).add(x.session_id);
      (usersOf.get(x.skill_name) ?? usersOf.set(x.skill_name, new Set()).get(x.skill_name)!).add(x.user_id);
      (skillsOf.get(x.session_id) ?? skillsOf.set(x.session_id, new Set()).get(x.session_id)!).add(x.skill_name);
    }
    const pairs = new Map<string, number>();
    for (const set of skillsOf.values()) {
      const s = [...set].sort();
      for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) pairs.set(`${s[i]}|${s[j]}`, (pairs.get(`${s[i]}|${s[j]}`) ?? 0) + 1);
    }

    const readA = new PgAnalyticsQueries(a.pool);
    const totals = await new PgAnalyticsQueries(b.pool).skillTotals();
    assert.deepEqual(
      Object.fromEntries(totals.map((t) => [t.skill, [t.invocations, t.sessions, t.users]])),
      Object.fromEntries(
        [...sessionsOf.keys()].map((k) => [k, [inputs.filter((x) => x.skill_name === k).length, sessionsOf.get(k)!.size, usersOf.get(k)!.size]]),
      ),
    );
    const stored = await readA.frequentPairs(1);
    assert.deepEqual(Object.fromEntries(stored.map((p) => [[p.a, p.b].sort().join('|'), p.sessions])), Object.fromEntries(pairs));
    assert.equal(await readA.sessionCount(), skillsOf.size);
  });
});
