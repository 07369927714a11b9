/**
 * Reflections: short notes kept across sessions, deduplicated within a project
 * by the SHA-256 of their normalised content (the same text under another
 * project, or without a project, is a reflection of its own) and searchable by
 * full text. This service holds
 * the input rules and the search semantics; the stores behind it
 * (store/sqlite/reflection-store.ts: FTS5, BM25; store/postgres/reflection-store.ts:
 * tsvector + GIN, ts_rank_cd) only run SQL over prepared input.
 *
 * Search semantics (both back-ends)
 * - The user's query is split on whitespace into terms (terms without a letter
 *   or digit are dropped). User text only ever reaches the database as a bound
 *   parameter: on SQLite every term is wrapped in double quotes (inner quotes
 *   doubled), so FTS5 operators and punctuation (`"`, `*`, `:`, `NEAR`, `AND`,
 *   parentheses, ...) are plain text; on PostgreSQL every term goes through
 *   plainto_tsquery, which has no operators at all. Neither can fail on syntax.
 * - Terms are OR-ed: a reflection matching any term is a hit, and reflections
 *   matching more (and, on SQLite, rarer) terms rank higher. Both stem English
 *   ("tests" matches "testing"). English stop words ("the", "and", ...: STOP_WORDS,
 *   the list PostgreSQL's English configuration drops) are dropped from the query on
 *   both back-ends, so a query of stop words only finds nothing, and one about nothing
 *   stored is not matched by its "what", "is" and "the".
 * - Ranking: SQLite: -bm25(reflections_fts, 1.0, 0.5) (bm25() is negative with
 *   "more negative = better"); PostgreSQL: ts_rank_cd with content weighted 1.0
 *   and tags 0.5. Tag matches weigh half as much as content matches on both.
 * - `score` (every mode): relevance from 0 to 1 relative to the best hit of the
 *   list: each hit's raw rank over the best one's (analytics/rank-fusion.ts
 *   relativeToBest), 3 significant digits, so the best hit scores 1 and a hit
 *   scoring 0.5 reached half of its rank. The raw ranks live on scales that say
 *   nothing by themselves (FTS5's BM25 floors the IDF of a word found in more
 *   than half of the reflections at 10⁻⁶, so in a small collection every raw
 *   score can be near 0.000001, and a hit matching only such words stays near 0
 *   next to one matching a rarer word; ts_rank_cd counts matches and their
 *   nearness, not rarity), and differ between the back-ends; relative to the
 *   best they read the same way on both. Still relative to the list: a 1 is the best of this search, not
 *   a perfect match; compare scores within one result list only. Without a query
 *   (filters only, newest first) every score is 0.
 * - The index is maintained inside the INSERT's transaction (FTS5 triggers; a
 *   generated tsvector column), so a stored reflection is visible to the very
 *   next keyword search (no cache).
 *
 * Hybrid search (mode `hybrid`, the default when embeddings are on)
 * - Two ranked lists: the keyword (BM25) search above, top KEYWORD_CANDIDATES;
 *   and the reflections nearest in meaning to the query (cosine similarity of
 *   sentence embeddings, reflection-embedder.ts), top MEANING_CANDIDATES (more
 *   when a filter is given, as the filters are applied to these candidates
 *   afterwards). They are fused by reciprocal-rank fusion with k = 60
 *   (analytics/rank-fusion.ts): the raw rank is Σ 1/(60 + rank) over the lists a
 *   reflection is in, reported as `score` relative to the best hit like a keyword
 *   score (so 1 for the best, 0.5 for a hit first in one list only when the best
 *   is first in both), and each hit says its rank in both lists.
 * - Relevance floor: a note found by meaning alone needs a cosine of at least
 *   MEANING_ONLY_MIN_SIMILARITY (0.5); a keyword hit is in the meaning list from
 *   MEANING_MIN_SIMILARITY (0.25). Keyword hits are never dropped.
 * - When the model is not loaded yet (the first search starts it), failed or
 *   is turned off, the search answers in mode `keyword` and `mode_reason`
 *   says why; never silently. Reflections not embedded yet (the background
 *   backfill) are found by keyword only.
 */
import crypto from 'node:crypto';
import { qualityHistory, type QualityHistory } from '../analytics/quality-history.js';
import { reciprocalRankFusion, relativeToBest, RRF_K } from '../analytics/rank-fusion.js';
import { jaccard, wordSet } from '../analytics/text-similarity.js';
import { AppError } from '../errors.js';
import type { CheckpointMemoryEntry } from '../session/session-types.js';
import { checkpointContent, toQualityPoint } from './checkpoint-memory.js';
import { mentionedFiles, normaliseFiles } from './file-mentions.js';
import { EMBEDDING_MODEL, type EmbedderState, type ReflectionEmbedder } from './reflection-embedder.js';

