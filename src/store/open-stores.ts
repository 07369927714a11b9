/**
 * Builds the store bundle (stores.ts) for the configured back-end:
 * - SQLite (the default): one WAL file under the data directory, opened
 *   synchronously (`openSqliteStores`), every store on the one connection;
 * - PostgreSQL (`--store postgres://...`): see postgres/pg-stores.ts, loaded
 *   only when configured.
 */
import type { Config } from '../config.js';
import { SqliteReflectionStore } from '../memory/sqlite-reflection-store.js';
import { createSqlSessionSkillMetrics } from '../session/session-skill-metrics.js';
import { readSqliteStorageStats } from '../session/sqlite-storage-stats.js';
import { loadOrCreateSalt } from './salt.js';
import { SqliteAnalyticsQueries } from './sqlite/analytics-queries.js';
import { SqliteAnalyticsRecords } from './sqlite/analytics-records.js';
import { SqliteApiTokenStore } from './sqlite/api-token-store.js';
import { SqliteExperimentStore } from './sqlite/experiment-store.js';
import { SqliteModelStore } from './sqlite/model-store.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
import { STORAGE_TABLES, type Stores } from './stores.js';

export interface StoreOptions {
  /** Clock for stored timestamps (reflections). */
  now?: () => number;
  /** Prediction models kept (default 5). */
  keepModels?: number;
}

export function openSqliteStores(file: string, opts: StoreOptions & SqliteStoreOptions = {}): Stores {
  const store = new SqliteStore(file, opts);
  const { db } = store;
  return {
    kind: 'sqlite',
    location: file,
    invocations: store,
    analyticsRecords: new SqliteAnalyticsRecords(db),
    analyticsQueries: new SqliteAnalyticsQueries(db),
    experiments: new SqliteExperimentStore(db),
    models: new SqliteModelStore(db, opts.keepModels),
    reflections: new SqliteReflectionStore(db, opts.now ? { now: opts.now } : {}),
    apiTokens: new SqliteApiTokenStore(db),
    sessionSkillMetrics: createSqlSessionSkillMetrics(db),
    storageStats: async () => readSqliteStorageStats(db, file, STORAGE_TABLES),
    schemaVersion: async () => store.migrator.currentVersion(),
    changeToken: () => Number(db.pragma('data_version', { simple: true })),
    trainingDbFile: file === ':memory:' ? null : file,
    userSalt: null,
    sqlite: store,
    async close() {
      store.close();
    },
  };
}

/**
 * The stores of the configured back-end (config.store). On PostgreSQL the
 * data directory's salt is offered as the shared one (adopted only when the
 * database has none yet).
 */
export async function openStores(config: Config, opts: StoreOptions & { migrate?: boolean } = {}): Promise<Stores> {
  if (config.store.kind === 'postgres') {
    // Loaded only here: the SQLite default (and every CLI command) does not pay for the PostgreSQL driver.
    const { openPgStores } = await import('./postgres/pg-stores.js');
    return openPgStores(config.store.url, { ...opts, poolSize: config.store.poolSize, salt: loadOrCreateSalt(config.dataDir) });
  }
  return openSqliteStores(config.dbPath, { ...opts, synchronous: config.sqliteSynchronous });
}
