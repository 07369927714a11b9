/**
 * The raw rows written after a point (by this or any other process), read by
 * their integer primary key, which grows with every insert. SQLite has one
 * writer at a time, so rows become visible in the order of their keys, and the
 * cursor is the key of the last row read.
 */
import type { InvocationEvent } from '../../events.js';
import type { SqliteDb } from '../database.js';
import type { InvocationTail, TailCursor } from '../types.js';

interface TailRow extends Omit<InvocationEvent, 'completed' | 'duration_known'> {
  seq: number;
  completed: number;
  duration_known: number;
}

export class InvocationTailReader {
  private readonly stmts;

  constructor(db: SqliteDb) {
    this.stmts = {
      latest: db.prepare('SELECT coalesce(max(rowid_), 0) FROM skill_invocations').pluck(),
      rows: db.prepare(`SELECT i.rowid_ AS seq, i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash,
          i.workflow_phase, i.completed, i.duration_ms, i.duration_known, i.error_type, i.invoked_at, i.project, i.agent
        FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id
        JOIN users u ON u.id = i.user_id
        WHERE i.rowid_ > ? ORDER BY i.rowid_ DESC LIMIT ?`),
      counts: db.prepare(`SELECT s.name AS skill, c.n FROM (SELECT skill_id, count(*) AS n FROM skill_invocations
          WHERE rowid_ > ? AND rowid_ <= ? GROUP BY skill_id) c JOIN skills s ON s.id = c.skill_id`),
    };
  }

  start(): TailCursor {
    return String(this.stmts.latest.get() as number);
  }

  after(cursor: TailCursor, limit: number): InvocationTail {
    const afterSeq = Number(cursor);
    // The latest rows, one more than asked: only when there are more is the rest counted.
    const rows = this.stmts.rows.all(afterSeq, limit + 1) as TailRow[];
    const lastSeq = rows[0]?.seq ?? afterSeq;
    const kept = rows.slice(0, limit).reverse();
    const counts = new Map<string, number>();
    if (rows.length > limit) {
      for (const c of this.stmts.counts.all(afterSeq, lastSeq) as { skill: string; n: number }[]) counts.set(c.skill, c.n);
    } else {
      for (const r of kept) counts.set(r.skill_name, (counts.get(r.skill_name) ?? 0) + 1);
    }
    const events = kept.map(({ seq: _seq, completed, duration_known, ...r }) => ({ ...r, completed: completed === 1, duration_known: duration_known === 1 }));
    return { cursor: String(lastSeq), events, counts };
  }
}
