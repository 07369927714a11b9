/** `doctor`'s facts about a PostgreSQL store (nothing is created or migrated). */
import type { PgHealth } from '../store-health.js';
import { PgMigrator } from './migrator.js';
import { createPgPool, redactUrl } from './pool.js';
import { USER_SALT_KEY } from './settings.js';
import { readPgStorageStats } from './storage-stats.js';

export async function readPgHealth(url: string, deep: boolean): Promise<PgHealth> {
  const location = redactUrl(url);
  const pool = createPgPool(url, 1);
  const migrator = new PgMigrator(pool);
  const health: PgHealth = {
    kind: 'postgres',
    location,
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
      health.rollups = { raw: r.raw, totals: r.totals ?? 0, hourly: r.hourly ?? 0, archived: r.archived };
    }
    return health;
  } finally {
    await pool.end().catch(() => {});
  }
}
