/**
 * Copies a SQLite store into a PostgreSQL store (`session-buddy
 * migrate-store`): every table, every row, with its ids, so that the target
 * answers exactly as the source did and new writes continue where the source
 * stopped.
 *
 * - The source is read inside one read transaction (a consistent snapshot,
 *   even while a server keeps writing to it) and must be at the latest schema
 *   version; the target is migrated to the latest version first.
 * - The target must be empty (no rows outside the seed tables the migrations
 *   fill) unless `force`, which empties it first.
 * - Rows go over in chunks (`json_populate_recordset`, one round trip per
 *   chunk) inside one target transaction: a failure leaves the target as it
 *   was. Ids are inserted explicitly; the sequences are then moved past the
 *   largest id of each table.
 * - Afterwards the target's tables are ANALYZEd and the row counts of every
 *   table are compared between source and target; any difference is an error.
 * - The user-hash salt of the source installation (kept in its data
 *   directory) becomes the target's shared salt, so that users keep their hashes.
 */
import type pg from 'pg';
import { AppError } from '../errors.js';
import type { SqliteDb } from './database.js';
import { hasUnrecordedArchiveKeys } from './sqlite/archive-keys.js';
import { Migrator } from './sqlite/migrator.js';
import { inTransaction } from './postgres/pool.js';
import { USER_SALT_KEY } from './postgres/settings.js';
import type { PgStore } from './postgres/store.js';

/** Every table of the schema, parents before children (foreign keys). */
export const COPY_TABLES = [
  'skill_categories',
  'skill_modalities',
  'skill_dependency_rules',
  'skills',
  'users',
  'sessions',
  'skill_invocations',
  'skill_hourly',
  'skill_hourly_durations',
  'skill_daily',
  'skill_daily_durations',
  'skill_totals',
  'skill_durations',
  'skill_phase_totals',
  'user_skill_stats',
  'session_skills',
  'skill_pairs',
  'skill_anomalies',
  'community_baselines',
  'ab_experiments',
  'ab_assignments',
  'ab_outcomes',
  'prediction_models',
  'reflections',
  'archives',
  'archived_dedupe_keys',
  'settings',
  'transcript_cursors',
  'api_tokens',
  'skill_cost_calls',
  'skill_cost_hourly',
  'skill_cost_skill_hourly',
  'skill_cost_daily',
  'skill_cost_invocations',
  'skill_trigger_hourly',
] as const;

/** Filled by the migrations themselves: replaced by the source's rows, never a reason to call a target non-empty. */
const SEED_TABLES = new Set<string>(['skill_categories', 'skill_modalities', 'skill_dependency_rules']);
/** Tables that are not data: bookkeeping, and SQLite's full-text index (PostgreSQL keeps a generated column instead). */
/** Derived data, not copied but emptied with the rest: the target's embedder recomputes the reflection embeddings in the background. */
const DERIVED_TABLES = ['reflection_vectors'];
const NOT_COPIED = /^(schema_migrations|sqlite_.*|reflections_fts.*|reflection_vectors)$/;
/** Columns backed by a sequence on PostgreSQL. */
const SERIAL_COLUMNS = ['id', 'rowid_'];

const DEFAULT_CHUNK_ROWS = 2_000;

interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface MigrateStoreOptions {
  /** The source database (opened read-only is enough). */
  source: SqliteDb;
  /** The target store, migrated to the latest schema version. */
  target: PgStore;
  /** Empty a non-empty target first instead of refusing. */
  force?: boolean;
  /** The source installation's salt, stored as the target's shared salt; null: leave the target's as it is. */
  salt?: string | null;
  chunkRows?: number;
  /** Rows copied so far, of `total`. */
  onProgress?(done: number, total: number): void;
}

export interface MigrateStoreResult {
  tables: TableCount[];
  rows: number;
  schemaVersion: number;
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new AppError('INTERNAL', `unexpected identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

async function targetColumns(pool: pg.Pool, table: string): Promise<Set<string>> {
  const { rows } = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'`,
    [table],
  );
  return new Set(rows.map((r) => r.column_name));
}

/**
 * Row counts of the target's data tables: not the seed tables, nor `settings`, which a server that
 * started on the empty target fills with its own bookkeeping (a salt nothing was hashed with yet, job
 * leases) and which the copy replaces.
 */
