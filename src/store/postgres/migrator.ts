/**
 * PostgreSQL migrations with the same semantics as the SQLite migrator: the
 * same numbered up/down files (in migrations/postgres), one transaction per
 * step together with its bookkeeping row, checksum verification, and a
 * session advisory lock so two instances starting at once do not race.
 */
import type pg from 'pg';
import { AppError } from '../../errors.js';
import {
  checkApplied,
  label,
  loadMigrations,
  migrationsDir,
  migrationStatus,
  type AppliedMigration,
  type Migration,
  type MigrationStatus,
  type MigrationStep,
  type PeerConnection,
} from '../migrations.js';
import { parsePgApplicationName, pgApplicationName, type PgConnectOptions, pgUnavailable } from './pool.js';

const LOCK_KEY = 7_264_001; // arbitrary, constant: "session-buddy migrations"

export class PgMigrator {
  constructor(
    private readonly pool: pg.Pool,
    private readonly migrations: Migration[] = loadMigrations(migrationsDir('postgres')),
  ) {}

  get latestVersion(): number {
    return this.migrations.at(-1)?.version ?? 0;
  }

  private async ensureTable(client: pg.PoolClient): Promise<void> {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  }

  async currentVersion(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await this.ensureTable(client);
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      return rows[0]?.v ?? 0;
    } finally {
      client.release();
    }
  }

  /** Every migration, applied (with when) or pending; see migrationStatus. */
  async status(): Promise<MigrationStatus[]> {
    const client = await this.pool.connect();
    try {
      await this.ensureTable(client);
      const { rows } = await client.query<{ version: number; name: string; applied_at: string }>(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      );
      return migrationStatus(this.migrations, rows);
    } finally {
      client.release();
    }
  }

  up(): Promise<MigrationStep[]> {
    return this.to(this.latestVersion);
  }

  async rollback(): Promise<MigrationStep[]> {
    const current = await this.currentVersion();
    return current === 0 ? [] : this.to(current - 1);
  }

  async to(target: number): Promise<MigrationStep[]> {
    if (!Number.isInteger(target) || target < 0 || target > this.latestVersion) {
      throw AppError.invalid('to', `must be an integer between 0 and ${this.latestVersion}`);
    }
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
      await this.ensureTable(client);
      const { rows } = await client.query<AppliedMigration>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
      checkApplied(rows, this.migrations);
      let current = rows.at(-1)?.version ?? 0;
      const steps: MigrationStep[] = [];
      while (current !== target) {
        const up = current < target;
        const m = this.migrations[up ? current : current - 1]!;
        try {
          await client.query('BEGIN');
          await client.query(up ? m.up : m.down);
          if (up)
            await client.query('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [
              m.version,
              m.name,
              m.checksum,
              Date.now(),
            ]);
          else await client.query('DELETE FROM schema_migrations WHERE version = $1', [m.version]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new AppError(
            'STORE_UNAVAILABLE',
            `migration ${label(m.version, m.name)} (${up ? 'up' : 'down'}) failed: ${(err as Error).message}`,
            {},
            { cause: err },
          );
        }
        steps.push({ version: m.version, name: m.name, direction: up ? 'up' : 'down' });
        current += up ? 1 : -1;
      }
      return steps;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
      client.release();
    }
  }
}

/**
 * Lists, on `pool` (its errors become STORE_UNAVAILABLE, `cannot open the PostgreSQL store at …`, as
 * when the store itself is opened), the connections other Session Buddy processes hold to the same
 * database and schema as `url`, recognised by their application_name (see pgApplicationName); the
 * connections marked with `conn.instance`, this process's (the pool's own among them), are left out.
 */
export async function pgPeerConnections(pool: pg.Pool, url: string, conn: PgConnectOptions): Promise<PeerConnection[]> {
  const own = parsePgApplicationName(pgApplicationName(url, conn.instance));
  try {
    const { rows } = await pool.query<{ addr: string | null; app: string }>(
      `SELECT host(client_addr) AS addr, application_name AS app FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'session-buddy %'`,
    );
    return rows
      .filter((r) => {
        const peer = parsePgApplicationName(r.app);
        return peer !== null && peer.instance !== own?.instance && peer.schema === own?.schema;
      })
      .map((r) => ({ clientAddr: r.addr, applicationName: r.app }));
  } catch (err) {
    throw pgUnavailable(url, conn.source, err);
  }
}