/** Search by meaning as reflection_stats reports it. */
interface EmbeddingsSummary {
  state: EmbedderState;
  /** Why search by meaning is not available (null when ready). */
  reason: string | null;
  model: string;
  /** Reflections that have their vector (the rest are found by keyword only until the background backfill reaches them). */
  embedded: number;
}
import {
  REFLECTION_KINDS,
  reflectionNotFound,
  type PreparedReflection,
  type PreparedSearch,
  type Reflection,
  type ReflectionHit,
  type ReflectionKind,
  type ReflectionStats,
  type ReflectionStore,
} from '../store/reflection-types.js';
import { isWellFormedText } from '../validation.js';

export type { ReflectionStats };

export const MAX_CONTENT_CHARS = 20_000;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 64;
export const MAX_PROJECT_CHARS = 200;
export const MAX_QUERY_CHARS = 1_000;
/** Near-duplicate threshold: a new note whose word-set Jaccard similarity to an earlier note is at least this is linked to it. */
export const NEAR_DUPLICATE_THRESHOLD = 0.8;
const NEAR_DUPLICATE_CANDIDATES = 20;
const MAX_QUERY_TERMS = 32;
export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_SEARCH_LIMIT = 100;
/** Hybrid search: candidates taken from the keyword list and from the meaning list before fusion. */
const KEYWORD_CANDIDATES = 100;
const MEANING_CANDIDATES = 100;
/** Meaning candidates when a filter is given (the filters apply to the candidates). */
const MEANING_CANDIDATES_FILTERED = 1_000;
/**
 * The least cosine similarity of a meaning candidate: below it a note is unrelated to the query and
 * search by meaning offers nothing (it would otherwise rank every stored note). With the model shipped
 * (Universal Sentence Encoder lite), queries about nothing stored ("zebra giraffe savanna", "what is the
 * weather tomorrow") reach at most 0.22 against a set of engineering notes, while paraphrases of a note
 * score 0.3 to 0.6 with it (memory/hybrid-search.test.ts). It orders the meaning list of notes keyword
 * search also found.
 */
const MEANING_MIN_SIMILARITY = 0.25;
/**
 * The least cosine similarity of a note found by meaning alone (not by keyword): the relevance floor of
 * search by meaning. Measured with the shipped model against engineering notes and checkpoint reports:
 * nonsense and unrelated queries reach up to 0.47 with some note ("zzzqqq xylophone" 0.37, "zzzqqq"
 * 0.41, "lorem ipsum dolor" 0.44, "ipsum" 0.47, "abc123 def456" 0.42), the model's floor for words it
 * does not know; clear paraphrases score 0.55 to 0.76 ("car battery dies in cold weather" 0.67 with a
 * note on an automobile not starting on frosty mornings), loose ones 0.38 to 0.45 (those are found
 * when they share a word with the note, by keyword). So a query about nothing stored finds nothing,
 * whether the model is loaded or not.
 */
export const MEANING_ONLY_MIN_SIMILARITY = 0.5;
export const SEARCH_MODES = ['hybrid', 'keyword'] as const;
type SearchMode = (typeof SEARCH_MODES)[number];

interface StoreReflectionInput {
  content: string;
  tags?: string[];
  project?: string | null;
  /** File paths the note is about (paths mentioned in the content are added). */
  files?: string[];
}

interface StoreReflectionResult extends Reflection {
  /** false when identical (normalised) content was already stored in the same project (or, without one, without a project); that row is returned. */
  created: boolean;
  content_hash: string;
  /** The earlier note this one nearly repeats (similarity ≥ NEAR_DUPLICATE_THRESHOLD), also kept in `duplicate_of`; null when none. */
  near_duplicate: { id: number; similarity: number; created_at: string } | null;
}

interface SearchReflectionsInput {
  /** Words to search for; may be omitted when a filter is given (then: newest first). */
  query?: string;
  limit?: number;
  project?: string | null;
  /** Every listed tag must be present on a result. */
  tags?: string[];
  /** Reflections naming this path, or a path ending in "/" + it. */
  file?: string | null;
  kind?: string | null;
  /** ISO 8601 bounds on the creation time: since inclusive, until exclusive; a date-only until includes that whole (UTC) day. */
  since?: string | null;
  until?: string | null;
  /** `hybrid` (default): keyword and meaning fused; `keyword`: BM25 only. */
  mode?: SearchMode;
}

