/**
 * The store bundle (stores.ts) over SQLite: one WAL file under the data
 * directory, opened synchronously, every store on the one connection.
 * Opened from a data directory, its salt file must be the one the
 * database's users were hashed with (user-salt.ts): that salt is `userSalt`.
 */
import { STORAGE_TABLES, type StoreOptions, type Stores } from '../stores.js';
import { SqliteAnalyticsQueries } from './analytics-queries.js';
import { SqliteAnalyticsRecords } from './analytics-records.js';
import { SqliteExperimentStore } from './experiment-store.js';
import { SqliteJobLeases } from './job-leases.js';
import { SqliteModelStore } from './model-store.js';
import { SqliteReflectionStore } from './reflection-store.js';
import { createSqlSessionSkillMetrics } from './session-skill-metrics.js';
import { readSqliteStorageStats } from './storage-stats.js';
import { SqliteStore, type SqliteStoreOptions } from './store.js';
import { SqliteTranscriptCursors } from './transcript-cursors.js';
import { SqliteApiTokenStore } from './api-token-store.js';
import { bindUserSalt } from './user-salt.js';

/** `dataDir`: the data directory it is opened from, whose salt hashes its users (checked, see the head of this file). */
export function openSqliteStores(file: string, opts: StoreOptions & SqliteStoreOptions & { dataDir?: string } = {}): Stores {
  const store = new SqliteStore(file, opts);
  const { db } = store;
  let userSalt: string | null = null;
  if (opts.dataDir !== undefined) {
    try {
      userSalt = bindUserSalt(db, file, opts.dataDir, { readonly: opts.readonly ?? false });
    } catch (err) {
      store.close();
      throw err;
    }
  }
  return {
    kind: 'sqlite',
    location: file,
    invocations: store,
    analyticsRecords: new SqliteAnalyticsRecords(db),
    analyticsQueries: new SqliteAnalyticsQueries(db, opts.now),
    experiments: new SqliteExperimentStore(db),
    models: new SqliteModelStore(db, opts.keepModels),
    reflections: new SqliteReflectionStore(db, opts.now ? { now: opts.now } : {}),
    apiTokens: new SqliteApiTokenStore(db),
    sessionSkillMetrics: createSqlSessionSkillMetrics(db),
    storageStats: async () => readSqliteStorageStats(db, file, STORAGE_TABLES),
    transcriptCursors: new SqliteTranscriptCursors(db),
    skillCosts: store.skillCosts,
    leases: new SqliteJobLeases(db),
    schemaVersion: async () => store.migrator.currentVersion(),
    changeToken: () => Number(db.pragma('data_version', { simple: true })),
    trainingDbFile: file === ':memory:' ? null : file,
    userSalt,
    sqlite: store,
    async close() {
      store.close();
    },
  };
}
