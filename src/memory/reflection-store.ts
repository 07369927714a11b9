/**
 * Reflections: short notes kept across sessions, deduplicated by the SHA-256
 * of their normalised content and searchable with SQLite FTS5 (BM25 ranking).
 *
 * Search semantics
 * - The user's query is split on whitespace; every term is wrapped in double
 *   quotes (inner quotes doubled), so FTS5 operators and punctuation in the
 *   query (`"`, `*`, `:`, `NEAR`, `AND`, parentheses, ...) are always treated
 *   as plain text and can never cause a syntax error.
 * - Terms are OR-ed: a reflection matching any term is a hit, and BM25 ranks
 *   reflections matching more (and rarer) terms higher. The porter tokenizer
 *   makes "tests" match "testing".
 * - `score` = -bm25(reflections_fts, 1.0, 0.5): SQLite's bm25() is negative
 *   with "more negative = better"; negating it gives "higher = better". Tag
 *   matches weigh half as much as content matches. Scores are relative to the
 *   corpus (BM25's IDF), so compare them within one result list only.
 * - Index maintenance happens in triggers inside the INSERT's transaction, so a
 *   stored reflection is visible to the very next search (no cache).
 */
import crypto from 'node:crypto';
import { AppError } from '../errors.js';
import type { SqliteDb } from '../store/database.js';

export const MAX_CONTENT_CHARS = 20_000;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 64;
export const MAX_PROJECT_CHARS = 200;
export const MAX_QUERY_CHARS = 1_000;
export const MAX_QUERY_TERMS = 32;
export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_SEARCH_LIMIT = 100;

export interface StoreReflectionInput {
  content: string;
  tags?: string[];
  project?: string | null;
}

export interface Reflection {
  id: number;
  content: string;
  tags: string[];
  project: string | null;
  /** ISO 8601 timestamp. */
  created_at: string;
}

export interface StoreReflectionResult extends Reflection {
  /** false when identical (normalised) content was already stored; the existing row is returned. */
  created: boolean;
  content_hash: string;
}

export interface SearchReflectionsInput {
  query: string;
  limit?: number;
  project?: string | null;
  /** Every listed tag must be present on a result. */
  tags?: string[];
}

export interface ReflectionHit extends Reflection {
  /** -bm25(): higher is more relevant. */
  score: number;
}

export interface SearchReflectionsResult {
  query: string;
  /** The FTS5 expression actually run (each term quoted). */
  fts_query: string;
  results: ReflectionHit[];
}

export interface ReflectionStats {
  total: number;
  projects: number;
  oldest: string | null;
  newest: string | null;
}

interface Row {
  id: number;
  content: string;
  content_hash: string;
  tags: string;
  project: string | null;
  created_at: number;
}

