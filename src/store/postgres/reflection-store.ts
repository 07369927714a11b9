/**
 * PostgreSQL implementation of ReflectionStore: a generated tsvector column
 * (content weighted A, tags B; English stemming) with a GIN index, ranked by
 * ts_rank_cd (see memory/reflection-service.ts for the shared semantics).
 *
 * Safety: each search term is bound as a parameter of plainto_tsquery, which
 * has no operators: whatever the user types (quotes, `&`, `|`, `!`, `:*`,
 * parentheses, ...) cannot produce a tsquery syntax error. The per-term
 * queries are OR-ed with `||`; only the number of placeholders depends on
 * the input.
 */
import type pg from 'pg';
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

/** ts_rank_cd weights {D, C, B, A}: tags (B) count half as much as content (A). */
const RANK_WEIGHTS = '{0.1, 0.2, 0.5, 1.0}';
const COLUMNS = 'id, kind, content, content_hash, tags, files, project, duplicate_of, created_at';

export class PgReflectionStore implements ReflectionStore {
  private readonly now: () => number;

  constructor(
    private readonly pool: pg.Pool,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  async insert({ kind, content, hash, tags, files, project, data, duplicateOf, createdAt }: PreparedReflection): Promise<InsertedReflection> {
    const ins = await this.pool.query(
      `INSERT INTO reflections (kind, content, content_hash, tags, files, project, data, duplicate_of, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (content_hash, (coalesce(project, ''))) DO NOTHING`,
      [kind, content, hash, JSON.stringify(tags), JSON.stringify(files), project, data, duplicateOf, createdAt ?? this.now()],
    );
    const { rows } = await this.pool.query(`SELECT ${COLUMNS} FROM reflections WHERE content_hash = $1 AND coalesce(project, '') = coalesce($2, '')`, [
      hash,
      project,
    ]);
    const row = rows[0] as ReflectionRow;
    return { ...toReflection(row), content_hash: row.content_hash, created: ins.rowCount === 1 };
  }

  async search({ terms, limit, project, tags, file, kind, since, until, ids }: PreparedSearch): Promise<ReflectionHits> {
    const params: unknown[] = [...terms];
    // No terms: filters only, newest first (a NULL query matches nothing, so the condition is dropped).
    const tsquery = terms.length ? terms.map((_, i) => `plainto_tsquery('english', $${i + 1})`).join(' || ') : 'NULL::tsquery';
    const where = terms.length ? ['r.search @@ q.q'] : ['true'];
    const bind = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (ids !== undefined) where.push(`r.id = ANY(${bind(ids)}::bigint[])`);
    if (project !== null) where.push(`r.project = ${bind(project)}`);
    for (const tag of tags) where.push(`r.tags::jsonb ? ${bind(tag)}`);
    if (file !== null) {
      const f = bind(file);
      const suffix = bind(`/${file}`);
      where.push(
        `EXISTS (SELECT 1 FROM jsonb_array_elements_text(r.files::jsonb) AS p(path) WHERE p.path = ${f} OR right(p.path, length(${suffix})) = ${suffix})`,
      );
    }
    if (kind !== null) where.push(`r.kind = ${bind(kind)}`);
    if (since !== null) where.push(`r.created_at >= ${bind(since)}`);
    if (until !== null) where.push(`r.created_at < ${bind(until)}`);
    const score = terms.length ? `ts_rank_cd('${RANK_WEIGHTS}', r.search, q.q)` : '0::real';
    // One round trip; the LEFT JOIN yields one row (the tsquery text) even without hits.
    const { rows } = await this.pool.query(
      `WITH q AS (SELECT ${tsquery} AS q)
       SELECT q.q::text AS fts, hit.* FROM q LEFT JOIN LATERAL (
         SELECT r.id, r.kind, r.content, r.content_hash, r.tags, r.files, r.project, r.duplicate_of, r.created_at,
                ${score} AS score
           FROM reflections r
          WHERE ${where.join(' AND ')}
          ORDER BY score DESC, r.created_at DESC, r.id DESC
          LIMIT ${bind(limit)}
       ) hit ON true`,
      params,
    );
    const hits = (rows as (ReflectionRow & { fts: string | null; score: number | null })[]).filter((r) => r.id !== null);
    return {
      fts_query: (rows[0] as { fts: string | null } | undefined)?.fts ?? '',
      results: hits.map((r) => ({ ...toReflection(r), score: r.score ?? 0 })),
    };
  }

  async get(id: number): Promise<Reflection | null> {
    const { rows } = await this.pool.query(`SELECT ${COLUMNS} FROM reflections WHERE id = $1`, [id]);
    return rows[0] ? toReflection(rows[0] as ReflectionRow) : null;
  }

  async stats(): Promise<ReflectionStats> {
    const [totals, kinds] = await Promise.all([
      this.pool.query(
        `SELECT count(*) AS total, count(DISTINCT project) AS projects, min(created_at) AS oldest, max(created_at) AS newest,
                count(duplicate_of) AS near_duplicates,
                sum(octet_length(content) + octet_length(tags) + octet_length(files) + coalesce(octet_length(data), 0)) AS bytes
           FROM reflections`,
      ),
      this.pool.query('SELECT kind, count(*) AS n FROM reflections GROUP BY kind'),
    ]);
    return toStats(totals.rows[0] as StatsRow, kinds.rows as { kind: string; n: number }[]);
  }

  async recordsOf(kind: ReflectionKind, project: string, directory: string, limit: number): Promise<CheckpointRecordRow[]> {
    const { rows } = await this.pool.query(
      `SELECT created_at, data FROM reflections r WHERE r.kind = $1 AND r.project = $2
        AND (strpos(r.data, $3) > 0
          OR ((r.data IS NULL OR strpos(r.data, $4) = 0)
            AND NOT EXISTS (SELECT 1 FROM reflections o WHERE o.kind = r.kind AND o.project = r.project
              AND strpos(o.data, $4) > 0 AND strpos(o.data, $3) = 0)))
        ORDER BY r.created_at DESC, r.id DESC LIMIT $5`,
      [kind, project, directoryNeedle(directory), DIRECTORY_KEY, limit],
    );
    return (rows as CheckpointRecordRow[]).map((r) => ({ created_at: Number(r.created_at), data: r.data })).reverse();
  }

  async unembedded(model: string, limit: number): Promise<ReflectionText[]> {
    const { rows } = await this.pool.query(
      `SELECT r.id, r.content FROM reflections r
        WHERE NOT EXISTS (SELECT 1 FROM reflection_vectors v WHERE v.reflection_id = r.id AND v.model = $1)
        ORDER BY r.id LIMIT $2`,
      [model, limit],
    );
    return (rows as { id: string | number; content: string }[]).map((r) => ({ id: Number(r.id), content: r.content }));
  }

  async saveVectors(model: string, rows: readonly StoredVector[]): Promise<void> {
    if (rows.length === 0) return;
    // One statement: the rows arrive as parallel arrays; reflections gone meanwhile drop out of the join.
    await this.pool.query(
      `INSERT INTO reflection_vectors (reflection_id, model, dims, vector)
       SELECT r.id, $1, v.dims, v.vector
         FROM unnest($2::bigint[], $3::int[], $4::bytea[]) AS v(id, dims, vector) JOIN reflections r ON r.id = v.id
       ON CONFLICT (reflection_id) DO UPDATE SET model = excluded.model, dims = excluded.dims, vector = excluded.vector`,
      [model, rows.map((r) => r.id), rows.map((r) => r.vector.length), rows.map((r) => vectorToBytes(r.vector))],
    );
  }

  async vectorsAfter(model: string, afterId: number, limit: number): Promise<StoredVector[]> {
    const { rows } = await this.pool.query(
      'SELECT reflection_id AS id, vector FROM reflection_vectors WHERE model = $1 AND reflection_id > $2 ORDER BY reflection_id LIMIT $3',
      [model, afterId, limit],
    );
    return (rows as { id: string | number; vector: Buffer }[]).map((r) => ({ id: Number(r.id), vector: bytesToVector(r.vector) }));
  }

  async vectorCounts(model: string): Promise<{ reflections: number; embedded: number }> {
    const { rows } = await this.pool.query(
      'SELECT (SELECT count(*) FROM reflections) AS reflections, (SELECT count(*) FROM reflection_vectors WHERE model = $1) AS embedded',
      [model],
    );
    const r = rows[0] as { reflections: string; embedded: string };
    return { reflections: Number(r.reflections), embedded: Number(r.embedded) };
  }
}
