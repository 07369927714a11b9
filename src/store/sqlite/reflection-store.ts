/**
 * SQLite implementation of ReflectionStore: FTS5 over content and tags with
 * BM25 ranking (see memory/reflection-service.ts for the shared semantics).
 * Each call runs synchronously inside its (async) method.
 */
import type { SqliteDb } from '../database.js';
import {
  roundScore,
  toReflection,
  toStats,
  type CheckpointRecordRow,
  type InsertedReflection,
  type PreparedReflection,
  type PreparedSearch,
  type Reflection,
  type ReflectionHits,
  type ReflectionKind,
  type ReflectionRow,
  type ReflectionStats,
  type ReflectionStore,
} from '../reflection-types.js';

/** Free-text terms as a safe FTS5 expression: `"term1" OR "term2"` (each quoted, inner quotes doubled). */
export function ftsExpression(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
}

export class SqliteReflectionStore implements ReflectionStore {
  private readonly now: () => number;

  constructor(
    private readonly db: SqliteDb,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  async insert({ kind, content, hash, tags, files, project, data }: PreparedReflection): Promise<InsertedReflection> {
    const info = this.db
      .prepare(
        `INSERT INTO reflections (kind, content, content_hash, tags, files, project, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING`,
      )
      .run(kind, content, hash, JSON.stringify(tags), JSON.stringify(files), project, data, this.now());
    const row = this.db.prepare('SELECT * FROM reflections WHERE content_hash = ?').get(hash) as ReflectionRow;
    return { ...toReflection(row), content_hash: row.content_hash, created: info.changes === 1 };
  }

  async search({ terms, limit, project, tags }: PreparedSearch): Promise<ReflectionHits> {
    const ftsQuery = ftsExpression(terms);

    const where: string[] = ['reflections_fts MATCH ?'];
    const params: unknown[] = [ftsQuery];
    if (project !== null) {
      where.push('r.project = ?');
      params.push(project);
    }
    for (const tag of tags) {
      where.push('EXISTS (SELECT 1 FROM json_each(r.tags) WHERE json_each.value = ?)');
      params.push(tag);
    }
    params.push(limit);
    const rows = this.db
      .prepare(
        `SELECT r.id, r.kind, r.content, r.content_hash, r.tags, r.files, r.project, r.created_at,
                -bm25(reflections_fts, 1.0, 0.5) AS score
           FROM reflections_fts JOIN reflections r ON r.id = reflections_fts.rowid
          WHERE ${where.join(' AND ')}
          ORDER BY score DESC, r.created_at DESC, r.id DESC
          LIMIT ?`,
      )
      .all(...params) as (ReflectionRow & { score: number })[];
    return {
      fts_query: ftsQuery,
      results: rows.map((r) => ({ ...toReflection(r), score: roundScore(r.score) })),
    };
  }

  async get(id: number): Promise<Reflection | null> {
    const row = this.db.prepare('SELECT * FROM reflections WHERE id = ?').get(id) as ReflectionRow | undefined;
    return row ? toReflection(row) : null;
  }

  async stats(): Promise<ReflectionStats> {
    const row = this.db
      .prepare(
        `SELECT count(*) AS total, count(DISTINCT project) AS projects,
                min(created_at) AS oldest, max(created_at) AS newest FROM reflections`,
      )
      .get() as { total: number; projects: number; oldest: number | null; newest: number | null };
    return toStats(row);
  }

  async recordsOf(kind: ReflectionKind, project: string, limit: number): Promise<CheckpointRecordRow[]> {
    const rows = this.db
      .prepare(
        `SELECT created_at, data FROM reflections WHERE kind = ? AND project = ?
          ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(kind, project, limit) as CheckpointRecordRow[];
    return rows.reverse();
  }
}
