/**
 * The PostgreSQL tail with two writers: a row numbered before another but
 * committed after it must still reach the feed, once; a transaction left open
 * holds the feed back for a bounded time only. Transaction ids are global to
 * the server, so other tests' transactions may hold the feed back for a
 * moment too: reads that expect rows retry until they come.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPgSchema, DEFAULT_TEST_PG_URL, pgReachable, testTracker } from '../../testing/backends.js';
import { eventually } from '../../testing/eventually.js';
import type { InvocationTail } from '../types.js';
import { PgInvocationTail } from './invocation-tail.js';
import { newPgInstance } from './pool.js';
import { PgStore } from './store.js';

const skip = await pgReachable(DEFAULT_TEST_PG_URL);

/** Reads until at least `n` rows are counted (others' short transactions may hold them back a moment). */
function readAtLeast(read: () => Promise<InvocationTail>, n: number): Promise<InvocationTail> {
  return eventually(read, (t) => [...t.counts.values()].reduce((a, b) => a + b, 0) >= n);
}

describe('PostgreSQL invocation tail: rows in commit order', { skip: skip ?? false }, () => {
  let schema: Awaited<ReturnType<typeof createPgSchema>>;
  let store: PgStore;
  let other: pg.Client;

  before(async () => {
    schema = await createPgSchema(DEFAULT_TEST_PG_URL);
    store = await PgStore.open(schema.url, { poolSize: 3, instance: newPgInstance() });
    other = new pg.Client({ connectionString: schema.url });
    await other.connect();
  });

  after(async () => {
    await other?.query('ROLLBACK').catch(() => {});
    await other?.end();
    await store?.close();
    await schema?.drop();
  });

  /** The tail's start once it has caught up with every committed row (others' transactions may hold it back a moment). */
  async function caughtUp(): Promise<string> {
    const last = await store.pool.query<{ c: string }>(
      "SELECT tx_id::text || ':' || rowid_ AS c FROM skill_invocations WHERE tx_id IS NOT NULL ORDER BY tx_id DESC, rowid_ DESC LIMIT 1",
    );
    return eventually(
      () => store.tailCursor(),
      (cursor) => cursor === (last.rows[0]?.c ?? '0:0'),
    );
  }

  const inv = { workflow_phase: 'testing' as const, completed: true, duration_ms: 5 };
  /** Opens a transaction on the other connection holding one uncommitted row (the lower row number). */
  async function openWriter(id: string): Promise<void> {
    await other.query('BEGIN');
    await other.query(
      `INSERT INTO skill_invocations (id, skill_id, session_id, user_id, workflow_phase, completed, duration_ms, invoked_at)
       SELECT $1, skill_id, session_id, user_id, workflow_phase, completed, duration_ms, invoked_at FROM skill_invocations LIMIT 1`,
      [id],
    );
  }
  async function seqOf(ids: string[]): Promise<number[]> {
    // Read inside the open transaction, the only one that sees every row.
    const r = await other.query<{ id: string; rowid_: string }>('SELECT id, rowid_ FROM skill_invocations WHERE id = ANY($1)', [ids]);
    return ids.map((id) => Number(r.rows.find((x) => x.id === id)!.rowid_));
  }

  it('holds back rows of transactions still running and then hands over the row committed late', async () => {
    const { tracker } = testTracker(store);
    await tracker.track({ ...inv, user_id: 'u1', session_id: 's1', skill_name: 'first' });
    const start = await caughtUp();

    await openWriter('late');
    // This writer takes a later row number and commits (another user and session: the open transaction's
    // foreign-key locks on the first ones would make this write wait for it).
    const { id: early } = await tracker.track({ ...inv, user_id: 'u2', session_id: 's2', skill_name: 'second' });
    const [lateSeq, earlySeq] = await seqOf(['late', early]);
    assert.ok(lateSeq! < earlySeq!, 'the open transaction holds the lower row number');

    // While it runs, nothing after it is handed out (a cursor past `early` would skip `late` for good).
    const held = await store.invocationsAfter(start, 10);
    assert.deepEqual(held.events, []);
    assert.equal(held.cursor, start);

    await other.query('COMMIT');
    const tail = await readAtLeast(() => store.invocationsAfter(held.cursor, 10), 2);
    assert.deepEqual(
      tail.events.map((e) => e.id),
      ['late', early],
    );
    assert.deepEqual(await store.invocationsAfter(tail.cursor, 10), { cursor: tail.cursor, events: [], counts: new Map() });
  });

  it('stops waiting for a transaction open longer than maxHoldMs (its rows may then be skipped)', async () => {
    let clock = 1_000_000;
    const tail = new PgInvocationTail(store.pool, { maxHoldMs: 30_000, now: () => clock });
    const { tracker } = testTracker(store);
    const start = await caughtUp();
    await openWriter('stuck');
    const { id: done } = await tracker.track({ ...inv, user_id: 'u3', session_id: 's3', skill_name: 'third' });
    assert.deepEqual((await tail.after(start, 10)).events, []); // held back: the open transaction is new
    clock += 29_000;
    assert.deepEqual((await tail.after(start, 10)).events, []); // still within 30 s
    clock += 2_000;
    const passed = await readAtLeast(() => tail.after(start, 10), 1);
    assert.deepEqual(
      passed.events.map((e) => e.id),
      [done],
    );
    // The stuck transaction commits after the feed moved past it: its row is behind the cursor.
    await other.query('COMMIT');
    assert.deepEqual((await tail.after(passed.cursor, 10)).events, []);
  });

  it('counts every row when more arrived than the limit, and starts from the present', async () => {
    const { tracker } = testTracker(store);
    const start = await caughtUp();
    const row = (i: number) => ({ ...inv, skill_name: `k${i % 2}`, user_id: 'u1', session_id: 's4', duration_ms: i });
    await tracker.trackBatch([0, 1, 2, 3, 4].map(row));
    const tail = await readAtLeast(() => store.invocationsAfter(start, 2), 5);
    assert.equal(tail.events.length, 2);
    assert.deepEqual([...tail.counts].sort(), [
      ['k0', 3],
      ['k1', 2],
    ]);
    assert.equal(await store.tailCursor(), tail.cursor);
  });
});
