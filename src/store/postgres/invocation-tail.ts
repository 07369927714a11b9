/**
 * The raw rows written after a point (by this or any other process), in
 * commit order. Row numbers (BIGSERIAL) are taken when a row is inserted, not
 * when its transaction commits: with several writers, a row numbered 100 can
 * commit after row 101 was read, and a cursor on the row number alone would
 * step over it for good. So every row keeps the id of the transaction that
 * wrote it (`tx_id`, migration 0020), rows are read in (tx_id, row number)
 * order, and only rows of transactions below a horizon: the oldest
 * transaction still running (from the snapshot), so no row can appear behind
 * the cursor later. Transaction ids are global to the PostgreSQL server, so
 * any transaction on it holds the horizon back while it runs; one that has
 * been seen running for longer than `maxHoldMs` (default 30 s: an idle
 * session left in a transaction, a long job of another application) stops
 * holding it back, and if it later commits rows here the feed may skip them
 * (the rollups, and so every count and chart, still include them). Rows
 * written before migration 0020 have no tx_id and are never read (the feed
 * starts at the present).
 */
import type pg from 'pg';
import type { InvocationEvent } from '../../events.js';
import type { InvocationTail, TailCursor } from '../types.js';

interface TailRow extends Omit<InvocationEvent, 'completed' | 'duration_ms' | 'duration_known' | 'invoked_at'> {
  tx: string;
  seq: string;
  completed: number;
  duration_known: number;
  duration_ms: string;
  invoked_at: string;
}

export interface PgTailOptions {
  /** How long a running transaction may hold the feed back (ms). */
  maxHoldMs: number;
  now: () => number;
}

function parseCursor(cursor: TailCursor): [string, string] {
  const m = /^(\d+):(\d+)$/.exec(cursor);
  if (!m) throw new Error(`not a PostgreSQL tail cursor: ${cursor}`);
  return [m[1]!, m[2]!];
}

export class PgInvocationTail {
  /** Transactions seen running, by id: when first seen. */
  private readonly running = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PgTailOptions = { maxHoldMs: 30_000, now: Date.now },
  ) {}

  /**
   * A transaction id below which every transaction has ended, or has been
   * seen running for longer than maxHoldMs: no row of a later commit can be
   * numbered below it (but for those).
   */
  private async horizon(): Promise<string> {
    const { rows } = await this.pool.query<{ xmax: string; xip: string[] }>(
      'SELECT pg_snapshot_xmax(s)::text AS xmax, ARRAY(SELECT pg_snapshot_xip(s)::text) AS xip FROM pg_current_snapshot() s',
    );
    const now = this.opts.now();
    const xip = rows[0]!.xip;
    const live = new Set(xip);
    for (const x of this.running.keys()) if (!live.has(x)) this.running.delete(x);
    let horizon = BigInt(rows[0]!.xmax);
    for (const x of xip) {
      let first = this.running.get(x);
      if (first === undefined) this.running.set(x, (first = now));
      if (now - first < this.opts.maxHoldMs && BigInt(x) < horizon) horizon = BigInt(x);
    }
    return horizon.toString();
  }

  async start(): Promise<TailCursor> {
    const pool = this.pool;
    const horizon = await this.horizon();
    const { rows } = await pool.query<{ tx: string; seq: string }>(
      `SELECT i.tx_id::text AS tx, i.rowid_::text AS seq FROM skill_invocations i
     WHERE i.tx_id < $1::xid8 ORDER BY i.tx_id DESC, i.rowid_ DESC LIMIT 1`,
      [horizon],
    );
    return rows[0] ? `${rows[0].tx}:${rows[0].seq}` : '0:0';
  }

  async after(cursor: TailCursor, limit: number): Promise<InvocationTail> {
    const pool = this.pool;
    const [tx, seq] = parseCursor(cursor);
    const horizon = await this.horizon();
    // The latest rows, one more than asked: only when there are more is the rest counted.
    const { rows } = await pool.query<TailRow>(
      `SELECT i.tx_id::text AS tx, i.rowid_ AS seq, i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash, i.workflow_phase,
       i.completed, i.duration_ms, i.duration_known, i.error_type, i.invoked_at, i.project, i.agent
     FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id
     JOIN users u ON u.id = i.user_id
     WHERE (i.tx_id, i.rowid_) > ($1::xid8, $2::bigint) AND i.tx_id < $3::xid8
     ORDER BY i.tx_id DESC, i.rowid_ DESC LIMIT $4`,
      [tx, seq, horizon, limit + 1],
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
      duration_known: r.duration_known === 1,
      invoked_at: Number(r.invoked_at),
    }));
    return { cursor: next, events, counts };
  }
}
