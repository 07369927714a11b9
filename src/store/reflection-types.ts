/**
 * What a reflection store keeps and answers (both back-ends): rows already
 * validated and normalised by the memory service (memory/reflection-service.ts),
 * which owns the input rules and the search semantics. A store only writes
 * and reads SQL.
 */
import { AppError } from '../errors.js';

export type ReflectionKind = 'note' | 'checkpoint' | 'precompact';

export interface Reflection {
  id: number;
  /** 'note': stored by an agent or user; 'checkpoint' / 'precompact': written by the system (see migration 0013). */
  kind: ReflectionKind;
  content: string;
  tags: string[];
  /** File paths the reflection mentions (normalised by the memory service). */
  files: string[];
  project: string | null;
  /** An earlier reflection whose text is nearly the same (near-duplicate detection on store); null when none. */
  duplicate_of: number | null;
  /** ISO 8601 timestamp. */
  created_at: string;
}

export interface ReflectionHit extends Reflection {
  /**
   * Higher is more relevant. From a store: the back-end's raw rank, unrounded (-bm25() on SQLite, ts_rank_cd on
   * PostgreSQL; 0 without terms); the memory service reports it relative to the best hit (memory/reflection-service.ts).
   */
  score: number;
}

export interface ReflectionStats {
  total: number;
  projects: number;
  oldest: string | null;
  newest: string | null;
  /** Reflections per kind (every kind listed, 0 when none). */
  by_kind: Record<ReflectionKind, number>;
  /** Reflections stored as near-duplicates of an earlier one. */
  near_duplicates: number;
  /** Total size of the stored text (UTF-8 bytes of content, tags, files and records). */
  bytes: number;
}

export const REFLECTION_KINDS: readonly ReflectionKind[] = ['note', 'checkpoint', 'precompact'];

/** A validated, normalised reflection to insert; `hash` is the SHA-256 of the normalised content. */
export interface PreparedReflection {
  kind: ReflectionKind;
  content: string;
  hash: string;
  tags: string[];
  files: string[];
  project: string | null;
  /** The structured record (JSON text) of a system-written reflection; null for notes. */
  data: string | null;
  duplicateOf: number | null;
  /** When it was written (epoch ms); the store's clock when absent (`merge-data` keeps the source's). */
  createdAt?: number;
}

/**
 * How a record (`data`, written by JSON.stringify: compact, keys unquoted nowhere else) names its directory:
 * the exact `"workingDirectory":"…"` member. Matching this text behaves the same on both back-ends and never
 * fails on a record that is not JSON (PostgreSQL keeps `data` as plain text).
 */
export const DIRECTORY_KEY = '"workingDirectory":';

/** The text a record naming `directory` contains (the closing quote keeps /a/b from matching /a/bc). */
export function directoryNeedle(directory: string): string {
  return `${DIRECTORY_KEY}${JSON.stringify(directory)}`;
}

/** A stored checkpoint record: when, and its structured data (JSON text). */
export interface CheckpointRecordRow {
  created_at: number;
  data: string | null;
}

/** A validated search; `terms` are distinct (none: filters only, newest first). */
export interface PreparedSearch {
  terms: string[];
  limit: number;
  project: string | null;
  tags: string[];
  /** A path: matches a reflection naming exactly this path or a path ending in `/` + it. */
  file: string | null;
  kind: ReflectionKind | null;
  /** Epoch ms bounds on created_at: since inclusive, until exclusive. */
  since: number | null;
  until: number | null;
  /** Only these reflections (the candidates of a search by meaning); absent: no such restriction. */
  ids?: readonly number[];
}

/** A reflection's text to embed. */
export interface ReflectionText {
  id: number;
  content: string;
}

/** A stored embedding: `vector` is L2-normalised float32. */
export interface StoredVector {
  id: number;
  vector: Float32Array;
}

export interface InsertedReflection extends Reflection {
  /** false when a row with the same content hash existed in the same project (no project being one of its own); that row is returned. */
  created: boolean;
  content_hash: string;
}

