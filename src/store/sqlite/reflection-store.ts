/**
 * SQLite implementation of ReflectionStore: FTS5 over content and tags with
 * BM25 ranking (see memory/reflection-service.ts for the shared semantics).
 * Each call runs synchronously inside its (async) method.
 */
import type { SqliteDb } from '../database.js';
import {
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
  type ReflectionText,
  type StatsRow,
  type StoredVector,
  bytesToVector,
  DIRECTORY_KEY,
  directoryNeedle,
  vectorToBytes,
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

  async insert({ kind, content, hash, tags, files, project, data, duplicateOf, createdAt }: PreparedReflection): Promise<InsertedReflection> {
    const info = this.db
      .prepare(
        `INSERT INTO reflections (kind, content, content_hash, tags, files, project, data, duplicate_of, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_hash, coalesce(project, '')) DO NOTHING`,
      )
      .run(kind, content, hash, JSON.stringify(tags), JSON.stringify(files), project, data, duplicateOf, createdAt ?? this.now());
    const row = this.db
      .prepare("SELECT * FROM reflections WHERE content_hash = ? AND coalesce(project, '') = coalesce(?, '')")
      .get(hash, project) as ReflectionRow;
    return { ...toReflection(row), content_hash: row.content_hash, created: info.changes === 1 };
  }

  async search({ terms, limit, project, tags, file, kind, since, until, ids }: PreparedSearch): Promise<ReflectionHits> {
    const ftsQuery = terms.length ? ftsExpression(terms) : '';
    const where: string[] = [];
    const params: unknown[] = [];
    if (ids !== undefined) {
      where.push('r.id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(ids));
    }
    if (terms.length) {
      where.push('reflections_fts MATCH ?');
      params.push(ftsQuery);
    }
    if (project !== null) {
      where.push('r.project = ?');
      params.push(project);
    }
    for (const tag of tags) {
      where.push('EXISTS (SELECT 1 FROM json_each(r.tags) WHERE json_each.value = ?)');
      params.push(tag);
    }
    if (file !== null) {
      // The path itself, or any path ending in "/<file>" (substr counts characters from the right).
      where.push('EXISTS (SELECT 1 FROM json_each(r.files) WHERE json_each.value = ? OR substr(json_each.value, -?) = ?)');
      params.push(file, [...file].length + 1, `/${file}`);
    }
    if (kind !== null) {
      where.push('r.kind = ?');
      params.push(kind);
    }
    if (since !== null) {
      where.push('r.created_at >= ?');
      params.push(since);
    }
    if (until !== null) {
      where.push('r.created_at < ?');
      params.push(until);
    }
    params.push(limit);
    const cols = 'r.id, r.kind, r.content, r.content_hash, r.tags, r.files, r.project, r.duplicate_of, r.created_at';
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const order = 'ORDER BY score DESC, r.created_at DESC, r.id DESC';
    // With terms, a query of common words matches much of the table: the matches are ranked as narrow
    // (id, created_at, score) rows and only the top `limit` read in full, so the sort never carries content.
    const sql = terms.length
      ? `WITH top AS (SELECT r.id, r.created_at, -bm25(reflections_fts, 1.0, 0.5) AS score
                        FROM reflections_fts JOIN reflections r ON r.id = reflections_fts.rowid
                        ${filter} ${order} LIMIT ?)
         SELECT ${cols}, top.score AS score FROM top JOIN reflections r ON r.id = top.id ${order}`
      : `SELECT ${cols}, 0 AS score FROM reflections r ${filter} ${order} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params) as (ReflectionRow & { score: number })[];
    return {
      fts_query: ftsQuery,
      results: rows.map((r) => ({ ...toReflection(r), score: r.score })),
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
                min(created_at) AS oldest, max(created_at) AS newest,
                count(duplicate_of) AS near_duplicates,
                sum(length(CAST(content AS BLOB)) + length(CAST(tags AS BLOB)) + length(CAST(files AS BLOB))
                    + coalesce(length(CAST(data AS BLOB)), 0)) AS bytes
           FROM reflections`,
      )
      .get() as StatsRow;
    const kinds = this.db.prepare('SELECT kind, count(*) AS n FROM reflections GROUP BY kind').all() as { kind: string; n: number }[];
    return toStats(row, kinds);
  }

  async recordsOf(kind: ReflectionKind, project: string, directory: string, limit: number): Promise<CheckpointRecordRow[]> {
    const needle = directoryNeedle(directory);
    const rows = this.db
      .prepare(
        `SELECT created_at, data FROM reflections r WHERE r.kind = ? AND r.project = ?
          AND (instr(r.data, ?) > 0
            OR ((r.data IS NULL OR instr(r.data, ?) = 0)
              AND NOT EXISTS (SELECT 1 FROM reflections o WHERE o.kind = r.kind AND o.project = r.project
                AND instr(o.data, ?) > 0 AND instr(o.data, ?) = 0)))
          ORDER BY r.created_at DESC, r.id DESC LIMIT ?`,
      )
      .all(kind, project, needle, DIRECTORY_KEY, DIRECTORY_KEY, needle, limit) as CheckpointRecordRow[];
    return rows.reverse();
  }

  async unembedded(model: string, limit: number): Promise<ReflectionText[]> {
    return this.db
      .prepare(
        `SELECT r.id, r.content FROM reflections r
          WHERE NOT EXISTS (SELECT 1 FROM reflection_vectors v WHERE v.reflection_id = r.id AND v.model = ?)
          ORDER BY r.id LIMIT ?`,
      )
      .all(model, limit) as ReflectionText[];
  }

  async saveVectors(model: string, rows: readonly StoredVector[]): Promise<void> {
    const put = this.db.prepare(
      `INSERT INTO reflection_vectors (reflection_id, model, dims, vector)
       SELECT id, ?, ?, ? FROM reflections WHERE id = ?
       ON CONFLICT (reflection_id) DO UPDATE SET model = excluded.model, dims = excluded.dims, vector = excluded.vector`,
    );
    this.db.transaction(() => {
      for (const r of rows) put.run(model, r.vector.length, vectorToBytes(r.vector), r.id);
    })();
  }

  async vectorsAfter(model: string, afterId: number, limit: number): Promise<StoredVector[]> {
    const rows = this.db
      .prepare('SELECT reflection_id AS id, vector FROM reflection_vectors WHERE model = ? AND reflection_id > ? ORDER BY reflection_id LIMIT ?')
      .all(model, afterId, limit) as { id: number; vector: Buffer }[];
    return rows.map((r) => ({ id: r.id, vector: bytesToVector(r.vector) }));
  }

  async vectorCounts(model: string): Promise<{ reflections: number; embedded: number }> {
    return this.db
      .prepare('SELECT (SELECT count(*) FROM reflections) AS reflections, (SELECT count(*) FROM reflection_vectors WHERE model = ?) AS embedded')
      .get(model) as { reflections: number; embedded: number };
  }
}