async function targetDataRows(pool: pg.Pool): Promise<number> {
  let n = 0;
  for (const t of COPY_TABLES) {
    if (SEED_TABLES.has(t) || t === 'settings') continue;
    n += (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(t)}`)).rows[0]!.n;
  }
  return n;
}

export async function migrateSqliteToPg(opts: MigrateStoreOptions): Promise<MigrateStoreResult> {
  const { source, target } = opts;
  const pool = target.pool;
  const chunkRows = opts.chunkRows ?? DEFAULT_CHUNK_ROWS;

  const sourceVersion = new Migrator(source).currentVersion();
  const latest = target.migrator.latestVersion;
  if (sourceVersion !== latest) {
    throw new AppError(
      'CONFLICT',
      `the source database is at schema version ${sourceVersion}, the target at ${latest}: bring the source up to date first (\`session-buddy migrate --store sqlite:PATH\`)`,
    );
  }
  // Files archived before archived_dedupe_keys hold the only copy of their keys; copied without them, the
  // target would take those calls, recorded again, for new ones. Any command that writes records them.
  if (hasUnrecordedArchiveKeys(source)) {
    throw new AppError(
      'CONFLICT',
      'the source has archive files whose dedupe keys are not recorded in it yet (archived by an older version): ' +
        'run `session-buddy migrate --store sqlite:PATH` (or any command that writes to it) once, which records them, then copy again; nothing was copied',
    );
  }
  const tables = source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const unknown = tables.filter((t) => !NOT_COPIED.test(t) && !(COPY_TABLES as readonly string[]).includes(t));
  if (unknown.length > 0) throw new AppError('INTERNAL', `do not know how to copy table(s) ${unknown.join(', ')}`);

  const existing = await targetDataRows(pool);
  if (existing > 0 && !opts.force) {
    throw new AppError('CONFLICT', `the target store is not empty (${existing} rows); pass --force to replace its contents`, { field: 'to' });
  }

  // One read transaction: every table is read from the same snapshot.
  source.exec('BEGIN');
  try {
    const sourceCounts = new Map<string, number>();
    for (const t of COPY_TABLES)
      sourceCounts.set(
        t,
        source
          .prepare(`SELECT count(*) FROM ${quoteIdent(t)}`)
          .pluck()
          .get() as number,
      );
    const total = [...sourceCounts.values()].reduce((a, b) => a + b, 0);
    const counts: TableCount[] = [];
    let done = 0;
    opts.onProgress?.(0, total);

    await inTransaction(pool, async (client) => {
      // Children first when emptying (TRUNCATE … CASCADE would also do, but names what it empties).
      await client.query(`TRUNCATE ${[...DERIVED_TABLES, ...[...COPY_TABLES].reverse()].map(quoteIdent).join(', ')} RESTART IDENTITY`);
      for (const table of COPY_TABLES) {
        const targetCols = await targetColumns(pool, table);
        const sourceCols = source.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
        const missing = sourceCols.filter((c) => !targetCols.has(c));
        if (missing.length > 0) throw new AppError('INTERNAL', `target table ${table} lacks column(s) ${missing.join(', ')}`);
        const cols = sourceCols.map(quoteIdent).join(', ');
        const insert = `INSERT INTO ${quoteIdent(table)} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${quoteIdent(table)}, $1::json)`;
        // In primary-key order (several rollup tables are WITHOUT ROWID).
        const pk = source.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(table) as string[];
        const order = pk.length > 0 ? ` ORDER BY ${pk.map(quoteIdent).join(', ')}` : '';
        const rows = source.prepare(`SELECT ${cols} FROM ${quoteIdent(table)}${order}`).iterate() as IterableIterator<Record<string, unknown>>;
        let chunk: Record<string, unknown>[] = [];
        const flush = async () => {
          if (chunk.length === 0) return;
          await client.query(insert, [JSON.stringify(chunk)]);
          done += chunk.length;
          chunk = [];
          opts.onProgress?.(done, total);
        };
        for (const row of rows) {
          chunk.push(row);
          if (chunk.length >= chunkRows) await flush();
        }
        await flush();
        for (const col of SERIAL_COLUMNS) {
          if (!targetCols.has(col)) continue;
          const seq = (await client.query<{ s: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS s', [table, col])).rows[0]!.s;
          if (!seq) continue;
          // Next value: one past the largest copied id (1 for an empty table).
          await client.query(`SELECT setval($1, COALESCE((SELECT max(${quoteIdent(col)}) FROM ${quoteIdent(table)}), 0) + 1, false)`, [seq]);
        }
      }
      if (opts.salt) {
        await client.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
          USER_SALT_KEY,
          opts.salt,
        ]);
      }
      // Counted before the commit: a difference rolls the whole copy back (the target stays as it was).
      for (const t of COPY_TABLES) {
        const n = (await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(t)}`)).rows[0]!.n;
        // The salt row is the source's data-directory salt, added on top of the copied settings.
        const expected = sourceCounts.get(t)! + (t === 'settings' && opts.salt && !hasSaltRow(source) ? 1 : 0);
        counts.push({ table: t, source: expected, target: Number(n) });
      }
      const wrong = counts.filter((c) => c.source !== c.target);
      if (wrong.length > 0) {
        throw new AppError(
          'INTERNAL',
          `row counts differ after the copy (rolled back): ${wrong.map((c) => `${c.table} ${c.source} → ${c.target}`).join(', ')}`,
        );
      }
    });

    // Fresh planner statistics for the bulk-loaded tables (autovacuum would get there, minutes later).
    await pool.query(`ANALYZE ${COPY_TABLES.map(quoteIdent).join(', ')}`);
    return { tables: counts, rows: total, schemaVersion: latest };
  } finally {
    source.exec('COMMIT');
  }
}

function hasSaltRow(source: SqliteDb): boolean {
  return source.prepare('SELECT 1 FROM settings WHERE key = ?').get(USER_SALT_KEY) !== undefined;
}
