/**
 * The PostgreSQL tail with two writers: a row numbered before another but
 * committed after it must still reach the feed, once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable, testTracker } from '../../testing/backends.js';
import { PgStore } from './store.js';

const skip = await pgReachable(DEFAULT_TEST_PG_URL);

describe('PostgreSQL invocation tail: rows in commit order', { skip: skip ?? false }, () => {
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let store: PgStore;
  let other: pg.Client;

  before(async () => {
    schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    store = await PgStore.open(schema.url, { poolSize: 3 });
    other = new pg.Client({ connectionString: schema.url });
    await other.connect();
  });

  after(async () => {
    await other?.query('ROLLBACK').catch(() => {});
    await other?.end();
    await store?.close();
    await schema?.drop();
  });

  it('holds back rows of transactions still running and then hands over the row committed late', async () => {
    const { tracker } = testTracker(store);
    const inv = { user_id: 'u1', session_id: 's1', workflow_phase: 'testing' as const, completed: true, duration_ms: 5 };
    await tracker.track({ ...inv, skill_name: 'first' });
    const start = await store.tailCursor();

    // Another writer takes a row number and keeps its transaction open ...
    await other.query('BEGIN');
    await other.query(
      `INSERT INTO skill_invocations (id, skill_id, session_id, user_id, workflow_phase, completed, duration_ms, invoked_at)
       SELECT 'late', skill_id, session_id, user_id, workflow_phase, completed, duration_ms, invoked_at FROM skill_invocations LIMIT 1`,
    );
    // ... while this one writes a later-numbered row and commits (another user and session: the open
    // transaction's foreign-key locks on the first ones would make this write wait for it).
    const { id: early } = await tracker.track({ ...inv, user_id: 'u2', session_id: 's2', skill_name: 'second' });
    // (read inside the open transaction, the only one that sees both rows)
    const seqs = await other.query<{ id: string; rowid_: string }>("SELECT id, rowid_ FROM skill_invocations WHERE id IN ('late', $1)", [early]);
    const seqOf = new Map(seqs.rows.map((r) => [r.id, Number(r.rowid_)]));
    assert.ok(seqOf.get('late')! < seqOf.get(early)!, 'the open transaction holds the lower row number');

    // Until the open transaction ends, nothing after it is handed out (a cursor past row `early` would skip `late`).
    const held = await store.invocationsAfter(start, 10);
    assert.deepEqual(held.events, []);
    assert.equal(held.cursor, start);

    await other.query('COMMIT');
    const tail = await store.invocationsAfter(held.cursor, 10);
    assert.deepEqual(
      tail.events.map((e) => e.id),
      ['late', early],
    );
    assert.deepEqual(await store.invocationsAfter(tail.cursor, 10), { cursor: tail.cursor, events: [], counts: new Map() });
  });

  it('counts every row when more arrived than the limit, and starts from the present', async () => {
    const { tracker } = testTracker(store);
    const start = await store.tailCursor();
    const inv = (i: number) => ({
      skill_name: `k${i % 2}`,
      user_id: 'u1',
      session_id: 's3',
      workflow_phase: 'testing' as const,
      completed: true,
      duration_ms: i,
    });
    await tracker.trackBatch([0, 1, 2, 3, 4].map(inv));
    const tail = await store.invocationsAfter(start, 2);
    assert.equal(tail.events.length, 2);
    assert.deepEqual([...tail.counts].sort(), [
      ['k0', 3],
      ['k1', 2],
    ]);
    assert.equal(await store.tailCursor(), tail.cursor);
  });
});