interface HybridHit extends ReflectionHit {
  /** 1-based ranks in the keyword and the meaning list (null: not among its candidates); hybrid mode only. */
  ranks?: { keyword: number | null; meaning: number | null };
  /** Cosine similarity to the query (3 decimals) when a meaning candidate, else null; hybrid mode only. */
  similarity?: number | null;
}

interface SearchReflectionsResult {
  query: string;
  /** The mode that answered. */
  mode: SearchMode;
  /** Why the answer is keyword-only when hybrid was asked for (model loading, failed, turned off; no query); null otherwise. */
  mode_reason: string | null;
  /** The full-text query actually run: an FTS5 expression (each term quoted) on SQLite, the tsquery text on PostgreSQL. */
  fts_query: string;
  results: HybridHit[];
}

/** NFC, trimmed, whitespace runs collapsed to a single space. Case is kept (it can carry meaning in code). */
function normaliseContent(content: string): string {
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

/** English stop words (PostgreSQL's english.stop, the Snowball list): never a search term. */
const STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its ' +
    'itself they them their theirs themselves what which who whom this that these those am is are was were be been being have ' +
    'has had having do does did doing a an the and but if or because as until while of at by for with about against between ' +
    'into through during before after above below to from up down in out on off over under again further then once here there ' +
    'when where why how all any both each few more most other some such no nor not only own same so than too very s t can will ' +
    'just don should now'
  ).split(' '),
);

/** Whether a term is only a stop word (case and surrounding punctuation aside). */
function isStopWord(term: string): boolean {
  return STOP_WORDS.has(term.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
}

/**
 * The distinct searchable terms of free text: split on whitespace, terms
 * without a letter or digit dropped (the tokenizers would ignore them anyway),
 * and stop words dropped (STOP_WORDS), at most MAX_QUERY_TERMS. An empty or
 * all-whitespace query is invalid input.
 */
export function searchTerms(query: unknown): string[] {
  if (typeof query !== 'string') throw AppError.invalid('query', 'must be a string');
  if (query.trim().length === 0) throw AppError.invalid('query', 'must not be empty');
  if (query.length > MAX_QUERY_CHARS) throw AppError.invalid('query', `at most ${MAX_QUERY_CHARS} characters`);
  // Control characters (NUL included) and lone surrogates separate words like spaces: they are no part of a word,
  // and a NUL would end the full-text engine's quoted term early.
  const terms = query
    .normalize('NFC')
    .split(/[\s\p{Cc}\p{Cs}]+/u)
    .filter((t) => /[\p{L}\p{N}]/u.test(t) && !isStopWord(t));
  return [...new Set(terms)].slice(0, MAX_QUERY_TERMS);
}

/** The paths a reflection is indexed by, whoever writes it (a note, a checkpoint, a saved context): those given and those its text mentions. */
function reflectionFiles(given: readonly unknown[], content: string): string[] {
  return normaliseFiles([...given, ...mentionedFiles(content)]);
}

/** Validated, normalised input of `store`. */
function prepareReflection(input: StoreReflectionInput): PreparedReflection {
  if (typeof input?.content !== 'string') throw AppError.invalid('content', 'must be a string');
  if (input.content.length > MAX_CONTENT_CHARS) {
    throw AppError.invalid('content', `at most ${MAX_CONTENT_CHARS} characters`);
  }
  const content = input.content.trim();
  if (content.length === 0) throw AppError.invalid('content', 'must not be empty');
  if (/[^\P{Cc}\t\n\r\f\v]/u.test(content)) throw AppError.invalid('content', 'must be text (no NUL or other control characters besides tab and line breaks)');
  if (!isWellFormedText(content)) throw AppError.invalid('content', 'must be text (no lone UTF-16 surrogates)');
  if (input.files !== undefined && !Array.isArray(input.files)) throw AppError.invalid('files', 'must be an array of strings');
  return {
    kind: 'note',
    content,
    hash: contentHash(content),
    tags: normaliseTags(input.tags),
    files: reflectionFiles(input.files ?? [], content),
    project: normaliseProject(input.project),
    data: null,
    duplicateOf: null,
  };
}

const DAY_MS = 86_400_000;

/**
 * An ISO 8601 bound as epoch ms. The date must exist (2026-02-30 is refused, as is hour 24); a date
 * without a time is that UTC day: from its start as `since`, through its end as `until` (the next day's
 * start, as until is exclusive), so since = until = one date asks for that day.
 */
function parseTime(v: unknown, field: 'since' | 'until'): number | null {
  if (v === undefined || v === null) return null;
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(v) : null;
  const ms = m ? Date.parse(v as string) : Number.NaN;
  if (!m || !Number.isFinite(ms)) throw AppError.invalid(field, 'must be an ISO 8601 date or date-time');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) {
    throw AppError.invalid(field, `must be a date that exists (${m[1]}-${m[2]} has no day ${m[3]})`);
  }
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59)) throw AppError.invalid(field, 'must have an hour of 00 to 23 and minutes of 00 to 59');
  const dateOnly = (v as string).length === 10;
  return dateOnly && field === 'until' ? ms + DAY_MS : ms;
}

