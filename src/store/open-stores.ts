/**
 * Builds the store bundle (stores.ts) for the configured back-end, the only
 * place that chooses one:
 * - SQLite (the default): sqlite/stores.ts, opened synchronously;
 * - PostgreSQL (`--store postgres://...`): postgres/stores.ts, loaded only
 *   when configured.
 */
import fs from 'node:fs';
import type { Config } from '../config.js';
import { openDatabase } from './database.js';
import type { SchemaMigrator } from './migrations.js';
import { loadOrCreateSalt } from './salt.js';
import { Migrator } from './sqlite/migrator.js';
import { createSqlSessionSkillMetrics } from './sqlite/session-skill-metrics.js';
import { readSqliteStorageStats } from './sqlite/storage-stats.js';
import { readSqliteStatus } from './sqlite/store-status.js';
import { openSqliteStores } from './sqlite/stores.js';
import { readSqliteHealth } from './sqlite/store-health.js';
import type { StoreHealth } from './store-health.js';
import type { StoreStatus } from './store-status.js';
import { STORAGE_TABLES, type StoreOptions, type Stores } from './stores.js';

export { openSqliteStores };

/**
 * The stores of the configured back-end (config.store). On PostgreSQL the
 * data directory's salt is offered as the shared one (adopted only when the
 * database has none yet).
 */
export async function openStores(config: Config, opts: StoreOptions & { migrate?: boolean } = {}): Promise<Stores> {
  if (config.store.kind === 'postgres') {
    // Loaded only here: the SQLite default (and every CLI command) does not pay for the PostgreSQL driver.
    const { openPgStores } = await import('./postgres/stores.js');
    return openPgStores(config.store.url, { ...opts, poolSize: config.store.poolSize, salt: loadOrCreateSalt(config.dataDir) });
  }
  return openSqliteStores(config.dbPath, { ...opts, synchronous: config.sqliteSynchronous });
}

/** The configured back-end's migrator (the SQLite file is created if missing; PostgreSQL is only connected to). */
export async function openSchemaMigrator(config: Config): Promise<SchemaMigrator> {
  if (config.store.kind === 'postgres') {
    const [{ PgMigrator }, { createPgPool }] = await Promise.all([import('./postgres/migrator.js'), import('./postgres/pool.js')]);
    const pool = createPgPool(config.store.url, 2);
    const m = new PgMigrator(pool);
    return {
      latestVersion: m.latestVersion,
      currentVersion: () => m.currentVersion(),
      status: () => m.status(),
      to: (target) => m.to(target),
      close: () => pool.end(),
    };
  }
  const db = openDatabase(config.dbPath, { synchronous: config.sqliteSynchronous });
  const m = new Migrator(db);
  return {
    latestVersion: m.latestVersion,
    currentVersion: async () => m.currentVersion(),
    status: async () => m.status(),
    to: async (target) => m.to(target),
    close: async () => {
      db.close();
    },
  };
}

/** The configured store's status, read as it is: nothing is migrated or created. */
export async function readStoreStatus(config: Config): Promise<StoreStatus> {
  if (config.store.kind === 'postgres') {
    const { readPgStatus } = await import('./postgres/store-status.js');
    return readPgStatus(config.store.url);
  }
  return readSqliteStatus(config.dbPath);
}

/**
 * The session-metrics and storage views of the configured store, as it is:
 * the SQLite file read-only (null when it does not exist), PostgreSQL without migrating.
 */
export async function openStoreViews(config: Config): Promise<Pick<Stores, 'sessionSkillMetrics' | 'storageStats' | 'close'> | null> {
  if (config.store.kind === 'postgres') {
    const { openPgStores } = await import('./postgres/stores.js');
    return openPgStores(config.store.url, { migrate: false, poolSize: 2 });
  }
  if (!fs.existsSync(config.dbPath)) return null;
  const db = openDatabase(config.dbPath, { readonly: true });
  return {
    sessionSkillMetrics: createSqlSessionSkillMetrics(db),
    storageStats: async () => readSqliteStorageStats(db, config.dbPath, STORAGE_TABLES),
    close: async () => {
      db.close();
    },
  };
}

/** `doctor`'s facts about the configured store's database (the SQLite file must exist; reading errors are thrown). */
export async function readStoreHealth(config: Config, deep: boolean): Promise<StoreHealth> {
  if (config.store.kind === 'postgres') {
    const { readPgHealth } = await import('./postgres/store-health.js');
    return readPgHealth(config.store.url, deep);
  }
  return readSqliteHealth(config.dbPath, deep);
}