/** NFC, trimmed, whitespace runs collapsed to a single space. Case is kept (it can carry meaning in code). */
export function normaliseContent(content: string): string {
  return content.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

export function contentHash(content: string): string {
  return crypto.createHash('sha256').update(normaliseContent(content), 'utf8').digest('hex');
}

/** Trimmed, lower-cased, de-duplicated tags in first-seen order. */
export function normaliseTags(tags: unknown, field = 'tags'): string[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw AppError.invalid(field, 'must be an array of strings');
  if (tags.length > MAX_TAGS) throw AppError.invalid(field, `at most ${MAX_TAGS} tags`);
  const out: string[] = [];
  tags.forEach((t, i) => {
    if (typeof t !== 'string') throw AppError.invalid(`${field}.${i}`, 'must be a string');
    const tag = t.normalize('NFC').trim().toLowerCase();
    if (tag.length === 0) throw AppError.invalid(`${field}.${i}`, 'must not be empty');
    if (tag.length > MAX_TAG_CHARS) throw AppError.invalid(`${field}.${i}`, `at most ${MAX_TAG_CHARS} characters`);
    if (/\p{Cc}/u.test(tag)) throw AppError.invalid(`${field}.${i}`, 'must not contain control characters');
    if (!out.includes(tag)) out.push(tag);
  });
  return out;
}

function normaliseProject(project: unknown): string | null {
  if (project === undefined || project === null) return null;
  if (typeof project !== 'string') throw AppError.invalid('project', 'must be a string');
  const p = project.trim();
  if (p.length === 0) return null;
  if (p.length > MAX_PROJECT_CHARS) throw AppError.invalid('project', `at most ${MAX_PROJECT_CHARS} characters`);
  return p;
}

/**
 * Turns free text into a safe FTS5 expression: `"term1" OR "term2"`.
 * Terms without a letter or digit are dropped (the tokenizer would ignore them
 * anyway); if none is left the result is '' (the search then matches nothing).
 * An empty or all-whitespace query is invalid input.
 */
export function buildFtsQuery(query: unknown): string {
  if (typeof query !== 'string') throw AppError.invalid('query', 'must be a string');
  if (query.trim().length === 0) throw AppError.invalid('query', 'must not be empty');
  if (query.length > MAX_QUERY_CHARS) throw AppError.invalid('query', `at most ${MAX_QUERY_CHARS} characters`);
  const terms = query
    .normalize('NFC')
    .split(/\s+/u)
    .filter((t) => /[\p{L}\p{N}]/u.test(t));
  if (terms.length === 0) return '';
  const unique = [...new Set(terms)].slice(0, MAX_QUERY_TERMS);
  return unique.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
}

function toReflection(row: Row): Reflection {
  return {
    id: row.id,
    content: row.content,
    tags: JSON.parse(row.tags) as string[],
    project: row.project,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export class ReflectionStore {
  private readonly now: () => number;

  constructor(
    private readonly db: SqliteDb,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  store(input: StoreReflectionInput): StoreReflectionResult {
    if (typeof input?.content !== 'string') throw AppError.invalid('content', 'must be a string');
    if (input.content.length > MAX_CONTENT_CHARS) {
      throw AppError.invalid('content', `at most ${MAX_CONTENT_CHARS} characters`);
    }
    const content = input.content.trim();
    if (content.length === 0) throw AppError.invalid('content', 'must not be empty');
    const tags = normaliseTags(input.tags);
    const project = normaliseProject(input.project);
    const hash = contentHash(content);

    const info = this.db
      .prepare(
        `INSERT INTO reflections (content, content_hash, tags, project, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING`,
      )
      .run(content, hash, JSON.stringify(tags), project, this.now());
    const row = this.db.prepare('SELECT * FROM reflections WHERE content_hash = ?').get(hash) as Row;
    return { ...toReflection(row), content_hash: row.content_hash, created: info.changes === 1 };
  }

  search(input: SearchReflectionsInput): SearchReflectionsResult {
    const ftsQuery = buildFtsQuery(input?.query);
    const limit = input.limit ?? DEFAULT_SEARCH_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw AppError.invalid('limit', `must be an integer between 1 and ${MAX_SEARCH_LIMIT}`);
    }
    const project = normaliseProject(input.project);
    const tags = normaliseTags(input.tags);
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
      .all(...params) as (Row & { score: number })[];
    return {
      query: input.query,
      fts_query: ftsQuery,
      results: rows.map((r) => ({ ...toReflection(r), score: Math.round(r.score * 1e6) / 1e6 })),
    };
  }

  get(id: number): Reflection {
    const row = this.db.prepare('SELECT * FROM reflections WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new AppError('NOT_FOUND', `reflection ${id} not found`, { field: 'id' });
    return toReflection(row);
  }

  stats(): ReflectionStats {
    const row = this.db
      .prepare(
        `SELECT count(*) AS total, count(DISTINCT project) AS projects,
                min(created_at) AS oldest, max(created_at) AS newest FROM reflections`,
      )
      .get() as { total: number; projects: number; oldest: number | null; newest: number | null };
    return {
      total: row.total,
      projects: row.projects,
      oldest: row.oldest === null ? null : new Date(row.oldest).toISOString(),
      newest: row.newest === null ? null : new Date(row.newest).toISOString(),
    };
  }
}