/**
 * Runs each of a search's input checks, collecting every INVALID_INPUT they throw (the others pass
 * through); `fallback` stands for a bad value so that the later checks still run.
 */
function issueCollector() {
  const issues: { field: string; rule: string }[] = [];
  return {
    issues,
    check<T>(fallback: T, fn: () => T): T {
      try {
        return fn();
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'INVALID_INPUT' || typeof err.details.field !== 'string') throw err;
        issues.push({ field: err.details.field, rule: typeof err.details.rule === 'string' ? err.details.rule : err.message });
        return fallback;
      }
    },
  };
}

/**
 * Validated, normalised input of `search`; `terms` are the distinct searchable terms (none with a query:
 * nothing can match). Every bad field is reported at once (one error listing them, AppError.invalidAll).
 */
function prepareSearch(input: SearchReflectionsInput): PreparedSearch & { noTerms: boolean; filtered: boolean } {
  const { issues, check } = issueCollector();
  check(undefined, () => {
    if (input.mode !== undefined && !(SEARCH_MODES as readonly string[]).includes(input.mode))
      throw AppError.invalid('mode', `must be one of ${SEARCH_MODES.join(', ')}`);
  });
  const beforeFilters = issues.length;
  const file = check(null, () => {
    const f = input.file === undefined || input.file === null ? null : normaliseFiles([input.file])[0];
    if (f === undefined) throw AppError.invalid('file', 'must be a non-empty path of at most 500 characters without control characters');
    return f;
  });
  const kind = check(null, () => {
    const k = input.kind ?? null;
    if (k !== null && !(REFLECTION_KINDS as readonly string[]).includes(k)) throw AppError.invalid('kind', `must be one of ${REFLECTION_KINDS.join(', ')}`);
    return k;
  });
  const since = check(null, () => parseTime(input.since, 'since'));
  const until = check(null, () => parseTime(input.until, 'until'));
  if (since !== null && until !== null && until <= since) issues.push({ field: 'until', rule: 'must be after since' });
  const project = check(null, () => normaliseProject(input.project));
  const tags = check([], () => normaliseTags(input.tags));
  const filtered = file !== null || kind !== null || since !== null || until !== null || project !== null || tags.length > 0;
  // A refused filter was still given: the query is not also reported missing.
  if (input.query === undefined && !filtered && issues.length === beforeFilters)
    issues.push({ field: 'query', rule: 'is required unless a filter (project, tags, file, kind, since, until) is given' });
  const terms = input.query === undefined ? [] : check([], () => searchTerms(input.query));
  const limit = input.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT)
    issues.push({ field: 'limit', rule: `must be an integer between 1 and ${MAX_SEARCH_LIMIT}` });
  if (issues.length > 0) throw AppError.invalidAll(issues);
  return {
    terms,
    limit,
    project,
    tags,
    file,
    kind: kind as ReflectionKind | null,
    since,
    until,
    noTerms: input.query !== undefined && terms.length === 0,
    filtered,
  };
}

/**
 * Throws the INVALID_INPUT error `search` would throw for `input` (every bad field at once), touching no
 * store: for a caller that has work to do before searching (the CLI loads the embedding model) and should
 * refuse bad input first.
 */
export function checkSearchInput(input: SearchReflectionsInput): void {
  prepareSearch(input);
}

