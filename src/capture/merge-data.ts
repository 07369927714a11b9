/**
 * Merges one data directory's invocations, reflections and skill cost calls
 * into the current store, deduplicated: `merge-data` (e.g. the
 * `./.session-buddy` folders that releases before 0.2 created in each
 * project). A/B experiments are not merged: they are counted (`notMerged`),
 * and the folder is then not to be deleted.
 *
 * - Reflections are deduplicated by content hash and keep their time; their
 *   vectors are computed again by this store's embedder.
 * - Cost calls keep their key (a second merge adds nothing) and user hash.
 *
 * - Rows keep their dedupe key; a row without one gets `merge:<its id>`, so
 *   merging the same directory twice adds nothing, and a call captured in
 *   both directories (same key) is stored once.
 * - Raw user ids were never stored, so rows keep the user hash they have
 *   (passed through as a pre-hashed id, see store/salt.ts); users of a
 *   directory with another salt stay distinct users.
 * - Every row goes through the tracker, so rollups and live events are
 *   maintained as for any write. Rows the tracker rejects are counted and
 *   skipped, never abort the merge.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, toAppError } from '../errors.js';
import { PREHASHED_PREFIX, saltFingerprint } from '../store/salt.js';
import type { PreparedReflection } from '../store/reflection-types.js';
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { openInvocationExport, type ExportedInvocation } from '../store/sqlite/invocation-export.js';
import type { RecordBatch } from './types.js';

export interface MergeSummary {
  source: string;
  rows: number;
  inserted: number;
  duplicates: number;
  skipped: number;
  /** The first few reasons rows were skipped, with the row id. */
  skippedExamples: string[];
  reflections: { rows: number; inserted: number; duplicates: number };
  costCalls: { rows: number; inserted: number; duplicates: number };
  /** Data of the source that is not merged, by what it is (only what has rows). */
  notMerged: Array<{ what: string; rows: number }>;
}

const MERGE_BATCH = 500;

function toInput(r: ExportedInvocation, fingerprint: string) {
  let metadata: Record<string, unknown> | null = null;
  if (r.metadata) {
    try {
      const v = JSON.parse(r.metadata) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) metadata = v as Record<string, unknown>;
    } catch {
      metadata = null;
    }
  }
  return {
    skill_name: r.skill_name,
    user_id: `${PREHASHED_PREFIX}${fingerprint}:${r.user_hash}`,
    session_id: r.session_key,
    workflow_phase: r.workflow_phase,
    completed: r.completed,
    duration_ms: r.duration_ms,
    error_type: r.error_type,
    invoked_at: r.invoked_at,
    project: r.project,
    agent: r.agent,
    metadata,
    dedupe_key: r.dedupe_key ?? `merge:${r.id}`,
  };
}

export async function mergeDataDir(opts: {
  /** The data directory (or SQLite file) to merge from. */
  source: string;
  /** The target's database file, refused as a source. */
  targetDbPath: string;
  /** Salt of the target store: user hashes are passed through under its fingerprint. */
  targetSalt: string;
  record: RecordBatch;
  /** Stores a reflection unless its content hash is there (ReflectionStore.insert). */
  storeReflection: (r: PreparedReflection) => Promise<{ created: boolean }>;
  /** Stores cost calls, skipping keys already there (SkillCostStore.record). */
  recordCosts: (rows: readonly AttributedUsage[]) => Promise<{ inserted: number; duplicates: number }>;
  onProgress?: (done: number, total: number) => void;
}): Promise<MergeSummary> {
  const dbPath = opts.source.endsWith('.db') ? path.resolve(opts.source) : path.join(path.resolve(opts.source), 'session-buddy.db');
  if (dbPath === path.resolve(opts.targetDbPath)) throw AppError.invalid('source', 'is the current data directory');
  // Opening a database creates it: a mistyped path would be "merged" (0 rows) and called deletable.
  let isFile = false;
  try {
    isFile = fs.statSync(dbPath, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    // ENOTDIR: the source is a file, not a data directory
  }
  if (!isFile) throw AppError.invalid('source', `no Session Buddy database at ${dbPath} (name a data directory or its session-buddy.db)`);
  let exp: ReturnType<typeof openInvocationExport>;
  try {
    exp = openInvocationExport(dbPath);
  } catch (err) {
    throw AppError.invalid('source', `${dbPath} is not a readable session-buddy database (${(err as Error).message})`);
  }
  const fingerprint = saltFingerprint(opts.targetSalt);
  const sum: MergeSummary = {
    source: dbPath,
    rows: 0,
    inserted: 0,
    duplicates: 0,
    skipped: 0,
    skippedExamples: [],
    reflections: { rows: 0, inserted: 0, duplicates: 0 },
    costCalls: { rows: 0, inserted: 0, duplicates: 0 },
    notMerged: [],
  };
  try {
    for (const page of exp.pages(MERGE_BATCH)) {
      const inputs = page.map((r) => toInput(r, fingerprint));
      try {
        const r = await opts.record(inputs as never);
        sum.inserted += r.inserted;
        sum.duplicates += r.duplicates;
      } catch (err) {
        if (toAppError(err).code !== 'INVALID_INPUT') throw err;
        for (let i = 0; i < inputs.length; i++) {
          try {
            const r = await opts.record([inputs[i]] as never);
            sum.inserted += r.inserted;
            sum.duplicates += r.duplicates;
          } catch (e) {
            if (toAppError(e).code !== 'INVALID_INPUT') throw e;
            sum.skipped++;
            if (sum.skippedExamples.length < 5) sum.skippedExamples.push(`${page[i]!.id}: ${(e as Error).message}`);
          }
        }
      }
      sum.rows += page.length;
      opts.onProgress?.(sum.rows, exp.total);
    }
    for (const page of exp.reflections(MERGE_BATCH)) {
      for (const r of page) {
        const { created } = await opts.storeReflection(r);
        sum.reflections.rows++;
        if (created) sum.reflections.inserted++;
        else sum.reflections.duplicates++;
      }
    }
    for (const page of exp.costCalls(MERGE_BATCH)) {
      const r = await opts.recordCosts(page);
      sum.costCalls.rows += page.length;
      sum.costCalls.inserted += r.inserted;
      sum.costCalls.duplicates += r.duplicates;
    }
    sum.notMerged = exp.notMerged();
  } finally {
    exp.close();
  }
  return sum;
}
