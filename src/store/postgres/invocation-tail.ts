/**
 * The raw rows written after a point (by this or any other process), read by
 * their BIGSERIAL primary key. A row whose transaction commits after a
 * later-numbered row was read is not returned by a later call: the feed may
 * miss it (the rollups, and so every count and chart, still include it).
 */
import type pg from 'pg';
import type { InvocationEvent } from '../../events.js';
import type { InvocationTail } from '../types.js';

interface TailRow extends Omit<InvocationEvent, 'completed' | 'duration_ms' | 'invoked_at'> {
  seq: string;
  completed: number;
  duration_ms: string;
  invoked_at: string;
}

export async function pgLatestInvocationSeq(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ seq: string }>('SELECT coalesce(max(rowid_), 0) AS seq FROM skill_invocations');
  return Number(rows[0]!.seq);
}

export async function pgInvocationsAfter(pool: pg.Pool, afterSeq: number, limit: number): Promise<InvocationTail> {
  // The latest rows, one more than asked: only when there are more is the rest counted.
  const { rows } = await pool.query<TailRow>(
    `SELECT i.rowid_ AS seq, i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash, i.workflow_phase,
       i.completed, i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent
     FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id
     JOIN users u ON u.id = i.user_id
     WHERE i.rowid_ > $1 ORDER BY i.rowid_ DESC LIMIT $2`,
    [afterSeq, limit + 1],
  );
  const lastSeq = rows[0] ? Number(rows[0].seq) : afterSeq;
  const kept = rows.slice(0, limit).reverse();
  const counts = new Map<string, number>();
  if (rows.length > limit) {
    const c = await pool.query<{ skill: string; n: string }>(
      `SELECT s.name AS skill, c.n FROM (SELECT skill_id, count(*) AS n FROM skill_invocations
         WHERE rowid_ > $1 AND rowid_ <= $2 GROUP BY skill_id) c JOIN skills s ON s.id = c.skill_id`,
      [afterSeq, lastSeq],
    );
    for (const r of c.rows) counts.set(r.skill, Number(r.n));
  } else {
    for (const r of kept) counts.set(r.skill_name, (counts.get(r.skill_name) ?? 0) + 1);
  }
  const events = kept.map(({ seq: _seq, ...r }) => ({
    ...r,
    completed: r.completed === 1,
    duration_ms: Number(r.duration_ms),
    invoked_at: Number(r.invoked_at),
  }));
  return { lastSeq, events, counts };
}
