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
  completed: number;
  duration_ms: string;
  invoked_at: string;
}

export async function pgLatestInvocationSeq(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ seq: string }>('SELECT coalesce(max(rowid_), 0) AS seq FROM skill_invocations');
  return Number(rows[0]!.seq);
}

export async function pgInvocationsAfter(pool: pg.Pool, afterSeq: number, limit: number): Promise<InvocationTail> {
  const counts = new Map<string, number>();
  let lastSeq = afterSeq;
  const c = await pool.query<{ skill: string; n: string; last: string }>(
    `SELECT s.name AS skill, count(*) AS n, max(i.rowid_) AS last
     FROM skill_invocations i JOIN skills s ON s.id = i.skill_id WHERE i.rowid_ > $1 GROUP BY s.name`,
    [afterSeq],
  );
  for (const r of c.rows) {
    counts.set(r.skill, Number(r.n));
    lastSeq = Math.max(lastSeq, Number(r.last));
  }
  if (counts.size === 0) return { lastSeq, events: [], counts };
  const { rows } = await pool.query<TailRow>(
    `SELECT i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash, i.workflow_phase, i.completed,
       i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent
     FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id
     JOIN users u ON u.id = i.user_id
     WHERE i.rowid_ > $1 AND i.rowid_ <= $2 ORDER BY i.rowid_ DESC LIMIT $3`,
    [afterSeq, lastSeq, limit],
  );
  const events = rows.reverse().map((r) => ({
    ...r,
    completed: r.completed === 1,
    duration_ms: Number(r.duration_ms),
    invoked_at: Number(r.invoked_at),
  }));
  return { lastSeq, events, counts };
}
