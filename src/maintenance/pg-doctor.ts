/**
 * `doctor` on a PostgreSQL store: the database part of the checks (the data
 * directory, disk and port checks are shared with SQLite, see doctor.ts).
 * Nothing is created or migrated here.
 */
import { formatBytes } from '../format-bytes.js';
import { compactionAdvice } from '../session/storage.js';
import { createPgPool, redactUrl } from '../store/postgres/pool.js';
import { PgMigrator } from '../store/postgres/migrator.js';
import { USER_SALT_KEY } from '../store/postgres/settings.js';
import { readPgStorageStats } from '../store/postgres/storage-stats.js';
import type { CheckStatus } from './doctor-check.js';

type Add = (name: string, status: CheckStatus, detail: string) => void;

export async function postgresChecks(url: string, deep: boolean, add: Add): Promise<void> {
  const where = redactUrl(url);
  const pool = createPgPool(url, 1);
  try {
    let version: string;
    try {
      version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    } catch (err) {
      add('database', 'fail', `cannot connect to ${where}: ${(err as Error).message}`);
      return;
    }
    add('database', 'ok', `PostgreSQL ${version} at ${where}`);

    const migrator = new PgMigrator(pool);
    const v = await migrator.currentVersion();
    add(
      'schema version',
      v === migrator.latestVersion ? 'ok' : v === 0 ? 'fail' : 'warn',
      `version ${v} of ${migrator.latestVersion}${v < migrator.latestVersion ? ': run `session-buddy migrate` (or start a server, which migrates)' : ''}`,
    );
    if (v === 0) return;

    const salt = await pool.query('SELECT 1 FROM settings WHERE key = $1', [USER_SALT_KEY]).catch(() => ({ rowCount: 0 }));
    add(
      'user salt',
      salt.rowCount ? 'ok' : 'warn',
      salt.rowCount ? 'shared by every instance (in the settings table)' : 'none yet: the first server or command that records creates it',
    );

    const stats = await readPgStorageStats(pool, where);
    const pg = stats.postgres!;
    const advice = compactionAdvice(stats);
    add(
      'vacuum',
      advice.recommended || !pg.autovacuum ? 'warn' : 'ok',
      advice.recommended
        ? advice.actions[0]!.reason
        : `autovacuum ${pg.autovacuum ? 'on' : 'off: dead row versions will pile up; turn it on or VACUUM (ANALYZE) regularly'}; ${pg.deadRows} dead of ${pg.liveRows + pg.deadRows} row versions`,
    );
    add('size', 'ok', `${formatBytes(stats.pageSize * stats.pageCount)} in the store's tables and indexes`);

    if (deep) {
      // Every invocation adds one to its skill's all-time total and to its (skill, hour) row, in the
      // same transaction as the raw row: both sums must equal the raw row count.
      const { rows } = await pool.query<{ raw: number; totals: number | null; hourly: number | null; archived: number }>(
        `SELECT (SELECT count(*) FROM skill_invocations) AS raw, (SELECT sum(invocations) FROM skill_totals) AS totals,
                (SELECT sum(invocations) FROM skill_hourly) AS hourly, (SELECT count(*) FROM archives) AS archived`,
      );
      const r = rows[0]!;
      const totals = r.totals ?? 0;
      const hourly = r.hourly ?? 0;
      if (r.archived > 0) add('rollups', 'ok', `not compared: ${r.archived} archive(s) moved raw rows out of the live table on purpose`);
      else if (totals === r.raw && hourly === r.raw) add('rollups', 'ok', `all-time and hourly totals both sum to the ${r.raw} raw invocations`);
      else add('rollups', 'fail', `raw invocations ${r.raw}, all-time totals sum to ${totals}, hourly totals to ${hourly}`);
    }
  } finally {
    await pool.end().catch(() => {});
  }
}
