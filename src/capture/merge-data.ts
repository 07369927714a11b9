/**
 * Merges one data directory's invocations, reflections, skill cost calls and
 * A/B experiments into the current store, deduplicated: `merge-data` (e.g. the
 * `./.session-buddy` folders that releases before 0.2 created in each
 * project).
 *
 * - Reflections are deduplicated by content hash and keep their time; their
 *   vectors are computed again by this store's embedder.
 * - Cost calls keep their key (a second merge adds nothing) and user hash.
 * - A/B experiments are matched by name, assignments by user, outcomes by
 *   user, variant, value and time (ExperimentStore.merge): a second merge
 *   adds nothing. An experiment whose name is taken here by a different one
 *   (other variants, split or metric) is not merged: counted in `notMerged`
 *   with its rows, as are assignments and outcomes of a user assigned another
 *   variant here; the source is then not to be deleted.
 *
 * - A row whose id the target holds is already present (a backup or copy of
 *   the target, merged back), and so is one that the target's `archive` moved
 *   into one of its Parquet files (same id or dedupe key): its rollups count
 *   it already. A row in the time span of an archive file that is missing
 *   cannot be told apart: it is not merged (`possiblyArchived`, and the source
 *   is then not to be deleted). Archives are looked into on a SQLite target
 *   (the only one `archive` runs on).
 * - Rows keep their dedupe key; a row without one gets `merge:<its id>`, so
 *   merging the same directory twice adds nothing, and a call captured in
 *   both directories (same key) is stored once.
 * - Invocations the source's own `archive` runs moved into Parquet files (its
 *   rollups kept counting them) are merged as its live rows are, by the same
 *   rules: each file its `archives` table records is read (at the recorded
 *   path, or by name in its `archive/` folder), once its bytes match the
 *   sha256 recorded (store/sqlite/archived-invocations.ts; columns an older
 *   file lacks take the migrations' defaults). A file that is missing,
 *   unreadable or changed is not merged: its rows are counted in `notMerged`,
 *   named with the reason, and the source is then not to be deleted. A file
 *   the target records too (same sha256: the source is a backup of the
 *   target) holds rows archived here: counted as present, not read.
 * - Raw user ids were never stored, so rows keep the user hash they have
 *   (passed through as a pre-hashed id, see store/salt.ts); users of a
 *   directory with another salt stay distinct users (`otherSalt` says so when
 *   the source records its salt's fingerprint, as a backup does).
 * - Every row goes through the tracker, so rollups and live events are
 *   maintained as for any write. Rows the tracker rejects are counted and
 *   skipped, never abort the merge.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DB_FILE } from '../config.js';
import { AppError, toAppError } from '../errors.js';
import { PREHASHED_PREFIX, saltFingerprint } from '../store/salt.js';
import { sqliteWriteProblem } from '../store/sqlite-access.js';
import type { ExperimentCopy, MergedExperiment } from '../store/experiment-types.js';
import type { PreparedReflection } from '../store/reflection-types.js';
import type { AttributedUsage } from '../store/skill-cost-types.js';
import { readArchivedInvocations } from '../store/sqlite/archived-invocations.js';
import { openInvocationExport, type ExportedInvocation, type TargetArchives } from '../store/sqlite/invocation-export.js';
import type { InvocationStore } from '../store/types.js';
import { spooledLines } from './spool.js';
import type { RecordBatch } from './types.js';

export interface MergeSummary {
  /** The database file merged. */
  source: string;
  /** The data directory it is in, when the source was named as one; null: named as a database file. */
  sourceDir: string | null;
  /** Invocations of the source, live and archived. */
  rows: number;
  /** Of `rows`, those read from the source's archive files, and how many files. */
  fromArchives: { files: number; rows: number };
  inserted: number;
  /** Rows already present: same id, same dedupe key, or archived in the target. */
  duplicates: number;
  /** Of `duplicates`, the rows found in the target's archive files. */
  archived: number;
  /** Rows in the time span of a target archive file that is missing (not merged: they may be in it). */
  possiblyArchived: { rows: number; files: string[] };
  skipped: number;
  /** The first few reasons rows were skipped, with the row id. */
  skippedExamples: string[];
  reflections: { rows: number; inserted: number; duplicates: number };
  costCalls: { rows: number; inserted: number; duplicates: number };
  /** A/B experiments (by name), their assignments and outcomes; rows not merged are in `notMerged`. */
  experiments: { rows: number; inserted: number; duplicates: number };
  abAssignments: { rows: number; inserted: number; duplicates: number };
  abOutcomes: { rows: number; inserted: number; duplicates: number };
  /** Data of the source that is not merged, by what it is (only what has rows). */
  notMerged: Array<{ what: string; rows: number }>;
  /**
   * The source records that its users were hashed with another salt than this installation's
   * (fingerprints of both): they count as separate users here. null: the same salt, or none recorded.
   */
  otherSalt: { source: string; here: string } | null;
}