/** The most similar earlier note of the same project at or above the threshold, or null. */
async function findNearDuplicate(store: ReflectionStore, r: PreparedReflection): Promise<StoreReflectionResult['near_duplicate']> {
  const terms = searchTerms(r.content.slice(0, MAX_QUERY_CHARS));
  if (terms.length === 0) return null;
  const words = wordSet(r.content);
  const { results } = await store.search({
    terms,
    limit: NEAR_DUPLICATE_CANDIDATES,
    project: r.project,
    tags: [],
    file: null,
    kind: 'note',
    since: null,
    until: null,
  });
  let best: StoreReflectionResult['near_duplicate'] = null;
  for (const c of results) {
    if (contentHash(c.content) === r.hash) return null; // the very same note: the exact dedup answers
    const similarity = Math.round(jaccard(words, wordSet(c.content)) * 1000) / 1000;
    if (similarity >= NEAR_DUPLICATE_THRESHOLD && (best === null || similarity > best.similarity)) best = { id: c.id, similarity, created_at: c.created_at };
  }
  return best;
}

export interface ReflectionService {
  /** Stores a note; identical (normalised) content in the same project returns the existing row with `created: false`. */
  store(input: StoreReflectionInput): Promise<StoreReflectionResult>;
  search(input: SearchReflectionsInput): Promise<SearchReflectionsResult>;
  /** NOT_FOUND when there is no such reflection. */
  get(id: number): Promise<Reflection>;
  /** The store's figures plus the state of search by meaning (how many reflections have their vector). */
  stats(): Promise<ReflectionStats & { embeddings: EmbeddingsSummary }>;
  /** Keeps a checkpoint as a reflection (kind 'checkpoint', tags checkpoint + quality, the record in `data`). */
  rememberCheckpoint(entry: CheckpointMemoryEntry): Promise<{ id: number }>;
  /** Keeps the context saved before a compaction as a reflection (kind 'precompact', indexed by the files it names). */
  rememberSavedContext(input: { project: string | null; markdown: string; files: string[]; data: unknown }): Promise<{ id: number; created: boolean }>;
  /**
   * The score history of a project in one directory (copies of a project elsewhere have their own) over its
   * newest HISTORY_LENGTH checkpoints; checkpoints kept without their directory count while the project's
   * name is unambiguous (no checkpoint of it names another directory).
   */
  qualityHistory(project: string, directory: string): Promise<QualityHistory>;
  /** Loads the embedding model (if turned on) and resolves once every stored reflection has its vector. */
  embeddingsReady(): Promise<void>;
}

/** Checkpoints the score history looks back over. */
const HISTORY_LENGTH = 20;

/**
 * Keyword (BM25) and meaning candidates fused by reciprocal-rank fusion; the
 * meaning candidates pass the search's filters first (one query by id).
 */
async function hybridSearch(store: ReflectionStore, embedder: ReflectionEmbedder, query: string, prepared: PreparedSearch, filtered: boolean) {
  // The worker is asked first: it embeds and scans on its own thread while the keyword query runs here
  // (SQLite runs it synchronously inside search(), so asked second the worker would only start after it).
  const meaning = embedder.nearest(query, filtered ? MEANING_CANDIDATES_FILTERED : MEANING_CANDIDATES);
  const [keyword, { hits: near }] = await Promise.all([store.search({ ...prepared, limit: Math.max(KEYWORD_CANDIDATES, prepared.limit) }), meaning]);
  const allowed = near.length ? (await store.search({ ...prepared, terms: [], ids: near.map((n) => n.id), limit: near.length })).results : [];
  const rows = new Map<number, ReflectionHit>(allowed.map((r) => [r.id, r]));
  for (const r of keyword.results) rows.set(r.id, r);
  const keywordIds = new Set(keyword.results.map((r) => r.id));
  const meaningHits = near
    .filter((n) => rows.has(n.id) && n.similarity >= (keywordIds.has(n.id) ? MEANING_MIN_SIMILARITY : MEANING_ONLY_MIN_SIMILARITY))
    .slice(0, MEANING_CANDIDATES);
  const similarity = new Map(meaningHits.map((n) => [n.id, Math.round(n.similarity * 1000) / 1000]));
  const fused = reciprocalRankFusion([keyword.results.map((r) => r.id), meaningHits.map((n) => n.id)], RRF_K).slice(0, prepared.limit);
  const scores = relativeToBest(fused.map((f) => f.score));
  const results: HybridHit[] = fused.map((f, i) => ({
    ...rows.get(f.id)!,
    score: scores[i]!,
    ranks: { keyword: f.ranks[0] ?? null, meaning: f.ranks[1] ?? null },
    similarity: similarity.get(f.id) ?? null,
  }));
  return { fts_query: keyword.fts_query, results };
}

