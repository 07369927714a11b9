/**
 * Reads every raw invocation of a SQLite database, with its names resolved
 * (skill name, user hash, session key), in insertion order and in pages, for
 * `merge-data`; and its reflections and skill cost calls, which merge-data
 * carries over too, and how many rows it holds of what is not merged (A/B
 * experiments). The database is migrated to the current schema first, so an
 * older installation's file reads the same as a new one.
 */
import type { PreparedReflection, ReflectionKind } from '../reflection-types.js';
import type { AttributedUsage } from '../skill-cost-types.js';
import { openDatabase } from '../database.js';
import { Migrator } from './migrator.js';
import { CALL_COLUMNS } from './skill-costs.js';

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
  /** Reflections in id order, each as the store inserts it (its own time kept; no `duplicateOf`: ids differ between stores). */
  reflections(pageSize: number): Generator<PreparedReflection[]>;
  /** Skill cost calls in key order, as stored. */
  costCalls(pageSize: number): Generator<AttributedUsage[]>;
  /** Rows of data merge-data does not carry over, by what they are (only those with rows). */
  notMerged(): Array<{ what: string; rows: number }>;
  close(): void;
}

/** What merge-data leaves behind: A/B experiments (their ids, variants and outcomes belong to the source store). */
const NOT_MERGED = [
  ['A/B experiments', 'ab_experiments'],
  ['A/B assignments', 'ab_assignments'],
  ['A/B outcomes', 'ab_outcomes'],
] as const;

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
    *reflections(pageSize: number) {
      const read = db.prepare(
        'SELECT id, kind, content, content_hash AS hash, tags, files, project, data, created_at AS createdAt FROM reflections WHERE id > ? ORDER BY id LIMIT ?',
      );
      let after = 0;
      for (;;) {
        const rows = read.all(after, pageSize) as Array<{
          id: number;
          kind: ReflectionKind;
          content: string;
          hash: string;
          tags: string;
          files: string;
          project: string | null;
          data: string | null;
          createdAt: number;
        }>;
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.id;
        yield rows.map(({ id: _id, tags, files, ...r }) => ({
          ...r,
          tags: JSON.parse(tags) as string[],
          files: JSON.parse(files) as string[],
          duplicateOf: null,
        }));
      }
    },
    *costCalls(pageSize: number) {
      const read = db.prepare(`SELECT ${CALL_COLUMNS} FROM skill_cost_calls WHERE key > ? ORDER BY key LIMIT ?`);
      let after = '';
      for (;;) {
        const rows = read.all(after, pageSize) as AttributedUsage[];
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.key;
        yield rows;
      }
    },
    notMerged: () =>
      NOT_MERGED.map(([what, table]) => ({ what, rows: db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number })).filter((x) => x.rows > 0),
    close: () => db.close(),
  };
}