/**
 * Source rows read and recorded at a time, each page in one transaction. Commits are what a merge
 * pays for beyond the rows: a 500,000-row source (363,328 of them in archive files) took 43.9 s with
 * pages of 500, 23.0 s with pages of 10,000 (peak RSS 832 against 719 MB; 2026-12-02).
 */
const MERGE_BATCH = 10_000;

/** The key a source row is merged under. */
const mergeKey = (r: ExportedInvocation) => r.dedupe_key ?? `merge:${r.id}`;

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
  // A duration the source did not measure stays unmeasured: said the way the capture paths say it.
  if (!r.duration_known && r.trigger !== 'typed' && metadata?.duration_source !== 'unknown') metadata = { ...metadata, duration_source: 'unknown' };
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
    dedupe_key: mergeKey(r),
    // Kept as recorded: a typed activation stays typed (and so without a duration).
    trigger: r.trigger,
    slash_after_miss: r.trigger === 'typed' ? r.slash_after_miss : null,
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
  /** The target's raw rows, asked which source rows it holds already. */
  present: Pick<InvocationStore, 'existingInvocationIds' | 'invokedAtByDedupeKey'>;
  /** The target's archive files (SQLite); null when it has none to look into. */
  archives: TargetArchives | null;
  /** Stores a reflection unless its content hash is there (ReflectionStore.insert). */
  storeReflection: (r: PreparedReflection) => Promise<{ created: boolean }>;
  /** Stores cost calls, skipping keys already there (SkillCostStore.record). */
  recordCosts: (rows: readonly AttributedUsage[]) => Promise<{ inserted: number; duplicates: number }>;
  /** Merges an A/B experiment with its assignments and outcomes (ExperimentStore.merge). */
  mergeExperiment: (copy: ExperimentCopy) => Promise<MergedExperiment>;
  onProgress?: (done: number, total: number) => void;
}): Promise<MergeSummary> {
  const resolved = path.resolve(opts.source);
  let isDir: boolean;
  try {
    const st = fs.statSync(resolved, { throwIfNoEntry: false });
    // A path that is not there: a data directory unless it is named like a database file.
    isDir = st ? st.isDirectory() : !resolved.endsWith('.db');
  } catch {
    isDir = false; // ENOTDIR: under a file, so no directory
  }
  const dbPath = isDir ? path.join(resolved, DB_FILE) : resolved;
  if (dbPath === path.resolve(opts.targetDbPath)) throw AppError.invalid('source', 'is the current data directory');
  // Opening a database creates it: a mistyped path would be "merged" (0 rows) and called deletable.
  let isFile = false;
  try {
    isFile = fs.statSync(dbPath, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    // ENOTDIR: the source is a file, not a data directory
  }
  if (!isFile) throw AppError.invalid('source', `no Session Buddy database at ${dbPath} (name a data directory or its session-buddy.db)`);
  // Opening the source migrates an older schema and makes its -shm file: a source this process cannot
  // write (a mounted backup, another account's folder) is read from a private copy instead.
  const copy = sqliteWriteProblem(dbPath) ? copyForReading(dbPath) : null;
  let exp: ReturnType<typeof openInvocationExport>;
  try {
    exp = openInvocationExport(copy ? path.join(copy, path.basename(dbPath)) : dbPath);
  } catch (err) {
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
    throw AppError.invalid('source', `${dbPath} is not a readable session-buddy database (${(err as Error).message})`);
  }
  const fingerprint = saltFingerprint(opts.targetSalt);
  const sum: MergeSummary = {
    source: dbPath,
    sourceDir: isDir ? resolved : null,
    rows: 0,
    fromArchives: { files: 0, rows: 0 },
    inserted: 0,
    duplicates: 0,
    archived: 0,
    possiblyArchived: { rows: 0, files: [] },
    skipped: 0,
    skippedExamples: [],
    reflections: { rows: 0, inserted: 0, duplicates: 0 },
    costCalls: { rows: 0, inserted: 0, duplicates: 0 },
    experiments: { rows: 0, inserted: 0, duplicates: 0 },
    abAssignments: { rows: 0, inserted: 0, duplicates: 0 },
    abOutcomes: { rows: 0, inserted: 0, duplicates: 0 },
    notMerged: [],
    otherSalt: exp.saltFingerprint !== null && exp.saltFingerprint !== fingerprint ? { source: exp.saltFingerprint, here: fingerprint } : null,
  };
  try {
    const archiveFiles = exp.archiveFiles();
    const unread: Array<{ what: string; rows: number }> = [];
    const total = exp.total + archiveFiles.reduce((n, a) => n + a.rows, 0);
    // Rows of archive files that cannot be read: done with, for the progress shown.
    let unreadRows = 0;
    const progress = () => opts.onProgress?.(sum.rows + unreadRows, total);
    const merge = async (all: ExportedInvocation[]) => {
      await mergePage(all, opts, sum, fingerprint);
      progress();
    };
    for (const all of exp.pages(MERGE_BATCH)) await merge(all);
    const archiveFolder = path.join(path.dirname(dbPath), 'archive');
    for (const a of archiveFiles) {
      if (opts.archives?.sha256s.has(a.sha256)) {
        // The target's own file (the source is a backup of it): its rows are archived here.
        sum.rows += a.rows;
        sum.duplicates += a.rows;
        sum.archived += a.rows;
        progress();
        continue;
      }
      const read = await readArchivedInvocations(a, archiveFolder);
      if ('problem' in read) {
        unread.push({ what: `archived invocations in ${a.file} (${read.problem})`, rows: a.rows });
        unreadRows += a.rows;
        progress();
        continue;
      }
      sum.fromArchives.files++;
      sum.fromArchives.rows += read.rows.length;
      for (let i = 0; i < read.rows.length; i += MERGE_BATCH) await merge(read.rows.slice(i, i + MERGE_BATCH));
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
    const taken: string[] = [];
    const conflicts = { assignments: 0, outcomes: 0 };
    for (const copy of exp.experiments()) {
      const r = await opts.mergeExperiment(copy);
      sum.experiments.rows++;
      if (r.experiment === 'inserted') sum.experiments.inserted++;
      else if (r.experiment === 'present') sum.experiments.duplicates++;
      else taken.push(copy.experiment.name);
      for (const [counts, merged, rows] of [
        [sum.abAssignments, r.assignments, copy.assignments.length],
        [sum.abOutcomes, r.outcomes, copy.outcomes.length],
      ] as const) {
        counts.rows += rows;
        counts.inserted += merged.inserted;
        counts.duplicates += merged.duplicates;
      }
      conflicts.assignments += r.assignments.conflicts;
      conflicts.outcomes += r.outcomes.conflicts;
    }
    sum.notMerged = unread;
    if (taken.length > 0) {
      sum.notMerged.push({ what: `A/B experiments whose name a different experiment has here (${taken.join(', ')})`, rows: taken.length });
    }
    // Calls its hooks spooled while no server ran are recorded only when something drains that spool.
    const spooled = isDir ? spooledLines(resolved) : 0;
    if (spooled > 0) {
      sum.notMerged.push({
        what: `spooled call(s) not recorded there yet (${path.join(resolved, 'spool.jsonl')}; a server started on that data directory records them, then merge again)`,
        rows: spooled,
      });
    }
    const otherVariant = taken.length > 0 ? ' (of those experiments, or of users assigned another variant here)' : ' (of users assigned another variant here)';
    if (conflicts.assignments > 0) sum.notMerged.push({ what: `A/B assignments${otherVariant}`, rows: conflicts.assignments });
    if (conflicts.outcomes > 0) sum.notMerged.push({ what: `A/B outcomes${otherVariant}`, rows: conflicts.outcomes });
    if (sum.possiblyArchived.rows > 0) {
      sum.notMerged.push({
        what: `invocations that may be archived here, in files that are missing (${sum.possiblyArchived.files.join(', ')}; put them back and merge again)`,
        rows: sum.possiblyArchived.rows,
      });
    }
  } finally {
    exp.close();
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  }
  return sum;
}

/**
 * A copy of the database `dbPath` and of its -wal file (its last transactions), in a new private
 * directory under the system's temporary one; the directory. SQLite reads the copy as the original
 * would be read, and migrates it, without writing next to the original.
 */
function copyForReading(dbPath: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-buddy-merge-'));
  try {
    for (const suffix of ['', '-wal']) {
      const from = `${dbPath}${suffix}`;
      if (suffix === '' || fs.existsSync(from)) {
        const to = path.join(dir, `${path.basename(dbPath)}${suffix}`);
        fs.copyFileSync(from, to);
        fs.chmodSync(to, 0o600);
      }
    }
    return dir;
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw AppError.invalid('source', `${dbPath} cannot be copied to be read (${(err as Error).message})`);
  }
}

/**
 * Records a page of source rows (live or archived there) the target does not
 * hold yet; a batch the tracker rejects is recorded row by row, the rows it
 * rejects counted as skipped.
 */
async function mergePage(
  all: ExportedInvocation[],
  opts: Pick<Parameters<typeof mergeDataDir>[0], 'record' | 'present' | 'archives'>,
  sum: MergeSummary,
  fingerprint: string,
): Promise<void> {
  const page = await notPresent(all, opts, sum);
  const inputs = page.map((r) => toInput(r, fingerprint));
  if (inputs.length > 0) {
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
  }
  sum.rows += all.length;
}

/**
 * The rows of a source page the target does not hold yet: those whose id it
 * has, or that its archive files hold, are counted as duplicates; those that
 * may be in a missing archive file (and whose key is not stored) are counted
 * in `possiblyArchived`. Keys are matched again when the rest is recorded.
 */
async function notPresent(
  page: ExportedInvocation[],
  opts: { present: Pick<InvocationStore, 'existingInvocationIds' | 'invokedAtByDedupeKey'>; archives: TargetArchives | null },
  sum: MergeSummary,
): Promise<ExportedInvocation[]> {
  const live = await opts.present.existingInvocationIds(page.map((r) => r.id));
  let rest = page.filter((r) => !live.has(r.id));
  sum.duplicates += page.length - rest.length;
  if (!opts.archives || rest.length === 0) return rest;
  const { archived, unreadable } = await opts.archives.find(rest.map((r) => ({ id: r.id, dedupeKey: mergeKey(r), invokedAt: r.invoked_at })));
  sum.archived += archived.size;
  sum.duplicates += archived.size;
  // A row whose key is stored is present whatever the archive holds: it goes on (to be counted as a duplicate).
  const keyed = unreadable.size > 0 ? await opts.present.invokedAtByDedupeKey(rest.filter((r) => unreadable.has(r.id)).map(mergeKey)) : new Map();
  rest = rest.filter((r) => {
    if (archived.has(r.id)) return false;
    const file = unreadable.get(r.id);
    if (file === undefined || keyed.has(mergeKey(r))) return true;
    sum.possiblyArchived.rows++;
    if (!sum.possiblyArchived.files.includes(file)) sum.possiblyArchived.files.push(file);
    return false;
  });
  return rest;
}
