/**
 * The storage numbers the session reports use (see session/storage.ts), read
 * from PostgreSQL: the size of the store's own tables and indexes (the
 * relations in the current schema) expressed in pages of the server's block
 * size. PostgreSQL has no free-page list or WAL file of the store's own, so
 * freelistCount is 0 and walBytes null; instead it reports live and dead row
 * versions and whether autovacuum (which reclaims them) runs.
 */
import type pg from 'pg';
import type { DatabaseStorageStats } from '../session-stats-types.js';

export async function readPgStorageStats(pool: pg.Pool, location: string, tables: readonly string[] = []): Promise<DatabaseStorageStats> {
  const { rows } = await pool.query<{ page_size: number; bytes: number | null; autovacuum: boolean; live: number | null; dead: number | null }>(
    `SELECT current_setting('block_size')::int AS page_size,
            (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')) AS bytes,
            current_setting('autovacuum') = 'on' AS autovacuum,
            (SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE schemaname = current_schema()) AS live,
            (SELECT sum(n_dead_tup) FROM pg_stat_user_tables WHERE schemaname = current_schema()) AS dead`,
  );
  const pageSize = rows[0]!.page_size;
  const counts: Record<string, number> = {};
  for (const t of tables) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) continue;
    const exists = await pool.query('SELECT to_regclass($1) AS r', [t]);
    if ((exists.rows[0] as { r: string | null }).r === null) continue; // table missing in this schema version
    counts[t] = ((await pool.query(`SELECT count(*) AS n FROM "${t}"`)).rows[0] as { n: number }).n;
  }
  return {
    dbPath: location,
    pageSize,
    pageCount: Math.ceil((rows[0]!.bytes ?? 0) / pageSize),
    freelistCount: 0,
    walBytes: null,
    ...(tables.length ? { rows: counts } : {}),
    postgres: { autovacuum: rows[0]!.autovacuum, liveRows: rows[0]!.live ?? 0, deadRows: rows[0]!.dead ?? 0 },
  };
}
