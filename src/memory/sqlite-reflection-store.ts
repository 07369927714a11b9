/**
 * SQLite implementation of ReflectionStore: FTS5 over content and tags with
 * BM25 ranking (see reflection-store.ts for the shared semantics). Each call
 * runs synchronously inside its (async) method.
 */
import type { SqliteDb } from '../store/database.js';
import {
  ftsExpression,
  prepareReflection,
  prepareSearch,
  reflectionNotFound,
  roundScore,
  toReflection,
  toStats,
  type Reflection,
  type ReflectionRow,
  type ReflectionStats,
  type ReflectionStore,
  type SearchReflectionsInput,
  type SearchReflectionsResult,
  type StoreReflectionInput,
  type StoreReflectionResult,
} from './reflection-store.js';

export class SqliteReflectionStore implements ReflectionStore {
  private readonly now: () => number;

  constructor(
    private readonly db: SqliteDb,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  async store(input: StoreReflectionInput): Promise<StoreReflectionResult> {
    const { content, hash, tags, project } = prepareReflection(input);
    const info = this.db
      .prepare(
        `INSERT INTO reflections (content, content_hash, tags, project, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING`,
      )
      .run(content, hash, JSON.stringify(tags), project, this.now());
    const row = this.db.prepare('SELECT * FROM reflections WHERE content_hash = ?').get(hash) as ReflectionRow;
    return { ...toReflection(row), content_hash: row.content_hash, created: info.changes === 1 };
  }

  async search(input: SearchReflectionsInput): Promise<SearchReflectionsResult> {
    const { terms, limit, project, tags } = prepareSearch(input);
    const ftsQuery = ftsExpression(terms);
    if (ftsQuery === '') return { query: input.query, fts_query: '', results: [] };

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
        `SELECT r.id, r.content, r.content_hash, r.tags, r.project, r.created_at,
                -bm25(reflections_fts, 1.0, 0.5) AS score
           FROM reflections_fts JOIN reflections r ON r.id = reflections_fts.rowid
          WHERE ${where.join(' AND ')}
          ORDER BY score DESC, r.created_at DESC, r.id DESC
          LIMIT ?`,
      )
      .all(...params) as (ReflectionRow & { score: number })[];
    return {
      query: input.query,
      fts_query: ftsQuery,
      results: rows.map((r) => ({ ...toReflection(r), score: roundScore(r.score) })),
    };
  }

  async get(id: number): Promise<Reflection> {
    const row = this.db.prepare('SELECT * FROM reflections WHERE id = ?').get(id) as ReflectionRow | undefined;
    if (!row) throw reflectionNotFound(id);
    return toReflection(row);
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
}
