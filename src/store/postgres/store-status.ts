/** `status` of a PostgreSQL store as it is: nothing is migrated or created here. */
import { STATUS_TABLES, type StoreStatus } from '../store-status.js';
import { PgMigrator } from './migrator.js';
import { redactUrl } from '../../config.js';
import { createPgPool } from './pool.js';

/** `instance`: this process's application_name mark (see PgConnectOptions). */
export async function readPgStatus(url: string, instance: string): Promise<StoreStatus> {
  const pool = createPgPool(url, instance, 1);
  const base: StoreStatus = { kind: 'postgres', path: redactUrl(url), exists: false };
  try {
    const migrator = new PgMigrator(pool);
    const version = await migrator.currentVersion();
    if (version === 0) return base;
    const rows: Record<string, number> = {};
    for (const t of STATUS_TABLES) {
      const r = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).catch(() => null);
      if (r) rows[t] = r.rows[0]!.n;
    }
    const size = await pool.query<{ n: number | null }>(
      `SELECT sum(pg_total_relation_size(c.oid)) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'm')`,
    );
    return { ...base, exists: true, size_bytes: size.rows[0]!.n ?? 0, schema_version: version, latest_schema_version: migrator.latestVersion, rows };
  } catch (err) {
    return { ...base, error: (err as Error).message };
  } finally {
    await pool.end().catch(() => {});
  }
}
