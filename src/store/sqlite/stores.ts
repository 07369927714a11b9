/**
 * The store bundle (stores.ts) over SQLite: one WAL file under the data
 * directory, opened synchronously, every store on the one connection.
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
import { SqliteSkillCostStore } from './skill-costs.js';

export function openSqliteStores(file: string, opts: StoreOptions & SqliteStoreOptions = {}): Stores {
  const store = new SqliteStore(file, opts);
  const { db } = store;
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
    skillCosts: new SqliteSkillCostStore(db),
    leases: new SqliteJobLeases(db),
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
