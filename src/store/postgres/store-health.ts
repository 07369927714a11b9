/** `doctor`'s facts about a PostgreSQL store (nothing is created or migrated). */
import type { PgHealth } from '../store-health.js';
import { PgMigrator } from './migrator.js';
import { redactUrl } from '../../config.js';
import { createPgPool, type PgConnectOptions, pgServerLabel } from './pool.js';
import { USER_SALT_KEY } from './settings.js';
import { readPgStorageStats } from './storage-stats.js';

export async function readPgHealth(url: string, deep: boolean, conn: PgConnectOptions): Promise<PgHealth> {
  const location = redactUrl(url);
  const pool = createPgPool(url, conn.instance, 1);
  const migrator = new PgMigrator(pool);
  const health: PgHealth = {
    kind: 'postgres',
    location,
    server: pgServerLabel(url, conn.source),
    serverVersion: null,
    connectError: null,
    schemaVersion: 0,
    latestVersion: migrator.latestVersion,
    hasSalt: false,
    stats: null,
    rollups: null,
  };
  try {
    try {
      health.serverVersion = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    } catch (err) {
      health.connectError = (err as Error).message;
      return health;
    }
    health.schemaVersion = await migrator.currentVersion();
    if (health.schemaVersion === 0) return health;
    const salt = await pool.query('SELECT 1 FROM settings WHERE key = $1', [USER_SALT_KEY]).catch(() => ({ rowCount: 0 }));
    health.hasSalt = (salt.rowCount ?? 0) > 0;
    health.stats = await readPgStorageStats(pool, location);
    if (deep) {
      // Every invocation adds one to its skill's all-time total and to its (skill, hour) row, in the
      // same transaction as the raw row: both sums must equal the raw row count.
      const { rows } = await pool.query<{ raw: number; totals: number | null; hourly: number | null; archived: number }>(
        `SELECT (SELECT count(*) FROM skill_invocations) AS raw, (SELECT sum(invocations) FROM skill_totals) AS totals,
                (SELECT sum(invocations) FROM skill_hourly) AS hourly, (SELECT count(*) FROM archives) AS archived`,
      );
      const r = rows[0]!;
      // Each day of the daily rollups must be the sum of its hours (neither is ever pruned, archives included).
      const { rows: daily } = await pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM (SELECT skill_id, hour / 24 AS day, sum(invocations) AS n, sum(successes) AS ok, sum(timed) AS t,
              sum(duration_sum) AS s, sum(duration_sq_sum) AS sq, max(last_at) AS last,
              coalesce(min(duration_min) FILTER (WHERE timed > 0), 0) AS lo, coalesce(max(duration_max) FILTER (WHERE timed > 0), 0) AS hi
              FROM skill_hourly GROUP BY 1, 2) h
            FULL JOIN skill_daily d ON d.skill_id = h.skill_id AND d.day = h.day
            WHERE h.day IS NULL OR d.day IS NULL OR h.n <> d.invocations OR h.ok <> d.successes OR h.t <> d.timed OR h.last <> d.last_at
              OR h.lo <> d.duration_min
              OR h.hi <> d.duration_max OR abs(h.s - d.duration_sum) > 1e-6 * greatest(1, abs(h.s))
              OR abs(h.sq - d.duration_sq_sum) > 1e-6 * greatest(1, abs(h.sq)))
          + (SELECT count(*) FROM (SELECT skill_id, hour / 24 AS day, bucket, sum(count) AS c FROM skill_hourly_durations GROUP BY 1, 2, 3) h
            FULL JOIN skill_daily_durations d ON d.skill_id = h.skill_id AND d.day = h.day AND d.bucket = h.bucket
            WHERE h.day IS NULL OR d.day IS NULL OR h.c <> d.count) AS n`,
      );
      health.rollups = { raw: r.raw, totals: r.totals ?? 0, hourly: r.hourly ?? 0, archived: r.archived, dailyMismatches: Number(daily[0]!.n) };
    }
    return health;
  } finally {
    await pool.end().catch(() => {});
  }
}
