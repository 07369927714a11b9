/**
 * The raw rows written after a point (by this or any other process), in
 * commit order. Row numbers (BIGSERIAL) are taken when a row is inserted, not
 * when its transaction commits: with several writers, a row numbered 100 can
 * commit after row 101 was read, and a cursor on the row number alone would
 * step over it for good. So every row keeps the id of the transaction that
 * wrote it (`tx_id`, migration 0020), and the tail reads only rows of
 * transactions below the snapshot's xmin — every one of those has ended, so
 * no row can appear behind the cursor later — ordered by (tx_id, row number).
 * A row is seen once the oldest transaction still running when it committed
 * has ended: a transaction left open (idle in transaction) holds the feed back
 * until it ends, and loses nothing. Rows written before migration 0020 have no
 * tx_id and are never read (the feed starts at the present).
 */
import type pg from 'pg';
import type { InvocationEvent } from '../../events.js';
import type { InvocationTail, TailCursor } from '../types.js';

interface TailRow extends Omit<InvocationEvent, 'completed' | 'duration_ms' | 'invoked_at'> {
  tx: string;
  seq: string;
  completed: number;
  duration_ms: string;
  invoked_at: string;
}

/** Rows of transactions that can no longer commit anything new: below the oldest one still running. */
const ENDED = 'i.tx_id < pg_snapshot_xmin(pg_current_snapshot())';

function parseCursor(cursor: TailCursor): [string, string] {
  const m = /^(\d+):(\d+)$/.exec(cursor);
  if (!m) throw new Error(`not a PostgreSQL tail cursor: ${cursor}`);
  return [m[1]!, m[2]!];
}

export async function pgTailCursor(pool: pg.Pool): Promise<TailCursor> {
  const { rows } = await pool.query<{ tx: string; seq: string }>(
    `SELECT i.tx_id::text AS tx, i.rowid_::text AS seq FROM skill_invocations i
     WHERE ${ENDED} ORDER BY i.tx_id DESC, i.rowid_ DESC LIMIT 1`,
  );
  return rows[0] ? `${rows[0].tx}:${rows[0].seq}` : '0:0';
}

export async function pgInvocationsAfter(pool: pg.Pool, cursor: TailCursor, limit: number): Promise<InvocationTail> {
  const [tx, seq] = parseCursor(cursor);
  // The latest rows, one more than asked: only when there are more is the rest counted.
  const { rows } = await pool.query<TailRow>(
    `SELECT i.tx_id::text AS tx, i.rowid_ AS seq, i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash, i.workflow_phase,
       i.completed, i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent
     FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id
     JOIN users u ON u.id = i.user_id
     WHERE (i.tx_id, i.rowid_) > ($1::xid8, $2::bigint) AND ${ENDED}
     ORDER BY i.tx_id DESC, i.rowid_ DESC LIMIT $3`,
    [tx, seq, limit + 1],
  );
  const next = rows[0] ? `${rows[0].tx}:${rows[0].seq}` : cursor;
  const kept = rows.slice(0, limit).reverse();
  const counts = new Map<string, number>();
  if (rows.length > limit) {
    const [lastTx, lastSeq] = parseCursor(next);
    const c = await pool.query<{ skill: string; n: string }>(
      `SELECT s.name AS skill, c.n FROM (SELECT skill_id, count(*) AS n FROM skill_invocations
         WHERE (tx_id, rowid_) > ($1::xid8, $2::bigint) AND (tx_id, rowid_) <= ($3::xid8, $4::bigint) GROUP BY skill_id) c
       JOIN skills s ON s.id = c.skill_id`,
      [tx, seq, lastTx, lastSeq],
    );
    for (const r of c.rows) counts.set(r.skill, Number(r.n));
  } else {
    for (const r of kept) counts.set(r.skill_name, (counts.get(r.skill_name) ?? 0) + 1);
  }
  const events = kept.map(({ tx: _tx, seq: _seq, ...r }) => ({
    ...r,
    completed: r.completed === 1,
    duration_ms: Number(r.duration_ms),
    invoked_at: Number(r.invoked_at),
  }));
  return { cursor: next, events, counts };
}