/** A store's search with its scores as reported: relative to the best hit (see `score` above). */
async function keywordSearch(store: ReflectionStore, prepared: PreparedSearch): Promise<{ fts_query: string; results: ReflectionHit[] }> {
  const { fts_query, results } = await store.search(prepared);
  const scores = relativeToBest(results.map((r) => r.score));
  return { fts_query, results: results.map((r, i) => ({ ...r, score: scores[i]! })) };
}

/**
 * The reflection use cases over a store of either back-end: validate,
 * normalise, then store or search. `embedder` (absent: keyword search only)
 * adds search by meaning; it is told about every stored reflection and never
 * awaited on the way.
 */
export function createReflectionService(store: ReflectionStore, opts: { embedder?: ReflectionEmbedder } = {}): ReflectionService {
  const embedder = opts.embedder;
  const inserted = (created: boolean) => {
    if (created) embedder?.notify();
  };
  return {
    async store(input) {
      const prepared = prepareReflection(input);
      const near = await findNearDuplicate(store, prepared);
      const saved = await store.insert({ ...prepared, duplicateOf: near?.id ?? null });
      inserted(saved.created);
      return { ...saved, near_duplicate: saved.created ? near : null };
    },
    async search(input) {
      const { noTerms, filtered, ...prepared } = prepareSearch(input);
      const query = input.query ?? '';
      const keyword = (mode_reason: string | null) => ({ query, mode: 'keyword' as const, mode_reason });
      if (noTerms) return { ...keyword('the query has no searchable word'), fts_query: '', results: [] };
      if (input.query === undefined) return { ...keyword('no query: filters only, newest first'), ...(await keywordSearch(store, prepared)) };
      if (input.mode === 'keyword') return { ...keyword(null), ...(await keywordSearch(store, prepared)) };
      if (!embedder) return { ...keyword('search by meaning is not set up'), ...(await keywordSearch(store, prepared)) };
      const status = embedder.status();
      if (status.state === 'idle') void embedder.start();
      if (status.state !== 'ready') {
        const why = status.state === 'idle' ? 'the embedding model is not loaded yet (this search started loading it)' : status.reason;
        return { ...keyword(why), ...(await keywordSearch(store, prepared)) };
      }
      try {
        return { query, mode: 'hybrid', mode_reason: null, ...(await hybridSearch(store, embedder, query, prepared, filtered)) };
      } catch (err) {
        return { ...keyword(`search by meaning failed: ${(err as Error).message}`), ...(await keywordSearch(store, prepared)) };
      }
    },
    async get(id) {
      const found = await store.get(id);
      if (!found) throw reflectionNotFound(id);
      return found;
    },
    async stats() {
      const [totals, counts] = await Promise.all([store.stats(), store.vectorCounts(EMBEDDING_MODEL)]);
      const status = embedder?.status() ?? { state: 'off' as const, reason: 'search by meaning is not set up' };
      return { ...totals, embeddings: { state: status.state, reason: status.reason, model: EMBEDDING_MODEL, embedded: counts.embedded } };
    },
    async rememberCheckpoint(entry) {
      const content = checkpointContent(entry);
      const saved = await store.insert({
        kind: 'checkpoint',
        content,
        hash: contentHash(content),
        tags: entry.kind === 'end' ? ['checkpoint', 'quality', 'session-end'] : ['checkpoint', 'quality'],
        // Indexed like a note by the paths its text mentions (a recommendation naming a file, a commit subject).
        files: reflectionFiles([], content),
        project: normaliseProject(entry.project),
        data: JSON.stringify(entry),
        duplicateOf: null,
      });
      inserted(saved.created);
      return { id: saved.id };
    },
    async rememberSavedContext(input) {
      const content = input.markdown.length > MAX_CONTENT_CHARS ? `${input.markdown.slice(0, MAX_CONTENT_CHARS - 1)}…` : input.markdown;
      const saved = await store.insert({
        kind: 'precompact',
        content,
        hash: contentHash(content),
        tags: ['precompact', 'saved-context'],
        files: reflectionFiles(input.files, content),
        project: normaliseProject(input.project),
        data: JSON.stringify(input.data),
        duplicateOf: null,
      });
      inserted(saved.created);
      return { id: saved.id, created: saved.created };
    },
    async embeddingsReady() {
      await embedder?.start();
      await embedder?.idle();
    },
    async qualityHistory(project, directory) {
      const rows = await store.recordsOf('checkpoint', project, directory, HISTORY_LENGTH);
      return qualityHistory(rows.map(toQualityPoint).filter((p) => p !== null));
    },
  };
}