export interface ReflectionHits {
  /** The full-text query actually run: an FTS5 expression on SQLite, the tsquery text on PostgreSQL. */
  fts_query: string;
  results: ReflectionHit[];
}

export interface ReflectionStore {
  /**
   * Inserts unless the content hash exists in the reflection's project (no project counts as a project of its
   * own; migration 0024): the same text under another project is a reflection of that project. Either way
   * returns the stored row of this project.
   */
  insert(r: PreparedReflection): Promise<InsertedReflection>;
  search(q: PreparedSearch): Promise<ReflectionHits>;
  /** null when there is no such reflection. */
  get(id: number): Promise<Reflection | null>;
  stats(): Promise<ReflectionStats>;
  /**
   * The newest `limit` reflections of `kind` for `project` kept in `directory`, oldest first: those whose
   * record (`data`) names `directory` as its `workingDirectory`, plus those naming no directory (kept before
   * records did) only while no record of `kind` for `project` names another directory.
   */
  recordsOf(kind: ReflectionKind, project: string, directory: string, limit: number): Promise<CheckpointRecordRow[]>;
  /** Up to `limit` reflections with no vector of `model` yet, oldest (lowest id) first. */
  unembedded(model: string, limit: number): Promise<ReflectionText[]>;
  /** Keeps the vectors of `model` (replacing a reflection's vector of another model); rows of reflections gone meanwhile are skipped. */
  saveVectors(model: string, rows: readonly StoredVector[]): Promise<void>;
  /** Up to `limit` stored vectors of `model` with id > `afterId`, in id order (for paging through them). */
  vectorsAfter(model: string, afterId: number, limit: number): Promise<StoredVector[]>;
  /** How many reflections there are and how many have a vector of `model`. */
  vectorCounts(model: string): Promise<{ reflections: number; embedded: number }>;
}

/** A vector as stored: its float32 values, little-endian (the byte order of every supported platform). */
export function vectorToBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** The float32 values of stored bytes (copied: a Buffer's offset need not be 4-aligned). */
export function bytesToVector(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** A reflections row as both back-ends select it. */
export interface ReflectionRow {
  id: number;
  kind: ReflectionKind;
  content: string;
  content_hash: string;
  tags: string;
  files: string;
  project: string | null;
  duplicate_of: number | null;
  created_at: number;
}

export function toReflection(row: ReflectionRow): Reflection {
  return {
    id: row.id,
    kind: row.kind,
    content: row.content,
    tags: JSON.parse(row.tags) as string[],
    files: JSON.parse(row.files) as string[],
    project: row.project,
    duplicate_of: row.duplicate_of === null ? null : Number(row.duplicate_of),
    created_at: new Date(row.created_at).toISOString(),
  };
}

export interface StatsRow {
  total: number;
  projects: number;
  oldest: number | null;
  newest: number | null;
  near_duplicates: number | null;
  bytes: number | null;
}

export function toStats(row: StatsRow, kinds: { kind: string; n: number }[]): ReflectionStats {
  const by_kind = Object.fromEntries(REFLECTION_KINDS.map((k) => [k, 0])) as Record<ReflectionKind, number>;
  for (const k of kinds) if ((REFLECTION_KINDS as readonly string[]).includes(k.kind)) by_kind[k.kind as ReflectionKind] = Number(k.n);
  return {
    total: Number(row.total),
    projects: Number(row.projects),
    oldest: row.oldest === null ? null : new Date(Number(row.oldest)).toISOString(),
    newest: row.newest === null ? null : new Date(Number(row.newest)).toISOString(),
    by_kind,
    near_duplicates: Number(row.near_duplicates ?? 0),
    bytes: Number(row.bytes ?? 0),
  };
}

export function reflectionNotFound(id: number): AppError {
  return new AppError('NOT_FOUND', `reflection ${id} not found`, { field: 'id' });
}
