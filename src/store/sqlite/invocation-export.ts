/**
 * Reads every raw invocation of a SQLite database, with its names resolved
 * (skill name, user hash, session key), in insertion order and in pages, for
 * `merge-data`; and its reflections, skill cost calls and A/B experiments
 * (with their assignments and outcomes), which merge-data carries over too,
 * and the archive files its own `archive` runs recorded (their rows are read
 * by archived-invocations.ts). The database is migrated to the current schema
 * first, so an older installation's file reads the same as a new one.
 *
 * Also the other side: the target's archives (openTargetArchives), so that a
 * source row `archive` moved out of the target's raw table (its rollups keep
 * counting it) is found present rather than written a second time.
 */
import path from 'node:path';
import { EXPERIMENT_COLUMNS, experimentFromRow, type ExperimentCopy, type ExperimentRow } from '../experiment-types.js';
import type { PreparedReflection, ReflectionKind } from '../reflection-types.js';
import type { AttributedUsage } from '../skill-cost-types.js';
import { openDatabase, type SqliteDb } from '../database.js';
import { recordedSaltFingerprint } from './user-salt.js';
import { Migrator } from './migrator.js';
import { CALL_COLUMNS } from './skill-costs.js';
import { findArchiveFile, readArchivedKeys } from './archive-files.js';

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
  /** How a skill was activated ('model' | 'typed'; null for other tools): a typed activation has no duration. */
  trigger: 'model' | 'typed' | null;
  /** Typed activations: the slash-after-miss estimate (null when unknown). */
  slash_after_miss: boolean | null;
  /** Whether the duration was measured (see store/types.ts NormalizedInvocation.durationKnown). */
  duration_known: boolean;
}

export interface InvocationExport {
  total: number;
  /** The fingerprint of the salt the database records its users were hashed with (a backup records it); null: none recorded. */
  saltFingerprint: string | null;
  pages(pageSize: number): Generator<ExportedInvocation[]>;
  /** Reflections in id order, each as the store inserts it (its own time kept; no `duplicateOf`: ids differ between stores). */
  reflections(pageSize: number): Generator<PreparedReflection[]>;
  /** Skill cost calls in key order, as stored. */
  costCalls(pageSize: number): Generator<AttributedUsage[]>;
  /** A/B experiments in id order, one at a time with all their assignments and outcomes. */
  experiments(): Generator<ExperimentCopy>;
  /** The archive files its `archives` table records, in the order they were written. */
  archiveFiles(): Array<{ file: string; rows: number; sha256: string }>;
  close(): void;
}

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
            i.duration_ms, i.error_type, i.invoked_at, i.project, i.agent, i.metadata, i.dedupe_key,
            i.activation_trigger AS "trigger", i.slash_after_miss, i.duration_known
       FROM skill_invocations i
       JOIN skills s ON s.id = i.skill_id
       JOIN users u ON u.id = i.user_id
       JOIN sessions se ON se.id = i.session_id
      WHERE i.rowid > ? ORDER BY i.rowid LIMIT ?`,
  );
  return {
    total,
    saltFingerprint: recordedSaltFingerprint(db),
    *pages(pageSize: number) {
      let after = 0;
      for (;;) {
        const rows = page.all(after, pageSize) as Array<
          Omit<ExportedInvocation, 'completed' | 'slash_after_miss' | 'duration_known'> & {
            rid: number;
            completed: number;
            slash_after_miss: number | null;
            duration_known: number;
          }
        >;
        if (rows.length === 0) return;
        after = rows[rows.length - 1]!.rid;
        yield rows.map(({ rid: _rid, ...r }) => ({
          ...r,
          completed: r.completed === 1,
          slash_after_miss: r.slash_after_miss === null ? null : r.slash_after_miss === 1,
          duration_known: r.duration_known === 1,
        }));
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
    *experiments() {
      const experiments = db.prepare(`SELECT ${EXPERIMENT_COLUMNS} FROM ab_experiments ORDER BY id`).all() as ExperimentRow[];
      const assignments = db.prepare('SELECT user_hash, variant, assigned_at FROM ab_assignments WHERE experiment_id = ? ORDER BY user_hash');
      const outcomes = db.prepare('SELECT user_hash, variant, value, recorded_at FROM ab_outcomes WHERE experiment_id = ? ORDER BY id');
      for (const row of experiments) {
        const { id, ...experiment } = experimentFromRow(row);
        yield {
          experiment,
          assignments: assignments.all(id) as ExperimentCopy['assignments'],
          outcomes: outcomes.all(id) as ExperimentCopy['outcomes'],
        };
      }
    },
    archiveFiles: () => db.prepare('SELECT file, rows, sha256 FROM archives ORDER BY id').all() as Array<{ file: string; rows: number; sha256: string }>,
    close: () => db.close(),
  };
}

/** A source row as the target's archives are searched for it. */
interface ArchiveProbe {
  id: string;
  /** The key it is merged under (its own, or `merge:<id>`). */
  dedupeKey: string;
  invokedAt: number;
}

/** The archive files the target's `archive` runs recorded (see openTargetArchives). */
export interface TargetArchives {
  /** sha256 of every recorded file. */
  readonly sha256s: ReadonlySet<string>;
  /**
   * Of these rows, the ids of those a recorded file holds (by id or by
   * dedupe key), and those that fall in the time span of a recorded file that
   * cannot be read (id → that file): whether they are archived cannot be told.
   */
  find(rows: readonly ArchiveProbe[]): Promise<{ archived: Set<string>; unreadable: Map<string, string> }>;
}

/**
 * The target's archives: the files its `archives` table records (at the
 * recorded path, or by name in `<dataDir>/archive` when the data directory
 * moved). A file is read (ids and dedupe keys) only when a probed row falls
 * in its time span, once.
 */
export function openTargetArchives(db: SqliteDb, dataDir: string): TargetArchives {
  const recorded = db.prepare('SELECT file, from_at AS fromAt, to_at AS toAt, sha256 FROM archives ORDER BY id').all() as Array<{
    file: string;
    fromAt: number;
    toAt: number;
    sha256: string;
  }>;
  const loaded = new Map<string, Promise<{ ids: Set<string>; keys: Set<string> } | null>>();
  const load = (file: string) => {
    let p = loaded.get(file);
    if (!p) {
      p = (async () => {
        const found = findArchiveFile(file, path.join(dataDir, 'archive'));
        if (!found) return null;
        try {
          const rows = await readArchivedKeys(found);
          return { ids: new Set(rows.map((r) => r.id)), keys: new Set(rows.flatMap((r) => (r.dedupe_key ? [r.dedupe_key] : []))) };
        } catch {
          return null;
        }
      })();
      loaded.set(file, p);
    }
    return p;
  };
  return {
    sha256s: new Set(recorded.map((r) => r.sha256)),
    async find(rows) {
      const archived = new Set<string>();
      const unreadable = new Map<string, string>();
      if (recorded.length === 0) return { archived, unreadable };
      for (const r of rows) {
        let missingFile: string | null = null;
        for (const a of recorded) {
          if (r.invokedAt < a.fromAt || r.invokedAt > a.toAt) continue;
          const held = await load(a.file);
          if (!held) missingFile ??= a.file;
          else if (held.ids.has(r.id) || held.keys.has(r.dedupeKey)) {
            archived.add(r.id);
            missingFile = null;
            break;
          }
        }
        if (missingFile !== null) unreadable.set(r.id, missingFile);
      }
      return { archived, unreadable };
    },
  };
}
