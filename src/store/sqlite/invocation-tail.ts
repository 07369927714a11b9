/**
 * The raw rows written after a point (by this or any other process), read by
 * their integer primary key, which grows with every insert.
 */
import type { InvocationEvent } from '../../events.js';
import type { SqliteDb } from '../database.js';
import type { InvocationTail } from '../types.js';

interface TailRow extends Omit<InvocationEvent, 'completed'> {
  seq: number;
  completed: number;
}

export class InvocationTailReader {
  private readonly stmts;

  constructor(db: SqliteDb) {
    this.stmts = {
      latest: db.prepare('SELECT coalesce(max(rowid_), 0) FROM skill_invocations').pluck(),
      counts: db.prepare(`SELECT s.name AS skill, count(*) AS n, max(i.rowid_) AS last
        FROM skill_invocations i JOIN skills s ON s.id = i.skill_id WHERE i.rowid_ > ? GROUP BY i.skill_id`),
      rows: db.prepare(`SELECT i.rowid_ AS seq, i.id, s.name AS skill_name, se.session_key AS session_id, u.user_hash,
          i.workflow_phase, i.completed, i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent
        FROM skill_invocations i JOIN skills s ON s.id = i.skill_id JOIN sessions se ON se.id = i.session_id
        JOIN users u ON u.id = i.user_id
        WHERE i.rowid_ > ? AND i.rowid_ <= ? ORDER BY i.rowid_ DESC LIMIT ?`),
    };
  }

  latestSeq(): number {
    return this.stmts.latest.get() as number;
  }

  after(afterSeq: number, limit: number): InvocationTail {
    const counts = new Map<string, number>();
    let lastSeq = afterSeq;
    for (const c of this.stmts.counts.all(afterSeq) as { skill: string; n: number; last: number }[]) {
      counts.set(c.skill, c.n);
      if (c.last > lastSeq) lastSeq = c.last;
    }
    if (counts.size === 0) return { lastSeq, events: [], counts };
    // Rows above lastSeq were committed after the counts were read: the next call reads them.
    const rows = (this.stmts.rows.all(afterSeq, lastSeq, limit) as TailRow[]).reverse();
    const events = rows.map(({ seq: _seq, completed, ...r }) => ({ ...r, completed: completed === 1 }));
    return { lastSeq, events, counts };
  }
}
