/**
 * Reads every raw invocation of a SQLite database, with its names resolved
 * (skill name, user hash, session key), in insertion order and in pages, for
 * `merge-data`. The database is migrated to the current schema first, so an
 * older installation's file reads the same as a new one.
 */
import { openDatabase } from '../database.js';
import { Migrator } from './migrator.js';

export interface ExportedInvocation {
  id: string;
  skill_name: string;
  user_hash: string;
  session_key: string;
  workflow_phase: string;
  completed: boolean;
  duration_ms: number;
  error_type: string | null;
  invoked_at: number;
  project: string | null;
  agent: string | null;
  metadata: string | null;
  dedupe_key: string | null;
}

export interface InvocationExport {
  total: number;
  pages(pageSize: number): Generator<ExportedInvocation[]>;
  close(): void;
}

export function openInvocationExport(dbPath: string): InvocationExport {
  const db = openDatabase(dbPath);
  try {
    new Migrator(db).up();
  } catch (err) {
    db.close();
    throw err;
  }
  const total = db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number;
  const page = db.prepare(
    `SELECT i.rowid AS rid, i.id, s.name AS skill_name, u.user_hash, se.session_key, i.workflow_phase, i.completed,
            i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent, i.metadata, i.dedupe_key
       FROM skill_invocations i
       JOIN skills s ON s.id = i.skill_id
       JOIN users u ON u.id = i.user_id
       JOIN sessions se ON se.id = i.session_id
      WHERE i.rowid > ? ORDER BY i.rowid LIMIT ?`,
  );
  return {
    total,
    *pages(pageSize: number) {
      let after = 0;
      for (;;) {
        const rows = page.all(after, pageSize) as Array<Omit<ExportedInvocation, 'completed'> & { rid: number; completed: number }>;
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.rid;
        yield rows.map(({ rid: _rid, ...r }) => ({ ...r, completed: r.completed === 1 }));
      }
    },
    close: () => db.close(),
  };
}
